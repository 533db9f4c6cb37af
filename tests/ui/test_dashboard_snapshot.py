"""The dashboard's snapshot kept at close: what the next start paints before the database opens, on whichever of the
days to come it is."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from PySide6.QtCore import QSettings

from conftest import DEMO_TODAY
from jointlead.paths import dashboard_snapshot
from jointlead.services import actions, files
from jointlead.ui import application
from jointlead.ui.application import SNAPSHOT_DAYS, _load_snapshot, _SnapshotKeeper
from jointlead.ui.dashboard_page import DashboardPage
from jointlead.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def time_enough(monkeypatch):
    """However busy the machine running the tests, every day is worked out (one test says otherwise)."""
    monkeypatch.setattr(application, "SNAPSHOT_SECONDS", 60.0)


def close_keeping_snapshot(window: MainWindow, path) -> None:
    """Open the file in the window, as a start does, and close it: the snapshot is written as jointlead quits."""
    keeper = _SnapshotKeeper(window)
    window.set_database(files.open_existing(path))
    keeper.note()
    window.close()
    keeper.write()


def live_view(qtbot, settings_path, path, day: date) -> dict:
    """The dashboard as a window opened on `day` shows it, filled from the database."""
    window = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat), today=lambda: day)
    qtbot.addWidget(window)
    window.show()
    window.set_database(files.open_existing(path))
    try:
        return json.loads(json.dumps(window.dashboard.view_state()))  # as the snapshot file holds it
    finally:
        window.close()


def test_the_first_start_of_each_day_to_come_paints_what_the_database_will_show_that_day(
        make_window, qtbot, settings_path, demo_path, data_dir):
    close_keeping_snapshot(make_window(), demo_path)
    assert dashboard_snapshot().is_file()
    views = {}
    for ahead in range(SNAPSHOT_DAYS + 1):
        day = DEMO_TODAY + timedelta(days=ahead)
        snapshot = _load_snapshot(demo_path, day)
        assert snapshot is not None, day
        assert snapshot["dashboard"] == live_view(qtbot, settings_path, demo_path, day), day
        views[day] = snapshot["dashboard"]
    # Each day's was worked out for that day: actions fall due and supervision lapses as the days pass.
    assert len({json.dumps(view, sort_keys=True) for view in views.values()}) > 1
    assert _load_snapshot(demo_path, DEMO_TODAY + timedelta(days=SNAPSHOT_DAYS + 1)) is None  # too long away
    assert _load_snapshot(demo_path, DEMO_TODAY - timedelta(days=1)) is None
    assert dashboard_snapshot().is_file()  # kept, for a day it covers


def test_what_the_user_chose_on_the_dashboard_is_not_what_the_next_start_shows(make_window, demo_path, data_dir):
    window = make_window()
    keeper = _SnapshotKeeper(window)
    window.set_database(files.open_existing(demo_path))
    keeper.note()
    start = window.dashboard.view_state()
    window.dashboard.show_for("NCC")
    assert window.dashboard.view_state() != start
    window.close()
    keeper.write()
    assert _load_snapshot(demo_path, DEMO_TODAY)["dashboard"] == json.loads(json.dumps(start))


def test_a_file_changed_while_open_is_kept_as_it_was_at_close(make_window, demo_path, data_dir):
    window = make_window()
    keeper = _SnapshotKeeper(window)
    window.set_database(files.open_existing(demo_path))
    keeper.note()
    open_before = int(window.dashboard.tiles["Open actions"].value_text())
    actions.quick_add(window.database, "Agree the winter plan", None, DEMO_TODAY + timedelta(days=60),
                      today=DEMO_TODAY)
    window.close()
    keeper.write()
    for ahead in (0, SNAPSHOT_DAYS):
        view = _load_snapshot(demo_path, DEMO_TODAY + timedelta(days=ahead))["dashboard"]
        assert view["tiles"]["Open actions"][0] == str(open_before + 1)


def test_a_start_shown_from_a_current_snapshot_keeps_its_days_without_working_them_out_again(
        make_window, demo_path, data_dir, monkeypatch):
    close_keeping_snapshot(make_window(), demo_path)
    kept = json.loads(dashboard_snapshot().read_text(encoding="utf-8"))
    shown = _load_snapshot(demo_path, DEMO_TODAY)
    window = make_window()
    keeper = _SnapshotKeeper(window)
    window.set_database(files.open_existing(demo_path))
    assert window.dashboard.view_state() == shown["dashboard"]

    pages_made = []

    def counted_page(parent):
        pages_made.append(parent)
        return DashboardPage(parent)

    monkeypatch.setattr(application, "DashboardPage", counted_page)
    keeper.note(shown)
    window.close()
    keeper.write()
    assert pages_made == []  # nothing was worked out again
    assert json.loads(dashboard_snapshot().read_text(encoding="utf-8")) == kept


def test_days_that_take_too_long_to_work_out_are_left_out_not_waited_for(make_window, demo_path, data_dir,
                                                                          monkeypatch):
    monkeypatch.setattr(application, "SNAPSHOT_SECONDS", 0.0)
    close_keeping_snapshot(make_window(), demo_path)
    assert _load_snapshot(demo_path, DEMO_TODAY) is not None  # today's, noted as the database opened
    assert _load_snapshot(demo_path, DEMO_TODAY + timedelta(days=2)) is None


def test_jointlead_reopened_while_the_days_are_worked_out_opens_the_file_and_its_changes_are_not_overlooked(
        make_window, demo_path, data_dir, monkeypatch):
    window = make_window()
    keeper = _SnapshotKeeper(window)
    window.set_database(files.open_existing(demo_path))
    keeper.note()
    reopened = []

    class ReopenedMeanwhile(DashboardPage):
        def show_start(self, database, today):
            if not reopened:  # someone opens jointlead again while the first is still working out the days
                again = files.open_existing(demo_path)
                actions.quick_add(again, "Agree the winter plan", None, DEMO_TODAY + timedelta(days=60),
                                  today=DEMO_TODAY)
                reopened.append(again)
            super().show_start(database, today)

    monkeypatch.setattr(application, "DashboardPage", ReopenedMeanwhile)
    window.close()
    keeper.write()
    assert reopened, "the file was still locked"
    reopened[0].close()
    # The views were worked out from the file as it was before the other window's change: none is kept.
    assert _load_snapshot(demo_path, DEMO_TODAY) is None
