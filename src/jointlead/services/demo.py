"""A realistic fictional service to explore jointlead with, built identically every time into an empty database."""

from __future__ import annotations

import calendar
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from jointlead.domain.actions import ActionStatus, action_reference
from jointlead.domain.budget import payment_schedule, spread_virement
from jointlead.domain.calendar import FinancialYear, Period
from jointlead.domain.errors import JointleadError
from jointlead.domain.money import split_largest_remainder
from jointlead.domain.reporting_lines import DEFAULT_SPAN_OF_CONTROL, LineKind
from jointlead.exchange.plain import write_plain_sheet
from jointlead.services.budget_setup import MAKE_VIREMENT
from jointlead.services.budgets import agreed_figures
from jointlead.store.database import Database
from jointlead.store.models import (
    Action,
    ActionDueChange,
    ActionUpdate,
    Agreement,
    AgreementPartner,
    AuditEntry,
    Base,
    BudgetLine,
    Contribution,
    ContributionPayment,
    ImportBatch,
    LedgerMapping,
    LedgerTransaction,
    LineMonth,
    LineYear,
    Meeting,
    Organisation,
    PeriodClose,
    Person,
    ReportingLine,
    Setting,
    SupervisionArrangement,
    SupervisionPolicy,
    SupervisionSession,
    Team,
    Virement,
)
from jointlead.store.server import advance_id_sequences
from jointlead.store.uow import UnitOfWork, changes_json

# The demo is "as at" this day whatever the clock says, so every run tells the same story.
DEMO_TODAY = date(2026, 11, 20)
DEMO_YEAR = FinancialYear(2026)
DEMO_SEED = 20261122
SERVICE_NAME = "Northshire Integrated Mental Health Service"
RECORDED_BY = "demo"
CLOSED_PERIODS = 7  # M1-M7: the board reports "as at M7 2026-27"
DELEGATED_LIMIT_PENCE = 2_500_000  # £25,000: a virement above it needs the board
SESSIONS_FROM = date(2026, 3, 23)  # about eight months of supervision records, from the demo's own draws
# And the months before, from draws of their own (so everything drawn after is as it was): the compliance trend a
# board sees runs back a year, and without them it would start at nothing.
EARLIER_SESSIONS_FROM = date(2025, 9, 1)
EARLIER_SEED = DEMO_SEED + 1

# England and Wales bank holidays in 2026-27: dates are moved off them like a real finance team would.
BANK_HOLIDAYS = frozenset({
    date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31),
    date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29),
})


@dataclass(frozen=True)
class DemoSummary:
    """How much the demo created."""

    people: int
    lines: int
    arrangements: int
    sessions: int
    budget_lines: int
    transactions: int
    virements: int
    meetings: int
    actions: int


# --- organisations, teams and people -------------------------------------------------------------

ORGANISATIONS = (
    ("NFT", "Northshire NHS Foundation Trust", "NHS trust", "#005EB8"),
    ("NCC", "Northshire County Council", "county council", "#7C2855"),
)
ORGANISATION_IDS = {code: number for number, (code, *_rest) in enumerate(ORGANISATIONS, start=1)}
HOST = "NFT"

TEAMS = (
    ("north", "North Locality CMHT", "Community mental health team for adults in the northern localities."),
    ("south", "South Locality CMHT", "Community mental health team for adults in the southern localities."),
    ("eip", "Early Intervention in Psychosis", "County-wide team for people aged 14-65 with a first episode of "
                                              "psychosis."),
)
TEAM_IDS = {key: number for number, (key, *_rest) in enumerate(TEAMS, start=1)}

SOCIAL_WORKER = "social worker"
NURSE = "mental health nurse"
OCCUPATIONAL_THERAPIST = "occupational therapist"
PSYCHOLOGIST = "psychologist"
PSYCHIATRIST = "psychiatrist"
SUPPORT_WORKER = "support worker"
ADMINISTRATOR = "administrator"
MANAGER = "manager"

REGISTRATION_BODIES = {
    SOCIAL_WORKER: "Social Work England",
    NURSE: "NMC",
    OCCUPATIONAL_THERAPIST: "HCPC",
    PSYCHOLOGIST: "HCPC",
    PSYCHIATRIST: "GMC",
}


@dataclass(frozen=True)
class _Role:
    """A post in the demo service and who leads it; people are drawn to fill it."""

    key: str
    team: str | None
    employer: str
    profession: str
    job_title: str
    grade: str
    manager: str | None = None
    professional_lead: str | None = None
    career_stage: str = "qualified"
    seconded: bool = False


