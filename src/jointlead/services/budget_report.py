"""Read side of the budget monitoring report: virements, unmapped ledger rows and what is still incomplete."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date

from sqlalchemy import ColumnElement, Select, and_, func, select, union
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from jointlead.domain import budget as budget_rules
from jointlead.domain.budget import MONTHS, virement_needs_board_approval
from jointlead.domain.calendar import FinancialYear, format_day
from jointlead.domain.errors import ValidationError
from jointlead.domain.ledger import LedgerCodeMapping, likely_mapping, match_budget_line
from jointlead.domain.money import format_money
from jointlead.domain.risk_share import UnderspendRule
from jointlead.domain.words import listed
from jointlead.services.overview import closed_months, last_closed_period, latest_actuals, pool_year, pool_years
from jointlead.store.database import Database
from jointlead.store.models import (
    IN_FORCE,
    Agreement,
    AgreementPartner,
    AuditEntry,
    BudgetLine,
    ImportBatch,
    LedgerMapping,
    LedgerTransaction,
    LineYear,
    Organisation,
    PeriodClose,
    Virement,
)


@dataclass(frozen=True)
class LedgerRow:
    """A ledger row in force, with the file, sheet and row it came from (a row entered by hand has no row), and
    whether its month is closed: locked, so the row cannot be assigned or changed until the month is unlocked."""

    transaction_id: int
    organisation_code: str
    period: int  # M1 = 1
    posting_date: date | None
    cost_centre: str
    subjective: str
    description: str
    amount_pence: int
    transaction_ref: str | None
    source_file: str
    source_sheet: str
    source_row: int | None
    closed: bool


def ledger_rows(database: Database, agreement_id: int, year: FinancialYear | int, *, line_id: int | None,
                periods: Collection[int] | None = None) -> tuple[LedgerRow, ...]:
    """The ledger rows in force behind a line's actuals (`line_id` None: the rows that match no line), optionally
    only for some periods, by partner, period and ledger code. Rows removed by a later extract no longer count."""
    on_line = (LedgerTransaction.budget_line_id.is_(None) if line_id is None
               else LedgerTransaction.budget_line_id == line_id)
    closed = (select(PeriodClose.id).where(PeriodClose.agreement_id == LedgerTransaction.agreement_id,
                                           PeriodClose.year == LedgerTransaction.year,
                                           PeriodClose.period == LedgerTransaction.period,
                                           PeriodClose.unlocked_on.is_(None)).exists())
    query = (select(LedgerTransaction.id, Organisation.code, LedgerTransaction.period, LedgerTransaction.posting_date,
                    LedgerTransaction.cost_centre, LedgerTransaction.subjective, LedgerTransaction.description,
                    LedgerTransaction.amount_pence, LedgerTransaction.transaction_ref, LedgerTransaction.source_file,
                    LedgerTransaction.source_sheet, LedgerTransaction.source_row, closed)
             .join(Organisation, Organisation.id == LedgerTransaction.organisation_id)
             .where(IN_FORCE, LedgerTransaction.agreement_id == agreement_id,
                    LedgerTransaction.year == _start_year(year), on_line)
             .order_by(Organisation.code, LedgerTransaction.period, LedgerTransaction.cost_centre,
                       LedgerTransaction.subjective, LedgerTransaction.posting_date, LedgerTransaction.id))
    if periods is not None:
        query = query.where(LedgerTransaction.period.in_(periods))
    with database.session() as session:
        return tuple(LedgerRow(*row) for row in session.execute(query))


def unmapped_rows(database: Database, agreement_id: int, year: FinancialYear | int) -> tuple[LedgerRow, ...]:
    """Every ledger row in force for the pool's year that matches no budget line: it counts towards nothing until
    it is assigned, which only a row in an open month can be. `year` is a `FinancialYear` or its starting calendar
    year (2026 for 2026-27)."""
    return ledger_rows(database, agreement_id, year, line_id=None)


@dataclass(frozen=True)
class LineSuggestion:
    """The line some unmapped rows most likely belong on, and why, in a manager's words."""

    budget_line_id: int
    reason: str


