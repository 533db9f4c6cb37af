"""Delivery actions: quick add, edits, status, due dates, updates and RAG overrides as gestures; the log, an action's
timeline, meetings and dashboard figures as reads.

Every rule lives in `domain.actions`; here the rows are loaded, the domain asked, and the changes recorded through
`Recorder`, one gesture per function, each giving an `Edit` for Edit > Undo. The row-level steps (`add_action`,
`set_status`, `add_update_row`, `record_due_change`) are shared with the action tracker's import, so an owner's change
sent back in a spreadsheet is recorded exactly as the same change made here would be.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from jointlead.domain import actions as rules
from jointlead.domain.actions import (
    DUE_SOON,
    ActionDates,
    ActionEvent,
    ActionStatus,
    CarryOver,
    ChangesSince,
    DueDateChange,
    EventKind,
    Priority,
    Standing,
    StatusChange,
    Update,
    as_recorded_on,
    carried_over,
    changes_since,
    check_due,
    check_rag_override,
    check_title,
    check_update,
    default_rag,
    effective_rag,
    next_reference,
    reference_number,
    standing_on,
)
from jointlead.domain.calendar import check_planned, format_day
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.rag import Rag
from jointlead.services.edits import Edit, Recorder
from jointlead.store.database import Database
from jointlead.store.models import (
    Action,
    ActionDueChange,
    ActionUpdate,
    AuditEntry,
    Meeting,
    Organisation,
    Person,
)
from jointlead.store.uow import UnitOfWork, os_user

STATUSES = tuple(s.value for s in ActionStatus)
PRIORITIES = tuple(p.value for p in Priority)
OPEN_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)  # as stored
_UNCHANGED: Any = object()



@dataclass(frozen=True)
class ActionAdded(Edit):
    """The quick-add gesture: its Edit, with the reference issued and the new action's id."""

    reference: str = ""
    action_id: int = 0


# --- loading ----------------------------------------------------------------------------------------------------------

def _action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise JointleadError("That action is no longer recorded.", "Refresh the list; it may have been removed.")
    return action


