"""Where each card of the org chart goes: a compact layered tree of the managerial lines, in card units.

Coordinates are in card units: x in card widths, y in card heights, (0, 0) the top left of the chart; every card is
a 1 x 1 box at its position. The rules, chosen so that a service of 150 people reads at a normal zoom:

- Each person's managerial line in force is the tree edge; people without one (or whose manager is not in the
  chart) are roots. A cycle (which validation should have refused) is broken at the member with the earliest place
  in the input, whose line is reported in `OrgLayout.broken` and left out of the tree, so layout always finishes.
- A manager's reports who manage no one are stacked in columns of at most `max_stack` cards, hanging off a spine
  (the usual compact org-chart style), so a manager of 12 is two cards wide, not twelve. If the stack is the only
  thing under a manager it is indented under them like a list.
- Reports who manage people are subtrees placed side by side, the manager centred over them (a layered tidy tree
  of bounding boxes). When a row of subtrees would be wider than `wrap_width`, it wraps onto a second shelf fed by
  a trunk down the left, so a director with 12 team managers does not make the chart 12 teams wide.
- Roots with reports become separate trees, largest first; people with neither manager nor reports share one grid
  at the end, no wider than `wrap_width`. Trees are packed onto shelves whose width aims at a landscape page
  (`target_aspect`).
- Professional lines do not move anything: the chart draws them over the tree.

Everything is ordered by each person's place in the input (the service gives people by name), so the same input
always gives the same positions. The work is linear in the number of people.

On paper (`paginate_org`) a chart too big to read on one page is cut into as few pages as it can be: each manager
with all their reports, as much of the teams below as fits, and small teams sharing a page; each page laid out again
to fit, with boxes pointing from a manager's card to the page their team carries on to.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

Point = tuple[float, float]
# A piece of the chart may share one of the last this many pages made (not one above it): an earlier page seldom has
# room left, and trying each costs a layout, so this keeps a 1,000-person chart quick and a team near its neighbours.
OPEN_PAGES = 8


@dataclass(frozen=True)
class LayoutRules:
    horizontal_gap: float = 0.16  # between cards or subtrees side by side, in card widths
    level_gap: float = 0.75  # between a manager and the row of their reports, in card heights
    stack_gap: float = 0.22  # between cards stacked in a column, in card heights
    stack_indent: float = 0.14  # stacked cards sit this far right of their spine's column edge, in card widths
    max_stack: int = 6  # cards in one stacked column before another column starts
    wrap_width: float = 16.0  # a row of subtrees wider than this (card widths) wraps onto another shelf
    card_aspect: float = 2.45  # card width / card height as drawn, to aim the whole chart at a page shape
    target_aspect: float = 1.5  # width / height of the chart the root shelves aim for (a landscape page)
    tree_gap: float = 0.6  # extra space between separate trees, in card widths
    lone_columns: int = 0  # columns of the grid of people with neither manager nor reports; 0: about 2.5 a row
    visitor_height: float = 0.55  # a professional lead drawn from another printed page: a short card


@dataclass(frozen=True)
class OrgLayout:
    positions: dict[int, Point]  # each person's card, top left
    routes: dict[tuple[int, int], tuple[Point, ...]]  # (person, manager) -> the connector's polyline, manager first
    broken: tuple[tuple[int, int], ...] = ()  # managerial lines left out of the tree to break a cycle
    unmanaged_area: tuple[float, float, float, float] | None = None  # x, y, w, h of the grid of lone people
    width: float = 0.0
    height: float = 0.0
    roots: tuple[int, ...] = field(default=())


@dataclass
class _Block:
    """A laid-out subtree, relative to its own top left."""

    width: float = 1.0
    height: float = 1.0
    card: Point = (0.0, 0.0)  # the root's card
    offsets: dict[int, Point] = field(default_factory=dict)  # each child's block, relative to this block
    routes: dict[int, list[Point]] = field(default_factory=dict)  # each child's connector, relative to this block


def _tree(people: Sequence[int], managerial: Iterable[tuple[int, int]]) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Each person's manager (one each, first line wins), with cycles broken; and the lines cut to break them."""
    place = {person: n for n, person in enumerate(people)}
    manager: dict[int, int] = {}
    for person, lead in managerial:
        if person in place and lead in place and person != lead and person not in manager:
            manager[person] = lead
    broken: list[tuple[int, int]] = []
    state: dict[int, int] = {}  # 1 = on the current walk, 2 = known to reach a root
    for start in people:
        walk: list[int] = []
        node: int | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = manager.get(node)
        if node is not None and state[node] == 1:  # walked into this walk: a cycle, from `node` to the end
            cycle = walk[walk.index(node):]
            cut = min(cycle, key=place.__getitem__)
            broken.append((cut, manager.pop(cut)))
        for member in walk:
            state[member] = 2
    return manager, broken


