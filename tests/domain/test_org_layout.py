"""The org chart's layout: cards never overlap, reports sit below managers, cycles are broken, and it is quick."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from jointlead.domain.org_layout import LayoutRules, OrgLayout, layout_org, paginate_org, unshared_parts


def overlapping(layout: OrgLayout) -> list[tuple[int, int]]:
    """Pairs of cards (1 x 1 boxes) that overlap; a sweep over x so 1,000 cards check quickly."""
    cards = sorted(layout.positions.items(), key=lambda item: item[1][0])
    clashes = []
    for n, (a, (ax, ay)) in enumerate(cards):
        for b, (bx, by) in cards[n + 1:]:
            if bx >= ax + 1 - 1e-9:
                break
            if abs(ay - by) < 1 - 1e-9:
                clashes.append((a, b))
    return clashes


def generated(count: int, seed: int = 7) -> tuple[list[int], list[tuple[int, int]]]:
    """A service-like hierarchy: managers with 3-12 reports, at most five levels, a few people with no manager."""
    rng = random.Random(seed)
    lines: list[tuple[int, int]] = []
    waiting: list[tuple[int, int]] = []  # (manager, level) still to be given reports
    person = 0
    while person < count:
        person += 1
        if not waiting:  # a new directorate (or someone with no manager recorded)
            waiting.append((person, 0))
            continue
        manager, level = waiting.pop(0)
        for _ in range(rng.randint(3, 12)):
            if person > count:
                break
            lines.append((person, manager))
            if level < 3 and rng.random() < 0.35:
                waiting.append((person, level + 1))
            person += 1
        person -= 1
    return list(range(1, count + 1)), lines


def test_a_manager_is_above_each_report_and_their_connector_joins_the_two_cards():
    layout = layout_org([1, 2, 3, 4], [(2, 1), (3, 1), (4, 2)])
    for person, manager in [(2, 1), (3, 1), (4, 2)]:
        assert layout.positions[person][1] >= layout.positions[manager][1] + 1
        route = layout.routes[(person, manager)]
        mx, my = layout.positions[manager]
        px, py = layout.positions[person]
        assert mx <= route[0][0] <= mx + 1 and route[0][1] == pytest.approx(my + 1)  # leaves the manager's bottom
        end_x, end_y = route[-1]
        assert px <= end_x <= px + 1 and py <= end_y <= py + 1  # reaches the report's card edge


def test_reports_who_manage_no_one_are_stacked_not_spread_across_the_chart():
    people = list(range(1, 14))
    layout = layout_org(people, [(p, 1) for p in people[1:]])
    assert overlapping(layout) == []
    assert layout.width <= 2 + 2 * 0.3  # twelve reports make two columns of six, not a row of twelve
    columns = {round(layout.positions[p][0], 6) for p in people[1:]}
    assert len(columns) == 2


def test_a_short_list_of_reports_is_indented_under_its_manager():
    layout = layout_org([1, 2, 3], [(2, 1), (3, 1)])
    assert layout.positions[2][0] == layout.positions[3][0] > layout.positions[1][0]
    assert layout.positions[3][1] > layout.positions[2][1] > layout.positions[1][1]


def test_managers_reports_who_manage_others_sit_side_by_side_on_one_level():
    # 1 manages 2 and 3; each of them manages two people.
    layout = layout_org([1, 2, 3, 4, 5, 6, 7], [(2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3)])
    assert layout.positions[2][1] == layout.positions[3][1]
    assert layout.positions[2][0] + 1 <= layout.positions[3][0]
    middle = (layout.positions[2][0] + layout.positions[3][0]) / 2
    assert layout.positions[1][0] == pytest.approx(middle, abs=0.2)  # centred over its reports
    assert overlapping(layout) == []


def test_a_wide_row_of_subtrees_wraps_onto_shelves():
    # A director with twelve team managers, each with eight staff.
    people, lines = [1], []
    for team in range(12):
        manager = 100 + team
        people.append(manager)
        lines.append((manager, 1))
        for member in range(8):
            people.append(1000 + team * 10 + member)
            lines.append((1000 + team * 10 + member, manager))
    layout = layout_org(people, lines)
    assert overlapping(layout) == []
    assert layout.width <= LayoutRules().wrap_width + 1
    levels = {layout.positions[100 + team][1] for team in range(12)}
    assert len(levels) > 1
    for person, manager in lines:
        assert layout.positions[person][1] > layout.positions[manager][1]


def test_people_with_no_manager_and_no_reports_share_one_grid():
    layout = layout_org([1, 2, 3, 4, 5], [(2, 1)])
    assert layout.unmanaged_area is not None
    x, y, w, h = layout.unmanaged_area
    for person in (3, 4, 5):
        px, py = layout.positions[person]
        assert x <= px and px + 1 <= x + w + 1e-9 and y <= py and py + 1 <= y + h + 1e-9
    assert layout.roots == (1,)


def test_a_cycle_is_broken_instead_of_hanging_and_the_cut_line_is_reported():
    layout = layout_org([1, 2, 3, 4], [(1, 2), (2, 3), (3, 1), (4, 3)])
    assert layout.broken == ((1, 2),)  # the earliest person in the cycle loses their line
    assert set(layout.positions) == {1, 2, 3, 4}
    assert overlapping(layout) == []
    assert layout.positions[2][1] > layout.positions[3][1] > layout.positions[1][1]


def test_a_self_line_and_lines_to_people_not_in_the_chart_are_ignored():
    layout = layout_org([1, 2], [(1, 1), (2, 99), (98, 1)])
    assert layout.routes == {}
    assert layout.broken == ()


def test_the_same_input_always_gives_the_same_positions():
    people, lines = generated(300)
    first = layout_org(people, lines)
    again = layout_org(list(people), list(lines))
    assert first.positions == again.positions
    assert first.routes == again.routes


@pytest.mark.parametrize("seed", [3, 7, 11])
def test_150_people_lay_out_without_overlaps_and_in_page_proportions(seed):
    people, lines = generated(150, seed=seed)
    layout = layout_org(people, lines)
    assert set(layout.positions) == set(people)
    assert overlapping(layout) == []
    for person, manager in lines:
        assert layout.positions[person][1] >= layout.positions[manager][1] + 1
    # In drawn proportions (a card is about 2.45 times wider than tall) neither a tall nor a wide ribbon.
    assert 0.75 <= layout.width * LayoutRules().card_aspect / layout.height <= 3


def test_a_chain_of_1000_managers_does_not_hit_the_recursion_limit():
    people = list(range(1000))
    layout = layout_org(people, [(p, p - 1) for p in people[1:]])
    assert layout.positions[999][1] > layout.positions[0][1]


def test_1000_people_lay_out_quickly():
    people, lines = generated(1000)
    started = time.perf_counter()
    layout = layout_org(people, lines)
    assert time.perf_counter() - started < 2  # a generous ceiling: bench/org_chart.py measures it properly
    assert overlapping(layout) == []


def test_a_connector_coloured_as_its_own_leaves_out_the_stem_it_shares_with_siblings():
    mine = ((0.5, 1.0), (0.5, 1.3), (2.5, 1.3), (2.5, 1.75))
    sibling = ((0.5, 1.0), (0.5, 1.3), (1.0, 1.3), (1.0, 1.75))
    parts = unshared_parts(mine, [sibling])
    assert parts == [((1.0, 1.3), (2.5, 1.3)), ((2.5, 1.3), (2.5, 1.75))]
    assert unshared_parts(mine, []) == list(itertools.pairwise(mine))


def test_no_people_no_chart():
    layout = layout_org([], [])
    assert layout.positions == {} and layout.width == 0


# Printing: the chart cut into pages a board can read -------------------------------------------------------------

A4_ROOM = (4.2, 5.5)  # an A4 landscape page under the chart's heading, in card units at full size
READABLE = 0.7  # the smallest scale the cards are printed at


def drawn_in_full(pages) -> dict[int, list[int]]:
    """The pages each person is drawn on as a card of their own (not as a short card for a line to them)."""
    found: dict[int, list[int]] = {}
    for number, page in enumerate(pages.pages, start=1):
        for person in page.people:
            if person not in page.visitors:
                found.setdefault(person, []).append(number)
    return found


def test_a_chart_that_fits_is_one_page_at_full_size():
    pages = paginate_org([1, 2, 3, 4], [(2, 1), (3, 1), (4, 1)], [], A4_ROOM, min_scale=READABLE)
    assert len(pages.pages) == 1 and pages.scale == 1.0
    assert set(pages.pages[0].people) == {1, 2, 3, 4} and pages.pages[0].links == {}


def test_a_big_chart_runs_over_pages_that_each_fit_at_a_readable_scale():
    people, lines = generated(150)
    pages = paginate_org(people, lines, [], A4_ROOM, min_scale=READABLE)
    assert len(pages.pages) > 3 and READABLE <= pages.scale <= 1.0
    for page in pages.pages:
        assert page.layout.width * pages.scale <= A4_ROOM[0] + 1e-9
        assert page.layout.height * pages.scale <= A4_ROOM[1] + 1e-9
        assert overlapping(page.layout) == []
    assert set(drawn_in_full(pages)) == set(people)  # no one is left off
    assert pages.pages[0].people[0] == 1  # the top of the chart comes first
    assert all(number in drawn_in_full(pages)[person] for person, number in pages.home.items())


def test_a_team_moved_to_another_page_is_pointed_to_from_its_managers_card():
    people, lines = generated(150)
    pages = paginate_org(people, lines, [], A4_ROOM, min_scale=READABLE)
    manager = dict(lines)
    links = [(number, page, box, link) for number, page in enumerate(pages.pages, start=1)
             for box, link in page.links.items()]
    assert links
    for number, page, box, link in links:
        assert box < 0 and (box, link.person) in page.layout.routes  # the box hangs under the manager's card
        target = pages.pages[link.page - 1]
        assert link.page > number and link.person in target.tops  # later, and the team starts from them
        if link.person in page.tops:  # the rest of this page's manager's reports, on the page after
            assert target.continued and link.page == number + 1
        else:
            assert link.people == sum(1 for p in people if _manages(manager, link.person, p))


def _manages(manager: dict[int, int], lead: int, person: int) -> bool:
    while person in manager:
        person = manager[person]
        if person == lead:
            return True
    return False


def test_a_manager_with_more_reports_than_a_page_holds_carries_on_over_the_next():
    reports = list(range(2, 62))
    pages = paginate_org([1, *reports], [(p, 1) for p in reports], [], A4_ROOM, min_scale=READABLE)
    assert len(pages.pages) > 1
    assert all(page.tops == (1,) for page in pages.pages)
    assert [page.continued for page in pages.pages] == [False] + [True] * (len(pages.pages) - 1)
    assert sorted(p for page in pages.pages for p in page.people if p != 1) == reports
    first = pages.pages[0]
    assert [link.page for link in first.links.values()] == [2]


def test_a_professional_lead_drawn_on_another_page_is_drawn_short_for_the_line():
    people, lines = generated(150)
    principal = 150  # a professional lead for everyone in the last team, drawn far from them
    lead_lines = [(p, principal) for p in people[100:110]]
    pages = paginate_org(people, lines, lead_lines, A4_ROOM, min_scale=READABLE)
    for page in pages.pages:
        drawn = set(page.people) - page.visitors
        leads = {lead for person, lead in lead_lines if person in drawn and principal not in drawn}
        assert page.visitors == frozenset(leads)
        assert clashing_with_visitors(page) == []  # wherever there is room for them, clear of everyone else
    assert any(page.visitors for page in pages.pages)


def clashing_with_visitors(page) -> list[tuple[int, int]]:
    """Pairs of a short card (a visitor's) and another card or box on `page` that overlap."""
    short = LayoutRules().visitor_height
    boxes = {card: (x, y, 1.0, short if card in page.visitors else 1.0)
             for card, (x, y) in page.layout.positions.items()}
    return [(visitor, card) for visitor in page.visitors for card, (x, y, w, h) in boxes.items()
            if card != visitor and x < boxes[visitor][0] + 1 - 1e-9 and boxes[visitor][0] < x + w - 1e-9
            and y < boxes[visitor][1] + short - 1e-9 and boxes[visitor][1] < y + h - 1e-9]


def test_a_chain_of_1000_managers_pages_without_hitting_the_recursion_limit():
    people = list(range(1000))
    pages = paginate_org(people, [(p, p - 1) for p in people[1:]], [], A4_ROOM, min_scale=READABLE)
    assert set(drawn_in_full(pages)) == set(people)


NEW_IDS = itertools.count(100)  # people made by `team`, so no two teams share an id


def team(manager: int, staff: int, *teams: int) -> tuple[list[int], list[tuple[int, int]]]:
    """`manager`'s people and managerial lines: `staff` reports who manage no one, then one report managing each of
    `teams` (a number of staff each)."""
    people: list[int] = []
    lines: list[tuple[int, int]] = []
    for size in (*[0] * staff, *teams):
        person = next(NEW_IDS)
        people.append(person)
        lines.append((person, manager))
        if size:
            below, below_lines = team(person, size)
            people += below
            lines += below_lines
    return people, lines


def demo_shaped() -> tuple[list[int], list[tuple[int, int]], list[tuple[int, int]]]:
    """A service shaped like the demo's (66 people): a joint general manager over three team managers, each with
    staff and one or two senior practitioners who manage small teams; a consultant with three doctors; and nine
    people with no manager in the chart, four of them the professional leads of most of the staff."""
    leads = [1, 2, 3, 4]  # principal social worker, head of nursing, head of therapies, consultant psychologist
    people, lines = [*leads, 5, 6, 7, 8, 9, 10], []  # the director is 10
    for manager, (staff, teams) in zip((11, 12, 13), ((4, (6, 5)), (4, (9, 5)), (6, (5,))), strict=True):
        below, below_lines = team(manager, staff, *teams)
        people += [manager, *below]
        lines += [(manager, 10), *below_lines]
    below, below_lines = team(14, 3)  # the consultant has no manager in the chart either
    people += [14, *below]
    lines += below_lines
    professional = [(person, leads[n % 4]) for n, (person, _manager) in enumerate(lines) if n % 5 != 4]
    return people, lines, professional


def test_the_demo_shaped_service_prints_on_six_pages_not_nine():
    people, lines, professional = demo_shaped()
    pages = paginate_org(people, lines, professional, A4_ROOM, min_scale=READABLE)
    assert len(people) == 66
    assert len(pages.pages) <= 6  # one team level a page took nine, most of them half empty
    assert set(drawn_in_full(pages)) == set(people)
    assert_managers_are_printed_with_their_reports(pages, lines)


def assert_managers_are_printed_with_their_reports(pages, lines) -> None:
    """Every manager drawn in full on a page has all their reports there too, or a box saying where the rest went;
    or their reports are more than a page holds, and this is the last of the pages they run over."""
    reports: dict[int, set[int]] = {}
    for person, manager in lines:
        reports.setdefault(manager, set()).add(person)
    for page in pages.pages:
        drawn = set(page.people) - page.visitors
        boxed = {link.person for link in page.links.values()}
        for manager in drawn & set(reports):
            if not reports[manager] <= drawn and manager not in boxed:
                assert manager in page.tops and page.continued


@pytest.mark.parametrize("seed", [3, 7, 11])
def test_150_people_print_on_fewer_fuller_pages(seed):
    people, lines = generated(150, seed=seed)
    pages = paginate_org(people, lines, [], A4_ROOM, min_scale=READABLE)
    assert len(pages.pages) <= 13  # one team level a page took 16 to 18
    assert set(drawn_in_full(pages)) == set(people)
    assert_managers_are_printed_with_their_reports(pages, lines)


def test_a_small_team_is_printed_under_its_manager_rather_than_on_a_page_of_its_own():
    # A director over a manager of two and a manager of eight with a team of nine under one of them: the whole
    # chart does not fit a page, but the manager of two fits with their team under the director.
    small, small_lines = team(2, 2)
    large, large_lines = team(3, 8, 9)
    people, lines = [1, 2, 3, *small, *large], [(2, 1), (3, 1), *small_lines, *large_lines]
    pages = paginate_org(people, lines, [], A4_ROOM, min_scale=READABLE)
    first = pages.pages[0]
    assert {1, 2, *small} <= set(first.people)  # not a page for three people
    assert len(pages.pages) == 3
    assert_managers_are_printed_with_their_reports(pages, lines)


def test_teams_from_under_different_managers_share_a_page():
    # Two managers of nine, each with a team of five under one of them: neither fits whole on a page.
    first, first_lines = team(2, 9, 5)
    second, second_lines = team(3, 9, 5)
    people, lines = [1, 2, 3, *first, *second], [(2, 1), (3, 1), *first_lines, *second_lines]
    pages = paginate_org(people, lines, [], A4_ROOM, min_scale=READABLE)
    manager = dict(lines)
    assert len(pages.pages) == 4  # not five: a page for each team
    assert any(len({manager.get(top) for top in page.tops}) > 1 for page in pages.pages)
    assert_managers_are_printed_with_their_reports(pages, lines)
