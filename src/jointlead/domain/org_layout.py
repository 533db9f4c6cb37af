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
  at the end. Trees are packed onto shelves whose width aims at a landscape page (`target_aspect`).
- Professional lines do not move anything: the chart draws them over the tree.

Everything is ordered by each person's place in the input (the service gives people by name), so the same input
always gives the same positions. The work is linear in the number of people.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Point = tuple[float, float]


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


def layout_org(people: Sequence[int], managerial: Iterable[tuple[int, int]],
               rules: LayoutRules = LayoutRules()) -> OrgLayout:
    """Positions for `people` (ids, in the order ties should follow) from their `(person, manager)` lines."""
    people = list(dict.fromkeys(people))
    if not people:
        return OrgLayout({}, {})
    manager, broken = _tree(people, managerial)
    children: dict[int, list[int]] = {}
    for person in people:  # input order, so each manager's reports come in the caller's order
        if person in manager:
            children.setdefault(manager[person], []).append(person)
    roots = [p for p in people if p not in manager]

    # Lay out bottom up without recursion: a chain of 1,000 managers must not hit Python's recursion limit.
    order: list[int] = []
    pending = list(reversed(roots))
    while pending:
        node = pending.pop()
        order.append(node)
        pending.extend(reversed(children.get(node, [])))
    blocks: dict[int, _Block] = {}
    sizes = {p: 1 for p in people}
    for node in reversed(order):
        blocks[node] = _arrange(children.get(node, []), children, blocks, rules)
        if node in manager:
            sizes[manager[node]] += sizes[node]

    # Trees largest first, lone people in one grid at the end, packed onto shelves aimed at a landscape page.
    place = {person: n for n, person in enumerate(people)}
    trees = sorted((r for r in roots if children.get(r)), key=lambda r: (-sizes[r], place[r]))
    lone = [r for r in roots if not children.get(r)]
    parts: list[tuple[float, float, int | None]] = [(blocks[r].width, blocks[r].height, r) for r in trees]
    grid_columns = max(1, min(len(lone), math.ceil(math.sqrt(len(lone) * 2.5))))
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
    for node in order:  # top down: every manager's origin is known before their reports'
        ox, oy = origins[node]
        block = blocks[node]
        positions[node] = (ox + block.card[0], oy + block.card[1])
        for child, (cx, cy) in block.offsets.items():
            origins[child] = (ox + cx, oy + cy)
            routes[(child, node)] = _tidy([(ox + px, oy + py) for px, py in block.routes[child]])
    return OrgLayout(positions, routes, tuple(broken), unmanaged_area, width, y + shelf_height, tuple(trees))


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
