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
  number — and every earlier one the audit log recorded (a name changed on marriage, a number corrected by an edit or
  a staff list) — wherever they appear as words where people and files write words (`WORDS`: update authors,
  session "recorded by", action titles and notes, ledger descriptions, file names...) replaced by "[erased]"; in
  JSON (`JSON_VALUES`) only its text values are, so its numbers and its shape stay as they were. Codes, references
  and choices from a list (`CODES`: ledger cost centres and subjectives, organisation and budget-line codes, action
  references) are never changed: a number there that equals theirs is the finance system's, or someone else's;
- the audit log, the one justified exception to its being append-only: entries about the rows removed are emptied
  (every value becomes "[erased]", and entries about the person lose their id); elsewhere a reference to them becomes
  "[erased]", their words are scrubbed as above (not in codes), and import entries forget them and the rows removed
  with them (so an import can still be undone for everyone else). An exported tracker's record forgets them as its
  owner, and its digests of cells that held their words become the digests of those words scrubbed (the tracker,
  when it comes back, reads as changed there at worst). One new entry says that a person was erased, with the date
  and the reason (scrubbed too).
- On SQLite, deleted content is overwritten as it is freed (`secure_delete`), then the file is compacted (`VACUUM`)
  and the write-ahead log emptied, so the removed bytes are not left in free pages. Another program holding the file
  open stops the last step: the report says so, and what to do. A server keeps the removed rows in its own storage,
  log and backups until it vacuums and they roll over: the report says that too.

