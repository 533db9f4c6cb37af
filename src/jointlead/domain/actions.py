"""Delivery actions: references, status and priority, due-date revisions, RAG, updates, and what changed when."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

from jointlead.domain.calendar import format_day, years_after
from jointlead.domain.errors import ValidationError
from jointlead.domain.rag import Rag

T = TypeVar("T")

DUE_SOON = timedelta(days=14)
FARTHEST_DUE_YEARS = 5  # an action due later than this after it was raised is taken for a mistyped year
LONGEST_TITLE = 300
LONGEST_UPDATE = 5_000
LONGEST_REASON = 1_000
LONGEST_NAME = 200  # an owner's name, and an update's author
LONGEST_CHANGED_BY = 100  # who moved a due date, as each revision keeps it
_REFERENCE = re.compile(r"A-(?P<number>[0-9]{1,9})")


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """As people write it: Open, In progress, Complete, Cancelled."""
        return self.value.capitalize()

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# Blue and grey say what the status already says (complete, cancelled), so a manager can only choose these.
OVERRIDE_RAGS = (Rag.RED, Rag.AMBER, Rag.GREEN)


def action_reference(number: int) -> str:
    """`A-0042`: four digits at least, so references sort as text until there are ten thousand."""
    return f"A-{number:04d}"


def reference_number(reference: str) -> int | None:
    """42 for `A-0042` (and `a-42`, ` A-0042 `); None for anything that is not an action reference."""
    found = _REFERENCE.fullmatch(reference.strip().upper()) if isinstance(reference, str) else None
    return int(found["number"]) if found else None


def next_reference(issued: Iterable[str]) -> str:
    """The reference after every one ever issued (deleted and cancelled actions included), so none is reused."""
    numbers = [n for n in (reference_number(r) for r in issued) if n is not None]
    return action_reference(max(numbers, default=0) + 1)


def default_rag(status: ActionStatus, due: date, today: date) -> Rag:
    """Complete is blue; overdue red; due within 14 days and not started amber; otherwise green."""
    if status == ActionStatus.COMPLETE:
        return Rag.BLUE
    if status == ActionStatus.CANCELLED:
        return Rag.GREY
    if due < today:
        return Rag.RED
    if status == ActionStatus.OPEN and due - today <= DUE_SOON:
        return Rag.AMBER
    return Rag.GREEN


def effective_rag(status: ActionStatus, due: date, today: date, override: Rag | None = None) -> Rag:
    """The manager's override while the action is open; a closed action is always blue or grey, whatever was set."""
    if override is not None and ActionStatus(status).is_open:
        return Rag(override)
    return default_rag(ActionStatus(status), due, today)


def is_overdue(status: ActionStatus, due: date, today: date) -> bool:
    return ActionStatus(status).is_open and due < today


# --- checks: each rule a gesture must satisfy, with a message a manager can act on --------------------------------


def _required(text: str | None, what: str, advice: str, longest: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"{what} is needed.", advice)
    if len(text) > longest:
        raise ValidationError(f"{what} is {len(text):,} characters long; at most {longest:,} fit.", "Shorten it.")
    return text


# A title is one line, as lists, the tracker and board packs show it: a tab or line break pasted into it (two cells
# of a spreadsheet, or one cell of several lines) is a space, with any spaces beside it.
_LINE_SPACING = re.compile(r"\s*[\t\n\r\x0b\x0c\x85\u2028\u2029]+\s*")
_HIDDEN_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # what control characters are left after that


def check_title(title: str | None) -> str:
    """The title as kept: on one line (a pasted tab or line break becomes a space), with no hidden control
    character, and not too long."""
    text = _LINE_SPACING.sub(" ", title or "")
    if _HIDDEN_CHARACTER.search(text):
        raise ValidationError("The action's title contains a hidden control character, which a title cannot hold.",
                              "Retype the title rather than pasting it.")
    return _required(text, "The action's title", "Say what is to be done, for example 'Agree the M8 forecast'.",
                     LONGEST_TITLE)


