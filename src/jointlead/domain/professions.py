"""Professions as people's records name them: which are registered, and when two records name the same one."""

from __future__ import annotations

SOCIAL_WORKER = "social worker"
HEALTH_PROFESSIONS = ("mental health nurse", "nurse", "learning disability nurse", "occupational therapist",
                      "psychologist", "psychiatrist", "doctor", "physiotherapist", "speech and language therapist",
                      "dietitian", "arts therapist", "pharmacist", "paramedic")
# Professions whose members are registered even when no registration is recorded yet: the rules that they need a
# professional line and professional supervision must not wait for the paperwork.
REGISTERED_PROFESSIONS = frozenset({SOCIAL_WORKER, *HEALTH_PROFESSIONS})


def profession_key(profession: str) -> str:
    """A profession as typed ('Social  Worker ', from an HR extract or a form) in the one form compared."""
    return " ".join(profession.split()).casefold()


def is_registered_profession(profession: str) -> bool:
    return profession_key(profession) in REGISTERED_PROFESSIONS


def same_profession(a: str, b: str) -> bool:
    return profession_key(a) == profession_key(b)
