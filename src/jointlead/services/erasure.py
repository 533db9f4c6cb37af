"""Erasing a person for data protection: every row and every recorded word that names them, in one transaction.

What goes, all or nothing:
- the person's own row, and every row that cannot exist without them: rows whose required (NOT NULL) reference is
  to them — their own reporting lines, the lines of others to them as the lead (those people then show in the
  findings as having no manager or professional lead), their absences, their supervision arrangements and sessions as
  the supervisee. Found from the schema's foreign keys, so a table added later is covered without a change here;
- optional references to them are cleared: actions they own (the action stays, unowned), supervision they gave
  (the arrangement or session stays, with no supervisor: it is the supervisee's record that it happened), the fund
  manager of an agreement; HR-extract "supervisor" numbers at their employer that are their employee number;
- their full name (also written "Surname, Forenames", any case, any spacing), employee number and registration
  number wherever they appear as words in a text column of any table — update authors, session "recorded by",
  action titles and notes, ledger descriptions, file names, settings — replaced by "[erased]";
- the audit log, the one justified exception to its being append-only: entries about the rows removed are emptied
  (every value becomes "[erased]", and entries about the person lose their id); elsewhere a reference to them becomes
  "[erased]", their words are scrubbed as above, and import entries forget them (so an import can still be undone
  for everyone else). One new entry says that a person was erased, with the date and the reason (scrubbed too).
- On SQLite, deleted content is overwritten as it is freed (`secure_delete`), then the file is compacted (`VACUUM`)
  and the write-ahead log emptied, so the removed bytes are not left in free pages.

Limits, said plainly to the user: a nickname, initials, a first name on its own or a misspelling cannot be found;
a word matching their name or number that meant someone else (a namesake in free text, or in the audit log) is
scrubbed too; other people's own name and number columns are never touched, even when they are the same. Ledger
fingerprints are one-way hashes and are kept. Backups, exported workbooks, log files and e-mailed copies are outside
this file: the report lists the copies made before (backups, and copies saved beside the database), which still
hold the person until they are deleted. Re-importing a file that lists them brings them back. Erasure cannot be
undone, and earlier edits that involved them can no longer be undone either (`services.edits` refuses anything
marked "[erased]").
"""

from __future__ import annotations

import glob
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Column, String, Table, Text, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.reporting_lines import LineKind
from jointlead.domain.words import listed
from jointlead.paths import dashboard_snapshot
from jointlead.services.edits import ERASED
from jointlead.store.database import Database
from jointlead.store.models import (
    Action,
    AuditEntry,
    Base,
    ImportBatch,
    LedgerTransaction,
    Organisation,
    Person,
    ReportingLine,
    SupervisionArrangement,
    SupervisionSession,
)
from jointlead.store.uow import UnitOfWork

VERB = "erase person"
PERSON = Person.__table__

# Columns never scrubbed by words: other people's own names and identifiers (a namesake, or the same number at
# another employer, is someone else), and one-way hashes that hold no words.
_NOT_SCRUBBED = {
    (PERSON.name, "full_name"), (PERSON.name, "employee_number"), (PERSON.name, "registration_number"),
    (PERSON.name, "hr_supervisor_number"),  # cleared by employer and number instead, below
    (LedgerTransaction.__tablename__, "fingerprint"), (ImportBatch.__tablename__, "sha256"),
    (AuditEntry.__tablename__, "changes_json"),  # scrubbed as JSON, below
}


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing someone will do, for the confirmation (UI) or the dry run (CLI). Names are of other people."""

    person_id: int
    full_name: str
    employer: str
    employee_number: str
    own_lines: int
    reports: tuple[str, ...]  # people whose lines to them (in force on the day) are removed, "Name (managerial)"
    arrangements: int  # their own supervision arrangements
    sessions: int  # their own supervision sessions
    supervising: tuple[str, ...]  # arrangements they supervise (in force on the day): "Name (professional)"
    sessions_given: int  # sessions they held for others: kept, with no supervisor
    actions: int  # actions they own: kept, unowned


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did. It names nobody who was erased."""

    audit_entry_id: int
    rows_removed: tuple[tuple[str, int], ...]  # (table, rows), tables with none left out
    references_cleared: tuple[tuple[str, int], ...]  # ("action.owner_id", rows)
    text_values_scrubbed: int
    audit_entries_scrubbed: int
    left_without_lead: tuple[str, ...]  # "Name (managerial)": now with no line of that kind on the day
    compacted: bool  # the file was vacuumed and its write-ahead log emptied
    # Copies made before, which still hold the person: the automatic backups, and copies saved beside the database
    # with File > Save a copy under the name it suggests.
    copies: tuple[Path, ...]

    @property
    def rows_removed_total(self) -> int:
        return sum(n for _t, n in self.rows_removed)

    def copies_note(self) -> str:
        """What to do about the copies that still hold the person; "" when there are none."""
        if not self.copies:
            return ""
        one = len(self.copies) == 1
        folders = listed(sorted({str(copy.parent) for copy in self.copies}))
        return (f"{len(self.copies)} {'copy' if one else 'copies'} of the database made before, in {folders}, "
                f"still {'holds' if one else 'hold'} this person: delete {'it' if one else 'them'} if the person "
                "must go from there too.")


