"""The risk-share engine: the worked examples in DOMAIN.md, each rule on its own, and properties that always hold."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointlead.domain.errors import ValidationError
from jointlead.domain.money import format_exact, format_money
from jointlead.domain.risk_share import (
    Basis,
    LineVariance,
    Partner,
    RiskShareRules,
    ShareProfile,
    Step,
    UnderspendRule,
    share_risk,
)

POUND = 100
NHS = Partner("NHS", "NHS", 3_000_000 * POUND)
COUNCIL = Partner("NCC", "council", 1_000_000 * POUND)
PARTNERS = (NHS, COUNCIL)
POOLED = RiskShareRules(host="NCC")


def variable(code: str, pounds: int, responsible: str | None = None, name: str | None = None) -> LineVariance:
    return LineVariance(code, name or code, responsible, ShareProfile.VARIABLE, pounds * POUND)


def fixed(code: str, pounds: int, responsible: str | None = None) -> LineVariance:
    return LineVariance(code, code, responsible, ShareProfile.FIXED, pounds * POUND)


def shares_in_pounds(result) -> dict[str, float]:
    return {code: pence / POUND for code, pence in result.share_by_partner.items()}


# --- The worked examples in DOMAIN.md (golden) -------------------------------------------------------------------


def test_an_overspend_is_shared_pro_rata_to_contributions():
    result = share_risk(PARTNERS, [variable("A", 200_000)], POOLED)

    assert shares_in_pounds(result) == {"NHS": 150_000, "NCC": 50_000}
    assert result.unallocated_pence == result.retained_in_pool_pence == result.reserve_used_pence == 0
    assert "Overspend £200,000." in result.explanation()
    assert "shared 75:25: NHS £150,000, council £50,000." in result.explanation()


def test_underspends_then_the_reserve_absorb_an_overspend_before_the_rest_is_shared():
    lines = [variable("A", 200_000, name="Residential care"), variable("X", -70_000, name="Reablement"),
             variable("Y", -50_000, name="Equipment")]
    rules = RiskShareRules(host="NCC", use_waterfall=True, risk_reserve_pence=50_000 * POUND)

    result = share_risk(PARTNERS, lines, rules)

    assert shares_in_pounds(result) == {"NHS": 22_500, "NCC": 7_500}
    assert result.absorbed_pence == 120_000 * POUND
    assert result.reserve_used_pence == 50_000 * POUND
    assert result.explanation() == ("Net overspend £80,000, made up of overspend £200,000 and underspend £120,000. "
                                    "£120,000 of overspend absorbed by underspends on lines Reablement and "
                                    "Equipment. £50,000 from the risk reserve. Overspend £30,000 shared 75:25: "
                                    "NHS £22,500, council £7,500.")


def test_caps_of_two_percent_of_contribution_leave_the_rest_unallocated_for_the_board():
    capped = (Partner("NHS", "NHS", 3_000_000 * POUND, cap_basis_points_of_contribution=200),
              Partner("NCC", "council", 1_000_000 * POUND, cap_basis_points_of_contribution=200))

    result = share_risk(capped, [variable("A", 400_000)], POOLED)

    assert [p.cap for p in capped] == [60_000 * POUND, 20_000 * POUND]
    shared = next(step for step in result.steps if step.title == "Overspend shared")
    assert dict(shared.amounts_by_partner) == {"NHS": 300_000 * POUND, "NCC": 100_000 * POUND}
    assert shares_in_pounds(result) == {"NHS": 60_000, "NCC": 20_000}
    assert result.unallocated_pence == 320_000 * POUND
    assert result.refer_to_board
    assert result.capped_partners == ("NHS", "NCC")
    assert "NHS £300,000, council £100,000" in result.explanation()
    assert ("NHS capped at £60,000 and council capped at £20,000; £320,000 unallocated — refer to board."
            in result.explanation())


# --- Rule 1: fixed-share lines -----------------------------------------------------------------------------------


def test_a_fixed_line_falls_wholly_on_its_responsible_partner_and_a_joint_one_on_the_host():
    result = share_risk(PARTNERS, [fixed("F", 40_000, "NHS"), fixed("J", 10_000)], POOLED)

    assert shares_in_pounds(result) == {"NHS": 40_000, "NCC": 10_000}
    assert "NHS overspend £40,000 (line F), council overspend £10,000 (line J)" in result.explanation()


def test_a_fixed_lines_underspend_stays_with_its_partner_and_does_not_absorb_pool_overspends():
    lines = [fixed("F", -30_000, "NHS"), variable("A", 40_000)]
    rules = RiskShareRules(host="NCC", use_waterfall=True, underspend_rule=UnderspendRule.KEPT_BY_HOST)

    result = share_risk(PARTNERS, lines, rules)

    assert result.absorbed_pence == 0
    assert shares_in_pounds(result) == {"NHS": -30_000 + 30_000, "NCC": 10_000}


def test_a_cap_counts_the_fixed_lines_first_and_passes_the_excess_to_the_other_partner():
    nhs = Partner("NHS", "NHS", 3_000_000 * POUND, cap_pence=50_000 * POUND)
    result = share_risk((nhs, COUNCIL), [fixed("F", 40_000, "NHS"), variable("A", 20_000)], POOLED)

    # NHS: £40,000 fixed + £15,000 shared = £55,000, £5,000 over its cap, which the council takes.
    assert shares_in_pounds(result) == {"NHS": 50_000, "NCC": 10_000}
    assert "NHS capped at £50,000; £5,000 above the cap goes to council £5,000." in result.explanation()


# --- Rule 2: the waterfall ---------------------------------------------------------------------------------------


def test_a_reserve_bigger_than_the_overspend_covers_it_all_and_says_what_is_left():
    rules = RiskShareRules(host="NCC", use_waterfall=True, risk_reserve_pence=80_000 * POUND)

    result = share_risk(PARTNERS, [variable("A", 30_000)], rules)

    assert shares_in_pounds(result) == {"NHS": 0, "NCC": 0}
    assert result.reserve_used_pence == 30_000 * POUND
    assert "£30,000 from the risk reserve, which leaves £50,000 in it." in result.explanation()


def test_without_the_waterfall_overspends_are_shared_and_underspends_follow_the_underspend_rule_separately():
    rules = RiskShareRules(host="NCC", risk_reserve_pence=50_000 * POUND,
                           underspend_rule=UnderspendRule.RETAINED_IN_POOL)

    result = share_risk(PARTNERS, [variable("A", 200_000), variable("X", -120_000)], rules)

    assert shares_in_pounds(result) == {"NHS": 150_000, "NCC": 50_000}
    assert result.retained_in_pool_pence == -120_000 * POUND
    assert result.reserve_used_pence == 0
    assert result.steps[0].explanation == ("Net overspend £80,000, made up of overspend £200,000 and underspend "
                                           "£120,000, which are dealt with separately as the agreement has no "
                                           "waterfall.")
    assert "Overspend £200,000 shared 75:25" in result.explanation()


def test_an_underspend_bigger_than_the_overspends_absorbs_them_and_the_rest_is_returned_pro_rata():
    rules = RiskShareRules(host="NCC", use_waterfall=True, risk_reserve_pence=50_000 * POUND)

    result = share_risk(PARTNERS, [variable("A", 20_000), variable("X", -100_000)], rules)

    assert shares_in_pounds(result) == {"NHS": -60_000, "NCC": -20_000}
    assert result.reserve_used_pence == 0
    assert "Underspend £80,000 returned pro rata 75:25: NHS £60,000, council £20,000." in result.explanation()


# --- Rule 3: the basis -------------------------------------------------------------------------------------------


def test_fixed_percentages_override_the_contributions():
    partners = (Partner("NHS", "NHS", 3_000_000 * POUND, fixed_share_basis_points=6_000),
                Partner("NCC", "council", 1_000_000 * POUND, fixed_share_basis_points=4_000))

    result = share_risk(partners, [variable("A", 100_000)], RiskShareRules("NCC", basis=Basis.FIXED_PERCENTAGES))

    assert shares_in_pounds(result) == {"NHS": 60_000, "NCC": 40_000}
    assert "shared by the agreed percentages 60:40" in result.explanation()


def test_by_responsible_partner_each_bears_its_own_lines_and_joint_lines_go_pro_rata():
    lines = [variable("N", 10_000, "NHS"), variable("C", 30_000, "NCC"), variable("J", 4_000)]

    result = share_risk(PARTNERS, lines, RiskShareRules("NCC", basis=Basis.BY_RESPONSIBLE_PARTNER))

    assert shares_in_pounds(result) == {"NHS": 13_000, "NCC": 31_000}
    assert "lines with no responsible partner 75:25" in result.explanation()


def test_by_responsible_partner_after_the_waterfall_shares_in_proportion_to_each_partners_overspend():
    lines = [variable("N", 10_000, "NHS"), variable("C", 30_000, "NCC"), variable("U", -20_000, "NHS")]
    rules = RiskShareRules("NCC", basis=Basis.BY_RESPONSIBLE_PARTNER, use_waterfall=True)

    result = share_risk(PARTNERS, lines, rules)

    assert shares_in_pounds(result) == {"NHS": 5_000, "NCC": 15_000}


def test_a_penny_that_cannot_be_split_goes_to_the_partner_listed_first():
    equal = (Partner("A", "first", 100), Partner("B", "second", 100))

    result = share_risk(equal, [LineVariance("L", "L", None, ShareProfile.VARIABLE, 1)], RiskShareRules("B"))

    assert dict(result.share_by_partner) == {"A": 1, "B": 0}


def test_shares_that_would_not_add_up_in_whole_pounds_are_shown_to_the_penny():
    equal = (Partner("A", "first", 100), Partner("B", "second", 100))

    over = share_risk(equal, [LineVariance("L", "L", None, ShareProfile.VARIABLE, 1_001 * POUND)], RiskShareRules("B"))
    under = share_risk(equal, [LineVariance("L", "L", None, ShareProfile.VARIABLE, -1_001 * POUND)],
                       RiskShareRules("B"))

    assert "Overspend £1,001.00 shared 50:50: first £500.50, second £500.50." in over.explanation()
    assert "Underspend £1,001.00 returned pro rata 50:50: first £500.50, second £500.50." in under.explanation()


def test_no_amount_in_the_words_is_rounded_so_each_step_says_what_it_places():
    lines = [LineVariance("F", "Medical staffing", "NHS", ShareProfile.FIXED, 30),
             LineVariance("A", "Agency", None, ShareProfile.VARIABLE, 45),
             LineVariance("B", "Travel", None, ShareProfile.VARIABLE, -10_000 * POUND)]

    result = share_risk(PARTNERS, lines, RiskShareRules(host="NHS", use_waterfall=True))

    assert [step.explanation for step in result.steps] == [
        "Fixed-share lines fall wholly on their responsible partner: NHS overspend £0.30 (line Medical staffing).",
        "Net underspend £9,999.55 on the other lines, made up of overspend £0.45 and underspend £10,000.00.",
        "£0.45 of overspend absorbed by underspends on line Travel.",
        "Underspend £9,999.55 returned pro rata 75:25: NHS £7,499.66, council £2,499.89.",
    ]
    assert dict(result.steps[-1].amounts_by_partner) == {"NHS": -749_966, "NCC": -249_989}


def test_a_reserve_and_a_cap_with_pence_are_said_to_the_penny():
    capped = (Partner("NHS", "NHS", 3_000_000 * POUND, cap_pence=60_000 * POUND + 50),
              Partner("NCC", "council", 1_000_000 * POUND, cap_pence=20_000 * POUND))
    rules = RiskShareRules(host="NCC", use_waterfall=True, risk_reserve_pence=1_000 * POUND + 25)

    result = share_risk(capped, [variable("A", 400_000)], rules)

    assert "£1,000.25 from the risk reserve." in result.explanation()
    assert "NHS capped at £60,000.50 and council capped at £20,000" in result.explanation()
    assert f"{format_exact(result.unallocated_pence)} unallocated — refer to board" in result.explanation()
    assert format_exact(result.unallocated_pence).endswith(".25")


# --- Rule 4: caps ------------------------------------------------------------------------------------------------


def test_a_cap_given_as_an_amount_and_a_percentage_uses_the_lower():
    assert Partner("P", "P", 1_000_000, cap_pence=30_000, cap_basis_points_of_contribution=200).cap == 20_000
    assert Partner("P", "P", 1_000_000, cap_pence=10_000, cap_basis_points_of_contribution=200).cap == 10_000
    assert Partner("P", "P", 1_000_000).cap is None


def test_a_percentage_cap_rounds_down_so_it_never_exceeds_the_agreed_percentage():
    assert Partner("P", "P", 999, cap_basis_points_of_contribution=5_000).cap == 499


def test_an_excess_moves_on_until_it_finds_room_among_three_partners():
    partners = (Partner("A", "A", 500, cap_pence=100), Partner("B", "B", 300, cap_pence=250),
                Partner("C", "C", 200))

    result = share_risk(partners, [LineVariance("L", "L", None, ShareProfile.VARIABLE, 1_000)], RiskShareRules("A"))

    # Pro rata 500/300/200; A is held at 100 and B at 250, so C takes the rest.
    assert dict(result.share_by_partner) == {"A": 100, "B": 250, "C": 650}
    assert result.unallocated_pence == 0


# --- Rule 5: the underspend rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "shares", "retained", "words"), [
    (UnderspendRule.RETURNED_PRO_RATA, {"NHS": -30_000, "NCC": -10_000}, 0, "returned pro rata 75:25"),
    (UnderspendRule.RETAINED_IN_POOL, {"NHS": 0, "NCC": 0}, -40_000, "retained in the pool and carried forward"),
    (UnderspendRule.KEPT_BY_HOST, {"NHS": 0, "NCC": -40_000}, 0, "kept by the host, council"),
])
def test_an_underspend_follows_the_agreed_rule(rule, shares, retained, words):
    result = share_risk(PARTNERS, [variable("X", -40_000)], RiskShareRules("NCC", underspend_rule=rule))

    assert shares_in_pounds(result) == shares
    assert result.retained_in_pool_pence == retained * POUND
    assert "Underspend £40,000" in result.explanation()
    assert words in result.explanation()


def test_no_variance_is_explained_too():
    result = share_risk(PARTNERS, [variable("A", 0)], POOLED)

    assert result.explanation() == "No variance: there is nothing to share."
    assert dict(result.share_by_partner) == {"NHS": 0, "NCC": 0}


# --- The words match the figures beside them ---------------------------------------------------------------------


def test_a_waterfall_with_a_net_underspend_names_the_net_underspend_and_what_makes_it_up():
    # The demo pool at M7: the variable lines are £71,921.22 over and £131,704.85 under, £59,783.63 under net.
    lines = [LineVariance("A", "Crisis team", None, ShareProfile.VARIABLE, 7_192_122),
             LineVariance("U", "Reablement", None, ShareProfile.VARIABLE, -13_170_485)]
    rules = RiskShareRules(host="NCC", use_waterfall=True, risk_reserve_pence=50_000 * POUND)

    result = share_risk(PARTNERS, lines, rules)

    opening = result.steps[0]
    assert opening.title == "Variance to share"
    assert opening.variance_in_pence == -5_978_363
    assert opening.explanation == ("Net underspend £59,783.63, made up of overspend £71,921.22 and underspend "
                                   "£131,704.85.")
    assert result.explanation() == (
        "Net underspend £59,783.63, made up of overspend £71,921.22 and underspend £131,704.85. £71,921.22 of "
        "overspend absorbed by underspends on line Reablement. Underspend £59,783.63 returned pro rata 75:25: "
        "NHS £44,837.72, council £14,945.91.")


def test_without_a_waterfall_a_net_underspend_is_named_with_both_parts_dealt_with_separately():
    rules = RiskShareRules(host="NCC")

    result = share_risk(PARTNERS, [variable("A", 40_000), variable("U", -100_000)], rules)

    assert [step.title for step in result.steps] == ["Variance to share", "Overspend shared", "Underspend returned"]
    assert result.steps[0].variance_in_pence == -60_000 * POUND
    assert result.steps[0].explanation == ("Net underspend £60,000, made up of overspend £40,000 and underspend "
                                           "£100,000, which are dealt with separately as the agreement has no "
                                           "waterfall.")
    assert result.steps[1].explanation == "Overspend £40,000 shared 75:25: NHS £30,000, council £10,000."
    assert shares_in_pounds(result) == {"NHS": 30_000 - 75_000, "NCC": 10_000 - 25_000}


@pytest.mark.parametrize(("waterfall", "words"), [
    (True, "No net variance: overspend £50,000 and underspend £50,000 cancel out."),
    (False, "No net variance: overspend £50,000 and underspend £50,000, which are dealt with separately as the "
            "agreement has no waterfall."),
], ids=["with the waterfall", "without the waterfall"])
def test_an_overspend_and_an_underspend_that_cancel_out_are_not_called_an_overspend(waterfall, words):
    result = share_risk(PARTNERS, [variable("A", 50_000), variable("U", -50_000)],
                        RiskShareRules(host="NCC", use_waterfall=waterfall))

    assert result.steps[0].variance_in_pence == 0
    assert result.steps[0].explanation == words


def test_after_fixed_lines_the_variance_to_share_is_the_other_lines_and_each_partners_fixed_part_is_worded():
    lines = [fixed("F", -30_000, "NHS"), fixed("G", 10_000, "NCC"), fixed("H", -4_000, "NCC"),
             variable("A", 20_000), variable("U", -50_000)]

    result = share_risk(PARTNERS, lines, RiskShareRules(host="NCC", use_waterfall=True))

    first, second = result.steps[:2]
    assert first.explanation == ("Fixed-share lines fall wholly on their responsible partner: NHS underspend £30,000 "
                                 "(line F), council net overspend £6,000 (lines G and H).")
    assert second.variance_in_pence == -30_000 * POUND
    assert second.explanation == ("Net underspend £30,000 on the other lines, made up of overspend £20,000 and "
                                  "underspend £50,000.")
    assert "-£" not in result.explanation()


@pytest.mark.parametrize(("over", "under", "words"), [
    (149, 50, "Net overspend £0.99, made up of overspend £1.49 and underspend £0.50."),
    (7_192_149, 13_170_450, "Net underspend £59,783.01, made up of overspend £71,921.49 and underspend £131,704.50."),
    (7_192_122, 13_170_485, "Net underspend £59,783.63, made up of overspend £71,921.22 and underspend "
                            "£131,704.85."),
    (1, 2, "Net underspend £0.01, made up of overspend £0.01 and underspend £0.02."),
    (7_192_100, 13_170_500, "Net underspend £59,784, made up of overspend £71,921 and underspend £131,705."),
    (7_192_100, 13_170_550, "Net underspend £59,784.50, made up of overspend £71,921.00 and underspend £131,705.50."),
], ids=["rounds apart", "the demo's pence rounds apart", "the demo's pence add up", "under a pound", "whole pounds",
        "one with pence"])
def test_the_net_and_its_parts_are_in_whole_pounds_only_when_all_of_them_are(over, under, words):
    lines = [LineVariance("A", "A", None, ShareProfile.VARIABLE, over),
             LineVariance("U", "U", None, ShareProfile.VARIABLE, -under)]

    result = share_risk(PARTNERS, lines, RiskShareRules(host="NCC", use_waterfall=True))

    assert result.steps[0].explanation == words


# --- Refusals ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("partners", "lines", "rules", "message"), [
    ((), [], POOLED, "at least one partner"),
    ((NHS, NHS), [], POOLED, "same code"),
    (PARTNERS, [], RiskShareRules("ICB"), "host"),
    (PARTNERS, [variable("A", 1, "ICB")], POOLED, "responsible partner"),
    (PARTNERS, [variable("A", 1), variable("A", 2)], POOLED, "same code"),
    (PARTNERS, [], RiskShareRules("NCC", basis=Basis.FIXED_PERCENTAGES), "100%"),
    (PARTNERS, [], RiskShareRules("NCC", risk_reserve_pence=-1), "reserve"),
    ((Partner("A", "A", 0),), [variable("X", 1)], RiskShareRules("A"), "add up to nothing"),
    (PARTNERS, [], RiskShareRules("NCC", basis="by lottery"), "Unknown"),  # type: ignore[arg-type]
])
def test_rules_that_cannot_be_applied_are_refused_in_plain_words(partners, lines, rules, message):
    with pytest.raises(ValidationError, match=message):
        share_risk(partners, lines, rules)


def test_a_step_that_does_not_balance_cannot_exist():
    with pytest.raises(ArithmeticError):
        Step("Broken", "Nothing adds up.", 100, {"NHS": 60}, 0)


# --- Properties --------------------------------------------------------------------------------------------------


@st.composite
def pools(draw):
    count = draw(st.integers(2, 3))
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
    return partners, lines, rules


@settings(max_examples=200, deadline=None)
@given(pools())
def test_the_shares_always_add_up_to_the_variance_and_every_step_balances(pool):
    partners, lines, rules = pool
    result = share_risk(partners, lines, rules)

    total = sum(line.variance_pence for line in lines)
    assert (sum(result.share_by_partner.values()) + result.unallocated_pence + result.retained_in_pool_pence
            + result.reserve_used_pence) == total
    assert all(step.balances for step in result.steps)
    assert result.steps[0].variance_in_pence == total
    assert result.steps[-1].balance_pence == 0
    assert result.unallocated_pence >= 0 and result.reserve_used_pence >= 0 and result.retained_in_pool_pence <= 0
    assert result.reserve_used_pence <= rules.risk_reserve_pence
    assert all(step.explanation.endswith(".") for step in result.steps)


@settings(max_examples=200, deadline=None)
@given(pools())
def test_no_partner_is_ever_above_its_cap(pool):
    partners, lines, rules = pool
    result = share_risk(partners, lines, rules)

    for partner in partners:
        if partner.cap is not None:
            assert result.share_by_partner[partner.code] <= partner.cap
    if result.unallocated_pence:
        assert all(p.cap is not None for p in partners if p.contribution_pence > 0)


@settings(max_examples=200, deadline=None)
@given(pools(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_the_lines(pool, random):
    partners, lines, rules = pool
    shuffled = list(lines)
    random.shuffle(shuffled)

    assert share_risk(partners, shuffled, rules) == share_risk(partners, lines, rules)


def test_a_pool_being_set_up_has_no_contributions_yet_and_nothing_to_share():
    result = share_risk((Partner("A", "A", 0), Partner("B", "B", 0)), [variable("X", 0)], RiskShareRules("A"))
    assert dict(result.share_by_partner) == {"A": 0, "B": 0} and result.explanation() == "No variance: there is " \
        "nothing to share."


def test_with_no_contributions_recorded_a_variance_is_still_shared_where_the_rules_do_not_need_them():
    nothing_in = (Partner("NHS", "NHS", 0, fixed_share_basis_points=6_000),
                  Partner("NCC", "council", 0, fixed_share_basis_points=4_000))

    percentages = RiskShareRules("NCC", basis=Basis.FIXED_PERCENTAGES)
    by_percentages = share_risk(nothing_in, [variable("A", 1_000)], percentages)
    fixed_lines_only = share_risk(nothing_in, [fixed("F", 500, "NHS")], POOLED)

    assert shares_in_pounds(by_percentages) == {"NHS": 600, "NCC": 400}
    assert shares_in_pounds(fixed_lines_only) == {"NHS": 500, "NCC": 0}
    with pytest.raises(ValidationError, match="add up to nothing"):  # pro rata to nothing cannot be worked out
        share_risk(nothing_in, [variable("A", 1_000)], POOLED)


_AMOUNT = r"£([0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]{2})?)"


def _pence(text: str) -> int:
    """The digits after £ (`1,234` or `1,234.56`) in pence."""
    pounds, _, pence = text.replace(",", "").partition(".")
    return int(pounds) * POUND + int(pence or "0")


def _shown(pence: int, text: str) -> bool:
    """`text` (the digits after £) is exactly `pence`: in whole pounds only when it is whole pounds, never rounded
    (so a variance that is not nothing never shows as £0)."""
    return text in (format_exact(pence)[1:], format_money(pence)[1:])


def _parts_add_up(total: str, text: str) -> None:
    """The partners' amounts after the colon add up, as shown, to the total shown, and are shown as it is."""
    parts = re.findall(_AMOUNT, text.partition(": ")[2])
    assert parts and sum(_pence(part) for part in parts) == _pence(total), text
    assert all(("." in part) == ("." in total) for part in parts), text