_R = _Role
ROLES = (
    # Leads outside the teams: supervisors, professional leads and action owners.
    _R("jgm", None, "NFT", MANAGER, "Joint General Manager, Integrated Mental Health", "Band 8c"),
    _R("psw", None, "NCC", SOCIAL_WORKER, "Principal Social Worker", "Grade 13"),
    _R("head-nursing", None, "NFT", NURSE, "Head of Nursing, Community Mental Health", "Band 8c"),
    _R("head-ot", None, "NFT", OCCUPATIONAL_THERAPIST, "Head of Occupational Therapy", "Band 8b"),
    _R("psychology-lead", None, "NFT", PSYCHOLOGIST, "Consultant Clinical Psychologist and Psychology Lead",
       "Band 8d"),
    _R("clinical-director", None, "NFT", PSYCHIATRIST, "Clinical Director and Consultant Psychiatrist", "Consultant"),
    _R("finance-nft", None, "NFT", MANAGER, "Associate Director of Finance", "Band 8d"),
    _R("finance-ncc", None, "NCC", MANAGER, "Head of Finance, Adult Social Care", "Grade 13"),
    _R("commissioning-ncc", None, "NCC", MANAGER, "Commissioning Manager, Mental Health", "Grade 11"),
    _R("amhp-lead", None, "NCC", SOCIAL_WORKER, "AMHP Service Manager", "Grade 12"),
    # North Locality CMHT: an NHS team manager; council social workers under a seconded senior social worker.
    _R("north-tm", "north", "NFT", NURSE, "Team Manager", "Band 8a", "jgm", "head-nursing"),
    _R("north-ssw", "north", "NCC", SOCIAL_WORKER, "Senior Social Worker", "Grade 11", "north-tm", "psw",
       seconded=True),
    _R("north-lead-nurse", "north", "NFT", NURSE, "Clinical Team Lead", "Band 7", "north-tm", "head-nursing"),
    _R("north-sw-1", "north", "NCC", SOCIAL_WORKER, "Social Worker (AMHP)", "Grade 10", "north-ssw", "north-ssw"),
    _R("north-sw-2", "north", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "north-ssw", "north-ssw"),
    _R("north-sw-3", "north", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "north-ssw", "north-ssw"),
    _R("north-sw-4", "north", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "north-ssw", "north-ssw"),
    _R("north-sw-5", "north", "NCC", SOCIAL_WORKER, "Newly Qualified Social Worker (ASYE)", "Grade 9", "north-ssw",
       "north-ssw", career_stage="newly qualified"),
    _R("north-nurse-1", "north", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "north-lead-nurse",
       "north-lead-nurse"),
    _R("north-nurse-2", "north", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "north-lead-nurse",
       "north-lead-nurse"),
    _R("north-nurse-3", "north", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "north-lead-nurse",
       "north-lead-nurse"),
    _R("north-nurse-4", "north", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "north-lead-nurse",
       "north-lead-nurse"),
    _R("north-nurse-5", "north", "NFT", NURSE, "Staff Nurse (Preceptorship)", "Band 5", "north-lead-nurse",
       "north-lead-nurse", career_stage="preceptorship"),
    _R("north-nurse-6", "north", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "north-lead-nurse",
       "north-lead-nurse"),
    _R("north-ot-1", "north", "NFT", OCCUPATIONAL_THERAPIST, "Senior Occupational Therapist", "Band 7", "north-tm",
       "head-ot"),
    _R("north-ot-2", "north", "NFT", OCCUPATIONAL_THERAPIST, "Occupational Therapist", "Band 6", "north-tm",
       "head-ot"),
    _R("north-psychologist", "north", "NFT", PSYCHOLOGIST, "Clinical Psychologist", "Band 8a", "north-tm",
       "psychology-lead"),
    _R("north-psychiatrist", "north", "NFT", PSYCHIATRIST, "Consultant Psychiatrist", "Consultant",
       "clinical-director", "clinical-director"),
    _R("north-stw-1", "north", "NFT", SUPPORT_WORKER, "Support Time and Recovery Worker", "Band 3",
       "north-lead-nurse"),
    _R("north-stw-2", "north", "NFT", SUPPORT_WORKER, "Support Time and Recovery Worker", "Band 3",
       "north-lead-nurse"),
    _R("north-stw-3", "north", "NFT", SUPPORT_WORKER, "Support Time and Recovery Worker", "Band 3",
       "north-lead-nurse"),
    _R("north-stw-4", "north", "NFT", SUPPORT_WORKER, "Assistant Practitioner", "Band 4", "north-lead-nurse"),
    _R("north-admin", "north", "NFT", ADMINISTRATOR, "Team Administrator", "Band 3", "north-tm"),
    # South Locality CMHT: a council team manager leading NHS staff as well as social workers.
    _R("south-tm", "south", "NCC", SOCIAL_WORKER, "Team Manager", "Grade 12", "jgm", "psw"),
    _R("south-ssw", "south", "NCC", SOCIAL_WORKER, "Senior Practitioner", "Grade 11", "south-tm", "psw"),
    _R("south-lead-nurse", "south", "NFT", NURSE, "Clinical Team Lead", "Band 7", "south-tm", "head-nursing"),
    _R("south-sw-1", "south", "NCC", SOCIAL_WORKER, "Social Worker (AMHP)", "Grade 10", "south-ssw", "south-ssw"),
    _R("south-sw-2", "south", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "south-ssw", "south-ssw"),
    _R("south-sw-3", "south", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "south-ssw", "south-ssw"),
    _R("south-sw-4", "south", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "south-ssw", "south-ssw"),
    _R("south-sw-5", "south", "NCC", SOCIAL_WORKER, "Newly Qualified Social Worker (ASYE)", "Grade 9", "south-ssw",
       "south-ssw", career_stage="newly qualified"),
    _R("south-nurse-1", "south", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "south-lead-nurse",
       "south-lead-nurse"),
    _R("south-nurse-2", "south", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "south-lead-nurse",
       "south-lead-nurse"),
    _R("south-nurse-3", "south", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "south-lead-nurse",
       "south-lead-nurse"),
    _R("south-nurse-4", "south", "NFT", NURSE, "Community Mental Health Nurse", "Band 6", "south-lead-nurse",
       "south-lead-nurse"),
    _R("south-ot-1", "south", "NFT", OCCUPATIONAL_THERAPIST, "Occupational Therapist", "Band 6", "south-tm",
       "head-ot"),
    # Deliberate gap: a new occupational therapist whose professional line has not been recorded yet.
    _R("south-ot-2", "south", "NFT", OCCUPATIONAL_THERAPIST, "Occupational Therapist", "Band 5", "south-tm"),
    _R("south-psychologist", "south", "NFT", PSYCHOLOGIST, "Clinical Psychologist", "Band 8a", "south-tm",
       "psychology-lead"),
    _R("south-psychiatrist", "south", "NFT", PSYCHIATRIST, "Consultant Psychiatrist", "Consultant",
       "clinical-director", "clinical-director"),
    _R("south-stw-1", "south", "NFT", SUPPORT_WORKER, "Support Time and Recovery Worker", "Band 3",
       "south-lead-nurse"),
    _R("south-stw-2", "south", "NFT", SUPPORT_WORKER, "Support Time and Recovery Worker", "Band 3",
       "south-lead-nurse"),
    _R("south-stw-3", "south", "NFT", SUPPORT_WORKER, "Assistant Practitioner", "Band 4", "south-lead-nurse"),
    _R("south-admin", "south", "NCC", ADMINISTRATOR, "Business Support Officer", "Grade 5", "south-tm"),
    # Early Intervention in Psychosis: an occupational therapist manages; council social workers are seconded in.
    _R("eip-tm", "eip", "NFT", OCCUPATIONAL_THERAPIST, "Team Manager", "Band 8a", "jgm", "head-ot"),
    _R("eip-lead-nurse", "eip", "NFT", NURSE, "Clinical Lead", "Band 7", "eip-tm", "head-nursing"),
    _R("eip-nurse-1", "eip", "NFT", NURSE, "Care Coordinator", "Band 6", "eip-lead-nurse", "eip-lead-nurse"),
    _R("eip-nurse-2", "eip", "NFT", NURSE, "Care Coordinator", "Band 6", "eip-lead-nurse", "eip-lead-nurse"),
    _R("eip-nurse-3", "eip", "NFT", NURSE, "Care Coordinator", "Band 6", "eip-lead-nurse", "eip-lead-nurse"),
    # Deliberate gap: a nurse whose professional lead is the (occupational therapist) team manager.
    _R("eip-nurse-4", "eip", "NFT", NURSE, "Care Coordinator", "Band 6", "eip-lead-nurse", "eip-tm"),
    _R("eip-sw-1", "eip", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "eip-tm", "psw", seconded=True),
    _R("eip-sw-2", "eip", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "eip-tm", "psw", seconded=True),
    _R("eip-sw-3", "eip", "NCC", SOCIAL_WORKER, "Social Worker", "Grade 10", "eip-tm", "psw", seconded=True),
    _R("eip-ot", "eip", "NFT", OCCUPATIONAL_THERAPIST, "Occupational Therapist", "Band 6", "eip-tm", "head-ot"),
    _R("eip-psychologist", "eip", "NFT", PSYCHOLOGIST, "Clinical Psychologist", "Band 8a", "eip-tm",
       "psychology-lead"),
    _R("eip-psychiatrist", "eip", "NFT", PSYCHIATRIST, "Specialty Doctor", "Specialty Doctor", "clinical-director",
       "clinical-director"),
    _R("eip-stw-1", "eip", "NFT", SUPPORT_WORKER, "Peer Support Worker", "Band 3", "eip-lead-nurse"),
    # Deliberate gap: a new starter whose managerial line has not been recorded yet.
    _R("eip-stw-2", "eip", "NFT", SUPPORT_WORKER, "Support Time and Recovery Worker", "Band 3"),
    _R("eip-admin", "eip", "NFT", ADMINISTRATOR, "Team Administrator", "Band 3", "eip-tm"),
)
ROLE_BY_KEY = {role.key: role for role in ROLES}
LEAD_KEYS = frozenset(key for role in ROLES for key in (role.manager, role.professional_lead) if key)

# New starters, so the newly qualified qualified this year and a few records are still settling in.
START_DATES = {
    "north-sw-5": date(2026, 9, 1),
    "south-sw-5": date(2026, 9, 14),
    "north-nurse-5": date(2026, 9, 14),
    "south-ot-2": date(2026, 9, 7),
    "eip-stw-2": date(2026, 11, 2),
}
QUALIFIED_DATES = {
    "north-sw-5": date(2026, 7, 10),
    "south-sw-5": date(2026, 6, 26),
    "north-nurse-5": date(2026, 8, 3),
}
LEAVE_DATES = {
    "south-nurse-4": date(2026, 6, 30),
    "north-stw-3": date(2026, 8, 14),
    "eip-sw-3": date(2026, 12, 31),  # has resigned; still working out notice
}
# Lines that changed this year: the earlier lead, the earlier line's last day, and why it changed.
SPAN_REDUCED = "Support workers moved to the clinical team lead to reduce the team manager's span."
TRANSFERRED = "Transferred from South Locality CMHT."
LINE_CHANGES = {
    ("south-stw-1", LineKind.MANAGERIAL): ("south-tm", date(2026, 5, 31), SPAN_REDUCED),
    ("south-stw-2", LineKind.MANAGERIAL): ("south-tm", date(2026, 5, 31), SPAN_REDUCED),
    ("south-stw-3", LineKind.MANAGERIAL): ("south-tm", date(2026, 5, 31), SPAN_REDUCED),
    ("north-nurse-6", LineKind.MANAGERIAL): ("south-lead-nurse", date(2026, 6, 30), TRANSFERRED),
    ("north-nurse-6", LineKind.PROFESSIONAL): ("south-lead-nurse", date(2026, 6, 30), TRANSFERRED),
}
# Where the HR system's supervisor is not the real line: ESR not updated after a transfer, and a
# new starter whose line is not yet recorded here.
HR_SUPERVISORS = {"north-nurse-6": "south-lead-nurse", "eip-stw-2": "eip-lead-nurse"}

FIRST_NAMES = (
    "Aisha", "Alice", "Amara", "Amelia", "Andrew", "Anna", "Ben", "Bethany", "Callum", "Catherine", "Charlotte",
    "Chloe", "Chris", "Claire", "Daniel", "David", "Deborah", "Eleanor", "Emily", "Emma", "Fatima", "Fiona", "Gareth",
    "Grace", "Hannah", "Harriet", "Imran", "Isla", "Jack", "James", "Jasmine", "Joanne", "Jonathan", "Karen",
    "Kate", "Kwame", "Laura", "Liam", "Lucy", "Mark", "Martin", "Megan", "Michael", "Mohammed", "Naomi", "Nathan",
    "Nicola", "Oliver", "Owen", "Paul", "Priya", "Rachel", "Rebecca", "Rhys", "Richard", "Ruth", "Sam", "Sarah",
    "Simon", "Sophie", "Stephen", "Susan", "Tom", "Victoria", "Yasmin", "Zoe",
)
SURNAMES = (
    "Adebayo", "Ahmed", "Allen", "Atkinson", "Bailey", "Barker", "Bennett", "Brown", "Campbell", "Carter", "Chapman",
    "Clarke", "Collins", "Davies", "Dixon", "Edwards", "Ellis", "Evans", "Fletcher", "Foster", "Gill", "Graham",
    "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James", "Jones", "Kaur", "Kennedy", "Khan", "Lewis",
    "Lloyd", "Marshall", "Mason", "Mitchell", "Morgan", "Murphy", "Nowak", "Okafor", "Owen", "Parker", "Patel",
    "Pearson", "Phillips", "Price", "Reid", "Richards", "Roberts", "Robinson", "Shaw", "Singh", "Stewart", "Taylor",
    "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright",
)