def check_due(due: date, raised: date) -> date:
    if due < raised:
        raise ValidationError(f"The due date, {format_day(due)}, is before the action was raised "
                              f"({format_day(raised)}).",
                              "Choose a due date on or after the day it was raised.")
    # A mistyped year (2062 for 2026) would leave the action never overdue, its RAG green for decades.
    if due > years_after(raised, FARTHEST_DUE_YEARS):
        raise ValidationError(f"The due date, {format_day(due)}, is more than {FARTHEST_DUE_YEARS} years after the "
                              f"action was raised ({format_day(raised)}).",
                              "Check the year. An action that long should be broken into steps due sooner.")
    return due


@dataclass(frozen=True)
class DueDateChange:
    """One revision of the due date; the original due date itself never changes."""

    old: date
    new: date
    reason: str
    changed_on: date
    changed_by: str


def revise_due_date(current: date, new: date, reason: str | None, *, raised: date, changed_on: date,
                    changed_by: str) -> DueDateChange:
    """A revision from the current due date to `new`, which needs a reason and must differ from the current one."""
    if new == current:
        raise ValidationError(f"The action is already due on {format_day(new)}.", "Choose a different date.")
    check_due(new, raised)
    reason = _required(reason, "A reason for the new due date", "Say why the date has moved, for the board's record.",
                       LONGEST_REASON)
    # Kept whole or not at all: a name cut short would credit the revision to somebody else.
    changed_by = _required(changed_by, "The name of who moved the due date", "Say who moved it.", LONGEST_CHANGED_BY)
    return DueDateChange(current, new, reason, changed_on, changed_by)


def current_due(original: date, changes: Sequence[DueDateChange]) -> date:
    """The due date now: the last revision's, or the original if it was never revised."""
    return changes[-1].new if changes else original


@dataclass(frozen=True)
class StatusChange:
    """What a status change sets: the new status, and the completion date and evidence (None unless complete)."""

    status: ActionStatus
    completed_on: date | None
    evidence: str


def change_status(current: ActionStatus, new: ActionStatus, *, raised: date, today: date,
                  completed_on: date | None = None, evidence: str = "", reason: str = "") -> StatusChange:
    """Completing sets a completion date (default today; not before it was raised, not in the future) and evidence;
    cancelling needs a reason; reopening clears the completion. A change to the same status is refused."""
    current, new = ActionStatus(current), ActionStatus(new)
    if new == current:
        raise ValidationError(f"The action is already {new.value}.", "Choose a different status.")
    if new == ActionStatus.COMPLETE:
        completed_on = completed_on or today
        if completed_on > today:
            raise ValidationError(f"The completion date, {format_day(completed_on)}, is in the future.",
                                  "An action is marked complete once it is done.")
        if completed_on < raised:
            raise ValidationError(f"The completion date, {format_day(completed_on)}, is before the action was raised "
                                  f"({format_day(raised)}).", "Check the date.")
        return StatusChange(new, completed_on, (evidence or "").strip())
    if new == ActionStatus.CANCELLED:
        _required(reason, "A reason for cancelling", "Say why the action is no longer needed, for the board's record.",
                  LONGEST_REASON)
    return StatusChange(new, None, "")


def check_rag_override(rag: Rag | str, reason: str | None) -> tuple[Rag, str]:
    """An override is red, amber or green, with a reason; blue and grey follow from the status alone."""
    try:
        chosen = Rag(str(rag).strip().lower())
    except ValueError:
        chosen = None
    if chosen not in OVERRIDE_RAGS:
        raise ValidationError(f"'{rag}' cannot be set by hand.",
                              "Choose red, amber or green; blue and grey follow from the status.")
    return chosen, _required(reason, "A reason for overriding the RAG", "Say why the usual rule does not fit.",
                             LONGEST_REASON)


@dataclass(frozen=True)
class Update:
    """A dated update: appended, never edited."""

    on: date
    author: str
    text: str


