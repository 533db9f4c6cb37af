"""The action tracker round trip: export a tracker for an organisation or an owner, and import it back when it
returns with their updates — previewed action by action, conflicts decided by the manager, applied as one Edit.

Rules (docs/actions.md):
- The tracker holds the open actions (open and in progress) of one organisation or one owner. Owners write in
  "New update", "New status" (a drop-down), "New due date" with "Reason for new due date"; a row with no Ref and an
  Action, Owner and Due date is a new action (an owner's tracker fills in its owner). Nothing else is taken, and
  nothing else is dropped unseen: each cell an owner changed that is not taken (a retitled action, an overtyped Due or
  Status...), anything in a column the tracker does not have, and an action whose row is gone are named in notices.
  A cell is changed when its fingerprint differs from the one registered with the export.
- A hidden sheet holds the export id and each row's version: a digest of the action and its updates and due-date
  changes as they stood. The export is registered in the audit log with the same versions; a tracker whose id this
  database never issued, or whose hidden sheet no longer matches, is refused.
- An action whose version here differs from the exported one was changed here after the export: each change the
  tracker asks of it is a conflict, accepted or rejected by the manager before anything is applied.
- A copy of a tracker imported already (corrected or added to, and sent again) gives only what is new in it: each
  import records the changes it took and the versions it left, and a change taken before is a notice, not a change.
  It records the changes the manager rejected too (an import with every change rejected is recorded for that alone):
  one sent again unchanged is a conflict, rejected again unless the manager accepts it now. And it records where
  each new row was, whose it was and when it was due: a new row of a later copy at the same place (or for the same
  owner and due date) whose title has changed since is a conflict too, not added again unless the manager accepts
  it as another action (an owner correcting a typo would otherwise add it twice).
- Updates are dated the day of import, by the owner named on the row. A status of Complete takes the new update
  as its evidence; Cancelled needs a new update saying why, and is refused if that update is rejected (a rejected
  update is never kept as evidence either). Everything typed is stored as text, formulas included.
- A row's Ref is checked against the rest of it: a row that holds another exported action's title as sent, not its
  Ref's, or two of its Action, Owner and Due as sent and none of its Ref's (a Ref retyped, or the rows sorted without
  it, with a cell overtyped as well), is a problem, never a change to the wrong action; so is a row with its Ref
  cleared that holds an exported action's title and its Owner or Due, never a second copy of it.
- All or nothing: any row with a problem stops the import unless the valid rows are accepted on their own, and the
  whole import is one transaction and one Edit (undo removes it, import batch included).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from enum import StrEnum
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from jointlead.domain import actions as rules
from jointlead.domain.actions import ActionStatus, action_reference, reference_number
from jointlead.domain.calendar import format_day
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.words import listed
from jointlead.exchange.action_tracker import (
    CONTROL_COLUMNS,
    CONTROL_SHEET,
    DUE,
    NEW_DUE,
    NEW_STATUS,
    NEW_UPDATE,
    OWNER,
    REASON,
    TITLE,
    TRACKER_COLUMNS,
    TRACKER_SHEET,
    TrackerFile,
    control_rows,
    exported_fields,
    fingerprint,
    read_tracker,
)
from jointlead.exchange.problems import FileRefused, Problem, cell_reference
from jointlead.exchange.values import is_blank, quoted
from jointlead.exchange.writing import ExportWorkbook
from jointlead.services.actions import (
    OPEN_STATUSES,
    action_log,
    add_action,
    add_update_row,
    find_owner,
    record_due_change,
    set_status,
)
from jointlead.services.edits import Edit, Recorder
from jointlead.services.exports import ExportResult, _cover, _digest, _organisation, _record, in_one_state
from jointlead.store.database import Database
from jointlead.store.models import (
    Action,
    ActionDueChange,
    ActionUpdate,
    AuditEntry,
    ImportBatch,
    Meeting,
    Organisation,
    Person,
)
from jointlead.store.uow import UnitOfWork, os_user

EXPORT_VERB = "export_action_tracker"
IMPORT_VERB = "import action tracker"
TRACKER_ENTITY = "action_tracker"
BATCH_KIND = "actions"

# The cells of a row the import does not take, with what the manager is told of each: what the cell holds, how that
# is changed instead, and the owner column whose value, when the cell says the same, was taken in its place.
_NOT_TAKEN = {
    "title": ("title", "titles are changed in jointlead", None),
    "owner": ("owner", "an action is given to another owner in jointlead", None),
    "due": ("due date", f"a due date is moved with '{NEW_DUE}' and a reason", "new_due"),
    "status": ("status", f"a status is changed with '{NEW_STATUS}'", "new_status"),
    "rag": ("RAG", "the RAG is worked out in jointlead (a manager may override it there)", None),
    "updated_on": ("date of the latest update",
                   f"updates are added with '{NEW_UPDATE}' and dated the day they are imported", None),
    "latest_update": ("latest update", f"updates are only added, with '{NEW_UPDATE}'", None),
    "reason": ("reason for a new due date", "a new action's due date needs no reason", None),
    "new_due": ("new due date", f"a new action's due date is the one in '{DUE}'", "due"),
}
# An exported action's row takes none of the cells jointlead wrote. A new row takes its Action, Owner and Due, and
# its New due date only when Due is empty; it starts Open unless New status says otherwise, so "Open" in its Status
# cell changes nothing, and nor does leaving it empty, as an owner adding a row does.
_EXPORTED = ("title", "owner", "due", "status", "rag", "updated_on", "latest_update")
_NEW_ROW = ("status", "rag", "updated_on", "latest_update", "reason", "new_due")
_NEW_ROW_AS_EXPORTED = {"status": fingerprint(ActionStatus.OPEN)}
# The cells that say which action a row is, besides its Ref, and their headings.
_IDENTIFYING = {"title": TITLE, "owner": OWNER, "due": DUE}


# --- versions ---------------------------------------------------------------------------------------------------------

def versions(session: Session, action_ids: list[int], *, as_digested_until_0010: bool = False) -> dict[int, str]:
    """Each action's version: a digest of every field, and of which updates and due-date changes it has.

    Not of its `version` column, the database's bookkeeping (store.models.Versioned), which an undo and a redo move
    on though the action is as it was: an owner's tracker imported, undone and redone then found its own changes
    "changed here". Trackers exported from when that column came (revision 0005) until 0010 digested it too:
    `as_digested_until_0010` gives their digest, so that they still match an action unchanged since."""
    if not action_ids:
        return {}
    columns = [c.key for c in inspect(Action).columns if as_digested_until_0010 or c.key != "version"]
    updates: dict[int, list[int]] = {}
    for action_id, update_id in session.execute(select(ActionUpdate.action_id, ActionUpdate.id)
                                                .where(ActionUpdate.action_id.in_(action_ids))):
        updates.setdefault(action_id, []).append(update_id)
    changes: dict[int, list[int]] = {}
    for action_id, change_id in session.execute(select(ActionDueChange.action_id, ActionDueChange.id)
                                                .where(ActionDueChange.action_id.in_(action_ids))):
        changes.setdefault(action_id, []).append(change_id)
    found = {}
    for action in session.scalars(select(Action).where(Action.id.in_(action_ids))):
        state = [[key, getattr(action, key)] for key in columns]
        state += [sorted(updates.get(action.id, [])), sorted(changes.get(action.id, []))]
        digest = hashlib.sha256(json.dumps(state, default=str, ensure_ascii=False).encode()).hexdigest()
        found[action.id] = digest[:16]
    return found


# --- export -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrackerExported(ExportResult):
    export_id: str = ""


@in_one_state
def export_action_tracker(database: Database, out: Path, *, organisation: str | None = None,
                          owner: str | None = None, today: date | None = None,
                          generated_on: datetime | None = None) -> TrackerExported:
    """The open actions of one organisation (by code) or one owner (by name), for them to update and send back.

    `ExportResult.rows` is the number of actions. The same data, `today` and `generated_on` give the same bytes.
    """
    if (organisation is None) == (owner is None):
        raise JointleadError("Say whose tracker this is: an organisation or an owner, not both.",
                             "For example --org NFT, or --owner 'Lucy Roberts'.")
    if database.read_only:
        # Its return is matched to what was sent through the record kept of it here: none can be kept, and the
        # owners' edits could never come back.
        raise JointleadError("This database is open read-only, so no tracker can be sent from it: jointlead keeps a "
                             "record of each tracker it sends, to match the owners' edits when it comes back.",
                             "Export the tracker where the database can be changed. For a list to read, print the "
                             "Actions page or save it as PDF (File > Save as PDF…).")
    today = today or date.today()
    with database.session() as session:
        person: Person | None = None
        if owner is not None:
            person = find_owner(session, owner)
            employer = session.get(Organisation, person.employer_id) if person.employer_id else None
            if employer is None:
                raise JointleadError(f"{person.full_name} has no employing organisation recorded.",
                                     "Record their employer on the People page, then export again.")
            whose, scope = person.full_name, f"owner {person.full_name}"
        else:
            employer = _organisation(session, organisation)
            whose, scope = employer.code, f"organisation {employer.code}"
        as_at = format_day(today)
        cover = _cover(database, session, "Action tracker", employer, as_at, (
            f"The open actions of {whose} as at {as_at}, to update and send back.",
            f"Write only in the last four columns: '{NEW_UPDATE}', '{NEW_STATUS}' (choose from the list), and "
            f"'{NEW_DUE}' with the '{REASON}'.",
            "To add an action, fill in a row under the last one: its Action, Owner and Due date, leaving Ref empty.",
            "Send this file back as it is, as .xlsx: a hidden sheet matches it to the actions it was made from.",
        ), generated_on=generated_on)
        if person is not None:
            cover = replace(cover, organisation=f"{person.full_name} ({employer.code})")
        export_id = hashlib.sha256(f"{database.name}|{scope}|{cover.generated_on.isoformat()}".encode()
                                   ).hexdigest()[:16].upper()
    rows = action_log(database, today, status=OPEN_STATUSES, owner_id=person.id if person else None,
                      organisation=None if person else employer.code)
    rows = sorted(rows, key=lambda r: (r.due, reference_number(r.reference) or 0))
    with database.session() as session:
        exported = versions(session, [r.id for r in rows])
    by_reference = {r.reference: exported[r.id] for r in rows}
    table = [(r.reference, r.title, r.owner or None, r.due, r.status.label, r.rag, r.latest_update_on,
              r.latest_update or None, None, None, None, None) for r in rows]
    cells = {r.reference: {name: fingerprint(value) for name, value in exported_fields(row).items()
                           if name in _EXPORTED} for r, row in zip(rows, table, strict=True)}
    with ExportWorkbook(cover) as workbook:
        workbook.add_table(TRACKER_SHEET, TRACKER_COLUMNS, table,
                           table_name="ActionTracker", description=f"{len(rows)} open actions of {whose}")
        workbook.add_table(CONTROL_SHEET, CONTROL_COLUMNS, control_rows(export_id, by_reference),
                           table_name="TrackerControl", hidden=True)
        path = workbook.save(out)
    result = TrackerExported(path, len(rows), _digest(path), export_id=export_id)
    _record(database, EXPORT_VERB, result, employer.code, as_at)
    with UnitOfWork(database) as uow:
        uow.audit(EXPORT_VERB, TRACKER_ENTITY, None, {
            "export_id": (None, export_id), "scope": (None, scope),
            "owner_id": (None, person.id if person else None), "organisation": (None, employer.code),
            "file": (None, path.name), "versions": (None, by_reference), "cells": (None, cells)})
        uow.commit()
    return result


# --- import: the preview ----------------------------------------------------------------------------------------------

class ChangeKind(StrEnum):
    STATUS = "status"
    UPDATE = "update"
    DUE_DATE = "due date"
    NEW_ACTION = "new action"


_APPLY_ORDER = {ChangeKind.NEW_ACTION: 0, ChangeKind.UPDATE: 1, ChangeKind.DUE_DATE: 2, ChangeKind.STATUS: 3}


@dataclass(frozen=True)
class TrackerChange:
    """One change the tracker asks for. `key` names it in the manager's decisions; `conflict` says what changed
    here since the export ("" when nothing did)."""

    key: str
    kind: ChangeKind
    reference: str  # "" for a new action
    row: int
    title: str
    summary: str  # what a person reads: "Open → Complete", the update's text, "1 Dec 2026 → 15 Jan 2027: reason"
    conflict: str = ""
    action_id: int | None = None
    version: str = ""  # the action's version here when previewed
    status: str = ""
    text: str = ""  # an update; the evidence of a completion; the reason for a cancellation
    author: str = ""
    due: date | None = None
    reason: str = ""
    owner_id: int | None = None
    # Why this change is rejected unless the manager accepts it, said at the end of its conflict: a change rejected
    # before and sent again unchanged, or a new row that may be an action an earlier import of the tracker added.
    # "" for a change that is taken unless rejected (or, in conflict with changes made here, waits for a decision).
    unless_accepted: str = ""


@dataclass(frozen=True)
class ActionReview:
    """The changes asked of one action (or one new row), as the preview shows them."""

    reference: str
    row: int
    title: str
    conflict: str
    changes: tuple[TrackerChange, ...]


@dataclass(frozen=True)
class TrackerPreview:
    path: Path
    sha256: str
    export_id: str
    scope: str  # "organisation NFT" or "owner Lucy Roberts"
    exported_at: datetime  # UTC, from the audit log
    today: date  # the day the changes will be dated
    rows_read: int
    changes: tuple[TrackerChange, ...]
    problems: tuple[Problem, ...]  # rows that cannot be imported as they are
    notices: tuple[str, ...]  # worth knowing; nothing to decide
    organisation_id: int | None
    sheet: str

    @property
    def conflicts(self) -> tuple[TrackerChange, ...]:
        return tuple(c for c in self.changes if c.conflict)

    @property
    def changed_here(self) -> tuple[TrackerChange, ...]:
        """The conflicts with changes made here since the export, which wait for the manager to decide (the rest are
        rejected unless accepted: `TrackerChange.unless_accepted`)."""
        return tuple(c for c in self.changes if c.conflict.removesuffix(c.unless_accepted).strip())

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def reviews(self) -> tuple[ActionReview, ...]:
        """The changes action by action, in the tracker's row order."""
        grouped: dict[int, list[TrackerChange]] = {}
        for change in self.changes:
            grouped.setdefault(change.row, []).append(change)
        return tuple(ActionReview(group[0].reference, row, group[0].title, _together(group), tuple(group))
                     for row, group in sorted(grouped.items()))


