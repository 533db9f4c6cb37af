"""Imports: read a partner's file, preview exactly what would change, apply it in one transaction, undo it whole."""

from __future__ import annotations

import bisect
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from operator import is_not, itemgetter
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from jointlead.domain.calendar import FinancialYear, Period, format_day, out_of_post
from jointlead.domain.errors import JointleadError, StillPointedAt, ValidationError
from jointlead.domain.ledger import LedgerCodeMapping, match_budget_line, posting_fingerprint
from jointlead.domain.money import format_money
from jointlead.domain.reporting_lines import Line, LineKind, StaffMember, check_line, plan_line_change
from jointlead.domain.words import listed
from jointlead.exchange.ledger import (
    ClosedMonth,
    DateNotInPeriod,
    Extract,
    LedgerRow,
    Postings,
    ledger_chunks,
    ledger_kind,
)
from jointlead.exchange.problems import ColumnsNotFound, FileRefused, cell_reference
from jointlead.exchange.reading import SourceFile, open_source
from jointlead.exchange.staff import STAFF, StaffRow, staff_rows
from jointlead.exchange.supervision import SUPERVISION, supervision_rows
from jointlead.exchange.tables import (
    RecordKind,
    SourceRow,
    TableLayout,
    fields_named,
    find_table,
    locate_header,
    read_rows,
)
from jointlead.exchange.values import normalise_header
from jointlead.services.budget_report import months_in_words
from jointlead.services.budget_setup import ASSIGN_LEDGER_ROWS
from jointlead.services.edits import Recorder, pointing_at, records_in_words
from jointlead.services.overview import closed_months, pool_year, pool_years
from jointlead.services.people import (
    check_leave_after_start,
    check_time_in_post,
    name_key,
    record_team,
    span_of_control,
    staff_and_lines,
)
from jointlead.store.bulk import BulkInsert
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
    MappingProfile,
    Organisation,
    PeriodClose,
    Person,
    ReportingLine,
    SupervisionArrangement,
    SupervisionSession,
    Team,
)
from jointlead.store.uow import UnitOfWork, os_user

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list: well under every database's parameter limit


class ImportRejected(JointleadError):
    """The file has rows with problems and the user has not chosen to import only the valid ones."""


class ImportCancelled(JointleadError):
    """The user stopped the import; raised from a progress callback, it leaves the database as it was."""


class YearOutsidePool(JointleadError):
    """A ledger extract was to be read into a financial year the pooled budget does not have, where its postings
    would show on no page."""


class DatesDisagree(FileRefused):
    """The extract's periods are not the months of its posting dates. `advice` says what to do at the command line
    (with --map); `wizard_advice` says it in the import wizard's words."""

    def __init__(self, message: str, advice: str, wizard_advice: str) -> None:
        super().__init__(message, advice)
        self.wizard_advice = wizard_advice


Progress = Callable[[int, int], None]  # (done, total); total is 0 while the total is not known yet
PROGRESS_EVERY = 1000
# How a preview's new ledger row says it will land on no line: the import wizard finds those rows by it.
MATCHES_NO_LINE = "matches no budget line"


@dataclass(frozen=True)
class RejectedRow:
    reference: str
    problems: tuple[str, ...]
    cells: tuple[object, ...]


@dataclass(frozen=True)
class Change:
    """One row of the preview: where it is, what it is, and what would happen to it."""

    reference: str
    subject: str
    detail: str


@dataclass(frozen=True)
class ImportPreview:
    kind: str
    organisation: str
    path: Path
    sha256: str
    sheet: str
    header_row: int
    headers: tuple[str, ...]  # the file's own column headers, to label the rejected rows
    mapping: tuple[tuple[str, str], ...]  # (field label, header in the file)
    period_label: str  # where it goes: a ledger's months and year ("M8 2026-27"), or "" where years do not apply
    rows_read: int
    added: Sequence[Change]  # made lazily for a ledger: see _Changes
    changed: Sequence[Change]
    removed: tuple[Change, ...]
    unchanged: int
    unmapped: int
    rejected: tuple[RejectedRow, ...]
    net_total_pence: int | None
    notices: tuple[str, ...]
    plan: Any = field(repr=False, compare=False)
    in_closed_months: int = 0  # of the rows rejected, those refused only because their month is closed (a ledger)
    added_unmapped: int = 0  # of the rows added, those no line's codes take (a ledger): among `unmapped`
    # A ledger's net total is of `postings`: every row read as a posting, in an open month or a closed one, but not
    # the rows rejected for a problem of their own. `closed_postings` of them are in the closed `closed_months_read`.
    postings: int = 0
    closed_postings: int = 0
    closed_total_pence: int = 0
    closed_months_read: tuple[int, ...] = ()
    # Postings imported before, no longer in the extract, and kept because their month is closed (a notice names them).
    kept_in_closed: int = 0
    # Why the extract looks like another partner's, and what importing it would do: it is applied only once
    # `partner_confirmed` (the user has said it is this partner's all the same).
    partner_warning: str = ""
    partner_confirmed: bool = False
    # A ledger's year (its start year) and the months it reads into that are still open: the months to check before
    # closing them.
    year_start: int | None = None
    open_months_read: tuple[int, ...] = ()

    @property
    def accepted(self) -> int:
        return self.rows_read - len(self.rejected)

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def differs_in_closed_months(self) -> bool:
        """Whether the file differs from what is recorded in a closed month (which it cannot change)."""
        return bool(self.in_closed_months or self.kept_in_closed)


def net_total_in_words(preview: ImportPreview) -> str:
    """What a ledger's net total is of, in a sentence or two: the command line and the wizard both say it so."""
    if preview.net_total_pence is None:
        return ""
    text = (f"Net total of the {preview.postings:,} {'posting' if preview.postings == 1 else 'postings'} read: "
            f"{format_money(preview.net_total_pence)}")
    if preview.closed_postings:
        months = months_in_words(preview.closed_months_read)
        which = "which is" if len(preview.closed_months_read) == 1 else "which are"
        text += (f", all of it in {months}" if preview.closed_postings == preview.postings else
                 f", {format_money(preview.closed_total_pence)} of it in {months}") + f", {which} closed"
    text += "."
    rejected = len(preview.rejected) - preview.in_closed_months
    if rejected:
        text += f" {'The rejected row is' if rejected == 1 else f'The {rejected:,} rejected rows are'} not in it."
    return text


@dataclass(frozen=True)
class ImportResult:
    batch_id: int | None  # None when the file held nothing new: no batch is recorded for a no-op
    added: int
    changed: int
    removed: int
    unchanged: int
    unmapped: int
    rejected: int


@dataclass(frozen=True)
class FieldChoice:
    name: str
    label: str
    required: bool
    header: str | None  # the column mapped to it now, or None


@dataclass(frozen=True)
class SampleCell:
    text: str
    problem: str | None = None


@dataclass(frozen=True)
class SourceDescription:
    """What the mapping step of the wizard shows: the sheets, the header found, and parsed sample rows."""

    sheets: tuple[str, ...]
    sheet: str
    header_where: str  # "row 4", or "rows 4 and 5"
    headers: tuple[str, ...]
    fields: tuple[FieldChoice, ...]
    sample: tuple[tuple[int, tuple[SampleCell, ...]], ...]  # (row number, one cell per field in `fields`)
    problem: str  # why the mapping cannot be used yet ("" when it can)
    notices: tuple[str, ...]


# --- shared steps ------------------------------------------------------------------------------------

def _organisation(session: Session, code: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.code == code.strip().upper()))
    if found is None:
        codes = ", ".join(session.scalars(select(Organisation.code).order_by(Organisation.code))) or "none yet"
        raise JointleadError(f"There is no organisation with the code '{code}'.", f"The codes recorded are: {codes}.")
    return found


def _layout(session: Session, source: SourceFile, kind: RecordKind, organisation: Organisation | None,
            sheet: str | None, overrides: Mapping[str, str] | None) -> TableLayout:
    """The user's own mapping first, then last month's saved profile, then matching by synonyms.

    Profiles are kept per organisation; a kind of import that is no one organisation's (a supervision tracker)
    has none.
    """
    if overrides:
        return find_table(source, kind, sheet_name=sheet, overrides=overrides)
    if organisation is None:
        return find_table(source, kind, sheet_name=sheet)
    saved = session.scalar(select(MappingProfile.mapping_json).where(
        MappingProfile.organisation_id == organisation.id, MappingProfile.kind == kind.name))
    if saved:
        try:
            return find_table(source, kind, sheet_name=sheet, overrides=_saved_columns(saved, kind))
        except FileRefused:
            pass  # this month's layout differs from the saved one: fall back to matching by synonyms
    return find_table(source, kind, sheet_name=sheet)


def _mapping(layout: TableLayout, kind: RecordKind) -> tuple[tuple[str, str], ...]:
    return tuple((kind.field(name).label, layout.header_of(name)) for name in layout.columns)


def _closed_months_notice(rows: Counter[int], year: FinancialYear) -> str:
    """What to do about rows refused for their month being closed, which differ from what was imported into it:
    unlock the month first, if the extract corrects it. (Rows as imported are unchanged, and not refused.)"""
    months = sorted(rows)
    named = months_in_words(months)
    count = sum(rows.values())
    one_month = len(months) == 1
    return (f"{count:,} {'row is' if count == 1 else 'rows are'} in {named} {year.label}, which "
            f"{'is' if one_month else 'are'} closed, and {'is' if count == 1 else 'are'} not as imported into "
            f"{'it' if one_month else 'them'} (new, or changed since): {'its' if one_month else 'their'} figures "
            f"were agreed at month end and are locked, so nothing is imported into {'it' if one_month else 'them'}. "
            f"If this extract corrects {named}, unlock {'it' if one_month else 'them'} on the Budgets page (Unlock…, "
            "giving the reason), then import it again. Rows as imported before are counted unchanged.")


def _moved_out_of_closed(old: Any, row: LedgerRow, year: FinancialYear) -> str:
    closed = f"M{old.period} {year.label}"
    return (f"{cell_reference(row.sheet, row.row)}: {old.transaction_ref} was imported into {closed}, which is "
            f"closed, and is now in M{row.period}: moving it would change {closed}'s agreed figures. If this extract "
            f"corrects M{old.period}, unlock it on the Budgets page (Unlock…, giving the reason), then import it "
            "again.")


def _rejected(row: SourceRow) -> RejectedRow:
    return RejectedRow(cell_reference(row.sheet, row.row), tuple(str(p) for p in row.problems), row.cells)


@dataclass
class _Tally:
    """Counts the rows read, reports progress, and sets aside the rejected ones, for every kind of import."""

    progress: Progress | None
    rows_read: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def read(self, count: int) -> None:
        """Counts rows read many at a time, reporting progress as typed() does."""
        before, self.rows_read = self.rows_read, self.rows_read + count
        if self.progress and self.rows_read // PROGRESS_EVERY > before // PROGRESS_EVERY:
            self.progress(self.rows_read, 0)

    def typed(self, rows: Iterable[T | SourceRow]) -> Iterator[T]:
        for row in rows:
            self.rows_read += 1
            if self.progress and self.rows_read % PROGRESS_EVERY == 0:
                self.progress(self.rows_read, 0)
            if isinstance(row, SourceRow):
                self.rejected.append(_rejected(row))
            else:
                yield row

    def repeated(self, seen: dict[Any, str], key: Any, where: str, what: str, shown: str | None = None) -> bool:
        """True (and the row rejected) when the file already had this id; otherwise remembers where it was.
        `shown`: the id in words, when the key itself is not (ids of people, whose names two can share)."""
        if key in seen:
            self.rejected.append(RejectedRow(where, (f"{what} {key if shown is None else shown} appears twice in "
                                                     f"the file (first at {seen[key]}).",), ()))
            return True
        seen[key] = where
        return False


def _batch(kind: str, organisation: Organisation | None, preview: ImportPreview, layout_json: str) -> ImportBatch:
    return ImportBatch(kind=kind, organisation_id=organisation.id if organisation else None,
                       file_name=preview.path.name, sha256=preview.sha256, sheet=preview.sheet,
                       mapping_json=layout_json,
                       rows_read=preview.rows_read, added=len(preview.added), changed=len(preview.changed),
                       unchanged=preview.unchanged, rejected=len(preview.rejected), unmapped=preview.unmapped,
                       imported_at=datetime.now(UTC).replace(tzinfo=None), imported_by=os_user())


# Headers an earlier version read as a field by themselves, and no longer does (exchange/staff.py: ESR's Staff
# Group is no profession). A profile saved by it holds them whether the manager chose them or not, so they are left
# out of it, and the column is matched afresh; a profile saved since says so (`_CHECKED`), and is kept as saved.
_NO_LONGER_MATCHED = {("staff", "profession"): frozenset({"staff group", "occupation", "professional group"})}
_CHECKED = "~checked"


