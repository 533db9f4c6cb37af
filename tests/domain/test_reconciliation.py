"""Year-end reconciliation: the DOMAIN.md worked examples settled between partners, and properties that always hold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointlead.domain.errors import ValidationError
from jointlead.domain.reconciliation import PartnerAccount, Reconciliation, Settlement, reconcile
from jointlead.domain.risk_share import (
    Basis,
    LineVariance,
    Partner,
    RiskShareResult,
    RiskShareRules,
    ShareProfile,
    UnderspendRule,
    share_risk,
)

POUND = 100
NHS = Partner("NFT", "Northshire NHS Foundation Trust", 3_000_000 * POUND)
COUNCIL = Partner("NCC", "Northshire County Council", 1_000_000 * POUND)
PARTNERS = (NHS, COUNCIL)
HOSTED_BY_NHS = RiskShareRules(host="NFT")


def variable(code: str, pounds: int, responsible: str | None = None) -> LineVariance:
    return LineVariance(code, code, responsible, ShareProfile.VARIABLE, pounds * POUND)


def fixed(code: str, pounds: int, responsible: str) -> LineVariance:
    return LineVariance(code, code, responsible, ShareProfile.FIXED, pounds * POUND)


def paid_in_full(*partners: Partner) -> list[PartnerAccount]:
    return [PartnerAccount(p.code, p.name, p.contribution_pence, p.contribution_pence) for p in partners]


def balances_in_pounds(result: Reconciliation) -> dict[str, float]:
    return {p.code: p.balance_pence / POUND for p in result.partners}


# --- The worked examples in DOMAIN.md --------------------------------------------------------------------------


def test_the_council_pays_the_host_its_quarter_of_a_200000_overspend():
    share = share_risk(PARTNERS, [variable("A", 200_000)], HOSTED_BY_NHS)
    result = reconcile(paid_in_full(*PARTNERS), share, "NFT")

    assert balances_in_pounds(result) == {"NFT": 150_000, "NCC": 50_000}
    assert result.settlements == (Settlement("NCC", "NFT", 50_000 * POUND),)
    assert result.statements() == ("NCC pays NFT £50,000", "NFT (host) bears £150,000 within its own accounts")
    assert result.balances


def test_when_the_council_hosts_the_nhs_pays_it_three_quarters():
    share = share_risk(PARTNERS, [variable("A", 200_000)], RiskShareRules(host="NCC"))
    result = reconcile(paid_in_full(*PARTNERS), share, "NCC")

    assert [str(s) for s in result.settlements] == ["NFT pays NCC £150,000"]
    assert result.host_balance.code == "NCC" and result.host_balance.balance_pence == 50_000 * POUND


def test_after_the_waterfall_the_council_pays_7500_and_the_reserve_meets_50000():
    rules = RiskShareRules(host="NFT", use_waterfall=True, risk_reserve_pence=50_000 * POUND)
    share = share_risk(PARTNERS, [variable("A", 200_000), variable("B", -120_000)], rules)
    result = reconcile(paid_in_full(*PARTNERS), share, "NFT")

    assert result.statements() == ("NCC pays NFT £7,500", "NFT (host) bears £22,500 within its own accounts",
                                   "£50,000 of overspend met from the risk reserve")
    assert result.reserve_used_pence == 50_000 * POUND
    assert result.balances


def test_a_capped_overspend_leaves_320000_for_the_board_and_no_partner_is_charged_it():
    capped = (Partner("NFT", "NHS", 3_000_000 * POUND, cap_basis_points_of_contribution=200),
              Partner("NCC", "council", 1_000_000 * POUND, cap_basis_points_of_contribution=200))
    share = share_risk(capped, [variable("A", 400_000)], HOSTED_BY_NHS)
    result = reconcile(paid_in_full(*capped), share, "NFT")

    assert balances_in_pounds(result) == {"NFT": 60_000, "NCC": 20_000}
    assert result.unallocated_pence == 320_000 * POUND and result.refer_to_board
    assert result.statements()[-1] == "£320,000 unallocated — refer to board"
    assert sum(p.balance_pence for p in result.partners) + result.unallocated_pence == result.total_variance_pence


# --- Contributions due and paid --------------------------------------------------------------------------------


def test_an_unpaid_quarterly_instalment_is_added_to_what_the_council_pays():
    share = share_risk(PARTNERS, [variable("A", 200_000)], HOSTED_BY_NHS)
    accounts = [PartnerAccount("NFT", "NHS", 3_000_000 * POUND, 3_000_000 * POUND),
                PartnerAccount("NCC", "council", 1_000_000 * POUND, 750_000 * POUND)]
    result = reconcile(accounts, share, "NFT")

    council = result.partners[1]
    assert (council.unpaid_pence, council.share_pence, council.balance_pence) == (
        250_000 * POUND, 50_000 * POUND, 300_000 * POUND)
    assert council.words == "NCC pays NFT £300,000"


def test_the_hosts_own_unpaid_contribution_is_shown_but_settles_within_its_accounts():
    share = share_risk(PARTNERS, [], HOSTED_BY_NHS)
    accounts = [PartnerAccount("NFT", "NHS", 3_000_000 * POUND, 2_750_000 * POUND),
                PartnerAccount("NCC", "council", 1_000_000 * POUND, 1_000_000 * POUND)]
    result = reconcile(accounts, share, "NFT")

    assert result.settlements == ()
    assert result.host_balance.unpaid_pence == 250_000 * POUND
    # Its own contribution unpaid is not a share of the variance it bears: said apart, as what it is.
    assert result.statements() == ("NCC and NFT are settled", "NFT (host) has £250,000 of its own contribution unpaid")


def test_a_forecast_says_what_would_be_paid_at_the_year_end_not_what_is_owed_now():
    share = share_risk(PARTNERS, [variable("A", 200_000)], HOSTED_BY_NHS)
    accounts = [PartnerAccount("NFT", "NHS", 3_000_000 * POUND, 2_750_000 * POUND),
                PartnerAccount("NCC", "council", 1_000_000 * POUND, 750_000 * POUND)]
    final, forecast = reconcile(accounts, share, "NFT"), reconcile(accounts, share, "NFT", forecast=True)

    assert forecast.settlements == final.settlements  # the same figures: nothing is said to be not yet due
    assert forecast.statements() == ("NCC would pay NFT £300,000", "NFT (host) would bear £150,000 within its own "
                                     "accounts and has £250,000 of its own contribution overdue")
    settled = reconcile(paid_in_full(*PARTNERS), share_risk(PARTNERS, [], HOSTED_BY_NHS), "NFT", forecast=True)
    assert settled.statements() == ("NCC and NFT would be settled", "NFT (host) would be settled")


def test_a_forecast_takes_instalments_not_yet_due_as_paid_when_due_and_counts_only_what_is_overdue():
    # The demo at M7: both partners up to date, the rest of each contribution not due until later in the year; the
    # NHS's fixed-share line overspends while the pool is a little under.
    rules = RiskShareRules(host="NFT", use_waterfall=True)
    share = share_risk((Partner("NFT", "NHS", 9_600_000 * POUND), Partner("NCC", "council", 3_200_000 * POUND)),
                       [fixed("MED", 59_052, "NFT"), fixed("DP", -13_848, "NCC"), variable("A", -59_783)], rules)
    accounts = [PartnerAccount("NFT", "NHS", 9_600_000 * POUND, 6_500_000 * POUND, 3_100_000 * POUND),
                PartnerAccount("NCC", "council", 3_200_000 * POUND, 2_100_000 * POUND, 1_000_000 * POUND)]

    forecast = reconcile(accounts, share, "NFT", forecast=True)

    nhs, council = forecast.partners
    assert (nhs.not_yet_due_pence, nhs.overdue_pence, nhs.balance_pence) == (
        3_100_000 * POUND, 0, share.share_by_partner["NFT"])
    # What the council has not paid and is due already stays in its balance, shown apart as overdue.
    assert (council.not_yet_due_pence, council.overdue_pence) == (1_000_000 * POUND, 100_000 * POUND)
    assert council.balance_pence == 100_000 * POUND + share.share_by_partner["NCC"]
    assert forecast.statements()[1] == "NFT (host) would bear £14,214.75 within its own accounts"
    assert forecast.balances
    # The year's final settlement counts every instalment still unpaid, due or not.
    final = reconcile(accounts, share, "NFT")
    assert [p.not_yet_due_pence for p in final.partners] == [0, 0]
    assert final.partners[1].balance_pence == 1_100_000 * POUND + share.share_by_partner["NCC"]
    assert final.statements()[1] == ("NFT (host) bears £14,214.75 within its own accounts and has £3,100,000 of its "
                                     "own contribution unpaid")


def test_a_forecast_where_both_partners_are_up_to_date_settles_the_shares_alone():
    share = share_risk(PARTNERS, [variable("A", -40_000)], HOSTED_BY_NHS)
    accounts = [PartnerAccount("NFT", "NHS", 3_000_000 * POUND, 1_500_000 * POUND, 1_500_000 * POUND),
                PartnerAccount("NCC", "council", 1_000_000 * POUND, 500_000 * POUND, 500_000 * POUND)]

    result = reconcile(accounts, share, "NFT", forecast=True)

    assert [str(s) for s in result.settlements] == ["NFT pays NCC £10,000"]
    assert result.statements() == ("NFT would pay NCC £10,000", "NFT (host) would take back £30,000 within its own "
                                   "accounts")


def test_a_host_that_has_paid_ahead_is_not_said_to_bear_it():
    share = share_risk(PARTNERS, [], HOSTED_BY_NHS)
    accounts = [PartnerAccount("NFT", "NHS", 3_000_000 * POUND, 2_000_000 * POUND, 1_500_000 * POUND),
                PartnerAccount("NCC", "council", 1_000_000 * POUND, 1_000_000 * POUND)]

    result = reconcile(accounts, share, "NFT", forecast=True)

    assert result.host_balance.overdue_pence == -500_000 * POUND
    assert result.statements()[1] == "NFT (host) has paid £500,000 ahead of its instalments"


def test_an_overpaid_contribution_is_paid_back_to_the_penny():
    share = share_risk(PARTNERS, [], HOSTED_BY_NHS)
    accounts = [PartnerAccount("NFT", "NHS", 0, 0), PartnerAccount("NCC", "council", 1_000_000 * POUND,
                                                                   1_000_012 * POUND + 34)]
    result = reconcile(accounts, share, "NFT")

    assert [str(s) for s in result.settlements] == ["NFT pays NCC £12.34"]


# --- Underspends -------------------------------------------------------------------------------------------------


def test_an_underspend_returned_pro_rata_is_paid_back_to_the_council():
    share = share_risk(PARTNERS, [variable("A", -100_000)], HOSTED_BY_NHS)
    result = reconcile(paid_in_full(*PARTNERS), share, "NFT")

    assert balances_in_pounds(result) == {"NFT": -75_000, "NCC": -25_000}
    assert result.statements() == ("NFT pays NCC £25,000", "NFT (host) takes back £75,000 within its own accounts")


def test_an_underspend_returned_is_set_against_an_unpaid_instalment():
    share = share_risk(PARTNERS, [variable("A", -100_000)], HOSTED_BY_NHS)
    accounts = [PartnerAccount("NFT", "NHS", 3_000_000 * POUND, 3_000_000 * POUND),
                PartnerAccount("NCC", "council", 1_000_000 * POUND, 975_000 * POUND)]

    assert reconcile(accounts, share, "NFT").statements()[0] == "NCC and NFT are settled"


def test_an_underspend_retained_in_the_pool_is_carried_forward_and_paid_to_no_one():
    rules = RiskShareRules(host="NFT", underspend_rule=UnderspendRule.RETAINED_IN_POOL)
    share = share_risk(PARTNERS, [variable("A", -100_000)], rules)
    result = reconcile(paid_in_full(*PARTNERS), share, "NFT")

    assert result.settlements == ()
    assert result.carried_forward_pence == 100_000 * POUND
    assert "£100,000 of underspend retained in the pool and carried forward" in result.statements()
    assert result.balances


def test_an_underspend_kept_by_the_host_pays_the_council_nothing():
    rules = RiskShareRules(host="NFT", underspend_rule=UnderspendRule.KEPT_BY_HOST)
    share = share_risk(PARTNERS, [variable("A", -100_000)], rules)
    result = reconcile(paid_in_full(*PARTNERS), share, "NFT")

    assert result.settlements == ()
    assert result.host_balance.balance_pence == -100_000 * POUND


def test_a_fixed_line_underspend_goes_back_to_its_own_partner():
    share = share_risk(PARTNERS, [fixed("DP", -40_000, "NCC"), variable("A", 80_000)], HOSTED_BY_NHS)
    result = reconcile(paid_in_full(*PARTNERS), share, "NFT")

    assert balances_in_pounds(result) == {"NFT": 60_000, "NCC": -20_000}
    assert result.settlements == (Settlement("NFT", "NCC", 20_000 * POUND),)


# --- Refusals ----------------------------------------------------------------------------------------------------


def test_contributions_for_partners_the_risk_share_does_not_know_are_refused():
    share = share_risk(PARTNERS, [variable("A", 1)], HOSTED_BY_NHS)
    with pytest.raises(ValidationError, match="different partners"):
        reconcile([*paid_in_full(*PARTNERS), PartnerAccount("ICB", "ICB", 1, 1)], share, "NFT")
    with pytest.raises(ValidationError, match="different partners"):
        reconcile(paid_in_full(NHS), share, "NFT")


def test_a_host_that_is_not_a_partner_is_refused():
    share = share_risk(PARTNERS, [], HOSTED_BY_NHS)
    with pytest.raises(ValidationError, match="host"):
        reconcile(paid_in_full(*PARTNERS), share, "ICB")


def test_negative_contributions_are_refused():
    share = share_risk(PARTNERS, [], HOSTED_BY_NHS)
    with pytest.raises(ValidationError, match="negative"):
        reconcile([PartnerAccount("NFT", "NHS", 1, -1), PartnerAccount("NCC", "council", 0, 0)], share, "NFT")


def test_a_risk_share_that_does_not_add_up_cannot_be_reconciled():
    broken = RiskShareResult(total_variance_pence=100, steps=(), share_by_partner={"NFT": 60, "NCC": 30})
    with pytest.raises(ArithmeticError):
        reconcile(paid_in_full(*PARTNERS), broken, "NFT")


def test_a_settlement_of_nothing_cannot_exist():
    with pytest.raises(ValueError):
        Settlement("NCC", "NFT", 0)


# --- Properties --------------------------------------------------------------------------------------------------


@st.composite
def years(draw):
    """A pool of two to four partners with any rules and lines, and contributions paid in part, in full or over."""
    count = draw(st.integers(2, 4))
    codes = [f"P{i}" for i in range(count)]
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=count - 1, max_size=count - 1)))
    percentages = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    partners = tuple(
        Partner(code, f"Partner {code}", draw(st.integers(1, 10**9)), percentages[i],
                draw(st.none() | st.integers(0, 10**8)), draw(st.none() | st.integers(0, 1_000)))
        for i, code in enumerate(codes))
    lines = draw(st.lists(st.builds(
        LineVariance, st.sampled_from("ABCDEFGHIJ"), st.just("line"), st.none() | st.sampled_from(codes),
        st.sampled_from(ShareProfile), st.integers(-10**8, 10**8)), max_size=8, unique_by=lambda line: line.code))
    rules = RiskShareRules(draw(st.sampled_from(codes)), draw(st.sampled_from(Basis)), draw(st.booleans()),
                           draw(st.integers(0, 10**8)), draw(st.sampled_from(UnderspendRule)))
    accounts = [PartnerAccount(p.code, p.name, p.contribution_pence,
                               draw(st.integers(0, p.contribution_pence + 10**6)), draw(st.integers(0, 10**8)))
                for p in partners]
    return accounts, share_risk(partners, lines, rules), rules.host


@settings(max_examples=200, deadline=None)
@given(years(), st.booleans())
def test_the_balances_always_reconcile_to_the_unpaid_contributions_and_the_variance(year, forecast):
    accounts, share, host = year
    result = reconcile(accounts, share, host, forecast=forecast)

    total_due = sum(a.due_pence for a in accounts)
    # A forecast takes the instalments not yet due as paid when due; the final settlement counts them unpaid.
    total_paid = sum(a.paid_pence + (a.not_yet_due_pence if forecast else 0) for a in accounts)
    host_balance = result.host_balance.balance_pence
    paid_to_host = (sum(s.amount_pence for s in result.settlements if s.payee == host)
                    - sum(s.amount_pence for s in result.settlements if s.payer == host))
    assert (paid_to_host + host_balance + result.unallocated_pence + result.reserve_used_pence
            - result.carried_forward_pence) == total_due - total_paid + share.total_variance_pence
    assert all(host in (s.payer, s.payee) and s.payer != s.payee for s in result.settlements)
    assert len(result.settlements) == sum(1 for p in result.partners if not p.is_host and p.balance_pence)
    assert result.carried_forward_pence >= 0 and result.unallocated_pence >= 0


@settings(max_examples=200, deadline=None)
@given(years(), st.randoms(use_true_random=False))
def test_the_order_the_partners_come_in_does_not_matter(year, random):
    accounts, share, host = year
    shuffled = list(accounts)
    random.shuffle(shuffled)

    assert reconcile(shuffled, share, host) == reconcile(accounts, share, host)
    assert [p.code for p in reconcile(shuffled, share, host).partners] == list(share.share_by_partner)