def _leaf_columns(leaves: list[int], rules: LayoutRules) -> list[list[int]]:
    columns = max(1, math.ceil(len(leaves) / rules.max_stack))
    rows = math.ceil(len(leaves) / columns)
    return [leaves[n:n + rows] for n in range(0, len(leaves), rows)]


def _column_height(count: int, rules: LayoutRules) -> float:
    return count + (count - 1) * rules.stack_gap


def _arrange(reports: list[int], children: dict[int, list[int]], blocks: dict[int, _Block],
             rules: LayoutRules) -> _Block:
    """A manager's block from their reports' blocks (already laid out)."""
    block = _Block()
    if not reports:
        return block
    managers = [c for c in reports if children.get(c)]
    leaves = [c for c in reports if not children.get(c)]
    columns = _leaf_columns(leaves, rules) if leaves else []
    spine = rules.stack_indent / 2
    pitch = 1 + rules.stack_gap

    def stack(column: list[int], left: float, top: float, lead_in: list[Point]) -> None:
        for n, leaf in enumerate(column):
            middle = top + n * pitch + 0.5
            block.offsets[leaf] = (left + rules.stack_indent, top + n * pitch)
            block.routes[leaf] = [*lead_in, (left + spine, middle), (left + rules.stack_indent, middle)]

    if not managers and len(columns) == 1:
        # Only a short list of reports: indent it under the manager.
        top = 1 + rules.level_gap * 0.5
        stack(columns[0], 0.0, top, [(spine, 1.0)])
        block.width = 1 + rules.stack_indent
        block.height = top + _column_height(len(columns[0]), rules)
        return block

    # (width, height, anchor x, a column of leaves or a subtree's root): the manager's own staff first, so that
    # when the row wraps they still hang right under the manager.
    parts: list[tuple[float, float, float, int | list[int]]] = [
        (1 + rules.stack_indent, _column_height(len(column), rules), spine, column) for column in columns]
    parts += [(blocks[c].width, blocks[c].height, blocks[c].card[0] + 0.5, c) for c in managers]
    row = sum(part[0] for part in parts) + rules.horizontal_gap * (len(parts) - 1)
    limit = row if row <= rules.wrap_width else _shelf_width(parts, rules.horizontal_gap, rules.level_gap, rules)
    shelves: list[list[tuple[float, float, float, int | list[int]]]] = [[]]
    used = 0.0
    for part in parts:
        if shelves[-1] and used + rules.horizontal_gap + part[0] > limit + 1e-9:
            shelves.append([])
            used = 0.0
        used += (rules.horizontal_gap if shelves[-1] else 0.0) + part[0]
        shelves[-1].append(part)
    margin = rules.stack_indent if len(shelves) > 1 else 0.0  # room for the trunk down the left
    trunk = margin / 2
    first = shelves[0]
    first_anchor = margin + first[0][2]
    x = margin
    for part in first[:-1]:
        x += part[0] + rules.horizontal_gap
    last_anchor = x + first[-1][2]
    centre = (first_anchor + last_anchor) / 2
    shift = max(0.0, 0.5 - centre)  # keep the manager's card inside the block
    centre += shift
    block.card = (centre - 0.5, 0.0)
    top = 1 + rules.level_gap
    right = 1.0
    for number, shelf in enumerate(shelves):
        bus = top - rules.level_gap * 0.45
        lead_in: list[Point] = [(centre, 1.0), (centre, 1 + rules.level_gap * 0.55)]
        if number:
            lead_in += [(trunk + shift, lead_in[-1][1]), (trunk + shift, bus)]
        else:
            lead_in[-1] = (centre, bus)
        x = margin + shift
        for width, _height, anchor, member in shelf:
            path = [*lead_in, (x + anchor, bus), (x + anchor, top)]
            if isinstance(member, int):
                block.offsets[member] = (x, top)
                block.routes[member] = path
            else:
                stack(member, x, top, path)
            x += width + rules.horizontal_gap
        right = max(right, x - rules.horizontal_gap)
        top += max(part[1] for part in shelf) + rules.level_gap
    block.width = max(right, block.card[0] + 1)
    block.height = top - rules.level_gap
    return block


