"""Supervision compliance: the interval each arrangement requires and where it stands on any day.

The rules, as DOMAIN.md sets them out and docs/supervision.md records the choices:

- **The interval in force.** An arrangement's own interval wins. Otherwise, for professional supervision of a
  newly-qualified person (ASYE, preceptorship), the newly-qualified schedule: weekly for the first 6 weeks,
  fortnightly to 6 months, then monthly — unless a policy rule names their career stage, which is the organisation
  choosing its own schedule. Otherwise the most specific policy rule: the one matching the most of organisation,
  profession and career stage, ties going to organisation, then profession, then career stage, then to the rule
  listed first. Where nothing matches: every 91 days.
- **Part-time staff keep the same interval.** Supervision is about safe practice and the oversight of a caseload,
  which does not shrink with the hours worked; policies set it per person, and a pro-rata interval would let someone
  on 0.4 WTE go two and a half times as long between sessions.
- **What counts.** A session counts for every arrangement of its supervisee and type, whoever held it: cover by
  another supervisor counts, and so does a group session (recorded as one row per supervisee sharing a group key).
  Only sessions held count; cancelled sessions and did-not-attend never do. A session shorter than the policy's
  minimum still counts: the status is about how often, and the duration is shown beside it.
- **The clock.** It runs from the last held session, the start of the arrangement (a change of supervisor or
  interval, where one arrangement ends and another of the same type follows on, does not restart it), or the day
  a pause ended, whichever is latest. A pause (long-term absence, maternity leave) takes the person out of scope
  while it lasts; on return they have one full interval before supervision is due.
- **Status on a day.** In date while within the interval; due soon when it falls due within 14 days; overdue after;
  never held when nothing has been held since the arrangement began and the first interval has run out (before
  then it is in date, "not yet due"). Not in place: someone in scope with no arrangement of a type they need —
  managerial for everyone in a team, professional as well for registered professions.
- **Compliance %** is in date (due soon included) over the arrangements in scope: those in force on the day, for
  people in post and not paused. "Not in place" is counted beside it, not in it, as DOMAIN.md defines the figure.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Protocol, TypeVar

from jointlead.domain.professions import (
    HEALTH_PROFESSIONS,
    SOCIAL_WORKER,
    is_registered_profession,
    is_within,
    profession_key,
)

ONE_DAY = timedelta(days=1)
DUE_SOON_DAYS = 14
DEFAULT_TARGET_PERCENT = 95
FALLBACK_INTERVAL_DAYS = 91  # DOMAIN.md: "where nothing is set: clinical at least every 3 months"
MONTHLY_DAYS = 31

# The newly-qualified schedule, from the start of practice: weekly to 6 weeks, fortnightly to 6 months.
NEWLY_QUALIFIED_WEEKLY_UNTIL_DAYS = 42
NEWLY_QUALIFIED_FORTNIGHTLY_UNTIL_MONTHS = 6
NEWLY_QUALIFIED_STAGES = frozenset({"newly qualified", "preceptorship", "asye", "preceptorship/asye"})



class SupervisionType(StrEnum):
    MANAGERIAL = "managerial"
    PROFESSIONAL = "professional"  # professional or clinical supervision, with someone of the same profession
    SAFEGUARDING = "safeguarding"
    GROUP = "group"


class SessionStatus(StrEnum):
    HELD = "held"
    CANCELLED_BY_SUPERVISOR = "cancelled by supervisor"
    CANCELLED_BY_SUPERVISEE = "cancelled by supervisee"
    DID_NOT_ATTEND = "did not attend"


class Status(StrEnum):
    """Where one arrangement (or a missing one) stands on a day."""

    IN_DATE = "in date"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"
    NEVER_HELD = "never held"
    NOT_IN_PLACE = "not in place"
    PAUSED = "paused"  # the supervisee is on long-term absence or maternity leave: out of scope

    @property
    def compliant(self) -> bool:
        return self in (Status.IN_DATE, Status.DUE_SOON)

    @property
    def in_scope(self) -> bool:
        """Counted in the compliance %: every arrangement in force for someone in post and not paused."""
        return self not in (Status.NOT_IN_PLACE, Status.PAUSED)

    @property
    def needs_action(self) -> bool:
        return self in (Status.OVERDUE, Status.NEVER_HELD, Status.NOT_IN_PLACE)


class HasStatus(Protocol):
    """Anything counted by status: the domain's `ArrangementStatus`, or a service's row built from one."""

    @property
    def status(self) -> Status: ...


@dataclass(frozen=True)
class PolicyRule:
    """A required interval; None in organisation, profession or career stage matches anyone. A profession covers
    the professions within it, as recorded words vary ("social worker" covers "Senior Social Worker")."""

    supervision_type: str
    interval_days: int
    min_minutes: int | None = None
    organisation: str | None = None  # the employer's code
    profession: str | None = None
    career_stage: str | None = None

    def matches(self, supervisee: Supervisee, supervision_type: str) -> bool:
        return (_same(self.supervision_type, supervision_type)
                and (self.organisation is None or _same(self.organisation, supervisee.organisation))
                and (self.profession is None or is_within(self.profession, supervisee.profession))
                and (self.career_stage is None or _same(self.career_stage, supervisee.career_stage)))

    @property
    def specificity(self) -> tuple[int, bool, bool, bool]:
        named = (self.organisation is not None, self.profession is not None, self.career_stage is not None)
        return sum(named), *named

    def closeness(self, supervisee: Supervisee) -> tuple[bool, int]:
        """Between rules naming as much: one naming the person's profession as recorded outranks one whose
        profession is within it, and a longer name a shorter: "mental health nurse" over "nurse" for a mental
        health nurse, and for a "Mental Health Nurse (RMN)"."""
        if self.profession is None:
            return False, 0
        key = profession_key(self.profession)
        return key == profession_key(supervisee.profession), len(key.split())

    def describe(self) -> str:
        return self._description

    @cached_property
    def _description(self) -> str:
        who = " ".join(filter(None, (self.organisation, self.career_stage, self.profession))) or "everyone"
        return f"policy for {who}: {self.supervision_type} every {self.interval_days} days"


# DOMAIN.md's practice defaults; an organisation's own rules are passed before these and win ties.
DEFAULT_RULES: tuple[PolicyRule, ...] = (
    PolicyRule(SupervisionType.PROFESSIONAL, 31, 90, profession=SOCIAL_WORKER),
    *(PolicyRule(SupervisionType.PROFESSIONAL, 42, 60, profession=p) for p in HEALTH_PROFESSIONS),
    PolicyRule(SupervisionType.MANAGERIAL, 56),
)


@dataclass(frozen=True)
class Pause:
    """Long-term absence or maternity leave, first to last day; no end date means not back yet."""

    start: date
    end: date | None = None
    kind: str = "long-term absence"

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Supervisee:
    """What the rules need to know about a person who is (or should be) supervised."""

    id: int
    name: str = ""
    organisation: str = ""  # the employer's code
    profession: str = ""
    team: str = ""  # "" when not in a team of the service
    career_stage: str = "qualified"
    qualified_date: date | None = None
    start_date: date | None = None
    leave_date: date | None = None
    registered: bool = False  # a registration is recorded; registered professions count whatever is recorded
    wte_hundredths: int | None = None  # shown, never used: part-time staff keep the same interval
    pauses: tuple[Pause, ...] = ()

    def active_on(self, day: date) -> bool:
        return (self.start_date is None or self.start_date <= day) and (self.leave_date is None
                                                                        or day <= self.leave_date)

    def paused_on(self, day: date) -> Pause | None:
        return next((pause for pause in self.pauses if pause.covers(day)), None)

    @property
    def newly_qualified(self) -> bool:
        return self.career_stage.strip().casefold() in NEWLY_QUALIFIED_STAGES

    @cached_property
    def _rule_keys(self) -> tuple[str, str, str]:
        """Organisation, profession and career stage as rules compare them: whatever a rule decides by."""
        return _fold(self.organisation), _fold(self.profession), _fold(self.career_stage)

    @property
    def practice_start(self) -> date | None:
        """When the newly-qualified schedule starts: the later of qualifying and starting here.

        Someone who qualified in July and starts in September begins their weekly weeks in September: the schedule
        is about their first months in practice, not the time since the exam board.
        """
        known = [d for d in (self.qualified_date, self.start_date) if d is not None]
        return max(known) if known else None

    def required_types(self) -> tuple[SupervisionType, ...]:
        """Managerial for every team member; professional as well for registered professions."""
        if not self.team:
            return ()
        if self.registered or is_registered_profession(self.profession):
            return SupervisionType.MANAGERIAL, SupervisionType.PROFESSIONAL
        return (SupervisionType.MANAGERIAL,)


@dataclass(frozen=True)
class Arrangement:
    id: int
    supervisee_id: int
    supervision_type: str
    supervisor_id: int | None
    start_date: date
    end_date: date | None = None
    interval_days: int | None = None  # overrides the policy when set
    agreement_signed: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class Session:
    """That supervision happened (or was booked and did not): never what was said."""

    supervisee_id: int
    supervision_type: str
    session_date: date
    status: str = SessionStatus.HELD
    supervisor_id: int | None = None
    duration_minutes: int | None = None
    group_key: str | None = None

    @property
    def held(self) -> bool:
        return self.status == SessionStatus.HELD


@dataclass(frozen=True)
class Requirement:
    interval_days: int
    min_minutes: int | None
    basis: str  # why this interval, in words a manager reads
    lengthens: bool = False  # a schedule whose interval grows with time in practice (the newly qualified's)


@dataclass(frozen=True)
class ArrangementStatus:
    """One arrangement on a day, or (with no arrangement id) a type someone needs and has not got."""

    supervisee_id: int
    supervision_type: str
    status: Status
    arrangement_id: int | None = None
    supervisor_id: int | None = None
    interval_days: int | None = None
    basis: str = ""
    last_held: date | None = None
    last_held_by: int | None = None  # may differ from the arranged supervisor: cover, or a group
    last_minutes: int | None = None
    min_minutes: int | None = None
    next_due: date | None = None
    since: date | None = None  # the day the status began (when known)

    @property
    def compliant(self) -> bool:
        return self.status.compliant

    @property
    def in_scope(self) -> bool:
        return self.status.in_scope


@dataclass(frozen=True)
class Tally:
    """Compliance of a group of arrangements (a type, an organisation, a team...) on one day."""

    group: str
    in_date: int = 0
    due_soon: int = 0
    overdue: int = 0
    never_held: int = 0
    not_in_place: int = 0
    paused: int = 0

    @property
    def in_scope(self) -> int:
        return self.in_date + self.due_soon + self.overdue + self.never_held

    @property
    def compliant(self) -> int:
        return self.in_date + self.due_soon

    @property
    def fraction(self) -> float | None:
        """Compliant over in scope (0.95 is 95%); None when nothing is in scope."""
        return self.compliant / self.in_scope if self.in_scope else None

    @property
    def percent_text(self) -> str:
        """The compliance % as shown: to the nearest tenth, as the workbooks show it ("94.6%" for 35 of 37), but
        never rounded up to a whole percent the figure does not reach, so that one short of a target never reads as
        the target ("94.9%" for 94.96%, not "95.0%"); a dash when nothing is in scope."""
        if not self.in_scope:
            return "—"
        tenths = (self.compliant * 2000 + self.in_scope) // (2 * self.in_scope)  # to the nearest, half up
        tenths = min(tenths, self.compliant * 100 // self.in_scope * 10 + 9)
        return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}%"

    def meets(self, target_percent: int | float) -> bool | None:
        # Exact: 19 of 20 meets 95%, with no floating-point doubt at the boundary.
        return None if not self.in_scope else self.compliant * 100 >= target_percent * self.in_scope


@dataclass(frozen=True)
class MonthFigure:
    """The position as it stood at the end of one month (or on the day asked, for the month still running)."""

    year: int
    month: int
    as_at: date
    tally: Tally

    @property
    def label(self) -> str:
        return f"{calendar.month_abbr[self.month]} {self.year}"


@lru_cache(maxsize=1024)  # a few distinct words (types, professions), folded tens of thousands of times a trend
def _fold(text: str) -> str:
    return text.strip().casefold()


def _same(a: str, b: str) -> bool:
    return _fold(a) == _fold(b)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6 months = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def newly_qualified_interval(practice_start: date, day: date) -> int:
    """The newly-qualified schedule on a day: 7 days for the first 6 weeks (days 0 to 41), 14 until the same date
    6 months on, then 31 (monthly, the social-work standard)."""
    if day < practice_start + timedelta(days=NEWLY_QUALIFIED_WEEKLY_UNTIL_DAYS):
        return 7
    if day < add_months(practice_start, NEWLY_QUALIFIED_FORTNIGHTLY_UNTIL_MONTHS):
        return 14
    return MONTHLY_DAYS


class _RuleBook(tuple[PolicyRule, ...]):
    """Rules that remember the best rule for each question put to them: assessing a service's twelve month ends asks
    the same few (type, organisation, profession, career stage) questions thousands of times."""

    def __new__(cls, rules: Iterable[PolicyRule]) -> _RuleBook:
        book = super().__new__(cls, rules)
        book.answers = {}
        return book

    answers: dict[tuple[str, str, str, str], PolicyRule | None]


def _rule_book(rules: Sequence[PolicyRule]) -> Sequence[PolicyRule]:
    return rules if isinstance(rules, _RuleBook) else _RuleBook(rules)


def best_rule(supervisee: Supervisee, supervision_type: str, rules: Iterable[PolicyRule]) -> PolicyRule | None:
    """The most specific rule that matches, then the one naming the profession as recorded (`closeness`); among
    equals, the one listed first."""
    question = (_fold(supervision_type), *supervisee._rule_keys) if isinstance(rules, _RuleBook) else None
    if question is not None and question in rules.answers:
        return rules.answers[question]
    best: PolicyRule | None = None
    best_rank: tuple = ()
    for rule in rules:
        if rule.matches(supervisee, supervision_type):
            rank = (rule.specificity, rule.closeness(supervisee))
            if best is None or rank > best_rank:
                best, best_rank = rule, rank
    if question is not None:
        rules.answers[question] = best
    return best


def requirement(supervisee: Supervisee, supervision_type: str, rules: Sequence[PolicyRule], day: date,
                arrangement_interval: int | None = None) -> Requirement:
    """The interval (and minimum length) in force on `day` for one type of supervision of one person."""
    rule = best_rule(supervisee, supervision_type, rules)
    minimum = rule.min_minutes if rule else None
    if arrangement_interval:
        return Requirement(arrangement_interval, minimum, f"the arrangement's own interval: every "
                                                          f"{arrangement_interval} days")
    stage_named = rule is not None and rule.career_stage is not None
    start = supervisee.practice_start
    if (_same(supervision_type, SupervisionType.PROFESSIONAL) and supervisee.newly_qualified and not stage_named
            and start is not None):
        interval = newly_qualified_interval(start, day)
        words = {7: "weekly for the first 6 weeks", 14: "fortnightly to 6 months", MONTHLY_DAYS: "monthly"}[interval]
        return Requirement(interval, minimum, f"newly-qualified schedule: {words}", lengthens=True)
    if rule is None:
        return Requirement(FALLBACK_INTERVAL_DAYS, None, f"no policy set: every {FALLBACK_INTERVAL_DAYS} days")
    return Requirement(rule.interval_days, rule.min_minutes, rule.describe())


class SessionHistory:
    """Held sessions by supervisee and type, in date order, for quick "last held on or before" look-ups."""

    def __init__(self, sessions: Iterable[Session]) -> None:
        held: dict[tuple[int, str], list[Session]] = defaultdict(list)
        for session in sessions:
            if session.held:
                held[session.supervisee_id, session.supervision_type.strip().casefold()].append(session)
        self._sessions = {key: sorted(rows, key=lambda s: s.session_date) for key, rows in held.items()}
        self._days = {key: [s.session_date for s in rows] for key, rows in self._sessions.items()}

    def last_held(self, supervisee_id: int, supervision_type: str, day: date) -> Session | None:
        key = supervisee_id, supervision_type.strip().casefold()
        days = self._days.get(key)
        if not days:
            return None
        index = bisect_right(days, day)
        return self._sessions[key][index - 1] if index else None


def _run_start(arrangement: Arrangement, others: Sequence[Arrangement]) -> date:
    """When the unbroken run of this person's arrangements of this type began: a change of supervisor or interval
    (one arrangement ending, the next following on) does not give a fresh first interval."""
    start = arrangement.start_date
    moved = True
    while moved:
        moved = False
        for other in others:
            if (other.id != arrangement.id and other.start_date < start
                    and (other.end_date is None or other.end_date >= start - ONE_DAY)):
                start, moved = other.start_date, True
    return start


def _falling_due(clock: date, need_on: Callable[[date], Requirement]) -> tuple[Requirement, date]:
    """The requirement in force on the day supervision next falls due, and that day: the first day the time since
    `clock` reaches the interval then in force.

    Whatever day is assessed, the answer is the same: a schedule that lengthens (weekly, then fortnightly, then
    monthly for the newly qualified) looked up on the day assessed would move the due date as the days pass, and turn
    overdue supervision back to in date with no session held.
    """
    need = need_on(clock)
    due = clock + timedelta(days=need.interval_days)
    while need.lengthens and (later := need_on(due)).interval_days > need.interval_days:
        need, due = later, clock + timedelta(days=later.interval_days)
    return need, due


def arrangement_status(arrangement: Arrangement, supervisee: Supervisee, history: SessionHistory,
                       same_type: Sequence[Arrangement], rules: Sequence[PolicyRule], day: date) -> ArrangementStatus:
    """Where one arrangement in force on `day` stands."""
    last = history.last_held(supervisee.id, arrangement.supervision_type, day)
    run_start = _run_start(arrangement, same_type)
    clock = max([run_start, *(p.end + ONE_DAY for p in supervisee.pauses if p.end is not None and p.end < day)])
    held_since_start = last is not None and last.session_date >= run_start
    if held_since_start:
        clock = max(clock, last.session_date)
    need, due = _falling_due(clock, lambda on: requirement(supervisee, arrangement.supervision_type, rules, on,
                                                            arrangement.interval_days))
    common = {"supervisee_id": supervisee.id, "supervision_type": arrangement.supervision_type,
              "arrangement_id": arrangement.id, "supervisor_id": arrangement.supervisor_id,
              "interval_days": need.interval_days, "basis": need.basis, "min_minutes": need.min_minutes}
    pause = supervisee.paused_on(day)
    if pause is not None:
        return ArrangementStatus(**common, status=Status.PAUSED, since=pause.start,
                                 last_held=last.session_date if last else None,
                                 last_held_by=last.supervisor_id if last else None)
    shown = {"last_held": last.session_date if last else None, "last_held_by": last.supervisor_id if last else None,
             "last_minutes": last.duration_minutes if last else None, "next_due": due}
    if day <= due:
        status = Status.DUE_SOON if (due - day).days <= DUE_SOON_DAYS else Status.IN_DATE
        return ArrangementStatus(**common, **shown, status=status, since=clock)
    status = Status.OVERDUE if held_since_start else Status.NEVER_HELD
    return ArrangementStatus(**common, **shown, status=status, since=due + ONE_DAY)


def _not_in_place_since(supervisee: Supervisee, supervision_type: str, arrangements: Sequence[Arrangement],
                        day: date) -> date | None:
    """Since when someone has lacked an arrangement of a type: the latest of starting here, their last arrangement
    of the type ending, and returning from a pause; None when none of these is known."""
    candidates = [supervisee.start_date] if supervisee.start_date else []
    candidates += [a.end_date + ONE_DAY for a in arrangements
                   if _same(a.supervision_type, supervision_type) and a.end_date is not None and a.end_date < day]
    candidates += [p.end + ONE_DAY for p in supervisee.pauses if p.end is not None and p.end < day]
    return max(candidates) if candidates else None


_Caseload = tuple[Supervisee, list[Arrangement], dict[str, list[Arrangement]]]


def _caseloads(supervisees: Iterable[Supervisee], arrangements: Iterable[Arrangement]) -> list[_Caseload]:
    """Each supervisee with their arrangements in order, and those grouped by type (folded as `_same` folds them):
    the same on every day, so a trend works them out once."""
    by_person: dict[int, list[Arrangement]] = defaultdict(list)
    for arrangement in arrangements:
        by_person[arrangement.supervisee_id].append(arrangement)
    loads = []
    for person in {s.id: s for s in supervisees}.values():
        own = sorted(by_person.get(person.id, ()), key=lambda a: (a.supervision_type, a.start_date, a.id))
        by_type: dict[str, list[Arrangement]] = defaultdict(list)
        for arrangement in own:
            by_type[_fold(arrangement.supervision_type)].append(arrangement)
        loads.append((person, own, by_type))
    return loads


def assess(supervisees: Iterable[Supervisee], arrangements: Iterable[Arrangement], sessions: Iterable[Session],
           rules: Sequence[PolicyRule], day: date, *, history: SessionHistory | None = None,
           caseloads: list[_Caseload] | None = None) -> tuple[ArrangementStatus, ...]:
    """Every arrangement in force on `day` for someone in post (paused ones marked so), then a "not in place" entry
    for each type a team member in post and not paused needs and has no arrangement of.

    Supervisees not given are left out, and so are their arrangements. `history` and `caseloads` (the sessions and
    the arrangements already arranged for look-up) let a trend prepare them once for all its month ends.
    """
    rules = _rule_book(rules)
    history = history or SessionHistory(sessions)
    statuses: list[ArrangementStatus] = []
    for person, own, by_type in caseloads or _caseloads(supervisees, arrangements):
        person_id = person.id
        if not person.active_on(day):
            continue
        in_force = [a for a in own if a.in_force_on(day)]
        for arrangement in in_force:
            same_type = by_type[_fold(arrangement.supervision_type)]
            statuses.append(arrangement_status(arrangement, person, history, same_type, rules, day))
        if person.paused_on(day) is not None:
            continue
        types_in_force = {_fold(a.supervision_type) for a in in_force}
        for needed in person.required_types():
            if _fold(needed) not in types_in_force:
                statuses.append(ArrangementStatus(person_id, str(needed), Status.NOT_IN_PLACE,
                                                  since=_not_in_place_since(person, needed, own, day)))
    return tuple(statuses)


_Counted = TypeVar("_Counted", bound=HasStatus)


def tally(statuses: Iterable[HasStatus], group: str = "All") -> Tally:
    counts = {status: 0 for status in Status}
    for entry in statuses:
        counts[entry.status] += 1
    return Tally(group, counts[Status.IN_DATE], counts[Status.DUE_SOON], counts[Status.OVERDUE],
                 counts[Status.NEVER_HELD], counts[Status.NOT_IN_PLACE], counts[Status.PAUSED])


def tally_by(statuses: Iterable[_Counted], key: Callable[[_Counted], str]) -> tuple[Tally, ...]:
    """One tally per group, groups in alphabetical order (case ignored)."""
    groups: dict[str, list[_Counted]] = defaultdict(list)
    for entry in statuses:
        groups[key(entry)].append(entry)
    return tuple(tally(rows, name) for name, rows in sorted(groups.items(), key=lambda g: (g[0].casefold(), g[0])))


def month_ends(day: date, months: int) -> tuple[date, ...]:
    """The last day of each of the `months` months up to and including `day`'s, oldest first; the month still
    running ends on `day` itself."""
    ends = []
    year, month = day.year, day.month
    for _ in range(months):
        ends.append(min(month_end(year, month), day))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(reversed(ends))


def monthly_trend(supervisees: Sequence[Supervisee], arrangements: Sequence[Arrangement],
                  sessions: Sequence[Session], rules: Sequence[PolicyRule], day: date, months: int = 12,
                  include: Callable[[ArrangementStatus], bool] | None = None) -> tuple[MonthFigure, ...]:
    """Compliance as it stood at each month end (`include` picks the statuses counted, e.g. one type)."""
    history = SessionHistory(sessions)
    rules = _rule_book(rules)
    caseloads = _caseloads(supervisees, arrangements)
    figures = []
    for end in month_ends(day, months):
        statuses = assess(supervisees, arrangements, (), rules, end, history=history, caseloads=caseloads)
        chosen = [s for s in statuses if include is None or include(s)]
        figures.append(MonthFigure(end.year, end.month, end, tally(chosen, f"{calendar.month_abbr[end.month]} "
                                                                              f"{end.year}")))
    return tuple(figures)
