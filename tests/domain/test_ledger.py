"""Attributing ledger postings to budget lines, and recognising postings that carry no id."""

from __future__ import annotations

from jointlead.domain.ledger import LedgerCodeMapping, likely_mapping, match_budget_line, posting_fingerprint

MAPPINGS = [
    LedgerCodeMapping(1, "C41200", "5*"),
    LedgerCodeMapping(2, "C41200", "511*"),
    LedgerCodeMapping(3, "C41200", "5110"),
    LedgerCodeMapping(4, "MH3100", "*"),
]


def test_the_most_specific_mapping_wins():
    assert match_budget_line("C41200", "5110", MAPPINGS) == 3
    assert match_budget_line("C41200", "5119", MAPPINGS) == 2
    assert match_budget_line("C41200", "5200", MAPPINGS) == 1
    assert match_budget_line("MH3100", "4411", MAPPINGS) == 4


def test_codes_match_whatever_their_case_and_surrounding_spaces():
    assert match_budget_line(" c41200 ", "5110 ", MAPPINGS) == 3


def test_a_posting_no_mapping_fits_is_unmapped():
    assert match_budget_line("C99999", "5110", MAPPINGS) is None
    assert match_budget_line("C41200", "6110", MAPPINGS) is None


def test_identical_postings_in_one_extract_get_different_fingerprints_and_the_same_ones_next_time():
    args = ("NFT", 2026, 7, "C41200", "5110", 4000, "Taxi", "2026-10-14")
    first, second = posting_fingerprint(*args, 0), posting_fingerprint(*args, 1)
    assert first != second
    assert posting_fingerprint(*args, 0) == first


COUNCIL = [LedgerCodeMapping(10, "MH3300", "41*"), LedgerCodeMapping(11, "MH3300", "42*"),
           LedgerCodeMapping(15, "MH3100", "3*"), LedgerCodeMapping(16, "MH3500", "*"),
           LedgerCodeMapping(12, "MH3400", "43*"), LedgerCodeMapping(14, "MH3400", "44*")]


def test_a_posting_at_a_new_cost_centre_is_likely_where_its_subjective_lands_elsewhere():
    assert likely_mapping("MH3900", "4101", COUNCIL) == LedgerCodeMapping(10, "MH3300", "41*")
    # The most specific pattern that takes the subjective decides, as it does for a mapped posting.
    assert likely_mapping("MH3900", "4101", [*COUNCIL, LedgerCodeMapping(9, "MH3000", "4*")]).budget_line_id == 10
    assert likely_mapping(" mh3900 ", "4101 ", COUNCIL).budget_line_id == 10


def test_where_no_pattern_names_its_subjective_a_posting_is_likely_where_its_cost_centre_feeds_one_line():
    assert likely_mapping("MH3500", "9999", COUNCIL) == LedgerCodeMapping(16, "MH3500", "*")
    assert likely_mapping("MH3100", "9999", COUNCIL).budget_line_id == 15


def test_no_line_is_likely_where_the_codes_point_to_none_or_to_several():
    assert likely_mapping("XX1", "9999", COUNCIL) is None  # a new centre and a subjective no pattern names
    assert likely_mapping("MH3400", "9999", COUNCIL) is None  # its centre feeds MH12 and MH14
    split = [LedgerCodeMapping(1, "C1", "52*"), LedgerCodeMapping(2, "C2", "52*")]
    assert likely_mapping("C3", "521100", split) is None  # the subjective lands on two lines
    assert likely_mapping("C3", "521100", []) is None
