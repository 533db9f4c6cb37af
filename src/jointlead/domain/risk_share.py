"""The Section 75 risk share: who bears a pooled budget's over- or underspend, step by step, in plain words.

`share_risk` applies the agreement's ordered rule set (DOMAIN.md, "Pooled budgets") to each line's variance
(positive = overspend) and returns every step with a one-sentence explanation; each step balances to the penny
(a `Step` that does not balance cannot be made), and so does the whole:

    sum of partners' shares + unallocated + retained in the pool + reserve used == total variance.

The rules, and the decisions taken where DOMAIN.md leaves room:

1. **Fixed-share lines.** A line with a fixed share profile is wholly its responsible partner's (the host's when it
   has none), over *and* under: a fixed line's underspend stays with that partner, and is neither pooled in the
   waterfall nor subject to the underspend rule.
2. **Waterfall (optional).** Overspends on the variable lines are first absorbed by underspends on other variable
   lines, then by the risk reserve. The reserve belongs to the waterfall: without it the reserve is not drawn.
   Without the waterfall, overspends and underspends are dealt with separately: the whole overspend is shared
   (step 3) and the whole underspend follows the underspend rule (step 5).
3. **Basis** for the overspend left: pro rata to contributions; the agreed fixed percentages (which must add up to
   100%); or by responsible partner — each partner's part is in proportion to the overspends on its own variable
   lines (exactly those overspends when nothing was absorbed), lines with no responsible partner pro rata to
   contributions.
4. **Caps.** A partner's cap is an amount, a percentage of its contribution (rounded down to the penny, so never
   above the agreed percentage), or the lower of the two. A cap limits the partner's total share before the
   underspend rule: fixed lines (step 1, net of their underspends) plus its part of the shared overspend. The excess
   goes pro rata to contributions to the partners still below their caps (with a contribution), repeated until it
   is placed; what no partner can take is unallocated — refer to board.
5. **Underspend rule** for the variable lines' underspend left: returned pro rata to contributions (whatever the
   basis), retained in the pool and carried forward, or kept by the host.

Every split goes through `split_largest_remainder` (ties to the partner listed first). Results do not depend on the
order of the lines: lines are summed per partner, and named in the explanations in order of their code.
Signs follow the variance throughout: a partner's negative share is an underspend returned to it; a negative
`retained_in_pool_pence` is underspend carried forward; `reserve_used_pence` and `unallocated_pence` are
overspend, so never negative. The explanations say it in words instead: no amount in them is negative, and the
step says whether it is overspend or underspend. No amount in them is rounded either: whole pounds when it is
whole pounds, else pounds and pence (a total and its parts all to the penny when any of them has pence), so the
words never say £0 for 30p, nor that £9,999.55 is £10,000. The "Variance to share" step, whose figure is the
variable lines' net variance, names that net and its direction first, then what it is made up of when there is both
over and under.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from jointlead.domain.errors import ValidationError
from jointlead.domain.money import format_exact, format_money, format_pounds, split_largest_remainder
from jointlead.domain.words import listed


class ShareProfile(StrEnum):
    FIXED = "fixed"
    VARIABLE = "variable"


class Basis(StrEnum):
    PRO_RATA = "pro rata to contributions"
    FIXED_PERCENTAGES = "fixed percentages"
    BY_RESPONSIBLE_PARTNER = "by responsible partner"


class UnderspendRule(StrEnum):
    RETURNED_PRO_RATA = "returned pro rata"
    RETAINED_IN_POOL = "retained in the pool"
    KEPT_BY_HOST = "kept by the host"


# The steps that place variance on partners, by title: `share_words` says what each adds to a partner's share.
FIXED_LINES = "Fixed-share lines"
OVERSPEND_SHARED = "Overspend shared"
CAPS = "Caps"
UNDERSPEND_KEPT = "Underspend kept by the host"
UNDERSPEND_RETURNED = "Underspend returned"


@dataclass(frozen=True)
class Partner:
    """A partner to the agreement, in the agreement's order (the first listed gets a tied penny)."""

    code: str
    name: str
    contribution_pence: int
    fixed_share_basis_points: int | None = None
    cap_pence: int | None = None
    cap_basis_points_of_contribution: int | None = None

    @property
    def cap(self) -> int | None:
        """The most this partner bears: the amount, the percentage of contribution rounded down, or the lower."""
        caps = []
        if self.cap_pence is not None:
            caps.append(self.cap_pence)
        if self.cap_basis_points_of_contribution is not None:
            caps.append(self.contribution_pence * self.cap_basis_points_of_contribution // 10_000)
        return min(caps) if caps else None


@dataclass(frozen=True)
class LineVariance:
    """A budget line's variance to share (positive = overspend); `responsible` None means a joint line."""

    code: str
    name: str
    responsible: str | None
    share_profile: ShareProfile
    variance_pence: int


@dataclass(frozen=True)
class RiskShareRules:
    """The agreement's risk-share rules; `host` is the partner code that holds the pool."""

    host: str
    basis: Basis = Basis.PRO_RATA
    use_waterfall: bool = False
    risk_reserve_pence: int = 0
    underspend_rule: UnderspendRule = UnderspendRule.RETURNED_PRO_RATA


@dataclass(frozen=True)
class Step:
    """One step of the breakdown. It balances: what comes in is placed or passed on as the balance, to the penny.

    `variance_in_pence` is the variance not yet placed when the step starts; `amounts_by_partner` what falls on each
    partner here (every partner, in listed order); `reserve_pence`, `unallocated_pence` and `retained_pence` what
    went elsewhere; `balance_pence` what is left for the next step. `absorbed_pence` (overspend met by underspend)
    moves nothing on its own: the variance is already net of it.
    """

    title: str
    explanation: str
    variance_in_pence: int
    amounts_by_partner: Mapping[str, int]
    balance_pence: int
    absorbed_pence: int = 0
    reserve_pence: int = 0
    unallocated_pence: int = 0
    retained_pence: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "amounts_by_partner", MappingProxyType(dict(self.amounts_by_partner)))
        if not self.balances:
            raise ArithmeticError(f"risk-share step '{self.title}' does not balance: {self.variance_in_pence} in, "
                                  f"{self.placed_pence} placed and {self.balance_pence} left")

    @property
    def placed_pence(self) -> int:
        return sum(self.amounts_by_partner.values()) + self.reserve_pence + self.unallocated_pence + self.retained_pence

    @property
    def balances(self) -> bool:
        return self.variance_in_pence == self.placed_pence + self.balance_pence