# --- supervision ---------------------------------------------------------------------------------

MANAGERIAL = "managerial"
PROFESSIONAL = "professional"
# The defaults in DOMAIN.md: (profession, type, interval days, minimum minutes); no profession = everyone else.
POLICIES = (
    (SOCIAL_WORKER, PROFESSIONAL, 31, 90),
    (NURSE, PROFESSIONAL, 42, 60),
    (OCCUPATIONAL_THERAPIST, PROFESSIONAL, 42, 60),
    (PSYCHOLOGIST, PROFESSIONAL, 42, 60),
    (PSYCHIATRIST, PROFESSIONAL, 42, 60),
    (None, MANAGERIAL, 56, None),
    (None, PROFESSIONAL, 91, None),
)
NEWLY_QUALIFIED_INTERVAL = 14  # ASYE and preceptorship: fortnightly in the first months
# Arrangements with nothing held in the demo's records, so compliance shows "never held".
NEVER_HELD = (("eip-nurse-4", PROFESSIONAL), ("south-sw-3", MANAGERIAL))
# Arrangements whose sessions stopped some time ago: compliance then sits below the 95% target, as it often does.
LAPSED_SHARE = 0.12
GROUP_SUPERVISION = (
    ("north-ssw", (date(2026, 5, 13), date(2026, 7, 8), date(2026, 9, 9), date(2026, 11, 11))),
    ("eip-lead-nurse", (date(2026, 6, 17), date(2026, 10, 14))),
)
HELD = "held"
NOT_HELD = ("cancelled by supervisor", "cancelled by supervisee", "did not attend")
STATUS_WEIGHTS = (82, 9, 6, 3)  # held, then each of NOT_HELD

# --- the pooled budget ---------------------------------------------------------------------------

AGREEMENT_ID = 1
GOVERNING_BOARD = "Section 75 Partnership Board"
CONTRIBUTIONS = (  # partner, funding stream, £, recurrent, schedule
    ("NFT", "Mental health services baseline", 8_400_000, True, "monthly"),
    ("NFT", "Community mental health transformation", 1_200_000, False, "quarterly"),
    ("NCC", "Adult social care mental health", 2_650_000, True, "monthly"),
    ("NCC", "Better Care Grant", 550_000, True, "quarterly"),
)


@dataclass(frozen=True)
class _LineSpec:
    code: str
    name: str
    category: str
    responsible: str
    annual_pounds: int
    drift_basis_points: int  # how far actuals run from budget, so the monitoring has a story
    share_profile: str = "variable"
    month_weights: tuple[int, ...] | None = None  # a seasonal profile; even when absent


BUDGET_LINES = (
    _LineSpec("MH01", "Community mental health nursing", "pay", "NFT", 2_550_000, -250),
    _LineSpec("MH02", "Social work staffing", "pay", "NCC", 1_480_000, -150),
    _LineSpec("MH03", "Approved mental health professionals", "pay", "NCC", 420_000, 300),
    _LineSpec("MH04", "Occupational therapy", "pay", "NFT", 610_000, -100),
    _LineSpec("MH05", "Psychology", "pay", "NFT", 720_000, -350),
    _LineSpec("MH06", "Medical staffing", "pay", "NFT", 1_350_000, 450, share_profile="fixed"),
    _LineSpec("MH07", "Support time and recovery workers", "pay", "NFT", 690_000, 80),
    _LineSpec("MH08", "Management and administration", "pay", "NFT", 540_000, 0),
    _LineSpec("MH09", "Early intervention in psychosis", "pay", "NFT", 1_000_000, -60),
    _LineSpec("MH10", "Residential and nursing placements", "commissioned care", "NCC", 1_470_000, 650,
              month_weights=(8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 8)),
    _LineSpec("MH11", "Supported living", "commissioned care", "NCC", 930_000, 380),
    _LineSpec("MH12", "Direct payments", "commissioned care", "NCC", 310_000, -420, share_profile="fixed"),
    _LineSpec("MH13", "Section 117 aftercare", "commissioned care", "NFT", 420_000, 200),
    _LineSpec("MH14", "Voluntary sector contracts", "commissioned care", "NCC", 260_000, 0),
    _LineSpec("MH15", "Non-pay: travel and equipment", "non-pay", "NFT", 400_000, -200,
              month_weights=(7, 7, 7, 7, 7, 8, 8, 8, 8, 9, 10, 14)),
    _LineSpec("MH16", "Client income", "income", "NCC", -350_000, -700),
)
BUDGET_LINE_IDS = {spec.code: number for number, spec in enumerate(BUDGET_LINES, start=1)}
MONTHLY_NOISE_BASIS_POINTS = 150
# A ledger row before it is numbered: posting date, cost centre, subjective, description, pence, budget line.
_LedgerRow = tuple[date, str, str, str, int, int | None]


@dataclass(frozen=True)
class _Entry:
    """A kind of row one ledger mapping produces each month; descriptions name {month}, {invoice}, {week}, {account}."""

    subjective: str
    description: str
    weight: tuple[int, int] = (1, 1)
    count: tuple[int, int] = (1, 1)
    posted: str = "any"  # "payday", "month end" or any working day


@dataclass(frozen=True)
class _MappingSpec:
    line: str
    organisation: str
    cost_centre: str
    subjective_pattern: str
    share: int  # of the line's spend, where a line is fed by several cost centres
    entries: tuple[_Entry, ...]
    credit_notes: bool = False


def _nhs_pay(*subjectives: str) -> tuple[_Entry, ...]:
    """A trust's monthly pay rows: payroll per subjective, then bank and agency."""
    payroll = tuple(_Entry(code, text, weight, (1, 1), "payday") for code in subjectives
                    for text, weight in (("Salaries {month}", (650, 750)), ("Employer NI {month}", (70, 80)),
                                         ("Employer pension {month}", (135, 150))))
    return (*payroll,
            _Entry(subjectives[0], "Bank staff – week ending {week}", (8, 20), (2, 6)),
            _Entry(subjectives[0], "Agency – invoice {invoice}", (10, 30), (0, 2)),
            _Entry(subjectives[0], "Overtime {month}", (3, 8), (0, 1), "payday"))


def _council_pay(*extras: _Entry) -> tuple[_Entry, ...]:
    """A council's monthly pay rows: its ledger has a subjective per pay element."""
    return (_Entry("1001", "Salaries {month}", (650, 750), (1, 1), "payday"),
            _Entry("1101", "Employer NI {month}", (70, 80), (1, 1), "payday"),
            _Entry("1201", "Employer pension {month}", (160, 180), (1, 1), "payday"),
            _Entry("1301", "Agency social worker – invoice {invoice}", (15, 40), (1, 3)),
            _Entry("1401", "Car allowances {month}", (3, 6), (1, 1), "payday"),
            *extras)


NHS_NON_PAY = (
    _Entry("521100", "Mileage claims {month}", (20, 60), (2, 6)),
    _Entry("522100", "Equipment – PO {invoice}", (20, 80), (1, 3)),
    _Entry("523100", "Stationery and printing – PO {invoice}", (5, 15), (1, 2)),
    _Entry("524100", "Mobile phones {month}", (10, 20), (1, 1), "month end"),
)

