"""Year-end reconciliation of a pooled fund: per partner, what was due, what was paid, its risk share, who pays whom.

`reconcile` takes each partner's contribution due for the year (the sum of its contributions), what it has paid
(the sum of payments received), the instalments not due yet, and the risk share of the outturn variance
(`RiskShareResult`: positive = overspend), and says for each partner what it owes the pool or the pool owes it. The
rules, and the decisions taken where DOMAIN.md leaves room:

1. **The host holds the pool.** Every settlement is between a partner and the host: the host pays out of the pool
   what the pool owes a partner and receives what a partner owes it. Partners never settle with each other.
2. **A partner's balance** = contribution due − contribution paid + its share of the variance, where the share is
   signed as the risk share signs it: an overspend borne is added, an underspend returned (a negative share) is
   taken off. Positive: the partner pays the host; negative: the host pays the partner; nil: settled. An overpaid
   contribution is paid back the same way.
   A **forecast** (before the year's figures are final) takes each instalment not due yet as paid when it falls
   due: it is left out of the balance, so a partner that is up to date owes nothing for it, and what is overdue
   now stays in. The year's final settlement counts every instalment still unpaid.
3. **The host's own figures** are shown (due, paid, share, balance) but make no settlement: its contribution and its
   share move within its own accounts. Its words say its share (what it bears itself, or takes back) and, apart
   from it, any of its own contribution still unpaid or paid over: an unpaid contribution is not a share borne.
4. **Underspend kept by the host** is already the host's (negative) share: nothing is paid for it.
5. **Underspend retained in the pool** is carried forward to next year for the pool and is paid to no one.
6. **Overspend met from the risk reserve** is met by the pool: no partner pays for it.
7. **Unallocated overspend** (beyond every cap: refer to board) is listed on its own, never assigned to a partner,
   until the board decides who bears it.

Everything balances to the penny. With `carried forward` the underspend retained in the pool (a positive amount):

    Σ balances of every partner (the host's included) + unallocated + reserve used − carried forward
        == (total due − total paid − total not yet due) + total variance

which is the risk share's own identity with the unpaid contributions counted added to both sides; a `Reconciliation`
that does not satisfy it cannot be made. Partners are listed in the risk share's (the agreement's) order whatever
order the accounts come in, so the result does not depend on it. Amounts in words are whole pounds when they are
whole pounds, and pounds and pence otherwise, so a settlement never hides a penny.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from jointlead.domain.errors import ValidationError
from jointlead.domain.money import format_money, format_pounds
from jointlead.domain.risk_share import RiskShareResult


def _pounds(pence: int) -> str:
    """`£7,500` for whole pounds, `£7,500.01` otherwise: a settlement is paid to the penny."""
    return format_pounds(pence) if pence % 100 == 0 else format_money(pence)


@dataclass(frozen=True)
class PartnerAccount:
    """A partner's contributions for the year: the sum due, the sum received so far, and the instalments not
    received that are not due yet (a forecast takes them as paid when due)."""

    code: str
    name: str
    due_pence: int
    paid_pence: int
    not_yet_due_pence: int = 0


@dataclass(frozen=True)
class Settlement:
    """One payment that settles the year: always between a partner and the host, always a positive amount."""

    payer: str
    payee: str
    amount_pence: int

    def __post_init__(self) -> None:
        if self.amount_pence <= 0:
            raise ValueError("a settlement moves a positive amount; a nil balance needs no settlement")

    def words(self, *, forecast: bool = False) -> str:
        """`NCC pays NFT £7,500`; a forecast's, `NCC would pay NFT £7,500`."""
        return f"{self.payer} {_tense(forecast)('pays', 'would pay')} {self.payee} {_pounds(self.amount_pence)}"

    def __str__(self) -> str:
        return self.words()


@dataclass(frozen=True)
class PartnerBalance:
    """One partner's line of the reconciliation; `share_pence` is signed like the variance (+ overspend borne)."""

    code: str
    name: str
    is_host: bool
    due_pence: int
    paid_pence: int
    share_pence: int
    words: str
    not_yet_due_pence: int = 0  # instalments taken as paid when due (a forecast's); nil in the final settlement

    @property
    def unpaid_pence(self) -> int:
        """Contribution still to pay; negative when the partner has paid more than was due."""
        return self.due_pence - self.paid_pence

    @property
    def overdue_pence(self) -> int:
        """The contribution the balance counts: unpaid and due already (in the final settlement, all that is
        unpaid); negative when the partner has paid ahead of its instalments or more than was due."""
        return self.unpaid_pence - self.not_yet_due_pence

    @property
    def balance_pence(self) -> int:
        """What the partner owes the pool (the host); negative when the pool owes the partner."""
        return self.overdue_pence + self.share_pence