def _together(changes: Sequence[TrackerChange]) -> str:
    """What a row's changes conflict with, each said once: changes made here to the action, shared by all of them,
    then why any one of them is rejected unless accepted."""
    here = [change.conflict.removesuffix(change.unless_accepted).strip() for change in changes]
    return " ".join(dict.fromkeys(said for said in [*here, *(c.unless_accepted for c in changes)] if said))


def _registration(session: Session, export_id: str) -> tuple[AuditEntry, dict]:
    for entry in session.scalars(select(AuditEntry).where(
            AuditEntry.entity == TRACKER_ENTITY, AuditEntry.verb == EXPORT_VERB,
            AuditEntry.changes_json.like(f'%"{export_id}"%')).order_by(AuditEntry.id.desc())):
        changes = {key: new for key, (_old, new) in json.loads(entry.changes_json).items()}
        if changes.get("export_id") == export_id:
            return entry, changes
    raise FileRefused("This tracker was not exported from this database, so it cannot be imported here.",
                      "Import it into the database it was exported from, or export a new tracker from this one and "
                      "send that to the owner.")


# What a manager calls each field of an action, for a conflict that says what was done to it here.
_FIELD_WORDS = {"title": "title", "detail": "detail", "workstream": "workstream", "reference": "reference",
                "raised_date": "raised date", "original_due_date": "original due date",
                "rag_override_reason": "reason for the RAG set by hand",
                "owner_organisation_id": "owner's organisation"}