def _saved_columns(saved: str, kind: RecordKind) -> dict[str, str]:
    columns = json.loads(saved)
    if columns.pop(_CHECKED, False):
        return columns
    return {name: header for name, header in columns.items()
            if normalise_header(header) not in _NO_LONGER_MATCHED.get((kind.name, name), ())}


def _save_profile(session: Session, organisation_id: int, kind: str, columns: Mapping[str, str]) -> None:
    text = json.dumps({**columns, _CHECKED: True}, sort_keys=True, ensure_ascii=False)
    profile = session.scalar(select(MappingProfile).where(MappingProfile.organisation_id == organisation_id,
                                                          MappingProfile.kind == kind))
    if profile is None:
        session.add(MappingProfile(organisation_id=organisation_id, kind=kind, mapping_json=text))
    else:
        profile.mapping_json = text


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


# --- ledger ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _LedgerPlan:
    organisation_id: int
    agreement_id: int
    year: int
    columns: Mapping[str, str]
    source_file: str
    # Compact, because an extract can hold half a million postings: every posting read, and for each chunk of them
    # their budget lines (None: unmapped) and fingerprints ("" for a posting with a transaction id; None when every
    # posting has one), and which of them to insert.
    extract: Extract
    lines: Sequence[Sequence[int | None]]
    fingerprints: Sequence[Sequence[str]] | None
    inserted: Sequence[int]  # indexes into the extract, ascending: range(len(extract)) when every one is new
    superseded: tuple[int, ...]  # ids of rows in force that this import replaces or no longer holds
    months: frozenset[int]  # the months it writes into: adds postings to, or replaces or removes postings in


class _Changes(Sequence[Change]):
    """Preview rows made only when looked at: a first import of a large extract adds every one of its rows."""

    __slots__ = ("_items", "_make")

    def __init__(self, items: Sequence[Any], make: Callable[[Any], Change]) -> None:
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self._make(item) for item in self._items[index])
        return self._make(self._items[index])

    def __repr__(self) -> str:
        return f"<{len(self)} changes>"


def _agreement_for(session: Session, organisation: Organisation) -> Agreement:
    partner_of = select(AgreementPartner.agreement_id).where(AgreementPartner.organisation_id == organisation.id)
    agreement = session.scalar(select(Agreement).where(
        (Agreement.id.in_(partner_of)) | (Agreement.host_id == organisation.id)).order_by(Agreement.id))
    if agreement is None:
        raise JointleadError(f"{organisation.code} is not a partner in any pooled budget, so its ledger has nowhere "
                             "to go.", "Set up the Section 75 agreement and its partners first.")
    return agreement


def _default_year(session: Session, agreement: Agreement, today: date) -> FinancialYear:
    """The year of the first period still open after the last close: where this month's extract belongs. With
    nothing closed yet, the year the pool is in: the one containing today, within the agreement's years."""
    row = session.execute(select(PeriodClose.year, PeriodClose.period).where(
        PeriodClose.agreement_id == agreement.id, PeriodClose.unlocked_on.is_(None))
        .order_by(PeriodClose.year.desc(), PeriodClose.period.desc()).limit(1)).first()
    if row is None:
        return pool_year(session, agreement, today)[0]
    return FinancialYear(row.year + 1) if row.period == 12 else FinancialYear(row.year)


def _ledger_year(database: Database, session: Session, agreement: Agreement, year: FinancialYear | None,
                 today: date | None) -> FinancialYear:
    """The year to read a ledger into: the one asked for, or the year being reported. A year the pooled budget does
    not have is refused: one outside the agreement's years, or, once the pool has years (budgets, contributions or
    a closed month: those the Budgets page offers), one not started. Its postings would show on no page."""
    asked = year is not None
    year = year or _default_year(session, agreement, today or date.today())
    first, last = agreement.first_year, agreement.last_year
    leave_out = "Leave the financial year out to import into the year being reported." if asked else ""
    if year.start_year < first or (last is not None and year.start_year > last):
        runs = (f"from {FinancialYear(first).label} to {FinancialYear(last).label}" if last is not None
                else f"from {FinancialYear(first).label}")
        raise YearOutsidePool(f"{agreement.title} runs {runs}, so it has no {year.label}: a ledger imported into "
                              f"{year.label} would show on no page.",
                              f"Check which financial year the extract is for. {leave_out}".strip())
    years = pool_years(database, agreement.id)
    if years and year not in years:
        has = listed([y.label for y in years])
        raise YearOutsidePool(f"{year.label} has not been started in {agreement.title}: it has no budgets yet, so a "
                              f"ledger imported into it would show on no page (the pool has {has}).",
                              f"If the extract is for {year.label}, start that year on the Budgets page (Start next "
                              f"year…), then import it. {leave_out}".strip())
    return year


def _ledger_subject(row: LedgerRow | Any) -> str:
    ref = row.transaction_ref or "no id"
    return f"{ref} · {row.cost_centre}/{row.subjective} · M{row.period} · {format_money(row.amount_pence)}"


def preview_ledger_import(database: Database, path: Path, partner: str, *, year: FinancialYear | None = None,
                          overrides: Mapping[str, str] | None = None, sheet: str | None = None,
                          today: date | None = None, progress: Progress | None = None) -> ImportPreview:
    """What importing this ledger extract would do; nothing is written."""
    source = open_source(path)
    try:
        return _preview_ledger(source, database, path, partner, year=year, overrides=overrides, sheet=sheet,
                               today=today, progress=progress)
    finally:
        source.close()  # the reading process, if any, goes now rather than when collected


def _preview_ledger(source: SourceFile, database: Database, path: Path, partner: str, *,
                    year: FinancialYear | None, overrides: Mapping[str, str] | None, sheet: str | None,
                    today: date | None, progress: Progress | None) -> ImportPreview:
    with database.session() as session:
        organisation = _organisation(session, partner)
        agreement = _agreement_for(session, organisation)
        year = _ledger_year(database, session, agreement, year, today)
        kind = ledger_kind(year)
        layout = _layout(session, source, kind, organisation, sheet, overrides)
        locked = closed_months(session, agreement.id, year.start_year)
        codes_of: dict[str, list[LedgerCodeMapping]] = {}  # each partner's, by code: to tell whose an extract is
        for code, mapping in session.execute(
                select(Organisation.code, LedgerMapping)
                .join(BudgetLine, BudgetLine.id == LedgerMapping.budget_line_id)
                .join(Organisation, Organisation.id == LedgerMapping.organisation_id)
                .where(BudgetLine.agreement_id == agreement.id).order_by(LedgerMapping.id)):
            codes_of.setdefault(code, []).append(LedgerCodeMapping(mapping.budget_line_id, mapping.cost_centre,
                                                                   mapping.subjective_pattern))
        mappings = codes_of.pop(organisation.code, [])
        existing = session.execute(
            select(LedgerTransaction.id, LedgerTransaction.transaction_ref, LedgerTransaction.fingerprint,
                   LedgerTransaction.period, LedgerTransaction.cost_centre, LedgerTransaction.subjective,
                   LedgerTransaction.amount_pence, LedgerTransaction.description, LedgerTransaction.posting_date,
                   LedgerTransaction.budget_line_id)
            .where(IN_FORCE, LedgerTransaction.organisation_id == organisation.id,
                   LedgerTransaction.agreement_id == agreement.id, LedgerTransaction.year == year.start_year,
                   LedgerTransaction.import_batch_id.is_not(None))).all()  # hand-entered rows are no extract's
        # Rows put on a line by hand (Assign ledger rows, not remembered): sent again, such a row keeps that line
        # where its codes map nowhere. A row whose mapping was removed since goes back among the unmapped.
        assigned = select(AuditEntry.entity_id).where(AuditEntry.verb == ASSIGN_LEDGER_ROWS,
                                                      AuditEntry.entity == LedgerTransaction.__tablename__)
        by_hand = set(session.scalars(assigned))
        # Corrected since (a new amount, the same transaction id and codes), the posting keeps it too, and so does
        # the row that took its place: by transaction id, the line and codes each was last given by hand.
        hand_lines = {ref: (line, centre, subjective) for ref, line, centre, subjective in session.execute(
            select(LedgerTransaction.transaction_ref, LedgerTransaction.budget_line_id, LedgerTransaction.cost_centre,
                   LedgerTransaction.subjective)
            .where(LedgerTransaction.id.in_(assigned), LedgerTransaction.transaction_ref.is_not(None),
                   LedgerTransaction.organisation_id == organisation.id,
                   LedgerTransaction.agreement_id == agreement.id, LedgerTransaction.year == year.start_year)
            .order_by(LedgerTransaction.id))}

    def assigned_by_hand(old: Any) -> bool:
        return old.budget_line_id is not None and (old.id in by_hand or (
            old.transaction_ref is not None
            and hand_lines.get(old.transaction_ref) == (old.budget_line_id, old.cost_centre, old.subjective)))

    partner_code, year_number = organisation.code, year.start_year  # read once, not per row
    tally = _Tally(progress)
    extract = Extract()
    lines: list[list[int | None]] = []  # each chunk's postings' budget lines (None: unmapped)
    seen_refs: set[str] = set()
    without_id = False
    line_for: dict[tuple[str, str], int | None] = {}
    in_closed_months: Counter[int] = Counter()  # rows refused only for their month being closed, by month
    refused_in_closed_pence = 0
    misdated = _Misdated()
    by_ref = {r.transaction_ref: r for r in existing if r.transaction_ref}
    by_fingerprint = {r.fingerprint: r for r in existing if not r.transaction_ref}
    closed_as_imported = _ClosedAsImported(by_ref, by_fingerprint, partner_code, year_number)
    for chunk, refused in ledger_chunks(layout, year, frozenset(locked)):
        tally.read(len(chunk) + len(refused))
        if refused:
            misdated.add(refused)
        if existing:  # a year-to-date extract: its closed months' postings, as imported, are unchanged, not refused
            refused = list(itertools.filterfalse(closed_as_imported, refused))
        closed = [p for row in refused for p in row.problems if isinstance(p, ClosedMonth)]
        in_closed_months.update(p.period for p in closed)
        refused_in_closed_pence += sum(p.posting.amount_pence for p in closed)
        refs = chunk.transaction_refs
        if None in refs:
            without_id = True
            refs = [ref for ref in refs if ref is not None]
        fresh = set(refs)
        repeated: list[tuple[int, RejectedRow]] = []
        if len(fresh) < len(refs) or not seen_refs.isdisjoint(fresh):  # rare: look row by row only when it happens
            chunk, repeated = _without_repeated_ids(chunk, extract, seen_refs)
        seen_refs |= fresh
        if refused and repeated:
            tally.rejected.extend(rejected for _row, rejected in sorted(
                [*((row.row, _rejected(row)) for row in refused), *repeated], key=itemgetter(0)))
        else:
            tally.rejected.extend(map(_rejected, refused))
            tally.rejected.extend(rejected for _row, rejected in repeated)
        if not len(chunk):
            continue
        codes = list(zip(chunk.cost_centres, chunk.subjectives, strict=True))
        for centre, subjective in set(codes).difference(line_for):  # a month repeats a few hundred code pairs
            line_for[centre, subjective] = match_budget_line(centre, subjective, mappings)
        extract.add(chunk)
        lines.append(list(map(line_for.__getitem__, codes)))
    del seen_refs
    if misdated.count:
        raise misdated.refusal(layout, kind, partner_code, tally.rows_read)
    count = len(extract)
    fingerprints = _fingerprints(extract, partner_code, year_number) if without_id else None

    def line_of(index: int) -> int | None:
        number, within = extract.locate(index)
        return lines[number][within]

    added: Sequence[int] = range(count)  # a first import: every posting is new
    inserted: Sequence[int] = added
    changed: list[tuple[int, Any]] = []
    superseded: list[int] = []
    matched: set[int] = set(closed_as_imported.matched)
    moved_pence = moved = 0  # postings moved out of a closed month: rejected, so not in the net total
    unchanged = closed_as_imported.count
    if existing:
        found: list[int] = []  # the postings an earlier import holds, by index
        start = 0
        for number, chunk in enumerate(extract.chunks):
            if fingerprints is not None:
                olds = [by_ref.get(ref) if ref else by_fingerprint.get(fingerprint)
                        for ref, fingerprint in zip(chunk.transaction_refs, fingerprints[number], strict=True)]
            else:
                olds = list(map(by_ref.get, chunk.transaction_refs))
            for within in itertools.compress(range(len(chunk)), map(is_not, olds, itertools.repeat(None))):
                old = olds[within]
                found.append(start + within)
                matched.add(old.id)
                row = chunk.row(within)
                if old.period in locked:  # moved out of a closed month since: taking it would change that month
                    moved_text = _moved_out_of_closed(old, row, year)
                    tally.rejected.append(RejectedRow(cell_reference(row.sheet, row.row), (moved_text,), ()))
                    moved += 1
                    moved_pence += row.amount_pence
                    continue
                line = lines[number][within]
                # A row the codes map nowhere keeps the line it was assigned to by hand, sent again or corrected
                # with its codes as they were: else the extract put it back among the unmapped, undoing the
                # manager's assignment.
                if (line is None and (old.cost_centre, old.subjective) == (row.cost_centre, row.subjective)
                        and assigned_by_hand(old)):
                    line = lines[number][within] = old.budget_line_id
                if _same_posting(old, row) and old.budget_line_id == line:
                    unchanged += 1
                    continue
                superseded.append(old.id)
                changed.append((start + within, old))
            start += len(chunk)
        if found:
            added = _all_but(count, found)
            inserted = sorted([*added, *(index for index, _ in changed)])

    covered = set(extract.column("periods"))
    read_into = covered | set(in_closed_months) | closed_as_imported.periods  # every month the file has postings in
    notices = list(source.notices)
    if in_closed_months:
        notices.append(_closed_months_notice(in_closed_months, year))
    unmapped = sum(chunk_lines.count(None) for chunk_lines in lines)
    removed: list[Change] = []
    leftovers = [r for r in existing if r.id not in matched and r.period in covered and r.period not in locked]
    if leftovers and tally.rejected:
        notices.append(f"{len(leftovers)} rows imported before are not in this file, but they were kept because "
                       "some rows of the file were rejected. Fix the file and import it again to remove them.")
    elif leftovers:
        for old in leftovers:
            superseded.append(old.id)
            removed.append(Change("(earlier import)", _ledger_subject(old), "no longer in the extract"))
    # Gone from a closed month the file still covers: kept, as the month's agreed figures had it, and said so.
    kept = [r for r in existing if r.id not in matched and r.period in read_into and r.period in locked]
    if kept:
        notices.append(_kept_in_closed_notice(kept, year))
    doubt, to_confirm = _whose_extract(extract, lines, codes_of, partner_code, mapped=count - unmapped,
                                       own_codes=bool(mappings), removed=leftovers if removed else (), year=year)
    if doubt and not to_confirm:
        notices.append(doubt)

    def new_row(index: int) -> Change:
        row = extract.row(index)
        return Change(cell_reference(row.sheet, row.row), _ledger_subject(row),
                      "new" if line_of(index) else f"new, {MATCHES_NO_LINE}")

    def changed_row(item: tuple[int, Any]) -> Change:
        index, old = item
        row = extract.row(index)
        return Change(cell_reference(row.sheet, row.row), _ledger_subject(row),
                      _ledger_differences(old, row, line_of(index)))

    # The months it writes into: those of the postings it adds, and of those it replaces or removes (a posting
    # corrected into another month leaves its own).
    months = {old.period for _index, old in changed} | {old.period for old in leftovers if removed}
    for _number, chunk, picked in _picked(extract, inserted):
        months.update(chunk.periods if picked is None else map(chunk.periods.__getitem__, picked))
    plan = _LedgerPlan(organisation.id, agreement.id, year.start_year,
                       {name: layout.header_of(name) for name in layout.columns}, path.name, extract, lines,
                       fingerprints, inserted, tuple(superseded), frozenset(months))
    closed_postings = sum(in_closed_months.values()) + closed_as_imported.count
    closed_pence = refused_in_closed_pence + closed_as_imported.pence
    return ImportPreview(
        kind="ledger", organisation=organisation.code, path=path, sha256=source.sha256, sheet=layout.sheet.name,
        header_row=layout.header_row, headers=layout.headers, mapping=_mapping(layout, kind),
        period_label=f"{_months_read(read_into)} {year.label}".lstrip(), rows_read=tally.rows_read,
        added=_Changes(added, new_row), changed=_Changes(changed, changed_row), removed=tuple(removed),
        unchanged=unchanged, unmapped=unmapped, rejected=tuple(tally.rejected),
        added_unmapped=unmapped if added == range(count) else sum(line_of(index) is None for index in added),
        net_total_pence=sum(extract.column("amounts")) - moved_pence + closed_pence, notices=tuple(notices),
        plan=plan, in_closed_months=sum(in_closed_months.values()), postings=count - moved + closed_postings,
        closed_postings=closed_postings, closed_total_pence=closed_pence,
        closed_months_read=tuple(sorted(read_into & locked)),
        kept_in_closed=len(kept),
        partner_warning=doubt if to_confirm else "", year_start=year.start_year,
        open_months_read=tuple(sorted(read_into - locked)))


