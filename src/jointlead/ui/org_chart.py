"""The org chart: a dated, filterable picture of who manages whom and who leads whose practice, for board papers.

Each person is a card (name, job title, grade, employer colour band). Managerial lines are solid connectors of the
tree from domain/org_layout.py; professional lines are dashed curves drawn over it, and left out when the
professional lead is also the line manager (the solid line already says so; the card's tooltip says both). A line
between people of different employers is orange and thicker. People outside the team or employer filter who lead
someone in it are drawn as pale "ghost" cards with a dashed border.

On paper (File > Print…, Save as PDF…, and the chart's own Save PDF…, through ui/printing.py's ChartPrintout) the
chart is cut into as few pages as keep every name readable (`paginate`, domain/org_layout.py's `paginate_org`), each
drawn again with its own layout under the title, as-at date, page label and key (`paint_printed`). A team whose
manager is drawn on another page says whom it reports to and where: in the page label, or over the team's top card
when the page holds teams from under different managers. Save PNG… is the whole chart in one picture.

The widget never opens a database: the page answers `filters_changed(day, team, organisation)` by calling
`show_structure(structure_as_at(...))`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QIODevice, QMarginsF, QPointF, QRectF, QSaveFile, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.errors import JointleadError
from jointlead.domain.org_layout import (
    LayoutRules,
    OrgLayout,
    OrgPage,
    OrgPages,
    layout_org,
    paginate_org,
    unshared_parts,
)
from jointlead.domain.words import listed
from jointlead.services.org_structure import OrgEmployer, OrgLine, OrgPerson, Structure
from jointlead.ui.messages import show_problem
from jointlead.ui.theme import (
    NHS_SECONDARY_TEXT,
    NHS_TEXT,
    NHS_WARM_YELLOW,
    NHS_WHITE,
    NHS_WINDOW,
    contrast_ratio,
)
from jointlead.ui.widgets import FlowLayout, ShortenedCombo, labelled

CARD_WIDTH = 236.0
CARD_HEIGHT = 96.0
SHORT_CARD_HEIGHT = CARD_HEIGHT * LayoutRules().visitor_height  # on paper, a lead from another page
BAND = 9.0  # the employer colour band down the card's left edge
PADDING = 10.0
MARGIN = 60.0  # around the chart in the scene
LINE_COLOUR = "#425563"  # NHS dark grey: 7.7:1 on white
PROFESSIONAL_COLOUR = "#768692"  # NHS mid grey (3.7:1): dashed lines recede behind the tree they cross
CROSSING_COLOUR = "#C25700"  # a dark orange: 4.5:1 on white, unlike the employer colours and the RAG red
CARD_BORDER = "#AEB7BD"
GHOST_BORDER = "#768692"
LINE_WIDTH = 2.0
CROSSING_WIDTH = 4.0
MIN_ZOOM, MAX_ZOOM = 0.05, 4.0
ZOOM_STEP = 1.25
# The team and employer filters are at most about this many characters wide ("Early Intervention in Psychosis" fits).
FILTER_CHARACTERS = 36
TEXT_ZOOM = 0.35  # below this scale card text is too small to read on screen, so only the cards' shapes are painted
# The smallest a card's name is printed, so it can be read across a board table rather than held close: the chart
# runs over more pages rather than shrink below it.
PRINT_NAME_POINTS = 8.0
PRINT_MARGIN = 16.0  # round the chart on a printed page, in on-screen pixels: room for the cards' shadow
CAPTION_ROOM = 26.0  # above a printed chart, for the caption over a grid of people with no manager or over a team
# On paper levels sit a little closer than on screen (still over a centimetre apart), so more of a team fits a page.
PRINT_RULES = LayoutRules(card_aspect=CARD_WIDTH / CARD_HEIGHT, level_gap=0.6)
# How wide a caption over a team's top card may run: past the card into the gap that the layout keeps beside a tree.
TOP_CAPTION_WIDTH = CARD_WIDTH * (1 + PRINT_RULES.horizontal_gap + PRINT_RULES.tree_gap)
SAVE_ADVICE = ("Choose a folder you can save into, such as Documents, and a shorter name if it is a long one; close "
               "the file if another program has it open; then save again.")
LABEL_SIZES = (14, 13, 12)  # a printed page's label shrinks this far to stay on one line, then wraps
HEADING_FLAGS = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
PEOPLE_ROLE = 0  # QGraphicsItem.data key: the person id of a card
LINE_ROLE = 1  # QGraphicsItem.data key: (kind, person id, lead id, crosses organisations) of a line item


def _font(pixels: float, bold: bool = False, italic: bool = False) -> QFont:
    # Pixel sizes, not points: the scene is also painted onto a 1200 dpi PDF, where point sizes would not scale.
    font = QFont()
    font.setPixelSize(round(pixels))
    font.setBold(bold)
    font.setItalic(italic)
    return font


NAME_FONT = _font(15, bold=True)
DETAIL_FONT = _font(12.5)
SMALL_FONT = _font(11.5, bold=True)
# How a name is fitted onto a card, in (pixels, lines) tried in turn: whole before it is cut short, on paper above
# all, where two cards cut to the same "Bartholomew Fitzgerald-Montgo…" could not be told apart at a board. A name
# runs onto a second line, then shrinks a little, then takes a third (the job title keeps one line); a short card (a
# lead from another page) has room for one line at the full size, or two small ones.
NAME_SIZES = ((15, 2), (14, 2), (14, 3), (13, 3), (12, 3))
SHORT_NAME_SIZES = ((15, 1), (14, 1), (13, 1), (12, 1), (12, 2))
CAPTION_SIZES = ((13, 1), (13, 2), (12, 1), (12, 2), (11, 1), (11, 2))  # a caption that names a manager, likewise


def _breaks(text: str) -> list[str]:
    """The pieces a line may break between: words, and the parts of a hyphenated word after each hyphen (so
    "Bartholomew-Fitzwilliam" can run onto a second line). Each piece after the first carries the space before it,
    if any."""
    pieces: list[str] = []
    for word in text.split():
        parts = re.split(r"(?<=-)(?=[^-])", word)
        pieces.extend([f" {parts[0]}" if pieces else parts[0], *parts[1:]])
    return pieces


def _filled(pieces: Sequence[str], metrics: QFontMetricsF, width: float, most: int) -> list[str]:
    """`pieces` (as `_breaks` gives them) filled into at most `most` lines of `width`; the last line takes whatever
    is left, so it can be wider than `width`, as can a piece too long for any line."""
    result: list[str] = []
    left = list(pieces)
    while left and len(result) < most:
        line = left.pop(0).lstrip()
        while left and metrics.horizontalAdvance(line + left[0]) <= width:
            line += left.pop(0)
        if len(result) == most - 1 and left:
            line += "".join(left)
            left = []
        result.append(line.rstrip())
    return result


def _lines(text: str, metrics: QFontMetricsF, width: float, most: int) -> list[str]:
    """The text filled into at most `most` lines of `width`, broken between words or after a hyphen."""
    return _filled(_breaks(text), metrics, width, most)


def _cut_to_fit(pieces: Sequence[str], metrics: QFontMetricsF, width: float) -> list[str]:
    """`pieces` with any too long for a line of `width` cut into lengths that fit, wherever they must be cut."""
    result: list[str] = []
    for piece in pieces:
        while metrics.horizontalAdvance(piece) > width and len(piece) > 1:
            fits = max((n for n in range(1, len(piece)) if metrics.horizontalAdvance(piece[:n]) <= width), default=1)
            result.append(piece[:fits])
            piece = piece[fits:]
        result.append(piece)
    return result


def _halves(text: str, metrics: QFontMetricsF, _width: float, most: int) -> list[str]:
    """The text on one line, or if `most` allows, broken into two lines as near the same width as they can be."""
    pieces = _breaks(text)
    if most < 2 or len(pieces) < 2:
        return [text]
    cut = min(range(1, len(pieces)), key=lambda n: max(metrics.horizontalAdvance("".join(pieces[:n])),
                                                       metrics.horizontalAdvance("".join(pieces[n:]).lstrip())))
    return ["".join(pieces[:cut]), "".join(pieces[cut:]).lstrip()]


def _wrapped(text: str, metrics: QFontMetricsF, width: float, lines: int) -> list[str]:
    """The text filled into at most `lines` lines of `width`, broken between words or after a hyphen; the last line
    elided if the text runs over."""
    return [metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
            for line in _lines(text, metrics, width, lines)]


@cache
def _sized(pixels: float, bold: bool) -> tuple[QFont, QFontMetricsF]:
    """A font and its metrics, made once: a chart of 1,000 cards fits each name."""
    font = _font(pixels, bold=bold)
    return font, QFontMetricsF(font)


def _fitted(text: str, width: float, sizes: Sequence[tuple[float, int]],
            lay: Callable[[str, QFontMetricsF, float, int], list[str]] = _lines,
            bold: bool = True) -> tuple[QFont, list[str]]:
    """`text` at the first of `sizes` (pixels, lines) at which `lay` gets it whole into lines of `width`:
    the font and the lines. If it fits at none, at the last size a word too long for a line (a long surname with
    no hyphen in it) is broken mid-word rather than the text cut short, which is the last resort."""
    for pixels, most in sizes:
        font, metrics = _sized(pixels, bold)
        lines = lay(text, metrics, width, most)
        if all(metrics.horizontalAdvance(line) <= width for line in lines):
            return font, lines
    lines = _filled(_cut_to_fit(_breaks(text), metrics, width), metrics, width, most)
    return font, [metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _readable_on(colour: str) -> str:
    return NHS_WHITE if contrast_ratio(NHS_WHITE, colour) >= contrast_ratio(NHS_TEXT, colour) else NHS_TEXT


class PersonCard(QGraphicsItem):
    """One person: painted directly (no child items), with its text laid out once, so 1,000 cards paint fast.

    A pale card with a dashed border (a "ghost") is someone drawn for their lines to the people here whose own place
    is elsewhere: `elsewhere` says where ("outside this view", "page 3"). A short card is only their name, role and
    where they are: on paper, a professional lead from another page."""

    def __init__(self, person: OrgPerson, tooltip: str, elsewhere: str = "", short: bool = False) -> None:
        super().__init__()
        self.person = person
        self.ghost = bool(elsewhere)
        self.short = short
        self.height = SHORT_CARD_HEIGHT if short else CARD_HEIGHT
        self.setData(PEOPLE_ROLE, person.id)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip(tooltip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)
        text_width = CARD_WIDTH - BAND - 2 * PADDING
        detail = QFontMetricsF(DETAIL_FONT)
        self._name_font, self._name = _fitted(person.name, text_width, SHORT_NAME_SIZES if short else NAME_SIZES)
        # Where each line's baseline goes: a name of three lines, or two on a short card, sits closer together and
        # nearer the top, so the lines under it keep their room.
        pixels = self._name_font.pixelSize()
        tight = len(self._name) > (1 if short else 2)
        if not tight:
            first, step = (22 if short else 24), round(pixels * 1.2)
        elif short:
            first, step = 15, pixels + 1
        else:  # the job title's line then ends above the employer's pill
            first, step = 20, pixels + 1
        self._name_at = [first + n * step for n in range(len(self._name))]
        self._title_at = self._name_at[-1] + (16 if tight else 20)
        self._foot_at = self.height - (9 if short and tight else 11)  # the grade, or on a short card where they are
        if short:
            self._title = [detail.elidedText(f"On {elsewhere} · {person.job_title}", Qt.TextElideMode.ElideRight,
                                             text_width)]
        else:
            self._title = _wrapped(person.job_title, detail, text_width, max(1, 3 - len(self._name)))
        grade = person.grade or "Grade not recorded"
        self._code = person.employer_code if not short else ""
        self._code_width = QFontMetricsF(SMALL_FONT).horizontalAdvance(self._code) + 10 if self._code else 0.0
        self._grade = detail.elidedText(f"{grade} · {elsewhere}" if elsewhere else grade,
                                        Qt.TextElideMode.ElideRight, text_width - self._code_width - 6)

    def boundingRect(self) -> QRectF:
        return QRectF(-5, -5, CARD_WIDTH + 10, self.height + 10)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        card = QRectF(0, 0, CARD_WIDTH, self.height)
        colour = QColor(self.person.employer_colour)
        if self.isSelected():
            painter.setPen(QPen(QColor(NHS_WARM_YELLOW), 6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(-2, -2, 2, 2), 7, 7)
        border = QPen(QColor(GHOST_BORDER if self.ghost else CARD_BORDER), 1.5 if self.ghost else 1)
        if self.ghost:
            border.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(border)
        painter.setBrush(QColor(NHS_WINDOW if self.ghost else NHS_WHITE))
        painter.drawRoundedRect(card, 6, 6)
        band = QPainterPath()
        band.addRoundedRect(QRectF(0, 0, BAND * 2, self.height), 6, 6)
        clip = QPainterPath()
        clip.addRect(QRectF(0, 0, BAND, self.height))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour.lighter(150) if self.ghost else colour)
        painter.drawPath(band.intersected(clip))
        # Shapes only when zoomed out on screen, where the text could not be read anyway; on paper, in a PDF or a
        # picture (drawn through the scene, with no widget) the text is always drawn: a printer's dots or a PDF
        # reader's zoom make it readable.
        if widget is not None and option.levelOfDetailFromTransform(painter.worldTransform()) < TEXT_ZOOM:
            painter.setBrush(QColor(CARD_BORDER))
            painter.drawRect(QRectF(BAND + PADDING, 16, CARD_WIDTH * 0.55, 12))
            return
        left = BAND + PADDING
        text_colour = QColor(NHS_SECONDARY_TEXT if self.ghost else NHS_TEXT)
        painter.setPen(text_colour)
        painter.setFont(self._name_font)
        for at, line in zip(self._name_at, self._name, strict=True):
            painter.drawText(QPointF(left, at), line)
        painter.setFont(DETAIL_FONT)
        painter.setPen(QColor(NHS_SECONDARY_TEXT) if not self.ghost else text_colour)
        if self.short:
            painter.drawText(QPointF(left, self._foot_at), self._title[0])
            return
        for n, line in enumerate(self._title):
            painter.drawText(QPointF(left, self._title_at + n * 16), line)
        painter.setPen(text_colour)
        painter.drawText(QPointF(left, self._foot_at), self._grade)
        if self._code:
            pill = QRectF(CARD_WIDTH - PADDING - self._code_width, CARD_HEIGHT - 26, self._code_width, 19)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(pill, 4, 4)
            painter.setPen(QColor(_readable_on(self.person.employer_colour)))
            painter.setFont(SMALL_FONT)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self._code)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if isinstance(view, ChartView):
            view.person_activated.emit(self.person.id)
        event.accept()


class PageLinkCard(QGraphicsItem):
    """On paper, where a team carries on: a dashed box under its manager's card saying which page, and who."""

    def __init__(self, heading: str, detail: str) -> None:
        super().__init__()
        self.setZValue(2)
        width = CARD_WIDTH - 2 * PADDING
        self._heading = QFontMetricsF(NAME_FONT).elidedText(heading, Qt.TextElideMode.ElideRight, width)
        self._detail = _fitted(detail, width, ((DETAIL_FONT.pixelSize(), 3),), bold=False)[1]

    def boundingRect(self) -> QRectF:
        return QRectF(-5, -5, CARD_WIDTH + 10, CARD_HEIGHT + 10)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        border = QPen(QColor(LINE_COLOUR), 1.5)
        border.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(border)
        painter.setBrush(QColor(NHS_WINDOW))
        painter.drawRoundedRect(QRectF(0, 0, CARD_WIDTH, CARD_HEIGHT), 6, 6)
        painter.setPen(QColor(NHS_TEXT))
        painter.setFont(NAME_FONT)
        painter.drawText(QPointF(PADDING, 26), self._heading)
        painter.setFont(DETAIL_FONT)
        for n, line in enumerate(self._detail):
            painter.drawText(QPointF(PADDING, 48 + n * 16), line)