def _tidy(points: list[Point]) -> tuple[Point, ...]:
    """Drop repeated and collinear middle points, so each connector is the fewest straight segments."""
    kept: list[Point] = []
    for point in points:
        if kept and math.isclose(kept[-1][0], point[0]) and math.isclose(kept[-1][1], point[1]):
            continue
        if len(kept) >= 2:
            (ax, ay), (bx, by) = kept[-2], kept[-1]
            if (math.isclose(ax, bx) and math.isclose(bx, point[0])) or (
                    math.isclose(ay, by) and math.isclose(by, point[1])):
                kept[-1] = point
                continue
        kept.append(point)
    return tuple(kept)


def _shelves(parts: Sequence[tuple[float, ...]], gap: float, shelf_gap: float, limit: float) -> tuple[float, float]:
    """Width and height of `parts` (width, height, ...) packed left to right onto shelves no wider than `limit`."""
    x = y = shelf_height = width = 0.0
    for w, h, *_ in parts:
        if x and x + w > limit + 1e-9:
            x, y, shelf_height = 0.0, y + shelf_height + shelf_gap, 0.0
        width = max(width, x + w)
        shelf_height = max(shelf_height, h)
        x += w + gap
    return width, y + shelf_height


def _shelf_width(parts: Sequence[tuple[float, ...]], gap: float, shelf_gap: float, rules: LayoutRules) -> float:
    """The shelf width, among those where the first shelf breaks after each part, closest to a landscape page."""
    best, best_miss = 0.0, math.inf
    candidate = -gap
    for w, *_ in parts[:64]:  # beyond 64 parts on the first shelf the page is hopelessly wide anyway
        candidate += gap + w
        width, height = _shelves(parts, gap, shelf_gap, candidate)
        miss = abs(math.log(width * rules.card_aspect / max(height, 1e-9) / rules.target_aspect))
        if miss < best_miss - 1e-9:
            best, best_miss = candidate, miss
    return best


@dataclass(frozen=True)
class _Forest:
    """The managerial tree of a set of people: one manager each, cycles broken."""

    manager: dict[int, int]
    broken: list[tuple[int, int]]
    children: dict[int, list[int]]  # each manager's reports, in input order
    order: list[int]  # everyone, each manager before their reports (a depth-first walk)
    sizes: dict[int, int]  # the people in each person's tree, themselves included
    trees: list[int]  # the roots with reports, largest tree first
    lone: list[int]  # the roots with no reports


def _forest(people: Sequence[int], managerial: Iterable[tuple[int, int]]) -> _Forest:
    manager, broken = _tree(people, managerial)
    children: dict[int, list[int]] = {}
    for person in people:  # input order, so each manager's reports come in the caller's order
        if person in manager:
            children.setdefault(manager[person], []).append(person)
    roots = [p for p in people if p not in manager]
    # Walked without recursion: a chain of 1,000 managers must not hit Python's recursion limit.
    order: list[int] = []
    pending = list(reversed(roots))
    while pending:
        node = pending.pop()
        order.append(node)
        pending.extend(reversed(children.get(node, [])))
    sizes = {p: 1 for p in people}
    for node in reversed(order):
        if node in manager:
            sizes[manager[node]] += sizes[node]
    place = {person: n for n, person in enumerate(people)}
    trees = sorted((r for r in roots if children.get(r)), key=lambda r: (-sizes[r], place[r]))
    return _Forest(manager, broken, children, order, sizes, trees, [r for r in roots if not children.get(r)])