def _months_read(months: Iterable[int]) -> str:
    """`M8`, `M7 and M8`, `M1 to M8`, `M1 to M3 and M5`: the months an extract has postings in, runs of three or
    more said as a range (a year-to-date extract has every month so far)."""
    runs: list[list[int]] = []
    for month in sorted(months):
        if runs and runs[-1][-1] == month - 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return listed([f"M{run[0]} to M{run[-1]}" if len(run) > 2 else listed([f"M{m}" for m in run]) for run in runs])


def _posting_in_words(old: Any) -> str:
    """A posting recorded, as a manager finds it in the partner's ledger: its id and amount."""
    what = old.transaction_ref or f"the posting on {old.cost_centre}/{old.subjective}"
    return f"{what} ({format_money(old.amount_pence)})"


KEPT_NAMED = 5  # postings named in a notice before "and N more"


def _kept_in_closed_notice(kept: Sequence[Any], year: FinancialYear) -> str:
    """What to do about postings gone from an extract that were kept because their month is closed: as for the rows
    of a closed month that changed (`_closed_months_notice`), unlock the month first, if the extract corrects it."""
    periods = sorted({old.period for old in kept})
    named = months_in_words(periods)
    one_month, one = len(periods) == 1, len(kept) == 1
    postings = [_posting_in_words(old) for old in kept[:KEPT_NAMED]]
    if len(kept) > KEPT_NAMED:
        postings.append(f"{len(kept) - KEPT_NAMED:,} more")
    total = "" if one else f", net {format_money(sum(old.amount_pence for old in kept))}"
    return (f"{'A posting' if one else f'{len(kept):,} postings'} imported into {named} {year.label} "
            f"{'is' if one else 'are'} no longer in this extract: {listed(postings)}{total}. {named} "
            f"{'is' if one_month else 'are'} closed, so {'it was' if one else 'they were'} not removed: "
            f"{'its' if one_month else 'their'} figures were agreed at month end and are locked. If this extract "
            f"corrects {named}, unlock {'it' if one_month else 'them'} on the Budgets page (Unlock…, giving the "
            "reason), then import it again.")


def _whose_extract(extract: Extract, lines: Sequence[Sequence[int | None]],
                   codes_of: Mapping[str, Sequence[LedgerCodeMapping]], partner: str, *, mapped: int, own_codes: bool,
                   removed: Sequence[Any], year: FinancialYear) -> tuple[str, bool]:
    """Why the extract may be another partner's ("" when it looks like `partner`'s), and whether that must be
    confirmed before it is imported as `partner`'s: when more of its postings match another partner's ledger codes
    than `partner`'s, or when none matches `partner`'s and it would remove postings of theirs.

    Imported under the wrong partner, another's extract goes in unmapped, and takes out every posting of the
    partner's own imported before in the months it covers, as no longer in its extract: the warning says how many,
    and how much.
    """
    count = len(extract)
    if not count or mapped * 2 >= count:  # most match the partner's codes: no other partner's can match more
        return "", False
    unmapped = Counter(pair for chunk, chunk_lines in zip(extract.chunks, lines, strict=True)
                       for pair, line in zip(zip(chunk.cost_centres, chunk.subjectives, strict=True), chunk_lines,
                                             strict=True)
                       if line is None)
    matches = {other: sum(n for (centre, subjective), n in unmapped.items()
                          if match_budget_line(centre, subjective, codes) is not None)
               for other, codes in codes_of.items()}
    other, theirs = max(matches.items(), key=itemgetter(1), default=("", 0))
    rows = f"{count:,} {'row' if count == 1 else 'rows'}"
    if theirs > mapped:
        own = "none matches" if not mapped else f"only {mapped:,} {'matches' if mapped == 1 else 'match'}"
        why = (f"This looks like {other}'s extract, not {partner}'s: {theirs:,} of its {rows} "
               f"{'matches' if theirs == 1 else 'match'} {other}'s ledger codes, and {own} {partner}'s.")
    elif own_codes and not mapped and not removed:
        return (f"None of the {rows} matches {partner}'s ledger codes. Check that this is {partner}'s extract: "
                f"another partner's would be imported under {partner} as unmapped rows."), False
    elif own_codes and not mapped:
        why = f"None of the {rows} matches {partner}'s ledger codes, so this may be another partner's extract."
    else:
        return "", False
    unmapped_words = "all unmapped" if not mapped else f"{count - mapped:,} of them unmapped"
    what = f"Imported as {partner}'s, its {rows} would be added under {partner}, {unmapped_words}"
    if removed:
        months = months_in_words({old.period for old in removed})
        what += (f", and {len(removed):,} of {partner}'s postings imported before in {months} {year.label} (net "
                 f"{format_money(sum(old.amount_pence for old in removed))}) would be removed, as no longer in "
                 f"{partner}'s extract")
    return f"{why} {what}.", True


MISDATED_NAMED = 3  # periods and months named when periods and dates disagree, and places for each
NOT_IN_FILE = "(not in this file)"  # the wizard's choice for a column the file does not hold, or is not to be read


@dataclass
class _Misdated:
    """Postings whose period is not the month of their posting date, told apart by the period each holds and the
    month it is dated in: how many of each, with where the first few are, for the first few such pairs."""

    count: int = 0
    kinds: dict[tuple[int, Period], list[Any]] = field(default_factory=dict)  # → [count, first references]
    calendar_months: bool = True  # each one's period is the calendar month of its date (11 for November)

    def add(self, refused: Iterable[SourceRow]) -> None:
        for row in refused:
            for problem in row.problems:
                if isinstance(problem, DateNotInPeriod):
                    self.count += 1
                    self.calendar_months = self.calendar_months and problem.period == problem.posted.month
                    key = (problem.period, problem.dated_in)
                    if key in self.kinds or len(self.kinds) < MISDATED_NAMED:
                        found = self.kinds.setdefault(key, [0, []])
                        found[0] += 1
                        if len(found[1]) < MISDATED_NAMED:
                            found[1].append(problem.reference)

    def refusal(self, layout: TableLayout, kind: RecordKind, partner: str, rows_read: int) -> DatesDisagree:
        """The file refused: which postings' periods and dates disagree, and what to do about it."""
        period, dated = layout.header_of("period"), layout.header_of("posting_date")
        held = "{}" if self.calendar_months else "M{}"
        examples = []
        for (number, dated_in), (count, references) in self.kinds.items():
            where = ", ".join(references) + (", …" if count > len(references) else "")
            examples.append(f"{held.format(number)} for {count:,} {'posting' if count == 1 else 'postings'} dated in "
                            f"{dated_in.first_day:%B %Y}, which is {dated_in.label} {dated_in.year.label} ({where})")
        shown = sum(count for count, _references in self.kinds.values())
        more = f", and {self.count - shown:,} more" if self.count > shown else ""
        every = "every one" if self.count == rows_read else f"{self.count:,} of the {rows_read:,} rows"
        if self.calendar_months:
            message = (f"The {period} column holds calendar months, not the financial year's periods (M1 is April): "
                       f"it holds {listed(examples)}{more}. Read as periods, {every} would go into the wrong month, "
                       "so nothing was imported.")
            (_number, first), *_others = self.kinds
            advice = ("Import the file without its {period} column, so each posting's date decides its month: "
                      "{leave_out}. Or ask {partner} for the extract with financial periods "
                      f"({first.label} for {first.first_day:%B}).")
            leave_out = "period"
        else:
            message = (f"The {period} column and the {dated} column disagree: the {period} column holds "
                       f"{listed(examples)}{more}. Which month the money belongs to cannot be told, so nothing was "
                       "imported.")
            advice = ("If the {dated} column is not when the postings were made (an invoice or document date), "
                      "import the file without it: {leave_out}. If the periods are wrong, ask {partner} for the "
                      "extract again.")
            leave_out = "posting_date"
        label = kind.field(leave_out).label
        words = {"period": period, "dated": dated, "partner": partner}
        return DatesDisagree(
            message, advice.format(**words, leave_out=f"add --map {leave_out}= to the command"),
            advice.format(**words, leave_out=f"choose “{NOT_IN_FILE}” for {label} at the Sheet and columns step"))


def _same_posting(old: Any, row: LedgerRow) -> bool:
    """Whether a posting read from an extract is the one recorded, as it stands."""
    return (old.period, old.cost_centre, old.subjective, old.amount_pence, old.description or "",
            old.posting_date) == (row.period, row.cost_centre, row.subjective, row.amount_pence, row.description,
                                  row.posting_date)


