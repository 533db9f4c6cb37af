"""Imports: read a partner's file, preview exactly what would change, apply it in one transaction, undo it whole."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.domain.ledger import LedgerCodeMapping, match_budget_line, posting_fingerprint
from jointlead.domain.money import format_money
from jointlead.exchange.ledger import LedgerRow, ledger_kind, ledger_rows
from jointlead.exchange.problems import FileRefused
from jointlead.exchange.reading import SourceFile, open_source
from jointlead.exchange.staff import STAFF, staff_rows
from jointlead.exchange.tables import RecordKind, SourceRow, TableLayout, find_table, locate_header, read_rows
from jointlead.store.bulk import BulkInsert
from jointlead.store.database import Database
from jointlead.store.models import (
    IN_FORCE,
    Action,
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


Progress = Callable[[int, int], None]  # (done, total); total is 0 while the total is not known yet
PROGRESS_EVERY = 1000


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
    period_label: str  # the financial year read into, or "" where years do not apply
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

    @property
    def accepted(self) -> int:
        return self.rows_read - len(self.rejected)

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


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
    header_row: int
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


def _layout(session: Session, source: SourceFile, kind: RecordKind, organisation: Organisation,
            sheet: str | None, overrides: Mapping[str, str] | None) -> TableLayout:
    """The user's own mapping first, then last month's saved profile, then matching by synonyms."""
    if overrides:
        return find_table(source, kind, sheet_name=sheet, overrides=overrides)
    saved = session.scalar(select(MappingProfile.mapping_json).where(
        MappingProfile.organisation_id == organisation.id, MappingProfile.kind == kind.name))
    if saved:
        try:
            return find_table(source, kind, sheet_name=sheet, overrides=json.loads(saved))
        except FileRefused:
            pass  # this month's layout differs from the saved one: fall back to matching by synonyms
    return find_table(source, kind, sheet_name=sheet)


def _mapping(layout: TableLayout, kind: RecordKind) -> tuple[tuple[str, str], ...]:
    return tuple((kind.field(name).label, layout.header_of(name)) for name in layout.columns)


def _rejected(row: SourceRow) -> RejectedRow:
    return RejectedRow(f"{row.sheet}!{row.row}", tuple(str(p) for p in row.problems), row.cells)


@dataclass
class _Tally:
    """Counts the rows read, reports progress, and sets aside the rejected ones, for every kind of import."""

    progress: Progress | None
    rows_read: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def typed(self, rows: Iterable[T | SourceRow]) -> Iterator[T]:
        for row in rows:
            self.rows_read += 1
            if self.progress and self.rows_read % PROGRESS_EVERY == 0:
                self.progress(self.rows_read, 0)
            if isinstance(row, SourceRow):
                self.rejected.append(_rejected(row))
            else:
                yield row

    def repeated(self, seen: dict[str, str], key: str, where: str, what: str) -> bool:
        """True (and the row rejected) when the file already had this id; otherwise remembers where it was."""
        if key in seen:
            self.rejected.append(RejectedRow(where, (f"{what} {key} appears twice in the file (first at "
                                                     f"{seen[key]}).",), ()))
            return True
        seen[key] = where
        return False


def _batch(kind: str, organisation: Organisation, preview: ImportPreview, layout_json: str) -> ImportBatch:
    return ImportBatch(kind=kind, organisation_id=organisation.id, file_name=preview.path.name,
                       sha256=preview.sha256, sheet=preview.sheet, mapping_json=layout_json,
                       rows_read=preview.rows_read, added=len(preview.added), changed=len(preview.changed),
                       unchanged=preview.unchanged, rejected=len(preview.rejected), unmapped=preview.unmapped,
                       imported_at=datetime.now(UTC).replace(tzinfo=None), imported_by=os_user())


def _save_profile(session: Session, organisation_id: int, kind: str, columns: Mapping[str, str]) -> None:
    text = json.dumps(dict(columns), sort_keys=True, ensure_ascii=False)
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
    # Compact, because an extract can hold half a million postings: the rows to insert, each with its budget line
    # (None: unmapped) and its fingerprint ("" for a posting with a transaction id).
    inserts: Sequence[LedgerRow]
    lines: Sequence[int | None]
    fingerprints: Sequence[str]
    superseded: tuple[int, ...]  # ids of rows in force that this import replaces or no longer holds


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


def _locked_periods(session: Session, agreement_id: int, year: int) -> set[int]:
    return set(session.scalars(select(PeriodClose.period).where(
        PeriodClose.agreement_id == agreement_id, PeriodClose.year == year, PeriodClose.unlocked_on.is_(None))))


def _default_year(session: Session, agreement_id: int, today: date) -> FinancialYear:
    """The year of the first period still open after the last close: where this month's extract belongs."""
    row = session.execute(select(PeriodClose.year, PeriodClose.period).where(
        PeriodClose.agreement_id == agreement_id, PeriodClose.unlocked_on.is_(None))
        .order_by(PeriodClose.year.desc(), PeriodClose.period.desc()).limit(1)).first()
    if row is None:
        return FinancialYear.containing(today)
    return FinancialYear(row.year + 1) if row.period == 12 else FinancialYear(row.year)


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
        year = year or _default_year(session, agreement.id, today or date.today())
        kind = ledger_kind(year)
        layout = _layout(session, source, kind, organisation, sheet, overrides)
        locked = _locked_periods(session, agreement.id, year.start_year)
        mappings = [LedgerCodeMapping(m.budget_line_id, m.cost_centre, m.subjective_pattern)
                    for m in session.scalars(select(LedgerMapping)
                                             .join(BudgetLine, BudgetLine.id == LedgerMapping.budget_line_id)
                                             .where(LedgerMapping.organisation_id == organisation.id,
                                                    BudgetLine.agreement_id == agreement.id))]
        existing = session.execute(
            select(LedgerTransaction.id, LedgerTransaction.transaction_ref, LedgerTransaction.fingerprint,
                   LedgerTransaction.period, LedgerTransaction.cost_centre, LedgerTransaction.subjective,
                   LedgerTransaction.amount_pence, LedgerTransaction.description, LedgerTransaction.posting_date,
                   LedgerTransaction.budget_line_id)
            .where(IN_FORCE, LedgerTransaction.organisation_id == organisation.id,
                   LedgerTransaction.agreement_id == agreement.id, LedgerTransaction.year == year.start_year,
                   LedgerTransaction.import_batch_id.is_not(None))).all()  # hand-entered rows are no extract's

    partner_code, year_number = organisation.code, year.start_year  # read once, not per row
    tally = _Tally(progress)
    rows: list[LedgerRow] = []
    lines: list[int | None] = []
    seen_refs: set[str] = set()
    without_id = False
    line_for: dict[tuple[str, str], int | None] = {}
    for row in tally.typed(ledger_rows(layout, year, frozenset(locked))):
        ref = row.transaction_ref
        if ref:
            if ref in seen_refs:
                first = next(r for r in rows if r.transaction_ref == ref)  # rare: look back only when it happens
                tally.rejected.append(RejectedRow(f"{row.sheet}!{row.row}", (
                    f"Transaction id {ref} appears twice in the file (first at {first.sheet}!{first.row}).",), ()))
                continue
            seen_refs.add(ref)
        else:
            without_id = True
        codes = (row.cost_centre, row.subjective)
        line = line_for.get(codes, codes)
        if line is codes:  # a month's extract repeats a few hundred code pairs thousands of times
            line = line_for[codes] = match_budget_line(row.cost_centre, row.subjective, mappings)
        rows.append(row)
        lines.append(line)
    del seen_refs
    fingerprints = _fingerprints(rows, partner_code, year_number) if without_id else _NoFingerprints(len(rows))

    by_ref = {r.transaction_ref: r for r in existing if r.transaction_ref}
    by_fingerprint = {r.fingerprint: r for r in existing if not r.transaction_ref}
    added: list[int] = []
    changed: list[tuple[int, Any]] = []
    superseded: list[int] = []
    matched: set[int] = set()
    unchanged = 0
    if existing:
        for index, row in enumerate(rows):
            ref = row.transaction_ref
            old = by_ref.get(ref) if ref else by_fingerprint.get(fingerprints[index])
            if old is None:
                added.append(index)
                continue
            matched.add(old.id)
            if (old.period, old.cost_centre, old.subjective, old.amount_pence, old.description or "",
                    old.posting_date, old.budget_line_id) == (row.period, row.cost_centre, row.subjective,
                                                              row.amount_pence, row.description, row.posting_date,
                                                              lines[index]):
                unchanged += 1
                continue
            superseded.append(old.id)
            changed.append((index, old))
        inserted = sorted([*added, *(index for index, _ in changed)])
        inserts: Sequence[LedgerRow] = [rows[index] for index in inserted]
        insert_lines: Sequence[int | None] = [lines[index] for index in inserted]
        insert_fingerprints: Sequence[str] = [fingerprints[index] for index in inserted]
    else:  # a first import: every row is new, and the rows read are the rows to insert
        added = range(len(rows))  # type: ignore[assignment]
        inserts, insert_lines, insert_fingerprints = rows, lines, fingerprints

    covered = {row.period for row in rows}
    notices = list(source.notices)
    removed: list[Change] = []
    leftovers = [r for r in existing if r.id not in matched and r.period in covered and r.period not in locked]
    if leftovers and tally.rejected:
        notices.append(f"{len(leftovers)} rows imported before are not in this file, but they were kept because "
                       "some rows of the file were rejected. Fix the file and import it again to remove them.")
    elif leftovers:
        for old in leftovers:
            superseded.append(old.id)
            removed.append(Change("(earlier import)", _ledger_subject(old), "no longer in the extract"))

    def new_row(index: int) -> Change:
        row = rows[index]
        return Change(f"{row.sheet}!{row.row}", _ledger_subject(row),
                      "new" if lines[index] else "new, matches no budget line")

    def changed_row(item: tuple[int, Any]) -> Change:
        index, old = item
        row = rows[index]
        return Change(f"{row.sheet}!{row.row}", _ledger_subject(row), _ledger_differences(old, row, lines[index]))

    plan = _LedgerPlan(organisation.id, agreement.id, year.start_year,
                       {name: layout.header_of(name) for name in layout.columns}, path.name, inserts, insert_lines,
                       insert_fingerprints, tuple(superseded))
    return ImportPreview(
        kind="ledger", organisation=organisation.code, path=path, sha256=source.sha256, sheet=layout.sheet.name,
        header_row=layout.header_row, headers=layout.headers, mapping=_mapping(layout, kind),
        period_label=year.label, rows_read=tally.rows_read,
        added=_Changes(added, new_row), changed=_Changes(changed, changed_row), removed=tuple(removed),
        unchanged=unchanged, unmapped=lines.count(None), rejected=tuple(tally.rejected),
        net_total_pence=sum(row.amount_pence for row in rows), notices=tuple(notices), plan=plan)