def _person(session: Session, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None:
        raise JointleadError("That owner is no longer recorded.", "Choose the owner again.")
    return person


def _meeting(session: Session, meeting_id: int | None) -> Meeting | None:
    if meeting_id is None:
        return None
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise JointleadError("That meeting is no longer recorded.", "Choose the meeting again.")
    return meeting


def find_owner(session: Session, name: str) -> Person:
    """The one person recorded with this name (ignoring case and spaces at the ends)."""
    wanted = " ".join((name or "").split())
    found = session.scalars(select(Person).where(func.lower(Person.full_name) == wanted.lower())
                            .order_by(Person.id)).all()
    if not found:
        raise JointleadError(f"Nobody called '{wanted}' is recorded.",
                             "Check the spelling against the People page, or add the person first.")
    if len(found) > 1:
        raise JointleadError(f"{len(found)} people are called '{wanted}'.",
                             "Choose the owner in the app, where people are told apart by employee number.")
    return found[0]


def _due(action: Action) -> date:
    return action.revised_due_date or action.original_due_date


_ISSUED = "issued action references"  # where a change's session keeps them (Session.info)


def _issued_references(session: Session) -> set[str]:
    """Every reference ever issued: those recorded, and those of removed actions, which the audit log keeps.

    Read once a change, and kept with its session, which each reference issued in it is added to: a tracker bringing
    500 new actions would otherwise read the whole log 500 times (each import slower than the last)."""
    issued = session.info.get(_ISSUED)
    if issued is None:
        issued = session.info[_ISSUED] = set(session.scalars(select(Action.reference)))
        for changes in session.scalars(select(AuditEntry.changes_json).where(
                AuditEntry.entity == Action.__tablename__, AuditEntry.changes_json.like('%"reference"%'))):
            old, new = json.loads(changes).get("reference", (None, None))
            issued.update(r for r in (old, new) if isinstance(r, str))
    return issued


# --- row-level steps, shared with the tracker import -----------------------------------------------------------------

def add_action(record: Recorder, *, title: str, owner: Person | None, due: date, raised: date,
               meeting: Meeting | None = None, priority: str = Priority.MEDIUM, workstream: str = "", detail: str = "",
               status: ActionStatus = ActionStatus.OPEN) -> Action:
    """A new action with the next reference ever issued; raised on `raised`, its original due date `due`."""
    title = check_title(title)
    check_due(due, raised)
    priority = _check_priority(priority)
    issued = _issued_references(record.session)
    reference = next_reference(issued)
    issued.add(reference)
    return record.create(Action(
        reference=reference, title=title, detail=(detail or "").strip(), meeting_id=meeting.id if meeting else None,
        workstream=(workstream or "").strip(), owner_id=owner.id if owner else None,
        owner_organisation_id=owner.employer_id if owner else None, raised_date=raised, original_due_date=due,
        revised_due_date=None, priority=priority, status=ActionStatus(status).value, rag_override=None,
        rag_override_reason=None, completed_date=None, evidence=""))


def set_status(record: Recorder, action: Action, change: StatusChange) -> None:
    record.update(action, status=change.status.value, completed_date=change.completed_on,
                  evidence=change.evidence if change.status == ActionStatus.COMPLETE else "")


def add_update_row(record: Recorder, action: Action, update: Update) -> ActionUpdate:
    return record.create(ActionUpdate(action_id=action.id, update_date=update.on, author=update.author,
                                      text=update.text))


def record_due_change(record: Recorder, action: Action, change: DueDateChange) -> None:
    record.create(ActionDueChange(action_id=action.id, old_due_date=change.old, new_due_date=change.new,
                                  reason=change.reason, changed_on=change.changed_on, changed_by=change.changed_by))
    record.update(action, revised_due_date=change.new)


def _check_priority(priority: str) -> str:
    value = (priority or "").strip().lower()
    if value not in PRIORITIES:
        raise ValidationError(f"'{priority}' is not a priority.", f"Choose one of: {', '.join(PRIORITIES)}.")
    return value


def _check_status(status: str) -> ActionStatus:
    try:
        return ActionStatus(str(status).strip().lower())
    except ValueError:
        raise ValidationError(f"'{status}' is not a status.", f"Choose one of: {', '.join(STATUSES)}.") from None


# --- gestures ---------------------------------------------------------------------------------------------------------

def create_meeting(database: Database, name: str, meeting_date: date, *, today: date | None = None) -> Edit:
    """Record a board or meeting where actions are agreed."""
    check_planned(meeting_date, today or date.today(), "The meeting's date")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("The meeting needs a name.", "For example 'Joint Management Board'.")
    if len(name) > 200:
        raise ValidationError("The meeting's name is too long.", "Keep it to 200 characters.")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "create meeting")
        repeated = uow.session.scalar(select(Meeting.id).where(func.lower(Meeting.name) == name.lower(),
                                                               Meeting.meeting_date == meeting_date))
        if repeated is not None:
            raise ValidationError(f"{name} on {format_day(meeting_date)} is already recorded.", "Nothing was added.")
        record.create(Meeting(name=name, meeting_date=meeting_date))
        return record.commit(f"create meeting {name} on {format_day(meeting_date)}")


def quick_add(database: Database, title: str, owner_id: int | None, due: date, meeting_id: int | None = None, *,
              priority: str = Priority.MEDIUM, workstream: str = "", detail: str = "", raised_on: date | None = None,
              today: date | None = None) -> ActionAdded:
    """Add an action by keyboard: title, owner, due date and the meeting that agreed it. It is raised on the meeting's
    date (or today, without a meeting, or for a meeting still to come), and its reference is the next one ever
    issued."""
    today = today or date.today()
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add action")
        owner = _person(uow.session, owner_id)
        meeting = _meeting(uow.session, meeting_id)
        # An action put against the next board ahead of it exists from today: raised on a day still to come, every
        # update, completion and cancellation before then was refused as "before the action was raised".
        raised = raised_on or (min(meeting.meeting_date, today) if meeting else today)
        action = add_action(record, title=title, owner=owner, due=due, raised=raised, meeting=meeting,
                            priority=priority, workstream=workstream, detail=detail)
        edit = record.commit(f"add action {action.reference}")
        return ActionAdded(edit.description, edit.entries, reference=action.reference, action_id=action.id)