# --- What names the person --------------------------------------------------------------------------------------

def _person_references() -> list[Column]:
    """Every column that refers to a person, from the schema's foreign keys."""
    return [fk.parent for table in Base.metadata.sorted_tables for fk in table.foreign_keys
            if fk.column.table is PERSON and table is not PERSON]


def _words(words: Iterable[str]) -> str:
    return r"\s+".join(re.escape(w) for w in words)


def _pattern(full_name: str, identifiers: Iterable[str | None]) -> re.Pattern[str]:
    """Their name (forenames first, or "Surname, Forenames") and identifiers, as whole words, in any case."""
    parts = full_name.split()
    alternatives = [_words(parts)]
    if len(parts) > 1:
        alternatives.append(re.escape(parts[-1]) + r"\s*,\s*" + _words(parts[:-1]))
    escaped = json.dumps(full_name)[1:-1]  # as a JSON text written with \u escapes holds it
    if escaped != full_name:
        alternatives.append(re.escape(escaped))
    alternatives += [re.escape(i.strip()) for i in identifiers if i and i.strip()]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _fragments(full_name: str, identifiers: Iterable[str | None]) -> list[str]:
    """Pieces every match contains, for SQL to pick the rows worth looking at.

    Each in lower, upper and title case: SQLite's lower() and LIKE fold only the letters A to Z, so a text holding
    "Łukasz" is found by "Łukasz" (or "ŁUKASZ" by "ŁUKASZ"), never by "łukasz". And lowered from upper case too:
    PostgreSQL's lower() makes "YILMAZ" "yilmaz", where "Yılmaz" lowers to "yılmaz".
    """
    parts = full_name.split()
    pieces = [max(parts, key=len)] if parts else []
    if json.dumps(full_name)[1:-1] != full_name:
        pieces.append(json.dumps(max(parts, key=len))[1:-1])
    pieces += [i.strip() for i in identifiers if i and i.strip()]
    return list(dict.fromkeys(case for p in pieces for case in (p.lower(), p.upper(), p.title(), p.upper().lower())))


def _like(fragment: str) -> str:
    return "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- Looking up and previewing ------------------------------------------------------------------------------------

def find_person(database: Database, employer_code: str, employee_number: str) -> int:
    """The id of the person with that employee number at that employer."""
    with database.session() as session:
        person_id = session.scalar(
            select(Person.id).join(Organisation, Organisation.id == Person.employer_id)
            .where(Organisation.code == employer_code.strip().upper(),
                   Person.employee_number == employee_number.strip()))
    if person_id is None:
        raise JointleadError(f"Nobody at {employer_code.strip().upper()} has the employee number "
                             f"{employee_number.strip()}.", "Check the number and the employer's code.")
    return person_id


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise JointleadError("That person is no longer recorded.", "Refresh the list: they may be erased already.")
    return person


def _in_force(start: Column, end: Column, day: date):
    return and_(start <= day, or_(end.is_(None), end >= day))


def _led_on(session: Session, person_id: int, day: date) -> list[tuple[int, str, str]]:
    """(person id, name, kind) of the lines to them in force on the day."""
    return list(session.execute(
        select(ReportingLine.person_id, Person.full_name, ReportingLine.kind)
        .join(Person, Person.id == ReportingLine.person_id)
        .where(ReportingLine.lead_id == person_id, ReportingLine.person_id != person_id,
               _in_force(ReportingLine.effective_from, ReportingLine.effective_to, day))
        .order_by(Person.full_name, ReportingLine.kind)).all())