class _NoFingerprints(Sequence[str]):
    """The fingerprints of an extract whose every posting has a transaction id: all "", without a list of them."""

    __slots__ = ("_length",)

    def __init__(self, length: int) -> None:
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [""] * len(range(*index.indices(self._length)))
        if not -self._length <= index < self._length:
            raise IndexError(index)
        return ""


def _fingerprints(rows: Sequence[LedgerRow], partner_code: str, year: int) -> list[str]:
    """A fingerprint for each posting without a transaction id ("" for the others).

    The fingerprint counts how many identical postings came before it in the file, with an id or without, so only
    the contents of postings without an id need counting.
    """
    def content(row: LedgerRow) -> tuple:
        posted = row.posting_date.isoformat() if row.posting_date else ""
        return (row.period, row.cost_centre, row.subjective, row.amount_pence, row.description, posted)

    wanted = {content(row) for row in rows if not row.transaction_ref}
    occurrences: Counter[tuple] = Counter()
    fingerprints = []
    for row in rows:
        base = content(row)
        if base not in wanted:
            fingerprints.append("")
            continue
        fingerprints.append("" if row.transaction_ref else posting_fingerprint(partner_code, year, *base,
                                                                               occurrences[base]))
        occurrences[base] += 1
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


WRITE_CHUNK = 5000  # rows per executemany: big enough to be fast, small enough to report progress
# In the table's own order, so the driver gets each tuple as it is.
_LEDGER_COLUMNS = ("organisation_id", "agreement_id", "budget_line_id", "import_batch_id", "year", "period",
                   "posting_date", "cost_centre", "subjective", "description", "amount_pence", "transaction_ref",
                   "fingerprint", "source_file", "source_sheet", "source_row")


