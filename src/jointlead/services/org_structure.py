"""Read side of the org chart: who was here on a day and the managerial and professional lines in force then.

Filters (a team, an employing organisation) keep the people who match and every line *from* one of them. When the
lead at the other end of such a line is outside the filter (the team manager's own manager, the council's
Principal Social Worker as professional lead), the lead is kept as context in `Structure.outside` rather than the
line being dropped: the chart draws them as ghost cards, so "who does this team answer to" stays visible. Only
one hop is added; a filtered person's reports outside the filter are left out (they belong to another view).
A line to someone not active on the day is left out (the People page's findings flag it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import and_, or_, select

from jointlead.store.database import Database
from jointlead.store.models import Organisation, Person, ReportingLine, Team

NO_EMPLOYER_COLOUR = "#768692"  # NHS mid grey: someone whose employer is not recorded


@dataclass(frozen=True)
class OrgPerson:
    id: int
    name: str
    job_title: str
    grade: str
    employer_code: str
    employer_colour: str
    team: str  # "" for people outside every team (leads, directors)
    profession: str


@dataclass(frozen=True)
class OrgLine:
    person_id: int
    lead_id: int
    kind: Literal["managerial", "professional"]
    cross_organisation: bool  # the two ends are employed by different organisations


@dataclass(frozen=True)
class OrgEmployer:
    code: str
    name: str
    colour: str


@dataclass(frozen=True)
class Structure:
    as_at: date
    people: tuple[OrgPerson, ...]  # the people the filters keep, by name
    lines: tuple[OrgLine, ...]  # lines in force from each of `people`, to `people` or `outside`
    outside: tuple[OrgPerson, ...] = ()  # leads outside the filters that a kept line points to: context only
    team: str | None = None  # the filters applied
    organisation: str | None = None
    teams: tuple[str, ...] = ()  # every team and employing organisation, for the filter choices and the legend
    organisations: tuple[OrgEmployer, ...] = ()

    def person(self, person_id: int) -> OrgPerson | None:
        return next((p for p in (*self.people, *self.outside) if p.id == person_id), None)


def _active_on(day: date):
    return and_(or_(Person.start_date.is_(None), Person.start_date <= day),
                or_(Person.leave_date.is_(None), Person.leave_date >= day))


def structure_as_at(database: Database, day: date, *, team: str | None = None,
                    organisation: str | None = None) -> Structure:
    """The structure as it stood on `day`, optionally only one team's and/or one employer's people."""
    with database.session() as session:
        rows = session.execute(
            select(Person.id, Person.full_name, Person.job_title, Person.grade, Organisation.code,
                   Organisation.colour, Team.name, Person.profession)
            .outerjoin(Organisation, Organisation.id == Person.employer_id)
            .outerjoin(Team, Team.id == Person.team_id)
            .where(_active_on(day))
            .order_by(Person.full_name, Person.id))
        active = {row[0]: OrgPerson(row[0], row[1], row[2] or "", row[3] or "", row[4] or "",
                                    row[5] or NO_EMPLOYER_COLOUR, row[6] or "", row[7] or "") for row in rows}
        in_force = session.execute(
            select(ReportingLine.person_id, ReportingLine.lead_id, ReportingLine.kind)
            .where(ReportingLine.effective_from <= day,
                   or_(ReportingLine.effective_to.is_(None), ReportingLine.effective_to >= day))
            .order_by(ReportingLine.person_id, ReportingLine.kind, ReportingLine.effective_from.desc(),
                      ReportingLine.id.desc())).all()
        teams = tuple(session.scalars(select(Team.name).order_by(Team.name)))
        organisations = tuple(OrgEmployer(*row) for row in session.execute(
            select(Organisation.code, Organisation.name, Organisation.colour).order_by(Organisation.code)))

    def kept(person: OrgPerson) -> bool:
        return (team is None or person.team == team) and (organisation is None or person.employer_code == organisation)

    people = [p for p in active.values() if kept(p)]
    kept_ids = {p.id for p in people}
    lines: list[OrgLine] = []
    outside: dict[int, OrgPerson] = {}
    seen: set[tuple[int, str]] = set()
    for person_id, lead_id, kind in in_force:
        # Overlapping lines of one kind are a data problem the findings report; the chart shows the latest one.
        if person_id not in kept_ids or lead_id not in active or (person_id, kind) in seen:
            continue
        seen.add((person_id, kind))
        person, lead = active[person_id], active[lead_id]
        if lead_id not in kept_ids:
            outside[lead_id] = lead
        lines.append(OrgLine(person_id, lead_id, kind, person.employer_code != lead.employer_code))
    return Structure(day, tuple(people), tuple(lines),
                     tuple(sorted(outside.values(), key=lambda p: (p.name, p.id))), team, organisation, teams,
                     organisations)
