"""The org chart: a dated, filterable picture of who manages whom and who leads whose practice, for board papers.

Each person is a card (name, job title, grade, employer colour band). Managerial lines are solid connectors of the
tree from domain/org_layout.py; professional lines are dashed curves drawn over it, and left out when the
professional lead is also the line manager (the solid line already says so; the card's tooltip says both). A line
between people of different employers is orange and thicker. People outside the team or employer filter who lead
someone in it are drawn as pale "ghost" cards with a dashed border.

The widget never opens a database: the page answers `filters_changed(day, team, organisation)` by calling
`show_structure(structure_as_at(...))`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QMarginsF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPdfWriter,
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
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.org_layout import OrgLayout, layout_org, unshared_parts
from jointlead.services.org_structure import OrgEmployer, OrgLine, OrgPerson, Structure
from jointlead.ui.theme import (
    NHS_SECONDARY_TEXT,
    NHS_TEXT,
    NHS_WARM_YELLOW,
    NHS_WHITE,
    NHS_WINDOW,
    contrast_ratio,
)

CARD_WIDTH = 236.0
CARD_HEIGHT = 96.0
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
TEXT_ZOOM = 0.35  # below this scale card text is too small to read on screen, so only the cards' shapes are painted
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


def _wrapped(text: str, metrics: QFontMetricsF, width: float, lines: int) -> list[str]:
    """Words filled into at most `lines` lines of `width`; the last line elided if the text runs over."""
    result: list[str] = []
    words = text.split()
    while words and len(result) < lines:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        if len(result) == lines - 1 and words:
            line = f"{line} {' '.join(words)}"
            words = []
        result.append(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width))
    return result


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _readable_on(colour: str) -> str:
    return NHS_WHITE if contrast_ratio(NHS_WHITE, colour) >= contrast_ratio(NHS_TEXT, colour) else NHS_TEXT


class PersonCard(QGraphicsItem):
    """One person: painted directly (no child items), with its text laid out once, so 1,000 cards paint fast."""

    def __init__(self, person: OrgPerson, ghost: bool, tooltip: str) -> None:
        super().__init__()
        self.person = person
        self.ghost = ghost
        self.setData(PEOPLE_ROLE, person.id)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip(tooltip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)
        text_width = CARD_WIDTH - BAND - 2 * PADDING
        self._name = QFontMetricsF(NAME_FONT).elidedText(person.name, Qt.TextElideMode.ElideRight, text_width)
        self._title = _wrapped(person.job_title, QFontMetricsF(DETAIL_FONT), text_width, 2)
        grade = person.grade or "Grade not recorded"
        self._grade = grade if not ghost else f"{grade} · outside this view"
        self._code = person.employer_code
        self._code_width = QFontMetricsF(SMALL_FONT).horizontalAdvance(self._code) + 10 if self._code else 0.0
        self._grade = QFontMetricsF(DETAIL_FONT).elidedText(
            self._grade, Qt.TextElideMode.ElideRight, text_width - self._code_width - 6)

    def boundingRect(self) -> QRectF:
        return QRectF(-5, -5, CARD_WIDTH + 10, CARD_HEIGHT + 10)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        card = QRectF(0, 0, CARD_WIDTH, CARD_HEIGHT)
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
        band.addRoundedRect(QRectF(0, 0, BAND * 2, CARD_HEIGHT), 6, 6)
        clip = QPainterPath()
        clip.addRect(QRectF(0, 0, BAND, CARD_HEIGHT))
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
        painter.setFont(NAME_FONT)
        painter.drawText(QPointF(left, 24), self._name)
        painter.setFont(DETAIL_FONT)
        painter.setPen(QColor(NHS_SECONDARY_TEXT) if not self.ghost else text_colour)
        for n, line in enumerate(self._title):
            painter.drawText(QPointF(left, 44 + n * 16), line)
        painter.setPen(text_colour)
        painter.drawText(QPointF(left, CARD_HEIGHT - 11), self._grade)
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


def paint_legend(painter: QPainter, rect: QRectF, employers: Sequence[OrgEmployer], ghosts: bool, *,
                 wrap: bool = False) -> float:
    """The key to the chart, in a row: line kinds, the cross-organisation colour, and each employer's colour.
    With `wrap`, an entry that would run past the right of `rect` starts another row of the same height below
    (a printed page can be narrower than the key). Returns the height drawn: `rect`'s, times the rows.

    Shared by the widget and the PNG, PDF and printed exports, so the key on paper matches the screen."""
    painter.save()
    painter.setFont(_font(13))
    metrics = QFontMetricsF(painter.font())
    middle = rect.center().y()
    x = rect.left()
    rows = 1

    def room_for(width: float) -> None:
        nonlocal x, middle, rows
        if wrap and x > rect.left() and x + width > rect.right():
            x, middle, rows = rect.left(), middle + rect.height(), rows + 1

    def sample(pen: QPen, label: str) -> None:
        nonlocal x
        room_for(42 + metrics.horizontalAdvance(label))
        painter.setPen(pen)
        painter.drawLine(QPointF(x, middle), QPointF(x + 34, middle))
        painter.setPen(QColor(NHS_TEXT))
        painter.drawText(QPointF(x + 42, middle + metrics.ascent() / 2 - 1), label)
        x += 42 + metrics.horizontalAdvance(label) + 22

    def swatch(fill: QColor, border: QPen, label: str, width: float = 14) -> None:
        nonlocal x
        room_for(width + 7 + metrics.horizontalAdvance(label))
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(x, middle - 8, width, 16), 3, 3)
        painter.setPen(QColor(NHS_TEXT))
        painter.drawText(QPointF(x + width + 7, middle + metrics.ascent() / 2 - 1), label)
        x += width + 7 + metrics.horizontalAdvance(label) + 22

    sample(_line_pen("managerial", False, False), "Line manager")
    sample(_line_pen("professional", False, False), "Professional lead")
    sample(_line_pen("managerial", True, True), "Across organisations")
    for employer in employers:
        swatch(QColor(employer.colour), QPen(Qt.PenStyle.NoPen), f"{employer.code} {employer.name}")
    if ghosts:
        ghost = QPen(QColor(GHOST_BORDER), 1.5)
        ghost.setStyle(Qt.PenStyle.DashLine)
        swatch(QColor(NHS_WINDOW), ghost, "Outside this view", 24)
    painter.restore()
    return rect.height() * rows


class Legend(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.employers: Sequence[OrgEmployer] = ()
        self.ghosts = False
        self.setMinimumHeight(26)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Org chart key")

    def show_key(self, employers: Sequence[OrgEmployer], ghosts: bool) -> None:
        self.employers, self.ghosts = employers, ghosts
        names = ", ".join(f"{e.code} {e.name}" for e in employers)
        self.setAccessibleDescription("Solid grey: line manager. Dashed: professional lead. Orange and thicker: "
                                      f"the line crosses organisations. Card colour bands: {names}.")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, 26)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_legend(painter, QRectF(self.rect()).adjusted(2, 0, 0, 0), self.employers, self.ghosts)
        painter.end()


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


class OrgChart(QWidget):
    """The org chart with its controls: as-at date, team and employer filters, find, zoom, fit, and export."""

    person_activated = Signal(int)
    filters_changed = Signal(object, object, object)  # (date, team name or None, employer code or None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Org chart")
        self.structure: Structure | None = None
        self.layout_result: OrgLayout | None = None
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
        self.team = QComboBox(self)
        self.team.setAccessibleName("Team filter")
        self.team.view().setAccessibleName("Teams to choose from")
        self.team.setMinimumContentsLength(18)
        self.organisation = QComboBox(self)
        self.organisation.setAccessibleName("Employer filter")
        self.organisation.view().setAccessibleName("Employers to choose from")
        self.organisation.setMinimumContentsLength(16)
        self.professional = QCheckBox("Professional lines", self)
        self.professional.setChecked(True)
        self.professional.setAccessibleName("Show professional lines")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find a person…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a person in the chart")
        self.search.setMinimumWidth(200)
        self.find_button = self._button("Find", "Find the person named in the search box", secondary=True)
        self.zoom_out = self._button("−", "Zoom out", secondary=True)
        self.zoom_in = self._button("+", "Zoom in", secondary=True)
        self.fit_button = self._button("Fit", "Fit the whole chart in the window", secondary=True)
        self.actual_size = self._button("100%", "Zoom to actual size", secondary=True)
        self.zoom_label = QLabel("", self)
        self.zoom_label.setMinimumWidth(44)
        self.png_button = self._button("Save PNG…", "Save the chart as a PNG picture")
        self.pdf_button = self._button("Save PDF…", "Save the chart as a PDF page for board papers")

        self.scene = QGraphicsScene(self)
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

        filters = QHBoxLayout()
        for label, control in (("As at", self.as_at), ("Team", self.team), ("Employer", self.organisation)):
            caption = QLabel(label, self)
            caption.setBuddy(control)
            filters.addWidget(caption)
            filters.addWidget(control)
            filters.addSpacing(8)
        filters.addWidget(self.professional)
        filters.addStretch(1)
        filters.addWidget(self.png_button)
        filters.addWidget(self.pdf_button)
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
        self.scene.clear()
        self._matches, self._match_at = [], -1
        ghosts = {p.id for p in structure.outside}
        everyone = [*structure.people, *structure.outside]
        managerial = [(line.person_id, line.lead_id) for line in structure.lines if line.kind == "managerial"]
        self.layout_result = layout = layout_org([p.id for p in everyone], managerial)
        self.cards: dict[int, PersonCard] = {}
        by_id = {p.id: p for p in everyone}
        employers = {o.code: o.name for o in structure.organisations}
        leads: dict[int, list[OrgLine]] = {}
        for line in structure.lines:
            leads.setdefault(line.person_id, []).append(line)
        for person in everyone:
            ghost = person.id in ghosts
            card = PersonCard(person, ghost, _person_tooltip(person, ghost, leads.get(person.id, []),
                                                             by_id, employers))
            x, y = layout.positions[person.id]
            card.setPos(x * CARD_WIDTH, y * CARD_HEIGHT)
            self.scene.addItem(card)
            self.cards[person.id] = card
        self.line_items: list[QGraphicsPathItem] = []
        self._draw_managerial(structure.lines, layout)
        self._draw_professional(structure.lines, layout)
        self._draw_unmanaged_caption(layout)
        bounds = self.scene.itemsBoundingRect().marginsAdded(QMarginsF(MARGIN, MARGIN, MARGIN, MARGIN))
        self.scene.setSceneRect(bounds)
        self._show_professional(self.professional.isChecked())
        self.legend.show_key(self._employers_shown(structure), bool(structure.outside))
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

    def _employers_shown(self, structure: Structure) -> list[OrgEmployer]:
        codes = {p.employer_code for p in (*structure.people, *structure.outside)}
        known = [e for e in structure.organisations if e.code in codes]
        colours = {p.employer_code: p.employer_colour for p in (*structure.people, *structure.outside)}
        known += [OrgEmployer(code, "", colours[code]) for code in sorted(codes - {e.code for e in known}) if code]
        return known

    def _draw_managerial(self, lines: Sequence[OrgLine], layout: OrgLayout) -> None:
        routes = {key: route for key, route in layout.routes.items()}
        plain_by_lead: dict[int, list[tuple[tuple[float, float], ...]]] = {}
        crossing = {(line.person_id, line.lead_id) for line in lines
                    if line.kind == "managerial" and line.cross_organisation}
        for (person, lead), route in routes.items():
            if (person, lead) not in crossing:
                plain_by_lead.setdefault(lead, []).append(route)
        for (person, lead), route in routes.items():
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

    def _draw_professional(self, lines: Sequence[OrgLine], layout: OrgLayout) -> None:
        managers = {line.person_id: line.lead_id for line in lines if line.kind == "managerial"}
        for line in lines:
            if line.kind != "professional" or managers.get(line.person_id) == line.lead_id:
                continue
            if line.person_id not in self.cards or line.lead_id not in self.cards:
                continue
            lead, person = self.cards[line.lead_id].pos(), self.cards[line.person_id].pos()
            # Into the report's right edge, which connectors never use, so a dashed line never looks like it
            # joins the cards stacked above and below; out of the lead's bottom (or top) right of its stem.
            end = QPointF(person.x() + CARD_WIDTH, person.y() + CARD_HEIGHT * 0.5)
            if lead.y() + CARD_HEIGHT <= person.y():
                start = QPointF(lead.x() + CARD_WIDTH * 0.75, lead.y() + CARD_HEIGHT)
                bend = QPointF(start.x(), start.y() + max(60.0, (end.y() - start.y()) * 0.5))
            elif person.y() + CARD_HEIGHT <= lead.y():
                start = QPointF(lead.x() + CARD_WIDTH * 0.75, lead.y())
                bend = QPointF(start.x(), start.y() - max(60.0, (start.y() - end.y()) * 0.5))
            else:
                start = QPointF(lead.x() + (0 if lead.x() > person.x() else CARD_WIDTH), lead.y() + CARD_HEIGHT * 0.5)
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
        self.scene.addItem(item)
        self.line_items.append(item)

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
        for item in self.line_items:
            kind, person, lead, highlighted = item.data(LINE_ROLE)
            if person in chosen or lead in chosen:
                pen = QPen(item.pen())
                pen.setWidthF(pen.widthF() + 1.5)
                if not highlighted:
                    pen.setColor(QColor(NHS_TEXT))
                item.setPen(pen)
                item.setZValue(item.zValue() + 1)
                self._emphasised.append(item)

    def _draw_unmanaged_caption(self, layout: OrgLayout) -> None:
        if layout.unmanaged_area is None or not layout.roots:
            return
        x, y, width, height = layout.unmanaged_area
        area = QRectF(x * CARD_WIDTH, y * CARD_HEIGHT, width * CARD_WIDTH, height * CARD_HEIGHT).adjusted(-1, -1, 1, 1)
        grid = [card for card in self.cards.values() if area.contains(card.pos())]
        ghosts = sum(1 for card in grid if card.ghost)
        text = ("Leads outside this view" if ghosts == len(grid)
                else "No line manager in this chart" if not ghosts
                else "No line manager here, or a lead outside this view")
        caption = QGraphicsSimpleTextItem(text)
        caption.setFont(_font(13, bold=True))
        caption.setBrush(QColor(NHS_SECONDARY_TEXT))
        caption.setPos(x * CARD_WIDTH, y * CARD_HEIGHT - 26)
        self.scene.addItem(caption)

    def _show_professional(self, shown: bool) -> None:
        for item in self.line_items:
            if item.data(LINE_ROLE)[0] == "professional":
                item.setVisible(shown)

    def _summarise(self, structure: Structure) -> None:
        managerial = [line for line in structure.lines if line.kind == "managerial"]
        crossing = sum(1 for line in structure.lines if line.cross_organisation)
        unmanaged = len(structure.people) - len({line.person_id for line in managerial})
        text = (f"{len(structure.people)} people as at {structure.as_at:%d %b %Y}; "
                f"{_count(crossing, 'line')} cross organisations; {unmanaged} without a line manager in the chart.")
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
            self.team.clear()
            self.team.addItem("All teams", None)
            for name in structure.teams:
                self.team.addItem(name, name)
            if structure.team and structure.team not in structure.teams:
                self.team.addItem(structure.team, structure.team)
            self.team.setCurrentIndex(max(0, self.team.findData(structure.team)))
            self.organisation.clear()
            self.organisation.addItem("All employers", None)
            for employer in structure.organisations:
                self.organisation.addItem(f"{employer.code} – {employer.name}", employer.code)
            self.organisation.setCurrentIndex(max(0, self.organisation.findData(structure.organisation)))
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

    def paint_page(self, painter: QPainter, page: QRectF) -> None:
        """Title, as-at date and key across the top of `page`, the whole chart fitted below them, in 96 dpi pixels.

        Used by the PNG and PDF exports here and by File > Print (ui/printing.py's ChartPrintout)."""
        structure = self.structure
        painter.fillRect(page, QColor(NHS_WHITE))
        painter.setPen(QColor(NHS_TEXT))
        # The title wraps: a long team and employer would otherwise run off a portrait page.
        top = self._paint_wrapped(painter, self._title(), _font(24, bold=True), QRectF(page.left(), page.top(),
                                                                                       page.width(), page.height()))
        painter.setPen(QColor(NHS_SECONDARY_TEXT))
        people = len(structure.people) if structure else 0
        top = self._paint_wrapped(painter, f"As at {structure.as_at:%d %B %Y} · {people} people" if structure
                                  else "", _font(14), QRectF(page.left(), top + 2, page.width(), page.height()))
        key = paint_legend(painter, QRectF(page.left(), top + 6, page.width(), 26),
                           self._employers_shown(structure) if structure else (),
                           bool(structure and structure.outside), wrap=True)
        top = top + 6 + key + 10 - page.top()
        chart = QRectF(page.left(), page.top() + top, page.width(), page.height() - top)
        source = self.scene.itemsBoundingRect().marginsAdded(QMarginsF(10, 10, 10, 10))
        selected = self.scene.selectedItems()
        self.scene.clearSelection()  # the yellow selection ring is for the screen, not the board paper
        background = self.scene.backgroundBrush()
        self.scene.setBackgroundBrush(QBrush(QColor(NHS_WHITE)))
        try:
            self.scene.render(painter, chart, source, Qt.AspectRatioMode.KeepAspectRatio)
        finally:
            self.scene.setBackgroundBrush(background)
            for item in selected:
                item.setSelected(True)

    @staticmethod
    def _paint_wrapped(painter: QPainter, text: str, font: QFont, room: QRectF) -> float:
        """`text` in `font`, wrapped at the width of `room` from its top left; returns where the text ends below."""
        painter.setFont(font)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        used = painter.boundingRect(room, flags, text)
        painter.drawText(used, flags, text)
        return used.bottom() if text else room.top() + QFontMetricsF(font).height()

    def save_png(self, path: str | Path, scale: float = 1.0, max_side: int = 16000) -> Path:
        """The whole chart as a PNG at `scale` (1.0 = screen size at 100%), smaller if it would exceed `max_side`."""
        path = Path(path)
        source = self.scene.itemsBoundingRect().marginsAdded(QMarginsF(10, 10, 10, 10))
        width = max(source.width(), 1000.0)
        scale = min(scale, max_side / max(width, source.height() + 96))
        page = QRectF(0, 0, width, source.height() + 96)
        image = QImage(QSize(int(page.width() * scale) + 48, int(page.height() * scale) + 48),
                       QImage.Format.Format_ARGB32)
        image.fill(QColor(NHS_WHITE))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.translate(24, 24)
        painter.scale(scale, scale)
        self.paint_page(painter, page)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"Could not write {path}.")
        return path

    def save_pdf(self, path: str | Path, page_size: str = "auto") -> Path:
        """One landscape page (A4, or A3 when A4 would make the cards too small to read) with title and date."""
        path = Path(path)
        source = self.scene.itemsBoundingRect()
        if page_size == "auto":
            a4_width = 277 / 25.4 * 96  # A4 landscape less 10 mm margins, in 96 dpi pixels
            a4_height = 190 / 25.4 * 96 - 96
            fits = min(a4_width / max(source.width(), 1), a4_height / max(source.height(), 1))
            page_size = "A4" if fits >= 0.5 else "A3"
        writer = QPdfWriter(str(path))
        writer.setTitle(self._title())
        writer.setCreator("jointlead")
        size = QPageSize(QPageSize.PageSizeId.A3 if page_size == "A3" else QPageSize.PageSizeId.A4)
        writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Landscape, QMarginsF(10, 10, 10, 10),
                                         QPageLayout.Unit.Millimeter))
        painter = QPainter(writer)
        if not painter.isActive():
            raise OSError(f"Could not write {path}.")
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        dots = writer.resolution() / 96  # draw in 96 dpi pixels, as on screen
        painter.scale(dots, dots)
        self.paint_page(painter, QRectF(0, 0, writer.width() / dots, writer.height() / dots))
        painter.end()
        return path

    def _ask_png(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the org chart as a picture", "org-chart.png",
                                              "PNG pictures (*.png)")
        if name:
            self.save_png(name if name.lower().endswith(".png") else f"{name}.png")

    def _ask_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the org chart as a PDF", "org-chart.pdf",
                                              "PDF documents (*.pdf)")
        if name:
            self.save_pdf(name if name.lower().endswith(".pdf") else f"{name}.pdf")

