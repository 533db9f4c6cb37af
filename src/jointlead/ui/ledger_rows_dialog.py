"""Drill-down: the ledger rows behind a line's actual, each with the file, sheet and row it came from."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLayout, QVBoxLayout, QWidget

from jointlead.domain.money import format_money
from jointlead.services import budget_report
from jointlead.services.budgets import LinePosition, PoolPosition
from jointlead.store.database import Database
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable

LEDGER_COLUMNS = [
    Column("Partner", lambda r: r.organisation_code),
    Column("Month", lambda r: f"M{r.period}", sort_key=lambda r: r.period),
    Column("Posted", lambda r: r.posting_date.strftime("%d %b %Y") if r.posting_date else "",
           sort_key=lambda r: r.posting_date),
    Column("Cost\ncentre", lambda r: r.cost_centre),
    Column("Subjective", lambda r: r.subjective),
    Column("Description", lambda r: r.description, max_width=300),
    Column("Amount", lambda r: format_money(r.amount_pence), sort_key=lambda r: r.amount_pence, align=RIGHT),
    Column("Reference", lambda r: r.transaction_ref or ""),
    Column("Source", lambda r: f"{r.source_file}, {r.source_sheet} row {r.source_row}" if r.source_row
           else r.source_file, max_width=320),
]


class LedgerRowsDialog(QDialog):
    def __init__(self, database: Database, position: PoolPosition, line: LinePosition, period: int | None,
                 parent: QWidget) -> None:
        super().__init__(parent)
        as_at = position.as_at.number if position.as_at else 0
        periods = (period,) if period else tuple(range(1, as_at + 1))
        rows = budget_report.ledger_rows(database, position.agreement_id, position.year, line_id=line.id,
                                         periods=periods)
        when = f"M{period}" if period else f"M1 to M{as_at}" if as_at else "the year so far"
        self.setWindowTitle(f"Ledger rows: {line.code} {line.name}, {when}")
        self.resize(1100, 560)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # sized once, above, before showing
        total = sum(r.amount_pence for r in rows)
        self.summary = QLabel(f"{len(rows):,} ledger row{'s' if len(rows) != 1 else ''} in force, adding up to "
                              f"{format_money(total)}: the actual for {line.code} in {when}.", self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = DataTable("ledger rows", LEDGER_COLUMNS, f"No ledger rows reach {line.code} in {when}.", self,
                               stretch_column=5)
        self.table.set_rows(rows)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