Limits, said plainly to the user: a nickname, initials, a first name on its own or a misspelling cannot be found;
a word matching their name or number that meant someone else (a namesake in free text, or in the audit log) is
scrubbed too; other people's own name and number columns are never touched, even when they are the same. Ledger
fingerprints and the versions an exported tracker registered are one-way hashes of whole records and are kept.
Backups, exported workbooks, log files and e-mailed copies are outside this file: the preview and the report list the
copies still there that hold the person (the backups beside the database, copies saved beside it, and every copy the
audit log records: File > Save a copy, `jointlead backup`, and the copies a restore knew of), which hold them until
they are deleted, and bring them back if restored; and, apart, the recorded copies that cannot be found now (on a
drive unplugged or a share offline, or deleted: jointlead cannot tell which), which may hold them too.
Re-importing a file that lists them brings them back. Erasure cannot be undone, and earlier edits that involved them
can no longer be undone either (`services.edits` refuses anything marked "[erased]").
"""

from __future__ import annotations

import glob
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from jointlead.domain.calendar import format_day
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.reporting_lines import LineKind
from jointlead.domain.words import listed
from jointlead.exchange.action_tracker import fingerprint
from jointlead.paths import dashboard_snapshot
from jointlead.services.action_tracker import EXPORT_VERB as TRACKER_EXPORTED
from jointlead.services.edits import ERASED
from jointlead.services.files import COPY_VERB, RESTORE_VERB, copies_recorded
from jointlead.store.backup import holds_row
from jointlead.store.database import Database
from jointlead.store.models import (
    Action,
    AuditEntry,
    Base,
    ImportBatch,
    Organisation,
    Person,
    ReportingLine,
    SupervisionArrangement,
    SupervisionSession,
)
from jointlead.store.uow import UnitOfWork

VERB = "erase person"
PERSON = Person.__table__
STAFF_IMPORTED = "import_staff"  # the verb of a staff import's audit entry (services.imports)

# Every text column, by how their words are taken out of it (tests/integration/test_erasure_safety.py checks that a
# column added later is listed). Where people write words and files bring them: scrubbed as words.
WORDS: dict[str, tuple[str, ...]] = {
    "action": ("title", "detail", "workstream", "rag_override_reason", "evidence"),
    "action_due_change": ("reason", "changed_by"),
    "action_update": ("author", "text"),
    "agreement": ("title", "governing_board"),
    "audit_entry": ("os_user",),
    "budget_line": ("name",),
    "contribution": ("funding_stream",),
    "import_batch": ("file_name", "sheet", "imported_by", "undone_by"),
    "ledger_transaction": ("description", "source_file", "source_sheet"),
    "line_month": ("forecast_comment",),
    "meeting": ("name",),
    "organisation": ("name",),
    "period_close": ("closed_by", "unlocked_by", "unlock_reason"),
    "person": ("job_title",),
    "reporting_line": ("note",),
    "supervision_session": ("recorded_by",),
    "team": ("name", "description"),
    "virement": ("reason", "approved_by", "board_approval"),
}
# JSON: only its text values are scrubbed, never its numbers, its keys or its shape. A setting is a number or words:
# one that does not read as JSON is scrubbed as words.
JSON_VALUES: dict[str, tuple[str, ...]] = {
    "import_batch": ("mapping_json",),
    "line_year": ("weights_json",),
    "mapping_profile": ("mapping_json",),
    "period_close": ("snapshot_json",),
    "setting": ("value",),
}
# Codes, references, choices from a list and one-way hashes: never scrubbed, here or under their names in the audit
# log. A number there that equals theirs is the finance system's, or someone else's.
CODES: dict[str, tuple[str, ...]] = {
    "absence": ("kind",),
    "action": ("reference", "priority", "status", "rag_override"),
    "agreement": ("agreement_type", "reporting_frequency", "contribution_basis", "risk_basis", "underspend_rule"),
    "audit_entry": ("verb", "entity"),
    "budget_line": ("code", "category", "share_profile", "forecast_method"),
    "contribution": ("schedule",),
    "import_batch": ("kind", "sha256"),
    "ledger_mapping": ("cost_centre", "subjective_pattern"),
    "ledger_transaction": ("cost_centre", "subjective", "transaction_ref", "fingerprint"),
    "line_year": ("profile",),
    "mapping_profile": ("kind",),
    "organisation": ("code", "kind", "colour"),
    "person": ("profession", "registration_body", "grade", "career_stage"),
    "reporting_line": ("kind",),
    "setting": ("key",),
    "supervision_arrangement": ("supervision_type",),
    "supervision_policy": ("profession", "career_stage", "supervision_type"),
    "supervision_session": ("supervision_type", "group_key", "status"),
}
# Not scrubbed as columns: other people's own names and numbers (a namesake, or the same number at another employer,
# is someone else; HR-extract supervisor numbers are cleared by employer and number instead, in `erase_person`), and
# the audit log's changes, scrubbed entry by entry in `_scrub_audit`.
NOT_AS_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("full_name", "employee_number", "registration_number", "hr_supervisor_number"),
    "audit_entry": ("changes_json",),
}


class Compaction(StrEnum):
    """Whether what was removed is gone from the database's own storage too."""

    DONE = "compacted"  # the file was rewritten without free pages, and its write-ahead log emptied
    IN_USE = "in use"  # another program has the file open: the file still holds what was removed
    ON_SERVER = "on a server"  # the server's storage, log and backups hold it until it vacuums and they roll over


