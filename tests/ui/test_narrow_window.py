"""A laptop's window fits every page: at 1024×640 no button or filter runs off the right edge or is squeezed narrower
than its words, and at 1280×800 the Actions table shows each action's due date and status without scrolling, and the
Supervision tables every column (with room, every name whole). The
import screens open no larger than the laptop's screen and can be made smaller still. The org chart keeps room to
show the chart."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QWidget

from jointlead.ui.import_wizard import ImportWizard
from jointlead.ui.tracker_import_dialog import TrackerImportDialog

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


def test_the_supervision_tables_show_every_column_on_a_laptop_and_every_name_whole_with_room(window, demo_db):
    window.set_database(demo_db)
    page = _show(window, "Supervision", (1280, 800))
    tables = (page.needing, page.everyone, page.by_supervisor)
    for table in tables:
        page.tabs.setCurrentWidget(table)
        _show(window)
        assert _out_of_sight(table.view) == [], table.view.accessibleName()
    _show(window, size=(1920, 1040))
    for table in tables:
        page.tabs.setCurrentWidget(table)
        _show(window)
        header = table.view.horizontalHeader()
        cut = [table.model.columns[c].header for c in range(header.count())
               if header.sectionSize(c) < table.view.sizeHintForColumn(c)]
        assert cut == [], table.view.accessibleName()
    _show(window, size=(1280, 800))  # and back: the names give the room back
    assert _out_of_sight(page.by_supervisor.view) == []


def _out_of_sight(view) -> list[str]:
    """The headings of the table's columns not wholly inside its viewport."""
    header = view.horizontalHeader()
    out = []
    for column in range(header.count()):
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