@dataclass(frozen=True)
class RiskShareResult:
    total_variance_pence: int
    steps: tuple[Step, ...]
    share_by_partner: Mapping[str, int]
    unallocated_pence: int = 0
    retained_in_pool_pence: int = 0
    reserve_used_pence: int = 0
    absorbed_pence: int = 0
    capped_partners: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "share_by_partner", MappingProxyType(dict(self.share_by_partner)))

    @property
    def refer_to_board(self) -> bool:
        """Some overspend is beyond every partner's cap: unallocated — refer to board."""
        return self.unallocated_pence > 0

    def explanation(self) -> str:
        return " ".join(step.explanation for step in self.steps)


# What each step's amount is, to a partner: (if overspend, if underspend).
_PARTS = {
    FIXED_LINES: ("the overspend on its fixed-share lines", "the underspend on its fixed-share lines"),
    OVERSPEND_SHARED: ("its part of the overspend shared", ""),
    CAPS: ("overspend passed on from partners at their caps", "the overspend above its cap"),
    UNDERSPEND_KEPT: ("", "the underspend it keeps as host"),
    UNDERSPEND_RETURNED: ("", "its part of the underspend returned"),
}


def share_words(result: RiskShareResult, code: str, amount: str, who: str | None = None, *, why: bool = True
                ) -> str:
    """A partner's share in words, `amount` being its size as the caller shows it (to the penny, or in whole pounds
    that add up) and `who` the partner as named there (default: its code): `NCC bears £50,000 of overspend`,
    `£28,794.07 of underspend returns to NCC`, `nothing falls on NCC`.

    A share is the sum of its steps, and need not go the pool's way: a partner's fixed-share line may overspend while
    the pool is under. A share made of both overspend and underspend is said as the net it is, with what it is made
    of (`NFT bears a net £14,215.14: the overspend on its fixed-share lines less its part of the underspend
    returned`), and so is one that goes against the pool's variance, so that neither reads as a part of it.

    `why` False is the short form, for the partners listed together after what the variance is: `NFT bears a net
    £14,215`, `£28,794 returns to NCC`; what a share is made of is left out, and its net still said."""
    who = who or code
    share = result.share_by_partner[code]
    parts = [(step.amounts_by_partner.get(code, 0), step.title) for step in result.steps]
    over = [_PARTS[title][0] for pence, title in parts if pence > 0]
    under = [_PARTS[title][1] for pence, title in parts if pence < 0]
    mixed = bool(over and under)
    if share > 0:
        words = f"{who} bears a net {amount}" if mixed else f"{who} bears {amount}{' of overspend' if why else ''}"
    elif share < 0:
        words = (f"a net {amount} returns to {who}" if mixed else
                 f"{amount}{' of underspend' if why else ''} returns to {who}")
    else:
        words = f"nothing falls on {who}"
    if not why:
        return words
    if mixed:
        first, then = (under, over) if share < 0 else (over, under)
        made_of = (f"{listed(over)} and {listed(under)} cancel out" if share == 0 else
                   f"{listed(first)} less {listed(then)}")
        return f"{words}: {made_of}"
    against_the_pool = share * result.total_variance_pence < 0
    return f"{words}: {listed(over or under)}" if against_the_pool else words


