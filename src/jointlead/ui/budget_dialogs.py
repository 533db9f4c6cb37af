"""The Budgets page's dialogs: the agreement, lines, contributions, ledger codes, virements, close, next year."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)

from jointlead.domain.budget import ForecastMethod
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import ValidationError
from jointlead.domain.money import format_exact, format_money, format_pounds
from jointlead.services import budget_month, budget_setup
from jointlead.services.budget_month import BudgetYear
from jointlead.services.budget_report import NOTE, ChecklistItem, LedgerRow, LineSuggestion
from jointlead.services.budget_setup import (
    ALREADY,
    CARRIED,
    CARRIED_FORWARD,
    AgreementTerms,
    ContributionForward,
    Instalment,
    LineTerms,
    MappingRow,
    PartnerTerms,
    RollForward,
)
from jointlead.services.budgets import LinePosition
from jointlead.ui.budget_words import month_words
from jointlead.ui.forms import FormDialog, Gesture
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.theme import TONES
from jointlead.ui.undo import Editor
from jointlead.ui.widgets import DataTable, section_title


def _years(around: int) -> list[tuple[str, object]]:
    return [(FinancialYear(y).label, y) for y in range(around - 2, around + 3)]


def _percent(basis_points: int | None) -> str:
    return "" if basis_points is None else f"{basis_points / 100:g}"


def basis_points_from_text(text: str, what: str) -> int | None:
    """"75", "75%" or "33.33" as basis points (7500); blank is None. More than two decimals is refused."""
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned:
        return None
    whole, _, fraction = cleaned.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        raise ValidationError(f"{what} must be a percentage such as 75 or 33.33, not '{text.strip()}'.")
    return int(whole) * 100 + int(fraction.ljust(2, "0") or 0)


SAVE = "&Save"  # each dialog's main button has its Alt+letter, as the page's buttons have

# The most of a long form's rows shown without scrolling at the dialog's smallest: with its title, intro and
# buttons the dialog then fits a 1024x600 screen, or a 1366x768 laptop at 125% (614 logical pixels high), taskbar
# and title bar included. Where the screen has room it opens taller, as tall as its rows.
SCROLLING_ROWS_HEIGHT = 340
WINDOW_FRAME_HEIGHT = 60  # the title bar and borders the window system adds around a dialog


class _RowsScroll(QScrollArea):
    """A form's rows, scrolling only up and down: as wide as they are, and no taller than SCROLLING_ROWS_HEIGHT
    asked for (the dialog's minimum is its size hint, FormDialog.open)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus, and it scrolls to the one that has it

    def sizeHint(self) -> QSize:
        rows = self.widget().sizeHint()
        return QSize(rows.width() + self.verticalScrollBar().sizeHint().width(),
                     min(rows.height(), SCROLLING_ROWS_HEIGHT))

    def hidden_height(self) -> int:
        """How much taller than its size hint it would be to show every row."""
        return max(self.widget().sizeHint().height() - self.sizeHint().height(), 0)


class ScrollingFormDialog(FormDialog):
    """A form too long for a small screen: its rows scroll between the intro and the buttons, which always show."""

    def __init__(self, editor: Editor, title: str, intro: str, parent: QWidget) -> None:
        super().__init__(editor, title, intro, parent)
        layout = self.layout()
        at = next(i for i in range(layout.count()) if layout.itemAt(i).layout() is self.form)
        layout.removeItem(self.form)  # still empty: the rows are added by the subclass, after this
        self.form.deleteLater()
        rows = QWidget(self)
        self.form = QFormLayout(rows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.rows_scroll = _RowsScroll(self)
        self.rows_scroll.setWidget(rows)
        rows.setAutoFillBackground(False)  # set by setWidget: the dialog's own background shows through
        self.rows_scroll.viewport().setAutoFillBackground(False)
        layout.insertWidget(at, self.rows_scroll, 1)

    def open(self) -> None:
        # Sized before it is first shown, and never below its minimum (set by FormDialog.open, from the size hint).
        room = self.parentWidget().screen().availableGeometry().height() - WINDOW_FRAME_HEIGHT
        hint = self.sizeHint()
        self.resize(hint.width(), max(min(hint.height() + self.rows_scroll.hidden_height(), room), hint.height()))
        super().open()


class AgreementDialog(ScrollingFormDialog):
    """Set up a new agreement, or (given its current terms) change its terms and risk-share rules."""

    ok_text = SAVE

    def __init__(self, editor: Editor, parent: QWidget, today: date,
                 current: tuple[int, AgreementTerms, Sequence[PartnerTerms]] | None = None) -> None:
        setting_up = current is None
        super().__init__(editor, "Set up a pooled budget" if setting_up else "Agreement and risk-share rules",
                         "The Section 75 agreement between the two partners: who hosts the pool, and how any over- "
                         "or underspend is shared." + (" Partners not yet recorded are added." if setting_up else
                                                       " The partners themselves cannot change."), parent)
        this_year = FinancialYear.containing(today).start_year
        self.agreement_id, terms, partners = current or (None, AgreementTerms("", "", this_year),
                                                          (PartnerTerms("", ""), PartnerTerms("", "")))
        self.version = terms.version  # what it was filled from: a change since by someone else is refused
        self.title = self.text("Title", terms.title, "e.g. Northshire Better Care Fund")
        self.kind = self.choice("Type", [(t.capitalize(), t) for t in budget_setup.AGREEMENT_TYPES],
                                terms.agreement_type)
        self.partner_fields = []
        for role, partner in zip(("Host partner", "Other partner"), partners, strict=False):
            code = self.text(f"{role} code", partner.code, "e.g. NFT" if role == "Host partner" else "e.g. NCC")
            name = self.text(f"{role} name", partner.name)
            share = self.text(f"{role}'s fixed share %", _percent(partner.fixed_share_basis_points),
                              "only for the fixed-percentages basis")
            cap = self.text(f"{role}'s cap, % of contribution", _percent(partner.cap_basis_points), "no cap")
            for field in (code, name):
                field.setReadOnly(not setting_up)
            self.partner_fields.append((code, name, share, cap, partner))
        self.first_year = self.choice("First year", _years(this_year), terms.first_year)
        ends = range(min(terms.first_year, this_year - 2), max(this_year + 10, terms.last_year or 0) + 1)
        self.last_year = self.choice("Last year", [("No end date yet", None),
                                                   *((FinancialYear(y).label, y) for y in ends)], terms.last_year)
        self.board = self.text("Governing board", terms.governing_board, "e.g. Section 75 Partnership Board")
        self.basis = self.choice("Risk share", [(b.capitalize(), b) for b in budget_setup.RISK_BASES],
                                 terms.risk_basis)
        self.waterfall = self.tick("Overspends are first absorbed by underspends, then the risk reserve",
                                   terms.use_waterfall)
        self.reserve = self.money("Risk reserve", terms.risk_reserve_pence)
        self.underspend = self.choice("Underspends are", [(r.capitalize(), r) for r in budget_setup.UNDERSPEND_RULES],
                                      terms.underspend_rule)
        self.limit = self.money("Delegated limit for virements", terms.delegated_limit_pence)

    def gesture(self) -> Gesture:
        host = self.partner_fields[0][0].text()
        terms = AgreementTerms(
            title=self.title.text(), host=host, first_year=self.first_year.currentData(),
            agreement_type=self.kind.currentData(), governing_board=self.board.text().strip(),
            risk_basis=self.basis.currentData(), use_waterfall=self.waterfall.isChecked(),
            risk_reserve_pence=self.pence(self.reserve), underspend_rule=self.underspend.currentData(),
            delegated_limit_pence=self.pence(self.limit), last_year=self.last_year.currentData(),
            version=self.version)
        partners = tuple(
            PartnerTerms(code.text(), name.text(), before.kind,
                         basis_points_from_text(share.text(), f"{code.text()}'s fixed share"),
                         before.cap_pence, basis_points_from_text(cap.text(), f"{code.text()}'s cap"),
                         before.version)
            for code, name, share, cap, before in self.partner_fields)
        if self.agreement_id is None:
            return lambda database: budget_setup.set_up_agreement(database, terms, partners)
        agreement_id = self.agreement_id
        return lambda database: budget_setup.change_agreement(database, agreement_id, terms, partners)


class PaymentDialog(FormDialog):
    ok_text = "&Record"

    def __init__(self, editor: Editor, parent: QWidget, instalment: Instalment, today: date) -> None:
        super().__init__(editor, "Instalment received",
                         f"{instalment.partner_code}'s {instalment.funding_stream} instalment of "
                         f"{format_money(instalment.expected_pence)}, due "
                         f"{instalment.expected_date.strftime('%d %b %Y')}. Untick to record it as not received.",
                         parent)
        self.instalment, self.today = instalment, today
        self.received = self.tick("Received", True)
        self.on = self.day("Received on", instalment.received_date or today)
        self.amount = self.money("Amount received", instalment.received_pence or instalment.expected_pence)

    def gesture(self) -> Gesture:
        payment_id, seen = self.instalment.id, self.instalment.version
        if not self.received.isChecked():
            return lambda database: budget_setup.record_payment(database, payment_id, None, None, seen_version=seen)
        on, amount, today = self.on.date().toPython(), self.pence(self.amount), self.today
        return lambda database: budget_setup.record_payment(database, payment_id, on, amount, seen_version=seen,
                                                            today=today)


def _partner_options(frame: BudgetYear) -> list[tuple[str, object]]:
    return [(f"{name} ({code})", code) for code, name in frame.partners]


class LineDialog(FormDialog):
    """Add a budget line, or (given one) change its name, category, responsible partner, share profile and how its
    months to come are forecast."""

    ok_text = SAVE

    def __init__(self, editor: Editor, parent: QWidget, frame: BudgetYear, line: LinePosition | None = None) -> None:
        adding = line is None
        super().__init__(editor, "Add a budget line" if adding else f"Change line {line.code}",
                         f"A scheme or cost centre of the pool, with its budget for {frame.year.label} spread evenly "
                         + ("over the months" if frame.open_from == 1 else
                            f"over M{frame.open_from} to M12, the months still open (a closed month keeps the budget "
                            "it was closed with)")
                         + " (edit any open month on the By month tab)." if adding else
                         "Its budget moves by virement or on the By month tab; its ledger codes under Ledger codes.",
                         parent)
        self.frame, self.line = frame, line
        self.code = self.text("Code", line.code if line else "", "e.g. BCF07")
        self.name = self.text("Name", line.name if line else "", "e.g. Reablement")
        self.category = self.choice("Category", [(c.capitalize(), c) for c in budget_setup.CATEGORIES],
                                    line.category if line else None)
        self.responsible = self.choice("Responsible partner", [("Joint", None), *_partner_options(frame)],
                                       line.responsible_code if line else None)
        self.fixed = self.tick("Fixed share: its variance falls wholly on the responsible partner",
                               bool(line) and line.share_profile == "fixed")
        self.forecast = self.choice("Forecast the months to come", [
            ("At the rate so far (run rate)", ForecastMethod.RUN_RATE.value),
            ("As their budget (the line's profile)", ForecastMethod.PROFILE.value)],
            line.forecast_method if line else None)
        self.forecast.setToolTip("The run rate suits steady spending. Spending that is lumpy by design (a grant paid "
                                 "in two halves, winter money) is better forecast by the months' budget. A month's "
                                 "forecast set by hand on the By month tab wins either way.")
        self.annual = self.money(f"Budget for {frame.year.label}") if adding else None

    def gesture(self) -> Gesture:
        terms = LineTerms(self.code.text(), self.name.text(), self.category.currentData(),
                          self.responsible.currentData(), "fixed" if self.fixed.isChecked() else "variable",
                          self.forecast.currentData())
        if self.line is not None:
            line_id, seen = self.line.id, self.line.version
            return lambda database: budget_setup.change_budget_line(database, line_id, terms, seen_version=seen)
        annual, frame = self.pence(self.annual), self.frame
        return lambda database: budget_setup.add_budget_line(database, frame.agreement_id, terms,
                                                             frame.year.start_year, annual)


class ContributionDialog(FormDialog):
    ok_text = SAVE

    def __init__(self, editor: Editor, parent: QWidget, frame: BudgetYear) -> None:
        super().__init__(editor, "Add a contribution",
                         f"What a partner puts into the pool for {frame.year.label}, and when it is due. The "
                         "instalments are expected on the 15th of their month.", parent)
        self.frame = frame
        self.partner = self.choice("Partner", _partner_options(frame))
        self.stream = self.text("Funding stream", placeholder="e.g. Better Care Grant")
        self.amount = self.money("Amount")
        self.recurrent = self.tick("Recurrent (continues next year)", True)
        self.schedule = self.choice("Paid", [(s.capitalize(), s) for s in ("monthly", "quarterly", "annual")])

    def gesture(self) -> Gesture:
        frame, partner, stream = self.frame, self.partner.currentData(), self.stream.text()
        amount, recurrent, schedule = self.pence(self.amount), self.recurrent.isChecked(), self.schedule.currentData()
        return lambda database: budget_setup.add_contribution(database, frame.agreement_id, partner,
                                                              frame.year.start_year, stream, amount,
                                                              recurrent=recurrent, schedule=schedule)


MAPPING_COLUMNS = [
    Column("Partner", lambda r: r.partner_code),
    Column("Cost centre", lambda r: r.cost_centre),
    Column("Subjective", lambda r: r.subjective_pattern,
           tooltip=lambda r: "Any subjective code" if r.subjective_pattern == "*" else
           f"Subjective codes matching {r.subjective_pattern} (* stands for any characters)"),
]


def _in_order(*widgets: QWidget) -> None:
    """Tab goes from each widget to the next, top to bottom (the form's buttons are made before its fields)."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


def _form_buttons(dialog: FormDialog) -> tuple[QPushButton, QPushButton]:
    return (dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
            dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel))


class MappingDialog(ScrollingFormDialog):
    """A line's ledger codes: those that feed it now (any can be removed), and a form to add another."""

    ok_text = "&Add"

    def __init__(self, editor: Editor, parent: QWidget, frame: BudgetYear, line: LinePosition,
                 mappings: Callable[[], Sequence[MappingRow]]) -> None:
        super().__init__(editor, f"Ledger codes for {line.code}",
                         f"Which of a partner's ledger codes feed {line.name}: a cost centre, and a subjective "
                         "pattern where * stands for any characters (51* is every code starting 51). Later imports "
                         "put matching rows on this line.", parent)
        self.line, self._mappings = line, mappings
        self.form.addRow(section_title(f"Codes that feed {line.code} now", self))
        self.current = DataTable("ledger codes", MAPPING_COLUMNS,
                                 f"No ledger codes feed {line.code} yet, so no actual can reach it: add them below.",
                                 self, searchable=False, stretch_column=2)
        self.current.view.setAccessibleName(f"Ledger codes that feed {line.code}")
        self.current.setMinimumHeight(150)
        self.form.addRow(self.current)
        self.remove_button = QPushButton("&Remove…", self)
        self.remove_button.setAccessibleName("Remove the chosen ledger codes from this line")
        self.remove_button.clicked.connect(self.remove)
        self.current.view.installEventFilter(self)  # Delete on the list is Remove…
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.form.addRow(row)
        self.form.addRow(section_title("Add codes", self))
        self.partner = self.choice("Partner's ledger", _partner_options(frame))
        self.centre = self.text("Cost centre", placeholder="e.g. MH3100")
        self.pattern = self.text("Subjective", "*")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Close")
        _in_order(self.current.view, self.remove_button, self.partner, self.centre, self.pattern, *_form_buttons(self))
        self._show_mappings()
        (self.current.view if self.current.model.rowCount() else self.partner).setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.current.view and event.type() == QEvent.Type.KeyPress
                and event.matches(QKeySequence.StandardKey.Delete)):
            self.remove()
            return True
        return super().eventFilter(watched, event)

    def _show_mappings(self) -> None:
        self.current.set_rows(self._mappings())
        if self.current.model.rowCount():
            self.current.view.selectRow(0)
        self.remove_button.setEnabled(bool(self.current.model.rowCount()))

    def remove(self) -> None:
        mapping = self.current.current_row()
        if mapping is None:
            return
        line = self.line
        answer = QMessageBox.question(
            self, "Remove ledger codes",
            f"Stop {mapping.partner_code}'s cost centre {mapping.cost_centre}, subjective "
            f"{mapping.subjective_pattern}, feeding {line.code} {line.name}?\n\n"
            "Ledger rows already imported keep their line. From now on an import of "
            f"{mapping.partner_code}'s ledger puts rows with these codes wherever the remaining ledger codes put "
            "them, or on Unmapped rows. That includes an extract imported again: its rows in open months with these "
            f"codes come off {line.code} and show as changed. Closed months are not affected.\n\n"
            "Edit > Undo puts the codes back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            return
        mapping_id, seen = mapping.id, mapping.version
        self.editor.run(lambda database: budget_setup.remove_ledger_mapping(database, mapping_id, seen_version=seen),
                        "The ledger codes were not removed")
        self._show_mappings()

    def gesture(self) -> Gesture:
        line_id, partner, centre, pattern = (self.line.id, self.partner.currentData(), self.centre.text(),
                                             self.pattern.text())
        return lambda database: budget_setup.add_ledger_mapping(database, line_id, partner, centre, pattern)


class VirementDialog(FormDialog):
    ok_text = "&Move budget"

    def __init__(self, editor: Editor, parent: QWidget, frame: BudgetYear, lines: Sequence[LinePosition],
                 today: date) -> None:
        limit = format_exact(frame.delegated_limit_pence)
        super().__init__(editor, "Virement",
                         f"Move budget from one line to another for {budget_month.months_left(frame.open_from)} of "
                         f"{frame.year.label}; the pool total stays the same. Up to {limit} is within the delegated "
                         "limit; above it, record the board's approval.", parent)
        self.frame, self.today = frame, today
        options = [(f"{line.code} {line.name}", line.id) for line in lines]
        self.giver = self.choice("From line", options)
        self.taker = self.choice("To line", options, options[1][1] if len(options) > 1 else None)
        self.amount = self.money("Amount")
        following = FinancialYear(frame.year.start_year + 1).label
        # Once next year is started, starting it carries nothing more: the virement is made in it there and then.
        self.recurrent = self.tick(f"Recurrent (moved in {following}'s budgets too, which are set already)"
                                   if frame.next_year_started else f"Recurrent (carries into {following}'s budgets)")
        self.reason = self.text("Reason")
        self.approver = self.text("Approved by")
        self.approved_on = self.day("Approved on", today)
        self.board = self.text("Board approval", placeholder="minute reference, when above the limit")

    def gesture(self) -> Gesture:
        frame, giver, taker, amount = self.frame, self.giver.currentData(), self.taker.currentData(), \
            self.pence(self.amount)
        options = dict(reason=self.reason.text(), approved_by=self.approver.text(),
                       approval_date=self.approved_on.date().toPython(), recurrent=self.recurrent.isChecked(),
                       board_approval=self.board.text() or None, today=self.today)
        return lambda database: budget_month.make_virement(database, frame.agreement_id, frame.year.start_year,
                                                           giver, taker, amount, **options)


class CloseDialog(FormDialog):
    ok_text = "Close the &month"

    def __init__(self, editor: Editor, parent: QWidget, frame: BudgetYear, checklist: Sequence[ChecklistItem],
                 missing: Sequence[str], today: date) -> None:
        period = frame.year.period(frame.first_open)
        super().__init__(editor, f"Close {period.label} {frame.year.label}",
                         f"Closing {month_words(period.number)} locks its figures as agreed: no edits and no "
                         "imports into it until it is unlocked, with a reason. Check what is still incomplete:",
                         parent)
        self.frame, self.today = frame, today
        for item in checklist:
            # A note (what closing does besides) is neither done nor left to do: shown as information.
            mark, tone, said = (("ℹ", "info", "Note") if item.about == NOTE else
                                ("✔", "good", "Complete") if item.ok else ("✘", "bad", "Incomplete"))
            label = QLabel(f"{mark} {item.wording}", self)
            label.setWordWrap(True)
            label.setStyleSheet(f"color: {TONES[tone][0]};")
            label.setAccessibleName(f"{said}: {item.wording}")
            self.form.addRow(label)
        # Closing without a partner's ledger agrees its month as nil: said in so many words, never by default.
        self.missing = tuple(missing)
        self.without = self.tick(f"Close {period.label} without {' and '.join(missing)}'s "
                                 f"{'ledger' if len(missing) == 1 else 'ledgers'}: "
                                 f"{'its' if len(missing) == 1 else 'their'} actuals for it are agreed as nil"
                                 ) if missing else None

    def gesture(self) -> Gesture:
        frame, today = self.frame, self.today
        without = self.missing if self.without is not None and self.without.isChecked() else ()
        return lambda database: budget_month.close_period(database, frame.agreement_id, frame.year.start_year,
                                                          frame.first_open, today=today, closing_without=without)


class UnlockDialog(FormDialog):
    ok_text = "&Unlock"

    def __init__(self, editor: Editor, parent: QWidget, frame: BudgetYear, today: date) -> None:
        super().__init__(editor, "Unlock a closed month",
                         "Unlocking lets a closed month's figures change again. It is recorded, with who, when and "
                         "why; close the month again once it is corrected.", parent)
        self.frame, self.today = frame, today
        closed = sorted(frame.closed, reverse=True)
        self.period = self.choice("Month", [(month_words(n), n) for n in closed])
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("Why, e.g. a late journal from the council's ledger")
        self.reason.setFixedHeight(70)
        self.reason.setTabChangesFocus(True)  # Tab moves on to Unlock, so the dialog stays keyboard-only
        self.reason.setAccessibleName("Reason")
        self.form.addRow("Reason", self.reason)

    def gesture(self) -> Gesture:
        frame, today, period = self.frame, self.today, self.period.currentData()
        reason = self.reason.toPlainText().strip()
        return lambda database: budget_month.unlock_period(database, frame.agreement_id, frame.year.start_year,
                                                           period, reason, today=today)


class AssignDialog(FormDialog):
    ok_text = "&Assign"

    def __init__(self, editor: Editor, parent: QWidget, lines: Sequence[LinePosition], rows: Sequence[LedgerRow],
                 suggestion: LineSuggestion | None = None, leaving: str = "") -> None:
        """`rows`: those to assign, in open months; `leaving`: which of the rows chosen are not among them, and why
        (in a closed month). `suggestion`: the line their codes point to, chosen to start with; without one no line
        is, so that one Enter cannot put the rows on a line nobody chose."""
        total = format_money(sum(r.amount_pence for r in rows))  # detail, to the penny: these rows
        what = f"{len(rows)} ledger row{'s' if len(rows) != 1 else ''} ({total})"
        super().__init__(editor, "Assign ledger rows", f"Put {what} on a budget line. {leaving}".strip(), parent)
        self.transaction_ids = [r.transaction_id for r in rows]
        ids = [line.id for line in lines]
        chosen = suggestion.budget_line_id if suggestion and suggestion.budget_line_id in ids else None
        self.line = self.choice("Budget line", [(f"{line.code} {line.name}", line.id) for line in lines], chosen)
        if chosen is None:
            self.line.setCurrentIndex(-1)
        else:
            self.suggested = QLabel(f"Suggested: {suggestion.reason}", self)
            self.suggested.setWordWrap(True)
            self.form.addRow("", self.suggested)
        codes = sorted({(r.organisation_code, r.cost_centre, r.subjective) for r in rows})
        named = " ".join(codes[0]) if len(codes) == 1 else "these ledger codes"
        self.remember = self.tick(f"Remember {named} for this line, for later imports", True)

    def gesture(self) -> Gesture:
        ids, line, remember = self.transaction_ids, self.line.currentData(), self.remember.isChecked()
        if line is None:
            raise ValidationError("Choose the budget line to put the rows on.")
        return lambda database: budget_month.assign_ledger_rows(database, ids, line, remember=remember)


def _signed(pence: int) -> str:
    return f"+{format_pounds(pence)}" if pence > 0 else format_pounds(pence) if pence else "–"


def _roll_forward_columns(plan: RollForward) -> tuple[list[Column], list[Column]]:
    this, following = plan.year.label, plan.next_year.label
    lines = [
        Column("Code", lambda r: r.code),
        Column("Budget line", lambda r: r.name, max_width=260),
        Column(f"{this}\nbudget", lambda r: "" if r.budget_pence is None else format_pounds(r.budget_pence),
               sort_key=lambda r: r.budget_pence, align=RIGHT),
        Column("Non-recurrent\nvirements", lambda r: _signed(r.one_off_pence), sort_key=lambda r: r.one_off_pence,
               align=RIGHT, tone=lambda r: "muted" if not r.one_off_pence else None,
               tooltip=lambda r: "\n".join(r.virements) if r.virements else
               f"No budget moved by a non-recurrent virement in {this}"),
        Column(f"{following}\nbudget", lambda r: format_pounds(r.next_pence), sort_key=lambda r: r.next_pence,
               align=RIGHT),
        Column(following, lambda r: (f"Carried, profiled {'evenly' if r.profile == 'even' else 'like this year'}"
                                     if r.status == CARRIED else "Already set: left alone"),
               tone=lambda r: "muted" if r.status == ALREADY else None),
    ]
    def status(row: ContributionForward) -> str:
        return {CARRIED: "Carried: recurrent", ALREADY: "Already recorded: left alone",
                CARRIED_FORWARD: "Carried forward"}.get(row.status, f"Not carried: {this} only")

    contributions = [
        Column("Partner", lambda r: r.partner_code),
        Column("Funding stream", lambda r: r.funding_stream, max_width=260),
        Column("Amount", lambda r: format_pounds(r.amount_pence), sort_key=lambda r: r.amount_pence, align=RIGHT),
        Column("Paid", lambda r: "In the pool already" if r.status == CARRIED_FORWARD else r.schedule.capitalize()),
        Column(following, status, tone=lambda r: None if r.status in (CARRIED, CARRIED_FORWARD) else "muted",
               tooltip=lambda r: (f"{r.partner_code}'s part of the underspend the pool retained in {this}, in the "
                                  "pool already" if r.status == CARRIED_FORWARD else status(r))),
    ]
    return lines, contributions


def underspend_words(plan: RollForward) -> str:
    """What starting next year does with the underspend this year retained in the pool, in a sentence (nothing
    where the agreement does not retain underspend, or retained none)."""
    this, following = plan.year.label, plan.next_year.label
    if plan.underspend_unknown:
        return (f" {this}'s outturn is not final yet (M12 is not closed), so the underspend it retains in the pool is "
                f"not known: closing its M12 carries it forward into {following}'s funding then.")
    if not plan.retained_pence:
        return ""
    return (f" The {format_exact(plan.retained_pence)} of underspend retained in the pool at the end of {this} is "
            f"carried forward into {following}'s funding: each partner's part, as it contributed in {this}, is "
            "added as a contribution already received.")


def balance_words(plan: RollForward) -> tuple[str, str]:
    """Whether next year's lines will budget what its partners put in, in words, with a tone."""
    following = plan.next_year.label
    lines, contributed, gap = plan.next_lines_pence, plan.next_contributions_pence, plan.unbudgeted_pence
    if not contributed:
        return (f"{following} will have no contributions yet, so its lines ({format_exact(lines)}) cannot be "
                "checked against them: add the partners' contributions for it.", "warn")
    if not gap:
        return f"{following}'s lines will add up to its contributions: {format_exact(contributed)}.", "good"
    difference = (f"{format_exact(gap)} contributed would be in no budget line" if gap > 0 else
                  f"the lines would budget {format_exact(-gap)} more than is contributed")
    return (f"{following}'s lines will not add up to its contributions: the lines total {format_exact(lines)}, "
            f"the contributions {format_exact(contributed)}, so {difference}. The data-quality check warns until "
            "they match.", "warn")


WINDOW_FRAME_WIDTH = 16  # the borders the window system adds either side of a dialog


class RollForwardDialog(ScrollingFormDialog):
    """Start next year from this one: the preview of every line and contribution, and one gesture to do it."""

    def __init__(self, editor: Editor, parent: QWidget, plan: RollForward) -> None:
        this, following = plan.year.label, plan.next_year.label
        super().__init__(editor, f"Start {following}",
                         f"{following}'s budgets and contributions from {this}'s, in one step (Edit > Undo takes it "
                         f"all back). Each line's {following} budget is its {this} budget without what non-recurrent "
                         "virements moved this year (recurrent virements carry on), spread over the months like "
                         f"this year's. Recurrent contributions are added again with the same amount and payment "
                         f"schedule.{underspend_words(plan)} Whatever {following} already has is left alone.",
                         parent)
        self.plan = plan
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"&Start {following}")
        line_columns, contribution_columns = _roll_forward_columns(plan)
        carried = len(plan.carried_lines)
        self.form.addRow(section_title(f"Budget lines: {carried} carried; {following} total "
                                       f"{format_pounds(plan.next_lines_pence)}", self))
        self.lines = DataTable("budget lines", line_columns, f"No budget line has a budget for {this}.", self,
                               searchable=False, stretch_column=1)
        self.lines.setMinimumHeight(250)
        self.lines.set_rows(plan.lines)
        self.form.addRow(self.lines)
        carried_pence = sum(c.amount_pence for c in plan.carried_contributions)
        self.form.addRow(section_title(f"Contributions: {len(plan.carried_contributions)} carried, "
                                       f"{format_pounds(carried_pence)}", self))
        self.contributions = DataTable("contributions", contribution_columns,
                                       f"No contributions are recorded for {this} or {following}.", self,
                                       searchable=False, stretch_column=1, fit_rows=True)
        self.contributions.set_rows(plan.contributions)
        self.form.addRow(self.contributions)
        words, tone = balance_words(plan)
        self.balance = QLabel(words, self)
        self.balance.setWordWrap(True)
        self.balance.setStyleSheet(f"color: {TONES[tone][0]}; font-weight: 600;")
        self.balance.setAccessibleName(words)
        self.form.addRow(self.balance)
        _in_order(self.lines.view, self.contributions.view, *_form_buttons(self))
        self.lines.view.setFocus()  # to read it first; Enter starts the year, Escape leaves it alone
        self._widen_tables()

    def _widen_tables(self) -> None:
        """Each table wide enough for every column whole, its names not cut short and nothing to scroll sideways to,
        as far as the screen has room: the dialog opens that wide, and the names column takes any width spare.

        Measured from Qt's own size hints for each column's cells and title, as the tables' columns are fitted only
        once they show, after the dialog has taken its size."""
        margins = self.layout().contentsMargins()
        around = (margins.left() + margins.right() + self.rows_scroll.verticalScrollBar().sizeHint().width()
                  + WINDOW_FRAME_WIDTH)
        room = self.parentWidget().screen().availableGeometry().width() - around
        for table in (self.lines, self.contributions):
            view, header = table.view, table.view.horizontalHeader()
            columns = sum(max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
                          for column in range(header.count()))
            view.setMinimumWidth(min(columns + 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width(),
                                     room))

    def gesture(self) -> Gesture:
        plan = self.plan
        return lambda database: budget_setup.start_next_year(database, plan.agreement_id, plan.year.start_year,
                                                             seen=plan)