LEDGER_MAPPINGS = (
    _MappingSpec("MH01", "NFT", "C41200", "511*", 55, _nhs_pay("511150", "511160", "511170")),
    _MappingSpec("MH01", "NFT", "C41210", "511*", 45, _nhs_pay("511150", "511160", "511170")),
    _MappingSpec("MH02", "NCC", "MH3100", "1*", 1, _council_pay()),
    _MappingSpec("MH03", "NCC", "MH3200", "1*", 1, _council_pay(
        _Entry("1501", "AMHP standby and call-out {month}", (20, 40), (1, 1), "payday"))),
    _MappingSpec("MH04", "NFT", "C41200", "514*", 50, _nhs_pay("514160")),
    _MappingSpec("MH04", "NFT", "C41210", "514*", 50, _nhs_pay("514160")),
    _MappingSpec("MH05", "NFT", "C41250", "5*", 1, _nhs_pay("515170", "515180")),
    _MappingSpec("MH06", "NFT", "C41260", "5*", 1, (
        *_nhs_pay("516100", "516200"),
        _Entry("516900", "Locum consultant – agency invoice {invoice}", (40, 80), (2, 4)))),
    _MappingSpec("MH07", "NFT", "C41200", "512*", 50, _nhs_pay("512130", "512140")),
    _MappingSpec("MH07", "NFT", "C41210", "512*", 50, _nhs_pay("512130", "512140")),
    _MappingSpec("MH08", "NFT", "C41900", "51*", 1, _nhs_pay("518130", "519180")),
    _MappingSpec("MH09", "NFT", "C41300", "51*", 1, _nhs_pay("511160", "512130", "514160")),
    _MappingSpec("MH10", "NCC", "MH3300", "41*", 1, (
        _Entry("4101", "Placement – provider invoice {invoice}", (60, 140), (26, 34)),
        _Entry("4102", "Nursing placement – provider invoice {invoice}", (80, 160), (8, 12)),
        _Entry("4101", "Accrual – placements not yet invoiced {month}", (100, 300), (0, 1), "month end")),
        credit_notes=True),
    _MappingSpec("MH11", "NCC", "MH3300", "42*", 1, (
        _Entry("4201", "Supported living – provider invoice {invoice}", (60, 140), (18, 26)),), credit_notes=True),
    _MappingSpec("MH12", "NCC", "MH3400", "43*", 1, (
        _Entry("4301", "Direct payment – account {account}", (50, 150), (45, 60)),)),
    _MappingSpec("MH13", "NFT", "C41400", "53*", 1, (
        _Entry("531100", "Section 117 aftercare – invoice {invoice}", (60, 140), (10, 16)),), credit_notes=True),
    _MappingSpec("MH14", "NCC", "MH3400", "44*", 1, (
        _Entry("4401", "Voluntary sector contract – instalment {invoice}", (80, 120), (3, 6)),)),
    _MappingSpec("MH15", "NFT", "C41200", "52*", 25, NHS_NON_PAY),
    _MappingSpec("MH15", "NFT", "C41210", "52*", 25, NHS_NON_PAY),
    _MappingSpec("MH15", "NFT", "C41300", "52*", 20, NHS_NON_PAY),
    _MappingSpec("MH15", "NFT", "C41900", "52*", 15, NHS_NON_PAY),
    _MappingSpec("MH15", "NCC", "MH3100", "3*", 15, (
        _Entry("3101", "Mileage claims {month}", (20, 60), (2, 5)),
        _Entry("3201", "Rail and bus fares {month}", (5, 15), (0, 2)))),
    _MappingSpec("MH16", "NCC", "MH3500", "9*", 1, (
        _Entry("9101", "Client contribution – account {account}", (50, 150), (35, 45)),)),
)
# Rows coded to cost centres outside the pool: the importer cannot place them on a line.
UNMAPPED_ENTRIES = {
    "NFT": ("C48800", _Entry("521100", "Mileage claims – crisis team {month}")),
    "NCC": ("MH3900", _Entry("4101", "Placement – provider invoice {invoice}")),
}
PAYDAYS = {"NFT": 25, "NCC": 28}  # each partner pays staff on the last working day on or before this
FIRST_DATA_ROWS = {"NFT": 5, "NCC": 2}  # the trust's extract has title rows above its header
LEDGER_FILES = {"NFT": "NFT ledger M{period:02d} {year}.xlsx", "NCC": "NCC ledger extract P{period:02d} {year}.xlsx"}
FIRST_REFERENCES = {"NFT": 4512, "NCC": 7712345}
NEXT_MONTH_SEED = DEMO_SEED + 2  # next month's extracts draw on their own, so the demo itself is the same with them
EXTRACT_HEADERS = {  # each partner's own layout: the trust's journal lines, the council's debits and credits
    "NFT": ("Cost Centre", "Subjective", "GL Date", "Journal Ref", "Line Description", "Net Amount"),
    "NCC": ("Cost Centre Code", "Account Code", "Period", "Document No", "Document Date", "Narrative", "Debit",
            "Credit"),
}
IMPORT_TIMES = {"NFT": time(9, 30), "NCC": time(10, 15)}

# from, to, £, recurrent, from period, reason, approver (none: the governing board), approval date, board minute
VIREMENTS = (
    ("MH02", "MH03", 18_000, True, 3, "Fund an extra AMHP rota session from a long-term social work vacancy.",
     "jgm", date(2026, 6, 18), None),
    ("MH01", "MH10", 40_000, False, 6, "Nursing vacancy underspend released to meet residential placement "
                                        "pressures.", None, date(2026, 9, 17), "S75PB minute 2026/14"),
)
VIREMENT_MADE_AT = time(11, 0)  # UTC, as the audit log keeps times
REOPENED_PERIOD = 5
REOPEN_REASON = "Late NCC accrual for a supported living placement (provider invoice 8832) posted after close."

# --- delivery actions ----------------------------------------------------------------------------

MEETINGS = {
    "s75-sep": ("Section 75 Partnership Board", date(2026, 9, 17)),
    "jmb-oct": ("Joint Management Board", date(2026, 10, 8)),
    "jmb-nov": ("Joint Management Board", date(2026, 11, 12)),
}
MEETING_IDS = {key: number for number, key in enumerate(MEETINGS, start=1)}
# Team managers' meetings raise actions too, but are not recorded as meetings here.
UNRECORDED_SOURCES = {"tm-jul": date(2026, 7, 23), "tm-aug": date(2026, 8, 20)}

OPEN, IN_PROGRESS, COMPLETE, CANCELLED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE,
                                          ActionStatus.CANCELLED)
ACTIONS = (  # source, title, workstream, owner, priority, status, evidence when complete
    ("tm-jul", "Replace ageing laptops for community staff", "Integration", "eip-tm", "low", COMPLETE,
     "Forty laptops replaced; asset register updated."),
    ("tm-jul", "Book AMHP refresher training", "Workforce", "amhp-lead", "medium", COMPLETE,
     "Training held 3 September; attendance list filed."),
    ("tm-aug", "Set up monthly finance surgery for team managers", "Finance", "finance-nft", "low", COMPLETE,
     "Surgeries booked to March; first held 24 September."),
    ("tm-aug", "Review duty system for EIP referrals", "Quality and safety", "eip-tm", "medium", CANCELLED, ""),
    ("s75-sep", "Present M6 risk-share position with reserve drawdown options", "Finance", "finance-nft", "high",
     COMPLETE, "Paper presented to the Joint Management Board on 8 October."),
    ("s75-sep", "Agree recovery plan for residential and nursing placement overspend", "Finance",
     "commissioning-ncc", "high", IN_PROGRESS, ""),
    ("s75-sep", "Confirm 2027-28 contribution intentions from both partners", "Finance", "finance-ncc", "high",
     OPEN, ""),
    ("s75-sep", "Update the pooled fund schedule for the £40,000 virement", "Finance", "finance-nft", "medium",
     COMPLETE, "Schedule 3 variation signed by both partners."),
    ("s75-sep", "Report supervision compliance by employer to the next board", "Supervision", "jgm", "medium",
     COMPLETE, "Compliance report in the November board pack."),
    ("s75-sep", "Review the risk reserve level against the 2026-27 forecast", "Finance", "finance-nft", "medium",
     IN_PROGRESS, ""),
    ("s75-sep", "Agree data-sharing protocol for joint caseload reporting", "Integration", "jgm", "medium", OPEN,
     ""),
    ("s75-sep", "Commission independent review of Section 117 aftercare costs", "Finance", "commissioning-ncc",
     "medium", CANCELLED, ""),
    ("s75-sep", "Publish joint workforce plan for social work and nursing vacancies", "Workforce", "psw", "medium",
     IN_PROGRESS, ""),
    ("s75-sep", "Set out the approach to year-end reconciliation of contributions", "Finance", "finance-ncc", "low",
     OPEN, ""),
    ("jmb-oct", "Agree AMHP rota cover for December", "Workforce", "amhp-lead", "high", IN_PROGRESS, ""),
    ("jmb-oct", "Review placement spend against forecast", "Finance", "commissioning-ncc", "high", COMPLETE,
     "Placement review presented with the M7 pack."),
    ("jmb-oct", "Recover overdue managerial supervision in South Locality CMHT", "Supervision", "south-tm", "high",
     IN_PROGRESS, ""),
    ("jmb-oct", "Confirm a nurse professional lead for EIP nurses", "Supervision", "head-nursing", "medium", OPEN,
     ""),
    ("jmb-oct", "Record professional lines for new occupational therapists", "Supervision", "head-ot", "medium",
     OPEN, ""),
    ("jmb-oct", "Complete ASYE support plans for newly qualified social workers", "Workforce", "psw", "medium",
     COMPLETE, "Both ASYE plans signed by the assessor and the Principal Social Worker."),
    ("jmb-oct", "Agree the preceptorship supervision schedule", "Workforce", "head-nursing", "medium", COMPLETE,
     "Fortnightly schedule agreed to March."),
    ("jmb-oct", "Reconcile council ledger codes not mapped to pool lines", "Finance", "finance-ncc", "medium",
     IN_PROGRESS, ""),
    ("jmb-oct", "Move crisis team miscodings out of the pool cost centres", "Finance", "finance-nft", "low", OPEN,
     ""),
    ("jmb-oct", "Refresh lone working procedure for joint home visits", "Quality and safety", "north-tm", "medium",
     COMPLETE, "Procedure reissued; briefed at team meetings."),
    ("jmb-oct", "Align sickness absence reporting between ESR and council HR", "Workforce", "jgm", "low",
     CANCELLED, ""),
    ("jmb-oct", "Agree direct payments review timetable", "Finance", "commissioning-ncc", "medium", OPEN, ""),
    ("jmb-oct", "Run joint induction for autumn starters", "Workforce", "eip-tm", "low", COMPLETE,
     "Induction held 4 November for six new starters."),
    ("jmb-oct", "Confirm shared duty rota across North and South CMHTs", "Integration", "north-tm", "medium",
     IN_PROGRESS, ""),
    ("jmb-nov", "Prepare M7 budget monitoring pack for both partners", "Finance", "finance-nft", "high", COMPLETE,
     "Packs sent to both partners on 18 November."),
    ("jmb-nov", "Draft winter pressures plan for supported living", "Finance", "commissioning-ncc", "high", OPEN,
     ""),
    ("jmb-nov", "Agree reflective practice group schedule for 2027", "Supervision", "psychology-lead", "low", OPEN,
     ""),
    ("jmb-nov", "Review caseload weighting tool with team managers", "Quality and safety", "south-tm", "medium",
     IN_PROGRESS, ""),
    ("jmb-nov", "Close out safeguarding audit actions for EIP", "Quality and safety", "eip-tm", "high",
     IN_PROGRESS, ""),
    ("jmb-nov", "Agree locum consultant cover for South Locality CMHT", "Workforce", "clinical-director", "high",
     OPEN, ""),
    ("jmb-nov", "Confirm mileage rates for seconded social workers", "Workforce", "finance-ncc", "low", COMPLETE,
     "Council rates confirmed in writing to the social workers."),
    ("jmb-nov", "Update supervision agreements not yet signed", "Supervision", "north-tm", "medium", OPEN, ""),
    ("jmb-nov", "Circulate the revised risk-share worked example", "Finance", "finance-nft", "low", OPEN, ""),
    ("jmb-nov", "Plan joint audit of Care Act and care programme reviews", "Quality and safety", "psw", "medium",
     OPEN, ""),
    ("jmb-nov", "Check ESR supervisor records against actual line managers", "Workforce", "jgm", "low",
     IN_PROGRESS, ""),
    ("jmb-nov", "Agree client income recovery actions", "Finance", "finance-ncc", "medium", OPEN, ""),
)
# One RAG set by hand: the board wants it watched although it is not yet due.
RAG_OVERRIDES = {"Agree locum consultant cover for South Locality CMHT": (
    "amber", "Depends on agency supply; escalated to the Clinical Director.")}