def check_update(on: date, author: str | None, text: str | None, *, raised: date, today: date) -> Update:
    if on > today:
        raise ValidationError(f"The update is dated {format_day(on)}, in the future.", "Date it today or earlier.")
    if on < raised:
        raise ValidationError(f"The update is dated {format_day(on)}, before the action was raised "
                              f"({format_day(raised)}).",
                              "Check the date.")
    author = _required(author, "The update's author", "Say who gave the update.", LONGEST_NAME)
    return Update(on, author, _required(text, "The update's text", "Say what has happened.", LONGEST_UPDATE))


def append_update(timeline: Sequence[Update], update: Update) -> tuple[Update, ...]:
    """The timeline with `update` added: earlier ones kept exactly; a backdated one takes its place by date."""
    entries = [*timeline, update]
    return tuple(sorted(entries, key=lambda u: u.on))  # stable: same-day updates stay in the order given


@dataclass(frozen=True)
class Standing:
    """Where an action stood on a day: its status, completion date, due date and any RAG override set."""

    status: ActionStatus
    completed_on: date | None
    due: date
    rag_override: Rag | None = None


def as_recorded_on(day: date, now: T, changes: Iterable[tuple[date, T]]) -> T:
    """A field's value on `day`, from its value now and its changes (recorded on, the value before), oldest first:
    as before the first change recorded after the day, else as now."""
    return next((before for on, before in changes if on > day), now)


def standing_on(day: date, now: Standing, due_changes: Iterable[tuple[date, date]],
                status_changes: Iterable[tuple[date, str, date | None]], updated_by_then: bool,
                override_changes: Iterable[tuple[date, str | None]] = ()) -> Standing:
    """How an action stood on `day`, from how it stands now and what was recorded after that day.

    `due_changes` are (changed on, the due date before), `status_changes` (recorded on, the status and completion
    date before), `override_changes` (recorded on, the RAG override before), each oldest first. A due date moved
    after the day is as before the first such move, and a status or override changed after it as before the first
    such change. A completion counts from its own date, which may be before the day it was recorded: it was
    complete on the day if completed by then. One completed after the day, with no change of status recorded (a
    record kept before jointlead), was in progress then if it had an update by then, else open.
    """
    due = as_recorded_on(day, now.due, due_changes)
    override = as_recorded_on(day, now.rag_override,
                              ((on, Rag(before) if before else None) for on, before in override_changes))
    later = next(((before, completed) for on, before, completed in status_changes if on > day), None)
    status, completed_on = (ActionStatus(later[0]), later[1]) if later else (now.status, now.completed_on)
    if now.status == ActionStatus.COMPLETE and now.completed_on is not None and now.completed_on <= day:
        status, completed_on = ActionStatus.COMPLETE, now.completed_on
    elif status == ActionStatus.COMPLETE and (completed_on is None or completed_on > day):
        status = ActionStatus.IN_PROGRESS if updated_by_then else ActionStatus.OPEN
    return Standing(status, completed_on if status == ActionStatus.COMPLETE else None, due, override)


# --- what changed since a meeting ----------------------------------------------------------------------------------

class EventKind(StrEnum):
    RAISED = "new action"
    STATUS = "status"
    DUE_DATE = "due date"
    UPDATE = "update"
    COMPLETED = "completed"


@dataclass(frozen=True)
class ActionEvent:
    """Something that happened to an action on a day. `old`/`new` are statuses or ISO due dates; `text` an update's."""

    reference: str
    on: date
    kind: EventKind
    old: str = ""
    new: str = ""
    text: str = ""
    by: str = ""  # who: an update's author, who moved a due date
    sequence: int = 0  # orders events of one day: the audit entry's id, or the row's


@dataclass(frozen=True)
class NetStatusChange:
    reference: str
    old: ActionStatus
    new: ActionStatus