def suggested_line(database: Database, agreement_id: int, rows: Sequence[LedgerRow]) -> LineSuggestion | None:
    """The line the partners' own ledger codes point these unmapped rows to (`likely_mapping`), when every row's
    codes point to the same one; None otherwise. Only a suggestion, to choose or not: never assigned unasked."""
    codes = sorted({(r.organisation_code, r.cost_centre, r.subjective) for r in rows})
    if not codes:
        return None
    with database.session() as session:
        found = session.execute(
            select(Organisation.code, LedgerMapping.budget_line_id, LedgerMapping.cost_centre,
                   LedgerMapping.subjective_pattern, BudgetLine.code)
            .join(Organisation, Organisation.id == LedgerMapping.organisation_id)
            .join(BudgetLine, BudgetLine.id == LedgerMapping.budget_line_id)
            .where(BudgetLine.agreement_id == agreement_id, Organisation.code.in_({c[0] for c in codes}))
            .order_by(LedgerMapping.id)).all()
    by_partner: dict[str, list[LedgerCodeMapping]] = {}
    line_codes = {}
    for partner, line_id, centre, pattern, line_code in found:
        by_partner.setdefault(partner, []).append(LedgerCodeMapping(line_id, centre, pattern))
        line_codes[line_id] = line_code
    likely = [likely_mapping(centre, subjective, by_partner.get(partner, ())) for partner, centre, subjective in codes]
    mapping = likely[0]
    if mapping is None or any(m is None or m.budget_line_id != mapping.budget_line_id for m in likely):
        return None
    line = line_codes[mapping.budget_line_id]
    if len(codes) > 1:
        return LineSuggestion(mapping.budget_line_id, f"the ledger codes of every row chosen point to {line}.")
    partner, centre, subjective = codes[0]
    if mapping.cost_centre.strip().upper() == centre.strip().upper():
        return LineSuggestion(mapping.budget_line_id, f"the rest of {partner}'s cost centre {centre} lands on {line}.")
    return LineSuggestion(mapping.budget_line_id, f"{partner}'s subjective {subjective} lands on {line} at cost centre "
                                                  f"{mapping.cost_centre} ({mapping.subjective_pattern}).")


def _start_year(year: FinancialYear | int) -> int:
    return year.start_year if isinstance(year, FinancialYear) else year


@dataclass(frozen=True)
class VirementRow:
    """One virement as the log shows it; `above_delegated_limit` says it needed (and should show) board approval."""

    id: int
    approval_date: date
    from_period: int
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    amount_pence: int
    recurrent: bool
    reason: str
    approved_by: str
    board_approval: str | None  # the minute reference, when the board approved it
    above_delegated_limit: bool