class _ClosedAsImported:
    """Tells a row refused for its closed month that is a posting imported before, as it stands (a year-to-date
    extract repeats every earlier month), from one that would change the month; counts the first kind."""

    def __init__(self, by_ref: Mapping[str, Any], by_fingerprint: Mapping[str, Any], partner: str, year: int) -> None:
        self.by_ref, self.by_fingerprint = by_ref, by_fingerprint
        self.partner, self.year = partner, year
        self.occurrences: Counter[tuple] = Counter()  # as `_fingerprints` counts them: identical postings before
        self.count = 0
        self.pence = 0  # their net total
        self.periods: set[int] = set()
        self.matched: set[int] = set()  # the postings recorded in closed months that rows are, as they stand or not

    def __call__(self, row: SourceRow) -> bool:
        if len(row.problems) != 1 or not isinstance(row.problems[0], ClosedMonth):
            return False
        posting = row.problems[0].posting
        content = (posting.period, posting.cost_centre, posting.subjective, posting.amount_pence,
                   posting.description, posting.posting_date.isoformat() if posting.posting_date else "")
        occurrence = self.occurrences[content]
        self.occurrences[content] += 1
        if posting.transaction_ref:
            old = self.by_ref.get(posting.transaction_ref)
        else:
            old = self.by_fingerprint.get(posting_fingerprint(self.partner, self.year, *content, occurrence))
        if old is None or old.period != posting.period:
            return False
        self.matched.add(old.id)
        if not _same_posting(old, posting):
            return False
        self.count += 1
        self.pence += posting.amount_pence
        self.periods.add(posting.period)
        return True


def _all_but(count: int, taken: list[int]) -> list[int]:
    """range(count) without `taken`, which is ascending."""
    kept: list[int] = []
    start = 0
    for index in taken:
        kept.extend(range(start, index))
        start = index + 1
    kept.extend(range(start, count))
    return kept


def _without_repeated_ids(chunk: Postings, extract: Extract,
                          seen_refs: set[str]) -> tuple[Postings, list[tuple[int, RejectedRow]]]:
    """The chunk without the postings whose transaction id came earlier in the file, and those as rejected rows by
    row number. The ids kept are added to `seen_refs`."""
    sheet = chunk.sheet
    kept: list[int] = []
    repeated: list[tuple[int, RejectedRow]] = []
    first_here: dict[str, int] = {}
    for index, (number, ref) in enumerate(zip(chunk.rows, chunk.transaction_refs, strict=True)):
        if ref is None:
            kept.append(index)
        elif ref in seen_refs:
            first = first_here.get(ref)
            if first is None:
                first = extract.row_of(ref)
            repeated.append((number, RejectedRow(cell_reference(sheet, number), (
                f"Transaction id {ref} appears twice in the file (first at {cell_reference(sheet, first)}).",), ())))
        else:
            seen_refs.add(ref)
            first_here[ref] = number
            kept.append(index)
    return chunk.take(kept), repeated


def _fingerprints(extract: Extract, partner_code: str, year: int) -> list[list[str]]:
    """A fingerprint for each posting without a transaction id ("" for the others), a list per chunk.

    The fingerprint counts how many identical postings came before it in the file, with an id or without, so only
    the contents of postings without an id need counting.
    """
    def contents(chunk: Postings) -> list[tuple]:
        shown = {day: day.isoformat() if day else "" for day in set(chunk.posting_dates)}
        return list(zip(chunk.periods, chunk.cost_centres, chunk.subjectives, chunk.amounts, chunk.descriptions,
                        map(shown.__getitem__, chunk.posting_dates), strict=True))

    wanted = {content for chunk in extract.chunks
              for content, ref in zip(contents(chunk), chunk.transaction_refs, strict=True) if not ref}
    occurrences: Counter[tuple] = Counter()
    fingerprints = []
    for chunk in extract.chunks:
        found = []
        for content, ref in zip(contents(chunk), chunk.transaction_refs, strict=True):
            if content not in wanted:
                found.append("")
                continue
            found.append("" if ref else posting_fingerprint(partner_code, year, *content, occurrences[content]))
            occurrences[content] += 1
        fingerprints.append(found)
    return fingerprints


def _ledger_differences(old: Any, row: LedgerRow, line_id: int | None) -> str:
    parts = []
    if old.amount_pence != row.amount_pence:
        parts.append(f"amount {format_money(old.amount_pence)} → {format_money(row.amount_pence)}")
    if old.period != row.period:
        parts.append(f"period M{old.period} → M{row.period}")
    if (old.cost_centre, old.subjective) != (row.cost_centre, row.subjective):
        parts.append(f"codes {old.cost_centre}/{old.subjective} → {row.cost_centre}/{row.subjective}")
    if (old.description or "") != row.description:
        parts.append("description changed")
    if old.posting_date != row.posting_date:
        parts.append("posting date changed")
    if old.budget_line_id != line_id:
        parts.append("budget line changed")
    return "; ".join(parts)


# In the table's own order, so the driver gets each tuple as it is.
_LEDGER_COLUMNS = ("organisation_id", "agreement_id", "budget_line_id", "import_batch_id", "year", "period",
                   "posting_date", "cost_centre", "subjective", "description", "amount_pence", "transaction_ref",
                   "fingerprint", "source_file", "source_sheet", "source_row")


def _picked(extract: Extract, indexes: Sequence[int]) -> Iterator[tuple[int, Postings, list[int] | None]]:
    """Each chunk of `extract` (its number, and it) with where `indexes` (ascending) fall in it; None for all of it,
    when `indexes` is a range: every posting."""
    start = 0
    for number, chunk in enumerate(extract.chunks):
        stop = start + len(chunk)
        yield number, chunk, None if isinstance(indexes, range) else [
            index - start for index in indexes[bisect.bisect_left(indexes, start):bisect.bisect_left(indexes, stop)]]
        start = stop


def _write_ledger(session: Session, plan: _LedgerPlan, batch_id: int, progress: Progress | None) -> None:
    total = len(plan.inserted) + len(plan.superseded)
    done = 0
    # Core executemany of plain tuples, a chunk of postings at a time: the ORM's bulk path measured several times
    # slower, dictionaries twice.
    insert_rows = BulkInsert(session.connection(), LedgerTransaction.__table__, _LEDGER_COLUMNS)
    posted = insert_rows.converter("posting_date")
    as_stored: dict[date | None, Any] = {}  # posting dates, converted once each: a month holds a few dozen
    same = itertools.repeat
    for number, chunk, picked in _picked(plan.extract, plan.inserted):
        fingerprints = plan.fingerprints[number] if plan.fingerprints is not None else [""] * len(chunk)
        columns: Sequence[Sequence[Any]] = (plan.lines[number], chunk.periods, chunk.posting_dates, chunk.cost_centres,
                                            chunk.subjectives, chunk.descriptions, chunk.amounts,
                                            chunk.transaction_refs, fingerprints, chunk.rows)
        if picked is not None:
            columns = [list(map(column.__getitem__, picked)) for column in columns]
        line, period, day, centre, subjective, description, amount, ref, fingerprint, row = columns
        if not row:
            continue
        for new in set(day).difference(as_stored):
            as_stored[new] = posted(new)
        insert_rows(list(zip(same(plan.organisation_id), same(plan.agreement_id), line, same(batch_id),
                             same(plan.year), period, map(as_stored.__getitem__, day), centre, subjective,
                             description, amount, ref, fingerprint, same(plan.source_file), same(chunk.sheet),
                             row, strict=False)))  # the columns are as long as each other; the repeats endless
        done += len(row)
        if progress:
            progress(done, total)
    for ids in _chunks(list(plan.superseded)):
        session.execute(update(LedgerTransaction).where(LedgerTransaction.id.in_(ids))
                        .values(removed_by_batch_id=batch_id))
        done += len(ids)
        if progress:
            progress(done, total)


def _undo_ledger(session: Session, batch_id: int) -> None:
    # Rows it added or took out of a month closed since: undoing it would change that month's agreed figures.
    closed = session.execute(
        select(LedgerTransaction.year, LedgerTransaction.period).distinct()
        .join(PeriodClose, and_(PeriodClose.agreement_id == LedgerTransaction.agreement_id,
                                PeriodClose.year == LedgerTransaction.year,
                                PeriodClose.period == LedgerTransaction.period, PeriodClose.unlocked_on.is_(None)))
        .where(or_(LedgerTransaction.import_batch_id == batch_id, LedgerTransaction.removed_by_batch_id == batch_id))
        .order_by(LedgerTransaction.year, LedgerTransaction.period)).all()
    if closed:
        one = len(closed) == 1
        months = listed([f"M{period} {FinancialYear(year).label}" for year, period in closed])
        raise JointleadError(f"This import changed {months}, which {'has' if one else 'have'} been closed since: "
                             "undoing it would change the figures agreed then.",
                             f"Unlock {'it' if one else 'them'} on the Budgets page (Unlock…, giving the reason), "
                             "then undo the import.")
    session.execute(update(LedgerTransaction).where(LedgerTransaction.removed_by_batch_id == batch_id)
                    .values(removed_by_batch_id=None))
    session.execute(delete(LedgerTransaction).where(LedgerTransaction.import_batch_id == batch_id))


# --- staff -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _StaffField:
    column: str  # the staff list's field, present only when the file has that column
    row_attribute: str  # on StaffRow
    person_attribute: str  # on Person
    label: str


STAFF_FIELDS = (
    _StaffField("name", "full_name", "full_name", "name"),
    _StaffField("job_title", "job_title", "job_title", "job title"),
    _StaffField("grade", "grade", "grade", "grade"),
    _StaffField("wte", "wte_hundredths", "wte_hundredths", "WTE"),
    _StaffField("profession", "profession", "profession", "profession"),
    _StaffField("start_date", "start_date", "start_date", "start date"),
    _StaffField("leave_date", "leave_date", "leave_date", "leave date"),
    _StaffField("supervisor_number", "supervisor_number", "hr_supervisor_number", "HR supervisor"),
)


@dataclass(frozen=True)
class _LineStep:
    """One line the staff list changes: the line in force then ends the day before, and a new one starts.

    People new in the file have negative ids until they are written (see `_StaffPlan.temp_ids`).
    """

    kind: str
    person_id: int
    lead_id: int
    effective_from: date
    effective_to: date | None
    ended: tuple[int, date | None, date] | None  # (line id, its end until now, its new end), when a line ends


@dataclass(frozen=True)
class _StaffPlan:
    organisation_id: int
    columns: Mapping[str, str]
    today: date
    new_people: tuple[dict[str, Any], ...]
    updates: tuple[tuple[int, dict[str, tuple[Any, Any]]], ...]  # person id, {attribute: (old, new)}
    flagged: tuple[int, ...]  # no longer in the extract: possible leavers
    temp_ids: tuple[int, ...] = ()  # the id each of `new_people` has in `lines` until it is written
    lines: tuple[_LineStep, ...] = ()
    source_file: str = ""
    new_teams: tuple[str, ...] = ()  # by name; the stand-in id each has in `new_people` and `updates` is `_temp_id`
    # The version of each person the plan changes or flags, as the preview read them: a change made to one since
    # (on a shared database, by someone else) would otherwise be overwritten by the file's older view of them.
    seen: Mapping[int, int] = field(default_factory=dict)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "blank"
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def preview_staff_import(database: Database, path: Path, employer: str, *,
                         overrides: Mapping[str, str] | None = None, sheet: str | None = None,
                         today: date | None = None, progress: Progress | None = None) -> ImportPreview:
    """What importing this HR or payroll staff list would do; nothing is written."""
    today = today or date.today()
    source = open_source(path)
    try:
        return _preview_staff(source, database, path, employer, overrides=overrides, sheet=sheet, today=today,
                              progress=progress)
    finally:
        source.close()  # the reading process, if any, goes now rather than when collected


@dataclass
class _StaffEntry:
    """A row of the staff list that was read: the person it matches (None: new), and what it would change."""

    row: StaffRow
    where: str
    person: Person | None
    values: dict[str, Any]  # for a new person, their columns
    differences: dict[str, tuple[Any, Any]]  # for a person recorded, {attribute: (old, new)}


@dataclass
class _Teams:
    """The teams a staff list names: a recorded one found by its name as names are compared, a new one given a
    stand-in id (`_temp_id`) until it is written, and how many people the file places in each new one."""

    ids: dict[str, int]  # by name as compared
    names: dict[int, str]  # by id, stand-in ids included
    new: Counter[int] = field(default_factory=Counter)  # people placed, by stand-in id, in the order first named

    def placing(self, name: str) -> int:
        """The id of the team `name` names, one more person being placed in it."""
        key = name_key(name)
        if key not in self.ids:
            self.ids[key] = _temp_id(len(self.new))
            self.names[self.ids[key]] = name.strip()
        team_id = self.ids[key]
        if team_id < 0:
            self.new[team_id] += 1
        return team_id

    def notices(self) -> list[str]:
        return [f"'{self.names[team_id]}' is not a recorded team yet: importing adds it and puts {count} "
                f"{'person' if count == 1 else 'people'} in it." for team_id, count in self.new.items()]