@dataclass(frozen=True, order=True)
class RecordedCopy:
    """A copy of the database the audit log records (services.files), and the day it was last recorded."""

    path: Path
    recorded: date


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing someone will do, for the confirmation (UI) or the dry run (CLI). Names are of other people."""

    person_id: int
    full_name: str
    employer: str
    employee_number: str
    own_lines: int
    reports: tuple[str, ...]  # people whose lines to them (in force on the day) are removed: see `_with_kinds`
    arrangements: int  # their own supervision arrangements
    sessions: int  # their own supervision sessions
    supervising: tuple[str, ...]  # arrangements they supervise (in force on the day): "Name (professional)"
    sessions_given: int  # sessions they held for others: kept, with no supervisor
    actions: int  # actions they own: kept, unowned
    copies: tuple[Path, ...]  # copies of the database still there that hold them (see `_copies`)
    copies_not_found: tuple[RecordedCopy, ...]  # recorded copies that cannot be found now: they may hold them

    def copies_notes(self) -> tuple[str, ...]:
        """What to do about the copies that will still hold the person, and those that may: a paragraph each."""
        return _copies_notes(self.copies, self.copies_not_found)


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did. It names nobody who was erased."""

    audit_entry_id: int
    rows_removed: tuple[tuple[str, int], ...]  # (table, rows), tables with none left out
    references_cleared: tuple[tuple[str, int], ...]  # ("action.owner_id", rows)
    text_values_scrubbed: int
    audit_entries_scrubbed: int
    left_without_lead: tuple[str, ...]  # now with no line of that kind on the day: see `_with_kinds`
    compaction: Compaction
    tables_changed: tuple[str, ...]  # where the database may keep old versions of rows: what a server vacuums
    copies: tuple[Path, ...]  # copies of the database still there that hold them (see `_copies`)
    copies_not_found: tuple[RecordedCopy, ...]  # recorded copies that cannot be found now: they may hold them

    @property
    def rows_removed_total(self) -> int:
        return sum(n for _t, n in self.rows_removed)

    def compaction_note(self) -> str:
        """Where the database itself still holds what was removed, and what to do; "" when it holds none of it."""
        if self.compaction is Compaction.IN_USE:
            return ("Another program has this database open, so the file could not be compacted and what was removed "
                    "is still in it. Close that program, then open the database in jointlead again (if it is open "
                    "here, quit jointlead and start it again): the file is cleared out as it opens.")
        if self.compaction is Compaction.ON_SERVER:
            return ("This database is on a server, which keeps the removed rows in its storage, its write-ahead log "
                    f"and its backups until it is vacuumed (VACUUM FULL {', '.join(self.tables_changed)}) and its "
                    "log and backups roll over: ask whoever runs the server to do that.")
        return ""

    def copies_notes(self) -> tuple[str, ...]:
        """What to do about the copies that still hold the person, and those that may: a paragraph each."""
        return _copies_notes(self.copies, self.copies_not_found)


def _copies_notes(there: tuple[Path, ...], not_found: tuple[RecordedCopy, ...]) -> tuple[str, ...]:
    notes = []
    if there:
        one = len(there) == 1
        notes.append(f"{'This copy' if one else f'These {len(there)} copies'} of the database, made before, still "
                     f"{'holds' if one else 'hold'} this person: {listed([str(copy) for copy in there])}. Delete "
                     f"{'it' if one else 'them'}, or keep {'it' if one else 'them'} only as your organisation's "
                     f"retention rules allow; restoring {'it' if one else 'one'} brings the person back.")
    if not_found:
        # A copy deleted on purpose looks the same from here as one on a drive unplugged: the words fit both.
        if len(not_found) == 1:
            (copy,) = not_found
            notes.append(f"A copy of the database was saved to {copy.path} (recorded on {format_day(copy.recorded)})"
                         " and cannot be found now. If it was deleted, nothing more is needed; if it is on a drive "
                         "or shared folder not connected now, it may hold this person too: delete it, or keep it "
                         "only as your organisation's retention rules allow.")
        else:
            notes.append(f"These {len(not_found)} copies of the database, recorded as saved, cannot be found now: "
                         f"{listed([f'{c.path} ({format_day(c.recorded)})' for c in not_found])}. Any that was "
                         "deleted needs nothing more; any on a drive or shared folder not connected now may hold "
                         "this person too: delete it, or keep it only as your organisation's retention rules allow.")
    return tuple(notes)


# --- What names the person --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _KnownAs:
    """Every name and number the person has had here: as recorded now, and before as the audit log kept them."""

    names: tuple[str, ...]
    employee_numbers: tuple[str, ...]
    registration_numbers: tuple[str, ...]

    @property
    def identifiers(self) -> tuple[str, ...]:
        return self.employee_numbers + self.registration_numbers

    @property
    def words(self) -> tuple[str, ...]:
        return self.names + self.identifiers