def virement_log(database: Database, agreement_id: int, year: FinancialYear | int, *,
                 leaving_out: Collection[int] = ()) -> tuple[VirementRow, ...]:
    """The year's virements between the pool's lines, in the order they were approved; without those `leaving_out`
    (by id: the virements a position as at an earlier month left out, `PoolPosition.left_out`)."""
    giver, taker = aliased(BudgetLine), aliased(BudgetLine)
    with database.session() as session:
        rows = session.execute(
            select(Virement.id, Virement.approval_date, Virement.from_period, giver.code, giver.name, taker.code,
                   taker.name, Virement.amount_pence, Virement.recurrent, Virement.reason, Virement.approved_by,
                   Virement.board_approval, Virement.delegated_limit_pence)
            .join(giver, giver.id == Virement.from_line_id)
            .join(taker, taker.id == Virement.to_line_id)
            .where(Virement.agreement_id == agreement_id, Virement.year == _start_year(year),
                   Virement.id.not_in(leaving_out))
            .order_by(Virement.approval_date, Virement.id)).all()
    # Judged by the limit each was made under: one lowered since does not make it look as if the board was needed.
    return tuple(VirementRow(*row[:-1], above_delegated_limit=virement_needs_board_approval(row.amount_pence, row[-1]))
                 for row in rows)


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a reader needs to know is complete (`ok`) or not, in words a manager can act on."""

    ok: bool
    wording: str
    # LEDGERS for whether every partner's ledger is in, UNMAPPED for the ledger rows that match no line: a pack asks
    # them as well as the periods; NOTE for what the reader should know that is neither done nor left to do
    about: str = ""


LEDGERS = "ledgers"
UNMAPPED = "unmapped"
NOTE = "note"  # information (ok, so nothing counts it as incomplete): what a gesture will do besides, say


def note(wording: str) -> ChecklistItem:
    """A checklist item that informs: neither complete nor incomplete (`NOTE`)."""
    return ChecklistItem(True, wording, NOTE)


def months_in_words(numbers: Collection[int]) -> str:
    """`M3`, `M3 and M5`, `M1, M2 and M3`: the months in order."""
    labels = [f"M{n}" for n in sorted(numbers)]
    return listed(labels)


def _ledgers_missing(session: Session, agreement_id: int, start_year: int, periods: Collection[int]
                     ) -> list[tuple[str, list[int]]]:
    """Each partner with no imported ledger rows in force for some of `periods`, and those periods, in partner
    order. An adjustment entered by hand is no ledger: counted as one, a single typed actual let the month close
    without the host's extract, its spending agreed as the one figure typed."""
    loaded = {(organisation_id, period) for organisation_id, period in session.execute(
        select(LedgerTransaction.organisation_id, LedgerTransaction.period).distinct()
        .where(IN_FORCE, LedgerTransaction.import_batch_id.is_not(None),
               LedgerTransaction.agreement_id == agreement_id, LedgerTransaction.year == start_year,
               LedgerTransaction.period.in_(periods)))}
    partners = session.execute(
        select(Organisation.id, Organisation.code)
        .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
        .where(AgreementPartner.agreement_id == agreement_id).order_by(AgreementPartner.position)).all()
    missing = [(code, [n for n in sorted(periods) if (org_id, n) not in loaded]) for org_id, code in partners]
    return [(code, numbers) for code, numbers in missing if numbers]


@dataclass(frozen=True)
class RowsNotImported:
    """A partner's ledger import that left rows of its extract out (rejected: unreadable, repeated, or into a closed
    month) and is still the latest import of that partner's ledger into `months`: their actuals lack those rows."""

    organisation_code: str
    file_name: str
    imported_on: date
    rows: int
    months: tuple[int, ...]
    places: tuple[str, ...] = ()  # where the first rows left out were in the extract ('Detail!45:45')


def _rows_not_imported(session: Session, agreement_id: int, start_year: int, periods: Collection[int]
                       ) -> list[RowsNotImported]:
    """Each import of a partner's ledger into some of `periods` that left rows of its extract out, in partner order,
    with the months it is still the latest import of that partner's ledger into. A later import into a month (the
    corrected extract) answers for it instead: it brought the rows in, or says itself what it left out.

    An import's months are those it wrote into (added postings to, or replaced or removed postings in): the batch
    keeps how many rows it left out, not where they were, so they are taken to be of those months."""
    ledger = ImportBatch.kind == "ledger"
    rejecting = session.execute(
        select(ImportBatch.id, ImportBatch.organisation_id, Organisation.code, ImportBatch.file_name,
               ImportBatch.imported_at, ImportBatch.rejected)
        .join(Organisation, Organisation.id == ImportBatch.organisation_id)
        .outerjoin(AgreementPartner, (AgreementPartner.organisation_id == Organisation.id)
                   & (AgreementPartner.agreement_id == agreement_id))
        .where(ledger, ImportBatch.rejected > 0, ImportBatch.undone_at.is_(None))
        .order_by(AgreementPartner.position, ImportBatch.id)).all()
    found = []
    for batch_id, organisation_id, code, file_name, imported_at, rows in rejecting:
        months = _months_written(session, agreement_id, start_year, periods, ImportBatch.id == batch_id)
        if months:
            months -= _months_written(session, agreement_id, start_year, months, and_(
                ledger, ImportBatch.organisation_id == organisation_id,
                ImportBatch.id > batch_id, ImportBatch.undone_at.is_(None)))
        if months:
            made = session.scalar(select(AuditEntry.changes_json).where(
                AuditEntry.entity == ImportBatch.__tablename__, AuditEntry.entity_id == batch_id,
                AuditEntry.verb == "import_ledger").order_by(AuditEntry.id).limit(1))
            places = json.loads(made).get("rejected_at", (None, []))[1] if made else []
            # Recorded in UTC; said as the day the laptop's clock had, the manager's own.
            found.append(RowsNotImported(code, file_name, imported_at.replace(tzinfo=UTC).astimezone().date(),
                                         rows, tuple(sorted(months)), tuple(places)))
    return found


