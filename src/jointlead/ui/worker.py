"""Long work off the GUI thread: run one call in a thread, report progress, and let the user cancel it."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from jointlead.domain.errors import JointleadError
from jointlead.logs import log_dir
from jointlead.ui.messages import show_unexpected

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total); total 0 while it is not known
Work = Callable[[Progress], Any]


def log_path() -> str:
    return str(log_dir() / "jointlead.log")


def show_crash(parent: QWidget | None) -> None:
    """The short dialog for an unexpected failure; the details are already in the log file."""
    show_unexpected(parent, log_path())


class Stopped(JointleadError):
    """The user cancelled the work (the default; callers pass the error their service expects)."""


class _Runner(QThread):
    """The thread itself: calls the work once and keeps what came of it for the task to collect."""

    progressed = Signal(int, int)

    def __init__(self, work: Work, report: Progress) -> None:
        super().__init__()
        self._work = work
        self._report = report
        self.result: Any = None
        self.error: JointleadError | None = None
        self.trace = ""

    def run(self) -> None:
        try:
            self.result = self._work(self._report)
        except JointleadError as error:
            self.error = error
        except Exception:
            # The traceback goes to the log file only; the user sees a short dialog pointing at it.
            log.exception("Background work failed unexpectedly")
            self.trace = traceback.format_exc()


class Task(QObject):
    """One piece of work in its own thread. Exactly one of finished, failed or crashed follows start().

    The signals arrive on the GUI thread, after the thread has been joined, so a slot may start another
    task or close the window at once. `cancel()` makes the next progress report raise `cancel_error`, which
    the service lets unwind through its unit of work (a rollback) and which arrives as `failed`.
    """

    progress = Signal(int, int)
    finished = Signal(object)  # the work's return value
    failed = Signal(object)  # the JointleadError it raised (including the cancel error)
    crashed = Signal(str)  # the traceback text of anything else

    def __init__(self, work: Work, parent: QObject, *,
                 cancel_error: Callable[[], JointleadError] = lambda: Stopped("Stopped.", "")) -> None:
        super().__init__(parent)
        self._cancelled = threading.Event()
        self._cancel_error = cancel_error
        self._runner = _Runner(work, self._report)
        # Both connections are queued: the runner emits from its own thread, the task lives on the GUI thread.
        self._runner.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._runner.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._done = False

    def start(self) -> None:
        self._runner.start()

    @property
    def running(self) -> bool:
        return not self._done

    def cancel(self) -> None:
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def wait(self) -> None:
        """Block until the thread has ended (used when a window closes with work still under way)."""
        self._runner.wait()

    def _report(self, done: int, total: int) -> None:
        # Runs on the worker thread, inside the service's own loop.
        if self.is_cancelled():
            raise self._cancel_error()
        self._runner.progressed.emit(done, total)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self._done:
            self.progress.emit(done, total)

    @Slot()
    def _on_finished(self) -> None:
        self._runner.wait()
        self._done = True
        runner = self._runner
        if runner.error is not None:
            self.failed.emit(runner.error)
        elif runner.trace:
            self.crashed.emit(runner.trace)
        else:
            self.finished.emit(runner.result)


class TaskProgress(QProgressDialog):
    """A window-modal progress dialog for a task, whose Cancel button cancels it.

    It closes itself when the task ends, whichever way. `describe(done, total)` gives the label text.
    """

    def __init__(self, task: Task, title: str, text: str, parent: QWidget, *,
                 describe: Callable[[int, int], str] | None = None, can_cancel: bool = True) -> None:
        super().__init__(text, "Cancel" if can_cancel else "", 0, 0, parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAccessibleName(title)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self._task = task
        self._describe = describe
        if can_cancel:
            self.canceled.connect(self._on_cancel)
        task.progress.connect(self._on_progress)
        for signal in (task.finished, task.failed, task.crashed):
            signal.connect(self._close)

    def _on_cancel(self) -> None:
        self._task.cancel()
        self.setLabelText("Stopping…")

    def _on_progress(self, done: int, total: int) -> None:
        if self._task.is_cancelled():
            return
        if total:
            self.setRange(0, total)
            self.setValue(min(done, total))
        if self._describe is not None:
            self.setLabelText(self._describe(done, total))

    def _close(self, *_args: object) -> None:
        self.hide()
        self.deleteLater()
