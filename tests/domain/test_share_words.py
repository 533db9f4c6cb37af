"""A partner's share of the risk share in words: true of overspend, underspend and nil, and of a share that is the
net of both, as a fixed-share line's overspend less an underspend returned."""

from __future__ import annotations

from jointlead.domain.money import format_exact
from jointlead.domain.risk_share import (
    LineVariance,
    Partner,
    RiskShareRules,
    ShareProfile,
    UnderspendRule,
    share_risk,
    share_words,
)

POUND = 100
PARTNERS = (Partner("NFT", "NHS", 3_000_000 * POUND), Partner("NCC", "council", 1_000_000 * POUND))
RULES = RiskShareRules(host="NFT")


def variable(code: str, pounds: int) -> LineVariance:
    return LineVariance(code, code, None, ShareProfile.VARIABLE, pounds * POUND)


def fixed(code: str, pounds: int, responsible: str) -> LineVariance:
    return LineVariance(code, code, responsible, ShareProfile.FIXED, pounds * POUND)


def words(result, code: str, **options) -> str:
    return share_words(result, code, format_exact(abs(result.share_by_partner[code])), **options)


def test_an_overspend_shared_is_borne_and_an_underspend_returned_returns():
    over = share_risk(PARTNERS, [variable("A", 200_000)], RULES)
    under = share_risk(PARTNERS, [variable("A", -40_000)], RULES)

    assert words(over, "NCC") == "NCC bears £50,000 of overspend"
    assert words(under, "NCC") == "£10,000 of underspend returns to NCC"
    assert words(share_risk(PARTNERS, [], RULES), "NCC") == "nothing falls on NCC"


def test_a_fixed_share_lines_overspend_less_the_underspend_returned_is_a_net_share():
    # The demo's shape: the pool is under, the NHS's fixed-share line over.
    result = share_risk(PARTNERS, [fixed("MED", 59_000, "NFT"), variable("A", -60_000)], RULES)

    assert result.total_variance_pence < 0 < result.share_by_partner["NFT"]
    assert words(result, "NFT") == ("NFT bears a net £14,000: the overspend on its fixed-share lines less its part "
                                    "of the underspend returned")
    assert words(result, "NFT", why=False) == "NFT bears a net £14,000"
    returned = share_risk(PARTNERS, [fixed("MED", 10_000, "NFT"), variable("A", -60_000)], RULES)
    assert words(returned, "NFT") == ("a net £35,000 returns to NFT: its part of the underspend returned less the "
                                      "overspend on its fixed-share lines")


def test_a_net_share_of_nothing_says_its_parts_cancel_out():
    result = share_risk(PARTNERS, [fixed("MED", 45_000, "NFT"), variable("A", -60_000)], RULES)

    assert result.share_by_partner["NFT"] == 0
    assert words(result, "NFT") == ("nothing falls on NFT: the overspend on its fixed-share lines and its part of "
                                    "the underspend returned cancel out")


def test_a_share_that_goes_against_the_pools_variance_says_what_it_is():
    # The pool is under, and all the NHS has is its fixed-share line's overspend: kept by the host, none returns.
    rules = RiskShareRules(host="NCC", underspend_rule=UnderspendRule.KEPT_BY_HOST)
    result = share_risk(PARTNERS, [fixed("MED", 10_000, "NFT"), variable("A", -60_000)], rules)

    assert words(result, "NFT") == "NFT bears £10,000 of overspend: the overspend on its fixed-share lines"
    assert words(result, "NFT", who="NFT (trust)", why=False) == "NFT (trust) bears £10,000"
    assert words(result, "NCC") == "£60,000 of underspend returns to NCC"


def test_a_capped_share_is_net_of_the_overspend_above_its_cap():
    capped = (Partner("NFT", "NHS", 3_000_000 * POUND, cap_pence=60_000 * POUND),
              Partner("NCC", "council", 1_000_000 * POUND))
    result = share_risk(capped, [variable("A", 200_000)], RULES)

    assert words(result, "NFT") == ("NFT bears a net £60,000: its part of the overspend shared less the overspend "
                                    "above its cap")
    assert words(result, "NCC") == "NCC bears £140,000 of overspend"