def _months_written(session: Session, agreement_id: int, start_year: int, periods: Collection[int],
                    batches: ColumnElement[bool]) -> set[int]:
    """Which of `periods` of the pool's year the import batches that match `batches` wrote into."""
    chosen = select(ImportBatch.id).where(batches)

    def by(column: InstrumentedAttribute[int | None]) -> Select:
        return select(LedgerTransaction.period).where(
            column.in_(chosen), LedgerTransaction.agreement_id == agreement_id,
            LedgerTransaction.year == start_year, LedgerTransaction.period.in_(list(periods)))

    return set(session.scalars(union(by(LedgerTransaction.import_batch_id),
                                     by(LedgerTransaction.removed_by_batch_id))))


def _not_imported_words(found: Sequence[RowsNotImported], closed: Collection[int]) -> str:
    """The imports that left rows out, and how to bring the rows in: a closed month takes no import until unlocked."""
    parts = [f"{r.rows:,} {'row' if r.rows == 1 else 'rows'} of {r.organisation_code}'s extract for "
             f"{months_in_words(r.months)} ({r.file_name}, imported on {format_day(r.imported_on)}"
             f"{_places_in_words(r)})" for r in found]
    one = len(found) == 1 and found[0].rows == 1
    locked = sorted({n for r in found for n in r.months} & set(closed))
    unlock = (f"unlock {months_in_words(locked)} on the Budgets page (Unlock…, giving the reason), then "
              if locked else "")
    extract = "extract" if len(found) == 1 else "extracts"
    return (f"Ledger rows not imported: {'; '.join(parts)} {'was' if one else 'were'} rejected, so the actuals "
            f"leave {'it' if one else 'them'} out. To bring {'it' if one else 'them'} in, {unlock}import the "
            f"corrected {extract}.")


PLACES_NAMED = 3  # rows left out a checklist names, of each import


def _places_in_words(left_out: RowsNotImported) -> str:
    """Where in the extract the rows left out were, to find them by: the first few, then how many more (nothing
    for an import made before imports kept their places)."""
    if not left_out.places:
        return ""
    named = list(left_out.places[:PLACES_NAMED])
    more = left_out.rows - len(named)
    return f": {'row' if left_out.rows == 1 else 'rows'} {listed([*named, f'{more:,} more'] if more else named)}"


def partners_without_ledger(session: Session, agreement_id: int, start_year: int, period: int) -> list[str]:
    """The partners whose ledger for the month is not loaded (no rows in force for it), in partner order."""
    return [code for code, _ in _ledgers_missing(session, agreement_id, start_year, [period])]


def ledgers_not_loaded(database: Database, agreement_id: int, year: FinancialYear | int, period: int) -> list[str]:
    """For the Close dialog: whose ledger for the month is not loaded yet."""
    with database.session() as session:
        return partners_without_ledger(session, agreement_id, _start_year(year), period)