def _known_as(session: Session, person: Person) -> _KnownAs:
    """Their names and numbers now and before: an edit to them, or a staff list that changed them, kept the old ones
    in the audit log (read before it is scrubbed)."""
    found: dict[str, list[Any]] = {"full_name": [person.full_name], "employee_number": [person.employee_number],
                                   "registration_number": [person.registration_number]}
    recorded = [json.loads(text or "{}") for text in session.scalars(select(AuditEntry.changes_json).where(
        AuditEntry.entity == PERSON.name, AuditEntry.entity_id == person.id))]
    for text in session.scalars(select(AuditEntry.changes_json).where(AuditEntry.verb == STAFF_IMPORTED)):
        pair = json.loads(text or "{}").get("detail")
        detail = pair[1] if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], dict) else {}
        changed = detail.get("changed")
        if isinstance(changed, dict) and isinstance(changed.get(str(person.id)), dict):
            recorded.append(changed[str(person.id)])
    for changes in recorded:
        for key, values in changes.items():
            if key in found and isinstance(values, list):
                found[key] += values

    def kept(values: list[Any]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip() and v != ERASED))

    return _KnownAs(kept(found["full_name"]), kept(found["employee_number"]), kept(found["registration_number"]))


def _person_references() -> list[Column]:
    """Every column that refers to a person, from the schema's foreign keys."""
    return [fk.parent for table in Base.metadata.sorted_tables for fk in table.foreign_keys
            if fk.column.table is PERSON and table is not PERSON]


def _words(words: Iterable[str]) -> str:
    return r"\s+".join(re.escape(w) for w in words)


def _pattern(known: _KnownAs) -> re.Pattern[str]:
    """Their names (forenames first, or "Surname, Forenames") and identifiers, as whole words, in any case."""
    alternatives = []
    for full_name in known.names:
        parts = full_name.split()
        alternatives.append(_words(parts))
        if len(parts) > 1:
            alternatives.append(re.escape(parts[-1]) + r"\s*,\s*" + _words(parts[:-1]))
        escaped = json.dumps(full_name)[1:-1]  # as a JSON text written with \u escapes holds it
        if escaped != full_name:
            alternatives.append(re.escape(escaped))
    alternatives += [re.escape(i) for i in known.identifiers]
    # The longest first, so that a name which begins another ("Emma White" and "Emma White-Jones") goes whole.
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _fragments(known: _KnownAs) -> list[str]:
    """Pieces every match contains, for SQL to pick the rows worth looking at.

    Each in lower, upper and title case: SQLite's lower() and LIKE fold only the letters A to Z, so a text holding
    "Łukasz" is found by "Łukasz" (or "ŁUKASZ" by "ŁUKASZ"), never by "łukasz". And lowered from upper case too:
    PostgreSQL's lower() makes "YILMAZ" "yilmaz", where "Yılmaz" lowers to "yılmaz".
    """
    pieces = []
    for full_name in known.names:
        longest = max(full_name.split(), key=len)
        pieces.append(longest)
        if json.dumps(full_name)[1:-1] != full_name:
            pieces.append(json.dumps(longest)[1:-1])
    pieces += known.identifiers
    return list(dict.fromkeys(case for p in pieces for case in (p.lower(), p.upper(), p.title(), p.upper().lower())))


def _like(fragment: str) -> str:
    return "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- Looking up and previewing ------------------------------------------------------------------------------------

def find_person(database: Database, employer_code: str, employee_number: str) -> int:
    """The id of the person with that employee number at that employer."""
    code = employer_code.strip().upper()
    with database.session() as session:
        codes = list(session.scalars(select(Organisation.code).order_by(Organisation.code)))
        person_id = session.scalar(
            select(Person.id).join(Organisation, Organisation.id == Person.employer_id)
            .where(Organisation.code == code, Person.employee_number == employee_number.strip()))
    if code not in codes:
        raise JointleadError(f"{code} is not the code of an organisation in this database.",
                             f"The codes are {listed(codes)}." if codes else "It has no organisations yet.")
    if person_id is None:
        raise JointleadError(f"Nobody at {code} has the employee number {employee_number.strip()}.",
                             "Check the number and the employer's code.")
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


