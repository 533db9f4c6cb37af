"""Writes the disk refused (a full disk, a folder that cannot be written to), told apart and said in plain words."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from jointlead.store.errors import DatabaseError

# SQLite's names for a write the disk or the system refused; its extended names (SQLITE_IOERR_WRITE,
# SQLITE_READONLY_DIRECTORY…) begin with one of these.
REFUSED_BY_THE_DISK = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY")
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
# SQLite's names for a full disk: a file that could not grow, or the -shm index beside a -wal that could not.
FULL = ("SQLITE_FULL", "SQLITE_IOERR_SHMSIZE")
CHOOSE_A_WRITABLE_FOLDER = "Choose a folder you can write to."
FREE_SOME_SPACE = "Free some space there, or choose another folder, then try again."


def _underlying(error: BaseException) -> BaseException:
    """SQLite's own error, which SQLAlchemy wraps in one of its own."""
    return getattr(error, "orig", None) or error


def refused_by_the_disk(error: BaseException) -> bool:
    """Whether `error` (the system's, or SQLite's, bare or wrapped by SQLAlchemy) is a write the disk or the system
    refused, rather than a fault in what was being written."""
    cause = _underlying(error)
    if isinstance(cause, OSError):
        return True
    return isinstance(cause, sqlite3.Error) and (cause.sqlite_errorname or "").startswith(REFUSED_BY_THE_DISK)


def _disk_full(error: BaseException) -> bool:
    cause = _underlying(error)
    if isinstance(cause, OSError):
        return cause.errno in NO_SPACE
    return isinstance(cause, sqlite3.Error) and cause.sqlite_errorname in FULL


def not_written(what: str, folder: Path, error: BaseException, outcome: str, *, advice: str = CHOOSE_A_WRITABLE_FOLDER,
                full_advice: str = FREE_SOME_SPACE) -> DatabaseError:
    """`error`, a write of `what` ("the copy") in `folder` that the disk refused (`refused_by_the_disk`), in words:
    why, then `outcome` ("so no copy was made"); with `full_advice` when the disk is full, else `advice`."""
    if _disk_full(error):
        return DatabaseError(f"There is not enough free disk space in {folder} for {what}, {outcome}.", full_advice)
    cause = _underlying(error)
    reason = getattr(cause, "strerror", None) or cause
    return DatabaseError(f"{what[0].upper()}{what[1:]} could not be written to {folder} ({reason}), {outcome}.", advice)