@settings(max_examples=300, deadline=None)
@given(pools())
def test_the_words_of_every_step_match_the_sign_of_its_figures(pool):
    partners, lines, rules = pool
    result = share_risk(partners, lines, rules)

    for step in result.steps:
        text = step.explanation
        assert "-£" not in text, text
        amounts = dict(step.amounts_by_partner)
        if step.title == "Variance to share":
            figure = step.variance_in_pence
            if figure > 0:
                match = re.match(rf"(?:Net overspend|Overspend) {_AMOUNT}", text)
            elif figure < 0:
                match = re.match(rf"(?:Net underspend|Underspend) {_AMOUNT}", text)
            else:
                match = None
                assert text.startswith(("No net variance", "No variance")), text
            if match:
                assert _shown(abs(figure), match.group(1)), text
            parts = re.search(rf"overspend {_AMOUNT} and underspend {_AMOUNT}", text)
            if parts:  # over and under both stated: they add up, as shown, to the net beside them
                assert _pence(parts.group(1)) - _pence(parts.group(2)) == (
                    (1 if figure > 0 else -1) * _pence(match.group(1)) if match else 0), text
        elif step.title == "Overspend shared":
            assert sum(amounts.values()) > 0
            match = re.match(rf"Overspend {_AMOUNT} shared ", text)
            assert match and _shown(sum(amounts.values()), match.group(1)), text
            _parts_add_up(match.group(1), text)
        elif step.title.startswith("Underspend"):
            placed = sum(amounts.values()) + step.retained_pence
            assert placed < 0 and step.variance_in_pence == placed
            match = re.match(rf"Underspend {_AMOUNT} ", text)
            assert match and _shown(-placed, match.group(1)), text
            if step.title == "Underspend returned":
                _parts_add_up(match.group(1), text)
        elif step.title == "Absorbed by underspends":
            assert text.startswith(f"{format_exact(step.absorbed_pence)} of overspend absorbed by underspends "), text
        elif step.title == "Risk reserve":
            assert step.reserve_pence > 0 and text.startswith(f"{format_exact(step.reserve_pence)} from the risk ")
        elif step.title == "Fixed-share lines":
            for partner in partners:
                part = amounts[partner.code]
                word = "overspend" if part > 0 else "underspend" if part < 0 else "no net variance"
                said = re.search(rf"{re.escape(partner.name)} (?:net )?(overspend|underspend|no net variance)", text)
                if said:
                    assert said.group(1) == word, text
                    if part:
                        assert f"{word} {format_exact(abs(part))} (" in text[said.start():], text
                else:
                    assert part == 0, text


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**9), st.integers(1, 10**9), st.booleans())
def test_an_overspend_and_an_underspend_are_always_named_by_their_net_and_direction(over, under, waterfall):
    lines = [LineVariance("A", "A", None, ShareProfile.VARIABLE, over),
             LineVariance("U", "U", None, ShareProfile.VARIABLE, -under)]

    opening = share_risk(PARTNERS, lines, RiskShareRules(host="NCC", use_waterfall=waterfall)).steps[0]

    net = over - under
    assert opening.variance_in_pence == net
    direction = "Net overspend" if net > 0 else "Net underspend" if net < 0 else "No net variance"
    assert opening.explanation.startswith(direction), opening.explanation
    stated = re.findall(_AMOUNT, opening.explanation)
    if net:
        assert _shown(abs(net), stated[0]) and _shown(over, stated[1]) and _shown(under, stated[2])
        shown_net, shown_over, shown_under = (_pence(amount) for amount in stated)
    else:
        assert stated[0] == stated[1]
        shown_net, shown_over, shown_under = 0, _pence(stated[0]), _pence(stated[1])
    assert shown_over - shown_under == (shown_net if net >= 0 else -shown_net)
    assert ("dealt with separately" in opening.explanation) is not waterfall