# Said in words of their own, or not at all: the completion follows the status, the organisation follows the owner.
_SAID_APART = {"status", "revised_due_date", "completed_date", "evidence", "id", "owner_id", "meeting_id", "priority",
               "rag_override"}


def _person_named(session: Session, person_id: object) -> str:
    if person_id is None:
        return "nobody"
    person = session.get(Person, person_id)
    return person.full_name if person is not None else "someone no longer recorded"


def _meeting_named(session: Session, meeting_id: object) -> str:
    if meeting_id is None:
        return "none"
    meeting = session.get(Meeting, meeting_id)
    return f"{meeting.name} on {format_day(meeting.meeting_date)}" if meeting is not None else "a meeting since removed"


def _action_edits(session: Session, changes: Mapping[str, list]) -> list[str]:
    """An edit of an action, as its audit entry records it, in the words the Actions page uses: "owner Mohammed Evans
    → Lucy Roberts", "priority medium → high", "title and detail edited"."""
    if "id" in changes:  # the action added (or put back by undo): nothing about it can conflict with the owner's row
        return []
    what = []
    if "status" in changes:
        old, new = changes["status"]
        what.append(f"status {old} → {new}")
    if "revised_due_date" in changes:
        what.append("due date moved")
    if "owner_id" in changes:
        old, new = changes["owner_id"]
        what.append(f"owner {_person_named(session, old)} → {_person_named(session, new)}")
    if "meeting_id" in changes:
        old, new = changes["meeting_id"]
        what.append(f"meeting {_meeting_named(session, old)} → {_meeting_named(session, new)}")
    if "priority" in changes:
        old, new = changes["priority"]
        what.append(f"priority {old} → {new}")
    if "rag_override" in changes:
        _old, new = changes["rag_override"]
        what.append(f"RAG set by hand to {new}" if new else "RAG set by hand removed")
    edited = [_FIELD_WORDS.get(key, key.replace("_", " ")) for key in changes if key not in _SAID_APART
              and not (key == "owner_organisation_id" and "owner_id" in changes)
              and not (key == "rag_override_reason" and "rag_override" in changes)]
    if edited:
        what.append(f"{listed(edited)} edited")
    return what


def _changed_here(session: Session, after: int, action_ids: set[int],
                  since: Mapping[int, int]) -> dict[int, list[str]]:
    """For each action, what the audit log says was done to it after the export (entry `after`), or after the
    earlier import of the tracker that last changed it (its entry in `since`): one line per audit entry."""
    found: dict[int, list[str]] = {}
    for entry_id, entity, entity_id, at, who, changes_json in session.execute(
            select(AuditEntry.id, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.at, AuditEntry.os_user,
                   AuditEntry.changes_json)
            .where(AuditEntry.id > after, AuditEntry.entity.in_(
                [Action.__tablename__, ActionUpdate.__tablename__, ActionDueChange.__tablename__]))
            .order_by(AuditEntry.id)):
        changes = json.loads(changes_json)
        if entity == Action.__tablename__:
            action_id, old, new = entity_id, None, None
        else:
            old, new = changes.get("action_id", (None, None))
            action_id = new if new is not None else old
        if action_id not in action_ids or entry_id <= since.get(action_id, after):
            continue
        if entity == Action.__tablename__:
            what = _action_edits(session, changes)
        else:
            kind = "an update" if entity == ActionUpdate.__tablename__ else "a due-date change"
            what = [f"{kind} {'added' if new is not None else 'removed'}"]
        if what:
            found.setdefault(action_id, []).append(f"{', '.join(what)} ({who}, {format_day(at.date())})")
    return found