def erasure_preview(database: Database, person_id: int, today: date) -> ErasurePreview:
    with database.session() as session:
        person = _person(session, person_id)
        employer = session.get(Organisation, person.employer_id) if person.employer_id else None

        def count(model, *conditions) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0

        supervising = session.execute(
            select(Person.full_name, SupervisionArrangement.supervision_type)
            .join(Person, Person.id == SupervisionArrangement.supervisee_id)
            .where(SupervisionArrangement.supervisor_id == person_id,
                   _in_force(SupervisionArrangement.start_date, SupervisionArrangement.end_date, today))
            .order_by(Person.full_name)).all()
        return ErasurePreview(
            person.id, person.full_name, employer.code if employer else "", person.employee_number or "",
            count(ReportingLine, ReportingLine.person_id == person_id),
            tuple(f"{name} ({kind})" for _id, name, kind in _led_on(session, person_id, today)),
            count(SupervisionArrangement, SupervisionArrangement.supervisee_id == person_id),
            count(SupervisionSession, SupervisionSession.supervisee_id == person_id),
            tuple(f"{name} ({kind})" for name, kind in supervising),
            count(SupervisionSession, SupervisionSession.supervisor_id == person_id),
            count(Action, Action.owner_id == person_id))


# --- Scrubbing -----------------------------------------------------------------------------------------------------

class _Scrubber:
    """Replaces the person's words in text and JSON values, counting what it changed."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def text(self, value: str) -> str:
        return self.pattern.sub(ERASED, value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.value(v) for k, v in value.items()}
        return value


def _is_id(value: Any, person_id: int) -> bool:
    return type(value) is int and value == person_id  # never True == 1


def _scrub_text_columns(session: Session, scrubber: _Scrubber, fragments: list[str]) -> int:
    """Every text column of every table, the person's words replaced; the number of values changed."""
    changed = 0
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))
                   and (table.name, c.name) not in _NOT_SCRUBBED]
        if not columns or not fragments:
            continue
        keys = list(table.primary_key.columns)
        wanted = or_(*[func.lower(c).like(_like(f), escape="\\") for c in columns for f in fragments])
        for row in session.execute(select(*keys, *columns).where(wanted)).all():
            values = row._mapping
            new = {c.name: scrubber.text(values[c]) for c in columns
                   if values[c] is not None and scrubber.text(values[c]) != values[c]}
            if new:
                session.execute(update(table).where(*[k == values[k] for k in keys]).values(**new))
                changed += len(new)
    return changed


