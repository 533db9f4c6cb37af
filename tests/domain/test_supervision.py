"""Supervision compliance without a database: intervals, statuses on a day, edge cases and a hand-counted team."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointlead.domain.supervision import (
    DEFAULT_RULES,
    Arrangement,
    Pause,
    PolicyRule,
    Session,
    SessionStatus,
    Status,
    Supervisee,
    SupervisionType,
    Tally,
    add_months,
    assess,
    month_ends,
    monthly_trend,
    newly_qualified_interval,
    requirement,
    tally,
    tally_by,
)

D = date(2026, 11, 20)
MANAGERIAL = SupervisionType.MANAGERIAL
PROFESSIONAL = SupervisionType.PROFESSIONAL
LONG_AGO = date(2025, 1, 1)
SUPERVISOR, COVER = 900, 901


def social_worker(person_id: int = 1, **fields) -> Supervisee:
    return Supervisee(**{"id": person_id, "name": f"P{person_id}", "organisation": "NCC",
                         "profession": "social worker", "team": "North", "registered": True,
                         "start_date": date(2020, 1, 6), **fields})


def arrangement(arrangement_id: int, person_id: int, kind: str = MANAGERIAL, start: date = LONG_AGO,
                **fields) -> Arrangement:
    return Arrangement(arrangement_id, person_id, str(kind), fields.pop("supervisor_id", SUPERVISOR), start, **fields)


def held(person_id: int, day: date, kind: str = MANAGERIAL, **fields) -> Session:
    return Session(person_id, str(kind), day, **{"supervisor_id": SUPERVISOR, **fields})


def status_of(statuses, person_id: int, kind: str = MANAGERIAL):
    found = [s for s in statuses if s.supervisee_id == person_id and s.supervision_type == kind]
    assert len(found) == 1, found
    return found[0]


def one(person: Supervisee, arrangements, sessions, day: date = D, kind: str = MANAGERIAL, rules=DEFAULT_RULES):
    return status_of(assess([person], arrangements, sessions, rules, day), person.id, kind)


# --- the interval in force ----------------------------------------------------------------------------------------

def test_the_defaults_are_those_in_the_domain():
    nurse = Supervisee(1, profession="mental health nurse", team="T")
    support = Supervisee(2, profession="support worker", team="T")
    assert requirement(social_worker(), PROFESSIONAL, DEFAULT_RULES, D).interval_days == 31
    assert requirement(social_worker(), PROFESSIONAL, DEFAULT_RULES, D).min_minutes == 90
    assert (requirement(nurse, PROFESSIONAL, DEFAULT_RULES, D).interval_days,
            requirement(nurse, PROFESSIONAL, DEFAULT_RULES, D).min_minutes) == (42, 60)
    assert requirement(nurse, MANAGERIAL, DEFAULT_RULES, D).interval_days == 56
    assert requirement(social_worker(), MANAGERIAL, DEFAULT_RULES, D).interval_days == 56
    assert requirement(support, PROFESSIONAL, DEFAULT_RULES, D).interval_days == 91  # nothing set
    assert requirement(nurse, "safeguarding", DEFAULT_RULES, D).interval_days == 91


@pytest.mark.parametrize(("profession", "interval"), [
    ("Senior Social Worker", 31), ("Social Worker (AMHP)", 31), ("social  worker", 31),
    ("Student Social Worker", 91), ("Nurse Assistant", 91),
    ("Mental Health Nurse (RMN)", 42), ("Community Psychiatric Nurse", 42), ("Clinical Psychologist", 42),
    ("Consultant Psychiatrist", 42), ("Specialty Doctor", 42), ("Senior Occupational Therapist", 42),
    ("Senior Support Worker", 91), ("Healthcare Assistant", 91),
])
def test_a_default_rule_covers_its_profession_however_the_record_words_it(profession, interval):
    person = Supervisee(1, profession=profession, team="T")
    assert requirement(person, PROFESSIONAL, DEFAULT_RULES, D).interval_days == interval


def test_a_rule_for_one_profession_does_not_cover_another_sharing_a_word():
    rules = (PolicyRule(PROFESSIONAL, 28, profession="mental health nurse"), *DEFAULT_RULES)
    assert requirement(Supervisee(1, profession="Mental Health Nurse (RMN)", team="T"), PROFESSIONAL, rules,
                       D).interval_days == 28
    assert requirement(Supervisee(2, profession="Adult Nurse", team="T"), PROFESSIONAL, rules, D).interval_days == 42
    assert requirement(Supervisee(3, profession="Social Work Assistant", team="T"), PROFESSIONAL,
                       (PolicyRule(PROFESSIONAL, 28, profession="assistant psychologist"),), D).interval_days == 91
    # The rule naming the profession most closely wins, whichever was recorded first.
    recorded = (PolicyRule(PROFESSIONAL, 28, profession="nurse"),
                PolicyRule(PROFESSIONAL, 21, profession="mental health nurse"), *DEFAULT_RULES)
    assert requirement(Supervisee(4, profession="mental health nurse", team="T"), PROFESSIONAL, recorded,
                       D).interval_days == 21
    assert requirement(Supervisee(5, profession="Mental Health Nurse (RMN)", team="T"), PROFESSIONAL, recorded,
                       D).interval_days == 21
    assert requirement(Supervisee(6, profession="Adult Nurse", team="T"), PROFESSIONAL, recorded, D).interval_days == 28


def test_the_most_specific_rule_wins_and_an_organisation_outranks_a_profession_on_a_tie():
    rules = (PolicyRule(PROFESSIONAL, 28, organisation="NCC"),
             PolicyRule(PROFESSIONAL, 21, organisation="NCC", profession="Social Worker"),
             PolicyRule(PROFESSIONAL, 60, organisation="NFT"), *DEFAULT_RULES)
    assert requirement(social_worker(), PROFESSIONAL, rules, D).interval_days == 21  # two fields named
    assert requirement(social_worker(), PROFESSIONAL, rules[:1] + DEFAULT_RULES, D).interval_days == 28
    nurse = Supervisee(2, organisation="NFT", profession="mental health nurse", team="T")
    assert requirement(nurse, PROFESSIONAL, rules, D).interval_days == 60


def test_a_stored_rule_listed_before_the_defaults_replaces_the_same_default():
    rules = (PolicyRule(PROFESSIONAL, 35, 60, profession="social worker"), *DEFAULT_RULES)
    assert requirement(social_worker(), PROFESSIONAL, rules, D).interval_days == 35


def test_an_arrangements_own_interval_overrides_every_rule():
    need = requirement(social_worker(career_stage="newly qualified"), PROFESSIONAL, DEFAULT_RULES, D, 10)
    assert need.interval_days == 10 and "own interval" in need.basis


def test_part_time_staff_keep_the_same_interval_as_full_time_staff():
    full, part = social_worker(wte_hundredths=100), social_worker(wte_hundredths=40)
    for kind in (MANAGERIAL, PROFESSIONAL):
        assert requirement(full, kind, DEFAULT_RULES, D) == requirement(part, kind, DEFAULT_RULES, D)
    sessions = [held(1, date(2026, 10, 15))]
    assert one(full, [arrangement(1, 1)], sessions).status == one(part, [arrangement(1, 1)], sessions).status


def test_the_newly_qualified_schedule_is_weekly_then_fortnightly_then_monthly():
    start = date(2026, 8, 31)
    assert [newly_qualified_interval(start, start + timedelta(days=n)) for n in (0, 41, 42)] == [7, 7, 14]
    six_months = add_months(start, 6)
    assert six_months == date(2027, 2, 28)  # 31 August + 6 months: the end of a shorter month
    assert newly_qualified_interval(start, six_months - timedelta(days=1)) == 14
    assert newly_qualified_interval(start, six_months) == 31
    assert newly_qualified_interval(start, date(2028, 1, 1)) == 31


def test_the_schedule_starts_when_practice_here_starts_and_applies_to_professional_supervision_only():
    nqsw = social_worker(career_stage="newly qualified", qualified_date=date(2026, 7, 1),
                         start_date=date(2026, 9, 7))
    assert nqsw.practice_start == date(2026, 9, 7)
    assert requirement(nqsw, PROFESSIONAL, DEFAULT_RULES, date(2026, 10, 18)).interval_days == 7
    assert requirement(nqsw, PROFESSIONAL, DEFAULT_RULES, date(2026, 10, 19)).interval_days == 14
    assert requirement(nqsw, PROFESSIONAL, DEFAULT_RULES, date(2027, 3, 7)).interval_days == 31
    assert requirement(nqsw, MANAGERIAL, DEFAULT_RULES, date(2026, 9, 10)).interval_days == 56
    preceptee = Supervisee(2, profession="mental health nurse", team="T", career_stage="Preceptorship",
                           qualified_date=date(2026, 9, 1))
    assert requirement(preceptee, PROFESSIONAL, DEFAULT_RULES, date(2026, 9, 2)).interval_days == 7
    nobody_knows = social_worker(career_stage="newly qualified", start_date=None)
    assert requirement(nobody_knows, PROFESSIONAL, DEFAULT_RULES, D).interval_days == 31  # falls back to the rule


def test_a_rule_naming_the_career_stage_is_the_organisations_own_schedule_and_replaces_the_default_one():
    nqsw = social_worker(career_stage="newly qualified", start_date=date(2026, 11, 1))
    rules = (PolicyRule(PROFESSIONAL, 10, 90, organisation="NCC", career_stage="newly qualified"), *DEFAULT_RULES)
    assert requirement(nqsw, PROFESSIONAL, rules, D).interval_days == 10
    assert requirement(nqsw, PROFESSIONAL, DEFAULT_RULES, D).interval_days == 7


# --- statuses on a day --------------------------------------------------------------------------------------------

def test_a_newly_qualified_workers_supervision_falls_due_once_and_stays_overdue_as_the_schedule_lengthens():
    """The interval is the one in force when supervision falls due, whatever day is assessed: looked up on the day
    assessed, overdue fortnightly supervision turned 'due soon' at six months (monthly) with no session held."""
    nqsw = social_worker(career_stage="newly qualified", start_date=date(2026, 9, 1))
    plan = [arrangement(1, 1, PROFESSIONAL, start=date(2026, 9, 1))]
    fortnightly = [held(1, date(2027, 2, 10), PROFESSIONAL)]  # six months on is 1 March: due 24 February
    seen = [one(nqsw, plan, fortnightly, day, PROFESSIONAL) for day in (date(2027, 2, 11), date(2027, 2, 25),
                                                                         date(2027, 3, 1), date(2027, 3, 20))]
    assert {s.next_due for s in seen} == {date(2027, 2, 24)}
    assert [s.status for s in seen] == [Status.DUE_SOON, Status.OVERDUE, Status.OVERDUE, Status.OVERDUE]
    assert seen[-1].since == date(2027, 2, 25)

    # Held on day 38 (weekly), it falls due on day 52: after six weeks (day 42) the schedule is fortnightly.
    weekly = [held(1, date(2026, 10, 9), PROFESSIONAL)]
    seen = [one(nqsw, plan, weekly, day, PROFESSIONAL) for day in (date(2026, 10, 10), date(2026, 10, 13))]
    assert [(s.next_due, s.interval_days) for s in seen] == [(date(2026, 10, 23), 14)] * 2
    assert seen[0].basis == "newly-qualified schedule: fortnightly to 6 months"


def test_in_date_then_due_soon_from_fourteen_days_before_then_overdue_the_day_after():
    person, plan = social_worker(), [arrangement(1, 1)]
    sessions = [held(1, date(2026, 10, 1))]  # due 26 November (56 days)
    assert one(person, plan, sessions, date(2026, 11, 11)).status == Status.IN_DATE  # due in 15 days
    assert one(person, plan, sessions, date(2026, 11, 12)).status == Status.DUE_SOON  # due in 14 days
    on_the_day = one(person, plan, sessions, date(2026, 11, 26))
    assert (on_the_day.status, on_the_day.next_due) == (Status.DUE_SOON, date(2026, 11, 26))
    late = one(person, plan, sessions, date(2026, 11, 27))
    assert (late.status, late.since, late.last_held) == (Status.OVERDUE, date(2026, 11, 27), date(2026, 10, 1))


def test_a_new_arrangement_is_not_yet_due_for_one_interval_then_never_held():
    person, plan = social_worker(), [arrangement(1, 1, start=date(2026, 10, 1))]
    first = one(person, plan, [], date(2026, 10, 2))
    assert (first.status, first.last_held, first.next_due) == (Status.IN_DATE, None, date(2026, 11, 26))
    assert one(person, plan, [], date(2026, 11, 26)).status == Status.DUE_SOON
    never = one(person, plan, [], date(2026, 11, 27))
    assert (never.status, never.since) == (Status.NEVER_HELD, date(2026, 11, 27))


def test_sessions_before_an_arrangement_began_do_not_count_as_held_under_it():
    person = social_worker()
    plan = [arrangement(1, 1, start=date(2026, 6, 1))]
    sessions = [held(1, date(2026, 3, 1))]  # under no arrangement at all
    result = one(person, plan, sessions)
    assert (result.status, result.last_held) == (Status.NEVER_HELD, date(2026, 3, 1))


def test_cancelled_sessions_and_did_not_attend_never_count_as_held():
    person, plan = social_worker(), [arrangement(1, 1, start=date(2026, 6, 1))]
    not_held = [held(1, date(2026, 11, 18), status=s) for s in SessionStatus if s != SessionStatus.HELD]
    assert len(not_held) == 3
    assert one(person, plan, not_held).status == Status.NEVER_HELD
    assert one(person, plan, [*not_held, held(1, date(2026, 11, 18))]).status == Status.IN_DATE


def test_cover_supervision_by_someone_other_than_the_arranged_supervisor_counts():
    result = one(social_worker(), [arrangement(1, 1)], [held(1, date(2026, 11, 2), supervisor_id=COVER)])
    assert (result.status, result.supervisor_id, result.last_held_by) == (Status.IN_DATE, SUPERVISOR, COVER)


def test_a_group_session_recorded_once_for_many_supervisees_counts_for_each_who_attended():
    people = [social_worker(n) for n in (1, 2, 3)]
    plans = [arrangement(n, n, PROFESSIONAL, start=date(2026, 6, 1)) for n in (1, 2, 3)]
    group = [held(1, date(2026, 11, 11), PROFESSIONAL, group_key="G-7"),
             held(2, date(2026, 11, 11), PROFESSIONAL, group_key="G-7"),
             held(3, date(2026, 11, 11), PROFESSIONAL, group_key="G-7", status=SessionStatus.DID_NOT_ATTEND)]
    statuses = assess(people, plans, group, DEFAULT_RULES, D)
    assert [status_of(statuses, n, PROFESSIONAL).status for n in (1, 2, 3)] == [
        Status.IN_DATE, Status.IN_DATE, Status.NEVER_HELD]


def test_a_session_of_another_type_does_not_count():
    result = one(social_worker(), [arrangement(1, 1)], [held(1, date(2026, 11, 2), PROFESSIONAL)])
    assert result.status == Status.NEVER_HELD


def test_a_short_session_still_counts_and_its_length_is_shown_beside_the_minimum():
    result = one(social_worker(), [arrangement(1, 1, PROFESSIONAL)],
                 [held(1, date(2026, 11, 2), PROFESSIONAL, duration_minutes=45)], kind=PROFESSIONAL)
    assert (result.compliant, result.last_minutes, result.min_minutes) == (True, 45, 90)


def test_an_arrangement_that_changes_mid_month_is_counted_once_and_keeps_its_clock():
    person = social_worker()
    old = arrangement(1, 1, end_date=date(2026, 11, 14))
    new = arrangement(2, 1, start=date(2026, 11, 15), supervisor_id=COVER)
    sessions = [held(1, date(2026, 9, 1))]  # under the old supervisor: due 27 October
    statuses = assess([person], [old, new], sessions, DEFAULT_RULES, date(2026, 11, 30))
    managerial = [s for s in statuses if s.supervision_type == MANAGERIAL]
    assert len(managerial) == 1
    assert (managerial[0].arrangement_id, managerial[0].supervisor_id) == (2, COVER)
    # The change gives no fresh first interval: still overdue since 28 October, not "not yet due".
    assert (managerial[0].status, managerial[0].since) == (Status.OVERDUE, date(2026, 10, 28))
    before = status_of(assess([person], [old, new], sessions, DEFAULT_RULES, date(2026, 11, 10)), 1)
    assert before.arrangement_id == 1
    # Nothing held under either: "never held" runs from the first arrangement's start, not the change.
    never = status_of(assess([person], [old, new], [], DEFAULT_RULES, date(2026, 11, 30)), 1)
    assert (never.status, never.since) == (Status.NEVER_HELD, LONG_AGO + timedelta(days=57))


def test_a_new_arrangement_after_a_gap_starts_a_new_clock():
    old = arrangement(1, 1, end_date=date(2026, 3, 31))
    new = arrangement(2, 1, start=date(2026, 11, 1))
    result = one(social_worker(), [old, new], [held(1, date(2026, 3, 1))])
    assert (result.status, result.next_due) == (Status.IN_DATE, date(2026, 12, 27))


def test_a_change_of_interval_mid_month_applies_from_the_change():
    old = arrangement(1, 1, end_date=date(2026, 11, 14), interval_days=56)
    new = arrangement(2, 1, start=date(2026, 11, 15), interval_days=28)
    sessions = [held(1, date(2026, 10, 20))]
    assert one(social_worker(), [old, new], sessions, date(2026, 11, 14)).status == Status.IN_DATE  # due 15 Dec
    after = one(social_worker(), [old, new], sessions, date(2026, 11, 18))
    assert (after.status, after.interval_days, after.next_due) == (Status.OVERDUE, 28, date(2026, 11, 17))


def test_a_pause_takes_the_person_out_of_scope_and_the_clock_restarts_on_return():
    leave = Pause(date(2026, 6, 1), date(2026, 10, 31), "maternity leave")
    person = social_worker(pauses=(leave,))
    plan = [arrangement(1, 1), arrangement(2, 1, PROFESSIONAL)]
    sessions = [held(1, date(2026, 5, 15)), held(1, date(2026, 5, 20), PROFESSIONAL)]
    during = assess([person], plan, sessions, DEFAULT_RULES, date(2026, 8, 31))
    assert {s.status for s in during} == {Status.PAUSED}
    assert tally(during).in_scope == 0 and tally(during).paused == 2
    back = assess([person], plan, sessions, DEFAULT_RULES, D)
    assert status_of(back, 1).next_due == date(2026, 12, 27)  # 1 November + 56 days
    assert status_of(back, 1, PROFESSIONAL).next_due == date(2026, 12, 2)  # 1 November + 31 days
    assert [s.status for s in back] == [Status.IN_DATE, Status.DUE_SOON]
    assert status_of(assess([person], plan, sessions, DEFAULT_RULES, date(2026, 12, 3)), 1, PROFESSIONAL).status \
        == Status.OVERDUE


def test_someone_still_away_is_out_of_scope_and_not_counted_as_missing_an_arrangement():
    person = social_worker(pauses=(Pause(date(2026, 9, 1)),))
    statuses = assess([person], [], [], DEFAULT_RULES, D)
    assert statuses == ()


def test_a_person_is_in_scope_only_while_in_post():
    joiner = social_worker(1, start_date=date(2026, 11, 9))
    leaver = social_worker(2, leave_date=date(2026, 11, 10))
    plans = [arrangement(1, 1, start=date(2026, 11, 9)), arrangement(2, 2)]
    sessions = [held(2, date(2026, 11, 3))]
    early = assess([joiner, leaver], plans, sessions, DEFAULT_RULES, date(2026, 11, 5))
    assert [s.supervisee_id for s in early if s.supervision_type == MANAGERIAL] == [2]
    late = assess([joiner, leaver], plans, sessions, DEFAULT_RULES, date(2026, 11, 30))
    assert [s.supervisee_id for s in late if s.supervision_type == MANAGERIAL] == [1]
    assert status_of(late, 1).status == Status.IN_DATE  # a new starter is not yet due


def test_not_in_place_means_a_needed_type_without_an_arrangement_and_says_since_when():
    nurse = Supervisee(1, profession="mental health nurse", team="T", start_date=date(2024, 3, 4))
    support = Supervisee(2, profession="support worker", team="T", start_date=date(2024, 3, 4))
    outside = Supervisee(3, profession="social worker", team="", registered=True)
    ended = arrangement(9, 1, PROFESSIONAL, end_date=date(2026, 8, 31))
    statuses = assess([nurse, support, outside], [arrangement(1, 1), ended], [], DEFAULT_RULES, D)
    missing = [(s.supervisee_id, s.supervision_type, s.since) for s in statuses if s.status == Status.NOT_IN_PLACE]
    assert missing == [(1, PROFESSIONAL, date(2026, 9, 1)), (2, MANAGERIAL, date(2024, 3, 4))]


@pytest.mark.parametrize(("profession", "needs_professional"), [
    ("Senior Social Worker", True), ("Mental Health Nurse (RMN)", True), ("Clinical Psychologist", True),
    ("Consultant Psychiatrist", True), ("Nurse - Crisis Support Team", True), ("Social Worker (Carers Support)", True),
    ("Social Work Assistant", False), ("Student Nurse", False), ("Trainee Clinical Psychologist", False),
    ("Administrator (OT)", False), ("support worker", False), ("Nursing Home Reviewing Officer", False),
    ("Psychology Services Manager", False), ("Finance Consultant", False), ("Healthcare Assistant (Nursing)", False),
])
def test_professional_supervision_is_needed_by_a_registered_profession_however_the_record_words_it(
        profession, needs_professional):
    person = Supervisee(1, profession=profession, team="T", start_date=date(2024, 3, 4))
    statuses = assess([person], [arrangement(1, 1)], [], DEFAULT_RULES, D)
    missing = [s.supervision_type for s in statuses if s.status == Status.NOT_IN_PLACE]
    assert missing == ([PROFESSIONAL] if needs_professional else [])


# --- tallies and the trend ----------------------------------------------------------------------------------------

def test_meeting_the_target_is_exact_at_the_boundary():
    assert Tally("x", in_date=19, overdue=1).meets(95) is True
    assert Tally("x", in_date=18, due_soon=1, never_held=2).meets(95) is False
    assert Tally("x").meets(95) is None and Tally("x").fraction is None


def test_month_ends_run_oldest_first_and_the_running_month_ends_today():
    assert month_ends(D, 3) == (date(2026, 9, 30), date(2026, 10, 31), D)
    assert month_ends(date(2026, 2, 10), 3) == (date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 10))


def test_the_monthly_trend_is_the_status_at_each_month_end():
    person = social_worker()
    trend = monthly_trend([person], [arrangement(1, 1)], [held(1, date(2026, 8, 15))], DEFAULT_RULES, D, 4)
    # Due 10 October: in date at 31 August, overdue after.
    assert [(f.as_at, f.tally.compliant, f.tally.in_scope) for f in trend] == [
        (date(2026, 8, 31), 1, 1), (date(2026, 9, 30), 1, 1), (date(2026, 10, 31), 0, 1), (D, 0, 1)]
    assert trend[0].label == "Aug 2026"
    assert trend[1].tally.due_soon == 1  # 10 days before it fell due


# --- a hand-built team of 12 --------------------------------------------------------------------------------------

def hand_built_team():
    """Riverside CMHT on 20 November 2026. Each person's expected status is worked out in the comment beside them."""
    nq_start = date(2026, 9, 7)
    people = [
        Supervisee(1, "Amy", "NCC", "social worker", "Riverside", registered=True, start_date=date(2019, 4, 1)),
        Supervisee(2, "Ben", "NFT", "mental health nurse", "Riverside", registered=True,
                   start_date=date(2018, 5, 8)),
        Supervisee(3, "Cara", "NFT", "occupational therapist", "Riverside", registered=True,
                   start_date=date(2021, 2, 1), wte_hundredths=40),
        Supervisee(4, "Dev", "NFT", "support worker", "Riverside", start_date=date(2026, 11, 1)),
        Supervisee(5, "Eve", "NFT", "support worker", "Riverside", start_date=date(2026, 6, 1)),
        Supervisee(6, "Fay", "NFT", "psychologist", "Riverside", registered=True, start_date=date(2024, 3, 4)),
        Supervisee(7, "Gus", "NCC", "social worker", "Riverside", registered=True, start_date=date(2017, 1, 9),
                   pauses=(Pause(date(2026, 9, 1), None, "maternity leave"),)),
        Supervisee(8, "Hana", "NCC", "social worker", "Riverside", career_stage="newly qualified",
                   qualified_date=date(2026, 7, 1), start_date=nq_start, registered=True),
        Supervisee(9, "Ian", "NFT", "support worker", "Riverside", start_date=date(2020, 1, 6),
                   leave_date=date(2026, 10, 31)),
        Supervisee(10, "Jo", "NFT", "mental health nurse", "Riverside", registered=True,
                   start_date=date(2016, 9, 5)),
        Supervisee(11, "Kim", "NFT", "mental health nurse", "Riverside", registered=True,
                   start_date=date(2026, 11, 9)),
        Supervisee(12, "Leo", "NCC", "occupational therapist", "Riverside", registered=True,
                   start_date=date(2015, 6, 1), pauses=(Pause(date(2026, 6, 1), date(2026, 10, 31)),)),
    ]
    a = arrangement
    arrangements = [
        a(1, 1), a(2, 1, PROFESSIONAL),
        a(3, 2), a(4, 2, PROFESSIONAL),
        a(5, 3), a(6, 3, PROFESSIONAL),
        a(7, 4, start=date(2026, 11, 1)),
        a(8, 5, start=date(2026, 6, 1)),
        a(9, 6),  # no professional arrangement
        a(10, 7), a(11, 7, PROFESSIONAL),
        a(12, 8, start=nq_start), a(13, 8, PROFESSIONAL, start=nq_start),
        a(14, 9),  # never ended when Ian left
        a(15, 10, end_date=date(2026, 11, 14)), a(16, 10, start=date(2026, 11, 15), supervisor_id=902),
        a(17, 10, PROFESSIONAL),
        a(18, 11, start=date(2026, 11, 9)), a(19, 11, PROFESSIONAL, start=date(2026, 11, 9)),
        a(20, 12), a(21, 12, PROFESSIONAL),
    ]
    s = held
    sessions = [
        s(1, date(2026, 10, 15)),  # Amy managerial: due 10 Dec, 20 days away -> in date
        s(1, date(2026, 11, 1), PROFESSIONAL),  # Amy professional (31): due 2 Dec, 12 days -> due soon
        s(2, date(2026, 9, 1)),  # Ben managerial: due 27 Oct -> overdue since 28 Oct
        s(2, date(2026, 10, 20), PROFESSIONAL),  # Ben professional (42): due 1 Dec, 11 days -> due soon
        s(3, date(2026, 11, 2), supervisor_id=COVER),  # Cara, 0.4 WTE, by cover: due 28 Dec -> in date
        s(3, date(2026, 8, 1), PROFESSIONAL),  # Cara professional (42): due 12 Sep -> overdue
        # Dev: started 1 Nov, nothing held yet: due 27 Dec -> in date ("not yet due")
        s(5, date(2026, 7, 10), status=SessionStatus.CANCELLED_BY_SUPERVISOR),
        s(5, date(2026, 8, 1), status=SessionStatus.DID_NOT_ATTEND),  # Eve: due 27 Jul -> never held
        s(6, date(2026, 10, 30)),  # Fay managerial: due 25 Dec -> in date; professional not in place
        s(7, date(2026, 8, 20)),  # Gus: on maternity leave -> paused, out of scope
        s(8, date(2026, 10, 5)),  # Hana managerial: due 30 Nov, 10 days -> due soon
        s(8, date(2026, 11, 10), PROFESSIONAL),  # Hana newly qualified, fortnightly now: due 24 Nov -> due soon
        s(10, date(2026, 10, 1)),  # Jo managerial under the old arrangement: due 26 Nov -> due soon
        s(10, date(2026, 11, 11), PROFESSIONAL, group_key="G-1"),  # Jo in a group: due 23 Dec -> in date
        s(11, date(2026, 11, 11), PROFESSIONAL, group_key="G-1"),  # Kim, same group: due 23 Dec -> in date
        # Kim managerial: started 9 Nov, due 4 Jan -> in date
        s(12, date(2026, 5, 15)), s(12, date(2026, 5, 20), PROFESSIONAL),  # Leo: back 1 Nov, both in date
    ]
    return people, arrangements, sessions


