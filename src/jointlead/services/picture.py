"""The as-at picture the dashboard shows and the pack sends: the budget as at a period, and people, supervision and
actions on a day, for the whole service or for one parent organisation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.domain.findings import Area, Finding, finding_area
from jointlead.domain.supervision import Status
from jointlead.services.actions import ActionFigures, ActionLogRow, action_log, summarise_actions
from jointlead.services.budget_report import UNMAPPED, budget_checklist
from jointlead.services.budgets import PoolPosition, pool_position
from jointlead.services.check import data_quality
from jointlead.services.overview import OrganisationRow, organisations, service_name
from jointlead.services.people import EmployeeLines
from jointlead.services.reconciliation import position_is_final
from jointlead.services.supervision import TREND_MONTHS, ComplianceReport, compliance
from jointlead.store.database import Database
from jointlead.store.models import Agreement, AgreementPartner, BudgetLine, Organisation, Person

NO_PROFESSIONAL_LINE = "no-professional-line"


@dataclass(frozen=True)
class Picture:
    """Everything a partnership board would ask about, as at one moment, seen by the service or one organisation.

    The budget is the pool's (it is one pool, whoever looks); `share_pence` is the organisation's part of the
    forecast variance. Staff, supervision, actions and findings are the organisation's own when one is chosen.
    """

    service_name: str
    organisation: OrganisationRow | None  # None: the whole service
    organisations: tuple[OrganisationRow, ...]
    day: date
    position: PoolPosition | None  # None when no pooled budget is recorded
    partner_codes: tuple[str, ...]
    checklist: tuple[tuple[str, bool], ...]  # each thing a pack needs, in words, and whether it is complete
    report: ComplianceReport
    actions: tuple[ActionLogRow, ...]  # every action, open and closed; an organisation's are those its staff own
    findings: tuple[Finding, ...]  # data-quality errors and warnings
    budget_problem: str = ""  # why the pool's figures cannot be worked out (e.g. a line's profile), if they cannot
    final: bool = False  # the budget is the year's actual outturn (as at M12, every month closed), not a forecast

    @property
    def code(self) -> str | None:
        return self.organisation.code if self.organisation else None

    @property
    def staff(self) -> int:
        return self.organisation.staff if self.organisation else sum(o.staff for o in self.organisations)

    @property
    def share_pence(self) -> int | None:
        """The organisation's share of the pool's forecast variance: positive it bears, negative returns to it."""
        if self.position is None or self.position.risk_share is None or self.code not in self.partner_codes:
            return None
        return self.position.risk_share.share_by_partner.get(self.code, 0)

    @property
    def action_figures(self) -> ActionFigures:
        return summarise_actions(self.actions, self.day, {o.code: o.name for o in self.organisations})

    @property
    def findings_by_area(self) -> dict[Area, int]:
        """How many findings each area has, the areas with most first (people first among equals)."""
        counts = Counter(finding_area(f) for f in self.findings)
        return {area: counts[area] for area in sorted(counts, key=lambda a: (-counts[a], list(Area).index(a)))}

    @property
    def complete(self) -> bool:
        return all(ok for _wording, ok in self.checklist)


def count(number: int, one: str, many: str) -> str:
    """'1 action is', '3 actions are': a number in words that agree with it."""
    return f"{number:,} {one if number == 1 else many}"


def _listed(names: Sequence[str], most: int) -> str:
    return ", ".join(names[:most]) + (" and others" if len(names) > most else "")


def checklist(budget_items: Sequence[tuple[str, bool]], unmapped: tuple[str, bool] | None,
              no_professional_line: Sequence[str], report: ComplianceReport, actions: Sequence[ActionLogRow],
              budget_problem: str = "") -> tuple[tuple[str, bool], ...]:
    """The pack's questions: periods closed and the partners' ledgers in (`budget_items`), ledger rows mapped
    (`unmapped`, as the budget's checklist says it; None: there are no figures, so no rows either), professional
    lines, supervision in place, actions in date; each complete or not, in words a manager can act on."""
    not_in_place = [r for r in report.rows if r.status == Status.NOT_IN_PLACE]
    overdue = [a.reference for a in actions if a.overdue]
    no_line = list(no_professional_line)
    return (
        *(budget_items or ((budget_problem or "No pooled budget is recorded yet.", False),)),
        unmapped or ("Every ledger row matches a budget line.", True),
        ("Every registered professional has a professional line.", True) if not no_line else
        (f"{count(len(no_line), 'member', 'members')} of staff with no professional line: {_listed(no_line, 5)}.",
         False),
        ("Every supervision needed is in place.", True) if not not_in_place else
        (f"{count(len(not_in_place), 'supervision arrangement is', 'supervision arrangements are')} not in place.",
         False),
        ("No action is overdue.", True) if not overdue else
        (f"{count(len(overdue), 'action is', 'actions are')} overdue: {_listed(overdue, 8)}.", False),
    )


def _organisation_findings(database: Database, findings: Sequence[Finding], code: str | None
                           ) -> tuple[tuple[Finding, ...], list[str]]:
    """The findings about what the organisation answers for (its staff, the budget lines it is responsible for, and
    the pool as a whole; everything, for the whole service), and the names of its registered staff with no
    professional line."""
    with database.session() as session:
        kept = tuple(findings)
        if code is not None:  # the whole service answers for everything: nothing to look up
            employer = dict(session.execute(select(Person.id, Organisation.code)
                                            .join(Organisation, Organisation.id == Person.employer_id)).all())
            responsible = dict(session.execute(
                select(BudgetLine.code, Organisation.code)
                .join(Organisation, Organisation.id == BudgetLine.responsible_id)).all())

            def whose(finding: Finding) -> str | None:
                kind, _, key = finding.subject.partition(" ")
                if kind == "person" and key.isdigit():
                    return employer.get(int(key))
                if kind == "line":
                    return responsible.get(key)
                return None  # the pool's or the service's, e.g. unmapped ledger rows or an action with no owner

            kept = tuple(f for f in findings if whose(f) in (code, None) and not f.subject.startswith("action "))
        no_line = [int(f.subject.partition(" ")[2]) for f in kept if f.code == NO_PROFESSIONAL_LINE]
        names = dict(session.execute(select(Person.id, Person.full_name).where(Person.id.in_(no_line))).all()
                     ) if no_line else {}
    return kept, [names.get(person_id, "") for person_id in no_line]


def as_at_picture(database: Database, today: date, *, organisation: str | None = None,
                  as_at: int | None = None, year: FinancialYear | None = None, trend_months: int = TREND_MONTHS,
                  employees: Sequence[EmployeeLines] | None = None, actions_as_on: bool = False,
                  risk_share_optional: bool = False) -> Picture:
    """The picture for the service (`organisation` None) or one organisation (its code), with the budget as at
    period `as_at` of `year` (default: the last closed, in the year the pool is in) and everything else on `today`;
    the compliance trend runs back `trend_months` month ends (a screen that shows no trend asks for 1: it is most
    of the picture's cost).

    A caller that already has the organisation's `employees` on `today` (the pack lists them) passes them: the
    checklist then names who has no professional line from them, and the picture leaves the data-quality findings,
    which only a screen shows, out.

    The actions are as they stand now, with RAG and days overdue on `today` (the dashboard's day is today); the pack,
    which may be as on a board's day already past, asks for them `actions_as_on` that day (`action_log`).

    With `risk_share_optional` (the dashboard), a pool whose risk share cannot be worked out yet, most often because
    no contributions are recorded, still has its other figures (`budgets.pool_position`), and the checklist says what
    the risk share waits on; a pack cannot do without it, and is refused.
    """
    parents = organisations(database, today)
    chosen = None
    if organisation is not None:
        chosen = next((o for o in parents if o.code == organisation.strip().upper()), None)
        if chosen is None:
            raise JointleadError(f"There is no organisation with the code '{organisation}'.",
                                 "Use the code shown on the dashboard, for example NFT.")
    code = chosen.code if chosen else None
    with database.session() as session:
        agreement_id = session.scalar(select(Agreement.id).order_by(Agreement.id).limit(1))
    position, partner_codes, budget_items, unmapped = None, (), (), None
    problem = ""
    if agreement_id is not None:
        try:
            position = pool_position(database, agreement_id, year=year, as_at=as_at, today=today,
                                     risk_share_optional=risk_share_optional)
        except JointleadError as error:  # the rest of the picture still helps: it says what to put right
            problem = str(error)
    if position is not None:
        with database.session() as session:
            partner_codes = tuple(session.scalars(
                select(Organisation.code)
                .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
                .where(AgreementPartner.agreement_id == agreement_id).order_by(AgreementPartner.position)))
        # Whether the months are closed, then everything not complete: a partner's ledger missing or not all
        # imported (one partner's month missing reads as a large underspend returned to it), a line with no budget or
        # no ledger codes. What is complete is said only of the months, so the printed dashboard keeps to one page
        # when all is well; what is not is always said, on the pack's cover and the dashboard alike.
        items = budget_checklist(database, agreement_id, position.year,
                                 position.as_at.number if position.as_at else 0)
        budget_items = tuple((item.wording, item.ok) for item in items
                             if item.about != UNMAPPED and (item is items[0] or not item.ok))
        if position.risk_share_problem is not None:  # a pack waits for it, so it is one of the things to complete
            problem_words = f"{position.risk_share_problem.message} {position.risk_share_problem.advice}".strip()
            budget_items += ((problem_words, False),)
        unmapped = next((item.wording, item.ok) for item in items if item.about == UNMAPPED)
    report = compliance(database, today, organisation=code, trend_months=trend_months)
    actions = action_log(database, today, organisation=code, as_on=actions_as_on)
    if employees is not None:
        findings = ()
        no_line = [e.name for e in employees if any(f.code == NO_PROFESSIONAL_LINE for f in e.findings)]
    else:
        quality = data_quality(database, today)
        findings, no_line = _organisation_findings(
            database, [f for f in quality.findings if f.severity.needs_action], code)
    return Picture(service_name(database), chosen, parents, today, position,
                   partner_codes, checklist(budget_items, unmapped, no_line, report, actions, problem), report,
                   actions, findings, problem, final=position is not None and position_is_final(database, position))