@cache
def _line_pen(kind: str, crossing: bool, highlight: bool) -> QPen:
    """One pen per kind of line, made once (QPen is copied by setPen, so sharing is safe)."""
    colour = QColor(CROSSING_COLOUR if crossing and highlight
                    else LINE_COLOUR if kind == "managerial" else PROFESSIONAL_COLOUR)
    width = CROSSING_WIDTH if crossing and highlight else LINE_WIDTH if kind == "managerial" else 1.6
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    if kind == "professional":
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _scene_point(point: tuple[float, float]) -> QPointF:
    return QPointF(point[0] * CARD_WIDTH, point[1] * CARD_HEIGHT)


def _person_tooltip(person: OrgPerson, ghost: bool, leads: Sequence[OrgLine],
                    people: dict[int, OrgPerson], employers: dict[str, str]) -> str:
    parts = [person.name, person.job_title,
             ", ".join(x for x in (person.grade, person.profession, employers.get(person.employer_code,
                                                                               person.employer_code)) if x),
             person.team or "Not in a team"]
    for line in leads:
        lead = people.get(line.lead_id)
        role = "Line manager" if line.kind == "managerial" else "Professional lead"
        crossing = " (another organisation)" if line.cross_organisation else ""
        parts.append(f"{role}: {lead.name if lead else '?'}{crossing}")
    if ghost:
        parts.append("Outside this team or employer: shown because someone here reports to them.")
    return "\n".join(p for p in parts if p)


