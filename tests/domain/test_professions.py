"""Which professions are the same for professional lines and supervision: one family, not one registration body."""

from __future__ import annotations

from datetime import date

import pytest

from jointlead.domain.errors import ValidationError
from jointlead.domain.professions import same_profession, same_profession_words, with_article
from jointlead.domain.reporting_lines import Line, LineKind, StaffMember, check_line, line_findings

START = date(2026, 1, 1)


@pytest.mark.parametrize(("a", "b"), [
    ("nurse", "mental health nurse"),
    ("Learning Disability Nurse", "nurse"),
    ("Community Psychiatric Nurse", "mental health nurse"),  # "psychiatric" does not make a nurse a doctor
    ("Nurse Consultant", "nurse"),
    ("psychiatrist", "doctor"),
    ("Consultant Psychiatrist", "doctor"),
    ("social worker", "AMHP"),
    ("Social Worker / AMHP", "social worker"),
    ("clinical psychologist", "psychologist"),
    ("Consultant Clinical Psychologist", "psychologist"),  # a psychologist's grade, not a doctor
    ("Speech & Language Therapist", "speech and language therapist"),
    ("support worker", " Support  Worker"),  # in no family: the same words, ignoring case and spacing
])
def test_professions_of_one_family_are_the_same_profession(a, b):
    assert same_profession(a, b) and same_profession(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("occupational therapist", "physiotherapist"),  # both HCPC, but not each other's professional lead
    ("psychologist", "occupational therapist"),
    ("psychologist", "psychiatrist"),
    ("mental health nurse", "psychiatrist"),
    ("mental health nurse", "social worker"),
    ("nurse", "midwife"),
    ("support worker", "peer support worker"),
    ("support worker", "nurse"),
])
def test_distinct_professions_stay_distinct(a, b):
    assert not same_profession(a, b) and not same_profession(b, a)


def test_messages_name_the_profession_as_recorded_and_who_would_do():
    assert with_article("occupational therapist") == "an occupational therapist"
    assert with_article("Mental Health  Nurse") == "a Mental Health Nurse"
    assert same_profession_words("mental health nurse") == "a nurse"
    assert same_profession_words("Consultant Psychiatrist") == "a doctor"
    assert same_profession_words("occupational therapist") == "an occupational therapist"
    assert same_profession_words("support worker") == "a support worker"


def member(pid, profession):
    return StaffMember(pid, f"Person {pid}", profession, True, True, date(2020, 1, 1), None, "NFT")


def test_a_nurse_lead_can_be_the_professional_lead_of_a_mental_health_nurse():
    """DOMAIN.md: nurses to a nurse lead. A Lead Nurse recorded as "nurse" leads RMNs; a psychiatrist's professional
    lead may be a medical director recorded as "doctor"; neither is a finding."""
    people = [member(1, "nurse"), member(2, "mental health nurse"), member(3, "doctor"), member(4, "psychiatrist")]
    lines = [Line(1, LineKind.PROFESSIONAL, 2, 1, START), Line(2, LineKind.PROFESSIONAL, 4, 3, START)]
    assert check_line(people, [], lines[0]) == ()
    assert check_line(people, [], lines[1]) == ()
    assert not [f for f in line_findings(people, lines, START) if f.code == "lead-other-profession"]


def test_a_lead_of_another_family_is_refused_saying_who_would_do():
    people = [member(1, "occupational therapist"), member(2, "mental health nurse"), member(3, "physiotherapist")]
    with pytest.raises(ValidationError) as refused:
        check_line(people, [], Line(0, LineKind.PROFESSIONAL, 2, 1, START))
    assert str(refused.value) == (
        "Person 1 is an occupational therapist, so cannot be the professional lead of Person 2, a mental health "
        "nurse. Choose a professional lead who is a nurse.")
    with pytest.raises(ValidationError) as refused:
        check_line(people, [], Line(0, LineKind.PROFESSIONAL, 3, 1, START))
    assert str(refused.value) == (
        "Person 1 is an occupational therapist, so cannot be the professional lead of Person 3, a physiotherapist. "
        "Choose a professional lead who is a physiotherapist.")