def layout_org(people: Sequence[int], managerial: Iterable[tuple[int, int]],
               rules: LayoutRules = LayoutRules()) -> OrgLayout:
    """Positions for `people` (ids, in the order ties should follow) from their `(person, manager)` lines."""
    people = list(dict.fromkeys(people))
    if not people:
        return OrgLayout({}, {})
    forest = _forest(people, managerial)
    children, trees, lone = forest.children, forest.trees, forest.lone
    blocks: dict[int, _Block] = {}
    for node in reversed(forest.order):  # bottom up: every report's block is ready before their manager's
        blocks[node] = _arrange(children.get(node, []), children, blocks, rules)

    # Trees largest first, lone people in one grid at the end, packed onto shelves aimed at a landscape page.
    parts: list[tuple[float, float, int | None]] = [(blocks[r].width, blocks[r].height, r) for r in trees]
    fitting = int((rules.wrap_width + rules.horizontal_gap) // (1 + rules.horizontal_gap))  # no wider than a row
    grid_columns = max(1, min(len(lone), rules.lone_columns or math.ceil(math.sqrt(len(lone) * 2.5)), fitting))
    grid_rows = math.ceil(len(lone) / grid_columns)
    if lone:
        parts.append((grid_columns + (grid_columns - 1) * rules.horizontal_gap,
                      _column_height(grid_rows, rules), None))
    gap = rules.horizontal_gap + rules.tree_gap
    limit = _shelf_width(parts, gap, rules.level_gap * 2, rules)
    origins: dict[int, Point] = {}
    unmanaged_area = None
    x = y = shelf_height = width = 0.0
    for w, h, root in parts:
        if x and x + w > limit + 1e-9:
            x, y, shelf_height = 0.0, y + shelf_height + rules.level_gap * 2, 0.0
        if root is None:
            unmanaged_area = (x, y, w, h)
            for n, person in enumerate(lone):
                column, row = divmod(n, grid_rows)
                origins[person] = (x + column * (1 + rules.horizontal_gap), y + row * (1 + rules.stack_gap))
        else:
            origins[root] = (x, y)
        width = max(width, x + w)
        shelf_height = max(shelf_height, h)
        x += w + gap

    positions: dict[int, Point] = {}
    routes: dict[tuple[int, int], tuple[Point, ...]] = {}
    for node in forest.order:  # top down: every manager's origin is known before their reports'
        ox, oy = origins[node]
        block = blocks[node]
        positions[node] = (ox + block.card[0], oy + block.card[1])
        for child, (cx, cy) in block.offsets.items():
            origins[child] = (ox + cx, oy + cy)
            routes[(child, node)] = _tidy([(ox + px, oy + py) for px, py in block.routes[child]])
    return OrgLayout(positions, routes, tuple(forest.broken), unmanaged_area, width, y + shelf_height, tuple(trees))


@dataclass(frozen=True)
class PageLink:
    """A box on a printed page standing for people drawn on another page, hanging under `person`'s card."""

    person: int  # a manager whose team carries on over the page, or the page's top (the rest of their reports)
    page: int  # where those people are drawn, counting from 1
    people: int  # how many people that is, `person` not counted


@dataclass(frozen=True)
class OrgPage:
    """One printed page: one or more managers' teams, or the top of the chart, laid out to fit the page."""

    tops: tuple[int, ...]  # who the page starts from: the chart's roots, or managers whose teams carry on here
    people: tuple[int, ...]  # everyone drawn on the page, visitors included, in input order
    visitors: frozenset[int]  # professional leads from other pages, in a row of short cards under the chart
    links: dict[int, PageLink]  # the boxes in `layout`, by their ids there (negative, so never a person's)
    layout: OrgLayout
    continued: bool = False  # the rest of its top's reports, after a page that had no room for them


@dataclass(frozen=True)
class OrgPages:
    """The chart cut into pages, and the size its cards are printed at (1.0 = as on screen at 100%)."""

    scale: float
    pages: tuple[OrgPage, ...]
    home: dict[int, int]  # each person's page: the first on which they are drawn in full


@dataclass
class _Sheet:
    """A page being planned: who it starts from, and which teams have been moved to other pages."""

    tops: list[int]
    reports: list[int] | None = None  # with one top: which of their reports are drawn here, if not all
    continued: bool = False
    detached: set[int] = field(default_factory=set)  # managers whose teams go on other pages
    more: _Sheet | None = None  # the page for the top's reports that do not fit here
    onward: dict[int, tuple[_Sheet, int]] = field(default_factory=dict)  # card -> (page carried on to, people)
    members: list[int] = field(default_factory=list)
    visitors: list[int] = field(default_factory=list)
    boxes: dict[int, int] = field(default_factory=dict)  # box id -> the card it hangs under
    layout: OrgLayout = field(default_factory=lambda: OrgLayout({}, {}))


class _Planner:
    """Cuts a forest into sheets that each fit a page of `width` x `height` card units."""

    def __init__(self, forest: _Forest, leads: dict[int, list[int]], place: dict[int, int],
                 rules: LayoutRules) -> None:
        self.forest = forest
        self.leads = leads
        self.place = place
        self.walk = {person: n for n, person in enumerate(forest.order)}  # reading order: managers before teams
        self.rules = rules
        self.width = self.height = 0.0
        self.capacity = 0  # more cards than this cannot fit a page, however they are laid out

    def plan(self, width: float, height: float) -> list[_Sheet]:
        """Every page, in the order printed.

        The chart is cut into pieces, depth first: each tree, the people with no manager, and each team carried on
        from a box. A piece too big for a page alone is cut (`_fill`): as much of its team as fits, the rest boxed,
        to be pieces in turn. Each piece goes on the first of the last OPEN_PAGES pages made that has room for it
        beside what is there (`_shared`), leaving out the page with its box and the pages above that one; else on
        a new page. The pages are then put in an order in which every box points on, never back (`_in_order`)."""
        rules = self.rules
        self.width, self.height = width, height
        self.capacity = (int((width + rules.horizontal_gap) // (1 + rules.horizontal_gap))
                         * int((height + rules.stack_gap) // (1 + rules.stack_gap)))
        pages: list[_Sheet] = []  # in the order made
        number: dict[int, int] = {}  # id of a page's sheet -> its place in `pages`
        above: list[set[int]] = []  # for each page, the pages with a box pointing to it
        # (piece, the page with the box pointing to it): the trees, largest first, then the people with no one.
        pending: list[tuple[_Sheet, _Sheet | None]] = [
            (piece, None) for piece in reversed([*(_Sheet([top]) for top in self.forest.trees),
                                                 *self._grouped(self.forest.lone)])]
        while pending:  # depth first without recursion: a chain of 1,000 managers runs to hundreds of pages
            piece, pointing = pending.pop()
            chain = [piece]
            self._fill(piece)
            while chain[-1].more is not None:  # the rest of the same reports read on straight after
                chain.append(chain[-1].more)
                self._fill(chain[-1])
            barred = set() if pointing is None else self._above(number[id(pointing)], above) | {number[id(pointing)]}
            host = (self._shared(piece, [page for n, page in enumerate(pages) if n not in barred][-OPEN_PAGES:])
                    if len(chain) == 1 else None)
            if host is None:
                for sheet in chain:
                    above.append({number[id(pages[-1])]} if sheet.continued else set())
                    number[id(sheet)] = len(pages)
                    pages.append(sheet)
            if pointing is not None:
                above[number[id(host or piece)]].add(number[id(pointing)])
                pointing.onward[piece.tops[0]] = (host or piece, self.forest.sizes[piece.tops[0]] - 1)
            after = [(_Sheet([top]), host or sheet) for sheet in chain
                     for top in sorted(sheet.detached & set(sheet.members), key=self.walk.__getitem__)]
            pending.extend(reversed(after))
        return self._in_order(pages, above)

    @staticmethod
    def _above(page: int, above: list[set[int]]) -> set[int]:
        """The pages above `page`: with a box pointing to it, or to a page above it."""
        found: set[int] = set()
        pending = [page]
        while pending:
            for upper in above[pending.pop()] - found:
                found.add(upper)
                pending.append(upper)
        return found

    @staticmethod
    def _in_order(pages: list[_Sheet], above: list[set[int]]) -> list[_Sheet]:
        """`pages` each after every page with a box pointing to it, otherwise in the order they were made (a
        manager's reports running over pages straight after each other). `above` has no loops: a piece never goes
        on a page above it."""
        below: list[list[int]] = [[] for _ in pages]
        waiting = [len(upper) for upper in above]
        for page, upper in enumerate(above):
            for n in upper:
                below[n].append(page)
        ready = [n for n, count in enumerate(waiting) if not count]
        heapq.heapify(ready)
        number = {id(sheet): n for n, sheet in enumerate(pages)}
        ordered: list[_Sheet] = []
        while ready:
            page: int | None = heapq.heappop(ready)
            while page is not None:  # a page, then the pages its top's reports run over onto, straight after it
                ordered.append(pages[page])
                for lower in below[page]:
                    waiting[lower] -= 1
                    if not waiting[lower] and not pages[lower].continued:
                        heapq.heappush(ready, lower)
                more = pages[page].more
                page = None if more is None else number[id(more)]
        return ordered

    def _shared(self, piece: _Sheet, pages: list[_Sheet]) -> _Sheet | None:
        """The first of `pages` that `piece` fits on beside what is there, now holding it too; None if none has
        room. A page of a manager's reports running over pages holds only them, so its heading can say whose."""
        size = len(piece.members) + len(piece.boxes)
        for page in pages:
            if page.reports is not None or len(page.members) + len(page.boxes) + size > self.capacity:
                continue
            both = _Sheet([*page.tops, *piece.tops], detached=page.detached | piece.detached)
            if self._fits(both):
                page.tops, page.detached, page.members = both.tops, both.detached, both.members
                page.visitors, page.boxes, page.layout = both.visitors, both.boxes, both.layout
                return page
        return None

    def _grouped(self, tops: list[int]) -> list[_Sheet]:
        """Sheets for `tops` in order, as many to a sheet as fit together whole; one too big alone has its own."""
        sheets: list[_Sheet] = []
        for top in tops:
            if sheets and self._fits(_Sheet([*sheets[-1].tops, top])):
                sheets[-1].tops.append(top)
            else:
                sheets.append(_Sheet([top]))
        return sheets

    def _fill(self, sheet: _Sheet) -> None:
        """Cut a one-top `sheet` that does not fit whole: its top and their reports, then as much of the teams
        below as fit (`_grow`); the teams still below are left to other pages. A top with more reports than fit
        carries on over a page."""
        if self._fits(sheet):
            return
        if len(sheet.tops) > 1:  # tops are grouped only when they fit together; this cannot happen, but be drawn
            self._lay_out(sheet)
            return
        children = self.forest.children
        top = sheet.tops[0]
        reports = sheet.reports if sheet.reports is not None else children.get(top, [])
        sheet.detached = {p for p in reports if children.get(p)}
        if not self._fits(sheet):
            if len(reports) < 2:
                self._lay_out(sheet)  # a manager and one report larger than the page: nothing smaller can be made
                return
            sheet.more = _Sheet([top], continued=True)
            count = 1
            while count < len(reports) - 1:
                sheet.reports = reports[:count + 1]
                if not self._fits(sheet):
                    break
                count += 1
            sheet.reports, sheet.more.reports = reports[:count], reports[count:]
            sheet.onward[top] = (sheet.more, sum(self.forest.sizes[p] for p in reports[count:]))
            self._lay_out(sheet)
            return
        while self._grow(sheet):
            pass
        self._lay_out(sheet)

    def _grow(self, sheet: _Sheet) -> bool:
        """Draw more under one of the managers `sheet` boxes, if it has room: a whole team if one fits (it then
        needs no page of its own), else a manager's reports (each manager stays with their reports), trying the
        boxed managers in reading order. Whether it could."""
        children = self.forest.children
        boxed = sorted(sheet.detached & set(sheet.members), key=self.walk.__getitem__)
        cards = len(sheet.members) + len(sheet.boxes)
        for whole in (True, False):
            for manager in boxed:
                managing = [p for p in children[manager] if children.get(p)]
                if not whole and not managing:
                    continue  # their whole team was tried already
                if whole and cards + self.forest.sizes[manager] - 2 > self.capacity:
                    continue  # their team in place of their box: more cards than any page holds
                if whole:  # everyone under them follows them in the depth-first walk
                    start = self.walk[manager] + 1
                    below = {p for p in self.forest.order[start:start + self.forest.sizes[manager] - 1]
                             if children.get(p)}
                else:
                    below = set(managing)
                grown = _Sheet(sheet.tops, sheet.reports, sheet.continued,
                               sheet.detached - {manager} - below if whole else (sheet.detached - {manager}) | below)
                if self._fits(grown):
                    sheet.detached = grown.detached
                    self._members(sheet)
                    return True
        return False

    def _members(self, sheet: _Sheet) -> None:
        """Who `sheet` draws: its tops and everyone under them down to the detached managers, the professional
        leads of theirs drawn elsewhere, and the boxes saying where the detached teams are."""
        forest = self.forest
        found = list(sheet.tops)
        pending = list(reversed(sheet.reports if sheet.reports is not None
                                else [p for top in sheet.tops for p in forest.children.get(top, [])]))
        while pending:
            node = pending.pop()
            found.append(node)
            if node not in sheet.detached:
                pending.extend(reversed(forest.children.get(node, [])))
        sheet.members = sorted(found, key=self.place.__getitem__)
        drawn = set(found)
        sheet.visitors = sorted({lead for p in found for lead in self.leads.get(p, ()) if lead not in drawn},
                                key=self.place.__getitem__)
        hanging = [p for p in sheet.members if p in sheet.detached]
        if sheet.more is not None:
            hanging.append(sheet.tops[0])  # last, so its box comes after the top's other reports
        sheet.boxes = {-n: person for n, person in enumerate(hanging, start=1)}

    def _fits(self, sheet: _Sheet) -> bool:
        """Whether `sheet` fits its page, laid out if it could."""
        self._members(sheet)
        if len(sheet.members) + len(sheet.boxes) > self.capacity:
            return False
        return self._lay_out(sheet)

    def _lay_out(self, sheet: _Sheet) -> bool:
        """Lay `sheet` out to fit its page if any of the ways tried does (stacking reports less deep, a grid of
        lone people narrower or wider), else the usual way; and say whether it fits."""
        self._members(sheet)
        forest = self.forest
        drawn = set(sheet.members)
        lines = [(p, forest.manager[p]) for p in sheet.members
                 if p not in sheet.tops and forest.manager.get(p) in drawn]
        lines += list(sheet.boxes.items())
        ids = [*sheet.members, *sheet.boxes]
        shape = self.width * self.rules.card_aspect / self.height
        lone = sum(1 for top in sheet.tops if top not in sheet.detached and not forest.children.get(top))
        first: OrgLayout | None = None
        for stack, columns in itertools.product(range(self.rules.max_stack, 1, -1), range(min(lone, 8) + 1)):
            layout = layout_org(ids, lines, replace(self.rules, max_stack=stack, lone_columns=columns,
                                                    wrap_width=self.width, target_aspect=shape))
            if first is None:
                first = self._with_visitors(layout, sheet)
            if layout.width > self.width + 1e-9 or layout.height > self.height + 1e-9:
                continue  # too big before the visitors are added
            layout = self._with_visitors(layout, sheet)
            if layout.width <= self.width + 1e-9 and layout.height <= self.height + 1e-9:
                sheet.layout = layout
                return True
        sheet.layout = first or sheet.layout
        return False

    def _with_visitors(self, layout: OrgLayout, sheet: _Sheet) -> OrgLayout:
        """`layout` with short cards for `sheet`'s visitors in a block of rows, put where the chart then needs the
        least of its page: under the chart, in a space under a shorter part of it (beside a long team, say), or
        beside it; of places that need as much, the lowest, then the leftmost."""
        visitors = sheet.visitors
        if not visitors:
            return layout
        rules = self.rules
        pitch, rise = 1 + rules.horizontal_gap, rules.visitor_height + rules.stack_gap
        # What the block must stay below, as (left, right, bottom): each card, each connector, and over each top
        # whose manager is on another page the caption saying so, which can run past the card into the gap
        # beside its tree. Nothing goes beside the top row of cards, for the same captions.
        taken = [(x, x + 1 + (rules.horizontal_gap + rules.tree_gap if person in self.forest.manager
                              and person in sheet.tops else 0.0), y + 1)
                 for person, (x, y) in layout.positions.items()]
        taken += [(min(ax, bx), max(ax, bx), max(ay, by)) for route in layout.routes.values()
                  for (ax, ay), (bx, by) in itertools.pairwise(route)]
        lefts = sorted({0.0, layout.width + rules.horizontal_gap, *(x for x, _y in layout.positions.values())})
        across = max(1, int((self.width + rules.horizontal_gap) // pitch))

        def placed(columns: int, left: float) -> tuple[tuple[float, float, float], Point, int, Point]:
            """The block `columns` wide at `left`, as high as it can be there: how much of the page the chart then
            needs (lowest, then leftmost, first among equals); the block's top left, columns, and size."""
            size = (columns * pitch - rules.horizontal_gap, math.ceil(len(visitors) / columns) * rise - rules.stack_gap)
            top = rules.level_gap + max((bottom for low, high, bottom in taken
                                         if low < left + size[0] + rules.horizontal_gap
                                         and high > left - rules.horizontal_gap), default=1.0)
            need = max(max(layout.width, left + size[0]) / self.width,
                       max(layout.height, top + size[1]) / self.height)
            return (round(need, 9), -top, left), (left, top), columns, size

        _key, (left, top), columns, (width, height) = min(
            (placed(columns, left) for columns in range(1, min(len(visitors), across) + 1) for left in lefts),
            key=lambda place: place[0])
        positions = dict(layout.positions)
        for n, lead in enumerate(visitors):
            row, column = divmod(n, columns)
            positions[lead] = (left + column * pitch, top + row * rise)
        return replace(layout, positions=positions, width=max(layout.width, left + width),
                       height=max(layout.height, top + height))


def paginate_org(people: Sequence[int], managerial: Iterable[tuple[int, int]],
                 professional: Iterable[tuple[int, int]], room: tuple[float, float], *, min_scale: float,
                 max_scale: float = 1.0, rules: LayoutRules = LayoutRules()) -> OrgPages:
    """The chart of `people` cut into pages of `room` (width, height: card units at scale 1.0), drawn at a scale
    of at least `min_scale`, below which a card's name cannot be read.

    All on one page if it fits. Otherwise the chart is cut into pieces: a tree that fits a page whole, or the top
    of one team: its manager, all their reports, and then, while the page has room, a whole team under one of
    them, else the reports of one of them (so a manager is never printed apart from their reports, unless those
    are more than a page holds: then the manager carries on over the next page). A manager whose team is left
    out has a box under their card saying which page it carries on to. A piece shares a page with others when
    they fit together: a page can hold teams from under different managers, and people with no manager. A
    professional lead whose own place is on another page is drawn as a short card in a block of its own, for
    the dashed line, wherever the page has room for it. Pages run in reading order, mostly depth first: each
    page before the pages its boxes point to, and the pages a manager's reports run over onto straight after
    each other.
    Of the scales up to `max_scale` that need no more pages than `min_scale` does, the largest is taken, so the
    cards print as large as that many pages allow.
    """
    people = list(dict.fromkeys(people))
    if not people:
        return OrgPages(max_scale, (), {})
    forest = _forest(people, managerial)
    place = {person: n for n, person in enumerate(people)}
    leads: dict[int, list[int]] = {}
    for person, lead in professional:
        # A professional lead who is also the line manager has no dashed line of their own to draw.
        if person in place and lead in place and lead not in (person, forest.manager.get(person)):
            leads.setdefault(person, []).append(lead)
    planner = _Planner(forest, leads, place, rules)
    width, height = room
    scale, sheets = min_scale, planner.plan(width / min_scale, height / min_scale)
    larger = min_scale
    while larger < max_scale:
        larger = min(larger * 1.1, max_scale)
        plan = planner.plan(width / larger, height / larger)
        if len(plan) > len(sheets):
            break  # larger cards will not need fewer pages again
        scale, sheets = larger, plan
    # Each page was cut to fit at `scale`; the cards can be as large as the fullest page still allows.
    fits = min(min(width / max(s.layout.width, 1e-9), height / max(s.layout.height, 1e-9)) for s in sheets)
    number = {id(sheet): n for n, sheet in enumerate(sheets, start=1)}
    home: dict[int, int] = {}
    pages = []
    for n, sheet in enumerate(sheets, start=1):
        for person in sheet.members:
            home.setdefault(person, n)
        links = {box: PageLink(person, number[id(sheet.onward[person][0])], sheet.onward[person][1])
                 for box, person in sheet.boxes.items()}
        pages.append(OrgPage(tuple(sheet.tops), tuple(sorted((*sheet.members, *sheet.visitors), key=place.__getitem__)),
                             frozenset(sheet.visitors), links, sheet.layout, sheet.continued))
    return OrgPages(min(max_scale, max(scale, fits)), tuple(pages), home)


def _pieces(start: Point, end: Point) -> tuple[str, float, float, float] | None:
    """An axis-aligned segment as (axis, where, low, high); None for a slanted one."""
    (ax, ay), (bx, by) = start, end
    if math.isclose(ax, bx):
        return "x", ax, min(ay, by), max(ay, by)
    if math.isclose(ay, by):
        return "y", ay, min(ax, bx), max(ax, bx)
    return None


def unshared_parts(route: Sequence[Point], others: Iterable[Sequence[Point]]) -> list[tuple[Point, Point]]:
    """The parts of `route` that no other route runs along: what can be coloured as this line's own.

    Connectors of one manager's reports share the stem and bus; colouring a shared stretch would say every report
    on it is, say, managed across organisations."""
    covering: list[tuple[str, float, float, float]] = []
    for other in others:
        for start, end in itertools.pairwise(other):
            piece = _pieces(start, end)
            if piece:
                covering.append(piece)
    result: list[tuple[Point, Point]] = []
    for start, end in itertools.pairwise(route):
        piece = _pieces(start, end)
        if piece is None:
            result.append((start, end))
            continue
        axis, where, low, high = piece
        free = [(low, high)]
        for other_axis, other_where, other_low, other_high in covering:
            if other_axis != axis or not math.isclose(other_where, where):
                continue
            free = [part for a, b in free for part in ((a, min(b, other_low)), (max(a, other_high), b))
                    if part[1] - part[0] > 1e-9]
        for a, b in free:
            result.append(((where, a), (where, b)) if axis == "x" else ((a, where), (b, where)))
    return result