KEY_ROW = 26.0  # the height of a row of the key


@dataclass(frozen=True)
class _KeyEntry:
    """One entry of the chart's key: a sample of a line, or a swatch of a card's colour, and what it means."""

    label: str
    line: QPen | None = None
    fill: QColor | None = None
    border: QPen = field(default_factory=lambda: QPen(Qt.PenStyle.NoPen))
    swatch: float = 14.0

    def label_offset(self) -> float:
        """From the sample's left to the label's."""
        return 42.0 if self.line is not None else self.swatch + 7

    def width(self) -> float:
        return self.label_offset() + QFontMetricsF(_key_font()).horizontalAdvance(self.label)


def _key_font() -> QFont:
    # Made when used, not when the module loads: a font takes the application's font (the theme's) when made.
    return _font(13)


@dataclass(frozen=True)
class ChartKey:
    """What a chart draws, so that its key explains that and nothing more: a "Professional lead" entry over a chart
    with the professional lines turned off would send a reader looking for dashed lines that are not there."""

    employers: Sequence[OrgEmployer] = ()
    managerial: bool = False  # a solid line to a line manager
    professional: bool = False  # a dashed line to a professional lead
    crossing: bool = False  # a line across organisations, orange
    ghosts: bool = False  # a pale card for a lead outside the team or employer chosen

    def description(self) -> str:
        """The key in words, for a screen reader."""
        meanings = (("Solid grey: line manager", self.managerial), ("Dashed: professional lead", self.professional),
                    ("Orange and thicker: the line crosses organisations", self.crossing),
                    ("Pale with a dashed border: outside this view", self.ghosts))
        parts = [meaning for meaning, drawn in meanings if drawn]
        if self.employers:
            parts.append(f"Card colour bands: {', '.join(f'{e.code} {e.name}'.strip() for e in self.employers)}")
        return "".join(f"{part}. " for part in parts).strip()


def _key(shown: ChartKey) -> list[_KeyEntry]:
    entries = []
    if shown.managerial:
        entries.append(_KeyEntry("Line manager", _line_pen("managerial", False, False)))
    if shown.professional:
        entries.append(_KeyEntry("Professional lead", _line_pen("professional", False, False)))
    if shown.crossing:
        entries.append(_KeyEntry("Across organisations", _line_pen("managerial", True, True)))
    entries += [_KeyEntry(f"{e.code} {e.name}".strip(), fill=QColor(e.colour)) for e in shown.employers]
    if shown.ghosts:
        ghost = QPen(QColor(GHOST_BORDER), 1.5)
        ghost.setStyle(Qt.PenStyle.DashLine)
        entries.append(_KeyEntry("Outside this view", fill=QColor(NHS_WINDOW), border=ghost, swatch=24))
    return entries


def _key_places(entries: Sequence[_KeyEntry], width: float) -> list[tuple[float, int]]:
    """Each entry's left and row: entries run left to right and wrap onto another row rather than off the edge."""
    places: list[tuple[float, int]] = []
    x, row = 0.0, 0
    for entry in entries:
        if x and x + entry.width() > width:
            x, row = 0.0, row + 1
        places.append((x, row))
        x += entry.width() + 22
    return places


def legend_height(shown: ChartKey, width: float) -> float:
    """How tall the key is when it wraps at `width`: nothing when there is nothing to explain."""
    places = _key_places(_key(shown), width)
    return KEY_ROW * (places[-1][1] + 1) if places else 0.0


def paint_legend(painter: QPainter, rect: QRectF, shown: ChartKey) -> float:
    """The key to the chart: the kinds of line drawn, the cross-organisation colour if a line crosses, and each
    employer's colour, in rows as wide as `rect` (a page, or a window, can be narrower than the key). Returns the
    height drawn.

    Shared by the widget and the PNG, PDF and printed exports, so the key on paper matches the screen."""
    painter.save()
    painter.setFont(_key_font())
    metrics = QFontMetricsF(painter.font())
    entries = _key(shown)
    places = _key_places(entries, rect.width())
    for entry, (x, row) in zip(entries, places, strict=True):
        left = rect.left() + x
        middle = rect.top() + KEY_ROW * (row + 0.5)
        if entry.line is not None:
            painter.setPen(entry.line)
            painter.drawLine(QPointF(left, middle), QPointF(left + 34, middle))
        else:
            painter.setPen(entry.border)
            painter.setBrush(entry.fill)
            painter.drawRoundedRect(QRectF(left, middle - 8, entry.swatch, 16), 3, 3)
        painter.setPen(QColor(NHS_TEXT))
        painter.drawText(QPointF(left + entry.label_offset(), middle + metrics.ascent() / 2 - 1), entry.label)
    painter.restore()
    return KEY_ROW * (places[-1][1] + 1) if places else 0.0


