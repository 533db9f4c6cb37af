"""Taking back an action tracker an owner edited in Excel: each change previewed, each conflict decided, then one go.

Nothing the owner wrote is dropped unseen: the rows with problems are listed in full (cell by cell, as the service
gives them), and so are the notices about what the import does not read or what changes nothing. Rows with
problems stop the import unless the manager chooses to import the valid rows on their own, as the CLI's
--accept-valid does; the rows left out are named before Import is pressed. A cancellation goes with its reason, the
row's new update: rejecting the update rejects the cancellation, and accepting the cancellation accepts the update,
so what the manager chooses can always be imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.actions import ActionStatus
from jointlead.domain.errors import JointleadError
from jointlead.domain.words import listed
from jointlead.services import action_tracker
from jointlead.services.action_tracker import ChangeKind, TrackerChange, TrackerPreview
from jointlead.ui.import_folder import ImportFolder
from jointlead.ui.import_wizard import MINIMUM_SIZE, NOTICE_STYLE, PROBLEM_STYLE, initial_size, plural
from jointlead.ui.messages import show_problem
from jointlead.ui.table_model import Column
from jointlead.ui.undo import Editor
from jointlead.ui.widgets import DataTable

ACCEPT, REJECT, UNDECIDED = "Accept", "Reject", "Decide…"
# A cancellation whose reason, the row's new update, is rejected: rejected with it, as an action is cancelled only
# with a reason (the import refuses it otherwise). Accepting the cancellation accepts its update again.
WITH_ITS_UPDATE = "Reject, with its update"


@dataclass(frozen=True)
class _Line:
    change: TrackerChange
    decision: str
    why: str = ""  # how the decision is tied to another line's, if it is


# The title is cut short first on a small screen, so the changes keep every column in view without scrolling
# sideways; with room, it widens to show itself whole (DataTable's capped columns).
TITLE_WIDTH = 160
CONFLICT_WIDTH = 100
COLUMNS = [
    Column("Action", lambda r: r.change.reference or f"New (row {r.change.row})"),
    # The title says which action a change is to, and is all there is of a new action before it is imported.
    Column("Title", lambda r: r.change.title, max_width=TITLE_WIDTH),
    Column("Change", lambda r: r.change.kind.value.capitalize()),
    Column("What", lambda r: r.change.summary, max_width=340),
    Column("Decision", lambda r: r.decision,
           tone=lambda r: "bad" if r.decision == UNDECIDED else "muted" if r.decision != ACCEPT else None,
           tooltip=lambda r: r.why or r.decision),
    # Last, and cut short as the title is, so that a conflict's long words never push the decision it waits for
    # out of view on a small screen (its tooltip has it whole, and it widens when there is room).
    Column("Conflict", lambda r: r.change.conflict, max_width=CONFLICT_WIDTH,
           tone=lambda r: "bad" if r.change.conflict else None),
]
PROBLEM_COLUMNS = [
    Column("Where", lambda p: p.reference, sort_key=lambda p: (p.row or 0, p.column or 0)),
    Column("Problem", lambda p: p.message),
]
NOTICE_COLUMNS = [Column("Notice", lambda n: n)]
SPLITTER_HANDLE = 6  # pixels above each list that the splitter's handle takes


def rows_phrase(rows: list[int]) -> str:
    """"row 3", "rows 3 and 4", "rows 3, 4 and 15": the tracker's rows as the owner sees them in Excel."""
    numbers = [str(row) for row in rows]
    if not numbers:  # a problem with the sheet as a whole names no row
        return "no single row"
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    return f"rows {listed(numbers)}"


def _wrapped(table: DataTable) -> DataTable:
    """A list read line by line: long messages wrap onto more lines rather than end in an ellipsis."""
    table.view.setWordWrap(True)
    table.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _section(heading: QLabel, table: DataTable, parent: QWidget) -> QWidget:
    section = QWidget(parent)
    layout = QVBoxLayout(section)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(heading)
    layout.addWidget(table, 1)
    section.hide()
    return section


