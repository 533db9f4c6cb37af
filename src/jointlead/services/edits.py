"""Recorded edits: every row a gesture creates, changes or deletes is audited, so any gesture can be undone.

Each change is one audit entry per row with every field as [old, new]. A created row records its "id" as
[None, id] and a deleted row as [id, None]; the other fields of both are recorded whole, which is what lets
`undo_edit` put a deleted row back exactly. Undo never erases: it makes the compensating change and appends audit
entries that point at the ones they undo, so redo is simply undoing the undo. Undo never changes a row it did not
record either: removing a row that others still point at (a team people are in) is refused, since the database
would otherwise clear or delete their links silently.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Table, func, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError, StillPointedAt, ValidationError
from jointlead.domain.money import format_exact
from jointlead.domain.reporting_lines import check_line_shape
from jointlead.domain.words import listed
from jointlead.services.budget_report import year_before_open
from jointlead.services.budgets import agreed_figures
from jointlead.store.database import Database
from jointlead.store.errors import ChangedBySomeoneElse
from jointlead.store.models import (
    AuditEntry,
    Base,
    BudgetLine,
    LedgerTransaction,
    LineMonth,
    LineYear,
    PeriodClose,
    Person,
    ReportingLine,
    SupervisionArrangement,
    Virement,
)
from jointlead.store.uow import UnitOfWork, os_user

# What erasing a person (`services.erasure`) leaves in place of their values in the audit log. An entry holding it
# cannot be undone: the values it would put back are gone.
ERASED = "[erased]"
# The reason recorded for a month unlocked by undoing its close with Edit > Undo.
CLOSE_UNDONE = "The close was undone (Edit > Undo)."


@dataclass(frozen=True)
class Edit:
    """What one gesture did: its description (for Edit > Undo "…") and the audit entries it appended."""

    description: str
    entries: tuple[int, ...]


def _model_for(table: str) -> type[Base]:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table:
            return mapper.class_
    raise LookupError(f"no table called {table}")


def _fields(row: Base) -> dict[str, Any]:
    """A row's own fields; its version (store.models.Versioned) is the database's bookkeeping, not the user's data."""
    mapper = inspect(type(row))
    return {column.key: getattr(row, column.key) for column in mapper.columns if column is not mapper.version_id_col}


def _what(row: Base) -> str:
    """'This person', 'This action': what a refused edit was about, in words."""
    return "This " + row.__tablename__.replace("_", " ")


# What a manager calls the records of a table, where its name with spaces is not it: (one, many).
_KINDS = {
    "person": ("person", "people"),
    "agreement_partner": ("partner", "partners"),
    "contribution_payment": ("instalment", "instalments"),
    "line_year": ("year's budget", "years' budgets"),
    "line_month": ("month's budget", "months' budgets"),
    "import_batch": ("import", "imports"),
    "mapping_profile": ("saved column mapping", "saved column mappings"),
    "ledger_transaction": ("ledger row", "ledger rows"),
    "period_close": ("month closed", "months closed"),
    "action_due_change": ("due-date change", "due-date changes"),
    "action_update": ("update", "updates"),
}

# How a manager says that records point at another, where "linked to" is not it: (pointing, pointed at) tables.
_LINKED = {("person", "team"): "in it", ("person", "organisation"): "employed by it"}


def _kind(table: str) -> tuple[str, str]:
    word = table.replace("_", " ")
    return _KINDS.get(table, (word, word + "s"))


def _counted(table: str, count: int) -> str:
    """'1 person', '3 people', '2 reporting lines'."""
    one, many = _kind(table)
    return f"{count} {one if count == 1 else many}"


# Fields a manager knows by another name, where the stored one with spaces is not it.
_FIELDS = {"unlocked_on": "unlock", "unlocked_by": "unlock", "unlock_reason": "unlock", "rag_override": "RAG",
           "rag_override_reason": "RAG"}


def _fields_in_words(keys: Collection[str]) -> str:
    """'due date and owner': fields as a manager would name them, not as they are stored."""
    words = [_FIELDS.get(key, key.removesuffix("_id").removesuffix("_pence").replace("_", " ")) for key in keys]
    return listed(list(dict.fromkeys(words)))