class Legend(QWidget):
    """The key above the chart, in as many rows as the window's width needs."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.shown = ChartKey()
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName("Org chart key")

    def show_key(self, shown: ChartKey) -> None:
        self.shown = shown
        self.setAccessibleDescription(shown.description())
        self.updateGeometry()
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return math.ceil(legend_height(self.shown, width - 2))

    def sizeHint(self) -> QSize:
        return QSize(900, self.heightForWidth(900))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_legend(painter, QRectF(self.rect()).adjusted(2, 0, 0, 0), self.shown)
        painter.end()


class ChartScene(QGraphicsScene):
    """A structure drawn where a layout puts it: a card per person, the managerial connectors (orange where a line
    crosses organisations), the dashed professional lines, and on paper the boxes pointing to other pages."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: dict[int, PersonCard] = {}
        self.line_items: list[QGraphicsPathItem] = []

    def draw(self, structure: Structure, layout: OrgLayout, *, elsewhere: Mapping[int, str],
             short: Collection[int] = (), links: Mapping[int, tuple[str, str]] | None = None,
             notes: Mapping[int, str] | None = None) -> None:
        """Draw everyone in `structure` at their place in `layout`; those in `elsewhere` pale, saying where their
        own place is; those in `short` as short cards in a block of their own; each of `links` (a box's id in
        `layout`: its heading and detail); and each of `notes` as a caption over that person's card."""
        self.clear()
        everyone = [*structure.people, *structure.outside]
        by_id = {p.id: p for p in everyone}
        employers = {o.code: o.name for o in structure.organisations}
        leads: dict[int, list[OrgLine]] = {}
        for line in structure.lines:
            leads.setdefault(line.person_id, []).append(line)
        self.cards = {}
        for person in everyone:
            pale = elsewhere.get(person.id, "")
            card = PersonCard(person, _person_tooltip(person, bool(pale), leads.get(person.id, []), by_id, employers),
                              pale, person.id in short)
            card.setPos(_scene_point(layout.positions[person.id]))
            self.addItem(card)
            self.cards[person.id] = card
        for box, (heading, detail) in (links or {}).items():
            link = PageLinkCard(heading, detail)
            link.setPos(_scene_point(layout.positions[box]))
            self.addItem(link)
        self.line_items = []
        self._draw_managerial(structure.lines, layout)
        self._draw_professional(structure.lines)
        self._draw_captions(layout, short)
        for person, note in (notes or {}).items():
            card = self.cards[person]
            self._caption(note, QPointF(card.x(), card.y() - 26), TOP_CAPTION_WIDTH)

    def show_professional(self, shown: bool) -> None:
        for item in self.line_items:
            if item.data(LINE_ROLE)[0] == "professional":
                item.setVisible(shown)

    def _draw_managerial(self, lines: Sequence[OrgLine], layout: OrgLayout) -> None:
        plain_by_lead: dict[int, list[tuple[tuple[float, float], ...]]] = {}
        crossing = {(line.person_id, line.lead_id) for line in lines
                    if line.kind == "managerial" and line.cross_organisation}
        for (person, lead), route in layout.routes.items():
            if (person, lead) not in crossing:
                plain_by_lead.setdefault(lead, []).append(route)
        for (person, lead), route in layout.routes.items():
            crosses = (person, lead) in crossing
            path = QPainterPath(_scene_point(route[0]))
            for point in route[1:]:
                path.lineTo(_scene_point(point))
            self._add_line(path, "managerial", person, lead, crosses, highlight=False)
            if crosses:
                # Orange only where the connector is this line's own: a shared stem stays grey for the others.
                own = QPainterPath()
                for start, end in unshared_parts(route, plain_by_lead.get(lead, [])):
                    own.moveTo(_scene_point(start))
                    own.lineTo(_scene_point(end))
                self._add_line(own, "managerial", person, lead, True, highlight=True)
        for person, lead in layout.broken:  # a cycle's cut line: drawn straight so it is not lost
            path = QPainterPath(self.cards[lead].sceneBoundingRect().center())
            path.lineTo(self.cards[person].sceneBoundingRect().center())
            self._add_line(path, "managerial", person, lead, False, highlight=False)

    def _draw_professional(self, lines: Sequence[OrgLine]) -> None:
        managers = {line.person_id: line.lead_id for line in lines if line.kind == "managerial"}
        for line in lines:
            if line.kind != "professional" or managers.get(line.person_id) == line.lead_id:
                continue
            if line.person_id not in self.cards or line.lead_id not in self.cards:
                continue
            lead_card = self.cards[line.lead_id]
            lead, person = lead_card.pos(), self.cards[line.person_id].pos()
            # Into the report's right edge, which connectors never use, so a dashed line never looks like it
            # joins the cards stacked above and below; out of the lead's bottom (or top) right of its stem.
            end = QPointF(person.x() + CARD_WIDTH, person.y() + CARD_HEIGHT * 0.5)
            if lead.y() + lead_card.height <= person.y():
                start = QPointF(lead.x() + CARD_WIDTH * 0.75, lead.y() + lead_card.height)
                bend = QPointF(start.x(), start.y() + max(60.0, (end.y() - start.y()) * 0.5))
            elif person.y() + CARD_HEIGHT <= lead.y():
                start = QPointF(lead.x() + CARD_WIDTH * 0.75, lead.y())
                bend = QPointF(start.x(), start.y() - max(60.0, (start.y() - end.y()) * 0.5))
            else:
                start = QPointF(lead.x() + (0 if lead.x() > person.x() else CARD_WIDTH),
                                lead.y() + lead_card.height * 0.5)
                bend = QPointF(start.x() + (-80 if lead.x() > person.x() else 80), start.y())
            path = QPainterPath(start)
            path.cubicTo(bend, QPointF(end.x() + 90, end.y()), end)
            self._add_line(path, "professional", line.person_id, line.lead_id, line.cross_organisation,
                           highlight=True)

    def _add_line(self, path: QPainterPath, kind: str, person: int, lead: int, crosses: bool,
                  highlight: bool) -> None:
        item = QGraphicsPathItem(path)
        item.setPen(_line_pen(kind, crosses, highlight))
        item.setData(LINE_ROLE, (kind, person, lead, crosses and highlight))
        item.setZValue({"managerial": 0.0 if not highlight else 0.5, "professional": 1.0}[kind])
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.addItem(item)
        self.line_items.append(item)

    def _draw_captions(self, layout: OrgLayout, short: Collection[int]) -> None:
        """Say who the grid of people with no manager is, and who the short cards from other pages are."""
        if short:
            # Over the block of short cards, wherever the layout found room for it (not always under the chart); in
            # two lines over a block one card wide, as the layout leaves a level's gap above the block.
            top = min(self.cards[person].y() for person in short)
            left = min(self.cards[person].x() for person in short)
            right = max(self.cards[person].x() for person in short) + CARD_WIDTH
            self._caption("Professional leads from other pages", QPointF(left, top - 26), right - left)
        if layout.unmanaged_area is None or not layout.roots:
            return
        x, y, width, height = layout.unmanaged_area
        area = QRectF(x * CARD_WIDTH, y * CARD_HEIGHT, width * CARD_WIDTH, height * CARD_HEIGHT).adjusted(-1, -1, 1, 1)
        grid = [card for card in self.cards.values() if area.contains(card.pos())]
        ghosts = sum(1 for card in grid if card.ghost)
        self._caption("Leads outside this view" if ghosts == len(grid)
                      else "No line manager in this chart" if not ghosts
                      else "No line manager here, or a lead outside this view", QPointF(x * CARD_WIDTH,
                                                                                       y * CARD_HEIGHT - 26))

    def _caption(self, text: str, at: QPointF, width: float | None = None) -> None:
        """`text` with its last line's top at `at`; no wider than `width` if given (what is beside a caption on
        paper is not always free): then smaller, or broken into two even lines, before it is cut short."""
        font, lines = (_font(CAPTION_SIZES[0][0], bold=True), [text]) if width is None else _fitted(
            text, width, CAPTION_SIZES, _halves)
        step = font.pixelSize() + 4
        for n, line in enumerate(lines):
            caption = QGraphicsSimpleTextItem(line)
            caption.setFont(font)
            caption.setBrush(QColor(NHS_SECONDARY_TEXT))
            caption.setPos(at.x(), at.y() - step * (len(lines) - 1 - n))
            self.addItem(caption)