def _with_kinds(lines: Iterable[tuple[int, str, str]]) -> tuple[str, ...]:
    """Each person of the (person id, name, kind) lines once, with their kinds: "Amara Ward (managerial and
    professional)"."""
    kinds: dict[tuple[int, str], dict[str, None]] = {}
    for person_id, name, kind in lines:
        kinds.setdefault((person_id, name), {})[LineKind(kind).value] = None
    return tuple(f"{name} ({listed(list(each))})" for (_id, name), each in kinds.items())


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
            _with_kinds(_led_on(session, person_id, today)),
            count(SupervisionArrangement, SupervisionArrangement.supervisee_id == person_id),
            count(SupervisionSession, SupervisionSession.supervisee_id == person_id),
            tuple(f"{name} ({kind})" for name, kind in supervising),
            count(SupervisionSession, SupervisionSession.supervisor_id == person_id),
            count(Action, Action.owner_id == person_id), *_copies(database, _recorded_copies(session), person_id))


# --- Scrubbing -----------------------------------------------------------------------------------------------------

class _Scrubber:
    """Replaces the person's words in text and JSON values, keeping each text it changed and what it became."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scrubbed: dict[str, str] = {}

    def text(self, value: str) -> str:
        new = self.pattern.sub(ERASED, value)
        if new != value:
            self.scrubbed[value] = new
        return new

    def value(self, value: Any) -> Any:
        """A value read from JSON, its text values scrubbed: numbers, keys and shape as they were."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def json_text(self, value: str) -> str:
        """A JSON text with its text values scrubbed, unchanged if none were; a text that is not JSON, as words."""
        try:
            parsed = json.loads(value)
        except ValueError:
            return self.text(value)
        new = self.value(parsed)
        return value if new == parsed else json.dumps(new, ensure_ascii=False)


def _is_id(value: Any, person_id: int) -> bool:
    return type(value) is int and value == person_id  # never True == 1


def _scrub_columns(session: Session, scrubber: _Scrubber, fragments: list[str]) -> tuple[int, set[str]]:
    """Their words out of every column of words or JSON: the number of values changed, and the tables they are in."""
    changed, tables = 0, set()
    for table in Base.metadata.sorted_tables:
        ways = {**{name: scrubber.text for name in WORDS.get(table.name, ())},
                **{name: scrubber.json_text for name in JSON_VALUES.get(table.name, ())}}
        if not ways or not fragments:
            continue
        columns = [table.c[name] for name in ways]
        keys = list(table.primary_key.columns)
        wanted = or_(*[func.lower(c).like(_like(f), escape="\\") for c in columns for f in fragments])
        for row in session.execute(select(*keys, *columns).where(wanted)).all():
            values = row._mapping
            new = {}
            for column in columns:
                if values[column] is not None:
                    scrubbed = ways[column.name](values[column])
                    if scrubbed != values[column]:
                        new[column.name] = scrubbed
            if new:
                session.execute(update(table).where(*[k == values[k] for k in keys]).values(**new))
                changed += len(new)
                tables.add(table.name)
    return changed, tables


def _scrub_import_detail(detail: Any, person_id: int, staff: bool, removed: Mapping[str, set[int]]) -> Any:
    """An import's record of what to put back on undo, without them and the rows removed with them: the import stays
    undoable for the others."""
    if not isinstance(detail, dict):
        return detail
    detail = dict(detail)
    if staff:
        for key in ("added", "flagged"):
            if isinstance(detail.get(key), list):
                detail[key] = [i for i in detail[key] if not _is_id(i, person_id)]
        if isinstance(detail.get("changed"), dict):
            detail["changed"] = {k: v for k, v in detail["changed"].items() if k != str(person_id)}
        # The lines it started or ended ([line id, ...] each) that went with them: undoing it leaves those alone.
        gone = removed.get(ReportingLine.__tablename__, set())
        if isinstance(detail.get("lines"), dict):
            detail["lines"] = {kind: [step for step in steps if not (
                isinstance(step, list) and step and type(step[0]) is int and step[0] in gone)]
                if isinstance(steps, list) else steps for kind, steps in detail["lines"].items()}
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


