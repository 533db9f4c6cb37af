"""A laptop's window fits every page: at 1024×640 no button or filter runs off the right edge or is squeezed narrower
than its words, and at 1280×800 the Actions table shows each action's due date and status without scrolling, and the
Supervision tables every column (with room, every name whole). The
import screens open no larger than the laptop's screen and can be made smaller still. The org chart keeps room to
show the chart."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QScreen
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QLabel, QWidget

from jointlead.ui.import_wizard import ImportWizard
from jointlead.ui.tracker_import_dialog import TrackerImportDialog
from jointlead.ui.widgets import Tile

PAGES = ("Dashboard", "Budgets", "People & lines", "Supervision", "Actions")
TITLE_BAR = 40  # what the window system adds above a dialog, outside its size


def _show(window, title: str | None = None, size: tuple[int, int] | None = None) -> QWidget:
    if size:
        window.resize(*size)
    if title:
        window.show_page(title)
    for _ in range(3):  # a row that wraps changes the height the page asks of the next pass
        QApplication.processEvents()
    return window.current_page()


def _cut_off(window: QWidget, page: QWidget) -> list[str]:
    """The page's controls in sight that run past the window's right edge or are squeezed below their minimum width
    (a layout given less than it needs squeezes them: "ecord session" for "Record session…")."""
    controls = [*page.findChildren(QAbstractButton), *page.findChildren(QComboBox),
                *page.findChildren(QAbstractSpinBox)]
    cut = []
    for control in (control for control in controls if control.isVisible()):
        right = control.mapTo(window, QPoint(control.width(), 0)).x()
        needed = control.minimumWidth() or control.minimumSizeHint().width()
        if right > window.width() or control.width() < needed:
            name = control.text() if isinstance(control, QAbstractButton) else control.accessibleName()
            cut.append(f"{name!r} (right edge {right}, {control.width()} of {needed} wide)")
    return cut


def test_every_page_fits_a_small_laptop_window_and_the_actions_table_shows_due_and_status(window, demo_db):
    window.set_database(demo_db)
    _show(window, size=(1024, 640))
    for title in PAGES:
        page = _show(window, title)
        assert _cut_off(window, page) == [], title
    page = _show(window, "People & lines")
    page.tabs.setCurrentWidget(page.chart)  # its toolbar is the chart's own
    assert _cut_off(window, _show(window)) == [], "Org chart"
    # The table's filters and buttons make way for the chart, which has its own: a chart 120 pixels tall, one card,
    # was no use.
    assert not page.table_controls.isVisible() and page.chart.view.height() >= 250
    page.tabs.setCurrentIndex(0)
    assert page.table_controls.isVisible()
    page.tabs.setCurrentWidget(page.chart)

    page = _show(window, "Actions")
    page.tabs.setCurrentIndex(1)  # Meetings: the counts beside a long meeting name
    _show(window)
    assert _out_of_sight(page.meetings.view) == []

    page = _show(window, "Actions", (1280, 800))
    page.tabs.setCurrentIndex(0)
    _show(window)
    out = _out_of_sight(page.table.view)
    assert "Due" not in out and "Status" not in out, out


def _hidden(table) -> list[str]:
    header = table.view.horizontalHeader()
    return [table.model.headerData(column, Qt.Orientation.Horizontal) for column in range(header.count())
            if header.isSectionHidden(column)]


def test_columns_ticked_off_in_the_headings_menu_leave_the_rest_in_sight_and_stay_off_next_time(make_window,
                                                                                                 demo_db):
    window = make_window()
    window.set_database(demo_db)
    page = _show(window, "Actions", (1280, 800))
    assert {"Priority", "Latest update", "Agreed at"} <= set(_out_of_sight(page.table.view))
    choices = {choice.text(): choice for choice in page.table.column_menu().actions() if choice.isCheckable()}
    assert list(choices) == ["Ref", "RAG", "Action", "Due", "Status", "Owner", "Priority", "Latest update",
                             "Agreed at"]
    assert all(choice.isChecked() for choice in choices.values())
    assert not choices["Action"].isEnabled()  # the column naming each action stays
    for heading in ("Priority", "Latest update", "Agreed at"):
        choices[heading].trigger()
    _show(window)
    assert _hidden(page.table) == ["Priority", "Latest update", "Agreed at"]
    assert _out_of_sight(page.table.view) == []
    assert page.table.view.horizontalScrollBar().maximum() == 0

    later = make_window()  # the next start, on the same settings
    assert _hidden(_show(later, "Actions").table) == ["Priority", "Latest update", "Agreed at"]
    menu = page.table.column_menu()
    assert [choice.text() for choice in menu.actions() if choice.isCheckable() and not choice.isChecked()] == [
        "Priority", "Latest update", "Agreed at"]
    next(choice for choice in menu.actions() if choice.text() == "Show every column").trigger()
    _show(window)
    assert _hidden(page.table) == []
    assert _hidden(_show(make_window(), "Actions").table) == []


def test_a_divider_dragged_stays_where_it_was_left_at_the_next_start(make_window, demo_db):
    window = make_window()
    window.set_database(demo_db)
    page = _show(window, "Actions", (1280, 800))
    dividers = {}
    for tab, table in ((1, page.meetings), (0, page.table)):  # the meetings' divider on the tab behind
        page.tabs.setCurrentIndex(tab)
        _show(window)
        divider = table.parentWidget()
        assert not divider.childrenCollapsible()  # the details are never dragged shut
        before = divider.sizes()
        divider.moveSplitter(before[0] + 100, 1)  # as dragging it does: the details narrower, the list wider
        _show(window)
        assert divider.sizes()[0] == before[0] + 100
        dividers[tab] = divider.sizes()
    window.close()  # where they were left is kept as the window closes

    def dividers_at_start(window) -> dict:
        page = _show(window, "Actions")
        shown = {}
        for tab, table in ((1, page.meetings), (0, page.table)):
            page.tabs.setCurrentIndex(tab)
            _show(window)
            shown[tab] = table.parentWidget().sizes()
        return shown

    later = make_window()
    later.resize(1280, 800)
    assert _show(later, "Actions").table.parentWidget().sizes() == dividers[0]
    later.close()  # neither dragged this time, the meetings' tab not even opened: neither place is changed
    again = make_window()
    again.resize(1280, 800)
    assert dividers_at_start(again) == dividers


def test_the_menu_key_in_a_table_or_a_right_click_on_its_headings_opens_its_columns(window, demo_db, monkeypatch):
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QMenu

    from jointlead.ui import widgets

    opened = []

    class Opened(QMenu):
        def exec(self, *_where):
            opened.append([choice.text() for choice in self.actions() if choice.isCheckable()])

    monkeypatch.setattr(widgets, "QMenu", Opened)
    window.set_database(demo_db)
    view = _show(window, "Actions").table.view
    # What Qt sends for the Menu key or Shift+F10 (the offscreen platform sends nothing for the key itself).
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(5, 5),
                                                              view.viewport().mapToGlobal(QPoint(5, 5))))
    QApplication.sendEvent(view.horizontalHeader().viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse,
                                                                                   QPoint(5, 5), QPoint(5, 5)))
    assert opened == [["Ref", "RAG", "Action", "Due", "Status", "Owner", "Priority", "Latest update",
                       "Agreed at"]] * 2


def test_a_column_cut_short_to_fit_is_cut_short_again_when_shown_again(window):
    from jointlead.ui.table_model import Column
    from jointlead.ui.widgets import DataTable

    table = DataTable("notes", [Column("Name", str), Column("Note", lambda _r: "A long note " * 20, max_width=100),
                                Column("By", lambda _r: "Someone")], "No notes.", window, stretch_column=0)
    table.set_rows(["One", "Two"])
    table.setGeometry(0, 0, 400, 300)  # inside the window, over its pages
    table.show()
    QApplication.processEvents()
    header = table.view.horizontalHeader()
    fitted = header.sectionSize(1)
    assert 100 <= fitted < 400  # the room the name leaves it, not its whole text
    table.show_column("Note", False)
    table.show_column("Note", True)
    QApplication.processEvents()
    assert header.sectionSize(1) == fitted  # was: as wide as its whole text, pushing By out of sight
    assert _out_of_sight(table.view) == []
    table.setGeometry(0, 0, 300, 300)
    QApplication.processEvents()
    assert header.sectionSize(1) < fitted  # narrower, it gives the room back


def test_a_month_ticked_off_in_the_budget_grid_stays_off_whatever_its_heading_says(window, demo_db):
    window.set_database(demo_db)
    page = _show(window, "Budgets")
    page.tabs.setCurrentWidget(page.months_tab)
    grid = page.months
    [m8] = [column.header for column in grid.model.columns if column.header.startswith("M8 ")]
    grid.show_column(grid.model.columns[[c.header for c in grid.model.columns].index(m8)].name, False)
    assert m8 in _hidden(grid)
    page.measure.setCurrentIndex(1 - page.measure.currentIndex())  # the headings change: "forecast" or "open"
    page.measure.activated.emit(page.measure.currentIndex())  # as choosing it does
    _show(window)
    [now] = [heading for heading in _hidden(grid)]
    assert now.startswith("M8 ") and now != m8


def test_the_last_column_shown_cannot_be_ticked_off(window):
    from jointlead.ui.table_model import Column
    from jointlead.ui.widgets import DataTable

    table = DataTable("notes", [Column("Note", str), Column("By", str)], "No notes.", None)
    table.set_rows(["One"])
    table.show_column("Note", False)
    assert _hidden(table) == ["Note"]
    choices = [choice for choice in table.column_menu().actions() if choice.isCheckable()]
    assert [(choice.text(), choice.isChecked(), choice.isEnabled()) for choice in choices] == [
        ("Note", False, True), ("By", True, False)]


def test_the_supervision_tables_show_every_column_on_a_laptop_and_every_name_whole_with_room(window, demo_db):
    window.set_database(demo_db)
    page = _show(window, "Supervision", (1280, 800))
    tables = {"Needs action": page.needing, "Everyone": page.everyone, "By supervisor": page.by_supervisor}
    for view, table in tables.items():
        page.tabs.setCurrentWidget(page.views[view])  # (By supervisor's table is under a line that sums it up)
        _show(window)
        assert _out_of_sight(table.view) == [], table.view.accessibleName()
    _show(window, size=(1920, 1040))
    for view, table in tables.items():
        page.tabs.setCurrentWidget(page.views[view])
        _show(window)
        header = table.view.horizontalHeader()
        cut = [table.model.columns[c].header for c in range(header.count())
               if header.sectionSize(c) < table.view.sizeHintForColumn(c)]
        assert cut == [], table.view.accessibleName()
    _show(window, size=(1280, 800))  # and back: the names give the room back
    assert _out_of_sight(page.by_supervisor.view) == []


def _out_of_sight(view) -> list[str]:
    """The headings of the table's columns shown but not wholly inside its viewport."""
    header = view.horizontalHeader()
    out = []
    for column in (column for column in range(header.count()) if not header.isSectionHidden(column)):
        left = header.sectionViewportPosition(column)
        if left < 0 or left + header.sectionSize(column) > view.viewport().width():
            out.append(view.model().headerData(column, Qt.Orientation.Horizontal))
    return out