class ChartView(QGraphicsView):
    """The scene's view: Ctrl+wheel zooms about the pointer, dragging pans, arrow keys walk between cards."""

    person_activated = Signal(int)
    zoomed = Signal(float)
    selection_moved = Signal(int)

    def __init__(self, scene: QGraphicsScene, parent: QWidget) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor(NHS_WINDOW))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Org chart")
        self.setAccessibleDescription("Arrow keys move between people, Enter opens the selected person, "
                                      "plus and minus zoom.")
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.viewport().setAccessibleName("Org chart drawing")

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, scale: float, anchor: QGraphicsView.ViewportAnchor | None = None) -> None:
        scale = min(MAX_ZOOM, max(MIN_ZOOM, scale))
        previous = self.transformationAnchor()
        if anchor is not None:
            self.setTransformationAnchor(anchor)
        factor = scale / self.zoom()
        self.scale(factor, factor)
        self.setTransformationAnchor(previous)
        self.zoomed.emit(self.zoom())

    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect().marginsAdded(QMarginsF(20, 20, 20, 20))
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0, QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoomed.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_zoom(self.zoom() * ZOOM_STEP ** steps, QGraphicsView.ViewportAnchor.AnchorUnderMouse)
            event.accept()
            return
        super().wheelEvent(event)

    def cards(self) -> list[PersonCard]:
        return [item for item in self.scene().items() if isinstance(item, PersonCard)]

    def current(self) -> PersonCard | None:
        chosen = [item for item in self.scene().selectedItems() if isinstance(item, PersonCard)]
        return chosen[0] if chosen else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.set_zoom(self.zoom() * ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter)
        elif key == Qt.Key.Key_Minus:
            self.set_zoom(self.zoom() / ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current():
            self.person_activated.emit(self.current().person.id)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._walk(key)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _walk(self, key: Qt.Key) -> None:
        """Select the nearest card in the arrow's direction (or the top-left card if none is selected)."""
        cards = self.cards()
        if not cards:
            return
        here = self.current()
        if here is None:
            target = min(cards, key=lambda c: (c.pos().y(), c.pos().x()))
        else:
            x, y = here.pos().x(), here.pos().y()

            def ahead(card: PersonCard) -> float | None:
                dx, dy = card.pos().x() - x, card.pos().y() - y
                along, across = {Qt.Key.Key_Left: (-dx, dy), Qt.Key.Key_Right: (dx, dy),
                                 Qt.Key.Key_Up: (-dy, dx), Qt.Key.Key_Down: (dy, dx)}[key]
                if along <= 1:
                    return None
                return along + 3 * abs(across)

            scored = [(score, c.pos().y(), c.pos().x(), c) for c in cards if (score := ahead(c)) is not None]
            if not scored:
                return
            target = min(scored, key=lambda s: s[:3])[3]
        self.scene().clearSelection()
        target.setSelected(True)
        self.ensureVisible(target, 40, 40)
        self.selection_moved.emit(target.person.id)


class FilterCombo(ShortenedCombo):
    """A filter's drop-down, as wide as its longest choice up to FILTER_CHARACTERS: a longer name (a team's can run
    to a sentence) is cut short with an ellipsis in the box, and shown whole in the list and in the tooltip, rather
    than widen the box and push the chart's other controls out of the window."""

    def __init__(self, name: str, choices_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.view().setAccessibleName(choices_name)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the longest choice (then capped)
        self.currentIndexChanged.connect(lambda _index: self.setToolTip(self.currentText()))

    def set_choices(self, choices: Sequence[tuple[str, object]], chosen: object) -> None:
        """Offer `choices`, each (text, data), and choose the one carrying `chosen` (else the first)."""
        self.clear()
        for text, data in choices:
            self.addItem(text, data)
            self.setItemData(self.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.setCurrentIndex(max(0, self.findData(chosen)))

    def _widest(self) -> int:
        """The width FILTER_CHARACTERS of text take in the box, with its frame and arrow."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        metrics = self.fontMetrics()
        text = QSize(metrics.averageCharWidth() * FILTER_CHARACTERS, metrics.height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, self).width()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), self._widest()), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self._widest()), hint.height())


class OrgChart(QWidget):
    """The org chart with its controls: as-at date, team and employer filters, find, zoom, fit, and export."""

    person_activated = Signal(int)
    filters_changed = Signal(object, object, object)  # (date, team name or None, employer code or None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Org chart")
        self.structure: Structure | None = None
        self.layout_result: OrgLayout | None = None
        self.source = ""  # where the people come from (the database's name), for the foot of a printed page
        self._matches: list[int] = []
        self._match_at = -1
        self._syncing = False

        self.as_at = QDateEdit(self)
        self.as_at.setCalendarPopup(True)
        self.as_at.setDisplayFormat("dd MMM yyyy")
        self.as_at.setAccessibleName("As at date")
        self.as_at.setToolTip("Show the structure as it stood on this date")
        for editor in self.as_at.findChildren(QLineEdit):
            editor.setAccessibleName("As at date")
        self.team = FilterCombo("Team filter", "Teams to choose from", self)
        self.organisation = FilterCombo("Employer filter", "Employers to choose from", self)
        # Alt+letter reaches each control with words; the People page's tabs take P, O and I, the menus F, E, V, H.
        self.professional = QCheckBox("Professional &lines", self)
        self.professional.setChecked(True)
        self.professional.setAccessibleName("Show professional lines")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find a person…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a person in the chart")
        self.search.setMinimumWidth(200)
        self.find_button = self._button("Fi&nd", "Find the person named in the search box", secondary=True)
        self.zoom_out = self._button("−", "Zoom out", secondary=True)
        self.zoom_in = self._button("+", "Zoom in", secondary=True)
        self.fit_button = self._button("Fi&t", "Fit the whole chart in the window", secondary=True)
        self.actual_size = self._button("100%", "Zoom to actual size", secondary=True)
        self.zoom_label = QLabel("", self)
        self.zoom_label.setMinimumWidth(44)
        self.png_button = self._button("&Save PNG…", "Save the chart as a PNG picture")
        self.pdf_button = self._button("Save P&DF…", "Save the chart as PDF pages for board papers")

        self.scene = ChartScene(self)
        self.scene.selectionChanged.connect(self._emphasise_selected)
        self._emphasised: list[QGraphicsPathItem] = []
        self.view = ChartView(self.scene, self)
        self.empty = QLabel("", self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.legend = Legend(self)
        self.summary = QLabel("", self)
        self.summary.setObjectName("pageSubtitle")
        self.summary.setWordWrap(True)

        filters = FlowLayout()  # wraps in a narrow window rather than widen the People page past it
        for label, control in (("As at", self.as_at), ("Team", self.team), ("Employer", self.organisation)):
            filters.addWidget(labelled(label, control, self))
        for control in (self.professional, self.png_button, self.pdf_button):
            filters.addWidget(control)
        tools = QHBoxLayout()
        tools.addWidget(self.search, 1)
        tools.addWidget(self.find_button)
        tools.addSpacing(16)
        for control in (self.zoom_out, self.zoom_label, self.zoom_in, self.fit_button, self.actual_size):
            tools.addWidget(control)
        tools.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        # Shown top-level (tests, screenshots), a layout that resizes the window trips "propagateSizeHints()".
        outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        outer.addLayout(filters)
        outer.addLayout(tools)
        outer.addWidget(self.legend)
        outer.addWidget(self.stack, 1)
        outer.addWidget(self.summary)
        # Tab goes through the controls as they are laid out, along each row and down, not in the order they were made.
        order = (self.as_at, self.team, self.organisation, self.professional, self.png_button, self.pdf_button,
                 self.search, self.find_button, self.zoom_out, self.zoom_in, self.fit_button, self.actual_size,
                 self.view)
        for before, after in pairwise(order):
            QWidget.setTabOrder(before, after)

        self.as_at.dateChanged.connect(self._filters_changed)
        self.team.currentIndexChanged.connect(self._filters_changed)
        self.organisation.currentIndexChanged.connect(self._filters_changed)
        self.professional.toggled.connect(self._show_professional)
        self.search.returnPressed.connect(self.find_next)
        self.find_button.clicked.connect(self.find_next)
        self.search.textChanged.connect(self._search_changed)
        self.zoom_in.clicked.connect(lambda: self.view.set_zoom(
            self.view.zoom() * ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter))
        self.zoom_out.clicked.connect(lambda: self.view.set_zoom(
            self.view.zoom() / ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter))
        self.fit_button.clicked.connect(self.view.fit)
        self.actual_size.clicked.connect(lambda: self.view.set_zoom(1.0, QGraphicsView.ViewportAnchor.AnchorViewCenter))
        self.view.zoomed.connect(lambda scale: self.zoom_label.setText(f"{scale:.0%}"))
        self.view.person_activated.connect(self.person_activated)
        self.view.selection_moved.connect(self._describe_selection)
        self.png_button.clicked.connect(self._ask_png)
        self.pdf_button.clicked.connect(self._ask_pdf)
        self._fit_pending = False
        self.show_structure(Structure(date.today(), (), ()))

    def _button(self, text: str, name: str, secondary: bool = False) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.setToolTip(name)
        if secondary:
            button.setObjectName("secondary")
        return button

    # Showing a structure ------------------------------------------------------------------------------------------

    def show_structure(self, structure: Structure) -> None:
        """Draw `structure` (from services.org_structure.structure_as_at) and set the controls to match it."""
        self.structure = structure
        self._sync_controls(structure)
        self._emphasised = []
        self._matches, self._match_at = [], -1
        everyone = [*structure.people, *structure.outside]
        managerial = [(line.person_id, line.lead_id) for line in structure.lines if line.kind == "managerial"]
        self.layout_result = layout_org([p.id for p in everyone], managerial)
        self.scene.draw(structure, self.layout_result,
                        elsewhere={p.id: "outside this view" for p in structure.outside})
        bounds = self.scene.itemsBoundingRect().marginsAdded(QMarginsF(MARGIN, MARGIN, MARGIN, MARGIN))
        self.scene.setSceneRect(bounds)
        self.scene.show_professional(self.professional.isChecked())
        self.legend.show_key(self.key_shown())
        self._summarise(structure)
        for button in (self.png_button, self.pdf_button, self.find_button, self.search, self.zoom_in, self.zoom_out,
                       self.fit_button, self.actual_size):
            button.setEnabled(bool(everyone))
        self.stack.setCurrentWidget(self.view if everyone else self.empty)
        self.legend.setVisible(bool(everyone))
        if not everyone:
            self.zoom_label.setText("")
        self.empty.setText(self._empty_text(structure))
        self._fit_pending = True
        self._initial_view()

    @property
    def cards(self) -> dict[int, PersonCard]:
        """Each person's card on screen, by their id."""
        return self.scene.cards

    def _show_professional(self, shown: bool) -> None:
        self.scene.show_professional(shown)
        self.legend.show_key(self.key_shown())
        if self.structure is not None:
            self._summarise(self.structure)

    def _employers_shown(self, structure: Structure) -> list[OrgEmployer]:
        codes = {p.employer_code for p in (*structure.people, *structure.outside)}
        known = [e for e in structure.organisations if e.code in codes]
        colours = {p.employer_code: p.employer_colour for p in (*structure.people, *structure.outside)}
        known += [OrgEmployer(code, "", colours[code]) for code in sorted(codes - {e.code for e in known}) if code]
        return known

    def _emphasise_selected(self) -> None:
        """Darken and raise the selected person's own lines, so they can be followed through the others."""
        for item in self._emphasised:
            if item.scene() is self.scene:
                kind, _person, _lead, highlighted = item.data(LINE_ROLE)
                item.setPen(_line_pen(kind, highlighted, highlighted))
                item.setZValue(item.zValue() - 1)
        self._emphasised = []
        chosen = {item.data(PEOPLE_ROLE) for item in self.scene.selectedItems() if isinstance(item, PersonCard)}
        if not chosen:
            return
        for item in self.scene.line_items:
            kind, person, lead, highlighted = item.data(LINE_ROLE)
            if person in chosen or lead in chosen:
                pen = QPen(item.pen())
                pen.setWidthF(pen.widthF() + 1.5)
                if not highlighted:
                    pen.setColor(QColor(NHS_TEXT))
                item.setPen(pen)
                item.setZValue(item.zValue() + 1)
                self._emphasised.append(item)

    def _summarise(self, structure: Structure) -> None:
        managerial = [line for line in structure.lines if line.kind == "managerial"]
        # The lines drawn: professional ones are counted only while they are shown.
        professional = self.professional.isChecked()
        crossing = sum(1 for line in structure.lines
                       if line.cross_organisation and (line.kind == "managerial" or professional))
        unmanaged = len(structure.people) - len({line.person_id for line in managerial})
        everyone = len(structure.people)
        text = (f"{everyone} {'person' if everyone == 1 else 'people'} as at {structure.as_at:%d %b %Y}; "
                f"{_count(crossing, 'line')} {'crosses' if crossing == 1 else 'cross'} organisations; "
                f"{unmanaged} without a line manager in the chart.")
        if structure.outside:
            text += f" {len(structure.outside)} leads outside this view are shown pale for context."
        if self.layout_result and self.layout_result.broken:
            text += " A managerial cycle was found and broken to draw the chart: check the lines."
        self.summary.setText(text if structure.people else "")

    def _empty_text(self, structure: Structure) -> str:
        where = " and ".join(x for x in (structure.team, structure.organisation) if x)
        if where:
            return (f"No one in {where} is recorded as working here on {structure.as_at:%d %b %Y}.\n\n"
                    "Choose another team, employer or date.")
        return (f"No one is recorded as working here on {structure.as_at:%d %b %Y}.\n\nPeople appear here with "
                "their managerial and professional lines once they are added or imported.")

    def _sync_controls(self, structure: Structure) -> None:
        self._syncing = True
        try:
            self.as_at.setDate(QDate(structure.as_at.year, structure.as_at.month, structure.as_at.day))
            teams = list(structure.teams)
            if structure.team and structure.team not in teams:  # the team chosen stays on offer, listed or not
                teams.append(structure.team)
            self.team.set_choices([("All teams", None), *((name, name) for name in teams)], structure.team)
            self.organisation.set_choices(
                [("All employers", None), *((f"{e.code} – {e.name}", e.code) for e in structure.organisations)],
                structure.organisation)
        finally:
            self._syncing = False

    def _filters_changed(self, *_args: object) -> None:
        if not self._syncing:
            self.filters_changed.emit(*self.filters())

    def filters(self) -> tuple[date, str | None, str | None]:
        day = self.as_at.date()
        return date(day.year(), day.month(), day.day()), self.team.currentData(), self.organisation.currentData()

    # Navigation ---------------------------------------------------------------------------------------------------

    def _initial_view(self) -> None:
        """Fit the chart; if that makes the cards unreadable, start at a readable zoom on the top of the main tree."""
        if not self.cards or not self.view.viewport().width():
            return
        self.view.fit()
        if self.view.zoom() < 0.6 and self.layout_result and self.layout_result.roots:
            self.view.set_zoom(0.75, QGraphicsView.ViewportAnchor.AnchorViewCenter)
            top = self.cards[self.layout_result.roots[0]].sceneBoundingRect()
            viewport = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
            self.view.centerOn(top.center().x(), top.top() - 30 + viewport.height() / 2)

    def resizeEvent(self, event: QEvent) -> None:
        super().resizeEvent(event)
        if self._fit_pending and self.isVisible():
            self._fit_pending = False
            self._initial_view()

    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        if self._fit_pending:
            self._fit_pending = False
            self._initial_view()

    def _search_changed(self, _text: str) -> None:
        self._matches, self._match_at = [], -1

    def find_next(self) -> int | None:
        """Focus the next person whose name contains the search text: centre, zoom to read, select. Their id."""
        text = self.search.text().strip().casefold()
        if not text or not self.structure:
            return None
        if not self._matches:
            everyone = [*self.structure.people, *self.structure.outside]
            self._matches = ([p.id for p in everyone if p.name.casefold().startswith(text)]
                             + [p.id for p in everyone if text in p.name.casefold()
                                and not p.name.casefold().startswith(text)])
            self._match_at = -1
        if not self._matches:
            self.summary.setText(f"No one called “{self.search.text().strip()}” is in this chart.")
            return None
        self._match_at = (self._match_at + 1) % len(self._matches)
        found = self.focus_person(self._matches[self._match_at])
        if len(self._matches) > 1:
            self.summary.setText(f"Match {self._match_at + 1} of {len(self._matches)}: press Enter for the next.")
        return found

    def focus_person(self, person_id: int) -> int | None:
        card = self.cards.get(person_id)
        if card is None:
            return None
        self.scene.clearSelection()
        card.setSelected(True)
        if self.view.zoom() < 1.0:
            self.view.set_zoom(1.0, QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.view.centerOn(card)
        self._describe_selection(person_id)
        return person_id

    def _describe_selection(self, person_id: int) -> None:
        card = self.cards.get(person_id)
        if card is not None:
            self.view.setAccessibleDescription(f"Selected: {card.toolTip()}".replace("\n", ". "))

    # Export -------------------------------------------------------------------------------------------------------

    def _title(self) -> str:
        structure = self.structure
        where = " · ".join(x for x in (structure.team, structure.organisation) if x) if structure else ""
        return f"Organisation chart{' — ' + where if where else ''}"

    def _heading(self, page: QRectF, label: str) -> tuple[list[tuple[QRectF, QFont, str, str]], QRectF]:
        """Where each line of the heading goes across the top of `page` (the title, wrapping if it must; the
        as-at date; `label`, smaller if that keeps it on one line, else wrapping), and where the key goes under
        them. Nothing is cut short: the label names the managers whose teams are on the page."""
        structure = self.structure
        people = len(structure.people) if structure else 0
        as_at = f"As at {structure.as_at:%d %B %Y} · {people} people" if structure else ""
        sizes = [_font(pixels, bold=True) for pixels in LABEL_SIZES]
        label_font = next((font for font in sizes if QFontMetricsF(font).horizontalAdvance(label) <= page.width()),
                          None)
        if label_font is None:  # too long even smaller: at full size, broken between its parts where it can be
            label_font = sizes[0]
            parts = label.split(" · ")
            pieces = [f"{' ' if n else ''}{part}{' ·' if n < len(parts) - 1 else ''}" for n, part in enumerate(parts)]
            label = "\n".join(_filled(pieces, QFontMetricsF(label_font), page.width(), len(parts)))
        lines: list[tuple[QRectF, QFont, str, str]] = []
        top = page.top()
        for text, font, colour in ((self._title(), _font(24, bold=True), NHS_TEXT),
                                   (as_at, _font(14), NHS_SECONDARY_TEXT), (label, label_font, NHS_TEXT)):
            if text:
                used = QFontMetricsF(font).boundingRect(QRectF(page.left(), top, page.width(), page.height()),
                                                        HEADING_FLAGS, text)
                lines.append((QRectF(page.left(), top, page.width(), used.height()), font, colour, text))
                top += used.height() + 2
        key = QRectF(page.left(), top + 4, page.width(), legend_height(self.key_shown(), page.width()))
        return lines, key

    def key_shown(self) -> ChartKey:
        """What the chart draws (the kinds of line, with the professional lines only while they are shown), for
        its key on screen and on paper."""
        structure = self.structure
        if structure is None:
            return ChartKey()
        drawn = [item.data(LINE_ROLE) for item in self.scene.line_items]
        professional = self.professional.isChecked()
        return ChartKey(self._employers_shown(structure),
                        managerial=any(kind == "managerial" for kind, *_rest in drawn),
                        professional=professional and any(kind == "professional" for kind, *_rest in drawn),
                        crossing=any(crosses and (kind == "managerial" or professional)
                                     for kind, _person, _lead, crosses in drawn),
                        ghosts=bool(structure.outside))

    def _paint_heading(self, painter: QPainter, page: QRectF, label: str) -> float:
        """The heading across the top of `page`; returns where the chart can start below it."""
        lines, key = self._heading(page, label)
        for rect, font, colour, text in lines:
            painter.setFont(font)
            painter.setPen(QColor(colour))
            painter.drawText(rect, HEADING_FLAGS, text)
        paint_legend(painter, key, self.key_shown())
        return key.bottom() + 10

    def paginate(self, page: QRectF) -> OrgPages:
        """The chart cut into pages the size of `page` (in 96 dpi pixels), each under its heading and key, with
        every name printed at PRINT_NAME_POINTS or larger. Professional lines are printed if they are shown."""
        structure = self.structure  # always one once the chart is made: it starts with an empty structure
        _lines, key = self._heading(page, "Page")  # every page but a lone one is labelled with its number
        room = page.bottom() - key.bottom() - 10
        spare = 2 * PRINT_MARGIN
        managerial = [(line.person_id, line.lead_id) for line in structure.lines if line.kind == "managerial"]
        professional = [(line.person_id, line.lead_id) for line in structure.lines
                        if line.kind == "professional" and self.professional.isChecked()]
        return paginate_org([p.id for p in (*structure.people, *structure.outside)], managerial, professional,
                            ((page.width() - spare) / CARD_WIDTH, (room - spare - CAPTION_ROOM) / CARD_HEIGHT),
                            min_scale=PRINT_NAME_POINTS / (NAME_FONT.pixelSize() * 72 / 96),
                            rules=PRINT_RULES)

    def paint_printed(self, painter: QPainter, page: QRectF, pages: OrgPages, number: int) -> None:
        """Page `number` of `pages` on `page` (in 96 dpi pixels): the heading, saying which page and whose team
        it is, then that part of the chart, the size `pages` gives it. Drawn by File > Print and Save PDF…."""
        structure = self.structure
        sheet = pages.pages[number - 1]
        painter.fillRect(page, QColor(NHS_WHITE))
        top = self._paint_heading(painter, page, self._page_label(pages, number))
        drawn = set(sheet.people)
        elsewhere = {p.id: "outside this view" for p in structure.outside}
        elsewhere |= {person: f"page {pages.home[person]}" for person in sheet.visitors}
        scene = ChartScene()
        scene.draw(replace(structure, people=tuple(p for p in structure.people if p.id in drawn),
                           outside=tuple(p for p in structure.outside if p.id in drawn),
                           lines=tuple(line for line in structure.lines
                                       if line.person_id in drawn and line.lead_id in drawn)),
                   sheet.layout, elsewhere=elsewhere, short=sheet.visitors, links=self._link_texts(sheet),
                   notes=self._top_notes(pages, number))
        scene.show_professional(self.professional.isChecked())
        source = QRectF(0, -CAPTION_ROOM, sheet.layout.width * CARD_WIDTH, sheet.layout.height * CARD_HEIGHT
                        + CAPTION_ROOM).marginsAdded(QMarginsF(PRINT_MARGIN, PRINT_MARGIN, PRINT_MARGIN, PRINT_MARGIN))
        room = QRectF(page.left(), top, page.width(), page.bottom() - top)
        scale = min(pages.scale, room.width() / source.width(), room.height() / source.height())
        target = QRectF(room.left() + (room.width() - source.width() * scale) / 2, room.top(),
                        source.width() * scale, source.height() * scale)
        scene.render(painter, target, source)

    def _names(self) -> dict[int, str]:
        structure = self.structure
        return {p.id: p.name for p in (*structure.people, *structure.outside)} if structure else {}

    def _page_label(self, pages: OrgPages, number: int) -> str:
        """What page `number` is, in the heading: "Page 2 of 9 · Anna Allen’s team · reports to Jasmine
        Richards (page 1)"; nothing when the chart is on one page."""
        if len(pages.pages) < 2:
            return ""
        sheet = pages.pages[number - 1]
        names = self._names()
        managing = {lead for _person, lead in sheet.layout.routes if lead in names}
        teams = [names[top] for top in sheet.tops if top in managing]
        parts = [f"Page {number} of {len(pages.pages)}"]
        if len(teams) == 1:
            parts.append(f"{teams[0]}’s team{', continued' if sheet.continued else ''}")
        elif teams:
            parts.append(f"the teams of {listed(teams)}")
        if len(teams) < len(sheet.tops):
            parts.append("people with no line manager in this chart" if teams
                         else "People with no line manager in this chart")
        above = set(self._reports_to(pages, number).values())
        if self._said_in_heading(pages, number):
            manager, under = above.pop()
            parts.append(f"{'reports' if len(sheet.tops) == 1 else 'report'} to {names[manager]} (page {under})")
        return " · ".join(parts)

    def _reports_to(self, pages: OrgPages, number: int) -> dict[int, tuple[int, int]]:
        """Each of page `number`'s tops drawn under their manager on another page: (that manager, that page, which
        has the box pointing here)."""
        found = {}
        for top in pages.pages[number - 1].tops:
            manager = self._line_manager(top)
            under = next((n for n, page in enumerate(pages.pages, start=1)
                          if top in page.people and top not in (*page.tops, *page.visitors)), None)
            if manager is not None and under is not None:
                found[top] = (manager, under)
        return found

    def _said_in_heading(self, pages: OrgPages, number: int) -> bool:
        """Whether page `number`'s heading can say whom its teams report to: all to one manager, on one page."""
        above = self._reports_to(pages, number)
        return len(above) == len(pages.pages[number - 1].tops) and len(set(above.values())) == 1

    def _top_notes(self, pages: OrgPages, number: int) -> dict[int, str]:
        """Over each team's top card on page `number`, whom they report to and where, when the page holds teams
        from under different managers (or beside people with no manager) and the heading cannot say it once."""
        if self._said_in_heading(pages, number):
            return {}
        names = self._names()
        return {top: f"Reports to {names[manager]} (page {under})"
                for top, (manager, under) in self._reports_to(pages, number).items()}

    def _line_manager(self, person: int) -> int | None:
        lines = self.structure.lines if self.structure else ()
        return next((line.lead_id for line in lines if line.kind == "managerial" and line.person_id == person), None)

    def _link_texts(self, sheet: OrgPage) -> dict[int, tuple[str, str]]:
        """Each box on `sheet`: which page the team carries on to, and whose team and how many people it is."""
        names = self._names()
        texts = {}
        for box, link in sheet.links.items():
            people = f"{link.people} {'person' if link.people == 1 else 'people'}"
            detail = (f"The rest of {names[link.person]}’s team: {people}" if link.person in sheet.tops
                      else f"{names[link.person]}’s team: {people}")
            texts[box] = (f"Continued on page {link.page}", detail)
        return texts

    def save_png(self, path: str | Path, scale: float = 1.0, max_side: int = 16000) -> Path:
        """The whole chart as one picture under its heading, at `scale` (1.0 = screen size at 100%), smaller if it
        would exceed `max_side`: the overview, where printing cuts the chart into readable pages. Written whole or
        not at all (a full disk leaves no half picture); JointleadError, saying why, if it cannot be."""
        path = Path(path)
        source = self.scene.itemsBoundingRect().marginsAdded(QMarginsF(10, 10, 10, 10))
        width = max(source.width(), 1000.0)
        _lines, key = self._heading(QRectF(0, 0, width, source.height()), "")
        page = QRectF(0, 0, width, key.bottom() + 10 + source.height())
        scale = min(scale, max_side / max(page.width(), page.height()))
        image = QImage(QSize(int(page.width() * scale) + 48, int(page.height() * scale) + 48),
                       QImage.Format.Format_ARGB32)
        image.fill(QColor(NHS_WHITE))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.translate(24, 24)
        painter.scale(scale, scale)
        top = self._paint_heading(painter, page, "")
        selected = self.scene.selectedItems()
        self.scene.clearSelection()  # the yellow selection ring is for the screen, not the picture
        try:
            self.scene.render(painter, QRectF(0, top, width, source.height()), source,
                              Qt.AspectRatioMode.KeepAspectRatio)
        finally:
            for item in selected:
                item.setSelected(True)
        painter.end()
        # QSaveFile, unlike QImage.save, says why a file could not be written; and one not committed is discarded.
        file = QSaveFile(str(path))
        if not (file.open(QIODevice.OpenModeFlag.WriteOnly) and image.save(file, "PNG") and file.commit()):
            reason = file.errorString().rstrip(".").lower()
            raise JointleadError(f"The picture could not be saved as {path}: {reason}.", SAVE_ADVICE)
        return path

    @staticmethod
    def _suggested(suffix: str) -> Path:
        """Where a saved chart goes unless the user says otherwise: named for what it is and when, in Documents
        (not wherever the program was started from)."""
        from jointlead.ui.export_dialog import documents_folder  # with the exports, when first used

        return documents_folder() / f"Organisation chart {date.today():%Y-%m-%d}.{suffix}"

    def _ask_png(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the org chart as a picture", str(self._suggested("png")),
                                              "PNG pictures (*.png)")
        if not name:
            return
        try:
            self.save_png(name if name.lower().endswith(".png") else f"{name}.png")
        except JointleadError as error:
            show_problem(self, error, "Cannot save the picture")

    def _ask_pdf(self) -> None:
        # Print support loads when first used, not at start, as for the window's File > Print.
        from jointlead.ui.printing import ChartPrintout, footer_line, save_pdf_with_dialog

        title = self._title()
        save_pdf_with_dialog(self, ChartPrintout(self, title=title, footer=footer_line(title, self.source)),
                             self._suggested("pdf"))