def _unless_accepted(change: TrackerChange, why: str) -> TrackerChange:
    """The change as a conflict that is rejected unless the manager accepts it, saying why after anything else it
    conflicts with."""
    return replace(change, conflict=f"{change.conflict} {why}".strip(),
                   unless_accepted=f"{change.unless_accepted} {why}".strip())


def _are_those(headings: Sequence[str]) -> str:
    """"Action is the one", "Action and Owner are those", as a row's cells are some action's as sent."""
    return f"{listed(headings)} {'is the one' if len(headings) == 1 else 'are those'}"


def _were(references: Sequence[str]) -> str:
    """"A-0011 was", "A-0011 and A-0012 were"."""
    return f"{listed(references)} {'was' if len(references) == 1 else 'were'}"


def _text_key(text: str) -> str:
    """Text (a new action's title, a reason) as a copy of the tracker sent again would say it again: case and spacing
    aside."""
    return " ".join(text.split()).casefold()


# How alike two titles must be, as difflib measures them (0 to 1), for one to be the other corrected: a typo fixed or
# a word changed keeps them above it ("inducton" → "induction" is 0.98), another action is well below (about 0.3).
MUCH_THE_SAME = 0.6


def _much_the_same(title: str, other: str) -> bool:
    """Whether one title may be the other corrected, case and spacing aside."""
    return SequenceMatcher(None, _text_key(title), _text_key(other)).ratio() >= MUCH_THE_SAME


def _taken_key(change: TrackerChange) -> tuple[str, ...]:
    """What makes a change the same change when a later copy of the tracker asks for it again."""
    if change.kind == ChangeKind.NEW_ACTION:
        return (change.kind.value, _text_key(change.title))
    value = {ChangeKind.UPDATE: change.text, ChangeKind.DUE_DATE: change.due.isoformat() if change.due else "",
             ChangeKind.STATUS: change.status}[change.kind]
    return (change.kind.value, change.reference, value)


def _rejected_key(change: TrackerChange) -> tuple[str, ...]:
    """What makes a change the one the manager rejected before, sent again unchanged: the same change, and for a new
    due date the same reason too (an owner who gives another reason asks again, and is heard again)."""
    key = _taken_key(change)
    return (*key, _text_key(change.reason)) if change.kind == ChangeKind.DUE_DATE else key


@dataclass(frozen=True)
class _AddedRow:
    """A new row an earlier import of the tracker added as an action, as it was then."""

    row: int
    reference: str
    title: str
    owner_id: int | None
    due: date
    day: date  # of that import


class _EarlierImports:
    """What earlier imports of the same tracker (a copy corrected or saved again by its owner) took and rejected, the
    new rows they added, and the version each left its actions at, so that importing it again takes only what is new
    in it."""

    def __init__(self, session: Session, export_id: str) -> None:
        self.taken: dict[tuple[str, ...], tuple[str, date]] = {}  # change -> (the new action's reference, the day)
        self.rejected: dict[tuple[str, ...], date] = {}  # change (_rejected_key) -> the day it was last rejected
        self.added: list[_AddedRow] = []
        self._left: dict[str, tuple[str, int]] = {}  # reference -> (its version after the import, the import's entry)
        for batch in session.scalars(select(ImportBatch).where(
                ImportBatch.kind == BATCH_KIND, ImportBatch.undone_at.is_(None),
                ImportBatch.mapping_json.like(f'%"{export_id}"%')).order_by(ImportBatch.id)):
            mapping = json.loads(batch.mapping_json)
            if mapping.get("export_id") != export_id:
                continue
            day = batch.imported_at.date()
            entry_id = session.scalar(select(AuditEntry.id).where(
                AuditEntry.entity == ImportBatch.__tablename__, AuditEntry.entity_id == batch.id)
                .order_by(AuditEntry.id))
            for key, reference in mapping.get("taken", []):
                self.taken[tuple(key)] = (reference, day)
            # Imports by earlier versions of jointlead kept a rejected change's name alone ("A-0019 due date"), which
            # does not say what it asked: those are not known again, and are heard as new.
            for key in mapping.get("rejected", []):
                if isinstance(key, list):
                    self.rejected[tuple(key)] = day
            for row, reference, title, owner_id, due in mapping.get("added", []):  # none kept by earlier versions
                self.added.append(_AddedRow(row, reference, title, owner_id, date.fromisoformat(due), day))
            for reference, version in mapping.get("left", {}).items():
                self._left[reference] = (version, entry_id or 0)

    def left(self, reference: str) -> str | None:
        """The version the last earlier import left this action at, if one changed it."""
        return self._left[reference][0] if reference in self._left else None

    def since(self, actions: Mapping[str, Action]) -> dict[int, int]:
        """For each action an earlier import changed, that import's audit entry: what was done before it is known."""
        return {action.id: self._left[reference][1] for reference, action in actions.items()
                if reference in self._left}