def _below(dialog: QWidget) -> list[str]:
    """The dialog's buttons in sight whose bottom edge is below the dialog's."""
    return [button.text() for button in dialog.findChildren(QAbstractButton) if button.isVisible()
            and button.mapTo(dialog, QPoint(0, button.height())).y() > dialog.height()]


@pytest.mark.parametrize(("screen", "import_size", "tracker_size"), [
    ((1024, 600), None, None),  # a small laptop
    ((1366, 614), None, None),  # 1366×768 at 125%, less the taskbar
    ((1920, 1040), (1180, 760), (1040, 680)),  # room to spare: each opens at the size it would like
])
def test_the_import_screens_fit_the_screen_they_open_on_and_work_at_their_smallest(window, demo_db, monkeypatch,
                                                                                   screen, import_size, tracker_size):
    available = QRect(0, 0, *screen)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: available)
    window.set_database(demo_db)
    window.resize(1600, 1000)  # a window as big as it may be, so only the screen limits the dialogs
    window.import_action.trigger()
    window.tracker_action.trigger()
    for dialog, preferred in ((window.findChild(ImportWizard), import_size),
                              (window.findChild(TrackerImportDialog), tracker_size)):
        name = type(dialog).__name__
        assert dialog.isVisible(), name
        minimum = dialog.minimumSize()
        assert minimum.width() <= 1024 and minimum.height() + TITLE_BAR <= 600, name
        assert dialog.width() <= available.width() and dialog.height() + TITLE_BAR <= available.height(), name
        if preferred:
            assert dialog.size() == QSize(*preferred), name
        dialog.resize(minimum)
        for _ in range(3):
            QApplication.processEvents()
        assert dialog.size() == minimum, name  # the layout does not hold it larger
        assert _cut_off(dialog, dialog) == [] and _below(dialog) == [], name


