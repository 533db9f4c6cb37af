"""Attributing ledger postings to budget lines, and recognising postings that carry no id."""

from __future__ import annotations

from jointlead.domain.ledger import LedgerCodeMapping, match_budget_line, posting_fingerprint

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