def preview_tracker_import(database: Database, path: Path, *, today: date | None = None) -> TrackerPreview:
    """Read a returned tracker and say what it would change, action by action, with any conflicts and problems.

    Nothing is changed. Raises FileRefused for a file that is not a tracker this database exported.
    """
    today = today or date.today()
    tracker = read_tracker(Path(path))
    with database.session() as session:
        entry, registered = _registration(session, tracker.export_id)
        exported: dict[str, str] = registered.get("versions") or {}
        if tracker.versions != exported:
            raise FileRefused("The tracker's hidden sheet no longer matches the tracker that was exported, so its "
                              "rows cannot be matched to the actions safely.",
                              "Export a new tracker and send that to the owner.")
        earlier = session.scalar(select(ImportBatch).where(ImportBatch.kind == BATCH_KIND,
                                                           ImportBatch.sha256 == tracker.sha256))
        if earlier is not None:
            every_change_rejected = ", with every change in it rejected," if not (earlier.added or earlier.changed) \
                else ""
            raise FileRefused(f"This tracker was imported already{every_change_rejected} on "
                              f"{format_day(earlier.imported_at.date())}.",
                              "Nothing was changed. To import it again, undo the earlier import first.")
        actions = {a.reference: a for a in session.scalars(select(Action).where(Action.reference.in_(exported)))}
        earlier_imports = _EarlierImports(session, tracker.export_id)
        now = versions(session, [a.id for a in actions.values()])
        as_then = versions(session, [a.id for a in actions.values()], as_digested_until_0010=True)
        # Changed here: since the export, or since an earlier import of this tracker left it (that import's own
        # changes are the owner's, not a conflict with them).
        changed = {a.id for ref, a in actions.items()
                   if not {now[a.id], as_then[a.id]} & {exported[ref], earlier_imports.left(ref)}}
        described = _changed_here(session, entry.id, changed, earlier_imports.since(actions))
        default_owner = session.get(Person, registered["owner_id"]) if registered.get("owner_id") else None
        organisation_id = session.scalar(select(Organisation.id).where(
            Organisation.code == registered.get("organisation")))
        written = registered.get("cells")
        reader = _RowReader(session, tracker, actions, now, changed, described, default_owner, today, written or {},
                            earlier_imports)
        if written is None:
            reader.notices.append("This tracker was exported by an earlier version of jointlead, which kept no note "
                                  "of the cells it wrote, so changes to them cannot be found: look over the columns "
                                  f"before '{NEW_UPDATE}' by eye.")
        for row in tracker.rows:
            reader.read(row)
        reader.notice_rows_gone()
    return TrackerPreview(
        path=tracker.path, sha256=tracker.sha256, export_id=tracker.export_id, scope=registered.get("scope", ""),
        exported_at=entry.at, today=today, rows_read=len(tracker.rows), changes=tuple(reader.changes),
        problems=tuple(reader.problems), notices=tracker.notices + tuple(reader.notices),
        organisation_id=organisation_id, sheet=tracker.sheet)