def test_the_supervision_trend_shows_whole_on_a_small_laptop_its_months_named_and_its_key_in_sight(window, demo_db):
    window.set_database(demo_db)
    page = _show(window, "Supervision", size=(1024, 640))
    page.tabs.setCurrentWidget(page.trend)
    _show(window)
    chart = page.trend.chart()
    [months] = chart.axes(Qt.Orientation.Horizontal)
    # Names alone under the points ("Dec 2025" under each was cut to "Dec …"), the years once in the title.
    assert months.categoriesLabels() == ["Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                         "Nov"]
    assert "Dec 2025 to Nov 2026" in chart.title()
    key = chart.legend().geometry()
    bottom = page.trend.mapTo(window, page.trend.mapFromScene(key.bottomRight()))
    assert chart.legend().isVisible() and bottom.y() <= window.statusBar().y()


def test_a_table_out_of_sight_is_fitted_to_its_rows_when_it_shows_not_each_time_they_are_set(window):
    """A page sets the rows of every tab after each change; measuring each tab's columns then is what made a
    supervision session slow to record on a large service."""
    from PySide6.QtWidgets import QTabWidget

    from jointlead.ui.table_model import Column
    from jointlead.ui.widgets import DataTable

    tabs = QTabWidget(window)
    tabs.setGeometry(0, 0, 900, 400)
    shown = DataTable("notes", [Column("Note", str)], "No notes.", tabs)
    hidden = DataTable("names", [Column("Name", str), Column("By", str)], "No names.", tabs)
    tabs.addTab(shown, "Shown")
    tabs.addTab(hidden, "Hidden")
    tabs.show()
    QApplication.processEvents()
    measured = []
    hidden.view.sizeHintForColumn = lambda column: measured.append(column) or 0
    hidden.set_rows(["Annabel Featherstone", "Ann"])
    assert measured == []
    del hidden.view.sizeHintForColumn
    tabs.setCurrentWidget(hidden)
    QApplication.processEvents()
    header = hidden.view.horizontalHeader()
    assert header.sectionSize(0) >= hidden.view.sizeHintForColumn(0) > 100


@pytest.mark.parametrize("size", [(1280, 800), (1024, 640)])
def test_a_tiles_figure_is_drawn_whole_however_narrow_the_tile(window, demo_db, size):
    """A figure too wide for its tile is drawn smaller, never cut: "£12,800,00" would read as another number. Its
    last column of pixels crossing a digit's stroke would mean the digit runs past the edge."""
    window.set_database(demo_db)
    cut = []
    for title in PAGES:
        page = _show(window, title, size)
        for tile in page.findChildren(Tile):
            if not tile.isVisible() or not tile.value_text():
                continue
            figure = tile.findChild(QLabel, "tileValue").grab().toImage()
            edge = [QColor(figure.pixel(figure.width() - 1, y)).lightness() for y in range(figure.height())]
            if min(edge) < 128:
                cut.append(f"{title}: {tile.keyed_title()} {tile.value_text()}")
    assert cut == []