def _digests_scrubbed(value: Any, digests: Mapping[str, str]) -> Any:
    """An exported tracker's cell digests (exchange.action_tracker.fingerprint), each of a cell that held their words
    replaced by the digest of those words scrubbed: a digest of a name is found again by digesting names."""
    if isinstance(value, dict):
        return {k: _digests_scrubbed(v, digests) for k, v in value.items()}
    if isinstance(value, list):
        return [_digests_scrubbed(v, digests) for v in value]
    return digests.get(value, value) if isinstance(value, str) else value


def _scrub_audit(session: Session, person_id: int, removed: Mapping[str, set[int]], scrubber: _Scrubber,
                 known: _KnownAs) -> int:
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
    scrubbed = []
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all():
        changes = json.loads(entry.changes_json or "{}")
        entity_id = entry.entity_id
        if entry.entity_id is not None and entry.entity_id in about.get(entry.entity, ()):
            new = {k: [ERASED, ERASED] for k in changes}
            if entry.entity == PERSON.name:
                entity_id = None
        else:
            codes = CODES.get(entry.entity, ())
            new = {}
            for key, value in changes.items():
                if key in codes:
                    new[key] = value
                    continue
                if key in names and isinstance(value, list):
                    # A tracker's import looks its owner up by this id, as an undo does an import's: it forgets them.
                    gone = None if entry.verb == TRACKER_EXPORTED else ERASED
                    value = [gone if _is_id(v, person_id) else v for v in value]
                if key == "detail" and entry.entity == ImportBatch.__tablename__ and isinstance(value, list):
                    value = [_scrub_import_detail(v, person_id, entry.verb == STAFF_IMPORTED, removed) for v in value]
                new[key] = scrubber.value(value)
        scrubbed.append((entry, changes, new, entity_id))
    # Once every entry is scrubbed: a tracker's cell may hold words that only a later entry recorded (a title since
    # changed). An owner cell held a name on its own.
    digests = {fingerprint(old): fingerprint(new) for old, new in scrubber.scrubbed.items()}
    digests |= {fingerprint(word): fingerprint(ERASED) for word in known.words}
    changed = 0
    for entry, changes, new, entity_id in scrubbed:
        if entry.verb == TRACKER_EXPORTED and "cells" in new:
            new["cells"] = _digests_scrubbed(new["cells"], digests)
        if new != changes or entity_id != entry.entity_id:
            entry.changes_json = json.dumps(new, sort_keys=True, ensure_ascii=False)
            entry.entity_id = entity_id
            changed += 1
    session.flush()
    return changed


# --- Erasing -------------------------------------------------------------------------------------------------------

def _lacking_lead(session: Session, led: list[tuple[int, str, str]], day: date) -> tuple[str, ...]:
    return _with_kinds(line for line in led if session.scalar(select(ReportingLine.id).where(
        ReportingLine.person_id == line[0], ReportingLine.kind == line[2],
        _in_force(ReportingLine.effective_from, ReportingLine.effective_to, day)).limit(1)) is None)


def _compact(database: Database) -> Compaction:
    """Rewrite the file without free pages and empty the write-ahead log, unless another program has it open."""
    if database.engine.dialect.name != "sqlite":
        return Compaction.ON_SERVER
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            # VACUUM writes the file afresh into the write-ahead log; the checkpoint then copies it over the file,
            # unless another program is still reading the pages it replaces: it then says busy, and the file keeps
            # them until a connection that can write is the last to close it (SQLite checkpoints as it does), as
            # jointlead's are when it next opens the file with no other program holding it.
            cursor.execute("VACUUM")
            busy, log, checkpointed = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:  # another program is writing to it: in use just the same
            return Compaction.IN_USE
        finally:
            cursor.close()
        return Compaction.DONE if busy == 0 and log == checkpointed else Compaction.IN_USE
    finally:
        connection.close()