DUE_WITHIN_DAYS = {"high": (14, 28), "medium": (21, 42), "low": (35, 63)}
DUE_CHANGE_REASONS = (
    "Awaiting figures from the partners' finance teams.",
    "Owner on annual leave.",
    "Depends on the Partnership Board's decision.",
    "Moved to fit the M8 reporting timetable.",
    "Staffing pressures in the team.",
    "Staff side asked for further consultation.",
)
UPDATES = {
    OPEN: ("Not started yet: planned after the month-end close.", "Owner confirmed; work starts next month."),
    IN_PROGRESS: (
        "Discussed at the team managers' meeting; first draft in preparation.",
        "Figures requested from both finance teams; awaiting the council's return.",
        "Draft circulated to partners for comment.",
        "Meeting held with the lead commissioner; options being costed.",
        "Delayed by staff absence; new date agreed with the joint general manager.",
        "Progress reported to the Joint Management Board.",
        "Half of the teams done; the rest booked for next week.",
    ),
    COMPLETE: ("Complete; evidence recorded.",),
    CANCELLED: ("Cancelled at the Joint Management Board: no longer needed.",),
}


# --- dates ---------------------------------------------------------------------------------------

def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def _next_working_day(day: date) -> date:
    while not _is_working_day(day):
        day += timedelta(days=1)
    return day


@cache
def _working_days(period: Period) -> list[date]:
    days = calendar.monthrange(period.calendar_year, period.calendar_month)[1]
    return [d for d in (period.first_day + timedelta(days=n) for n in range(days)) if _is_working_day(d)]


def _following(period: Period) -> Period:
    return DEMO_YEAR.period(period.number + 1)


def _transaction_ref(code: str, number: int) -> str:
    """The reference each partner's ledger gives a posting: the trust's journal lines, the council's documents."""
    return f"JNL-{DEMO_YEAR.start_year}-{number:06d}" if code == "NFT" else f"DOC {number}"


def _policy_interval(profession: str, supervision_type: str) -> int:
    """The most specific default: the profession's own policy, else the one for everyone."""
    matches = [(p is not None, interval) for p, kind, interval, _minutes in POLICIES
               if kind == supervision_type and p in (profession, None)]
    return max(matches)[1]


# --- building the rows ---------------------------------------------------------------------------