def _named(row: Base) -> str:
    """The team 'Crisis', the action 'A-0042': a record as the user knows it."""
    kind = _kind(row.__tablename__)[0]
    label = next((getattr(row, key) for key in ("reference", "full_name", "name", "title") if hasattr(row, key)), None)
    return f"the {kind} '{label}'" if label else f"a {kind}"


def pointing_at(session: Session, table: Table, ids: Collection[int]) -> dict[str, int]:
    """How many rows of each table point at the rows of `table` with these `ids` now, by table (tables with none
    left out), in one query.

    Every foreign key counts, whatever its ON DELETE: deleting the rows would cascade to those rows, clear their
    link, or be refused by the database, and none of that would be in the audit log.
    """
    counts = {}
    for other in Base.metadata.sorted_tables:
        links = [key.parent.in_(ids) for key in other.foreign_keys if key.column.table is table]
        if links:
            counts[other.name] = select(func.count()).select_from(other).where(or_(*links)).scalar_subquery()
    if not counts or not ids:
        return {}
    return {name: count for name, count in zip(counts, session.execute(select(*counts.values())).one(), strict=True)
            if count}


def records_in_words(pointing: Mapping[str, int]) -> str:
    """'2 reporting lines and 1 action': what `pointing_at` found, in a manager's words."""
    return listed([_counted(table, count) for table, count in pointing.items()])


# Records kept on the record for good, which no gesture removes: an import undone stays in the history, as its
# batch; a month's close stays, unlocked, when the close is undone; a file's column choices stay saved.
KEPT_FOR_GOOD = {"import_batch", "period_close", "mapping_profile"}


def _refuse_if_pointed_at(session: Session, row: Base) -> None:
    """Refuse to remove `row` while other rows point at it, saying what they are in a manager's words: until they
    are gone (`StillPointedAt`), or for good where some are kept for good (`KEPT_FOR_GOOD`), for then they never go,
    and Undo must not offer the change again and again."""
    pointing = pointing_at(session, row.__table__, [row.id])
    if not pointing:
        return
    kept = {table: count for table, count in pointing.items() if table in KEPT_FOR_GOOD}
    if kept:
        verb = "is" if len(kept) == 1 and next(iter(kept.values())) == 1 else "are"
        raise JointleadError(f"That change cannot be undone: it would remove {_named(row)}, and "
                             f"{records_in_words(kept)} linked to it {verb} kept on the record for good (an import "
                             "or a month's close stays in the history even once undone).",
                             f"Nothing was changed: {_named(row)} stays as it is.")
    pronoun = "them" if row.__tablename__ == "person" else "it"
    clauses = [f"{_counted(table, count)} {'is' if count == 1 else 'are'} {_LINKED[table, row.__tablename__]}"
               for table, count in pointing.items() if (table, row.__tablename__) in _LINKED]
    others = [(table, count) for table, count in pointing.items() if (table, row.__tablename__) not in _LINKED]
    if others:
        verb = "is" if len(others) == 1 and others[0][1] == 1 else "are"
        clauses.append(f"{records_in_words(dict(others))} {verb} linked to {pronoun}")
    raise StillPointedAt(f"That change cannot be undone: it would remove {_named(row)}, and "
                         f"{', and '.join(clauses)} now.",
                         f"Nothing was changed: {_named(row)} stays as it is. Once nothing points at it, try again.")