def _write_ledger(session: Session, plan: _LedgerPlan, batch_id: int, progress: Progress | None) -> None:
    total = len(plan.inserts) + len(plan.superseded)
    done = 0
    # Core executemany of plain tuples: the ORM's bulk path measured several times slower, dictionaries twice.
    insert_rows = BulkInsert(session.connection(), LedgerTransaction.__table__, _LEDGER_COLUMNS)
    posted = insert_rows.converter("posting_date")
    organisation_id, agreement_id, year, source_file = plan.organisation_id, plan.agreement_id, plan.year, \
        plan.source_file
    as_stored: dict[date | None, Any] = {}  # posting dates, converted once each: a month holds a few dozen
    for start in range(0, len(plan.inserts), WRITE_CHUNK):
        stop = start + WRITE_CHUNK
        for row in plan.inserts[start:stop]:
            if row.posting_date not in as_stored:
                as_stored[row.posting_date] = posted(row.posting_date)
        insert_rows([(organisation_id, agreement_id, line, batch_id, year, row.period, as_stored[row.posting_date],
                      row.cost_centre, row.subjective, row.description, row.amount_pence, row.transaction_ref,
                      fingerprint, source_file, row.sheet, row.row)
                     for row, line, fingerprint in zip(plan.inserts[start:stop], plan.lines[start:stop],
                                                       plan.fingerprints[start:stop], strict=True)])
        done += min(stop, len(plan.inserts)) - start
        if progress:
            progress(done, total)
    for ids in _chunks(list(plan.superseded)):
        session.execute(update(LedgerTransaction).where(LedgerTransaction.id.in_(ids))
                        .values(removed_by_batch_id=batch_id))
        done += len(ids)
        if progress:
            progress(done, total)