# --- Wording -----------------------------------------------------------------------------------------------------


def _lines(lines: Sequence[LineVariance]) -> str:
    names = [line.name for line in lines]
    return ("line " if len(names) == 1 else "lines ") + listed(names)


def _ratio(weights: Sequence[int]) -> str:
    """Weights as percentages that add up to 100: `75:25`, `66.67:33.33`."""
    basis_points = split_largest_remainder(10_000, list(weights))
    return ":".join(str(b // 100) if b % 100 == 0 else f"{b // 100}.{b % 100:02d}" for b in basis_points)


def _amounts(partners: Sequence[Partner], amounts: Mapping[str, int], sign: int = 1,
             shown: Callable[[int], str] = format_exact) -> str:
    return ", ".join(f"{p.name} {shown(sign * amounts[p.code])}" for p in partners)


def _adding_up(total: int, parts: Iterable[int]) -> Callable[[int], str]:
    """How to show a total and its parts so that what is read is what was placed and adds up: in whole pounds when
    every one of them is whole pounds, else in pounds and pence, all of them. Never rounded: £9,999.55 returned as
    £7,499.66 and £2,499.89 read as £10,000, £7,500 and £2,500 would add up and still not be what each partner
    gets (and £1,001 shared 50:50, £500.50 each, would read £501 and £501)."""
    whole = all(pence % 100 == 0 for pence in (total, *parts))
    return format_pounds if whole else format_money


def _direction(pence: int, *, net: bool = False) -> str:
    """What a variance is, in words, with its size: `overspend £1,234`, `net underspend £56`, `no net variance`."""
    if pence == 0:
        return "no net variance"
    word = "overspend" if pence > 0 else "underspend"
    return f"{'net ' if net else ''}{word} {format_exact(abs(pence))}"


def _size(pence: int) -> str:
    """A variance's size exactly (`format_exact`): whole pounds when it is, else to the penny, so it never reads £0
    for 30p, nor £10,000 for £9,999.55."""
    return format_exact(pence)


def _made_up(overspend: int, underspend: int) -> tuple[str, str, str]:
    """The net of an overspend and an underspend, and the two, as text that adds up as shown.

    Whole pounds when all three are whole pounds, else pounds and pence for all three (`_adding_up`).
    """
    net = overspend - underspend
    shown = _adding_up(net, (overspend, -underspend))
    return shown(abs(net)), shown(overspend), shown(underspend)


def _variance_to_share(overspend: int, underspend: int, *, waterfall: bool, after_fixed: bool) -> str:
    """The variable lines' variance, which is the figure beside this step: its net and direction, then its parts.

    Without fixed-share lines before it, a variance that is all over or all under reads `Overspend £200,000.`
    """
    where = " on the other lines" if after_fixed else ""
    separately = ", which are dealt with separately as the agreement has no waterfall" if not waterfall else ""
    if overspend and underspend:
        net, over, under = _made_up(overspend, underspend)
        if overspend == underspend:
            cancel = " cancel out" if waterfall else ""
            return f"No net variance{where}: overspend {over} and underspend {under}{cancel}{separately}."
        direction = "Net overspend" if overspend > underspend else "Net underspend"
        return f"{direction} {net}{where}, made up of overspend {over} and underspend {under}{separately}."
    if overspend:
        return f"Overspend {_size(overspend)}{where}."
    return f"Underspend {_size(underspend)}{where}."


# --- Checks ------------------------------------------------------------------------------------------------------


def _check(partners: Sequence[Partner], lines: Sequence[LineVariance], rules: RiskShareRules) -> None:
    if not partners:
        raise ValidationError("A risk share needs at least one partner.")
    codes = [p.code for p in partners]
    if len(set(codes)) != len(codes):
        raise ValidationError("Two partners have the same code; each partner needs its own.")
    for p in partners:
        if p.contribution_pence < 0:
            raise ValidationError(f"{p.name}'s contribution cannot be negative.")
        if (p.cap_pence or 0) < 0 or (p.cap_basis_points_of_contribution or 0) < 0:
            raise ValidationError(f"{p.name}'s cap cannot be negative.")
        if not 0 <= (p.fixed_share_basis_points or 0) <= 10_000:
            raise ValidationError(f"{p.name}'s fixed share must be between 0% and 100%.")
    try:
        basis, _ = Basis(rules.basis), UnderspendRule(rules.underspend_rule)
    except ValueError as error:
        raise ValidationError(f"Unknown risk-share rule: {error}.") from None
    if basis == Basis.FIXED_PERCENTAGES:
        shares = [p.fixed_share_basis_points for p in partners]
        if any(s is None for s in shares) or sum(s or 0 for s in shares) != 10_000:
            raise ValidationError("With fixed percentages, every partner needs a share and they must add up to 100%.")
    if rules.host not in codes:
        raise ValidationError(f"The host, {rules.host}, is not one of the partners.")
    if rules.risk_reserve_pence < 0:
        raise ValidationError("The risk reserve cannot be negative.")
    line_codes = [line.code for line in lines]
    if len(set(line_codes)) != len(line_codes):
        raise ValidationError("Two lines have the same code; each line needs its own.")
    for line in lines:
        if line.responsible is not None and line.responsible not in codes:
            raise ValidationError(f"Line {line.name}'s responsible partner, {line.responsible}, is not in the pool.")
        if line.share_profile not in tuple(ShareProfile):
            raise ValidationError(f"Line {line.name}'s share profile must be fixed or variable.")


class ContributionsNeeded(ValidationError):
    """The rules share by contributions and none are recorded: the risk share waits on them, as the rest of a pool's
    figures (budget, actuals, forecast, variance) do not."""


def _by_contribution(total: int, contributions: Sequence[int]) -> list[int]:
    """`total` split pro rata to the partners' contributions. Refused only when a split by them is needed and they
    add up to nothing: fixed percentages, or fixed-share lines alone, share a variance without them."""
    if not any(contributions):
        raise ContributionsNeeded("The partners' contributions add up to nothing, so there is nothing to share by.",
                                  "Record each partner's contribution to the pool.")
    return split_largest_remainder(total, contributions)


# --- Caps --------------------------------------------------------------------------------------------------------


def _apply_caps(partners: Sequence[Partner], exposure: Mapping[str, int]) -> tuple[dict[str, int], list[str], int]:
    """Exposures after caps, the partners held at their cap (listed order) and what no partner could take."""
    after = dict(exposure)
    held: set[str] = set()
    at_cap: set[str] = set()
    pending = 0
    while True:
        for p in partners:
            cap = p.cap
            if cap is None:
                continue
            if after[p.code] > cap:
                pending += after[p.code] - cap
                after[p.code] = cap
                held.add(p.code)
            if after[p.code] >= cap:
                at_cap.add(p.code)
        takers = [p for p in partners if p.code not in at_cap and p.contribution_pence > 0]
        if pending == 0 or not takers:
            break
        # Each pass places everything pending; a taker pushed over its cap joins `at_cap` on the next pass,
        # so the loop ends after at most one pass per partner.
        for p, part in zip(takers, split_largest_remainder(pending, [p.contribution_pence for p in takers]),
                           strict=True):
            after[p.code] += part
        pending = 0
    return after, [p.code for p in partners if p.code in held], pending


# --- The engine --------------------------------------------------------------------------------------------------


def share_risk(partners: Sequence[Partner], lines: Iterable[LineVariance], rules: RiskShareRules) -> RiskShareResult:
    """Who bears the pool's variance, by the agreement's ordered rules, with every step explained and balanced."""
    partners = tuple(partners)
    lines = tuple(sorted(lines, key=lambda line: line.code))
    _check(partners, lines, rules)
    codes = [p.code for p in partners]
    by_code = {p.code: p for p in partners}
    contributions = [p.contribution_pence for p in partners]
    nothing = dict.fromkeys(codes, 0)
    total = sum(line.variance_pence for line in lines)
    steps: list[Step] = []
    balance = total

    # 1. Fixed-share lines fall wholly on their responsible partner (or the host).
    fixed = dict(nothing)
    fixed_lines = [line for line in lines if line.share_profile == ShareProfile.FIXED and line.variance_pence]
    for line in fixed_lines:
        fixed[line.responsible or rules.host] += line.variance_pence
    if fixed_lines:
        parts = []
        for p in partners:
            own = [line for line in fixed_lines if (line.responsible or rules.host) == p.code]
            if own:
                mixed = any(line.variance_pence > 0 for line in own) and any(line.variance_pence < 0 for line in own)
                parts.append(f"{p.name} {_direction(fixed[p.code], net=mixed)} ({_lines(own)})")
        placed = sum(fixed.values())
        steps.append(Step(FIXED_LINES,
                          f"Fixed-share lines fall wholly on their responsible partner: {', '.join(parts)}.",
                          balance, fixed, balance - placed))
        balance -= placed

    # The variable lines: what is over and what is under.
    variable = [line for line in lines if line.share_profile == ShareProfile.VARIABLE]
    overspending = [line for line in variable if line.variance_pence > 0]
    underspending = [line for line in variable if line.variance_pence < 0]
    overspend = sum(line.variance_pence for line in overspending)
    underspend = -sum(line.variance_pence for line in underspending)
    if overspend or underspend:
        opening = _variance_to_share(overspend, underspend, waterfall=rules.use_waterfall, after_fixed=bool(steps))
    else:
        opening = "" if steps else "No variance: there is nothing to share."
    if opening:
        steps.append(Step("Variance to share", opening, balance, nothing, balance))

    # 2. The waterfall: underspends elsewhere in the pool, then the risk reserve.
    absorbed = reserve_used = 0
    if rules.use_waterfall:
        absorbed = min(overspend, underspend)
        if absorbed:
            steps.append(Step("Absorbed by underspends",
                              f"{format_exact(absorbed)} of overspend absorbed by underspends on "
                              f"{_lines(underspending)}.",
                              balance, nothing, balance, absorbed_pence=absorbed))
        reserve_used = min(rules.risk_reserve_pence, overspend - absorbed)
        if reserve_used:
            left = rules.risk_reserve_pence - reserve_used
            remark = f", which leaves {format_exact(left)} in it" if left else ""
            steps.append(Step("Risk reserve", f"{format_exact(reserve_used)} from the risk reserve{remark}.",
                              balance, nothing, balance - reserve_used, reserve_pence=reserve_used))
            balance -= reserve_used
    overspend_left = overspend - absorbed - reserve_used
    underspend_left = underspend - absorbed

    # 3. The overspend left, split by the basis.
    exposure = dict(fixed)
    if overspend_left:
        basis = Basis(rules.basis)
        if basis == Basis.BY_RESPONSIBLE_PARTNER:
            weights = dict(nothing)
            for line in overspending:
                if line.responsible is not None:
                    weights[line.responsible] += line.variance_pence
            joint = sum(line.variance_pence for line in overspending if line.responsible is None)
            if joint:
                for code, part in zip(codes, _by_contribution(joint, contributions), strict=True):
                    weights[code] += part
            split = split_largest_remainder(overspend_left, [weights[code] for code in codes])
            how = "by responsible partner, in proportion to the overspend on each partner's own lines"
            if joint:
                how += f" (lines with no responsible partner {_ratio(contributions)})"
        elif basis == Basis.FIXED_PERCENTAGES:
            percentages = [p.fixed_share_basis_points or 0 for p in partners]
            split = split_largest_remainder(overspend_left, percentages)
            how = f"by the agreed percentages {_ratio(percentages)}"
        else:
            split = _by_contribution(overspend_left, contributions)
            how = _ratio(contributions)
        shared = dict(zip(codes, split, strict=True))
        shown = _adding_up(overspend_left, split)
        steps.append(Step(OVERSPEND_SHARED,
                          f"Overspend {shown(overspend_left)} shared {how}: {_amounts(partners, shared, shown=shown)}.",
                          balance, shared, balance - overspend_left))
        balance -= overspend_left
        for code in codes:
            exposure[code] += shared[code]

    # 4. Caps on each partner's total share; the excess to the others pro rata, or unallocated.
    capped, held, unallocated = _apply_caps(partners, exposure)
    if held:
        moves = {code: capped[code] - exposure[code] for code in codes}
        takers = [p for p in partners if moves[p.code] > 0]
        clauses = [listed([f"{by_code[code].name} capped at {format_exact(by_code[code].cap or 0)}" for code in held])]
        if takers:
            moved = sum(moves[p.code] for p in takers)
            shown = _adding_up(moved, (moves[p.code] for p in takers))
            clauses.append(f"{shown(moved)} above the cap{'s' if len(held) > 1 else ''} goes to "
                           f"{_amounts(takers, moves, shown=shown)}")
        if unallocated:
            clauses.append(f"{format_exact(unallocated)} unallocated — refer to board")
        steps.append(Step(CAPS, "; ".join(clauses) + ".", balance, moves, balance, unallocated_pence=unallocated))

    # 5. The underspend rule for what is left under.
    retained = 0
    if underspend_left:
        rule = UnderspendRule(rules.underspend_rule)
        if rule == UnderspendRule.RETAINED_IN_POOL:
            retained = -underspend_left
            steps.append(Step("Underspend retained",
                              f"Underspend {_size(underspend_left)} retained in the pool and carried forward.",
                              balance, nothing, 0, retained_pence=retained))
        elif rule == UnderspendRule.KEPT_BY_HOST:
            host = by_code[rules.host]
            kept = {**nothing, host.code: -underspend_left}
            steps.append(Step(UNDERSPEND_KEPT,
                              f"Underspend {_size(underspend_left)} kept by the host, {host.name}.",
                              balance, kept, 0))
        else:
            returned = dict(zip(codes, _by_contribution(-underspend_left, contributions), strict=True))
            shown = _adding_up(underspend_left, (-pence for pence in returned.values()))
            steps.append(Step(UNDERSPEND_RETURNED,
                              f"Underspend {shown(underspend_left)} returned pro rata {_ratio(contributions)}: "
                              f"{_amounts(partners, returned, sign=-1, shown=shown)}.",
                              balance, returned, 0))
        balance = 0

    share = {code: sum(step.amounts_by_partner[code] for step in steps) for code in codes}
    if balance != 0 or sum(share.values()) + unallocated + retained + reserve_used != total:
        raise ArithmeticError("the risk share does not add up to the variance")
    return RiskShareResult(total_variance_pence=total, steps=tuple(steps), share_by_partner=share,
                           unallocated_pence=unallocated, retained_in_pool_pence=retained,
                           reserve_used_pence=reserve_used, absorbed_pence=absorbed, capped_partners=tuple(held))