class Recorder:
    """Makes a gesture's row changes inside one unit of work and audits each one under the gesture's verb."""

    def __init__(self, uow: UnitOfWork, verb: str) -> None:
        self.uow = uow
        self.verb = verb
        self.undoes: int | None = None  # set while undoing: the audit entry being compensated
        self._entries: list[AuditEntry] = []

    @property
    def session(self) -> Session:
        return self.uow.session

    @property
    def changed(self) -> bool:
        return bool(self._entries)

    def create(self, row: Base) -> Base:
        self.session.add(row)
        self.session.flush()
        self._entries.append(self.uow.audit(self.verb, row.__tablename__, row.id,
                                            {k: (None, v) for k, v in _fields(row).items()}, self.undoes))
        return row

    def update(self, row: Base, *, seen_version: int | None = None, **values: Any) -> bool:
        """Set the fields given; only those that really change are applied and recorded. True if any did.

        `seen_version` is the row's version when the user was shown it (a dialog filled from it): if it has changed
        since, someone else saved first and the edit is refused rather than overwriting theirs.
        """
        self.check_seen(row, seen_version)
        changes = {k: (getattr(row, k), v) for k, v in values.items() if getattr(row, k) != v}
        if not changes:
            return False
        for key, (_old, new) in changes.items():
            setattr(row, key, new)
        self._flush(row)
        self._entries.append(self.uow.audit(self.verb, row.__tablename__, row.id, changes, self.undoes))
        return True

    def check_seen(self, row: Base, seen_version: int | None) -> None:
        """Refuse a gesture made from a copy of `row` older than what is stored (None: nothing was shown)."""
        if seen_version is not None and row.version != seen_version:
            raise ChangedBySomeoneElse(_what(row))

    def delete(self, row: Base) -> None:
        self._entries.append(self.uow.audit(self.verb, row.__tablename__, row.id,
                                            {k: (v, None) for k, v in _fields(row).items()}, self.undoes))
        self.session.delete(row)
        self._flush(row)

    def _flush(self, row: Base) -> None:
        try:
            self.session.flush()
        except StaleDataError as error:
            # Another connection changed or removed the row between this gesture reading it and writing it: the
            # version the UPDATE or DELETE asked for was gone (store.models.Versioned).
            raise ChangedBySomeoneElse(_what(row)) from error

    def commit(self, description: str) -> Edit:
        self.uow.commit()
        return Edit(description, tuple(entry.id for entry in self._entries))


def _value(model: type[Base], key: str, stored: Any) -> Any:
    """A field as the audit log stored it (JSON), back as the column's own type."""
    if stored is None:
        return None
    column_type = inspect(model).columns[key].type
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(stored)
    if isinstance(column_type, Date):
        return date.fromisoformat(stored)
    return stored


def _compensate(recorder: Recorder, entry: AuditEntry) -> None:
    if ERASED in entry.changes_json and any(ERASED in pair for pair in json.loads(entry.changes_json).values()):
        raise JointleadError("That change cannot be undone: it involved a person whose record has since been erased.",
                             "")
    model = _model_for(entry.entity)
    changes = {k: (_value(model, k, old), _value(model, k, new))
               for k, (old, new) in json.loads(entry.changes_json).items()}
    session = recorder.session
    # Locked (on a server) until the undo commits, so that nobody points a new row at it between the checks below
    # and the change: PostgreSQL's foreign-key check on their insert waits for this lock.
    row = session.get(model, entry.entity_id, with_for_update=True)
    created = "id" in changes and changes["id"][0] is None
    deleted = "id" in changes and changes["id"][1] is None
    if deleted:
        if row is not None:
            raise JointleadError("That change cannot be undone: the record it removed is back already.", "")
        values = {k: old for k, (old, _new) in changes.items()}
        _refuse_in_closed_month(session, model, values, whole_row=True)
        _refuse_if_recorded_before(model, values)
        recorder.create(model(**values))
        return
    if row is None:
        raise JointleadError(f"That change cannot be undone: the record it {'made' if created else 'changed'} is no "
                             "longer there (removed since, or put back as a new record by an import undone and "
                             "redone).", "Nothing was changed.")
    current = _fields(row)
    if model is LedgerTransaction and current["removed_by_batch_id"] is not None:
        # A later extract replaced the row (a corrected posting): the row in force now is another, which the
        # change would not reach.
        raise JointleadError("That change cannot be undone: the ledger row has since been replaced by a later "
                             "import.", "Undo that import first.")
    _refuse_in_closed_month(session, model, current, whole_row=created)
    changed_since = [key for key, (_old, new) in changes.items() if current[key] != new]
    if changed_since:
        raise JointleadError(f"That change cannot be undone: {_named(row)} has been changed again since (its "
                             f"{_fields_in_words(changed_since)}).",
                             "Undo the later changes first.")
    if created and model is PeriodClose:
        # A month's close stays on the record: undoing it unlocks the month, as Unlock… does, with the reason that
        # it was undone (redoing it clears the unlock again).
        recorder.update(row, unlocked_on=date.today(), unlocked_by=os_user(), unlock_reason=CLOSE_UNDONE)
    elif created:
        _refuse_if_pointed_at(session, row)
        recorder.delete(row)
    else:
        if model is PeriodClose and "unlocked_on" in changes and changes["unlocked_on"][0] is None:
            _refuse_to_close_again(session, row)
        recorder.update(row, **{k: old for k, (old, _new) in changes.items()})


