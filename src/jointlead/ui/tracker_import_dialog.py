"""Taking back an action tracker an owner edited in Excel: each change previewed, each conflict decided, then one go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.errors import JointleadError
from jointlead.services import action_tracker
from jointlead.services.action_tracker import TrackerChange, TrackerPreview
from jointlead.ui.messages import show_problem
from jointlead.ui.table_model import Column
from jointlead.ui.undo import Editor
from jointlead.ui.widgets import DataTable

ACCEPT, REJECT, UNDECIDED = "Accept", "Reject", "Decide…"


@dataclass(frozen=True)
class _Line:
    change: TrackerChange
    decision: str


COLUMNS = [
    Column("Action", lambda r: r.change.reference or f"New (row {r.change.row})"),
    Column("Change", lambda r: r.change.kind.value.capitalize()),
    Column("What", lambda r: r.change.summary, max_width=340),
    Column("Conflict", lambda r: r.change.conflict, max_width=300, tone=lambda r: "bad" if r.change.conflict else None),
    Column("Decision", lambda r: r.decision,
           tone=lambda r: "bad" if r.decision == UNDECIDED else "muted" if r.decision == REJECT else None),
]


class TrackerImportDialog(QDialog):
    """Choose the returned tracker; read what the owner changed; accept or reject each conflict; import."""

    def __init__(self, editor: Editor, parent: QWidget, today: date) -> None:
        super().__init__(parent)
        self.editor, self.today = editor, today
        self.preview: TrackerPreview | None = None
        self.decisions: dict[str, bool] = {}
        self.setWindowTitle("Import an action tracker")
        self.resize(1000, 560)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # sized once, above, before showing
        row = QHBoxLayout()
        choose = QPushButton("Choose the returned tracker…", self)
        choose.clicked.connect(self.choose_file)
        row.addWidget(choose)
        self.summary = QLabel("A tracker jointlead exported, with the owner's new updates, statuses and due dates. "
                              "Nothing changes until you import it.", self)
        self.summary.setWordWrap(True)
        row.addWidget(self.summary, 1)
        layout.addLayout(row)
        self.table = DataTable("changes", COLUMNS, "Choose a tracker to see what its owner changed.", self,
                               stretch_column=2)
        self.table.view.doubleClicked.connect(lambda _i: self.toggle())
        layout.addWidget(self.table, 1)
        decide = QHBoxLayout()
        for text, accept in (("Accept", True), ("Reject", False)):
            button = QPushButton(text, self)
            button.clicked.connect(lambda _c=False, accept=accept: self.decide(accept))
            decide.addWidget(button)
        decide.addStretch(1)
        layout.addLayout(decide)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(self, "The returned action tracker", "",
                                                      "Excel workbooks (*.xlsx *.xlsm)")
        if chosen:
            self.load(Path(chosen))

    def load(self, path: Path) -> None:
        try:
            self.preview = action_tracker.preview_tracker_import(self.editor.database, path, today=self.today)
        except JointleadError as error:
            show_problem(self, error, "This tracker cannot be imported")
            return
        self.decisions = {}
        self._show()

    def _show(self) -> None:
        preview = self.preview
        lines = [_Line(c, self._decision(c)) for c in preview.changes]
        self.table.set_rows(lines)
        undecided = sum(1 for line in lines if line.decision == UNDECIDED)
        problems = "".join(f" {p}" for p in preview.problems[:3])
        self.summary.setText(
            f"{preview.path.name}, exported for {preview.scope}: {len(preview.changes)} changes to "
            f"{len(preview.reviews)} actions; {len(preview.conflicts)} in conflict with changes made here since "
            f"the export" + (f", {undecided} still to decide" if undecided else "") + "."
            + (f" {preview.rows_with_problems} rows have problems and stop the import:{problems}"
               if preview.problems else ""))
        self.import_button.setEnabled(bool(preview.changes) and not undecided and not preview.problems)

    def _decision(self, change: TrackerChange) -> str:
        """A change is imported unless rejected; one that conflicts waits for the manager to decide."""
        if change.key in self.decisions:
            return ACCEPT if self.decisions[change.key] else REJECT
        return UNDECIDED if change.conflict else ACCEPT

    def decide(self, accept: bool) -> None:
        if self.preview is None:
            return
        for line in self.table.selected_rows():
            self.decisions[line.change.key] = accept
        self._show()

    def toggle(self) -> None:
        line = self.table.current_row()
        if line is not None:
            self.decide(line.decision != ACCEPT)

    def apply(self) -> None:
        preview, decisions = self.preview, dict(self.decisions)
        if preview is None:
            return

        def take_back(database):
            edit = action_tracker.apply_tracker_import(database, preview, decisions=decisions).edit
            if edit is None:
                raise JointleadError("Every change was rejected, so there is nothing to import.", "")
            return edit

        if self.editor.run(take_back, "The tracker was not imported"):
            self.accept()
