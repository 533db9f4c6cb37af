"""The log holds no personal data even when something unexpected fails: no exception's message, no login name."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path, PureWindowsPath

import pytest

from jointlead import logs

log = logging.getLogger("jointlead.tests")
NAME = "Jane Smith"  # named here, so no line a traceback quotes holds it


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Users" / "jane.smith"
    monkeypatch.setattr(Path, "home", lambda: folder)
    return folder


def logged(write) -> str:
    """What `write` added to the log file, through the handler jointlead sets up."""
    logs.configure_logging()
    handler = next(h for h in logging.getLogger("jointlead").handlers
                   if isinstance(h, logging.handlers.RotatingFileHandler))
    file = Path(handler.baseFilename)
    before = file.stat().st_size if file.exists() else 0
    write()
    handler.flush()
    with file.open(encoding="utf-8") as text:
        text.seek(before)
        return text.read()


def open_notes(home: Path) -> None:
    try:
        {}[NAME]
    except KeyError as error:
        raise PermissionError(13, "Permission denied", str(home / "AppData" / f"{NAME}.sqlite")) from error


def test_an_unexpected_error_is_logged_with_where_it_happened_but_not_what_it_quoted(home):
    def fail() -> None:
        try:
            open_notes(home)
        except PermissionError:
            log.error("Unexpected error", exc_info=True)
        log.warning("Could not keep %s", home / "AppData" / "snapshot.json")  # a path under the home folder

    text = logged(fail)
    assert "Unexpected error" in text and "in open_notes" in text and "test_private_log.py" in text
    assert "KeyError: its message is not logged, as it may quote personal data" in text
    assert logs.CAUSED in text
    assert "PermissionError: [Errno 13] Permission denied (the file's name is not logged)" in text
    assert f"Could not keep ~{os.sep}AppData{os.sep}snapshot.json" in text
    assert NAME not in text and "jane.smith" not in text


def test_an_error_while_handling_another_is_logged_as_python_would_say_it(home):
    def fail() -> None:
        try:
            try:
                raise ValueError(f"cell B7: {NAME}")
            except ValueError:
                raise RuntimeError(f"while reading {NAME}")  # noqa: B904 (the context is the point)
        except RuntimeError:
            log.exception("Unexpected error in the import command")

    text = logged(fail)
    assert text.index("ValueError: its message") < text.index(logs.DURING) < text.index("RuntimeError: its message")
    assert NAME not in text


@pytest.mark.parametrize(("home", "text", "written"), [
    (PureWindowsPath("C:/Users/jsmith"), r"File C:\Users\JSmith\AppData\Local\jointlead\app.py", r"File ~\AppData"),
    (PureWindowsPath("C:/Users/jsmith"), "C:/Users/jsmith/x.py and C:/Users/jsmithson/y.py",
     "~/x.py and C:/Users/jsmithson/y.py"),
    (Path("/home/ed"), "/home/ed/.venv/x.py, /home/edward/y.py, /home/ed", "~/.venv/x.py, /home/edward/y.py, ~"),
    (Path("/"), "/usr/lib/x.py", "/usr/lib/x.py"),
])
def test_the_home_folder_is_written_as_a_tilde_and_nothing_else_is(monkeypatch, home, text, written):
    monkeypatch.setattr(Path, "home", lambda: home)
    assert logs.without_home(text).startswith(written)