def _refuse_to_close_again(session: Session, close: PeriodClose) -> None:
    """An undo that would close a month again (undoing its unlock, or redoing its close) keeps to the rules of
    closing: one close in force for a month, and months closed in order."""
    in_force = set(session.scalars(select(PeriodClose.period).where(
        PeriodClose.agreement_id == close.agreement_id, PeriodClose.year == close.year,
        PeriodClose.unlocked_on.is_(None))))
    year = FinancialYear(close.year).label
    if close.period in in_force:
        raise JointleadError(f"That change cannot be undone: M{close.period} {year} has been closed again since.",
                             "")
    still_open = [period for period in range(1, close.period) if period not in in_force]
    if still_open:
        raise JointleadError(f"That change cannot be undone: it would close M{close.period} {year}, but "
                             f"M{still_open[0]} is open, and months close in order.",
                             f"Close M{still_open[0]} first, then close M{close.period} again (Close… on the Budgets "
                             f"page): once M{still_open[0]} is closed, Edit > Undo would take back that close first.")
    before = year_before_open(session, close.agreement_id, close.year)
    if before is not None:
        raise JointleadError(f"That change cannot be undone: it would close M{close.period} {year}, but M12 "
                             f"{before.label} is open, and months close in order across the year end too.",
                             f"Close M12 {before.label} first, then close M{close.period} {year} again (Close… on the "
                             "Budgets page).")
    agreed = json.loads(close.snapshot_json)
    # A close kept no figures only in a database made before closes kept them: nothing to hold the month to.
    if agreed and _to_date(agreed) != _to_date(agreed_figures(session, close.agreement_id, close.year, close.period)):
        raise JointleadError(f"That change cannot be undone: the budget or actuals to M{close.period} {year} have "
                             "changed since the month was closed, so closing it again would lock in figures nobody "
                             "has agreed.", f"Check M{close.period}'s figures, then close it afresh "
                             f"(Close M{close.period}… on the Budgets page), which keeps them as they are then.")


def _to_date(agreed: Mapping[str, Any]) -> list[tuple[int, int]]:
    """What a month's close locks, of the figures it kept: each line's budget and actual to date. Not its forecast,
    which later months' figures change while the month stays closed; nor its code, which can change then too; nor
    a line with nothing to date (one added since, which starts in an open month)."""
    return sorted((line["budget_to_date"], line["actual_to_date"]) for line in agreed["lines"].values()
                  if line["budget_to_date"] or line["actual_to_date"])


def _refuse_if_recorded_before(model: type[Base], values: Mapping[str, Any]) -> None:
    """A record removed before the schema gave it a field it cannot be without (a virement's delegated limit, since
    0009) cannot be put back from its audit entry, which does not have it (on a shared server, an older window's
    Redo may ask for it)."""
    missing = [column.key for column in inspect(model).columns if column.key not in values and not column.nullable
               and column.default is None and column.server_default is None]
    if missing:
        raise JointleadError("That change cannot be undone: it was recorded by an earlier version of jointlead, "
                             "which kept less about the record than is needed to put it back now.", "")


def _refuse_in_closed_month(session: Session, model: type[Base], values: Mapping[str, Any], *,
                            whole_row: bool = False) -> None:
    """A month's budget or a ledger row in a month closed since cannot change back: the month's figures were agreed
    at month end, and an undo would change them as surely as an edit. A month of a line with nothing in it, made or
    taken away whole (`whole_row`: a line added after months closed has one for each), changes none of them."""
    if model is LineMonth and whole_row and not values.get("budget_pence") and values.get("forecast_pence") is None:
        return
    if model is LineMonth:
        agreement_id = session.scalar(select(BudgetLine.agreement_id).where(BudgetLine.id == values["budget_line_id"]))
    elif model is LedgerTransaction:
        agreement_id = values["agreement_id"]
    else:
        return
    year, period = values["year"], values["period"]
    if session.scalar(select(PeriodClose.id).where(PeriodClose.agreement_id == agreement_id, PeriodClose.year == year,
                                                   PeriodClose.period == period, PeriodClose.unlocked_on.is_(None))):
        month = f"M{period} {FinancialYear(year).label}"
        raise JointleadError(f"That change cannot be undone: {month} has been closed since, and its figures were "
                             "agreed then.", f"Nothing was changed. To change {month}'s figures, unlock it on the "
                             "Budgets page (Unlock…, giving the reason) and change them there: once unlocked, Edit > "
                             "Undo would take back the unlock first.")


