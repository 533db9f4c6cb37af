"""The rotating log file in the data folder. Log events and counts, never names or other personal data."""

from __future__ import annotations

import logging
import logging.handlers
import re
import traceback
from pathlib import Path

from jointlead.paths import data_dir

CAUSED = "\nThe above exception was the direct cause of the following exception:\n\n"
DURING = "\nDuring handling of the above exception, another exception occurred:\n\n"


def log_dir() -> Path:
    return data_dir() / "logs"


def configure_logging() -> Path:
    """Send jointlead's log records to logs/jointlead.log (1 MB × 5 files) and return its path."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jointlead.log"
    root = logging.getLogger("jointlead")
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path


class PrivateFormatter(logging.Formatter):
    """Log lines that hold no personal data even when something unexpected fails.

    An unexpected error's message can quote what it was working on (a cell, a name, a note, a file path naming the
    user), so a traceback gives each exception's kind and where it was raised, not its message; and the user's home
    folder is written ~, since a Windows login name is often its owner's name and every path jointlead uses (its
    data, its installed code) is under it.
    """

    def formatException(self, ei) -> str:
        return private_traceback(ei[1])

    def format(self, record: logging.LogRecord) -> str:
        return without_home(super().format(record))


def private_traceback(error: BaseException | None) -> str:
    """`error`'s traceback as Python prints it, causes first, with each message left out."""
    chain: list[BaseException] = []
    while error is not None and not any(error is seen for seen in chain):
        chain.append(error)
        error = error.__cause__ if error.__cause__ is not None else (
            None if error.__suppress_context__ else error.__context__)
    parts: list[str] = []
    oldest_first = chain[::-1]
    for older, newer in zip(oldest_first, [*oldest_first[1:], None], strict=True):
        if older.__traceback__ is not None:
            parts += ["Traceback (most recent call last):\n", *traceback.format_tb(older.__traceback__)]
        parts.append(f"{_kind(older)}: {_safe_words(older)}\n")
        if newer is not None:
            parts.append(CAUSED if newer.__cause__ is older else DURING)
    return "".join(parts).rstrip("\n")


def _kind(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _safe_words(error: BaseException) -> str:
    """What can be said of `error` without its message: the system's own words for a failed file operation (never
    the file's name), else nothing."""
    if isinstance(error, OSError) and isinstance(error.errno, int) and isinstance(error.strerror, str):
        return f"[Errno {error.errno}] {error.strerror} (the file's name is not logged)"
    return "its message is not logged, as it may quote personal data"


def without_home(text: str) -> str:
    """`text` with the user's home folder written ~: in either kind of slash and in any case, as Windows reads it."""
    try:
        home = str(Path.home())
    except RuntimeError:  # no home folder can be found: nothing to hide
        return text
    if not home.strip("/\\"):  # a home of / (a service account) would make every path ~
        return text
    spellings = "|".join(re.escape(spelling) for spelling in {home, home.replace("\\", "/")})
    # Not inside a longer name: /home/ed is not the start of /home/edward.
    return re.sub(f"(?:{spellings})(?![\\w.-])", "~", text, flags=re.IGNORECASE)
