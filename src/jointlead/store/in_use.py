"""The in-use lock: a file beside a database, locked by the operating system while one jointlead has it open."""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import IO

from jointlead.store.errors import DatabaseInUse


def _lock_exclusively(handle: IO[bytes]) -> bool:
    """An OS lock the operating system drops by itself if jointlead crashes: no stale lock to clear."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def take_in_use_lock(path: Path) -> IO[bytes]:
    """The lock that says a jointlead has the database at `path` open, held until `release_in_use_lock`; raises
    DatabaseInUse if another has it."""
    lock_path = path.with_name(path.name + ".lock")
    while True:
        handle = open(lock_path, "a+b")  # noqa: SIM115 — held open for as long as the database is open
        if not _lock_exclusively(handle):
            handle.close()
            raise DatabaseInUse(f"{path.name} is already open in another jointlead window.",
                                "Switch to that window, or close it and open the database again.")
        if _still_named(handle, lock_path):
            return handle
        # The window that held it closed between our open and our lock, and removed the file as it went: this lock
        # is on a file no one else can find, so a third window would lock a new one. Lock the one there now.
        handle.close()


def _still_named(handle: IO[bytes], lock_path: Path) -> bool:
    """Whether the file locked is the one `lock_path` names now."""
    try:
        named = lock_path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(handle.fileno())
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def release_in_use_lock(lock: IO[bytes]) -> None:
    # Elsewhere the file is removed while still locked, so that a window waiting to lock it finds it gone (see
    # `take_in_use_lock`). Windows removes no file that is open, ours included: it is closed first, and is not removed
    # while another window has it open, which then locks the file still named.
    if sys.platform != "win32":
        Path(lock.name).unlink(missing_ok=True)
    lock.close()
    if sys.platform == "win32":
        with suppress(OSError):
            Path(lock.name).unlink(missing_ok=True)