def _preview_staff(source: SourceFile, database: Database, path: Path, employer: str, *,
                   overrides: Mapping[str, str] | None, sheet: str | None, today: date,
                   progress: Progress | None) -> ImportPreview:
    with database.session() as session:
        organisation = _organisation(session, employer)
        layout = _layout(session, source, STAFF, organisation, sheet, overrides)
        employees = session.scalars(select(Person).where(Person.employer_id == organisation.id)).all()
        people = {p.employee_number: p for p in employees if p.employee_number is not None}
        by_name: dict[str, list[Person]] = {}
        for p in employees:
            by_name.setdefault(name_key(p.full_name), []).append(p)
        recorded_teams = session.execute(select(Team.id, Team.name).order_by(Team.id)).all()
        teams = _Teams({name_key(name): team_id for team_id, name in recorded_teams}, dict(recorded_teams))
        columns = set(layout.columns) | ({"name"} if "first_name" in layout.columns else set())
        present = [f for f in STAFF_FIELDS if f.column in columns]

        tally = _Tally(progress)
        seen: dict[str | tuple[str, str], str] = {}  # by employee number; a row without one by ("name", name)
        entries: list[_StaffEntry] = []
        zeros_lost = _zeros_lost(people)
        restored: dict[str, None] = {}  # "123456 as 00123456", in the order met
        for row in tally.typed(staff_rows(layout)):
            where = cell_reference(row.sheet, row.row)
            shortened = {attribute: zeros_lost[number] for attribute in ("employee_number", "supervisor_number")
                         if (number := getattr(row, attribute)) not in people and number in zeros_lost}
            if shortened:
                restored.update(dict.fromkeys(f"{getattr(row, a)} as {number}" for a, number in shortened.items()))
                row = replace(row, **shortened)
            if row.employee_number is None:
                if tally.repeated(seen, ("name", name_key(row.full_name)), where, "With no employee number,",
                                  row.full_name):
                    continue
                person, problem = _unnumbered(by_name.get(name_key(row.full_name), []), row.full_name,
                                              organisation.code)
                if person is None and not problem and not _more_than_a_name(row):
                    problem = f"No employee number, and nothing else about {row.full_name}: is the row a note " \
                              "rather than a person? Give their employee number, or leave the row out."
            else:
                if tally.repeated(seen, row.employee_number, where, "Employee number"):
                    continue
                person, problem = people.get(row.employee_number), ""
            problem = problem or _dates_problem(session, row, person)
            if problem:
                tally.rejected.append(RejectedRow(where, (problem,), row.cells))
                continue
            if person is None:
                entries.append(_StaffEntry(row, where, None, {
                    f.person_attribute: getattr(row, f.row_attribute) for f in present} | {
                    "full_name": row.full_name, "employee_number": row.employee_number,
                    "employer_id": organisation.id,
                    # A one-team service's HR list is its team; with several, the manager places people.
                    "team_id": recorded_teams[0].id if len(recorded_teams) == 1 else None}, {}))
                continue
            differences = {f.person_attribute: (getattr(person, f.person_attribute), getattr(row, f.row_attribute))
                           for f in present if _staff_cell_changes(getattr(person, f.person_attribute),
                                                                   getattr(row, f.row_attribute))}
            if person.missing_from_hr_since is not None:
                differences["missing_from_hr_since"] = (person.missing_from_hr_since, None)
            entries.append(_StaffEntry(row, where, person, {}, differences))

        steps: dict[int, list[tuple[_LineStep, str]]] = {}
        line_notices: list[str] = []
        if "line_manager" in layout.columns or "professional_lead" in layout.columns:
            recorded, lines = staff_and_lines(session)
            refused, steps, line_notices = _plan_staff_lines(entries, recorded, lines, organisation.code, today,
                                                             span_of_control(session))
            for index, problems in sorted(refused.items()):
                entry = entries[index]
                tally.rejected.append(RejectedRow(entry.where, tuple(problems), entry.row.cells))
        else:
            refused = {}

        labels = {f.person_attribute: f.label for f in STAFF_FIELDS}
        added: list[Change] = []
        changed: list[Change] = []
        new_people: list[dict[str, Any]] = []
        temp_ids: list[int] = []
        updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        seen_versions: dict[int, int] = {}
        planned_lines: list[_LineStep] = []
        unchanged = 0
        for index, entry in enumerate(entries):
            if index in refused:
                continue
            row, where = entry.row, entry.where
            line_details = [detail for _step, detail in steps.get(index, ())]
            planned_lines.extend(step for step, _detail in steps.get(index, ()))
            # A blank Team cell changes nothing, as a blank line cell: placing people is the manager's record.
            team_id = teams.placing(row.team) if row.team else None
            if entry.person is None:
                if team_id is not None:
                    entry.values["team_id"] = team_id
                new_people.append(entry.values)
                temp_ids.append(_temp_id(index))
                team_details = [f"team {teams.names[team_id]}"] if team_id is not None else []
                added.append(Change(where, _numbered(row.employee_number, row.full_name),
                                    "; ".join(["new person", *team_details, *line_details])))
                continue
            if team_id is not None and team_id != entry.person.team_id:
                entry.differences["team_id"] = (entry.person.team_id, team_id)
            if not entry.differences and not line_details:
                unchanged += 1
                continue
            if entry.differences:
                updates.append((entry.person.id, entry.differences))
                seen_versions[entry.person.id] = entry.person.version
            detail = "; ".join([*(
                "back in the HR extract" if attribute == "missing_from_hr_since"
                else f"team {teams.names.get(old, 'none')} → {teams.names[new]}" if attribute == "team_id"
                else f"{labels[attribute]} {_shown(old)} → {_shown(new)}"
                for attribute, (old, new) in entry.differences.items()), *line_details])
            changed.append(Change(where, _numbered(row.employee_number, entry.person.full_name), detail))

        # A starter not yet in post is not in HR's list of staff in post either: not a possible leaver.
        leavers = [p for number, p in sorted(people.items()) if number not in seen and p.team_id is not None
                   and p.missing_from_hr_since is None and (p.leave_date is None or p.leave_date >= today)
                   and (p.start_date is None or p.start_date <= today)]
    removed = tuple(Change("(not in the file)", f"{p.employee_number} {p.full_name}",
                           "not in this extract: flagged as a possible leaver (nothing is deleted)") for p in leavers)
    notices = [*source.notices, *line_notices, *teams.notices()]
    if restored:
        one = len(restored) == 1
        notices.append(f"{len(restored):,} employee {'number' if one else 'numbers'} in the file had lost leading "
                       f"zeros, as Excel does to a column formatted as numbers, so {'it was' if one else 'they were'} "
                       f"matched to the recorded {'number' if one else 'numbers'}: {_names(list(restored), 3)}.")
    if leavers and tally.rejected:
        notices.append("People missing from the file were not flagged as leavers, because some rows were rejected.")
        removed = ()
    plan = _StaffPlan(organisation.id, {name: layout.header_of(name) for name in layout.columns}, today,
                      tuple(new_people), tuple(updates), tuple(p.id for p in leavers) if removed else (),
                      tuple(temp_ids), tuple(planned_lines), path.name,
                      tuple(teams.names[team_id] for team_id in teams.new),
                      seen_versions | ({p.id: p.version for p in leavers} if removed else {}))
    return ImportPreview(
        kind="staff", organisation=organisation.code, path=path, sha256=source.sha256, sheet=layout.sheet.name,
        header_row=layout.header_row, headers=layout.headers, mapping=_mapping(layout, STAFF), period_label="",
        rows_read=tally.rows_read,
        added=tuple(added), changed=tuple(changed), removed=removed, unchanged=unchanged, unmapped=0,
        rejected=tuple(tally.rejected), net_total_pence=None, notices=tuple(notices), plan=plan)


def _unnumbered(namesakes: Sequence[Person], name: str, employer: str) -> tuple[Person | None, str]:
    """The person a staff row with no employee number stands for, among the employer's people with its name: the
    one recorded without a number (added by hand, as the staff export writes them), or no one (a new person with no
    number); or why the row cannot be taken."""
    numbered = sorted(p.employee_number for p in namesakes if p.employee_number is not None)
    unnumbered = [p for p in namesakes if p.employee_number is None]
    if len(unnumbered) > 1:
        return None, f"{len(unnumbered)} people called {name} are recorded at {employer} without an employee " \
                     "number: give each theirs on People & lines, then give it in the file."
    if unnumbered:
        return unnumbered[0], ""
    if len(numbered) == 1:
        return None, f"No employee number: {name} is recorded at {employer} with the number {numbered[0]}. Give it " \
                     "in the file."
    if numbered:
        return None, f"No employee number: {len(numbered)} people called {name} are recorded at {employer}, with " \
                     f"the numbers {listed(numbered)}. Give the right one in the file."
    return None, ""


def _more_than_a_name(row: StaffRow) -> bool:
    """Whether a staff row says anything about its person besides a name: a note under the list ("End of report")
    has a name cell and nothing else, and is no one new."""
    return any(value not in (None, "") for value in (
        row.job_title, row.grade, row.wte_hundredths, row.profession, row.start_date, row.leave_date,
        row.supervisor_number, row.line_manager, row.professional_lead, row.team))


def _numbered(number: str | None, name: str) -> str:
    """A person as a change names them: by employee number and name, or by name when they have no number."""
    return f"{number} {name}" if number else name


def _staff_cell_changes(recorded: Any, cell: Any) -> bool:
    """Whether a staff list's cell changes what is recorded. An empty cell changes nothing, as an empty Team or line
    cell does: HR extracts leave cells empty that the service records (a job title, a profession its supervision
    policy needs), and clearing them would lose the manager's record."""
    return cell not in (None, "") and cell != recorded


def _dates_problem(session: Session, row: StaffRow, person: Person | None) -> str:
    """Why the row's start and leave dates cannot be taken, as editing the person would refuse them: a leave date
    before the start, a start after one of their lines begins, a leave date with lines or supervision running past
    it (a leaver is recorded as one, which ends those and says who needs reassigning)."""
    start, leave = row.start_date, row.leave_date
    try:
        if person is None:
            check_leave_after_start(row.full_name, start, leave)
        elif _staff_cell_changes(person.start_date, start) or _staff_cell_changes(person.leave_date, leave):
            check_time_in_post(session, person, start or person.start_date, leave or person.leave_date)
    except ValidationError as error:
        return str(error)
    return ""


def _by_shortened(numbers: Iterable[str]) -> dict[str, list[str]]:
    """Recorded employee numbers with leading zeros, by what Excel makes of them in a column formatted as numbers
    (00123456 becomes 123456)."""
    found: dict[str, list[str]] = {}
    for number in numbers:
        if number.isdigit() and number.startswith("0") and number.lstrip("0"):
            found.setdefault(number.lstrip("0"), []).append(number)
    return found


def _zeros_lost(numbers: Iterable[str]) -> dict[str, str]:
    """The recorded employee number each shortened one stands for (`_by_shortened`). Without this, the person would
    be added again under the shortened number. A number two recorded ones could have become (0123 and 00123) stands
    for neither."""
    return {shortened: found[0] for shortened, found in _by_shortened(numbers).items() if len(found) == 1}


# --- staff: reporting lines --------------------------------------------------------------------------

def _temp_id(index: int) -> int:
    """The id a person or team new in the file has until it is written: negative, so no recorded id is one."""
    return -(index + 1)



