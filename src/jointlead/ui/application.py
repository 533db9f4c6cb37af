"""Builds the QApplication, applies the theme, and runs the main window until the user quits."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from jointlead import __version__
from jointlead.domain.errors import JointleadError
from jointlead.paths import dashboard_snapshot, data_dir, shipped
from jointlead.ui.dashboard_page import DashboardPage
from jointlead.ui.main_window import MainWindow
from jointlead.ui.messages import show_problem, show_unexpected
from jointlead.ui.theme import STYLESHEET

if TYPE_CHECKING:
    from jointlead.services.files import Database

log = logging.getLogger(__name__)
IN_FUSION = "jointlead.fusion"  # a property of the application, once its style is set
ICON = "jointlead.ico"  # in resources/, drawn in jointlead.svg (installer/render_icon.py)


def open_settings() -> QSettings:
    """Window state and recent files, kept in the data folder beside the database (not the registry)."""
    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def make_application(style_sheet: bool = True) -> QApplication:
    """The application, in jointlead's style; without its style sheet yet when `style_sheet` is False (see run())."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("jointlead")
    app.setOrganizationName("jointlead")
    # Styled (and given its icon) once: with a style sheet in force, style() is the sheet's own style, which names no
    # style, and setting the style again restyles every widget alive.
    if not app.property(IN_FUSION):
        app.setStyle("Fusion")
        app.setProperty(IN_FUSION, True)
        icons = shipped("resources", ICON)
        if icons is None:  # an installation missing files: the window still opens, with Qt's own icon
            log.warning("The application icon is missing from this installation")
        else:
            app.setWindowIcon(QIcon(str(icons / ICON)))
    if style_sheet:
        apply_style_sheet(app)
    return app


def apply_style_sheet(app: QApplication) -> None:
    # Styled once: setting a style sheet again restyles every widget alive, which grows with each window made.
    if app.styleSheet() != STYLESHEET:
        app.setStyleSheet(STYLESHEET)


def _styled_main_window() -> tuple[QApplication, MainWindow]:
    """The application and its main window, built first and styled after.

    With the style sheet in force, every widget added to a layout or a stack restyles itself: the window took 0.37 s
    to build that way, against 0.07 s to build and 0.06 s to style once built, with the same pixels on every page.
    """
    app = make_application(style_sheet=False)
    window = MainWindow(open_settings())
    apply_style_sheet(app)
    return app, window


def _unexpected_error_hook(log_path: Path) -> Callable[[type[BaseException], BaseException, TracebackType | None],
                                                       None]:
    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if isinstance(error, JointleadError):
            # A problem in the user's words that reached no dialog on its way (a shared database's connection lost
            # while a page was reading, say): said as the problem it is. Its words may name people: not logged.
            log.warning("%s reached the window unhandled", kind.__name__)
            show_problem(QApplication.activeWindow(), error)
            return
        log.error("Unexpected error", exc_info=(kind, error, trace))
        show_unexpected(QApplication.activeWindow(), str(log_path))

    return hook


# How long --exit-when-ready waits for the dashboard before saying start-up failed: far above any real start.
READY_TIMEOUT_MS = 120_000


class _FirstPaint(QObject):
    """Calls `painted` once, after the first paint of `widget` or of anything inside it.

    Watched at the application, not on `widget` alone: a page is covered by its scroll area, so Qt may paint only
    the children (tiles, table) and never send the page itself a paint event.
    """

    def __init__(self, widget: QWidget, painted: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._painted = painted
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._done and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and (watched is self._widget or self._widget.isAncestorOf(watched))):
            self._done = True
            QApplication.instance().removeEventFilter(self)
            # Queued, so the paint under way (and the rest of this frame) finishes before anything closes.
            QTimer.singleShot(0, self._painted)
        return False


# The dashboard's snapshot: its first view of a database file as jointlead last closed on it, painted at the next
# start before the database opens (opening it loads SQLAlchemy and the services: most of a start). It is shown only
# when provably what the database would show: the file and its -wal untouched since (size and modification time to
# the nanosecond), and the same jointlead. The figures depend on the day (overdue actions, supervision in date), so
# it keeps a view for each of the days from the close to SNAPSHOT_DAYS after, each worked out for its own day: the
# first start of a day, after a weekend or a bank holiday, paints from it too. The database then opens and fills
# the dashboard as usual.
SNAPSHOT_DAYS = 7
# Working the days out after the window has gone keeps the database open (and locked against a new start) that long:
# past this, the days still missing are left out rather than make someone reopening jointlead wait.
SNAPSHOT_SECONDS = 2.0


def _file_state(path: Path) -> list[list[int] | None]:
    """The size and modification time (ns) of a database file and of its -wal: a write changes one of them."""
    state: list[list[int] | None] = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            stat = file.stat()
        except FileNotFoundError:
            state.append(None)
        else:
            state.append([stat.st_size, stat.st_mtime_ns])
    return state


def _snapshot_key(path: Path) -> dict[str, Any]:
    """What a snapshot must have been taken with to be shown now: this jointlead, this file, untouched since."""
    return {"version": __version__, "path": str(path), "files": _file_state(path)}


