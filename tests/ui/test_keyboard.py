"""The keyboard gets everywhere: Tab and Shift+Tab leave a table (arrow keys move within it), so nothing after one
is out of a keyboard user's reach."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from jointlead.ui.table_model import Column
from jointlead.ui.widgets import DataTable

TAB, BACKTAB = Qt.Key.Key_Tab, Qt.Key.Key_Backtab


def _press(key: Qt.Key, window: QWidget) -> QWidget:
    """Press `key` in the window's focus widget, as a user would; returns the widget with the focus after."""
    QTest.keyClick(window.focusWidget(), key)
    return window.focusWidget()


@pytest.fixture
def form(qtbot):
    """A field, a table of three rows by three columns, and a button, in that order."""
    form = QWidget()
    qtbot.addWidget(form)
    form.resize(600, 400)
    layout = QVBoxLayout(form)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # the offscreen platform warns of size limits
    before = QLineEdit(form)
    table = DataTable("rows", [Column(name, lambda r, name=name: f"{name}{r.n}") for name in "ABC"], "None yet.",
                      form, searchable=False)
    after = QPushButton("After", form)
    for widget in (before, table, after):
        layout.addWidget(widget)
    table.set_rows([SimpleNamespace(n=n) for n in range(3)])
    form.show()
    table.view.setCurrentIndex(table.model.index(0, 0))
    table.view.setFocus()
    assert form.focusWidget() is table.view
    return SimpleNamespace(window=form, before=before, table=table, after=after)


def test_the_arrow_keys_move_within_a_table_and_tab_leaves_it_for_the_control_after_it(form):
    view = form.table.view

    def cell() -> tuple[int, int]:
        return view.currentIndex().row(), view.currentIndex().column()

    assert _press(Qt.Key.Key_Right, form.window) is view and cell() == (0, 1)
    assert _press(Qt.Key.Key_Down, form.window) is view and cell() == (1, 1)
    assert _press(TAB, form.window) is form.after


def test_shift_tab_leaves_a_table_for_the_control_before_it(form):
    assert _press(BACKTAB, form.window) is form.before


def test_every_table_in_the_window_lets_tab_through(window, demo_db):
    window.set_database(demo_db)
    for title in window.titles:  # a page's tables are made when it is first shown
        window.show_page(title)
    views = window.findChildren(QAbstractItemView)
    assert any(isinstance(view.parent().parent(), DataTable) for view in views)  # the pages' tables are among them
    assert [view.accessibleName() for view in views if view.tabKeyNavigation()] == []


def test_tab_reaches_the_actions_buttons_after_the_actions_table(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Actions")
    page = window.current_page()
    page.table.view.setFocus()
    assert window.focusWidget() is page.table.view
    reached = []
    for _ in range(20):
        widget = _press(TAB, window)
        if isinstance(widget, QPushButton):
            reached.append(widget.text().replace("&", ""))  # each has its Alt+letter too (test_actions_page)
        if widget is page.table.view:
            break
    buttons = ["Update…", "Status…", "Due date…", "RAG…"]
    assert [text for text in reached if text in buttons] == buttons  # in the order they read, however they wrap


def test_tab_on_supervision_reaches_the_employer_filter_before_the_buttons_below_it(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Supervision")
    page = window.current_page()
    record = next(b for b in page.findChildren(QPushButton) if b.text().replace("&", "") == "Record session…")
    chain, widget = [], page.nextInFocusChain()
    while widget is not page and len(chain) < 500:  # Tab's order through the page
        chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain.index(page.organisation) < chain.index(record)  # it is above them on the page