def test_a_hand_built_team_of_twelve_matches_the_hand_count():
    people, arrangements, sessions = hand_built_team()
    statuses = assess(people, arrangements, sessions, DEFAULT_RULES, D)
    got = {(s.supervisee_id, s.supervision_type): s.status for s in statuses}
    i, s, o, n, x, p = (Status.IN_DATE, Status.DUE_SOON, Status.OVERDUE, Status.NEVER_HELD, Status.NOT_IN_PLACE,
                        Status.PAUSED)
    assert got == {
        (1, MANAGERIAL): i, (1, PROFESSIONAL): s,
        (2, MANAGERIAL): o, (2, PROFESSIONAL): s,
        (3, MANAGERIAL): i, (3, PROFESSIONAL): o,
        (4, MANAGERIAL): i,
        (5, MANAGERIAL): n,
        (6, MANAGERIAL): i, (6, PROFESSIONAL): x,
        (7, MANAGERIAL): p, (7, PROFESSIONAL): p,
        (8, MANAGERIAL): s, (8, PROFESSIONAL): s,
        # 9, Ian, left on 31 October: not there at all
        (10, MANAGERIAL): s, (10, PROFESSIONAL): i,
        (11, MANAGERIAL): i, (11, PROFESSIONAL): i,
        (12, MANAGERIAL): i, (12, PROFESSIONAL): i,
    }
    # By hand: 20 entries; 2 paused and 1 not in place leave 17 arrangements in scope.
    # In date 9 (Amy, Cara, Dev, Fay, Jo, Kim x2, Leo x2) + due soon 5 (Amy, Ben, Hana x2, Jo) = 14 compliant;
    # overdue 2 (Ben, Cara); never held 1 (Eve). 14 / 17 = 82.4%, short of 95%.
    whole = tally(statuses)
    assert (whole.in_date, whole.due_soon, whole.overdue, whole.never_held, whole.not_in_place, whole.paused) == (
        9, 5, 2, 1, 1, 2)
    assert (whole.compliant, whole.in_scope) == (14, 17)
    assert round(whole.fraction * 100, 1) == 82.4 and whole.meets(95) is False
    # By type: managerial 8 of 10 (Ben overdue, Eve never held); professional 6 of 7 (Cara), Fay's not in place.
    by_type = {t.group: t for t in tally_by(statuses, lambda e: e.supervision_type)}
    assert (by_type["managerial"].compliant, by_type["managerial"].in_scope) == (8, 10)
    assert (by_type["professional"].compliant, by_type["professional"].in_scope,
            by_type["professional"].not_in_place) == (6, 7, 1)
    # By employer: NCC is Amy, Hana and Leo (6 of 6; Gus paused); NFT the rest (8 of 11).
    employer = {p.id: p.organisation for p in people}
    by_org = {t.group: t for t in tally_by(statuses, lambda e: employer[e.supervisee_id])}
    assert (by_org["NCC"].compliant, by_org["NCC"].in_scope, by_org["NCC"].paused) == (6, 6, 2)
    assert (by_org["NFT"].compliant, by_org["NFT"].in_scope) == (8, 11)
    # By profession: social workers 4 of 4 (Gus paused); nurses 5 of 6 (Ben's managerial); OTs 3 of 4 (Cara's
    # professional); support workers 1 of 2 (Eve).
    profession = {p.id: p.profession for p in people}
    by_profession = {t.group: (t.compliant, t.in_scope)
                     for t in tally_by(statuses, lambda e: profession[e.supervisee_id])}
    assert by_profession == {"mental health nurse": (5, 6), "occupational therapist": (3, 4), "psychologist": (1, 1),
                             "social worker": (4, 4), "support worker": (1, 2)}
    # By supervisor: everyone's is SUPERVISOR except Jo's new managerial one (902); Fay's missing one has none.
    by_supervisor = {t.group: (t.compliant, t.in_scope) for t in tally_by(statuses, lambda e: str(e.supervisor_id))}
    assert by_supervisor == {"900": (13, 16), "902": (1, 1), "None": (0, 0)}