def edit_action(database: Database, action_id: int, *, title: str = _UNCHANGED, detail: str = _UNCHANGED,
                workstream: str = _UNCHANGED, owner_id: int | None = _UNCHANGED, meeting_id: int | None = _UNCHANGED,
                priority: str = _UNCHANGED, seen_version: int | None = None) -> Edit:
    """Change what is given of title, detail, workstream, owner (with their organisation), meeting and priority.

    The due date, status and RAG have gestures of their own, because each needs a reason or a date.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "edit action")
        action = _action(uow.session, action_id)
        values: dict[str, Any] = {}
        if title is not _UNCHANGED:
            values["title"] = check_title(title)
        if detail is not _UNCHANGED:
            values["detail"] = (detail or "").strip()
        if workstream is not _UNCHANGED:
            values["workstream"] = (workstream or "").strip()
        if owner_id is not _UNCHANGED:
            owner = _person(uow.session, owner_id)
            values["owner_id"] = owner.id if owner else None
            values["owner_organisation_id"] = owner.employer_id if owner else None
        if meeting_id is not _UNCHANGED:
            meeting = _meeting(uow.session, meeting_id)
            values["meeting_id"] = meeting.id if meeting else None
        if priority is not _UNCHANGED:
            values["priority"] = _check_priority(priority)
        if not record.update(action, seen_version=seen_version, **values):
            raise ValidationError("Nothing was changed.", "Change a field first.")
        return record.commit(f"edit action {action.reference}")


def change_status(database: Database, action_id: int, status: str, *, completed_on: date | None = None,
                  evidence: str = "", reason: str = "", author: str | None = None, today: date | None = None,
                  seen_version: int | None = None) -> Edit:
    """Move an action to a new status. Complete sets the completion date (default today) and evidence; cancelling
    needs a reason, which is kept as a dated update; any other reason given is kept the same way.

    `seen_version` here and below: the action's version the user was shown; if it changed since, someone else
    saved first and the gesture is refused."""
    today = today or date.today()
    new = _check_status(status)
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "change action status")
        action = _action(uow.session, action_id)
        record.check_seen(action, seen_version)
        change = rules.change_status(ActionStatus(action.status), new, raised=action.raised_date, today=today,
                               completed_on=completed_on, evidence=evidence, reason=reason)
        set_status(record, action, change)
        if reason.strip():
            note = check_update(today, author or os_user(), f"{new.label}: {reason.strip()}",
                                raised=action.raised_date, today=today)
            add_update_row(record, action, note)
        return record.commit(f"mark {action.reference} {new.value}")


def revise_due_date(database: Database, action_id: int, new_due: date, reason: str, *,
                    today: date | None = None, seen_version: int | None = None) -> Edit:
    """Move the due date, with the reason; the original due date stays as it was, and each revision is kept."""
    today = today or date.today()
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "revise action due date")
        action = _action(uow.session, action_id)
        record.check_seen(action, seen_version)
        change = rules.revise_due_date(_due(action), new_due, reason, raised=action.raised_date, changed_on=today,
                              changed_by=os_user())
        record_due_change(record, action, change)
        return record.commit(f"move {action.reference} to {format_day(new_due)}")


def add_update(database: Database, action_id: int, text: str, *, author: str | None = None, on: date | None = None,
               today: date | None = None) -> Edit:
    """Append a dated update (default: today, by the person signed in). Updates are never edited."""
    today = today or date.today()
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add action update")
        action = _action(uow.session, action_id)
        update = check_update(on or today, author or os_user(), text, raised=action.raised_date, today=today)
        add_update_row(record, action, update)
        return record.commit(f"add an update to {action.reference}")


def override_rag(database: Database, action_id: int, rag: Rag | str | None, reason: str = "", *,
                 seen_version: int | None = None) -> Edit:
    """Set the RAG by hand (red, amber or green) with a reason, or give None to go back to the usual rule."""
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "override action RAG")
        action = _action(uow.session, action_id)
        record.check_seen(action, seen_version)
        if rag is None:
            if action.rag_override is None:
                raise ValidationError(f"{action.reference}'s RAG already follows the usual rule.", "")
            record.update(action, rag_override=None, rag_override_reason=None)
            return record.commit(f"restore {action.reference}'s usual RAG")
        chosen, why = check_rag_override(rag, reason)
        if not record.update(action, rag_override=chosen.value, rag_override_reason=why):
            raise ValidationError(f"{action.reference}'s RAG is already set to {chosen.value} for that reason.", "")
        return record.commit(f"set {action.reference}'s RAG to {chosen.value}")


def remove_action(database: Database, action_id: int, *, seen_version: int | None = None) -> Edit:
    """Remove an action entered by mistake, with its updates and due-date history. Its reference is never reused;
    an action that is no longer needed is cancelled instead, which keeps it on the record. Refused if the action
    changed since `seen_version` (someone else's change, on a shared database)."""
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "remove action")
        action = _action(uow.session, action_id)
        record.check_seen(action, seen_version)
        for update in uow.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == action.id)):
            record.delete(update)
        for change in uow.session.scalars(select(ActionDueChange).where(ActionDueChange.action_id == action.id)):
            record.delete(change)
        reference = action.reference
        record.delete(action)
        return record.commit(f"remove action {reference}")