@dataclass(frozen=True)
class Reconciliation:
    """The year settled: each partner's line, the settlements with the host, and what no partner pays."""

    host: str
    partners: tuple[PartnerBalance, ...]
    settlements: tuple[Settlement, ...]
    total_variance_pence: int
    unallocated_pence: int = 0  # overspend beyond every cap: refer to board
    carried_forward_pence: int = 0  # underspend retained in the pool for next year
    reserve_used_pence: int = 0  # overspend met from the risk reserve

    def __post_init__(self) -> None:
        if not self.balances:
            raise ArithmeticError("the reconciliation does not add up to the unpaid contributions and the variance")

    @property
    def total_due_pence(self) -> int:
        return sum(p.due_pence for p in self.partners)

    @property
    def total_paid_pence(self) -> int:
        return sum(p.paid_pence for p in self.partners)

    @property
    def total_not_yet_due_pence(self) -> int:
        return sum(p.not_yet_due_pence for p in self.partners)

    @property
    def host_balance(self) -> PartnerBalance:
        return next(p for p in self.partners if p.is_host)

    @property
    def due_to_host_pence(self) -> int:
        """Net of all settlements: what the other partners pay the host (negative: what the host pays out)."""
        return sum(p.balance_pence for p in self.partners if not p.is_host)

    @property
    def balances(self) -> bool:
        """The identity in the module docstring, to the penny."""
        placed = (sum(p.balance_pence for p in self.partners) + self.unallocated_pence + self.reserve_used_pence
                  - self.carried_forward_pence)
        return placed == (self.total_due_pence - self.total_paid_pence - self.total_not_yet_due_pence
                          + self.total_variance_pence)

    @property
    def refer_to_board(self) -> bool:
        return self.unallocated_pence > 0

    def statements(self) -> tuple[str, ...]:
        """The reconciliation in words: each partner's settlement, then what falls to no partner."""
        lines = [p.words for p in self.partners if not p.is_host]
        lines.append(self.host_balance.words)
        if self.reserve_used_pence:
            lines.append(f"{_pounds(self.reserve_used_pence)} of overspend met from the risk reserve")
        if self.carried_forward_pence:
            lines.append(f"{_pounds(self.carried_forward_pence)} of underspend retained in the pool and carried "
                         "forward")
        if self.unallocated_pence:
            lines.append(f"{_pounds(self.unallocated_pence)} unallocated — refer to board")
        return tuple(lines)


def _check(accounts: tuple[PartnerAccount, ...], risk_share: RiskShareResult, host: str) -> None:
    codes = [a.code for a in accounts]
    if len(set(codes)) != len(codes):
        raise ValidationError("Two partners have the same code; each partner needs its own.")
    if host not in codes:
        raise ValidationError(f"The host, {host}, is not one of the partners.")
    missing = [code for code in risk_share.share_by_partner if code not in codes]
    extra = [code for code in codes if code not in risk_share.share_by_partner]
    if missing or extra:
        raise ValidationError(f"The contributions and the risk share name different partners "
                              f"({', '.join(missing + extra)}).", "Reconcile the year the risk share was run for.")
    for account in accounts:
        if account.due_pence < 0 or account.paid_pence < 0 or account.not_yet_due_pence < 0:
            raise ValidationError(f"{account.name}'s contributions due, paid and not yet due cannot be negative.")


def _tense(forecast: bool) -> Callable[[str, str], str]:
    """Words as now (the final settlement) or as what would happen at the year end (a forecast)."""
    return lambda now, then: then if forecast else now


def _host_words(code: str, overdue: int, share: int, forecast: bool) -> str:
    """The host's line: its share borne or taken back within its own accounts, and apart from it its own
    contribution unpaid (overdue, in a forecast) or paid over, which is no share of the variance."""
    said = _tense(forecast)
    parts = []
    if share > 0:
        parts.append(f"{said('bears', 'would bear')} {_pounds(share)} within its own accounts")
    elif share < 0:
        parts.append(f"{said('takes back', 'would take back')} {_pounds(-share)} within its own accounts")
    if overdue > 0:
        parts.append(f"has {_pounds(overdue)} of its own contribution {said('unpaid', 'overdue')}")
    elif overdue < 0:
        parts.append(f"has paid {_pounds(-overdue)} {said('more than its contribution', 'ahead of its instalments')}")
    if not parts:
        return f"{code} (host) {said('is', 'would be')} settled"
    return f"{code} (host) {' and '.join(parts)}"


def _words(account: PartnerAccount, host: PartnerAccount, balance: int, forecast: bool) -> str:
    """A partner's line in words; a forecast's says what would happen at the year end, not what is owed now."""
    said = _tense(forecast)
    if balance == 0:
        return f"{account.code} and {host.code} {said('are', 'would be')} settled"
    payer, payee = (account.code, host.code) if balance > 0 else (host.code, account.code)
    return f"{payer} {said('pays', 'would pay')} {payee} {_pounds(abs(balance))}"


def reconcile(accounts: Iterable[PartnerAccount], risk_share: RiskShareResult, host: str, *,
              forecast: bool = False) -> Reconciliation:
    """Settle the year: each partner's balance with the host, by the rules in the module docstring. A `forecast`
    (before the year's figures are final) takes the instalments not yet due as paid when due, and is worded as what
    would be paid at the year end."""
    accounts = tuple(accounts)
    _check(accounts, risk_share, host)
    by_code = {a.code: a for a in accounts}
    host_account = by_code[host]
    partners = []
    settlements = []
    for code, share in risk_share.share_by_partner.items():
        account = by_code[code]
        not_yet_due = account.not_yet_due_pence if forecast else 0
        overdue = account.due_pence - account.paid_pence - not_yet_due
        balance = overdue + share
        words = (_host_words(code, overdue, share, forecast) if code == host else
                 _words(account, host_account, balance, forecast))
        partners.append(PartnerBalance(code, account.name, code == host, account.due_pence, account.paid_pence,
                                       share, words, not_yet_due))
        if code != host and balance > 0:
            settlements.append(Settlement(code, host, balance))
        elif code != host and balance < 0:
            settlements.append(Settlement(host, code, -balance))
    return Reconciliation(host=host, partners=tuple(partners), settlements=tuple(settlements),
                          total_variance_pence=risk_share.total_variance_pence,
                          unallocated_pence=risk_share.unallocated_pence,
                          carried_forward_pence=-risk_share.retained_in_pool_pence,
                          reserve_used_pence=risk_share.reserve_used_pence)
