"""Money as integer pence: formatting for people and finance, and splitting that adds up to the penny."""

from __future__ import annotations

from collections.abc import Sequence


def _grouped(pence: int, *, whole_pounds: bool) -> str:
    magnitude = abs(pence)
    if whole_pounds:
        # Half a pound or more rounds up, away from zero, so a summary never hides a near-pound.
        pounds = (magnitude + 50) // 100
        return f"{pounds:,}"
    return f"{magnitude // 100:,}.{magnitude % 100:02d}"


def format_pounds(pence: int) -> str:
    """Whole pounds for summaries: `£1,234,567`, negatives as `-£1,234`."""
    text = "£" + _grouped(pence, whole_pounds=True)
    return "-" + text if pence < 0 and text != "£0" else text


def whole_pounds_adding_up(parts: Sequence[int]) -> list[int]:
    """`parts` (pence) each in whole pounds (as pence, for `format_pounds`), so that they add up to their total in
    whole pounds as `format_pounds` shows it: £13,852.46 and £13,508.45 each rounded alone show £13,852 and £13,508,
    which add up to £27,360 beside a total shown as £27,361. Each is rounded down, then those that lost most are
    rounded up instead, as many as the total needs (the first of equals first)."""
    total = sum(parts)
    shown = (abs(total) + 50) // 100 * 100 * (-1 if total < 0 else 1)  # half a pound away from zero
    floors = [part // 100 * 100 for part in parts]
    up = (shown - sum(floors)) // 100
    lost_most = sorted(range(len(parts)), key=lambda n: (-(parts[n] - floors[n]), n))[:up]
    return [floor + (100 if n in lost_most else 0) for n, floor in enumerate(floors)]


def format_money(pence: int) -> str:
    """Pounds and pence for detail: `£1,234.56`, negatives as `-£1,234.56`."""
    text = "£" + _grouped(pence, whole_pounds=False)
    return "-" + text if pence < 0 else text


def format_exact(pence: int) -> str:
    """Exactly the amount, in as few figures as that takes: `£25,000` when it is whole pounds, `£25,000.40` when it is
    not, negatives as `-£25,000.40`. For words that state an amount a decision turns on or that must add up, where a
    rounded figure would contradict them ("£25,000 is above the limit of £25,000", "£0 contributed is in no line")."""
    return format_pounds(pence) if pence % 100 == 0 else format_money(pence)


def format_finance(pence: int) -> str:
    """Finance style for exports: `1,234.56`, negatives as `(1,234.56)`."""
    text = _grouped(pence, whole_pounds=False)
    return f"({text})" if pence < 0 else text


def split_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` pence in proportion to `weights`, so the parts add up to the total exactly.

    Each part is first rounded towards zero; the pence left over go one at a time to the parts
    with the largest remainders, ties to the earliest weight (the partner listed first).
    """
    if not weights:
        raise ValueError("nothing to split between")
    if any(w < 0 for w in weights):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights cannot all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    quotients = [divmod(magnitude * w, weight_sum) for w in weights]
    parts = [q for q, _ in quotients]
    left = magnitude - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-quotients[i][1], i))
    for i in order[:left]:
        parts[i] += 1
    return [sign * p for p in parts]