# --- the log ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionLogRow:
    id: int
    reference: str
    title: str
    owner_id: int | None
    owner: str
    organisation: str  # the owner's organisation's code
    meeting_id: int | None
    meeting: str
    meeting_date: date | None
    workstream: str
    priority: str
    raised: date
    original_due: date
    due: date
    status: ActionStatus
    rag: Rag
    rag_overridden: bool
    completed_on: date | None
    updates: int
    latest_update: str
    latest_update_on: date | None
    latest_update_by: str
    days_overdue: int  # 0 unless open and past its due date
    # What a dialog opened from this row was shown (a change from an older one is refused); bookkeeping, not data.
    version: int = field(compare=False)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def revised(self) -> bool:
        return self.due != self.original_due

    @property
    def is_open(self) -> bool:
        return self.status.is_open


def _log_query():
    owner = aliased(Person)
    organisation = aliased(Organisation)
    latest = (select(ActionUpdate.id).where(ActionUpdate.action_id == Action.id)
              .order_by(ActionUpdate.update_date.desc(), ActionUpdate.id.desc()).limit(1).correlate(Action)
              .scalar_subquery())
    latest_update = aliased(ActionUpdate)
    counts = (select(ActionUpdate.action_id, func.count().label("n")).group_by(ActionUpdate.action_id).subquery())
    return (select(Action.id, Action.reference, Action.title, Action.owner_id, func.coalesce(owner.full_name, ""),
                   func.coalesce(organisation.code, ""), Action.meeting_id, func.coalesce(Meeting.name, ""),
                   Meeting.meeting_date, Action.workstream, Action.priority, Action.raised_date,
                   Action.original_due_date, func.coalesce(Action.revised_due_date, Action.original_due_date),
                   Action.status, Action.rag_override, Action.completed_date, func.coalesce(counts.c.n, 0),
                   func.coalesce(latest_update.text, ""), latest_update.update_date,
                   func.coalesce(latest_update.author, ""), Action.version)
            .outerjoin(owner, owner.id == Action.owner_id)
            .outerjoin(organisation, organisation.id == Action.owner_organisation_id)
            .outerjoin(Meeting, Meeting.id == Action.meeting_id)
            .outerjoin(counts, counts.c.action_id == Action.id)
            .outerjoin(latest_update, latest_update.id == latest)
            .order_by(Action.reference))


def _log_row(row: Any, today: date) -> ActionLogRow:
    (action_id, reference, title, owner_id, owner, organisation, meeting_id, meeting, meeting_date, workstream,
     priority, raised, original_due, due, status, override, completed, updates, latest, latest_on, latest_by,
     version) = row
    status = ActionStatus(status)
    rag = effective_rag(status, due, today, Rag(override) if override else None)
    overdue = (today - due).days if status.is_open and due < today else 0
    return ActionLogRow(action_id, reference, title, owner_id, owner, organisation, meeting_id, meeting, meeting_date,
                        workstream, priority, raised, original_due, due, status, rag,
                        bool(override) and status.is_open, completed, updates, latest, latest_on, latest_by, overdue,
                        version)


def _as_set(value: str | Collection[str] | None) -> set[str] | None:
    if value is None:
        return None
    return {value.lower()} if isinstance(value, str) else {str(v).lower() for v in value}


def _rows(session: Session, today: date, query=None) -> list[ActionLogRow]:
    return [_log_row(row, today) for row in session.execute(query if query is not None else _log_query())]


# What a pack as on a past day shows as it was then, besides the status, due date and updates: each taken back from
# the audit log, which keeps every change as [before, after]. An action reassigned since is in the pack of the
# organisation it was with on the day.
_REWOUND = ("title", "owner_id", "owner_organisation_id", "meeting_id", "priority", "workstream", "rag_override")