def undo_edit(database: Database, edit: Edit) -> Edit:
    """Make the compensating change for every row of `edit`, newest first, in one transaction.

    The new audit entries point at the ones they undo. The result is itself an Edit, so undoing it redoes the
    original gesture.
    """
    # An audit entry never changes: read before the change begins, from the database as it is now (a session of
    # its own, not one_state's, which could be older than the edit).
    with database.writing_session() as session:
        closes = session.scalar(select(AuditEntry.id).where(AuditEntry.id.in_(edit.entries),
                                                            AuditEntry.entity == PeriodClose.__tablename__).limit(1))
    with UnitOfWork(database, closes=closes is not None) as uow:
        entries = uow.session.scalars(select(AuditEntry).where(AuditEntry.id.in_(edit.entries))).all()
        if len(entries) != len(edit.entries):
            raise JointleadError("That change cannot be undone: its record in the audit log is missing.", "")
        recorder = Recorder(uow, "")
        redo = all(entry.undoes_id is not None for entry in entries)  # the undo of an undo
        _refuse_recurrent_virement_in_one_year(uow.session, entries)
        try:
            for entry in sorted(entries, key=lambda e: e.id, reverse=True):
                recorder.verb, recorder.undoes = f"undo {entry.verb}", entry.id
                _compensate(recorder, entry)
            _refuse_misshapen_lines(uow.session,
                                    {e.entity_id for e in entries if e.entity == ReportingLine.__tablename__})
            _refuse_overlapping_arrangements(
                uow.session, {e.entity_id for e in entries if e.entity == SupervisionArrangement.__tablename__})
            _refuse_outside_time_in_post(uow.session, entries)
            return recorder.commit(edit.description)
        except IntegrityError as error:
            # What it would put back refers to a record no longer there as it was: most often one an import made,
            # which undoing the import removed and redoing it added again, as a new record with a new id.
            raise JointleadError(f"That change cannot be {'redone' if redo else 'undone'}: it refers to a record "
                                 "that is no longer there as it was (an import undone and then redone puts its "
                                 "records back as new ones).",
                                 "Nothing was changed. Make the change again by hand if it is still wanted.") from error


def _refuse_recurrent_virement_in_one_year(session: Session, entries: Collection[AuditEntry]) -> None:
    """A recurrent virement is in every later year's budgets for its lines (`budget_month._carry_on`, and starting a
    year carries it): undoing it, or redoing it, must not take it out of (or put it back in) its own year alone.

    The years it reached when made are in its own audit entries, and go back with it. A later year whose budgets
    for either line were set since (started from budgets that carry it, or, once undone, without it) is another
    gesture's: undo never changes rows it did not record, so it is refused, saying how to move the budget in both
    years instead.
    """
    later_budgets = {entry.entity_id for entry in entries if entry.entity == LineYear.__tablename__}
    for entry in entries:
        changes = json.loads(entry.changes_json)
        if entry.entity != Virement.__tablename__ or None not in changes.get("id", (0, 0)):
            continue
        undoing = changes["id"][0] is None  # it was made: undoing takes it away (else: redoing puts it back)
        virement = {key: pair[1 if undoing else 0] for key, pair in changes.items()}
        if not virement["recurrent"]:
            continue
        giver, taker = virement["from_line_id"], virement["to_line_id"]
        later = session.scalar(select(func.min(LineYear.year)).where(
            LineYear.budget_line_id.in_((giver, taker)), LineYear.year > virement["year"],
            LineYear.id.not_in(later_budgets)))
        if later is None:
            continue
        # By code and name, as the Virement dialog lists them, for the manager to find them there.
        names = {line_id: f"{code} ({name})" for line_id, code, name in session.execute(
            select(BudgetLine.id, BudgetLine.code, BudgetLine.name).where(BudgetLine.id.in_((giver, taker))))}
        this, label = FinancialYear(virement["year"]).label, FinancialYear(later).label
        amount = format_exact(virement["amount_pence"])
        where = f"with Virement… on the Budgets page (year {this})"
        # No word of undoing the start: were it on this window's undo stack, it would be undone before the
        # virement, so whenever this is said it was started elsewhere, and only the reverse virement takes it back.
        if undoing:
            raise JointleadError(f"That change cannot be undone: the virement is recurrent, and {label} was started "
                                 f"since from budgets that carry it, so undoing it in {this} alone would leave "
                                 f"{label}'s budgets holding it.",
                                 f"Nothing was changed. To take it back from both years, make a recurrent virement of "
                                 f"{amount} from {names[taker]} back to {names[giver]}, {where}: it moves {label}'s "
                                 "budgets too.")
        raise JointleadError(f"That change cannot be redone: the virement is recurrent, and {label} was started "
                             f"since without it, so redoing it in {this} alone would leave {label}'s budgets "
                             "without it.",
                             f"Nothing was changed. To move {amount} from {names[giver]} to {names[taker]} in both "
                             f"years, make the virement again, recurrent, {where}: it moves {label}'s budgets too.")


