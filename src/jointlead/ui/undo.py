"""Edit > Undo for recorded edits: undo and redo each call the service that makes the compensating change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMainWindow, QWidget

from jointlead.domain.errors import JointleadError, StillPointedAt
from jointlead.store.errors import (
    ChangedBySomeoneElse,
    DatabaseBusy,
    OthersStillSaving,
    ReadOnlyDatabase,
    ServerStoppedAnswering,
)
from jointlead.ui.messages import show_problem, waiting

if TYPE_CHECKING:  # the services load once the window shows, not before its first paint (start-up)
    from jointlead.services.edits import Edit
    from jointlead.store.database import Database


SAID_MS = 15000  # how long the status bar says what a change did
# Refusals that say nothing of the change itself, only that the database could not take it just then: another change
# still being saved, a server out of reach, a file that could not be written. Tried again later, it can be made.
PASSING = (StillPointedAt, DatabaseBusy, OthersStillSaving, ServerStoppedAnswering, ReadOnlyDatabase)


def tell(parent: QWidget, text: str) -> None:
    """Say on the window's status bar what has just been done, so that a change made with one key press (Enter in a
    dialog that opened filled in) is never made silently."""
    window = parent.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, SAID_MS)


def refused(command: QUndoCommand, stack: QUndoStack, error: JointleadError, done: bool) -> None:
    """After a refused undo or redo: the stack has already stepped past `command` (`done`: whether its change still
    stands). A refusal for good drops it; one that passes (records now pointing at what it would remove, until they
    are gone; the database busy or out of reach for a moment) steps the stack back, so that Undo or Redo offers it
    again. Dropped, the next Undo would take back an older change with this one still standing. The command's own
    undo or redo does nothing when its change already is as asked."""
    if isinstance(error, PASSING):
        QTimer.singleShot(0, stack.redo if done else stack.undo)  # once the stack's own step has finished
    else:
        command.setObsolete(True)


class EditCommand(QUndoCommand):
    """One gesture on the undo stack. It has already happened when pushed, so the push's redo does nothing."""

    def __init__(self, database: Database, edit: Edit, stack: QUndoStack, parent: QWidget,
                 refresh: Callable[[], None]) -> None:
        super().__init__(edit.description)
        self._database = database
        self._edit = edit
        self._stack = stack
        self._parent = parent
        self._refresh = refresh
        self._done = True

    def _swap(self, title: str) -> None:
        try:
            from jointlead.services.edits import undo_edit

            with waiting():
                self._edit = undo_edit(self._database, self._edit)
        except JointleadError as error:
            show_problem(self._parent, error, title)
            refused(self, self._stack, error, self._done)
            return
        self._done = not self._done
        self._refresh()
        tell(self._parent, f"Redone: {self.text()}." if self._done else f"Undone: {self.text()}. Edit > Redo applies "
                           "it again.")

    def undo(self) -> None:
        if self._done:
            self._swap("Cannot undo")

    def redo(self) -> None:
        if not self._done:
            self._swap("Cannot redo")


class Editor:
    """What a page uses to change data: run a service gesture, explain a refusal, make it undoable, refresh."""

    def __init__(self, stack: QUndoStack, parent: QWidget, refresh: Callable[[], None]) -> None:
        self.stack = stack
        self.parent = parent
        self.refresh = refresh
        self.database: Database | None = None
        self.reloaded = False  # the last refusal was of a stale copy, and the pages now show what is stored

    def run(self, gesture: Callable[[Database], Edit], problem_title: str = "That change was not made") -> bool:
        """True when the change was made. A refusal is shown in plain words and nothing changes.

        When someone else changed the record first (a shared database), the pages are reloaded after saying so,
        so that what the user sees next is what is stored, and `reloaded` is set for a dialog to close itself.
        """
        self.reloaded = False
        if self.database is None:
            return False
        try:
            with waiting():
                edit = gesture(self.database)
        except ChangedBySomeoneElse as error:
            show_problem(self.parent, error, problem_title)
            self.refresh()
            self.reloaded = True
            return False
        except JointleadError as error:
            show_problem(self.parent, error, problem_title)
            return False
        self.stack.push(EditCommand(self.database, edit, self.stack, self.parent, self.refresh))
        self.refresh()
        tell(self.parent, f"Done: {edit.description}. Edit > Undo takes it back.")
        return True