class _RowReader:
    """Turns the tracker's rows into changes, problems and notices; a row with a problem gives no changes."""

    def __init__(self, session: Session, tracker: TrackerFile, actions: Mapping[str, Action],
                 now: Mapping[int, str], changed: set[int], described: Mapping[int, list[str]],
                 default_owner: Person | None, today: date, written: Mapping[str, Mapping[str, str]],
                 earlier: _EarlierImports) -> None:
        self.session = session
        self.tracker = tracker
        self.actions = actions
        self.now = now
        self.changed = changed
        self.described = described
        self.default_owner = default_owner
        self.today = today
        self.written = written  # reference -> field name -> fingerprint of the cell as exported
        self.taken = earlier.taken  # what earlier imports of this tracker took
        self.earlier = earlier
        # The new rows added before whose titles are on no new row of this copy: one of them may be on a row whose
        # title was corrected since. Each is claimed by one row at most.
        titled = {_text_key(row.values["title"]) for row in tracker.rows
                  if row.values.get("reference") is None and row.values.get("title")}
        self.unclaimed = [added for added in earlier.added if _text_key(added.title) not in titled]
        self.read_columns = set(tracker.columns.values())
        self.changes: list[TrackerChange] = []
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        self.seen: dict[str, int] = {}

    def _problem(self, row: int, message: str, column: str | None = None) -> None:
        self.problems.append(Problem(message, self.tracker.sheet, row, self.tracker.columns.get(column)))

    def _looks_like(self, values: Mapping[str, object], reference: str | None = None) -> tuple[list[str], list[str]]:
        """The exported actions whose row this is, by its Action, Owner and Due as sent (case and spacing aside),
        rather than the action its Ref names (or a new one, with no Ref); and the headings of the cells that say so.

        A row's Ref alone must not decide which action it changes: rows sorted without their Refs, or a Ref retyped,
        leave another action's cells beside it, and the owner may have overtyped one of them too. So a row is
        another action's when it holds that action's title and not its Ref's own; when two of those cells are
        another's and none is its Ref's; or when all three are another's. A cell both were sent with says nothing
        either way: on an owner's tracker every row has the same Owner, and two actions may be due the same day.
        A row with no Ref is an exported action's when it holds its title, and its Owner or Due as well.
        """
        held = {name: fingerprint(values.get(name)) for name in _IDENTIFYING if not is_blank(values.get(name))}
        own = self.written.get(reference, {}) if reference is not None else {}
        ours = {name for name, cell in held.items() if own.get(name) == cell}
        found: list[tuple[set[str], str]] = []
        for other, cells in sorted(self.written.items()):
            if other == reference:
                continue
            same = {name for name, cell in held.items() if cells.get(name) == cell}
            theirs = same - ours
            if reference is None:
                doubtful = "title" in same and len(same) >= 2
            else:
                doubtful = ("title" in theirs or (len(theirs) >= 2 and not ours)
                            or (len(same) == len(_IDENTIFYING) and len(ours) < len(_IDENTIFYING)))
            if doubtful:
                found.append((same, other))
        if not found:
            return [], []
        found.sort(key=lambda each: -len(each[0]))  # the likeliest first, each in reference order
        cells = found[0][0]
        return ([other for same, other in found if same == cells],
                [heading for name, heading in _IDENTIFYING.items() if name in cells])

    def read(self, row) -> None:
        self._notice_columns_not_read(row)
        if row.problems:
            self.problems.extend(row.problems)
            return
        values = row.values
        if values.get("reference") is None:
            self._new_action(row.row, values)
        else:
            self._existing(row.row, values)

    def _owner(self, name: str | None) -> Person | None:
        return find_owner(self.session, name) if name else self.default_owner

    def _new_action(self, number: int, values: Mapping[str, object]) -> None:
        title, owner_name = values.get("title"), values.get("owner")
        sent, cells = self._looks_like(values)
        if sent:
            self._problem(number, f"The Ref is empty, but the row's {_are_those(cells)} {_were(sent)} sent with "
                                  f"({quoted(title)}), so it would add {listed(sent)} again as a new action. Put its "
                                  f"Ref back ({' or '.join(sent)}) for the row's changes to be taken for it; a new "
                                  "action needs an Action of its own.", "reference")
            return
        self._notice_not_taken(f"Row {number}", number, values,
                               [name for name in _NEW_ROW if (name != "new_due" or values.get("due"))
                                and (name != "status" or not is_blank(values.get("status")))],
                               _NEW_ROW_AS_EXPORTED)
        due = values.get("due") or values.get("new_due")
        text, status = values.get("new_update"), values.get("new_status")
        if not any((title, owner_name, due, text, status, values.get("reason"))):
            return
        if title and self._taken_before(f"Row {number}", (ChangeKind.NEW_ACTION.value, _text_key(title))):
            return
        missing = [label for label, value in (("Action", title), ("Owner", owner_name or self.default_owner),
                                              ("Due", due)) if not value]
        if missing:
            self._problem(number, f"This looks like a new action, but it has no {' or '.join(missing)}: a new "
                                  "action needs an Action, an Owner and a Due date, and an empty Ref.")
            return
        try:
            owner = self._owner(owner_name)
            title = rules.check_title(title)  # on one line, as every title is kept
            rules.check_due(due, self.today)
            status = status or ActionStatus.OPEN
            if not ActionStatus(status).is_open:
                raise ValidationError(f"A new action cannot start as {status.value}.",
                                      "Leave New status empty (Open) or choose In progress.")
            author = owner.full_name
            if text:
                rules.check_update(self.today, author, text, raised=self.today, today=self.today)
        except JointleadError as error:
            self._problem(number, str(error))
            return
        change = TrackerChange(
            key=f"row {number} new action", kind=ChangeKind.NEW_ACTION, reference="", row=number, title=title,
            summary=f"New action for {owner.full_name}, due {format_day(due)}"
                    + (f", with the update: {text}" if text else ""), status=ActionStatus(status).value,
            text=text or "", author=author, due=due, owner_id=owner.id)
        added = self._added_before(number, title, owner.id, due)
        if added is not None:
            reference = added.reference
            change = _unless_accepted(change, (
                f"Row {number} may be {reference} with its title changed: {reference} was added from row "
                f"{added.row} when this tracker was imported on {format_day(added.day)}, as {quoted(added.title)}. "
                f"It is not added again unless you accept it as another action; if it is {reference}, change "
                f"{reference} itself in jointlead" + (" and add its new update there." if text else ".")))
        self.changes.append(self._unless_rejected_before(change))

    def _added_before(self, number: int, title: str, owner_id: int, due: date) -> _AddedRow | None:
        """The new row an earlier import of this tracker added that this one may be, its title corrected since (a
        title taken before is known by itself): one with much the same title, added from this row for the same
        owner or due date, else from another row (rows deleted or inserted above it) for the same owner and due
        date. Each is claimed by one row of this copy at most.

        The title must still be much the same: on an owner's tracker every row has the same owner, so a different
        action typed over a row imported before is for the same owner, and is a new action, not a corrected one."""
        for added in sorted(self.unclaimed, key=lambda added: added.row != number):
            if not _much_the_same(added.title, title):
                continue
            if (added.owner_id == owner_id and added.due == due) or (
                    added.row == number and (added.owner_id == owner_id or added.due == due)):
                self.unclaimed.remove(added)
                return added
        return None

    def _unless_rejected_before(self, change: TrackerChange) -> TrackerChange:
        """A change the manager rejected when a copy of this tracker was imported before, sent again unchanged: a
        conflict, rejected again unless the manager accepts it now. Taken as any other change, the manager's decision
        would be undone by the owner sending the tracker again with something else added."""
        day = self.earlier.rejected.get(_rejected_key(change))
        if day is None:
            return change
        if change.kind == ChangeKind.DUE_DATE:
            what = f"This new due date ({format_day(change.due)})"
        elif change.kind == ChangeKind.STATUS:
            what = f"This new status ({change.status})"
        else:
            what = "This new action" if change.kind == ChangeKind.NEW_ACTION else "This new update"
        return _unless_accepted(change, f"{what} was rejected when this tracker was imported on {format_day(day)}, "
                                        "and has been sent again unchanged: it is rejected again unless you accept "
                                        "it.")

    def _existing(self, number: int, values: Mapping[str, object]) -> None:
        typed = values["reference"]
        parsed = reference_number(typed)
        if parsed is None:
            self._problem(number, f"'{typed}' is not an action reference (like A-0042). Leave Ref empty for a new "
                                  "action.")
            return
        reference = action_reference(parsed)
        if reference not in self.tracker.versions:
            self._problem(number, f"{reference} was not in this tracker when it was sent.")
            return
        if reference in self.seen:
            self._problem(number, f"{reference} is on row {self.seen[reference]} as well: keep one row per action.")
            return
        self.seen[reference] = number
        sent, cells = self._looks_like(values, reference) if reference in self.written else ([], [])
        if sent:
            self._problem(number, f"The Ref says {reference}, but the row's {_are_those(cells)} {_were(sent)} sent "
                                  f"with ({quoted(values.get('title'))}), not {reference}'s: the Ref may have been "
                                  "retyped, or the rows sorted without it, so which action the row is for cannot be "
                                  "told, and nothing on the row was taken. Put back the Ref it was sent with "
                                  f"({' or '.join(sent)}), and type any change for {reference} on its own row.",
                          "reference")
            return
        if reference in self.written:
            self._notice_not_taken(reference, number, values, _EXPORTED, self.written[reference])
        text, new_status = values.get("new_update"), values.get("new_status")
        new_due, reason = values.get("new_due"), values.get("reason")
        if not any((text, new_status, new_due, reason)):
            return
        action = self.actions.get(reference)
        if action is None:
            self._problem(number, f"{reference} has been removed here since the tracker was exported, so its changes "
                                  "cannot be applied.")
            return
        conflict = ""
        if action.id in self.changed:
            # Its action is beside it wherever it is shown: the words start with what was changed.
            conflict = ("Changed here since the tracker was exported: "
                        f"{'; '.join(self.described.get(action.id, [])) or 'its record differs'}.")
        # The row's Owner as sent back, else whose tracker it is, else whose action it is: "Action owner" only when
        # none is recorded.
        recorded_owner = self.session.get(Person, action.owner_id) if action.owner_id is not None else None
        author = (values.get("owner") or (self.default_owner.full_name if self.default_owner else "")
                  or (recorded_owner.full_name if recorded_owner else "") or "Action owner")
        base = {"reference": reference, "row": number, "title": action.title, "conflict": conflict,
                "action_id": action.id, "version": self.now[action.id], "author": author}
        found: list[TrackerChange] = []
        try:
            if text:
                update = rules.check_update(self.today, author, text, raised=action.raised_date, today=self.today)
                if not self._taken_before(reference, (ChangeKind.UPDATE.value, reference, update.text)):
                    found.append(TrackerChange(key=f"{reference} update", kind=ChangeKind.UPDATE,
                                               summary=update.text, text=update.text, **base))
            if reason and not new_due:
                raise ValidationError("A reason is given but no new due date.",
                                      f"Put the date in '{NEW_DUE}', or clear the reason.")
            if new_due and self._taken_before(reference, (ChangeKind.DUE_DATE.value, reference, new_due.isoformat())):
                pass
            elif new_due:
                if len(author) > rules.LONGEST_CHANGED_BY:  # kept whole or not at all, never cut short
                    raise ValidationError(
                        f"A due-date change keeps the name of who made it, here the Owner on the row "
                        f"({quoted(author)}), which is {len(author):,} characters long: at most "
                        f"{rules.LONGEST_CHANGED_BY} fit.", "Shorten the name in 'Owner' to the owner's own name, "
                                                            "or leave the new due date to be set in jointlead.")
                due = action.revised_due_date or action.original_due_date
                change = rules.revise_due_date(due, new_due, reason, raised=action.raised_date, changed_on=self.today,
                                               changed_by=author)
                found.append(TrackerChange(key=f"{reference} due date", kind=ChangeKind.DUE_DATE,
                                           summary=f"{format_day(change.old)} → {format_day(change.new)}: "
                                                   f"{change.reason}",
                                           due=change.new, reason=change.reason, **base))
            current = ActionStatus(action.status)
            if new_status and self._taken_before(reference, (ChangeKind.STATUS.value, reference, new_status.value)):
                pass
            elif new_status and new_status != current:
                rules.change_status(current, new_status, raised=action.raised_date, today=self.today,
                                    evidence=text or "", reason=text or "")
                found.append(TrackerChange(key=f"{reference} status", kind=ChangeKind.STATUS,
                                           summary=f"{current.label} → {new_status.label}", status=new_status.value,
                                           text=text or "", **base))
            elif new_status:
                self.notices.append(f"{reference} is already {current.value}; its new status changes nothing.")
        except ValidationError as error:
            if error.message.startswith("A reason for cancelling"):
                error = ValidationError("Cancelled needs a reason.", f"Say why in '{NEW_UPDATE}'.")
            self._problem(number, f"{reference}: {error}")
            return
        self.changes.extend(self._unless_rejected_before(change) for change in found)

    def _taken_before(self, who: str, change: tuple[str, ...]) -> bool:
        """Whether an earlier import of this tracker took this change already (a copy of it corrected or saved
        again); if so the manager is told, and it is not taken twice."""
        if change not in self.taken:
            return False
        reference, day = self.taken[change]
        kind, *_, value = change
        if kind == ChangeKind.NEW_ACTION:
            what = f"this new action was added as {reference}"
        elif kind == ChangeKind.UPDATE:
            what = "its new update was added"
        elif kind == ChangeKind.DUE_DATE:
            what = f"its new due date ({format_day(date.fromisoformat(value))}) was taken"
        else:
            what = f"its new status ({value}) was taken"
        self.notices.append(f"{who}: {what} when this tracker was imported on {format_day(day)}, so it is not taken "
                            "again" + (f"; change {reference} itself in jointlead." if reference else "."))
        return True

    def _notice_not_taken(self, who: str, number: int, values: Mapping[str, object], names: Sequence[str],
                          exported: Mapping[str, str]) -> None:
        """Name each of these cells that the owner changed, and to what, so the manager can act on what is not taken.

        A cell is changed when its fingerprint is not the exported one (an empty cell's, for one not exported).
        """
        blank = fingerprint(None)
        for name in names:
            column = self.tracker.columns.get(name)
            if column is None:  # a column the owner deleted: there is nothing in it to lose
                continue
            value = values.get(name)
            noun, instead, asked_beside = _NOT_TAKEN[name]
            held = fingerprint(value)
            beside = values.get(asked_beside) if asked_beside else None
            if held == exported.get(name, blank) or (beside is not None and held == fingerprint(beside)):
                continue
            what = "cleared in the workbook" if is_blank(value) else f"changed in the workbook to {quoted(value)}"
            self.notices.append(f"{who}: the {noun} was {what} ({cell_reference(self.tracker.sheet, number, column)})"
                                f"; {instead}, so it was not taken.")

    def _notice_columns_not_read(self, row) -> None:
        """Anything in a column the tracker does not have (a "Comments" column added, a note beside the table)."""
        number = reference_number(row.values.get("reference"))
        who = action_reference(number) if number is not None else f"Row {row.row}"
        for column, cell in enumerate(row.cells):
            if column in self.read_columns or is_blank(cell):
                continue
            heading = self.tracker.headings[column] if column < len(self.tracker.headings) else ""
            named = f" ('{heading}')" if heading else ""
            self.notices.append(f"{who}: the workbook has {quoted(cell)} in "
                                f"{cell_reference(self.tracker.sheet, row.row, column)}, a column the tracker does "
                                f"not read{named}, so it was not taken; updates go in '{NEW_UPDATE}'.")

    def notice_rows_gone(self) -> None:
        """An exported action with no row any more: deleting it (or retyping its Ref) closes nothing, so say so."""
        found = {reference_number(row.values.get("reference")) for row in self.tracker.rows}
        for reference in sorted(self.tracker.versions):
            if reference_number(reference) not in found:
                self.notices.append(f"{reference}: its row is no longer in the workbook (deleted, or its Ref "
                                    f"changed), so nothing was taken for it; an action is closed by choosing Complete "
                                    f"or Cancelled in '{NEW_STATUS}'.")