def _recorded_copies(session: Session) -> tuple[RecordedCopy, ...]:
    """The copies the audit log records (services.files), each with the day it was last recorded, read before an
    erasure scrubs it: a copy named after the person is listed by its real name."""
    last: dict[Path, date] = {}
    for verb, changes, at in session.execute(
            select(AuditEntry.verb, AuditEntry.changes_json, AuditEntry.at)
            .where(AuditEntry.verb.in_((COPY_VERB, RESTORE_VERB))).order_by(AuditEntry.id)):
        for path in copies_recorded([(verb, json.loads(changes or "{}"))]):
            last[path] = at.date()
    return tuple(RecordedCopy(path, day) for path, day in last.items())


def _copies(database: Database, recorded: tuple[RecordedCopy, ...],
            person_id: int) -> tuple[tuple[Path, ...], tuple[RecordedCopy, ...]]:
    """The copies of the database still there that still hold the person: of the backups beside it, copies saved
    beside it under the name File > Save a copy suggests, and the copies its audit log records, wherever they are,
    those with the person's row (a copy made after they were erased once, then restored, has none), or that cannot be
    read to tell. Then, apart, the recorded copies that cannot be found now."""
    if database.path is None:  # a shared database's backups are the server's, out of jointlead's reach
        return (), ()
    stem, beside = database.path.stem, database.path.parent
    found = [*(beside / "backups").glob(f"{glob.escape(stem)}*.sqlite"),
             *beside.glob(f"{glob.escape(stem)} copy *.sqlite"),  # File > Save a copy's suggested name
             *(copy.path for copy in recorded)]
    there = {path.resolve(): path for path in found if path.is_file()}
    there.pop(database.path.resolve(), None)  # a copy restored over it is the database now
    not_found = [copy for copy in recorded if not copy.path.is_file()]
    return (tuple(sorted(copy for copy in there.values() if _may_hold(copy, person_id))),
            tuple(sorted(not_found)))


def _may_hold(copy: Path, person_id: int) -> bool:
    try:
        return holds_row(copy, PERSON.name, person_id)
    except JointleadError:  # damaged, or not a database any more: it may hold them still
        return True


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
        employer_id = person.employer_id
        known = _known_as(session, person)
        scrubber = _Scrubber(_pattern(known))
        led = _led_on(session, person_id, today)
        recorded = _recorded_copies(session)

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
        if known.employee_numbers and employer_id is not None:
            # Any number of theirs, unless someone else at their employer has it now (then it is that person's).
            held = select(PERSON.c.employee_number).where(
                PERSON.c.employer_id == employer_id, PERSON.c.id != person_id, PERSON.c.employee_number.is_not(None))
            result = session.execute(update(PERSON).where(
                PERSON.c.employer_id == employer_id, PERSON.c.hr_supervisor_number.in_(known.employee_numbers),
                PERSON.c.hr_supervisor_number.not_in(held), PERSON.c.id != person_id
            ).values(hr_supervisor_number=None))
            if result.rowcount:
                cleared["person.hr_supervisor_number"] = result.rowcount
        session.expunge(person)
        session.execute(delete(PERSON).where(PERSON.c.id == person_id))
        removed.setdefault(PERSON.name, set()).add(person_id)

        text_scrubbed, scrubbed_tables = _scrub_columns(session, scrubber, _fragments(known))
        audit_scrubbed = _scrub_audit(session, person_id, removed, scrubber, known)
        left = _lacking_lead(session, led, today)
        entry = uow.audit(VERB, PERSON.name, None, {"date": (None, today), "reason": (None, scrubber.text(reason))})
        session.flush()
        entry_id = entry.id
        uow.commit()
    # The dashboard's snapshot (shown at the next start while the database opens) may name them: it goes too, and
    # is taken afresh, without them, when the window next closes.
    dashboard_snapshot().unlink(missing_ok=True)
    tables = {*removed, *(reference.split(".")[0] for reference in cleared), *scrubbed_tables,
              AuditEntry.__tablename__}
    return ErasureReport(
        entry_id, tuple(sorted((t, len(ids)) for t, ids in removed.items())), tuple(sorted(cleared.items())),
        text_scrubbed, audit_scrubbed, left, _compact(database), tuple(sorted(tables)),
        *_copies(database, recorded, person_id))
