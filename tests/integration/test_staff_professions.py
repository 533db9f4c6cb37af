"""Professional lines and supervision across the service follow the profession's family: nurses to a nurse lead."""

from __future__ import annotations

from datetime import date

import pytest

from jointlead.domain.errors import ValidationError
from jointlead.domain.reporting_lines import LineKind
from jointlead.services import people, supervision
from jointlead.store.models import Organisation, Person, Team
from jointlead.store.uow import UnitOfWork

TODAY = date(2026, 11, 20)
SINCE = date(2020, 1, 1)


@pytest.fixture
def service(empty_db):
    """NFT's North team: Ben an RMN and Dr Rao a psychiatrist; a Lead Nurse, a medical director and an OT lead."""
    with UnitOfWork(empty_db) as uow:
        nft = Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust")
        team = Team(name="North")
        uow.session.add_all([nft, team])
        uow.session.flush()
        uow.session.add_all([
            Person(full_name=name, employer_id=nft.id, employee_number=number, profession=profession,
                   registration_body=body, start_date=SINCE, team_id=team.id if in_team else None)
            for name, number, profession, body, in_team in (
                ("Ben Bennett", "N1", "mental health nurse", "NMC", True),
                ("Dr Asha Rao", "N2", "psychiatrist", "GMC", True),
                ("Nina Lead", "N3", "nurse", "NMC", False),
                ("Dr Mo Khan", "N4", "doctor", "GMC", False),
                ("Olu Grant", "N5", "occupational therapist", "HCPC", False),
            )])
        uow.commit()
    return empty_db


def ids(database) -> dict[str, int]:
    with database.session() as session:
        return {p.full_name: p.id for p in session.query(Person)}


def test_a_lead_nurse_leads_and_supervises_a_mental_health_nurse_and_a_doctor_a_psychiatrist(service):
    """Was refused: "Nina Lead is a nurse, so cannot be the professional lead of Ben Bennett, a mental health
    nurse." The same rule decides the line, the arrangement and the finding."""
    who = ids(service)
    people.change_line(service, who["Ben Bennett"], LineKind.PROFESSIONAL, who["Nina Lead"], SINCE, today=TODAY)
    people.change_line(service, who["Dr Asha Rao"], LineKind.PROFESSIONAL, who["Dr Mo Khan"], SINCE, today=TODAY)

    plan = supervision.arrangements_from_lines(service, TODAY, apply=False)

    assert {(a.supervisee, a.supervisor) for a in plan.created if a.supervision_type == "professional"} == {
        ("Ben Bennett", "Nina Lead"), ("Dr Asha Rao", "Dr Mo Khan")}
    assert not [n for n in plan.no_suitable_supervisor if n.supervision_type == "professional"]
    supervision.add_arrangement(service, who["Ben Bennett"], "professional", who["Nina Lead"], TODAY, today=TODAY)
    assert not [f for f in people.people_findings(service, TODAY) if f.code == "lead-other-profession"]


def test_an_occupational_therapist_is_still_no_nurses_professional_lead(service):
    who = ids(service)
    with pytest.raises(ValidationError) as refused:
        people.change_line(service, who["Ben Bennett"], LineKind.PROFESSIONAL, who["Olu Grant"], SINCE, today=TODAY)
    assert str(refused.value) == ("Olu Grant is an occupational therapist, so cannot be the professional lead of Ben "
                                  "Bennett, a mental health nurse. Choose a professional lead who is a nurse.")
    with pytest.raises(ValidationError, match="Olu Grant is an occupational therapist, so cannot give Ben Bennett") \
            as refused:
        supervision.add_arrangement(service, who["Ben Bennett"], "professional", who["Olu Grant"], TODAY,
                                    today=TODAY)
    assert refused.value.advice == "Choose a supervisor who is a nurse."  # a lead nurse would do, as the rule says