# --- import: applying it ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrackerImported:
    edit: Edit | None  # None when nothing was left to apply
    batch_id: int | None
    applied: tuple[TrackerChange, ...]
    rejected: tuple[TrackerChange, ...]  # by the manager's decision
    skipped_rows: int  # rows with problems, left out with accept_valid
    new_references: tuple[str, ...]


def apply_tracker_import(database: Database, preview: TrackerPreview, *, decisions: Mapping[str, bool] | None = None,
                         accept_valid: bool = False) -> TrackerImported:
    """Apply the previewed changes in one transaction, as one Edit.

    `decisions` maps a change's key to True (accept) or False (reject). Every conflict needs one, but for one that is
    rejected unless accepted (`TrackerChange.unless_accepted`); any other change is applied unless rejected. Rows
    with problems stop the import unless `accept_valid`, which leaves them out.
    """
    decisions = dict(decisions or {})
    if preview.problems and not accept_valid:
        raise JointleadError(f"{preview.rows_with_problems} rows of the tracker have problems, so nothing was "
                             "imported.", "Correct them and import the file again, or import the other rows on "
                                          "their own.")
    unknown = set(decisions) - {c.key for c in preview.changes}
    if unknown:
        raise JointleadError(f"There is no change called {', '.join(sorted(unknown))} in this tracker.",
                             "Preview the tracker again.")
    undecided = [c.key for c in preview.conflicts if c.key not in decisions and not c.unless_accepted]
    if undecided:
        raise JointleadError(f"{len(undecided)} changes conflict with changes made here since the export: "
                             f"{', '.join(undecided)}.", "Accept or reject each one, then import.")
    accepted = {c.key: decisions.get(c.key, not c.unless_accepted) for c in preview.changes}
    chosen = _with_their_updates([c for c in preview.changes if accepted[c.key]], preview.changes)
    rejected = tuple(c for c in preview.changes if not accepted[c.key])
    if not chosen and not rejected:
        return TrackerImported(None, None, (), rejected, preview.rows_with_problems, ())
    chosen.sort(key=lambda c: (c.row, _APPLY_ORDER[c.kind]))
    today = preview.today
    with UnitOfWork(database) as uow:
        record = Recorder(uow, IMPORT_VERB)
        session = uow.session
        if session.scalar(select(ImportBatch.id).where(ImportBatch.kind == BATCH_KIND,
                                                       ImportBatch.sha256 == preview.sha256)) is not None:
            raise JointleadError("This tracker was imported already.", "Nothing was changed.")
        ids = sorted({c.action_id for c in chosen if c.action_id is not None})
        now = versions(session, ids)
        stale = sorted({c.reference for c in chosen if c.action_id is not None and now.get(c.action_id) != c.version})
        if stale:
            raise JointleadError(f"{', '.join(stale)} changed here after the tracker was previewed, so nothing was "
                                 "imported.", "Preview the tracker again.")
        # A new action (or any change) that another import of this tracker took since the preview: another copy of
        # it, previewed alongside this one, and imported first. Taken again, it would be added twice.
        since = _EarlierImports(session, preview.export_id).taken
        again = [(change, since[_taken_key(change)]) for change in chosen if _taken_key(change) in since]
        if again:
            said = [f"row {change.row}'s new action ({quoted(change.title)}) was added as {reference}"
                    if change.kind == ChangeKind.NEW_ACTION else f"{change.reference}'s {change.kind.value} was taken"
                    for change, (reference, _day) in again]
            raise JointleadError(f"Another copy of this tracker was imported after this one was previewed: "
                                 f"{listed(said)}. So that nothing is taken twice, nothing was imported.",
                                 "Preview the tracker again: what was taken already is then named, not taken.")
        taken = []  # each change and the new action's reference, so that a copy of the tracker imported again
        for change in chosen:  # takes only what is new in it
            try:
                added = _apply(record, change, today)
            except ValidationError as error:
                where = change.reference or f"row {change.row}"
                raise JointleadError(f"{where}: {error.message} Nothing was imported.", error.advice) from error
            taken.append([_taken_key(change), added])
        new_references = [added for _key, added in taken if added]
        # Where each new row was, whose and when due: a later copy with its title corrected is known by them.
        new_rows = [[change.row, added, change.title, change.owner_id, change.due.isoformat()]
                    for change, (_key, added) in zip(chosen, taken, strict=True) if added]
        counted = {c.action_id for c in chosen if c.action_id is not None}
        after = versions(session, sorted(counted))
        left = {c.reference: after[c.action_id] for c in chosen if c.action_id is not None}
        batch = record.create(ImportBatch(
            kind=BATCH_KIND, organisation_id=preview.organisation_id, file_name=preview.path.name[:260],
            sha256=preview.sha256, sheet=preview.sheet[:100],
            mapping_json=json.dumps({"export_id": preview.export_id, "rejected": [_rejected_key(c) for c in rejected],
                                     "taken": taken, "added": new_rows, "left": left}),
            rows_read=preview.rows_read, added=len(new_references), changed=len(counted),
            unchanged=max(0, preview.rows_read - preview.rows_with_problems - len(counted) - len(new_references)),
            rejected=preview.rows_with_problems, unmapped=0,
            imported_at=datetime.now(UTC).replace(tzinfo=None), imported_by=os_user()))
        # Every change rejected is an import all the same: it changes no action, but its batch remembers what was
        # rejected, so that a copy sent again with the same changes does not have them taken by default.
        edit = record.commit(f"import the action tracker {preview.path.name}" if chosen else
                             f"reject every change in the action tracker {preview.path.name}")
        return TrackerImported(edit, batch.id, tuple(chosen), rejected, preview.rows_with_problems,
                               tuple(new_references))