@dataclass
class _People:
    """Who a line or a tracker can name: everyone recorded and, for a staff list, everyone new in the file."""

    members: dict[int, StaffMember]
    own_employer: str = ""

    def __post_init__(self) -> None:
        self.own_numbers: dict[str, int] = {}
        self.numbers: dict[str, list[int]] = {}
        self.names: dict[str, list[int]] = {}
        for member in self.members.values():
            if member.employee_number:
                number = member.employee_number.strip()
                self.numbers.setdefault(number, []).append(member.id)
                if member.employer and member.employer == self.own_employer:
                    self.own_numbers[number] = member.id
            self.names.setdefault(name_key(member.name), []).append(member.id)
        self.own_zeros_lost = _zeros_lost(self.own_numbers)
        self.zeros_lost = _zeros_lost(self.numbers)
        self.shortened = _by_shortened(self.numbers)

    def _recorded_number(self, text: str) -> str:
        """`text` as a recorded employee number: a number cell's (Excel dropped the leading zeros) made whole."""
        if text not in self.own_numbers and text in self.own_zeros_lost:
            return self.own_zeros_lost[text]
        if text not in self.numbers and text in self.zeros_lost:
            return self.zeros_lost[text]
        return text

    def find(self, text: str, day: date, *, current: int | None = None) -> tuple[int | None, str]:
        """The one person `text` names (an employee number, else a full name), or why it names no one person.

        An employee number of the importing employer's wins; another organisation's number counts when only one
        person has it. Of several people with a name, the one already recorded as the lead (`current`) is the one
        meant; otherwise those not in post on `day` are left out, and if more than one remains nobody is guessed.
        """
        text = self._recorded_number(text.strip())
        if text in self.own_numbers:
            return self.own_numbers[text], ""
        by_number = text in self.numbers
        found = self.numbers.get(text) or self.names.get(name_key(text), [])
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, f"no one called {text} is recorded."
        if current in found:
            return current, ""
        in_post = [i for i in found if self.members[i].active_on(day)]
        if len(in_post) == 1:
            return in_post[0], ""
        if by_number:
            return None, f"{len(found)} people, in different organisations, have the employee number {text}: give " \
                         "their name."
        return None, f"{len(found)} people are called {text}: give their employee number."

    def find_numbered(self, number: str | None, name: str | None, day: date) -> tuple[int | None, str]:
        """The one person a row names by employee number, name, or both (as a tracker's rows do), or why it names
        no one person.

        With both, the number decides between namesakes and the name between people of different organisations
        with one number; a name that is someone else's (the number typed on the wrong row) is refused rather than
        the number's holder taken. A name recorded for nobody (misspelt) leaves the number to decide.
        """
        number, name = (number or "").strip(), (name or "").strip()
        if not number or not name:
            return self.find(number or name, day)
        # The number as typed, and every recorded number it could be with its leading zeros back: the name chooses.
        holders = list(dict.fromkeys(i for recorded in (number, *self.shortened.get(number, ()))
                                     for i in self.numbers.get(recorded, ())))
        if not holders:
            unnumbered = [i for i in self.names.get(name_key(name), []) if not self.members[i].employee_number]
            if len(unnumbered) == 1:  # recorded by hand without one: the name is theirs alone
                return unnumbered[0], ""
            return None, f"no one recorded has the employee number {number}."
        named = [i for i in holders if name_key(self.members[i].name) == name_key(name)]
        if len(named) > 1:
            named = [i for i in named if self.members[i].active_on(day)] or named
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, f"{len(named)} people called {name}, in different organisations, have the employee number " \
                         f"{number}."
        if len(holders) == 1 and name_key(name) not in self.names:
            return holders[0], ""
        whose = listed(sorted({self.members[i].name for i in holders}))
        return None, f"the employee number {number} is {whose}'s, not {name}'s: check which is meant."


def _as_after_import(member: StaffMember, differences: Mapping[str, tuple[Any, Any]]) -> StaffMember:
    """A recorded person with the staff list's new values, so the line rules judge them as they will be."""
    changes: dict[str, Any] = {}
    for attribute, field_name in (("full_name", "name"), ("profession", "profession"),
                                  ("start_date", "start_date"), ("leave_date", "leave_date")):
        if attribute in differences:
            new = differences[attribute][1]
            changes[field_name] = (new or "") if field_name in ("name", "profession") else new
    return replace(member, **changes) if changes else member


_LINE_COLUMNS = (("line_manager", LineKind.MANAGERIAL, "Line manager"),
                 ("professional_lead", LineKind.PROFESSIONAL, "Professional lead"))


def _plan_staff_lines(entries: Sequence[_StaffEntry], recorded: Sequence[StaffMember], lines: Sequence[Line],
                      employer: str, today: date, span: int
                      ) -> tuple[dict[int, list[str]], dict[int, list[tuple[_LineStep, str]]], list[str]]:
    """The line changes the staff list's line columns ask for, by entry; and the entries refused, with why.

    A row that is refused is refused whole (with --accept-valid, none of it is imported), so the lines are planned
    again without it until no further row is refused: someone new in a refused row cannot be anyone's lead.
    """
    refused: dict[int, list[str]] = {}
    while True:
        members = {m.id: m for m in recorded}
        new_where: dict[str, str] = {}  # numbers and names of people new in refused rows, for a clearer message
        for index, entry in enumerate(entries):
            row = entry.row
            if entry.person is None:
                if index in refused:
                    if row.employee_number is not None:
                        new_where[row.employee_number] = entry.where
                    new_where[name_key(row.full_name)] = entry.where
                    continue
                members[_temp_id(index)] = StaffMember(
                    _temp_id(index), row.full_name, row.profession or "", False, False, row.start_date,
                    row.leave_date, employer, row.employee_number)
            elif index not in refused and entry.differences:
                members[entry.person.id] = _as_after_import(members[entry.person.id], entry.differences)
        people = _People(members, employer)
        working = list(lines)
        steps: dict[int, list[tuple[_LineStep, str]]] = {}
        notices: list[str] = []
        newly_refused: dict[int, list[str]] = {}
        started_ids = itertools.count(-1, -1)
        pending: list[tuple[int, int, str, LineKind, str, date]] = []  # entry, person, column, kind, label, base
        for index, entry in enumerate(entries):
            if index in refused:
                continue
            person_id = entry.person.id if entry.person is not None else _temp_id(index)
            person = members[person_id]
            if person.leave_date is not None and person.leave_date < today:
                continue  # a leaver's lines ended when they left: naming their last lead is history, not a change
            # Someone new starts their lines when they start; someone recorded, from the import's day.
            base = (entry.row.start_date or today) if entry.person is None else max(today, person.start_date or today)
            # A blank cell changes nothing: it never ends a line.
            pending.extend((index, person_id, column, kind, label, base)
                           for column, kind, label in _LINE_COLUMNS if getattr(entry.row, column))
        # A change the line rules refuse can be allowed by another row's: two people changing places, the first
        # change alone would make a loop. So refused changes are tried again while any more can be made, and what is
        # accepted does not depend on the order of the rows.
        while pending:
            retry: list[tuple[tuple[int, int, str, LineKind, str, date], str]] = []
            for item in pending:
                index, person_id, column, kind, label, base = item
                text = getattr(entries[index].row, column)
                current = next((ln for ln in working if ln.person_id == person_id and ln.kind == kind
                                and ln.in_force_on(base)), None)
                lead_id, problem = people.find(text, base, current=current.lead_id if current else None)
                if lead_id is None:
                    key = text.strip() if text.strip() in new_where else name_key(text)
                    if key in new_where:
                        problem = f"{text.strip()} is new in this file, but their row ({new_where[key]}) was rejected."
                    newly_refused.setdefault(index, []).append(f"{label}: {problem[0].upper()}{problem[1:]}")
                    continue
                lead = members[lead_id]
                day = max(base, lead.start_date) if lead.start_date else base
                current = next((ln for ln in working if ln.person_id == person_id and ln.kind == kind
                                and ln.in_force_on(day)), None)
                if current is not None and current.lead_id == lead_id:
                    continue
                try:
                    change = plan_line_change(list(members.values()), working, person_id, kind, lead_id, day, span)
                except ValidationError as refusal:
                    problem = f"{label}: {refusal.message}"
                    if any(ln.person_id == person_id and ln.kind == kind and ln.effective_from == day
                           for ln in working):
                        problem += SAME_DAY_LINE  # the rules' advice, "choose a later date", is not the file's
                    retry.append((item, problem))
                    continue
                started = replace(change.started, id=next(started_ids))
                working = [change.ended if ln is current and change.ended else ln for ln in working] + [started]
                ended = ((current.id, current.effective_to, change.ended.effective_to)
                         if current is not None and change.ended is not None else None)
                was = members[current.lead_id].name if current is not None and current.lead_id in members else "none"
                steps.setdefault(index, []).append((
                    _LineStep(str(kind), person_id, lead_id, started.effective_from, started.effective_to, ended),
                    f"{kind.lead_words} {was} → {lead.name} from {format_day(day)}"))
                notices.extend(w.message for w in change.warnings if w.message not in notices)
            if len(retry) == len(pending):
                for (index, *_), problem in retry:
                    newly_refused.setdefault(index, []).append(problem)
                break
            pending = [item for item, _problem in retry]
        if not newly_refused:
            return refused, steps, notices
        refused.update(newly_refused)


# Why a line a staff list changed today cannot be changed again today, and what to do about it.
SAME_DAY_LINE = (" A line changes at most once a day: if a list imported earlier today was wrong, take it back out "
                 "with Edit > Undo and import the corrected one; otherwise import this list again tomorrow.")

# Why a team the preview found new cannot be added when the import is applied.
TEAM_ADDED_SINCE = ("It was added after this import was previewed, so nothing was imported. Preview the import "
                    "again: the people the file places in it then join it.")


def _names(names: Sequence[str], most: int = 5) -> str:
    """'Ann Lee', 'Ann Lee and Bo Li', 'Ann Lee, Bo Li, ... and 3 others'."""
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most:,} others"
    return listed(names)


def _changed_since_preview(session: Session, plan: _StaffPlan) -> str:
    """Why the plan can no longer be applied as previewed, or "": a person it changes or flags, or a line it ends,
    has changed since, or someone else has recorded a person it adds. Writing the file's view over theirs would
    lose their change; the database's unique number would refuse the new person anyway, less plainly."""
    changed = [person.full_name if person else f"person {person_id}"
               for person_id, version in plan.seen.items()
               if (person := session.get(Person, person_id)) is None or person.version != version]
    for step in plan.lines:
        line = session.get(ReportingLine, step.ended[0]) if step.ended is not None else None
        if step.ended is not None and (line is None or line.effective_to != step.ended[1]):
            person = session.get(Person, step.person_id)
            changed.append(person.full_name if person else f"person {step.person_id}")
    numbers = [values["employee_number"] for values in plan.new_people if values["employee_number"] is not None]
    added = list(session.scalars(select(Person.full_name).where(Person.employer_id == plan.organisation_id,
                                                                Person.employee_number.in_(numbers))))
    # People new in the file with no number are new by their name: no one of that name was recorded at the employer
    # when previewed, with a number or without, so anyone of it now was recorded since.
    unnumbered = {name_key(values["full_name"]) for values in plan.new_people if values["employee_number"] is None}
    if unnumbered:
        recorded = session.scalars(select(Person.full_name).where(Person.employer_id == plan.organisation_id))
        added += [name for name in recorded if name_key(name) in unnumbered]
    said = []
    if changed:
        said.append(f"{_names(sorted(set(changed)))} changed here")
    if added:
        said.append(f"{_names(sorted(set(added)))} {'was' if len(set(added)) == 1 else 'were'} recorded by someone "
                    "else")
    return f"{' and '.join(said)} after the staff list was previewed, so nothing was imported." if said else ""


def _check_lines_as_written(session: Session, line_ids: Sequence[int]) -> None:
    """Refuse the import if a line it starts breaks a rule beside the lines and people as they are now.

    The preview checked them against the lines then, but on a shared database someone may change lines between the
    preview and Import without touching anyone the list changes: making Tom Priya's manager, when the list makes
    Priya Tom's, would otherwise record a loop; recording Priya as leaving, an open line that outlasts her."""
    if not line_ids:
        return
    members, lines = staff_and_lines(session)
    written = set(line_ids)
    for line in (ln for ln in lines if ln.id in written):
        try:  # only lines of its own kind bear on a line (a whole staff list's first import checks thousands)
            check_line(members, [other for other in lines if other.kind == line.kind and other.id != line.id], line)
        except ValidationError as error:
            raise JointleadError(f"Reporting lines were changed here after the staff list was previewed, so nothing "
                                 f"was imported: {error.message}",
                                 "Preview the import again: it then plans the lines from the lines as they are "
                                 "now.") from error