@dataclass(frozen=True)
class ChangesSince:
    """What changed in the window after `since` (up to and including `up_to`): for the board pack."""

    since: date
    up_to: date | None
    new_actions: tuple[str, ...]
    status_changes: tuple[NetStatusChange, ...]
    due_date_changes: tuple[ActionEvent, ...]
    updates: tuple[ActionEvent, ...]
    completed: tuple[str, ...]

    @property
    def references(self) -> tuple[str, ...]:
        """Every action that changed, in reference order."""
        refs = {*self.new_actions, *self.completed, *(c.reference for c in self.status_changes),
                *(e.reference for e in (*self.due_date_changes, *self.updates))}
        return tuple(sorted(refs, key=lambda r: (reference_number(r) or 0, r)))

    @property
    def empty(self) -> bool:
        return not self.references


def changes_since(events: Iterable[ActionEvent], since: date, up_to: date | None = None) -> ChangesSince:
    """The events strictly after `since` and on or before `up_to`, by kind.

    A status changed and changed back within the window is no change (undo leaves nothing to report); an action
    changed twice shows its first old status and last new one.
    """
    window = sorted((e for e in events if e.on > since and (up_to is None or e.on <= up_to)),
                    key=lambda e: (e.on, e.sequence))
    first_old: dict[str, str] = {}
    last_new: dict[str, str] = {}
    for event in window:
        if event.kind == EventKind.STATUS:
            first_old.setdefault(event.reference, event.old)
            last_new[event.reference] = event.new
    statuses = tuple(NetStatusChange(ref, ActionStatus(first_old[ref]), ActionStatus(new))
                     for ref, new in last_new.items() if new != first_old[ref])
    completed = {e.reference for e in window if e.kind == EventKind.COMPLETED}
    completed |= {c.reference for c in statuses if c.new == ActionStatus.COMPLETE}

    def by_ref(refs: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(refs), key=lambda r: (reference_number(r) or 0, r)))

    return ChangesSince(
        since=since, up_to=up_to,
        new_actions=by_ref(e.reference for e in window if e.kind == EventKind.RAISED),
        status_changes=tuple(sorted(statuses, key=lambda c: (reference_number(c.reference) or 0, c.reference))),
        due_date_changes=tuple(e for e in window if e.kind == EventKind.DUE_DATE),
        updates=tuple(e for e in window if e.kind == EventKind.UPDATE),
        completed=by_ref(completed))


# --- carried over ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionDates:
    """An action as carry-over needs it: when raised, due, its status now, and the day it closed (if known)."""

    reference: str
    raised: date
    due: date
    status: ActionStatus
    closed_on: date | None = None  # the completion date; None while open, and for a cancellation (date unknown)


def open_on(action: ActionDates, day: date) -> bool:
    """Whether the action was still to be done on `day`: raised by then and not yet closed."""
    if action.raised > day:
        return False
    status = ActionStatus(action.status)
    if status.is_open:
        return True
    return status == ActionStatus.COMPLETE and action.closed_on is not None and action.closed_on > day


@dataclass(frozen=True)
class CarryOver:
    """Actions raised before a meeting and still open at it; `by_meetings` counts them by meetings carried so far."""

    references: tuple[str, ...]
    overdue: tuple[str, ...]
    by_meetings: tuple[tuple[int, int], ...]  # (meetings carried through, how many actions), fewest first

    @property
    def count(self) -> int:
        return len(self.references)


def carried_over(actions: Iterable[ActionDates], meeting_date: date, meeting_dates: Iterable[date] = ()
                 ) -> CarryOver:
    """Carried over to the meeting on `meeting_date`: raised before it and still open on that day.

    Each is counted by how many meetings (of `meeting_dates`, this one included) it has been open at since it was
    raised, so "3 actions carried over three meetings or more" can be said.
    """
    dates = sorted(set(meeting_dates) | {meeting_date})
    carried = [a for a in actions if a.raised < meeting_date and open_on(a, meeting_date)]
    carried.sort(key=lambda a: (reference_number(a.reference) or 0, a.reference))
    tally: dict[int, int] = {}
    for action in carried:
        times = sum(1 for d in dates if action.raised < d <= meeting_date)
        tally[times] = tally.get(times, 0) + 1
    return CarryOver(references=tuple(a.reference for a in carried),
                     overdue=tuple(a.reference for a in carried if a.due < meeting_date),
                     by_meetings=tuple(sorted(tally.items())))
