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
    return DatabaseError(f"{what[0].upper()}{what[1:]} could not be written to {folder} ({_reason(error)}), {outcome}.",
                         advice)


def not_saved(name: str, error: BaseException) -> DatabaseError:
    """`error`, a change to the open database `name` that the disk refused (`refused_by_the_disk`), in words. SQLite
    saves a transaction whole or not at all, so none of the change was saved."""
    if _disk_full(error):
        return DatabaseError(f"There is no room left on the drive holding {name}: what you just did was not saved.",
                             "Free some space, then do it again.")
    return DatabaseError(f"{name} could not be written to ({_reason(error)}): what you just did was not saved.",
                         "Check that the drive holding it is still there and can be written to, then do it again.")


def not_read(name: str, error: BaseException) -> DatabaseError:
    """`error`, a read of the open database `name` that the disk refused, in words. Even a read needs room: SQLite
    keeps an index of its write-ahead log in a file beside the database, which grows as the log does."""
    if _disk_full(error):
        return DatabaseError(f"There is no room left on the drive holding {name}, so it could not be read just now.",
                             "Free some space, then try again.")
    return DatabaseError(f"{name} could not be read just now ({_reason(error)}).",
                         "Check that the drive holding it is still there, then try again.")


def _reason(error: BaseException) -> object:
    cause = _underlying(error)
    return getattr(cause, "strerror", None) or cause