def year_before_open(session: Session, agreement_id: int, start_year: int) -> FinancialYear | None:
    """The pool's year before `start_year` when its M12 is open, so no month of `start_year` may close yet: months
    close in order across the year end too (M1 follows the M12 before it), or the pool would move on to the new year
    with the old one's outturn never agreed. The pool's years are those with a line budget set: a year with none
    was not monitored and has nothing to close (the years before an agreement's first, or one the pool skipped), so
    the year before is the latest earlier one with a line budget. None: nothing stops it.
    """
    latest = session.scalar(select(func.max(LineYear.year)).join(BudgetLine, BudgetLine.id == LineYear.budget_line_id)
                            .where(BudgetLine.agreement_id == agreement_id, LineYear.year < start_year))
    if latest is None or MONTHS in closed_months(session, agreement_id, latest):
        return None
    return FinancialYear(latest)


def budget_checklist(database: Database, agreement_id: int, year: FinancialYear | int,
                     as_at: int, *, closing: bool = False) -> tuple[ChecklistItem, ...]:
    """What is incomplete in the pool's figures as at period `as_at` (0: before any), each item ok or not.

    Covers: periods to date not closed, partners' ledgers missing for a period to date or imported without some of
    their extract's rows, lines with no budget for the year, lines without ledger codes (no actual can reach them)
    and the ledger rows to date that match no line (the whole year's, before any period). `closing`: for
    the Close dialog of period `as_at`, whose closing is the answer to whether it is closed, so the first item is
    about the periods before it only (and left out for M1); closing M12 once next year is started, it also says, as a
    note (`NOTE`), what the close does to the underspend carried forward from this year into next year's funding.
    """
    start_year = _start_year(year)
    label = FinancialYear(start_year).label
    items: list[ChecklistItem] = []
    with database.session() as session:
        closed = closed_months(session, agreement_id, start_year)
        before = year_before_open(session, agreement_id, start_year) if closing else None
        if before is not None:
            items.append(ChecklistItem(False, f"M12 {before.label} is not closed: months close in order across the "
                                              f"year end, so close it before any month of {label}."))
        if as_at == 0:
            items.append(ChecklistItem(False, f"No period of {label} is closed yet, so there are no agreed actuals."))
        else:
            to_date = as_at - 1 if closing else as_at
            open_ = [n for n in range(1, to_date + 1) if n not in closed]
            if open_:
                items.append(ChecklistItem(False, f"{months_in_words(open_)} {'is' if len(open_) == 1 else 'are'} "
                                                  f"not closed: {'its' if len(open_) == 1 else 'their'} actuals may "
                                                  "still change."))
            elif to_date:  # none when closing M1: nothing comes before it
                span = "M1 is" if to_date == 1 else f"M1 to M{to_date} are"
                items.append(ChecklistItem(True, f"{span} closed: the actuals "
                                                 f"{f'before M{as_at}' if closing else 'to date'} are agreed."))

            missing = _ledgers_missing(session, agreement_id, start_year, range(1, as_at + 1))
            if missing:
                items.append(ChecklistItem(False, "Ledger not loaded: " + "; ".join(
                    f"{code} for {months_in_words(numbers)}" for code, numbers in missing) + ".", LEDGERS))
            # A ledger loaded without some of its extract's rows (the valid rows imported, the rest rejected) is
            # not all in: the months' actuals are short of the rows left out.
            left_out = _rows_not_imported(session, agreement_id, start_year, range(1, as_at + 1))
            if left_out:
                items.append(ChecklistItem(False, _not_imported_words(left_out, closed), LEDGERS))
            if not missing and not left_out:
                items.append(ChecklistItem(True, f"Every partner's ledger is loaded for M1 to M{as_at}.", LEDGERS))

        no_budget = session.scalars(
            select(BudgetLine.code).where(BudgetLine.agreement_id == agreement_id, ~BudgetLine.id.in_(
                select(LineYear.budget_line_id).where(LineYear.year == start_year))).order_by(BudgetLine.code)).all()
        items.append(ChecklistItem(True, f"Every budget line has its budget for {label}.") if not no_budget else
                     ChecklistItem(False, f"{len(no_budget)} budget line{'s have' if len(no_budget) > 1 else ' has'} "
                                          f"no budget for {label} (counted as nil): {', '.join(no_budget)}."))

        unmapped_lines = session.scalars(
            select(BudgetLine.code).where(BudgetLine.agreement_id == agreement_id,
                                          ~BudgetLine.id.in_(select(LedgerMapping.budget_line_id)))
            .order_by(BudgetLine.code)).all()
        items.append(ChecklistItem(True, "Every budget line has ledger codes that feed it.") if not unmapped_lines
                     else ChecklistItem(False, f"{len(unmapped_lines)} budget line"
                                               f"{'s have' if len(unmapped_lines) > 1 else ' has'} no ledger codes, "
                                               f"so no actual can reach {'them' if len(unmapped_lines) > 1 else 'it'}:"
                                               f" {', '.join(unmapped_lines)}."))

        # The rows of the months the figures are as at: a later month's, imported already, are that month's to
        # put right before it closes (its Close dialog says so), not this report's.
        count, net, locked = session.execute(
            select(func.count(), func.coalesce(func.sum(LedgerTransaction.amount_pence), 0),
                   func.count().filter(LedgerTransaction.period.in_(sorted(closed))))
            .where(IN_FORCE, LedgerTransaction.agreement_id == agreement_id, LedgerTransaction.year == start_year,
                   LedgerTransaction.budget_line_id.is_(None), LedgerTransaction.period <= (as_at or MONTHS))).one()
        given = (_given_a_line_since(session, agreement_id, start_year, [n for n in closed if n <= (as_at or MONTHS)])
                 if locked else (0, []))
        items.append(ChecklistItem(not count, unmapped_words(count, net, locked, as_at, *given), UNMAPPED))
        if closing and as_at == MONTHS:
            items.extend(_carried_underspend_reworked(session, agreement_id, FinancialYear(start_year)))
    return tuple(items)


