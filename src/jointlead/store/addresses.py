"""Telling a shared database's address from a file's path, without loading SQLAlchemy (the command line asks this
while it reads its arguments, before anything else is needed)."""

from __future__ import annotations


def is_server_address(target: object) -> bool:
    """True for an address (postgresql://…, or any scheme://…, to be told which one works) rather than a file:
    what `--db` and File > Open a shared database accept besides a file. No file path holds "://"."""
    return isinstance(target, str) and "://" in target