def _undo_ledger(session: Session, batch_id: int) -> None:
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
class _StaffPlan:
    organisation_id: int
    columns: Mapping[str, str]
    today: date
    new_people: tuple[dict[str, Any], ...]
    updates: tuple[tuple[int, dict[str, tuple[Any, Any]]], ...]  # person id, {attribute: (old, new)}
    flagged: tuple[int, ...]  # no longer in the extract: possible leavers


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


def _preview_staff(source: SourceFile, database: Database, path: Path, employer: str, *,
                   overrides: Mapping[str, str] | None, sheet: str | None, today: date,
                   progress: Progress | None) -> ImportPreview:
    with database.session() as session:
        organisation = _organisation(session, employer)
        layout = _layout(session, source, STAFF, organisation, sheet, overrides)
        people = {p.employee_number: p for p in session.scalars(
            select(Person).where(Person.employer_id == organisation.id, Person.employee_number.is_not(None)))}
        only_team = session.scalars(select(Team.id)).all()
        columns = set(layout.columns) | ({"name"} if "first_name" in layout.columns else set())
        present = [f for f in STAFF_FIELDS if f.column in columns]

        tally = _Tally(progress)
        seen: dict[str, str] = {}
        added: list[Change] = []
        changed: list[Change] = []
        new_people: list[dict[str, Any]] = []
        updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        unchanged = 0
        for row in tally.typed(staff_rows(layout)):
            where = f"{row.sheet}!{row.row}"
            if tally.repeated(seen, row.employee_number, where, "Employee number"):
                continue
            person = people.get(row.employee_number)
            if person is None:
                new_people.append({f.person_attribute: getattr(row, f.row_attribute) for f in present} | {
                    "full_name": row.full_name, "employee_number": row.employee_number,
                    "employer_id": organisation.id,
                    # A one-team service's HR list is its team; with several, the manager places people.
                    "team_id": only_team[0] if len(only_team) == 1 else None})
                added.append(Change(where, f"{row.employee_number} {row.full_name}", "new person"))
                continue
            # Blank and empty compare equal: an HR extract's empty cell is not a change from "nothing".
            differences = {f.person_attribute: (getattr(person, f.person_attribute), getattr(row, f.row_attribute))
                           for f in present
                           if (getattr(person, f.person_attribute) or None) != (getattr(row, f.row_attribute) or None)}
            if person.missing_from_hr_since is not None:
                differences["missing_from_hr_since"] = (person.missing_from_hr_since, None)
            if not differences:
                unchanged += 1
                continue
            updates.append((person.id, differences))
            labels = {f.person_attribute: f.label for f in STAFF_FIELDS}
            detail = "; ".join(
                "back in the HR extract" if attribute == "missing_from_hr_since"
                else f"{labels[attribute]} {_shown(old)} → {_shown(new)}"
                for attribute, (old, new) in differences.items())
            changed.append(Change(where, f"{row.employee_number} {person.full_name}", detail))

        leavers = [p for number, p in sorted(people.items()) if number not in seen and p.team_id is not None
                   and p.missing_from_hr_since is None and (p.leave_date is None or p.leave_date >= today)]
    removed = tuple(Change("(not in the file)", f"{p.employee_number} {p.full_name}",
                           "not in this extract: flagged as a possible leaver (nothing is deleted)") for p in leavers)
    notices = list(source.notices)
    if leavers and tally.rejected:
        notices.append("People missing from the file were not flagged as leavers, because some rows were rejected.")
        removed = ()
    plan = _StaffPlan(organisation.id, {name: layout.header_of(name) for name in layout.columns}, today,
                      tuple(new_people), tuple(updates), tuple(p.id for p in leavers) if removed else ())
    return ImportPreview(
        kind="staff", organisation=organisation.code, path=path, sha256=source.sha256, sheet=layout.sheet.name,
        header_row=layout.header_row, headers=layout.headers, mapping=_mapping(layout, STAFF), period_label="",
        rows_read=tally.rows_read,
        added=tuple(added), changed=tuple(changed), removed=removed, unchanged=unchanged, unmapped=0,
        rejected=tuple(tally.rejected), net_total_pence=None, notices=tuple(notices), plan=plan)