def _field_changes(session: Session, ids: list[int]) -> dict[tuple[int, str], list[tuple[date, Any]]]:
    """(action id, field) → (recorded on, the value before) for each change of a `_REWOUND` field, oldest first,
    undo included (an action's being recorded is not a change)."""
    found: dict[tuple[int, str], list[tuple[date, Any]]] = defaultdict(list)
    for action_id, at, changes in session.execute(
            select(AuditEntry.entity_id, AuditEntry.at, AuditEntry.changes_json)
            .where(AuditEntry.entity == Action.__tablename__, AuditEntry.entity_id.in_(ids),
                   or_(*(AuditEntry.changes_json.like(f'%"{name}"%') for name in _REWOUND)))
            .order_by(AuditEntry.id)):
        changed = json.loads(changes)
        if "id" in changed:  # recorded or removed
            continue
        for name in _REWOUND:
            before, after = changed.get(name, (None, None))
            if before != after:
                found[action_id, name].append((_local_day(at), before))
    return found


def _as_on(session: Session, rows: Iterable[ActionLogRow], day: date) -> list[ActionLogRow]:
    """The rows as the actions stood on `day` (`domain.actions.standing_on`), with the updates given by then and
    the `_REWOUND` fields as recorded then; those raised after it left out."""
    rows = [r for r in rows if r.raised <= day]
    ids = [r.id for r in rows]
    due_changes: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for action_id, changed_on, before in session.execute(
            select(ActionDueChange.action_id, ActionDueChange.changed_on, ActionDueChange.old_due_date)
            .where(ActionDueChange.action_id.in_(ids)).order_by(ActionDueChange.changed_on, ActionDueChange.id)):
        due_changes[action_id].append((changed_on, before))
    status_changes: dict[int, list[tuple[date, str, date | None]]] = defaultdict(list)
    for _audit_id, action_id, on, before, _after, _who, completed_before in _status_changes(session, ids):
        status_changes[action_id].append((on, before, completed_before))
    now = {action_id: dict(zip(_REWOUND, values, strict=True)) for action_id, *values in session.execute(
        select(Action.id, *(getattr(Action, name) for name in _REWOUND)).where(Action.id.in_(ids)))}
    changes = _field_changes(session, ids)
    then = {action_id: {name: as_recorded_on(day, value, changes[action_id, name]) for name, value in fields.items()}
            for action_id, fields in now.items()}
    # An owner since erased is "[erased]" in the audit log (services.erasure), or no longer there: not named.
    owners = {fields["owner_id"] for fields in then.values() if isinstance(fields["owner_id"], int)}
    names = dict(session.execute(select(Person.id, Person.full_name).where(Person.id.in_(owners))).all())
    codes = dict(session.execute(select(Organisation.id, Organisation.code)).all())
    meetings = {meeting.id: meeting for meeting in session.scalars(select(Meeting).where(
        Meeting.id.in_({fields["meeting_id"] for fields in then.values()} - {None})))}
    updates: dict[int, list[tuple[date, int, str, str]]] = defaultdict(list)
    for action_id, update_id, on, text, author in session.execute(
            select(ActionUpdate.action_id, ActionUpdate.id, ActionUpdate.update_date, ActionUpdate.text,
                   ActionUpdate.author).where(ActionUpdate.action_id.in_(ids), ActionUpdate.update_date <= day)):
        updates[action_id].append((on, update_id, text, author))
    stood = []
    for row in rows:
        override = now[row.id]["rag_override"]
        standing = standing_on(day, Standing(row.status, row.completed_on, row.due, Rag(override) if override else
                                             None), due_changes[row.id], status_changes[row.id],
                               bool(updates[row.id]), changes[row.id, "rag_override"])
        latest_on, _, latest, latest_by = max(updates[row.id], default=(None, 0, "", ""))
        overridden = standing.rag_override is not None and standing.status.is_open
        was = then[row.id]
        owner_id, meeting = was["owner_id"], meetings.get(was["meeting_id"])
        stood.append(replace(
            row, title=was["title"], owner_id=owner_id if isinstance(owner_id, int) else None,
            owner=names.get(owner_id, ""),
            organisation=codes.get(was["owner_organisation_id"], ""), meeting_id=meeting.id if meeting else None,
            meeting=meeting.name if meeting else "", meeting_date=meeting.meeting_date if meeting else None,
            priority=was["priority"], workstream=was["workstream"], status=standing.status,
            completed_on=standing.completed_on, due=standing.due,
            rag=effective_rag(standing.status, standing.due, day, standing.rag_override), rag_overridden=overridden,
            days_overdue=(day - standing.due).days if standing.status.is_open and standing.due < day else 0,
            updates=len(updates[row.id]), latest_update=latest, latest_update_on=latest_on,
            latest_update_by=latest_by))
    return stood