def _write_staff(uow: UnitOfWork, plan: _StaffPlan) -> dict[str, Any]:
    """Apply the plan; return what undo needs to put every field, line and team back."""
    session = uow.session
    refusal = _changed_since_preview(session, plan)
    if refusal:
        raise JointleadError(refusal, "Preview the import again: it then shows their records as they are now.")
    record = Recorder(uow, "import_staff")
    teams = {_temp_id(index): record_team(record, name, TEAM_ADDED_SINCE).id
             for index, name in enumerate(plan.new_teams)}
    added_ids = []
    for values in plan.new_people:
        person = Person(**values | {"team_id": teams.get(values["team_id"], values["team_id"])})
        session.add(person)
        session.flush()
        added_ids.append(person.id)
    updates = [(person_id, {attribute: (old, teams.get(new, new) if attribute == "team_id" else new)
                            for attribute, (old, new) in differences.items()})
               for person_id, differences in plan.updates]
    for person_id, differences in updates:
        person = session.get(Person, person_id)
        for attribute, (_old, new) in differences.items():
            setattr(person, attribute, new)
    for person_id in plan.flagged:
        session.get(Person, person_id).missing_from_hr_since = plan.today
    real = dict(zip(plan.temp_ids, added_ids, strict=True))
    ended, started = [], []
    for step in plan.lines:
        if step.ended is not None:
            line_id, old_end, new_end = step.ended
            session.get(ReportingLine, line_id).effective_to = new_end
            ended.append([line_id, _json(old_end), _json(new_end)])
        line = ReportingLine(kind=step.kind, person_id=real.get(step.person_id, step.person_id),
                             lead_id=real.get(step.lead_id, step.lead_id), effective_from=step.effective_from,
                             effective_to=step.effective_to, note=f"from the staff list {plan.source_file}".strip())
        session.add(line)
        session.flush()
        started.append([line.id, _json(line.effective_to)])
    _check_lines_as_written(session, [line_id for line_id, _end in started])
    detail: dict[str, Any] = {
        "added": added_ids,
        "changed": {str(pid): {a: [_json(o), _json(n)] for a, (o, n) in d.items()} for pid, d in updates},
        "flagged": list(plan.flagged)}
    if teams:
        detail["teams"] = list(teams.values())
    if ended or started:
        detail["lines"] = {"ended": ended, "started": started}
    return detail


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _undo_staff_lines(session: Session, detail: Mapping[str, Any]) -> None:
    """Remove the lines the import started and give the lines it ended their old ends, unless changed since."""
    started = [(line_id, _as_date(end)) for line_id, end in detail.get("started", [])]
    ended = [(line_id, _as_date(old), _as_date(new)) for line_id, old, new in detail.get("ended", [])]
    for line_id, end in started:
        line = session.get(ReportingLine, line_id)
        later = line is not None and session.scalar(select(ReportingLine.id).where(
            ReportingLine.person_id == line.person_id, ReportingLine.kind == line.kind,
            ReportingLine.effective_from > line.effective_from).limit(1))
        if line is None or line.effective_to != end or later:
            raise JointleadError("A line this import started has been changed or followed by another since.",
                                 "Undo those changes to the lines first, or keep the import.")
    for line_id, _old, new in ended:
        line = session.get(ReportingLine, line_id)
        if line is None or line.effective_to != new:
            raise JointleadError("A line this import ended has been changed since.",
                                 "Undo that change first, or keep the import.")
    if started:
        session.execute(delete(ReportingLine).where(ReportingLine.id.in_([i for i, _ in started])))
    for line_id, old, _new in ended:
        session.get(ReportingLine, line_id).effective_to = old


def _undo_staff(uow: UnitOfWork, detail: Mapping[str, Any], undoes: int | None) -> None:
    """Put back what `_write_staff` changed; the teams it added are removed, audited as undoing the import."""
    session = uow.session
    dated = {"start_date", "leave_date", "missing_from_hr_since"}
    changed = {int(person_id): differences for person_id, differences in detail.get("changed", {}).items()}
    # Putting the list's old values back over a field edited here since would silently lose that edit.
    edited = [person.full_name if person else f"person {person_id}"
              for person_id, differences in changed.items()
              if (person := session.get(Person, person_id)) is None
              or any(_json(getattr(person, attribute)) != new for attribute, (_old, new) in differences.items())]
    # Removing someone it added would lose an edit made to them since just the same (each edit moves the version on).
    edited += sorted(session.scalars(select(Person.full_name).where(Person.id.in_(detail.get("added", [])),
                                                                    Person.version > 1)))
    if edited:
        raise JointleadError(f"{_names(sorted(edited))} {'has' if len(edited) == 1 else 'have'} been changed here "
                             "since this staff list was imported, so it cannot be undone without losing that.",
                             "Undo those changes first, or keep the import and correct the records by hand.")
    _undo_staff_lines(session, detail.get("lines", {}))
    for person_id in detail.get("flagged", []):
        session.get(Person, person_id).missing_from_hr_since = None
    for person_id, differences in changed.items():
        person = session.get(Person, person_id)
        for attribute, (old, _new) in differences.items():
            setattr(person, attribute, date.fromisoformat(old) if attribute in dated and old else old)
    added = detail.get("added", [])
    # Whatever now points at them (the import's own lines are undone above): removing them would take it too, or
    # clear its link, with no audit entry.
    pointing = pointing_at(session, Person.__table__, added)
    if pointing:
        raise StillPointedAt(f"People added by this import have since been linked to {records_in_words(pointing)}, "
                             "so the import cannot be undone.", "Remove those first and undo it again, or keep the "
                             "import.")
    if added:
        session.execute(delete(Person).where(Person.id.in_(added)))
    # Locked (on a server) until the undo commits, so nobody places a person in one between the check and its removal.
    teams = [session.get(Team, team_id, with_for_update=True) for team_id in detail.get("teams", [])]
    if teams and session.scalar(select(Person.id).where(Person.team_id.in_([t.id for t in teams])).limit(1)):
        raise StillPointedAt("People have since been placed in a team this import added.",
                             "Move them to another team first and undo it again, or keep the import.")
    record = Recorder(uow, "undo_import_staff")
    record.undoes = undoes
    for team in teams:
        record.delete(team)


# --- supervision tracker -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _SupervisionPlan:
    columns: Mapping[str, str]
    inserts: tuple[dict[str, Any], ...]  # supervision_session columns
    updates: tuple[tuple[int, dict[str, tuple[Any, Any]]], ...]  # session id, {attribute: (old, new)}
    # For each (supervisee, type, day) a row adds a session on: the sessions recorded then at the preview.
    known: Mapping[tuple[int, str, date], tuple[int, ...]] = field(default_factory=dict)
    organisation_id: None = None  # a tracker can cover people of both organisations


def preview_supervision_import(database: Database, path: Path, *, overrides: Mapping[str, str] | None = None,
                               sheet: str | None = None, today: date | None = None,
                               progress: Progress | None = None) -> ImportPreview:
    """What importing this supervision tracker would do; nothing is written."""
    today = today or date.today()
    source = open_source(path)
    try:
        return _preview_supervision(source, database, path, overrides=overrides, sheet=sheet, today=today,
                                    progress=progress)
    finally:
        source.close()  # the reading process, if any, goes now rather than when collected


def _session_subject(name: str, kind: str, day: date) -> str:
    return f"{name} · {kind} · {day:%d/%m/%Y}"


def _preview_supervision(source: SourceFile, database: Database, path: Path, *,
                         overrides: Mapping[str, str] | None, sheet: str | None, today: date,
                         progress: Progress | None) -> ImportPreview:
    with database.session() as session:
        layout = _layout(session, source, SUPERVISION, None, sheet, overrides)
        recorded, _lines = staff_and_lines(session)
        people = _People({m.id: m for m in recorded})
        arrangements: dict[int, list[tuple[str, int | None, date, date | None]]] = {}
        for a in session.scalars(select(SupervisionArrangement)):
            arrangements.setdefault(a.supervisee_id, []).append(
                (a.supervision_type, a.supervisor_id, a.start_date, a.end_date))
        existing: dict[tuple[int, str, date], list[Any]] = {}  # a supervisee's sessions of a type on a day
        for s in session.execute(select(SupervisionSession.id, SupervisionSession.supervisee_id,
                                        SupervisionSession.supervision_type, SupervisionSession.session_date,
                                        SupervisionSession.supervisor_id, SupervisionSession.status,
                                        SupervisionSession.duration_minutes).order_by(SupervisionSession.id)):
            existing.setdefault((s.supervisee_id, s.supervision_type, s.session_date), []).append(s)
        ids_at_preview = {key: [s.id for s in sessions] for key, sessions in existing.items()}
        fallback_owner = session.scalar(select(Organisation.code).order_by(Organisation.code).limit(1)) or ""

    tally = _Tally(progress)
    seen: dict[tuple[int, str, date, int | None], str] = {}
    added: list[Change] = []
    changed: list[Change] = []
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
    matched_supervisees: list[int] = []
    unchanged = 0
    for row in tally.typed(supervision_rows(layout)):
        where = cell_reference(row.sheet, row.row)
        day = row.session_date
        problems: list[str] = []
        supervisee_id, problem = people.find_numbered(row.supervisee_number, row.supervisee, day)
        if supervisee_id is None:
            problems.append(f"Supervisee: {problem[0].upper()}{problem[1:]}")
        supervisor_id: int | None = None
        if row.supervisor:
            supervisor_id, problem = people.find(row.supervisor, day)
            if supervisor_id is None:
                problems.append(f"Supervisor: {problem[0].upper()}{problem[1:]}")
            elif not (supervisor := people.members[supervisor_id]).active_on(day):
                why = out_of_post(supervisor.start_date, supervisor.leave_date, day)
                problems.append(f"Supervisor: {supervisor.name} {why}, so cannot have held a session on "
                                f"{format_day(day)}.")
        if day > today:
            problems.append(f"A session on {format_day(day)} is in the future: record it once it has happened.")
        kind = row.supervision_type
        if supervisee_id is not None:
            person = people.members[supervisee_id]
            if not person.active_on(day):
                why = out_of_post(person.start_date, person.leave_date, day)
                problems.append(f"{person.name} {why}, so was not in post on {format_day(day)}.")
            in_force = [a for a in arrangements.get(supervisee_id, ())
                        if a[2] <= day and (a[3] is None or day <= a[3])]
            if kind is None:
                kinds = sorted({a[0] for a in in_force})
                if len(kinds) == 1:
                    kind = kinds[0]
                else:
                    problems.append(f"Type: no type given, and {person.name} has "
                                    f"{'no supervision arranged' if not kinds else 'more than one type arranged'} "
                                    f"on {format_day(day)}: give the type.")
            if kind is not None and supervisor_id is None and not row.supervisor:
                # As on the Supervision page: the supervisor arranged for the type, unless another is named.
                supervisor_id = next((a[1] for a in sorted(in_force, key=lambda a: a[2], reverse=True)
                                      if a[0] == kind), None)
            if supervisor_id is not None and supervisor_id == supervisee_id:
                problems.append("Nobody supervises themselves: check the supervisor.")
        if problems:
            tally.rejected.append(RejectedRow(where, tuple(problems), row.cells))
            continue
        assert supervisee_id is not None and kind is not None
        name = people.members[supervisee_id].name
        subject = _session_subject(name, kind, day)
        if tally.repeated(seen, (supervisee_id, kind, day, supervisor_id), where, "The session",
                          f"{subject} with {_supervisor_name(people, supervisor_id)}"):
            continue
        # The session recorded for them that day, of that type: the one with this supervisor, else (a tracker's
        # blank Supervisor cell, or cover noted since) the earliest, so the same tracker matches the same sessions.
        matches = existing.get((supervisee_id, kind, day))
        if matches:
            old = next((m for m in matches if m.supervisor_id == supervisor_id), matches[0])
            matches.remove(old)
            named = supervisor_id if row.supervisor else None  # a blank cell changes nothing
            differences = {attribute: (was, now) for attribute, was, now in (
                ("status", old.status, row.status), ("duration_minutes", old.duration_minutes, row.duration_minutes),
                ("supervisor_id", old.supervisor_id, named)) if now is not None and was != now}
            matched_supervisees.append(supervisee_id)
            if not differences:
                unchanged += 1
                continue
            updates.append((old.id, differences))
            changed.append(Change(where, subject, "; ".join(
                f"supervisor {_supervisor_name(people, was)} → {_supervisor_name(people, now)}"
                if attribute == "supervisor_id"
                else f"{attribute.replace('_minutes', '').replace('_', ' ')} {_shown(was)} → {_shown(now)}"
                for attribute, (was, now) in differences.items())))
            continue
        inserts.append({"supervisee_id": supervisee_id, "supervisor_id": supervisor_id, "supervision_type": kind,
                        "session_date": day, "duration_minutes": row.duration_minutes, "status": row.status})
        length = f", {row.duration_minutes} min" if row.duration_minutes else ""
        added.append(Change(where, subject, f"{row.status}, with {_supervisor_name(people, supervisor_id)}{length}"))

    adds_to = {(i["supervisee_id"], i["supervision_type"], i["session_date"]) for i in inserts}
    plan = _SupervisionPlan({name: layout.header_of(name) for name in layout.columns}, tuple(inserts),
                            tuple(updates), {key: tuple(ids_at_preview.get(key, ())) for key in adds_to})
    # Whose tracker it is, for the cover of the rejected-rows workbook: the employer of most of its supervisees.
    employers = Counter(people.members[i["supervisee_id"]].employer for i in inserts)
    employers.update(people.members[i].employer for i in matched_supervisees)
    owner = min(employers.items(), key=lambda item: (-item[1], item[0]))[0] if employers else fallback_owner
    return ImportPreview(
        kind="supervision", organisation=owner, path=path, sha256=source.sha256, sheet=layout.sheet.name,
        header_row=layout.header_row, headers=layout.headers, mapping=_mapping(layout, SUPERVISION),
        period_label="", rows_read=tally.rows_read, added=tuple(added), changed=tuple(changed), removed=(),
        unchanged=unchanged, unmapped=0, rejected=tuple(tally.rejected), net_total_pence=None,
        notices=tuple(source.notices), plan=plan)


def _supervisor_name(people: _People, supervisor_id: int | None) -> str:
    return people.members[supervisor_id].name if supervisor_id is not None else "no supervisor named"