def _with_their_updates(chosen: list[TrackerChange], previewed: Sequence[TrackerChange]) -> list[TrackerChange]:
    """The changes chosen, with a status change tied to its row's new update: the update is a cancellation's reason,
    kept as a dated update, and a completion's evidence. A cancellation accepted with its update rejected is refused,
    as cancelling anywhere in jointlead is without a reason; a completion keeps no evidence the manager rejected."""
    keys = {change.key for change in chosen}
    rejected_updates = {c.reference for c in previewed if c.kind == ChangeKind.UPDATE and c.key not in keys}
    tied = []
    for change in chosen:
        if change.kind == ChangeKind.STATUS and change.reference in rejected_updates:
            if change.status == ActionStatus.CANCELLED:
                raise JointleadError(
                    f"{change.reference}: its cancellation was accepted but its new update, the reason for "
                    "cancelling, was rejected. An action is cancelled only with a reason, kept as a dated update, "
                    "so nothing was imported.", "Accept both the update and the cancellation, or reject both.")
            change = replace(change, text="")
        tied.append(change)
    return tied


def _apply(record: Recorder, change: TrackerChange, today: date) -> str:
    """Make one change; returns the reference of the action it added, if it added one."""
    session = record.session
    if change.kind == ChangeKind.NEW_ACTION:
        owner = session.get(Person, change.owner_id)
        action = add_action(record, title=change.title, owner=owner, due=change.due, raised=today,
                            status=ActionStatus(change.status))
        if change.text:
            add_update_row(record, action, rules.Update(today, change.author, change.text))
        return action.reference
    action = session.get(Action, change.action_id)
    if change.kind == ChangeKind.UPDATE:
        add_update_row(record, action, rules.check_update(today, change.author, change.text,
                                                          raised=action.raised_date, today=today))
    elif change.kind == ChangeKind.DUE_DATE:
        due = action.revised_due_date or action.original_due_date
        record_due_change(record, action, rules.revise_due_date(
            due, change.due, change.reason, raised=action.raised_date, changed_on=today, changed_by=change.author))
    else:
        set_status(record, action, rules.change_status(
            ActionStatus(action.status), ActionStatus(change.status), raised=action.raised_date, today=today,
            evidence=change.text, reason=change.text))
    return ""