class _DemoService:
    """The demo's rows, table by table in an order the foreign keys accept, drawn from one seeded generator."""

    def __init__(self) -> None:
        self.rng = random.Random(DEMO_SEED)
        self.tables: dict[type[Base], list[dict[str, Any]]] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.key_of: dict[int, str] = {}
        self.taken: set[str] = set()

    def build(self) -> None:
        self._organisations()
        self._people()
        self._reporting_lines()
        self._supervision()
        self._pooled_budget()
        self._ledger()
        self._virements_and_closes()
        self._actions()
        self.tables[Setting] = [
            {"key": "service_name", "value": SERVICE_NAME},
            {"key": "span_of_control", "value": str(DEFAULT_SPAN_OF_CONTROL)},
            {"key": "next_action_number", "value": str(len(self.tables[Action]) + 1)},
        ]

    def summary(self) -> DemoSummary:
        count = {model: len(rows) for model, rows in self.tables.items()}
        return DemoSummary(
            people=count[Person], lines=count[ReportingLine], arrangements=count[SupervisionArrangement],
            sessions=count[SupervisionSession], budget_lines=count[BudgetLine],
            transactions=count[LedgerTransaction], virements=count[Virement], meetings=count[Meeting],
            actions=count[Action])

    # helpers

    def _day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _working_day_between(self, first: date, last: date) -> date:
        days = [d for d in (first + timedelta(days=n) for n in range((last - first).days + 1)) if _is_working_day(d)]
        return self.rng.choice(days) if days else last

    def _unique(self, draw: Callable[[], str]) -> str:
        """A name or number nobody else in the demo has: employee and registration numbers must not clash."""
        while (value := draw()) in self.taken:
            pass
        self.taken.add(value)
        return value

    def _id(self, key: str) -> int:
        return self.people[key]["id"]

    def _add(self, model: type[Base], row: dict[str, Any]) -> dict[str, Any]:
        rows = self.tables.setdefault(model, [])
        row = {"id": len(rows) + 1, **row}
        rows.append(row)
        return row

    # organisations and people

    def _organisations(self) -> None:
        for code, name, kind, colour in ORGANISATIONS:
            self._add(Organisation, {"code": code, "name": name, "kind": kind, "colour": colour})
        for _key, name, description in TEAMS:
            self._add(Team, {"name": name, "description": description})

    def _people(self) -> None:
        rng = self.rng
        for role in ROLES:
            # Leads have been in post longer than the people they lead.
            start = START_DATES.get(role.key) or (
                self._day_between(date(2004, 1, 1), date(2016, 12, 31)) if role.key in LEAD_KEYS
                else self._day_between(date(2012, 1, 1), date(2025, 12, 31)))
            registration_body = REGISTRATION_BODIES.get(role.profession)
            qualified = None
            if registration_body:
                qualified = QUALIFIED_DATES.get(role.key) or start - timedelta(days=rng.randint(30, 3000))
            if role.employer == "NFT":
                number = self._unique(lambda: f"{rng.randint(1_000_000, 39_999_999):08d}")
            else:
                number = self._unique(lambda: f"P{rng.randint(100_000, 199_999)}")
            row = self._add(Person, {
                "full_name": self._unique(lambda: f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"),
                "employer_id": ORGANISATION_IDS[role.employer],
                "employee_number": number,
                "team_id": TEAM_IDS[role.team] if role.team else None,
                "job_title": role.job_title,
                "profession": role.profession,
                "registration_body": registration_body,
                "registration_number": self._registration_number(role.profession, qualified) if qualified else None,
                "grade": role.grade,
                "wte_hundredths": 100 if rng.random() < 0.7 else rng.choice((40, 50, 60, 80, 90)),
                "start_date": start,
                "leave_date": LEAVE_DATES.get(role.key),
                "seconded": role.seconded,
                "career_stage": role.career_stage,
                "qualified_date": qualified,
                "hr_supervisor_number": None,
            })
            self.people[role.key] = row
            self.key_of[row["id"]] = role.key
        for role in ROLES:
            self.people[role.key]["hr_supervisor_number"] = self._hr_supervisor_number(role)

    def _registration_number(self, profession: str, qualified: date) -> str:
        rng = self.rng
        if profession == NURSE:  # NMC PIN: year, month letter, four digits, country letter
            return self._unique(lambda: f"{qualified.year % 100:02d}{'ABCDEFGHIJKL'[qualified.month - 1]}"
                                        f"{rng.randint(1000, 9999)}E")
        prefixes = {OCCUPATIONAL_THERAPIST: "OT", PSYCHOLOGIST: "PYL", SOCIAL_WORKER: "SW", PSYCHIATRIST: ""}
        digits = {OCCUPATIONAL_THERAPIST: 5, PSYCHOLOGIST: 5, SOCIAL_WORKER: 6, PSYCHIATRIST: 7}[profession]
        return self._unique(lambda: f"{prefixes[profession]}{rng.randint(10 ** (digits - 1), 10 ** digits - 1)}")

    def _hr_supervisor_number(self, role: _Role) -> str | None:
        key = HR_SUPERVISORS.get(role.key) or role.manager
        if key is None:
            return None
        if ROLE_BY_KEY[key].employer != role.employer:
            # An HR system only knows its own employer's staff: it names a senior manager there instead.
            key = "psw" if role.employer == "NCC" else "jgm"
        return self.people[key]["employee_number"]

    # reporting lines and supervision

    def _reporting_lines(self) -> None:
        for role in ROLES:
            person = self.people[role.key]
            for kind, lead in ((LineKind.MANAGERIAL, role.manager), (LineKind.PROFESSIONAL, role.professional_lead)):
                if lead is None:
                    continue
                not_before, note = person["start_date"], ""
                if (role.key, kind) in LINE_CHANGES:
                    earlier, last_day, note = LINE_CHANGES[role.key, kind]
                    self._line(kind, role.key, earlier, not_before, last_day, "")
                    not_before = last_day + timedelta(days=1)
                self._line(kind, role.key, lead, not_before, person["leave_date"], note)

    def _line(self, kind: LineKind, key: str, lead: str, not_before: date, effective_to: date | None,
              note: str) -> None:
        # A line can only start once both people are in post.
        effective_from = max(not_before, self.people[key]["start_date"], self.people[lead]["start_date"])
        self._add(ReportingLine, {"kind": str(kind), "person_id": self._id(key), "lead_id": self._id(lead),
                                  "effective_from": effective_from, "effective_to": effective_to, "note": note})

    def _supervision(self) -> None:
        for profession, supervision_type, interval, minutes in POLICIES:
            self._add(SupervisionPolicy, {"organisation_id": None, "profession": profession, "career_stage": None,
                                          "supervision_type": supervision_type, "interval_days": interval,
                                          "min_minutes": minutes})
        sessions: list[dict[str, Any]] = []
        earlier = random.Random(EARLIER_SEED)
        for line in self.tables[ReportingLine]:
            role = ROLE_BY_KEY[self.key_of[line["person_id"]]]
            if role.team is None:
                continue
            newly_qualified = line["kind"] == PROFESSIONAL and role.career_stage != "qualified"
            start = line["effective_from"]
            signed = start + timedelta(days=self.rng.randint(0, 21))
            arrangement = self._add(SupervisionArrangement, {
                "supervisee_id": line["person_id"],
                "supervision_type": line["kind"],
                "supervisor_id": line["lead_id"],
                "interval_days": NEWLY_QUALIFIED_INTERVAL if newly_qualified else None,
                "start_date": start,
                "end_date": line["effective_to"],
                # Some agreements are still unsigned: one of the board's actions chases them.
                "agreement_signed": signed if self.rng.random() < 0.85 and signed <= DEMO_TODAY else None,
            })
            interval = arrangement["interval_days"] or _policy_interval(role.profession, line["kind"])
            if (role.key, line["kind"]) in NEVER_HELD:
                sessions.extend(self._cancelled_only(arrangement))
            else:
                recent = self._sessions(arrangement, interval, lapsed=self.rng.random() < LAPSED_SHARE)
                sessions.extend(recent)
                sessions.extend(self._earlier_sessions(arrangement, interval, recent, earlier))
        sessions.extend(self._group_sessions())
        sessions.sort(key=lambda s: (s["session_date"], s["supervisee_id"], s["supervision_type"],
                                     s["group_key"] or ""))
        for session in sessions:
            self._add(SupervisionSession, session)

    def _session(self, arrangement: dict[str, Any], day: date, status: str, supervisor_id: int | None,
                 minutes: int | None, group_key: str | None = None, *, rng: random.Random | None = None
                 ) -> dict[str, Any]:
        rng = rng or self.rng
        confirmed = day + timedelta(days=rng.randint(0, 6))
        if status != HELD or confirmed > DEMO_TODAY or rng.random() < 0.2:
            confirmed = None  # not every supervisee confirms, and nobody confirms a session that did not happen
        return {"supervisee_id": arrangement["supervisee_id"], "supervisor_id": supervisor_id,
                "supervision_type": arrangement["supervision_type"], "session_date": day, "group_key": group_key,
                "duration_minutes": minutes, "status": status, "recorded_by": RECORDED_BY,
                "supervisee_confirmed": confirmed}

    def _sessions(self, arrangement: dict[str, Any], interval: int, *, lapsed: bool, rng: random.Random | None = None,
                  between: tuple[date, date] | None = None) -> list[dict[str, Any]]:
        """Sessions roughly every interval, with cancellations rebooked; a lapsed one stops well before today.
        From SESSIONS_FROM to today with the demo's own draws, unless given other draws and the days `between`."""
        rng = rng or self.rng
        first = max(arrangement["start_date"], SESSIONS_FROM)
        last = min(arrangement["end_date"] or DEMO_TODAY, DEMO_TODAY)
        if between is not None:
            first, last = max(arrangement["start_date"], between[0]), min(last, between[1])
        if lapsed:
            last = min(last, DEMO_TODAY - timedelta(days=interval + rng.randint(7, 45)))
        supervisor_key = self.key_of[arrangement["supervisor_id"]]
        cover = ROLE_BY_KEY[supervisor_key].manager
        social_work = ROLE_BY_KEY[self.key_of[arrangement["supervisee_id"]]].profession == SOCIAL_WORKER
        if arrangement["supervision_type"] == MANAGERIAL:
            durations = (45, 60, 60, 90)
        else:
            durations = (75, 90, 90, 90, 120) if social_work else (60, 60, 75, 90)
        sessions = []
        day = _next_working_day(first + timedelta(days=rng.randint(3, max(3, interval // 2))))
        while day <= last:
            status = rng.choices((HELD, *NOT_HELD), weights=STATUS_WEIGHTS)[0]
            supervisor = arrangement["supervisor_id"]
            # Now and then the supervisor's own manager covers a managerial session.
            if status == HELD and cover and arrangement["supervision_type"] == MANAGERIAL and rng.random() < 0.04:
                supervisor = self._id(cover)
            sessions.append(self._session(arrangement, day, status, supervisor,
                                          rng.choice(durations) if status == HELD else None, rng=rng))
            gap = rng.randint(interval * 6 // 10, interval) if status == HELD else rng.randint(2, 9)
            day = _next_working_day(day + timedelta(days=gap))
        return sessions

    def _earlier_sessions(self, arrangement: dict[str, Any], interval: int, recent: list[dict[str, Any]],
                          rng: random.Random) -> list[dict[str, Any]]:
        """The arrangement's sessions from EARLIER_SESSIONS_FROM until its records from SESSIONS_FROM begin (a few
        days before the first of those), drawn from `rng`."""
        until = recent[0]["session_date"] if recent else SESSIONS_FROM
        return self._sessions(arrangement, interval, lapsed=False, rng=rng,
                              between=(EARLIER_SESSIONS_FROM, until - timedelta(days=3)))

    def _cancelled_only(self, arrangement: dict[str, Any]) -> list[dict[str, Any]]:
        """Sessions booked in recent months and all cancelled: the arrangement has never been held."""
        days = sorted(self._day_between(DEMO_TODAY - timedelta(days=120), DEMO_TODAY - timedelta(days=5))
                      for _ in range(self.rng.randint(1, 2)))
        return [self._session(arrangement, _next_working_day(day), self.rng.choice(NOT_HELD[:2]),
                              arrangement["supervisor_id"], None) for day in days]

    def _group_sessions(self) -> list[dict[str, Any]]:
        """Group supervision: one row per supervisee of the lead on the day, sharing a group key."""
        arrangements = self.tables[SupervisionArrangement]
        sessions = []
        number = 0
        for lead, days in GROUP_SUPERVISION:
            for day in days:
                number += 1
                members = [a for a in arrangements
                           if a["supervisor_id"] == self._id(lead) and a["supervision_type"] == PROFESSIONAL
                           and a["start_date"] <= day and (a["end_date"] is None or day <= a["end_date"])]
                for arrangement in members:
                    status = HELD if self.rng.random() < 0.9 else NOT_HELD[2]
                    sessions.append(self._session(arrangement, day, status, arrangement["supervisor_id"],
                                                  90 if status == HELD else None, f"G-{number:04d}"))
        return sessions

    # the pooled budget

    def _pooled_budget(self) -> None:
        rng = self.rng
        self._add(Agreement, {
            "title": "Northshire Integrated Mental Health Section 75 Pooled Fund", "agreement_type": "pooled fund",
            "host_id": ORGANISATION_IDS[HOST], "fund_manager_id": self._id("jgm"),
            "governing_board": GOVERNING_BOARD, "first_year": DEMO_YEAR.start_year,
            "last_year": DEMO_YEAR.start_year + 2, "reporting_frequency": "monthly", "contribution_basis": "gross",
            "risk_basis": "pro rata", "use_waterfall": True, "risk_reserve_pence": 5_000_000,
            "underspend_rule": "returned pro rata", "delegated_limit_pence": DELEGATED_LIMIT_PENCE,
        })
        for position, (code, *_rest) in enumerate(ORGANISATIONS, start=1):
            self._add(AgreementPartner, {"agreement_id": AGREEMENT_ID, "organisation_id": ORGANISATION_IDS[code],
                                         "position": position, "fixed_share_basis_points": None, "cap_pence": None,
                                         "cap_basis_points": None})
        for partner, stream, pounds, recurrent, schedule in CONTRIBUTIONS:
            contribution = self._add(Contribution, {
                "agreement_id": AGREEMENT_ID, "organisation_id": ORGANISATION_IDS[partner],
                "year": DEMO_YEAR.start_year, "funding_stream": stream, "amount_pence": pounds * 100,
                "recurrent": recurrent, "schedule": schedule})
            for number, pence in payment_schedule(pounds * 100, schedule):
                period = DEMO_YEAR.period(number)
                expected = _next_working_day(date(period.calendar_year, period.calendar_month, 15))
                received = min(_next_working_day(expected + timedelta(days=rng.randint(0, 3))), DEMO_TODAY)
                self._add(ContributionPayment, {
                    "contribution_id": contribution["id"], "expected_date": expected, "expected_pence": pence,
                    "received_date": received if expected <= DEMO_TODAY else None,
                    "received_pence": pence if expected <= DEMO_TODAY else None})
        for spec in BUDGET_LINES:
            line_id = BUDGET_LINE_IDS[spec.code]
            self._add(BudgetLine, {"agreement_id": AGREEMENT_ID, "code": spec.code, "name": spec.name,
                                   "category": spec.category, "responsible_id": ORGANISATION_IDS[spec.responsible],
                                   "share_profile": spec.share_profile})
            self._add(LineYear, {"budget_line_id": line_id, "year": DEMO_YEAR.start_year,
                                 "annual_budget_pence": spec.annual_pounds * 100,
                                 "profile": "custom" if spec.month_weights else "even"})
            months = split_largest_remainder(spec.annual_pounds * 100, spec.month_weights or [1] * 12)
            for number, pence in enumerate(months, start=1):
                self._add(LineMonth, {"budget_line_id": line_id, "year": DEMO_YEAR.start_year, "period": number,
                                      "budget_pence": pence, "forecast_pence": None, "forecast_comment": ""})
        for mapping in LEDGER_MAPPINGS:
            self._add(LedgerMapping, {"budget_line_id": BUDGET_LINE_IDS[mapping.line],
                                      "organisation_id": ORGANISATION_IDS[mapping.organisation],
                                      "cost_centre": mapping.cost_centre,
                                      "subjective_pattern": mapping.subjective_pattern})

    def _ledger(self) -> None:
        """M1 to M7 actuals, one extract per partner per month, drifting from the profiled budget."""
        references = dict(FIRST_REFERENCES)
        for number in range(1, CLOSED_PERIODS + 1):
            period = DEMO_YEAR.period(number)
            rows = self._month_rows(period)
            for code in ORGANISATION_IDS:
                references[code] = self._ledger_file(code, period, rows[code], references[code])
        self.next_references = references

    def _month_rows(self, period: Period) -> dict[str, list[_LedgerRow]]:
        """A month's postings in each partner's ledger: each line's budget for the month, drifted, spread over the
        codes that feed it, and a row on codes outside the pool."""
        month_budget = {(m["budget_line_id"], m["period"]): m["budget_pence"] for m in self.tables[LineMonth]}
        rows: dict[str, list[_LedgerRow]] = {code: [] for code in ORGANISATION_IDS}
        for spec in BUDGET_LINES:
            line_id = BUDGET_LINE_IDS[spec.code]
            factor = 10_000 + spec.drift_basis_points + self.rng.randint(-MONTHLY_NOISE_BASIS_POINTS,
                                                                         MONTHLY_NOISE_BASIS_POINTS)
            actual = month_budget[line_id, period.number] * factor // 10_000
            mappings = [m for m in LEDGER_MAPPINGS if m.line == spec.code]
            shares = split_largest_remainder(actual, [m.share for m in mappings])
            for mapping, pence in zip(mappings, shares, strict=True):
                rows[mapping.organisation].extend(self._mapping_rows(mapping, period, pence, line_id))
        for code, (cost_centre, entry) in UNMAPPED_ENTRIES.items():
            posted = self._posting_date(entry, period, code)
            rows[code].append((posted, cost_centre, entry.subjective, self._description(entry, period, posted),
                               self.rng.randint(4_000, 250_000), None))
        for month in rows.values():
            month.sort(key=lambda row: row[0])
        return rows

    def _mapping_rows(self, mapping: _MappingSpec, period: Period, pence: int, line_id: int) -> list[_LedgerRow]:
        """One mapping's rows for a month, adding up exactly to its share of the line's spend."""
        rng = self.rng
        entries = [entry for entry in mapping.entries for _ in range(rng.randint(*entry.count))]
        amounts = split_largest_remainder(pence, [rng.randint(*entry.weight) for entry in entries])
        rows = []
        for entry, amount in zip(entries, amounts, strict=True):
            posted = self._posting_date(entry, period, mapping.organisation)
            rows.append((posted, mapping.cost_centre, entry.subjective, self._description(entry, period, posted),
                         amount, line_id))
        if mapping.credit_notes and rng.random() < 0.25:
            # A provider credits part of an invoice: the month's total stays the same.
            index = rng.randrange(len(rows))
            posted, cost_centre, subjective, _text, amount, _line = rows[index]
            credit = amount // rng.randint(4, 10)
            rows[index] = (*rows[index][:4], amount + credit, line_id)
            rows.append((rng.choice([d for d in _working_days(period) if d >= posted]), cost_centre, subjective,
                         f"Credit note – provider invoice {rng.randint(1000, 99999)}", -credit, line_id))
        return rows

    def _posting_date(self, entry: _Entry, period: Period, organisation: str) -> date:
        working_days = _working_days(period)
        if entry.posted == "payday":
            return max(d for d in working_days if d.day <= PAYDAYS[organisation])
        if entry.posted == "month end":
            return working_days[-1]
        return self.rng.choice(working_days)

    def _description(self, entry: _Entry, period: Period, posted: date) -> str:
        invoice = self.rng.randint(1000, 99999)
        # A week's bank staff are paid after it ends: the Friday before the posting. A Friday is drawn all the same,
        # as it once was, so that every later draw, and so the demo, stays as it was.
        self.rng.choice([d for d in _working_days(period) if d.weekday() == 4])
        week_ending = posted - timedelta(days=(posted.weekday() - 4) % 7 or 7)
        return entry.description.format(month=period.month_name, invoice=invoice, week=f"{week_ending:%d/%m/%Y}",
                                        account=f"10{self.rng.randint(1000, 9999)}")

    def _ledger_file(self, code: str, period: Period, rows: list[_LedgerRow], reference: int) -> int:
        """One imported extract: its batch and its rows in posting-date order. Returns the next reference."""
        file_name = LEDGER_FILES[code].format(period=period.number, year=DEMO_YEAR.label)
        import_day = _working_days(_following(period))[4]
        batch = self._add(ImportBatch, {
            "kind": "ledger", "organisation_id": ORGANISATION_IDS[code], "file_name": file_name,
            # Stands in for the file's checksum: no file lies behind the demo's batches.
            "sha256": hashlib.sha256(file_name.encode()).hexdigest(), "sheet": "Detail", "mapping_json": "{}",
            "rows_read": len(rows), "added": len(rows), "changed": 0, "unchanged": 0, "rejected": 0,
            "unmapped": sum(1 for row in rows if row[5] is None),
            "imported_at": datetime.combine(import_day, IMPORT_TIMES[code]), "imported_by": RECORDED_BY,
            "undone_at": None, "undone_by": None})
        for offset, (posted, cost_centre, subjective, description, amount, line_id) in enumerate(rows):
            ref = _transaction_ref(code, reference)
            reference += 1
            fingerprint = hashlib.sha256("|".join(
                (code, str(DEMO_YEAR.start_year), str(period.number), posted.isoformat(), cost_centre, subjective,
                 description, str(amount), ref)).encode()).hexdigest()
            self._add(LedgerTransaction, {
                "organisation_id": ORGANISATION_IDS[code], "agreement_id": AGREEMENT_ID, "budget_line_id": line_id,
                "import_batch_id": batch["id"], "year": DEMO_YEAR.start_year, "period": period.number,
                "posting_date": posted, "cost_centre": cost_centre, "subjective": subjective,
                "description": description, "amount_pence": amount, "transaction_ref": ref,
                "fingerprint": fingerprint, "source_file": file_name, "source_sheet": "Detail",
                "source_row": FIRST_DATA_ROWS[code] + offset})
        return reference

    def _virements_and_closes(self) -> None:
        for source, target, pounds, recurrent, from_period, reason, approver, approved, minute in VIREMENTS:
            made = datetime.combine(approved, VIREMENT_MADE_AT)
            row = self._add(Virement, {
                "agreement_id": AGREEMENT_ID, "year": DEMO_YEAR.start_year, "from_period": from_period,
                "from_line_id": BUDGET_LINE_IDS[source], "to_line_id": BUDGET_LINE_IDS[target],
                "amount_pence": pounds * 100, "recurrent": recurrent, "reason": reason,
                "approved_by": self.people[approver]["full_name"] if approver else GOVERNING_BOARD,
                "approval_date": approved, "board_approval": minute, "delegated_limit_pence": DELEGATED_LIMIT_PENCE})
            self._move_budget(row, made)
            self._audit_virement(made, Virement, row["id"], {k: (None, v) for k, v in row.items()})
        for number in range(1, CLOSED_PERIODS + 1):
            days = _working_days(_following(DEMO_YEAR.period(number)))
            close = {"agreement_id": AGREEMENT_ID, "year": DEMO_YEAR.start_year, "period": number,
                     "closed_on": days[7], "closed_by": RECORDED_BY, "unlocked_on": None,
                     "unlocked_by": None, "unlock_reason": None}
            if number == REOPENED_PERIOD:
                # Unlocking is kept on the earlier close; the period is closed again as a new row.
                self._add(PeriodClose, {**close, "unlocked_on": days[10], "unlocked_by": RECORDED_BY,
                                        "unlock_reason": REOPEN_REASON})
                close["closed_on"] = days[11]
            self._add(PeriodClose, close)

    def _move_budget(self, virement: dict[str, Any], made: datetime) -> None:
        """What making the virement did to the budgets (budget_month.make_virement): its amount moved between the
        two lines' months from its first, the annual budgets with it, both lines now profiled by hand. Made after
        the ledger, as in life: moving budget does not change what was spent. Audited as the service audits it,
        for the roll into next year takes a one-off virement's months back out by what the audit log says."""
        months = {line: [m for m in self.tables[LineMonth]
                         if m["budget_line_id"] == line and m["period"] >= virement["from_period"]]
                  for line in (virement["from_line_id"], virement["to_line_id"])}
        spread = spread_virement(virement["amount_pence"], *([m["budget_pence"] for m in ms] for ms in months.values()))
        for (line, line_months), after, sign in zip(months.items(), spread, (-1, 1), strict=True):
            for month, pence in zip(line_months, after, strict=True):
                if pence != month["budget_pence"]:
                    self._audit_virement(made, LineMonth, month["id"], {"budget_pence": (month["budget_pence"], pence)})
                    month["budget_pence"] = pence
            year = next(y for y in self.tables[LineYear] if y["budget_line_id"] == line)
            changed = {"annual_budget_pence": year["annual_budget_pence"] + sign * virement["amount_pence"],
                       "profile": "custom"}
            self._audit_virement(made, LineYear, year["id"], {k: (year[k], v) for k, v in changed.items()
                                                               if year[k] != v})
            year.update(changed)

    def _audit_virement(self, made: datetime, model: type[Base], row_id: int, changes: dict[str, tuple[Any, Any]]
                        ) -> None:
        self._add(AuditEntry, {
            "at": made, "os_user": RECORDED_BY, "verb": MAKE_VIREMENT, "entity": model.__tablename__,
            "entity_id": row_id, "undoes_id": None, "changes_json": changes_json(changes)})

    # delivery actions

    def _actions(self) -> None:
        rng = self.rng
        for name, day in MEETINGS.values():
            self._add(Meeting, {"name": name, "meeting_date": day})
        jgm = self.people["jgm"]["full_name"]
        for number, (source, title, workstream, owner, priority, status, evidence) in enumerate(ACTIONS, start=1):
            raised = MEETINGS[source][1] if source in MEETINGS else UNRECORDED_SOURCES[source]
            due = _next_working_day(raised + timedelta(days=rng.randint(*DUE_WITHIN_DAYS[priority])))
            changes = []
            if status != CANCELLED and rng.random() < 0.3:
                current, changed_on = due, raised
                for _ in range(1 if rng.random() < 0.7 else 2):
                    if current > DEMO_TODAY + timedelta(days=7):
                        break  # owners ask for more time only as the due date nears
                    changed_on = self._working_day_between(max(changed_on + timedelta(days=1),
                                                               current - timedelta(days=7)), min(current, DEMO_TODAY))
                    revised = _next_working_day(current + timedelta(days=rng.randint(7, 35)))
                    changes.append((current, revised, changed_on))
                    current = revised
            final_due = changes[-1][1] if changes else due
            completed = None
            if status == COMPLETE:
                earliest = max(raised + timedelta(days=3), changes[-1][2] + timedelta(days=1) if changes else raised)
                completed = self._working_day_between(min(earliest, DEMO_TODAY),
                                                      min(final_due + timedelta(days=5), DEMO_TODAY))
            override = RAG_OVERRIDES.get(title, (None, None))
            action = self._add(Action, {
                "reference": action_reference(number), "title": title, "detail": "",
                "meeting_id": MEETING_IDS.get(source), "workstream": workstream, "owner_id": self._id(owner),
                "owner_organisation_id": self.people[owner]["employer_id"], "raised_date": raised,
                "original_due_date": due, "revised_due_date": final_due if changes else None, "priority": priority,
                "status": str(status), "rag_override": override[0], "rag_override_reason": override[1],
                "completed_date": completed, "evidence": evidence})
            for old, new, changed_on in changes:
                self._add(ActionDueChange, {"action_id": action["id"], "old_due_date": old, "new_due_date": new,
                                            "reason": rng.choice(DUE_CHANGE_REASONS), "changed_on": changed_on,
                                            "changed_by": RECORDED_BY})
            self._action_updates(action, status, owner_name=self.people[owner]["full_name"], jgm=jgm)

    def _action_updates(self, action: dict[str, Any], status: ActionStatus, *, owner_name: str, jgm: str) -> None:
        rng = self.rng
        first = action["raised_date"] + timedelta(days=1)
        last = max(first, action["completed_date"] or DEMO_TODAY)
        progress = {OPEN: rng.randint(0, 1), IN_PROGRESS: rng.randint(1, 3), COMPLETE: rng.randint(0, 2),
                    CANCELLED: 0}[status]
        texts = UPDATES[OPEN] if status == OPEN else UPDATES[IN_PROGRESS]
        notes = [(self._working_day_between(first, last), rng.choice(texts)) for _ in range(progress)]
        notes.sort(key=lambda note: note[0])
        if status == COMPLETE:
            notes.append((last, UPDATES[status][0]))
        elif status == CANCELLED:
            notes.append((self._working_day_between(first, last), UPDATES[status][0]))
        for day, text in notes:
            self._add(ActionUpdate, {"action_id": action["id"], "update_date": day,
                                     "author": jgm if rng.random() < 0.3 else owner_name, "text": text})


def create_demo_service(database: Database) -> DemoSummary:
    """Fill an empty database with the demo service in one transaction, and say how much was created."""
    with UnitOfWork(database) as uow:
        if uow.session.scalar(select(func.count()).select_from(Organisation)):
            raise JointleadError("This database already holds a service, so the demo was not added.",
                                 "Create a new, empty database for the demo.")
        demo = _DemoService()
        demo.build()
        for model, rows in demo.tables.items():
            uow.session.execute(insert(model), rows)
        advance_id_sequences(uow.session.connection())  # the demo gives its rows their ids
        # Each close keeps the pool's figures as at its month, as closing a month does: the undo of an unlock
        # holds the month to them.
        for close in uow.session.scalars(select(PeriodClose)):
            close.snapshot_json = json.dumps(agreed_figures(uow.session, close.agreement_id, close.year, close.period),
                                             sort_keys=True)
        summary = demo.summary()
        uow.audit("create_demo_service", "service", None, {name: (0, n) for name, n in asdict(summary).items()})
        uow.commit()
    return summary


def _extract(code: str, period: Period, rows: list[_LedgerRow], reference: int) -> list[list[object]]:
    """A month's postings as the partner's finance system lays out its extract. The trust's has title rows above its
    header and a total below; the council's starts with its header and splits money into debits and credits."""
    body: list[list[object]] = []
    for number, (posted, cost_centre, subjective, description, pence, _line) in enumerate(rows, start=reference):
        pounds = Decimal(pence).scaleb(-2)
        if code == "NFT":
            body.append([cost_centre, subjective, posted, _transaction_ref(code, number), description, pounds])
        else:
            body.append([cost_centre, subjective, period.number, _transaction_ref(code, number), posted, description,
                         pounds if pence >= 0 else None, -pounds if pence < 0 else None])
    if code == "NCC":
        return [list(EXTRACT_HEADERS[code]), *body]
    name = next(name for each, name, *_rest in ORGANISATIONS if each == code)
    titles = [[name], [f"General ledger detail: {SERVICE_NAME}, {period.label} {DEMO_YEAR.label} "
                                      f"({period.first_day:%B %Y})"], []]
    total = Decimal(sum(row[4] for row in rows)).scaleb(-2)
    return [*titles, list(EXTRACT_HEADERS[code]), *body, [], ["Total", None, None, None, None, total]]


def write_next_month_extracts(folder: Path) -> tuple[Path, ...]:
    """The month after the demo's last closed one (M8), as each partner's ledger extract, in `folder`: to try the
    monthly import with. The same rows every time; a file already there is left as it is."""
    demo = _DemoService()
    demo.build()
    demo.rng = random.Random(NEXT_MONTH_SEED)
    period = DEMO_YEAR.period(CLOSED_PERIODS + 1)
    rows = demo._month_rows(period)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for code in ORGANISATION_IDS:
        path = folder / LEDGER_FILES[code].format(period=period.number, year=DEMO_YEAR.label)
        if not path.exists():
            write_plain_sheet(path, "Detail", _extract(code, period, rows[code], demo.next_references[code]))
        paths.append(path)
    return tuple(paths)