def _carried_underspend_reworked(session: Session, agreement_id: int, year: FinancialYear) -> list[ChecklistItem]:
    """Before `year`'s M12 closes (again, once unlocked), where next year is started: what closing does to the
    underspend carried forward into its funding (budget_setup.follow_underspend_carried), which works it out from
    the outturn then agreed. Notes, not things left to do."""
    # Imported here: budget_setup records its changes through edits, which reads this module.
    from jointlead.services.budget_setup import underspend_carried_in

    held = underspend_carried_in(session, agreement_id, year)
    following = FinancialYear(year.start_year + 1)
    if held is None:
        return []
    if held:
        parts = ", ".join(f"{code} {format_money(pence)}" for code, pence in held)
        return [note(f"{following.label} already holds {format_money(sum(p for _c, p in held))} of underspend "
                     f"carried forward from {year.label} ({parts}). Closing M12 works it out again from the outturn "
                     "as it is now, and changes those contributions to match.")]
    rule = session.scalar(select(Agreement.underspend_rule).where(Agreement.id == agreement_id))
    if rule != UnderspendRule.RETAINED_IN_POOL.value:
        return []
    return [note(f"{following.label} is started already: closing M12 carries the underspend the pool retains at "
                 f"{year.label}'s end (if any) into {following.label}'s funding: each partner's part, as a "
                 f"contribution received on {format_day(following.first_day)}.")]