# Whose time in post a record is within: a line's person and lead, an arrangement's supervisee and supervisor.
_IN_POST = {ReportingLine: ("person_id", "lead_id"), SupervisionArrangement: ("supervisee_id", "supervisor_id")}


def _refuse_outside_time_in_post(session: Session, entries: Collection[AuditEntry]) -> None:
    """Dates, lines and arrangements an undo puts back were each checked when first made, but not against the others'
    changes since: a start date corrected earlier, a line added from then, and the correction undone, would leave the
    line before the person started (DOMAIN.md: lines hold between people in post on the day)."""
    people: set[int] = set()
    session.flush()
    for entry in entries:
        if entry.entity == Person.__tablename__:
            if {"start_date", "leave_date"} & set(json.loads(entry.changes_json)):
                people.add(entry.entity_id)
            continue
        model = next((model for model in _IN_POST if model.__tablename__ == entry.entity), None)
        row = session.get(model, entry.entity_id) if model is not None else None
        if row is not None:
            people.update(person for person in (getattr(row, key) for key in _IN_POST[model]) if person is not None)
    if not people:
        return
    from jointlead.services.people import check_still_in_post  # people records its edits here: imported when needed

    for person_id in sorted(people):
        try:
            check_still_in_post(session, person_id)
        except ValidationError as error:
            raise JointleadError(f"That change cannot be undone: {error.message}", "Undo the later changes to their "
                                 "lines and supervision first, or change them on the People page.") from error


def _refuse_overlapping_arrangements(session: Session, arrangement_ids: Collection[int]) -> None:
    """An arrangement an undo puts back (or opens again) must not overlap another of its kind for the same person,
    arranged since: ending Sam's managerial supervision, then arranging it anew, then undoing the end would leave
    two at once."""
    if not arrangement_ids:
        return
    session.flush()
    other = aliased(SupervisionArrangement)
    for arrangement, name in session.execute(
            select(SupervisionArrangement, Person.full_name)
            .join(Person, Person.id == SupervisionArrangement.supervisee_id)
            .where(SupervisionArrangement.id.in_(arrangement_ids))):
        overlapping = session.scalar(select(other.id).where(
            other.supervisee_id == arrangement.supervisee_id, other.supervision_type == arrangement.supervision_type,
            other.id != arrangement.id, or_(other.end_date.is_(None), other.end_date >= arrangement.start_date),
            *([other.start_date <= arrangement.end_date] if arrangement.end_date is not None else [])).limit(1))
        if overlapping is not None:
            raise JointleadError(f"That change cannot be undone: {name} would have two {arrangement.supervision_type} "
                                 "supervision arrangements at once, with the one arranged since.",
                                 "Undo the later change to their supervision first, or change it on the Supervision "
                                 "page.")


def _refuse_misshapen_lines(session: Session, line_ids: Collection[int]) -> None:
    """Lines an undo puts back were checked when first made, but lines changed since can make them overlap or go
    round in a loop (Ben moved on, then made Ann's manager: undoing Ben's move would have each manage the other)."""
    if not line_ids:
        return
    from jointlead.services.people import staff_and_lines  # people records its edits here: imported when needed

    session.flush()
    people, lines = staff_and_lines(session)
    for line in lines:
        if line.id in line_ids:
            try:
                check_line_shape(people, [other for other in lines if other.id != line.id], line)
            except ValidationError as error:
                raise JointleadError(f"That change cannot be undone: the lines it would put back break a rule. "
                                     f"{error.message}", "Undo the later changes to these lines first, or change "
                                     "the lines on the People page.") from error