def action_log(database: Database, today: date, *, status: str | Collection[str] | None = None,
               rag: str | Collection[str] | None = None, owner_id: int | None = None,
               organisation: str | None = None, meeting_id: int | None = None, overdue: bool = False,
               search: str = "", as_on: bool = False) -> tuple[ActionLogRow, ...]:
    """The action log as at `today`, in reference order, narrowed by whichever filters are given.

    The actions are as they stand now, with their RAG and days overdue on `today`; or, `as_on`, as they stood on
    `today` (a pack for a board already held): raised by then, with the due dates, statuses, updates, owners,
    titles and the rest (`_REWOUND`) as recorded by then, and narrowed by those. `search` matches the reference,
    title, owner, workstream and latest update, ignoring case.
    """
    query = _log_query()
    if owner_id is not None and not as_on:  # else as the owner was on the day, below
        query = query.where(Action.owner_id == owner_id)
    if meeting_id is not None and not as_on:
        query = query.where(Action.meeting_id == meeting_id)
    statuses = _as_set(status)
    if statuses is not None and not as_on:
        query = query.where(Action.status.in_(statuses))
    with database.session() as session:
        rows = _rows(session, today, query)
        if as_on:
            rows = _as_on(session, rows, today)
    rags = _as_set(rag)
    wanted = " ".join(search.split()).casefold()
    code = organisation.strip().upper() if organisation else None
    return tuple(r for r in rows
                 if (code is None or r.organisation == code)
                 and (owner_id is None or r.owner_id == owner_id)
                 and (meeting_id is None or r.meeting_id == meeting_id)
                 and (statuses is None or r.status.value in statuses)
                 and (rags is None or r.rag.value in rags)
                 and (not overdue or r.overdue)
                 and (not wanted or wanted in " ".join((r.reference, r.title, r.owner, r.workstream,
                                                         r.latest_update)).casefold()))


# --- one action -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UpdateRow:
    id: int
    on: date
    author: str
    text: str


@dataclass(frozen=True)
class DueChangeRow:
    id: int
    changed_on: date
    old: date
    new: date
    reason: str
    changed_by: str


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an action's history: raised, an update, a due date moved, a status change, completion."""

    on: date
    kind: EventKind
    text: str
    by: str = ""


@dataclass(frozen=True)
class ActionDetail:
    row: ActionLogRow
    detail: str
    evidence: str
    usual_rag: Rag  # what the rule alone gives: shown beside an override
    rag_override_reason: str
    updates: tuple[UpdateRow, ...]  # oldest first
    due_changes: tuple[DueChangeRow, ...]  # oldest first
    timeline: tuple[TimelineEntry, ...]  # everything, oldest first


def _local_day(at: datetime) -> date:
    return at.replace(tzinfo=UTC).astimezone().date()


def _status_changes(session: Session, action_ids: Iterable[int] | None = None
                    ) -> list[tuple[int, int, date, str, str, str, date | None]]:
    """(audit id, action id, day, old, new, who, old completion date) for each status change the audit log holds,
    undo included, oldest first."""
    query = (select(AuditEntry.id, AuditEntry.entity_id, AuditEntry.at, AuditEntry.os_user, AuditEntry.changes_json)
             .where(AuditEntry.entity == Action.__tablename__, AuditEntry.changes_json.like('%"status"%'))
             .order_by(AuditEntry.id))
    if action_ids is not None:
        query = query.where(AuditEntry.entity_id.in_(list(action_ids)))
    found = []
    for audit_id, action_id, at, who, changes in session.execute(query):
        changed = json.loads(changes)
        old, new = changed.get("status", (None, None))
        if old and new and old != new:  # a row created or removed is not a change of status
            completed = changed.get("completed_date", (None, None))[0]
            found.append((audit_id, action_id, _local_day(at), old, new, who,
                          date.fromisoformat(completed) if completed else None))
    return found