def _scrub_import_detail(detail: Any, person_id: int, staff: bool) -> Any:
    """An import's record of what to put back on undo, without them: the import stays undoable for the others."""
    if not isinstance(detail, dict):
        return detail
    detail = dict(detail)
    if staff:
        for key in ("added", "flagged"):
            if isinstance(detail.get(key), list):
                detail[key] = [i for i in detail[key] if not _is_id(i, person_id)]
        if isinstance(detail.get("changed"), dict):
            detail["changed"] = {k: v for k, v in detail["changed"].items() if k != str(person_id)}
    references = {c.name for c in _person_references()}

    def clear(value: Any, key: str | None = None) -> Any:
        if key in references and isinstance(value, list):
            return [None if _is_id(v, person_id) else v for v in value]
        if isinstance(value, dict):
            return {k: clear(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [clear(v) for v in value]
        return value

    return clear(detail)


def _scrub_audit(session: Session, person_id: int, removed: Mapping[str, set[int]], scrubber: _Scrubber) -> int:
    """Empty the entries about removed rows; elsewhere take out the person's id and words. Entries changed."""
    references = _person_references()
    required = {}  # table -> the required references whose rows were removed with the person
    for column in references:
        if not column.nullable:
            required.setdefault(column.table.name, set()).add(column.name)
    names = {c.name for c in references}
    # Rows removed earlier (and not put back) are found from their own audit entries: created or removed with them.
    about = {table: set(ids) for table, ids in removed.items()}
    about.setdefault(PERSON.name, set()).add(person_id)
    for entity, entity_id, changes_json in session.execute(
            select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.changes_json)
            .where(AuditEntry.entity.in_(list(required)))):
        changes = json.loads(changes_json or "{}")
        if any(isinstance(v, list) and any(_is_id(x, person_id) for x in v)
               for k, v in changes.items() if k in required[entity]):
            about.setdefault(entity, set()).add(entity_id)
    scrubbed = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all():
        changes = json.loads(entry.changes_json or "{}")
        entity_id = entry.entity_id
        if entry.entity_id is not None and entry.entity_id in about.get(entry.entity, ()):
            new = {k: [ERASED, ERASED] for k in changes}
            if entry.entity == PERSON.name:
                entity_id = None
        else:
            new = {}
            for key, value in changes.items():
                if key in names and isinstance(value, list):
                    value = [ERASED if _is_id(v, person_id) else v for v in value]
                if key == "detail" and entry.entity == ImportBatch.__tablename__ and isinstance(value, list):
                    value = [_scrub_import_detail(v, person_id, entry.verb == "import_staff") for v in value]
                new[key] = scrubber.value(value)
        if new != changes or entity_id != entry.entity_id:
            entry.changes_json = json.dumps(new, sort_keys=True, ensure_ascii=False)
            entry.entity_id = entity_id
            scrubbed += 1
    session.flush()
    return scrubbed


# --- Erasing -------------------------------------------------------------------------------------------------------

def _lacking_lead(session: Session, led: list[tuple[int, str, str]], day: date) -> tuple[str, ...]:
    lacking = []
    for person_id, name, kind in led:
        covered = session.scalar(select(ReportingLine.id).where(
            ReportingLine.person_id == person_id, ReportingLine.kind == kind,
            _in_force(ReportingLine.effective_from, ReportingLine.effective_to, day)).limit(1))
        if covered is None:
            lacking.append(f"{name} ({LineKind(kind).value})")
    return tuple(dict.fromkeys(lacking))


def _compact(database: Database) -> bool:
    """Rewrite the file without free pages and empty the write-ahead log. False if SQLite could not (in use)."""
    if database.engine.dialect.name != "sqlite":
        return False
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"):
            cursor.execute(statement)
            cursor.fetchall()
        cursor.close()
        return True
    except Exception:  # secure_delete has already overwritten the freed content
        return False
    finally:
        connection.close()


def _copies(database: Database) -> tuple[Path, ...]:
    if database.path is None:  # a shared database's backups are the server's, out of jointlead's reach
        return ()
    stem, beside = database.path.stem, database.path.parent
    found = [*(beside / "backups").glob(f"{glob.escape(stem)}*.sqlite"),
             *beside.glob(f"{glob.escape(stem)} copy *.sqlite")]  # File > Save a copy's suggested name
    return tuple(sorted(p for p in found if p.is_file()))


def erase_person(database: Database, person_id: int, *, reason: str, today: date) -> ErasureReport:
    """Erase the person and every trace of them (see the module's docstring), in one transaction, for good.

    The one audit entry it leaves says that a person was erased, on `today`, and why — never who.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the person is being erased.",
                              "For example: a request to erase under data protection law, with its reference.")
    with UnitOfWork(database) as uow:
        session = uow.session
        if database.engine.dialect.name == "sqlite":
            # Freed space is overwritten as it is freed: nothing of theirs waits in free pages for VACUUM.
            session.connection().exec_driver_sql("PRAGMA secure_delete=ON")
        person = _person(session, person_id)
        name, number, employer_id = person.full_name, person.employee_number, person.employer_id
        identifiers = (number, person.registration_number)
        scrubber = _Scrubber(_pattern(name, identifiers))
        led = _led_on(session, person_id, today)

        removed: dict[str, set[int]] = {}
        cleared: dict[str, int] = {}
        for column in _person_references():
            table: Table = column.table
            if column.nullable:
                result = session.execute(update(table).where(column == person_id).values({column.name: None}))
                if result.rowcount:
                    cleared[f"{table.name}.{column.name}"] = result.rowcount
            else:
                ids = set(session.scalars(select(table.c.id).where(column == person_id)))
                if ids:
                    removed.setdefault(table.name, set()).update(ids)
                    session.execute(delete(table).where(table.c.id.in_(ids)))
        if number and employer_id is not None:
            result = session.execute(update(PERSON).where(
                PERSON.c.employer_id == employer_id, PERSON.c.hr_supervisor_number == number,
                PERSON.c.id != person_id).values(hr_supervisor_number=None))
            if result.rowcount:
                cleared["person.hr_supervisor_number"] = result.rowcount
        session.expunge(person)
        session.execute(delete(PERSON).where(PERSON.c.id == person_id))
        removed.setdefault(PERSON.name, set()).add(person_id)

        text_scrubbed = _scrub_text_columns(session, scrubber, _fragments(name, identifiers))
        audit_scrubbed = _scrub_audit(session, person_id, removed, scrubber)
        left = _lacking_lead(session, led, today)
        entry = uow.audit(VERB, PERSON.name, None, {"date": (None, today), "reason": (None, scrubber.text(reason))})
        session.flush()
        entry_id = entry.id
        uow.commit()
    # The dashboard's snapshot (shown at the next start while the database opens) may name them: it goes too, and
    # is taken afresh, without them, when the window next closes.
    dashboard_snapshot().unlink(missing_ok=True)
    return ErasureReport(
        entry_id, tuple(sorted((t, len(ids)) for t, ids in removed.items())), tuple(sorted(cleared.items())),
        text_scrubbed, audit_scrubbed, left, _compact(database), _copies(database))