def _heading(style: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class TrackerImportDialog(QDialog):
    """Choose the returned tracker; read what the owner changed, every problem and notice; accept or reject each
    conflict; import (the valid rows on their own, if the manager says so)."""

    def __init__(self, editor: Editor, parent: QWidget, today: date, folder: ImportFolder) -> None:
        super().__init__(parent)
        self.editor, self.today, self.folder = editor, today, folder
        self.preview: TrackerPreview | None = None
        self.decisions: dict[str, bool] = {}  # the manager's own, by change key
        self.reasons: dict[str, TrackerChange] = {}  # a cancellation's key -> its row's new update, the reason
        self.setWindowTitle("Import an action tracker")
        # The layout sets no minimum (sized once, here, before showing), so the dialog keeps its own: small enough
        # for a laptop's screen, with the lists scrolling inside.
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(initial_size(parent, QSize(1040, 680)))
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        row = QHBoxLayout()
        # Alt+letter reaches each button: Choose, Accept, Reject, Import, and "on their own" for the check box.
        choose = QPushButton("&Choose the returned tracker…", self)
        choose.clicked.connect(self.choose_file)
        row.addWidget(choose)
        self.summary = QLabel("A tracker jointlead exported, with the owner's new updates, statuses and due dates. "
                              "Nothing changes until you import it.", self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary")
        row.addWidget(self.summary, 1)
        layout.addLayout(row)

        # One splitter, so the manager can give the room to whichever list is long: nothing is cut short.
        splitter = self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        changes = QWidget(splitter)
        changes_layout = QVBoxLayout(changes)
        changes_layout.setContentsMargins(0, 0, 0, 0)
        self.table = DataTable("changes", COLUMNS, "Choose a tracker to see what its owner changed.", changes,
                               stretch_column=3)
        self.table.view.doubleClicked.connect(lambda _i: self.toggle())
        changes_layout.addWidget(self.table, 1)
        decide = QHBoxLayout()
        for text, accept in (("&Accept", True), ("&Reject", False)):
            button = QPushButton(text, changes)
            button.clicked.connect(lambda _c=False, accept=accept: self.decide(accept))
            decide.addWidget(button)
        decide.addStretch(1)
        changes_layout.addLayout(decide)
        splitter.addWidget(changes)

        self.problems_heading = _heading(PROBLEM_STYLE, "Rows with problems", self)
        self.problems = _wrapped(DataTable("problems", PROBLEM_COLUMNS, "No row has a problem.", self,
                                           searchable=False, stretch_column=1))
        self.problems_section = _section(self.problems_heading, self.problems, splitter)
        splitter.addWidget(self.problems_section)
        self.notices_heading = _heading(NOTICE_STYLE, "Notices", self)
        self.notices = _wrapped(DataTable("notices", NOTICE_COLUMNS, "Nothing to note.", self, searchable=False,
                                          stretch_column=0))
        self.notices_section = _section(self.notices_heading, self.notices, splitter)
        splitter.addWidget(self.notices_section)
        layout.addWidget(splitter, 1)

        self.accept_valid = QCheckBox("Import the valid rows on their &own", self)
        self.accept_valid.setAccessibleName("Import the valid rows on their own")
        self.accept_valid.toggled.connect(lambda _checked: self._show())
        self.accept_valid.hide()
        layout.addWidget(self.accept_valid)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("&Import")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(self, "The returned action tracker", self.folder.start(),
                                                      "Excel workbooks (*.xlsx *.xlsm)")
        if chosen:
            self.folder.remember(Path(chosen))
            self.load(Path(chosen))

    def load(self, path: Path) -> None:
        try:
            self.preview = action_tracker.preview_tracker_import(self.editor.database, path, today=self.today)
        except JointleadError as error:
            show_problem(self, error, "This tracker cannot be imported")
            return
        self.decisions = {}
        updates = {c.row: c for c in self.preview.changes if c.kind == ChangeKind.UPDATE}
        self.reasons = {c.key: updates[c.row] for c in self.preview.changes
                        if c.kind == ChangeKind.STATUS and c.status == ActionStatus.CANCELLED and c.row in updates}
        self.table.empty.setText("No row of this tracker can be imported as it is: see the problems below."
                                 if self.preview.problems else
                                 "The owner wrote no new update, status, due date or action in this tracker.")
        # Leaving rows out is chosen afresh for each tracker, knowing which rows they are.
        self.accept_valid.blockSignals(True)
        self.accept_valid.setChecked(False)
        self.accept_valid.blockSignals(False)
        for table, rows in ((self.problems, self.preview.problems), (self.notices, self.preview.notices)):
            table.set_rows(rows)
            table.count.hide()  # the heading above the list counts them, in a sentence
        self._show()
        self._share_room()

    def _share_room(self) -> None:
        """Each list of problems or notices as tall as it needs, up to a share of the room, so a short list is seen
        whole and a long one scrolls; the changes take the rest. The splitter lets the manager move it."""
        self.splitter.refresh()  # the lists just shown are laid out, so their rows know their wrapped heights
        room = max(self.splitter.height(), 1)
        wanted = [0]
        roomy = not self.table.model.total_rows  # no changes to show: the lists may take most of the room
        for section, heading, table, share in (
                (self.problems_section, self.problems_heading, self.problems, 0.6 if roomy else 0.4),
                (self.notices_section, self.notices_heading, self.notices, 0.25)):
            if not section.isVisible():
                wanted.append(0)
                continue
            view = table.view
            view.resizeRowsToContents()
            needed = (heading.heightForWidth(section.width()) + section.layout().spacing() + SPLITTER_HANDLE
                      + view.horizontalHeader().height() + view.verticalHeader().length() + 2 * view.frameWidth())
            wanted.append(min(needed, int(room * share)))
        wanted[0] = room - sum(wanted)
        self.splitter.setSizes(wanted)

    def skipped_rows(self) -> list[int]:
        """The tracker's rows that have problems: left out when the valid rows are imported on their own."""
        return sorted({p.row for p in self.preview.problems if p.row is not None}) if self.preview else []

    def _show(self) -> None:
        preview = self.preview
        if preview is None:
            return
        lines = [self._line(c) for c in preview.changes]
        self.table.set_rows(lines)
        undecided = sum(1 for line in lines if line.decision == UNDECIDED)
        again = sum(1 for change in preview.changes if change.unless_accepted)
        self.summary.setText(
            f"{preview.path.name}, exported for {preview.scope}: {plural(len(preview.changes), 'change')} to "
            f"{plural(len(preview.reviews), 'action')}; {len(preview.changed_here)} in conflict with changes made "
            "here since the export" + (f", {undecided} still to decide" if undecided else "")
            + (f"; {again} sent again since an earlier import, rejected unless you accept "
               f"{'it' if again == 1 else 'them'}" if again else "") + ".")
        self._show_problems(preview)
        self._show_notices(preview)
        leave_out = bool(preview.problems) and self.accept_valid.isChecked()
        self.import_button.setEnabled(bool(preview.changes) and not undecided
                                      and (not preview.problems or leave_out))

    def _show_problems(self, preview: TrackerPreview) -> None:
        self.problems_section.setVisible(bool(preview.problems))
        self.accept_valid.setVisible(bool(preview.problems) and bool(preview.changes))
        if not preview.problems:
            return
        rows = rows_phrase(self.skipped_rows())
        has = "has a problem" if preview.rows_with_problems == 1 else "have problems"
        if not preview.changes:
            advice = "No row of this tracker can be imported: correct the rows and import the file again."
        elif self.accept_valid.isChecked():
            advice = f"Importing the valid rows on their own: {rows} will be left out, and nothing in them imported."
        else:
            advice = ("Nothing is imported while any row has a problem: correct the rows and import the file again, "
                      "or import the valid rows on their own.")
        self.problems_heading.setText(f"{plural(preview.rows_with_problems, 'row')} of the tracker {has} "
                                      f"({rows} of '{preview.sheet}'). {advice}")
        self.accept_valid.setText(f"Import the valid rows on their &own, leaving out {rows} (the problems listed "
                                  "above)")

    def _show_notices(self, preview: TrackerPreview) -> None:
        self.notices_section.setVisible(bool(preview.notices))
        self.notices_heading.setText(
            f"{plural(len(preview.notices), 'note')} on what the owner wrote that is not imported, or changes "
            "nothing. Nothing to decide; tell the owner if it needs doing another way.")

    def _chosen(self, change: TrackerChange) -> str:
        """A change is imported unless rejected; one that conflicts with changes made here waits for the manager to
        decide; one sent again since an earlier import (rejected then, or maybe an action added then) is rejected
        unless accepted."""
        if change.key in self.decisions:
            return ACCEPT if self.decisions[change.key] else REJECT
        if change.unless_accepted:
            return REJECT
        return UNDECIDED if change.conflict else ACCEPT

    def _line(self, change: TrackerChange) -> _Line:
        """The change as the list shows it: a cancellation goes with its reason, so what is chosen can be imported."""
        reason = self.reasons.get(change.key)
        if reason is not None and self._chosen(change) != REJECT:  # one the manager rejected is plainly rejected
            if self._chosen(reason) == REJECT:
                return _Line(change, WITH_ITS_UPDATE,
                             f"Its reason, the new update on row {change.row}, is rejected, and an action is "
                             "cancelled only with a reason. Accept the cancellation to accept its update as well.")
            return _Line(change, self._chosen(change), "Cancelled with the new update on its row as the reason: "
                                                       "rejecting the update rejects the cancellation too.")
        if any(update.key == change.key for update in self.reasons.values()):
            return _Line(change, self._chosen(change), "The reason for cancelling the action: rejecting it rejects "
                                                       "the cancellation too.")
        return _Line(change, self._chosen(change), change.unless_accepted)

    def decide(self, accept: bool) -> None:
        if self.preview is None:
            return
        for line in self.table.selected_rows():
            self.decisions[line.change.key] = accept
            if accept and line.change.key in self.reasons:  # a cancellation is accepted with its reason
                self.decisions[self.reasons[line.change.key].key] = True
        self._show()

    def toggle(self) -> None:
        line = self.table.current_row()
        if line is not None:
            self.decide(line.decision != ACCEPT)

    def apply(self) -> None:
        preview = self.preview
        if preview is None:
            return
        # Every change as the list shows it: a cancellation rejected with its update is rejected, not only shown so.
        decisions = {line.change.key: line.decision == ACCEPT for line in map(self._line, preview.changes)
                     if line.decision != UNDECIDED}
        # As the CLI's --accept-valid: the rows with problems are left out. Conflicts stay the manager's to decide.
        accept_valid = bool(preview.problems) and self.accept_valid.isChecked()

        def take_back(database):
            # Import is offered only with changes to decide, so there is always an Edit: with every change rejected,
            # it records the rejections, so that the owner sending them again does not have them taken by default.
            return action_tracker.apply_tracker_import(database, preview, decisions=decisions,
                                                       accept_valid=accept_valid).edit

        if self.editor.run(take_back, "The tracker was not imported"):
            self.accept()