def _given_a_line_since(session: Session, agreement_id: int, start_year: int,
                        periods: Collection[int]) -> tuple[int, list[str]]:
    """Of the unmapped rows of the closed `periods`: how many have ledger codes that feed a line now (given one
    after they were imported: "Remember" when assigning a later month's row, or the line's ledger codes edited),
    and those lines' codes. Closed, their rows stay as they were until the month is unlocked."""
    codes = session.execute(
        select(LedgerTransaction.organisation_id, LedgerTransaction.cost_centre, LedgerTransaction.subjective,
               func.count())
        .where(IN_FORCE, LedgerTransaction.agreement_id == agreement_id, LedgerTransaction.year == start_year,
               LedgerTransaction.budget_line_id.is_(None), LedgerTransaction.period.in_(sorted(periods)))
        .group_by(LedgerTransaction.organisation_id, LedgerTransaction.cost_centre, LedgerTransaction.subjective)
    ).all()
    if not codes:
        return 0, []
    mappings: dict[int, list[LedgerCodeMapping]] = {}
    line_codes: dict[int, str] = {}
    for organisation_id, line_id, centre, pattern, line_code in session.execute(
            select(LedgerMapping.organisation_id, LedgerMapping.budget_line_id, LedgerMapping.cost_centre,
                   LedgerMapping.subjective_pattern, BudgetLine.code)
            .join(BudgetLine, BudgetLine.id == LedgerMapping.budget_line_id)
            .where(BudgetLine.agreement_id == agreement_id)):
        mappings.setdefault(organisation_id, []).append(LedgerCodeMapping(line_id, centre, pattern))
        line_codes[line_id] = line_code
    rows, lines = 0, set()
    for organisation_id, centre, subjective, count in codes:
        line_id = match_budget_line(centre, subjective, mappings.get(organisation_id, ()))
        if line_id is not None:
            rows += count
            lines.add(line_codes[line_id])
    return rows, sorted(lines)


def unmapped_words(rows: int, net_pence: int, in_closed_months: int, as_at: int = 0, given_a_line: int = 0,
                   lines: Sequence[str] = ()) -> str:
    """The ledger rows of M1 to `as_at` (0: of the whole year) that match no line, and how many of them wait on a
    month being unlocked (a closed month's rows cannot be assigned): without it, the manager looks for rows to assign
    that the Budgets page will not let them. `given_a_line` of those have ledger codes that now feed `lines`: rows
    imported before their codes were given a line, which say "match no line" only because their month is closed."""
    of = "" if not as_at else " of M1" if as_at == 1 else f" of M1 to M{as_at}"
    if not rows:
        return f"Every ledger row{of} matches a budget line."
    one = rows == 1
    words = (f"{rows:,} ledger {'row' if one else 'rows'}{of} ({format_money(net_pence)} net) "
             f"{'matches' if one else 'match'} no budget line and {'counts' if one else 'count'} towards nothing")
    if not in_closed_months:
        return f"{words} until assigned."
    in_one = in_closed_months == 1
    if in_closed_months == rows:
        which = "it is" if one else "all are"
    else:
        which = f"{in_closed_months:,} {'is' if in_one else 'are'}"
    where = ("a closed month, which must be unlocked to assign it" if in_one else
             "closed months, which must be unlocked to assign them")
    if not given_a_line:
        return f"{words}; {which} in {where}."
    if given_a_line == in_closed_months:
        whose = "Its ledger codes have" if in_one else "Their ledger codes have"
    else:
        whose = f"The ledger codes of {given_a_line:,} of them have"
    return f"{words}; {which} in {where}. {whose} since been given a line: {listed(lines)}."


@dataclass(frozen=True)
class ReportPeriods:
    """The periods a monitoring report can be as at: the year, which months are closed, and the usual choice."""

    agreement_id: int
    year: FinancialYear
    closed: frozenset[int]
    default_as_at: int  # the last closed period, 0 when none is closed yet
    years: tuple[FinancialYear, ...] = ()  # every year the pool has anything in, earliest first


def report_periods(database: Database, today: date | None = None, year: FinancialYear | None = None
                   ) -> ReportPeriods | None:
    """For choosing an as-at period (the export dialog, the dashboard) in `year`; by default the first pool's year,
    as `pool_position` defaults it.

    None when no pooled budget is recorded.
    """
    with database.session() as session:
        agreement = session.scalar(select(Agreement).order_by(Agreement.id).limit(1))
        if agreement is None:
            return None
        if year is None:
            year = pool_year(session, agreement, today or date.today())[0]
        closed = closed_months(session, agreement.id, year.start_year)
    return ReportPeriods(agreement.id, year, closed, max(closed, default=0), pool_years(database, agreement.id))


