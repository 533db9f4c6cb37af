"""Professions as people's records name them: which are registered, and when two records name the same one."""

from __future__ import annotations

from functools import lru_cache

from jointlead.domain.words import spaced_words

SOCIAL_WORKER = "social worker"
HEALTH_PROFESSIONS = ("mental health nurse", "nurse", "learning disability nurse", "occupational therapist",
                      "psychologist", "psychiatrist", "doctor", "physiotherapist", "speech and language therapist",
                      "dietitian", "arts therapist", "pharmacist", "paramedic")
# Professions are registered even when no registration is recorded yet (the rules that they need a professional
# line and professional supervision must not wait for the paperwork): one whose words hold one of these names whole
# ("Senior Social Worker", "Nurse - Crisis Support Team", "Consultant Psychiatrist"). Not a word of a service
# ("Nursing Home Reviewing Officer", "Psychology Services Manager") nor a grade alone ("Finance Consultant").
_REGISTERED_NAMES = ("social worker", "nurse", "midwife", "psychologist", "occupational therapist",
                     "physiotherapist", "speech and language therapist", "dietitian", "dietician", "arts therapist",
                     "art therapist", "music therapist", "drama therapist", "dramatherapist",
                     "dance movement therapist", "pharmacist", "paramedic", "doctor", "psychiatrist", "physician",
                     "general practitioner", "rmn", "rgn", "rnld", "cpn", "amhp",
                     "approved mental health professional")
# Words saying someone works beside a profession rather than in it: before its name ("Student Social Worker",
# "Trainee Clinical Psychologist", "Assistant Psychologist") or just after it ("Nurse Assistant").
_BESIDE = frozenset({"student", "trainee", "assistant", "apprentice"})

# The families a professional line and professional supervision stay within: nurses to a nurse lead, whatever
# field each is recorded in ("nurse", "mental health nurse"); doctors to a doctor ("psychiatrist", "consultant").
# A family is not a registration body: HCPC registers occupational therapists, physiotherapists, psychologists and
# more, and an occupational therapist is not a physiotherapist's professional lead, so each is its own family.
# Each family is named by one of its members, as messages say it, then the whole words that place a profession in
# it. They are tried in order, so a profession naming two belongs to the first: "consultant nurse" and
# "community psychiatric nurse" to nursing, "consultant clinical psychologist" to psychology. Medicine comes last,
# as "consultant" alone is a doctor's grade. A profession in no family is compared as it is written.
_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nurse", ("nurse", "nursing", "rmn", "rnld", "rgn", "cpn")),
    ("midwife", ("midwife", "midwifery")),
    ("social worker", ("social worker", "social work", "amhp", "approved mental health professional")),
    ("psychologist", ("psychologist", "psychology")),
    ("occupational therapist", ("occupational therapist", "occupational therapy", "ot")),
    ("physiotherapist", ("physiotherapist", "physiotherapy", "physio")),
    ("speech and language therapist", ("speech and language therapist", "speech and language therapy", "salt",
                                       "slt")),
    ("dietitian", ("dietitian", "dietician")),
    ("arts therapist", ("arts therapist", "art therapist", "music therapist", "drama therapist", "dramatherapist",
                        "dance movement therapist")),
    ("pharmacist", ("pharmacist",)),
    ("paramedic", ("paramedic",)),
    ("doctor", ("doctor", "psychiatrist", "psychiatry", "physician", "general practitioner", "gp", "registrar",
                "consultant")),
)


def profession_key(profession: str) -> str:
    """A profession as typed ('Social  Worker ', from an HR extract or a form) in the one form compared."""
    return " ".join(profession.split()).casefold()


@lru_cache(maxsize=1024)  # a few distinct professions, asked about for everyone on every date of a trend
def _words(profession: str) -> str:
    """The profession's words, space-delimited at both ends for whole-word search: ' mental health nurse rmn '."""
    return spaced_words(profession.replace("&", " and "))


@lru_cache(maxsize=1024)
def _named_within(name: str, profession: str) -> bool:
    """Whether the profession's words hold `name`'s whole ('social worker' in 'Senior Social Worker (AMHP)'), and
    not as someone working beside it ('Student Social Worker', 'Nurse Assistant')."""
    words, named = _words(profession).split(), _words(name).split()
    for start in range(len(words) - len(named) + 1):
        end = start + len(named)
        if named and words[start:end] == named and not _BESIDE & {*words[:start], *words[end:end + 1]}:
            return True
    return False


def is_registered_profession(profession: str) -> bool:
    return any(_named_within(name, profession) for name in _REGISTERED_NAMES)


def _family(profession: str) -> str | None:
    """The member word naming the family the profession is in ('nurse' for 'Mental Health Nurse (RMN)'), if any."""
    words = _words(profession)
    return next((member for member, names in _FAMILIES if any(f" {name} " in words for name in names)), None)


def is_within(named: str, profession: str) -> bool:
    """Whether a rule naming the profession `named` ('social worker', 'nurse') covers `profession` as recorded: the
    same words, or its name whole among them ('Senior Social Worker', 'Mental Health Nurse (RMN)'), not as someone
    working beside it ('Student Social Worker')."""
    return profession_key(named) == profession_key(profession) or _named_within(named, profession)


def same_profession(a: str, b: str) -> bool:
    """Whether one can be the other's professional lead or professional supervisor: the same family (a nurse and
    a mental health nurse), or, outside the families, the same words ignoring case and spacing."""
    family_a, family_b = _family(a), _family(b)
    if family_a is None and family_b is None:
        return profession_key(a) == profession_key(b)
    return family_a == family_b


def with_article(profession: str) -> str:
    """A profession as recorded, in a sentence: 'an occupational therapist', 'a mental health nurse'."""
    words = " ".join(profession.split())
    return f"{'an' if words[:1].casefold() in tuple('aeiou') else 'a'} {words}"


def same_profession_words(profession: str) -> str:
    """Who is of the same profession, in a sentence: 'a nurse' for a mental health nurse, 'a doctor' for a
    psychiatrist; a profession in no family as recorded ('a support worker')."""
    return with_article(_family(profession) or profession)
