"""Words as the app says and compares them: things listed in a sentence ('A, B and C'), and phrases found whole."""

from __future__ import annotations

import re
from collections.abc import Sequence


def listed(items: Sequence[str]) -> str:
    """`A`, `A and B`, `A, B and C` ('' for none)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def spaced_words(text: str) -> str:
    """Text's words (letters and digits) in lower case, one space apart and one at each end, so that one phrase can
    be looked for whole in another: ' mental health nurse rmn ', ' nft ledger m08 2026 27 '."""
    return f" {' '.join(re.findall(r'[a-z0-9]+', text.casefold()))} "