def action_detail(database: Database, action_id: int, today: date) -> ActionDetail:
    with database.session() as session:
        rows = _rows(session, today, _log_query().where(Action.id == action_id))
        if not rows:
            raise JointleadError("That action is no longer recorded.", "Refresh the list; it may have been removed.")
        row = rows[0]
        action = session.get(Action, action_id)
        updates = tuple(UpdateRow(*r) for r in session.execute(
            select(ActionUpdate.id, ActionUpdate.update_date, ActionUpdate.author, ActionUpdate.text)
            .where(ActionUpdate.action_id == action_id).order_by(ActionUpdate.update_date, ActionUpdate.id)))
        due_changes = tuple(DueChangeRow(*r) for r in session.execute(
            select(ActionDueChange.id, ActionDueChange.changed_on, ActionDueChange.old_due_date,
                   ActionDueChange.new_due_date, ActionDueChange.reason, ActionDueChange.changed_by)
            .where(ActionDueChange.action_id == action_id).order_by(ActionDueChange.changed_on, ActionDueChange.id)))
        statuses = _status_changes(session, [action_id])
        detail, evidence, reason = action.detail, action.evidence, action.rag_override_reason or ""
    timeline = [TimelineEntry(row.raised, EventKind.RAISED,
                              f"Raised{f' at {row.meeting}' if row.meeting else ''}, "
                              f"due {format_day(row.original_due)}")]
    timeline += [TimelineEntry(u.on, EventKind.UPDATE, u.text, u.author) for u in updates]
    timeline += [TimelineEntry(c.changed_on, EventKind.DUE_DATE,
                               f"Due date moved from {format_day(c.old)} to {format_day(c.new)}: {c.reason}",
                               c.changed_by)
                 for c in due_changes]
    timeline += [TimelineEntry(day, EventKind.STATUS, f"{ActionStatus(old).label} → {ActionStatus(new).label}", who)
                 for _, _, day, old, new, who, _ in statuses]
    if row.status == ActionStatus.COMPLETE and row.completed_on:
        timeline.append(TimelineEntry(row.completed_on, EventKind.COMPLETED,
                                      f"Completed{f': {evidence}' if evidence else ''}"))
    timeline.sort(key=lambda e: e.on)  # stable: on one day, raised, updates, due dates, statuses, completion
    return ActionDetail(row, detail, evidence, default_rag(row.status, row.due, today), reason, updates, due_changes,
                        tuple(timeline))


# --- meetings ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingRow:
    id: int
    name: str
    on: date
    agreed: int  # actions agreed there
    still_open: int  # of those, open or in progress now


def meetings(database: Database) -> tuple[MeetingRow, ...]:
    """Every meeting recorded, the latest first, with how many actions it agreed and how many are still open."""
    with database.session() as session:
        rows = session.execute(
            select(Meeting.id, Meeting.name, Meeting.meeting_date, func.count(Action.id),
                   func.coalesce(func.sum(case((Action.status.in_(OPEN_STATUSES), 1), else_=0)), 0))
            .outerjoin(Action, Action.meeting_id == Meeting.id)
            .group_by(Meeting.id, Meeting.name, Meeting.meeting_date)
            .order_by(Meeting.meeting_date.desc(), Meeting.id.desc()))
        return tuple(MeetingRow(*row) for row in rows)


@dataclass(frozen=True)
class MeetingView:
    """What a meeting needs: what it agreed, every open action to review, what changed since the last one, and how
    many actions have been carried over to it."""

    meeting: MeetingRow
    previous: MeetingRow | None  # the last meeting of the same name before it (or of any name, if none)
    agreed: tuple[ActionLogRow, ...]
    to_review: tuple[ActionLogRow, ...]  # open now, raised on or before the meeting's day
    changes: ChangesSince
    changed: tuple[ActionLogRow, ...]  # the actions in `changes`, for the board pack
    carried_over: CarryOver


def action_events(session: Session) -> list[ActionEvent]:
    """Everything dated that happened to the actions recorded: raised, updates, due dates moved, statuses changed
    (from the audit log) and completions."""
    references = dict(session.execute(select(Action.id, Action.reference)).all())
    events = [ActionEvent(ref, raised, EventKind.RAISED, sequence=action_id)
              for action_id, ref, raised in session.execute(select(Action.id, Action.reference, Action.raised_date))]
    events += [ActionEvent(ref, completed, EventKind.COMPLETED, sequence=action_id)
               for action_id, ref, completed in session.execute(
                   select(Action.id, Action.reference, Action.completed_date)
                   .where(Action.status == ActionStatus.COMPLETE.value, Action.completed_date.is_not(None)))]
    events += [ActionEvent(references[action_id], on, EventKind.UPDATE, text=text, by=author, sequence=update_id)
               for update_id, action_id, on, author, text in session.execute(
                   select(ActionUpdate.id, ActionUpdate.action_id, ActionUpdate.update_date, ActionUpdate.author,
                          ActionUpdate.text))]
    events += [ActionEvent(references[action_id], on, EventKind.DUE_DATE, old=old.isoformat(), new=new.isoformat(),
                           text=reason, by=who, sequence=change_id)
               for change_id, action_id, on, old, new, reason, who in session.execute(
                   select(ActionDueChange.id, ActionDueChange.action_id, ActionDueChange.changed_on,
                          ActionDueChange.old_due_date, ActionDueChange.new_due_date, ActionDueChange.reason,
                          ActionDueChange.changed_by))]
    events += [ActionEvent(references[action_id], day, EventKind.STATUS, old=old, new=new, by=who,
                           sequence=audit_id)
               for audit_id, action_id, day, old, new, who, _ in _status_changes(session)
               if action_id in references]
    return events