# --- properties ---------------------------------------------------------------------------------------------------

days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@given(start=days, offset=st.integers(0, 400), held_days=st.lists(st.integers(0, 400), max_size=6),
       interval=st.one_of(st.none(), st.integers(1, 120)))
def test_holding_a_session_on_the_day_always_puts_an_arrangement_in_date(start, offset, held_days, interval):
    day = start + timedelta(days=offset)
    person = social_worker(start_date=start)
    plan = [arrangement(1, 1, start=start, interval_days=interval)]
    sessions = [held(1, start + timedelta(days=n)) for n in held_days]
    before = one(person, plan, sessions, day)
    after = one(person, plan, [*sessions, held(1, day)], day)
    assert after.compliant and after.last_held == day
    assert after.next_due >= before.next_due  # a session never brings the next one forward


@given(start=days, offset=st.integers(0, 400), held_days=st.lists(st.integers(-100, 400), max_size=6))
def test_every_status_is_counted_exactly_once(start, offset, held_days):
    day = start + timedelta(days=offset)
    people = [social_worker(1, start_date=start), Supervisee(2, profession="support worker", team="T")]
    plan = [arrangement(1, 1, start=start), arrangement(2, 1, PROFESSIONAL, start=start)]
    sessions = [held(1, start + timedelta(days=n)) for n in held_days]
    statuses = assess(people, plan, sessions, DEFAULT_RULES, day)
    whole = tally(statuses)
    assert whole.in_scope + whole.not_in_place + whole.paused == len(statuses)
    assert 0 <= (whole.fraction or 0) <= 1


def test_a_compliance_figure_short_of_the_target_never_reads_as_the_target():
    def shown(compliant: int, in_scope: int) -> str:
        return Tally("all", in_date=compliant, overdue=in_scope - compliant).percent_text

    assert shown(35, 37) == "94.6%"  # as the workbooks show it: 94.59…%
    assert shown(18_999, 20_000) == "94.9%"  # 94.995% would round to 95.0%, the target it does not meet
    assert (shown(19, 20), shown(2, 3), shown(0, 4)) == ("95%", "66.7%", "0%")
    assert Tally("none").percent_text == "—"
