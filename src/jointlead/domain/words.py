"""Things listed in a sentence the way the app says them everywhere: 'A', 'A and B', 'A, B and C'."""

from __future__ import annotations

from collections.abc import Sequence


def listed(items: Sequence[str]) -> str:
    """`A`, `A and B`, `A, B and C` ('' for none)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