def _write_staff(session: Session, plan: _StaffPlan) -> dict[str, Any]:
    """Apply the plan; return what undo needs to put every field back."""
    added_ids = []
    for values in plan.new_people:
        person = Person(**values)
        session.add(person)
        session.flush()
        added_ids.append(person.id)
    for person_id, differences in plan.updates:
        person = session.get(Person, person_id)
        for attribute, (_old, new) in differences.items():
            setattr(person, attribute, new)
    for person_id in plan.flagged:
        session.get(Person, person_id).missing_from_hr_since = plan.today
    return {"added": added_ids,
            "changed": {str(pid): {a: [_json(o), _json(n)] for a, (o, n) in d.items()} for pid, d in plan.updates},
            "flagged": list(plan.flagged)}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _undo_staff(session: Session, detail: Mapping[str, Any]) -> None:
    dated = {"start_date", "leave_date", "missing_from_hr_since"}
    for person_id in detail.get("flagged", []):
        session.get(Person, person_id).missing_from_hr_since = None
    for person_id, differences in detail.get("changed", {}).items():
        person = session.get(Person, int(person_id))
        for attribute, (old, _new) in differences.items():
            setattr(person, attribute, date.fromisoformat(old) if attribute in dated and old else old)
    added = detail.get("added", [])
    for table, column in ((ReportingLine, ReportingLine.person_id), (ReportingLine, ReportingLine.lead_id),
                          (SupervisionArrangement, SupervisionArrangement.supervisee_id),
                          (SupervisionSession, SupervisionSession.supervisee_id), (Action, Action.owner_id)):
        if added and session.scalar(select(column).where(column.in_(added)).limit(1)) is not None:
            raise JointleadError("People added by this import have since been given lines, supervision or actions.",
                                 f"Remove those first, or keep the import. ({table.__tablename__})")
    if added:
        session.execute(delete(Person).where(Person.id.in_(added)))


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
        organisation = _organisation(session, organisation_code)
        if kind == "ledger":
            # The same year the preview will read into, so the sample shows the periods it will import.
            agreement = _agreement_for(session, organisation)
            record = ledger_kind(year or _default_year(session, agreement.id, today or date.today()))
        else:
            record = STAFF
        try:
            layout = _layout(session, source, record, organisation, sheet, overrides)
        except FileRefused as refused:
            # Show the best guess with what is missing, so the user can finish the mapping by hand.
            problem = f"{refused.message} {refused.advice}".strip()
            layout = _best_guess(source, record, sheet)
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
    return SourceDescription(tuple(s.name for s in source.sheets), layout.sheet.name, layout.header_row,
                             layout.headers, fields, tuple(sample), problem, source.notices)