def _agreement_or_first(session: Session, agreement_id: int | None) -> Agreement | None:
    """The agreement `agreement_id` names, or the first recorded when it is None."""
    query = select(Agreement).order_by(Agreement.id)
    return session.scalar(query.where(Agreement.id == agreement_id) if agreement_id else query.limit(1))


def workbook_year(database: Database, agreement_id: int | None = None, today: date | None = None
                  ) -> FinancialYear | None:
    """The year a monitoring workbook or pack is of unless another is chosen: the last closed month's (None: no
    pooled budget is recorded).

    Once M12 closes and the next year has budgets, the pool moves on to that year (`pool_year`), but the year-end
    workbooks and packs, as at M12, are still to be written and sent."""
    with database.session() as session:
        agreement = _agreement_or_first(session, agreement_id)
        if agreement is None:
            return None
        closed = last_closed_period(session, agreement.id)
        return closed.year if closed else pool_year(session, agreement, today or date.today())[0]


def report_year(database: Database, agreement_id: int | None, year: FinancialYear | None, as_at: int | None,
                today: date | None = None) -> FinancialYear | None:
    """The year a monitoring workbook or pack asked for with `year` and `as_at` is of (None: the pool's own year).

    A year given must be one the pool has anything in: a pack of a year with no budget reads as a pool spending
    exactly its budget. With neither given, the last closed month's year (`workbook_year`); a month given alone is
    of the year the pool is in, as the Budgets page offers it (after year end, M1 is the new year's).
    """
    if year is not None:
        with database.session() as session:
            agreement = _agreement_or_first(session, agreement_id)
            found = agreement.id if agreement is not None else None
        recorded = pool_years(database, found) if found is not None else ()
        if recorded and year not in recorded:
            raise ValidationError(f"The pooled budget has nothing recorded for {year.label}.",
                                  f"Choose one of its years: {listed([y.label for y in recorded])}.")
        return year
    return workbook_year(database, agreement_id, today) if as_at is None else None


def last_reportable_month(session: Session, agreement_id: int, year: FinancialYear | int) -> int:
    """`domain.budget.last_reportable_month` of a pool's year (the Budgets page offers months up to it too,
    `BudgetYear.last_reportable`)."""
    start_year = _start_year(year)
    return budget_rules.last_reportable_month(closed_months(session, agreement_id, start_year),
                                              latest_actuals(session, agreement_id, start_year))


def check_report_month(database: Database, agreement_id: int, year: FinancialYear | int, as_at: int | None) -> None:
    """Refuse a report (the budget workbook, the pack) as at a month past `last_reportable_month`; None (the last
    closed, the default) is always fine."""
    if as_at is None:
        return
    label = FinancialYear(_start_year(year)).label
    with database.session() as session:
        last = last_reportable_month(session, agreement_id, year)
        last_closed = max(closed_months(session, agreement_id, _start_year(year)), default=0)
    if as_at <= last:
        return
    if not last:
        raise ValidationError(f"No month of {label} is closed or has actuals yet, so there are no figures as at "
                              f"M{as_at}.", "Leave the month out: the figures are then as at the last closed month "
                              "(the start of the year, before any has closed), or name another year.")
    closed = f"M{last_closed} is the last closed" if last_closed else "none is closed yet"
    up_to = f"M{last}, the last closed" if last == last_closed else f"M{last}, the last with actuals ({closed})"
    empty = f"M{as_at}" if as_at == last + 1 else f"M{last + 1} to M{as_at}"
    raise ValidationError(f"M{as_at} {label} has no figures yet: it is not closed, and no month after M{last} has "
                          f"actuals, so figures as at it would take {empty}'s actuals as nil and forecast from that.",
                          f"Choose a month up to {up_to}.")