def _previous(session: Session, meeting: Meeting) -> Meeting | None:
    earlier = select(Meeting).where(Meeting.meeting_date < meeting.meeting_date).order_by(
        Meeting.meeting_date.desc(), Meeting.id.desc()).limit(1)
    return (session.scalar(earlier.where(func.lower(Meeting.name) == meeting.name.lower()))
            or session.scalar(earlier))


def meeting_view(database: Database, meeting_id: int, today: date) -> MeetingView:
    """A meeting's page and board pack. "Changed since the last meeting" covers the days after the previous meeting
    of the series up to this one's day (or today, for a meeting still to come)."""
    all_rows = {r.id: r for r in action_log(database, today)}
    with database.session() as session:
        meeting = _meeting(session, meeting_id)
        previous = _previous(session, meeting)
        rows = {m.id: m for m in meetings(database)}
        since = previous.meeting_date if previous else date.min
        up_to = min(meeting.meeting_date, today)
        changes = changes_since(action_events(session), since, up_to)
        meeting_dates = list(session.scalars(select(Meeting.meeting_date)))
        day = meeting.meeting_date
    dates = [ActionDates(r.reference, r.raised, r.due, r.status,
                         r.completed_on if r.status == ActionStatus.COMPLETE else None)
             for r in all_rows.values()]
    by_reference = {r.reference: r for r in all_rows.values()}
    return MeetingView(
        meeting=rows[meeting_id], previous=rows[previous.id] if previous else None,
        agreed=tuple(r for r in all_rows.values() if r.meeting_id == meeting_id),
        to_review=tuple(r for r in all_rows.values() if r.is_open and r.raised <= max(day, today)),
        changes=changes,
        changed=tuple(by_reference[ref] for ref in changes.references if ref in by_reference),
        carried_over=carried_over(dates, day, meeting_dates))


# --- dashboard --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrganisationActions:
    code: str
    name: str
    still_open: int
    overdue: int


@dataclass(frozen=True)
class ActionFigures:
    """The dashboard's tiles: overdue actions by organisation, and what falls due in the next 14 days."""

    still_open: int
    overdue: int
    by_organisation: tuple[OrganisationActions, ...]  # every organisation owning an open action; none is ""
    due_soon: tuple[ActionLogRow, ...]  # open, due from today to 14 days ahead, soonest first


def action_figures(database: Database, today: date) -> ActionFigures:
    with database.session() as session:
        names = dict(session.execute(select(Organisation.code, Organisation.name)).all())
    return summarise_actions(action_log(database, today), today, names)


def is_due_soon(row: ActionLogRow, today: date) -> bool:
    """Open and due from today to 14 days ahead: what the dashboard's "Due in the next 14 days" counts."""
    return row.is_open and today <= row.due <= today + DUE_SOON


def summarise_actions(log: Iterable[ActionLogRow], today: date, names: Mapping[str, str]) -> ActionFigures:
    """The tiles' figures from an action log as at `today`; `names` are the organisations' names by code."""
    rows = [r for r in log if r.is_open]
    codes = sorted({r.organisation for r in rows}, key=lambda c: (c == "", c))
    by_organisation = tuple(OrganisationActions(code, names.get(code, "No organisation"),
                                                sum(1 for r in rows if r.organisation == code),
                                                sum(1 for r in rows if r.organisation == code and r.overdue))
                            for code in codes)
    due_soon = tuple(sorted((r for r in rows if is_due_soon(r, today)),
                            key=lambda r: (r.due, reference_number(r.reference) or 0)))
    return ActionFigures(len(rows), sum(1 for r in rows if r.overdue), by_organisation, due_soon)