def _best_guess(source: SourceFile, record: RecordKind, sheet: str | None) -> TableLayout:
    """The sheet asked for, else the one whose header names most fields, with what could be matched."""
    if sheet is not None:
        chosen = next((s for s in source.sheets if s.name == sheet), source.sheets[0])
    else:
        scores = [(_fields_named(found[1], record) if (found := locate_header(s, record)) else 0, -i, s)
                  for i, s in enumerate(source.sheets)]
        chosen = max(scores, key=lambda item: item[:2])[2]
    found = locate_header(chosen, record)
    header_row, headers = found if found else (1, tuple(str(c) for c in (chosen.head(1) or [[]])[0]))
    columns = {f.name: i for f in record.fields for i, h in enumerate(headers) if h and f.matches(h)}
    return TableLayout(chosen, header_row, headers, columns)


def _fields_named(headers: tuple[str, ...], record: RecordKind) -> int:
    return sum(1 for f in record.fields if any(h and f.matches(h) for h in headers))


def _sample_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- apply and undo ----------------------------------------------------------------------------------

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
    if not preview.changes_anything:
        # Re-importing the same extract changes nothing, and leaves nothing behind to undo.
        return ImportResult(None, 0, 0, 0, preview.unchanged, preview.unmapped, len(preview.rejected))
    plan = preview.plan
    with UnitOfWork(database) as uow:
        organisation = uow.session.get(Organisation, plan.organisation_id)
        batch = _batch(preview.kind, organisation, preview, json.dumps(dict(plan.columns), sort_keys=True))
        uow.session.add(batch)
        uow.session.flush()
        detail: dict[str, Any] = {}
        if isinstance(plan, _LedgerPlan):
            _write_ledger(uow.session, plan, batch.id, progress)
        else:
            detail = _write_staff(uow.session, plan)
        _save_profile(uow.session, plan.organisation_id, preview.kind, plan.columns)
        uow.audit(f"import_{preview.kind}", "import_batch", batch.id, {
            "file": (None, preview.path.name), "sha256": (None, preview.sha256),
            "added": (0, len(preview.added)), "changed": (0, len(preview.changed)),
            "removed": (0, len(preview.removed)), "rejected": (0, len(preview.rejected)),
            **({"detail": (None, detail)} if detail else {})})
        uow.commit()
        return ImportResult(batch.id, len(preview.added), len(preview.changed), len(preview.removed),
                            preview.unchanged, preview.unmapped, len(preview.rejected))


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
            _undo_staff(uow.session, changes.get("detail", [None, {}])[1] or {})
        batch.undone_at = datetime.now(UTC).replace(tzinfo=None)
        batch.undone_by = os_user()
        uow.audit(f"undo_import_{batch.kind}", "import_batch", batch.id, {"undone": (False, True)},
                  undoes=entry.id if entry else None)
        uow.commit()