def _snapshot_days(today: date) -> list[str]:
    """The days a snapshot taken on `today` keeps a view for."""
    return [(today + timedelta(days=ahead)).isoformat() for ahead in range(SNAPSHOT_DAYS + 1)]


def _load_snapshot(path: Path | str | None, today: date) -> dict[str, Any] | None:
    """The snapshot of the dashboard on the database file at `path` if it is still what the file would show, with
    its view for `today` as "dashboard", else None (and one for another file state is deleted: it may name people
    since erased)."""
    if not isinstance(path, Path):  # no file to open yet, or a shared database that others change
        return None
    file = dashboard_snapshot()
    try:
        saved = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        saved = {}
    key = _snapshot_key(path.resolve())
    if not isinstance(saved, dict) or any(saved.get(name) != value for name, value in key.items()):
        file.unlink(missing_ok=True)
        return None
    days = saved.get("days")
    view = days.get(today.isoformat()) if isinstance(days, dict) else None
    return None if view is None else {**saved, "dashboard": view}


class _SnapshotKeeper(QObject):
    """Keeps the dashboard's snapshot for the next start: today's view noted when a database has opened and filled
    the dashboard; at close, the views of the days to come added (every view taken again if the database has
    changed meanwhile); written once the database has closed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._noted: dict[str, Any] | None = None
        self._opened = False  # a database was open at some time: the last snapshot may no longer be current
        window.installEventFilter(self)

    def note(self, shown: dict[str, Any] | None = None) -> None:
        """The dashboard shows its first view of the open database, filled from it just now; `shown` is the
        snapshot painted before, if it showed the same (its views of the days to come are then kept too)."""
        database = self._window.database
        path = database.path if database is not None else None
        self._opened = self._opened or database is not None
        if path is None:
            self._noted = None
            return
        key = _snapshot_key(path)
        days = dict(shown["days"]) if shown and all(shown.get(name) == value for name, value in key.items()) else {}
        days[self._window.today().isoformat()] = self._window.dashboard.view_state()
        self._noted = {**key, "revision": database.revision, "days": days}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Before the window's own close handling, which closes the database.
        if watched is self._window and event.type() == QEvent.Type.Close:
            self._note_at_close()
        return False

    def _note_at_close(self) -> None:
        database = self._window.database
        if database is None or database.path is None:  # what was noted is checked against its file when written
            return
        key = _snapshot_key(database.path)
        noted = self._noted
        if noted is None or any(noted[name] != value for name, value in key.items()):
            noted = {**key, "revision": database.revision, "days": {}}
        days = _snapshot_days(self._window.today())
        kept = {day: view for day, view in noted["days"].items() if day in days}
        missing = [day for day in days if day not in kept]
        if not missing:
            return
        # The window goes at once; the views are worked out behind it, on a page of their own (not the window's,
        # which shows what the user chose), each as the dashboard opens on that day. Only reading from here on, so
        # the file is let go: jointlead reopened at once opens it, rather than being told it is in use. Should
        # that start write meanwhile, the file's state says so below and the views are not kept.
        self._window.hide()
        database.let_others_open()
        page = DashboardPage(None)
        started = time.monotonic()
        try:
            with database.one_state():
                for day in missing:
                    if time.monotonic() - started > SNAPSHOT_SECONDS:
                        log.info("The dashboard's snapshot keeps %d days: the rest took too long", len(kept))
                        break
                    page.show_start(database, date.fromisoformat(day))
                    kept[day] = page.view_state()
        except Exception:  # the snapshot is only a head start: failing to take it must not stop jointlead closing
            log.warning("Could not take the dashboard's snapshot", exc_info=True)
            self._noted = None
            return
        finally:
            page.deleteLater()
        # Written to meanwhile (by someone else): no proof either way.
        self._noted = {**noted, "days": kept} if _file_state(database.path) == key["files"] else None

    def write(self) -> None:
        """Once the database has closed: keep the snapshot if the file is still as noted, else remove the last one
        (it may name people since erased), unless no database was opened at all."""
        file = dashboard_snapshot()
        noted = self._noted
        try:
            if noted is None or _file_state(Path(noted["path"])) != noted["files"]:
                if self._opened:
                    file.unlink(missing_ok=True)
                return
            file.parent.mkdir(parents=True, exist_ok=True)
            partial = file.with_name(file.name + ".partial")
            partial.write_text(json.dumps(noted), encoding="utf-8")
            os.replace(partial, file)  # whole or not at all: a half-written snapshot would be refused anyway
        except OSError:
            log.warning("Could not keep the dashboard's snapshot", exc_info=True)


def _show_snapshot(window: MainWindow, path: Path | str | None) -> dict[str, Any] | None:
    """Paint the dashboard from the snapshot of the database file at `path`, before it opens, if the snapshot is
    current; returns the snapshot painted, or None."""
    snapshot = _load_snapshot(path, window.today())
    if snapshot is None:
        return None
    try:
        window.dashboard.show_view_state(snapshot["dashboard"])
    except (KeyError, TypeError, ValueError):  # kept by a jointlead whose dashboard was laid out otherwise
        window.dashboard.clear()
        return None
    window.pages.setEnabled(True)  # as with the database open: disabled drop-downs would paint greyed
    log.info("Showing the dashboard from its snapshot until the database opens")
    return snapshot


def _snapshot_was_current(window: MainWindow, snapshot: dict[str, Any]) -> bool:
    """Once the database has filled the dashboard: did the snapshot show the same? (The log says if not.)"""
    if window.dashboard.view_state() == snapshot["dashboard"]:
        return True
    log.warning("The dashboard's snapshot differed from the database's figures, which have replaced it")
    return False


def run(choose: Callable[[MainWindow], Path | str | None], log_path: Path, *, demo: bool = False) -> int:
    """Show the window, open the database `choose` names (a file, the demo's created if need be when `demo`, or a
    shared database's address), or ask which to open, and run until the window closes."""
    sys.excepthook = _unexpected_error_hook(log_path)
    app, window = _styled_main_window()
    keeper = _SnapshotKeeper(window)
    path = choose(window)
    snapshot = _show_snapshot(window, path)
    window.show()
    begun: list[bool] = []

    def begin() -> None:
        if begun:
            return
        begun.append(True)
        opened = path is not None and (window.open_demo() if demo else window.open_path(path))
        if opened:
            keeper.note(snapshot if snapshot and _snapshot_was_current(window, snapshot) else None)
            return
        if snapshot:  # no figures without their database
            window.dashboard.clear()
            window.pages.setEnabled(False)
        if not window.welcome():
            window.close()

    if snapshot:
        # Once the figures are on screen: opening the database loads the services, most of a start. A window that
        # starts minimised paints nothing, so it does not wait for that longer than a second.
        app.installEventFilter(_FirstPaint(window.dashboard, begin))
        QTimer.singleShot(1000, begin)
    else:
        # Open the database once the window is on screen, so the user sees jointlead at once.
        QTimer.singleShot(0, begin)
    code = app.exec()
    keeper.write()
    return code


def run_until_ready(open_database: Callable[[], Database], log_path: Path,
                    timeout_ms: int = READY_TIMEOUT_MS, *, database_path: Path | None = None) -> int:
    """`jointlead --exit-when-ready`: open the window on a database, wait until the dashboard has painted with its
    figures, close, and return 0; return 1 if the database could not be opened or anything went wrong on the way.

    For IT teams checking a deployment and for the frozen-build smoke test, so nothing here may wait for a person:
    problems and the database's warnings go to stderr instead of dialogs. Given the file `open_database` opens
    (`database_path`), it is ready when the dashboard has painted from a current snapshot, as a person would see;
    the database still opens and fills the dashboard before the exit, and the exit code says whether it did.
    """
    app, window = _styled_main_window()
    keeper = _SnapshotKeeper(window)
    outcome: list[int] = []

    def finish(code: int, message: str = "", advice: str = "") -> None:
        if outcome:
            return
        outcome.append(code)
        for line in (message, advice):
            if line:
                print(line, file=sys.stderr if code else sys.stdout, flush=True)
        window.close()  # saves the window's settings and closes the database, as quitting does
        app.exit(code)

    def unexpected(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("Unexpected error before the window was ready", exc_info=(kind, error, trace))
        finish(1, f"jointlead: something unexpected went wrong. Details are in {log_path}.")

    sys.excepthook = unexpected
    snapshot = _show_snapshot(window, database_path)
    window.show()

    def begin() -> None:
        try:
            database = open_database()
        except JointleadError as error:
            finish(1, f"jointlead: {error.message}", error.advice)
            return
        for warning in database.warnings:
            print(f"jointlead: warning: {warning}", file=sys.stderr, flush=True)
        database.warnings.clear()  # said above: set_database would show each in a dialog nobody is there to close
        ready = f"Ready: {database.location} (schema {database.revision})."
        window.set_database(database)  # fills the dashboard before it returns: any paint from now on shows the data
        if snapshot:
            current = _snapshot_was_current(window, snapshot)
            keeper.note(snapshot if current else None)
            if not current:
                print("jointlead: warning: the figures first shown were not the database's; they have been replaced.",
                      file=sys.stderr, flush=True)
            finish(0)  # "Ready" was said when the snapshot painted
            return
        keeper.note()
        app.installEventFilter(_FirstPaint(window.dashboard, lambda: finish(0, ready)))
        window.dashboard.update()  # so a paint with the figures follows even if nothing else asks for one

    def ready_from_snapshot() -> None:
        print(f"Ready: {snapshot['path']} (schema {snapshot['revision']}).", flush=True)
        begin()

    if snapshot:
        app.installEventFilter(_FirstPaint(window.dashboard, ready_from_snapshot))
    else:
        QTimer.singleShot(0, begin)  # as run() does: the window is on screen before the database opens
    QTimer.singleShot(timeout_ms, lambda: finish(1, f"jointlead: the window was not ready after {timeout_ms // 1000} "
                                                   f"seconds. Details may be in {log_path}."))
    code = app.exec()
    keeper.write()
    return outcome[0] if outcome else max(code, 1)  # closed before it was ready: not a success