def _write_supervision(session: Session, plan: _SupervisionPlan) -> dict[str, Any]:
    """Apply the plan; return what undo needs: the sessions added, and the old values of those changed."""
    who = os_user()
    # A session recorded since the preview on a day a row adds one (by hand, or by someone else on a shared
    # database) may be the same session: adding the row as previewed could record it twice.
    supervisees = sorted({key[0] for key in plan.known})
    for ids in _chunks(supervisees):
        for recorded in session.execute(select(SupervisionSession.id, SupervisionSession.supervisee_id,
                                               SupervisionSession.supervision_type, SupervisionSession.session_date
                                               ).where(SupervisionSession.supervisee_id.in_(ids))):
            key = (recorded.supervisee_id, recorded.supervision_type, recorded.session_date)
            if key in plan.known and recorded.id not in plan.known[key]:
                raise ImportRejected("A supervision session has been recorded since the tracker was previewed, on a "
                                     "day one of its rows adds a session, so nothing was imported.",
                                     "Import the tracker again: its preview then matches its rows to the sessions "
                                     "as they are.")
    rows = [SupervisionSession(**values, recorded_by=who) for values in plan.inserts]
    session.add_all(rows)
    for session_id, differences in plan.updates:
        recorded = session.get(SupervisionSession, session_id)
        # Removed or changed since the preview (on the Supervision page, or by someone else on a shared database):
        # the preview's changes were worked out from what is no longer there.
        if recorded is None or any(getattr(recorded, attribute) != old
                                   for attribute, (old, _new) in differences.items()):
            raise ImportRejected("A supervision session this tracker changes has been changed or removed since the "
                                 "tracker was previewed, so nothing was imported.",
                                 "Import the tracker again: its preview then starts from the sessions as they are.")
        for attribute, (_old, new) in differences.items():
            setattr(recorded, attribute, new)
    session.flush()
    return {"added": [r.id for r in rows],
            "changed": {str(sid): {a: [o, n] for a, (o, n) in d.items()} for sid, d in plan.updates}}


def _undo_supervision(session: Session, detail: Mapping[str, Any]) -> None:
    for session_id, differences in detail.get("changed", {}).items():
        recorded = session.get(SupervisionSession, int(session_id))
        if recorded is None:
            continue  # removed since, on the Supervision page: nothing to put back
        for attribute, (old, _new) in differences.items():
            setattr(recorded, attribute, old)
    for ids in _chunks(list(detail.get("added", []))):
        session.execute(delete(SupervisionSession).where(SupervisionSession.id.in_(ids)))


# --- describing a file for the wizard ----------------------------------------------------------------

SAMPLE_ROWS = 20


def describe_source(database: Database, path: Path, kind: str, organisation_code: str, *,
                    year: FinancialYear | None = None, sheet: str | None = None,
                    overrides: Mapping[str, str] | None = None, today: date | None = None) -> SourceDescription:
    """The file as the import will read it with this mapping, for the user to check before previewing."""
    source = open_source(path)
    try:
        return _describe(source, database, path, kind, organisation_code, year=year, sheet=sheet,
                         overrides=overrides, today=today)
    finally:
        source.close()  # the reading process, if any, goes now rather than when collected


def _describe(source: SourceFile, database: Database, path: Path, kind: str, organisation_code: str, *,
              year: FinancialYear | None, sheet: str | None, overrides: Mapping[str, str] | None,
              today: date | None) -> SourceDescription:
    problem = ""
    with database.session() as session:
        organisation = None if kind == "supervision" else _organisation(session, organisation_code)
        if kind == "supervision":
            record = SUPERVISION
        elif kind == "ledger":
            # The same year the preview will read into, so the sample shows the periods it will import.
            agreement = _agreement_for(session, organisation)
            record = ledger_kind(_ledger_year(database, session, agreement, year, today))
        else:
            record = STAFF
        try:
            layout = _layout(session, source, record, organisation, sheet, overrides)
        except FileRefused as refused:
            # Show the best guess with what is missing, so the user can finish the mapping by hand (saying how in
            # the wizard's words, not the command line's).
            advice = (f"{refused.found} Choose the column that holds each one above, or go Back to choose another "
                      "file." if isinstance(refused, ColumnsNotFound) else refused.advice)
            problem = f"{refused.message} {advice}".strip()
            layout = _best_guess(source, record, sheet, overrides or {})
    mapped = {name: layout.headers[column] for name, column in layout.columns.items()}
    fields = tuple(FieldChoice(f.name, f.label, f.required, mapped.get(f.name)) for f in record.fields)
    sample = []
    for row in read_rows(layout, record):
        cells = []
        for choice in fields:
            problems = [p.message for p in row.problems if p.column == layout.columns.get(choice.name)]
            value = row.values.get(choice.name)
            cells.append(SampleCell(_sample_text(value), problems[0] if problems and choice.header else None))
        sample.append((row.row, tuple(cells)))
        if len(sample) == SAMPLE_ROWS:
            break
    return SourceDescription(tuple(s.name for s in source.sheets), layout.sheet.name, layout.header_where,
                             layout.headers, fields, tuple(sample), problem, source.notices)


def _best_guess(source: SourceFile, record: RecordKind, sheet: str | None,
                overrides: Mapping[str, str]) -> TableLayout:
    """The sheet asked for, else the one whose header names most fields, with what could be matched. Columns named
    by hand (`overrides`, as `find_table` takes them) count in finding the header, as in `find_table`, and are kept:
    the wizard describes the file after each column is named, and with others still to name, a header of names
    jointlead does not know was not found, and the columns named so far were dropped."""
    if sheet is not None:
        chosen = next((s for s in source.sheets if s.name == sheet), source.sheets[0])
    else:
        scores = [(fields_named(found.headers, record, overrides) if (found := locate_header(s, record, overrides))
                   else 0, -i, s) for i, s in enumerate(source.sheets)]
        chosen = max(scores, key=lambda item: item[:2])[2]
    found = locate_header(chosen, record, overrides)
    header_row, headers, header_rows, header_cells = found or (1, tuple(str(c) for c in (chosen.head(1) or [[]])[0]),
                                                               1, ())
    columns = {f.name: i for f in record.fields for i, h in enumerate(headers) if h and f.matches(h)}
    for f in (f for f in record.fields if f.name in overrides):
        # Named by hand: the first column so headed, or none where the user said the file does not hold it.
        wanted = normalise_header(overrides[f.name])
        at = next((i for i, h in enumerate(headers) if h and wanted and normalise_header(h) == wanted), None)
        columns.pop(f.name, None)
        if at is not None:
            columns[f.name] = at
    return TableLayout(chosen, header_row, headers, columns, header_rows, header_cells)


def _sample_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- apply and undo ----------------------------------------------------------------------------------

REJECTED_NAMED = 20  # rows left out whose places an import's audit entry keeps


def apply_import(database: Database, preview: ImportPreview, *, accept_valid: bool = False,
                 progress: Progress | None = None) -> ImportResult:
    """Write a previewed import in one transaction: every accepted row, or nothing."""
    if preview.rejected and not accept_valid:
        raise ImportRejected(
            f"{len(preview.rejected)} of {preview.rows_read} rows have problems, so nothing was imported.",
            "Fix the file and import it again, or import only the valid rows (--accept-valid); the rejected rows "
            "are then listed in a workbook for you to send back.")
    if preview.accepted == 0:
        raise ImportRejected("The file has no rows that can be imported.", "Check this is the right file.")
    if preview.partner_warning and not preview.partner_confirmed:
        raise ImportRejected(f"{preview.partner_warning} Nothing was imported.",
                             f"Check whose extract it is. If it is {preview.organisation}'s all the same, confirm "
                             "that (--yes at the command line, or the tick in the import wizard's preview); "
                             "otherwise import it as the partner's whose it is.")
    if not preview.changes_anything:
        # Re-importing the same extract changes nothing, and leaves nothing behind to undo.
        return ImportResult(None, 0, 0, 0, preview.unchanged, preview.unmapped, len(preview.rejected))
    plan = preview.plan
    with UnitOfWork(database) as uow:
        organisation = (uow.session.get(Organisation, plan.organisation_id)
                        if plan.organisation_id is not None else None)
        batch = _batch(preview.kind, organisation, preview, json.dumps(dict(plan.columns), sort_keys=True))
        uow.session.add(batch)
        uow.session.flush()
        detail: dict[str, Any] = {}
        if isinstance(plan, _LedgerPlan):
            _refuse_if_closed_since(uow.session, plan)
            _write_ledger(uow.session, plan, batch.id, progress)
        elif isinstance(plan, _SupervisionPlan):
            detail = _write_supervision(uow.session, plan)
        else:
            detail = _write_staff(uow, plan)
        if plan.organisation_id is not None:
            _save_profile(uow.session, plan.organisation_id, preview.kind, plan.columns)
        uow.audit(f"import_{preview.kind}", "import_batch", batch.id, {
            "file": (None, preview.path.name), "sha256": (None, preview.sha256),
            "added": (0, len(preview.added)), "changed": (0, len(preview.changed)),
            "removed": (0, len(preview.removed)), "rejected": (0, len(preview.rejected)),
            # Where the first rows left out were, so that what still lacks them can say which (a checklist).
            **({"rejected_at": (None, [row.reference for row in preview.rejected[:REJECTED_NAMED]])}
               if preview.rejected else {}),
            **({"detail": (None, detail)} if detail else {})})
        uow.commit()
        return ImportResult(batch.id, len(preview.added), len(preview.changed), len(preview.removed),
                            preview.unchanged, preview.unmapped, len(preview.rejected))


def with_partner_confirmed(preview: ImportPreview) -> ImportPreview:
    """The preview once the user has said the extract is its partner's, though it looks like another's
    (`partner_warning`): it can then be applied, and redone after an undo, as it stands."""
    return replace(preview, partner_confirmed=True)


def _refuse_if_closed_since(session: Session, plan: _LedgerPlan) -> None:
    """A month closed since the preview (by Close month…, or on a shared server by someone else) is not written into
    now: its agreed figures never had these postings. Checked in the import's own change, so no close comes between
    (on a shared server, the months lock: store/uow.py)."""
    closed = sorted(plan.months & closed_months(session, plan.agreement_id, plan.year))
    if closed:
        months = listed([f"M{period}" for period in closed])
        raise ImportRejected(f"{months} {FinancialYear(plan.year).label} {'has' if len(closed) == 1 else 'have'} "
                             "been closed since this extract was previewed, and importing it would change "
                             f"{'that month' if len(closed) == 1 else 'those months'}, so nothing was imported.",
                             "Import the extract again: its preview then leaves closed months as they were agreed.")


def preview_for_redo(database: Database, preview: ImportPreview) -> ImportPreview:
    """Once its import is undone, the preview as Redo applies it again: the people the undo put back are as the
    preview read them, at the versions the undo left them. (Their versions when previewed are gone, so a redo of
    the preview itself was always refused as changed here; a change made after the undo is still refused.)"""
    plan = preview.plan
    if not isinstance(plan, _StaffPlan) or not plan.seen:
        return preview
    with database.session() as session:
        now = dict(session.execute(select(Person.id, Person.version).where(Person.id.in_(list(plan.seen)))).all())
    return replace(preview, plan=replace(plan, seen=now))


def undo_import(database: Database, batch_id: int) -> None:
    """Take a whole import back out. The batch and its audit entry stay; a new audit entry records the undo."""
    with UnitOfWork(database) as uow:
        batch = uow.session.get(ImportBatch, batch_id)
        if batch is None or batch.undone_at is not None:
            raise JointleadError("That import has already been undone.", "")
        later = uow.session.scalar(select(ImportBatch).where(
            ImportBatch.kind == batch.kind, ImportBatch.organisation_id == batch.organisation_id,
            ImportBatch.id > batch.id, ImportBatch.undone_at.is_(None)).order_by(ImportBatch.id.desc()).limit(1))
        if later is not None:
            raise JointleadError(f"{later.file_name} was imported after {batch.file_name}.",
                                 "Undo the later import first: imports are undone newest first.")
        entry = uow.session.scalar(select(AuditEntry).where(
            AuditEntry.entity == "import_batch", AuditEntry.entity_id == batch.id,
            AuditEntry.verb == f"import_{batch.kind}"))
        if batch.kind == "ledger":
            _undo_ledger(uow.session, batch.id)
        else:
            changes = json.loads(entry.changes_json) if entry else {}
            detail = changes.get("detail", [None, {}])[1] or {}
            if batch.kind == "supervision":
                _undo_supervision(uow.session, detail)
            else:
                _undo_staff(uow, detail, entry.id if entry else None)
        batch.undone_at = datetime.now(UTC).replace(tzinfo=None)
        batch.undone_by = os_user()
        uow.audit(f"undo_import_{batch.kind}", "import_batch", batch.id, {"undone": (False, True)},
                  undoes=entry.id if entry else None)
        uow.commit()
