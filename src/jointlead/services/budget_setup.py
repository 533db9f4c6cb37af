"""Setting up a pooled budget: the agreement and its partners, contributions and payments, lines and ledger codes.

Every function is one user gesture: one transaction, every row audited, and an `Edit` back for Edit > Undo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointlead.domain.budget import custom_profile, even_profile, payment_schedule
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.money import format_pounds
from jointlead.domain.risk_share import Basis, ShareProfile, UnderspendRule
from jointlead.services.budgets import BASES
from jointlead.services.edits import Edit, Recorder
from jointlead.store.database import Database
from jointlead.store.models import (
    Agreement,
    AgreementPartner,
    BudgetLine,
    Contribution,
    ContributionPayment,
    LedgerMapping,
    LineMonth,
    LineYear,
    Organisation,
)
from jointlead.store.uow import UnitOfWork

AGREEMENT_TYPES = ("pooled fund", "aligned budget", "lead commissioning")
CATEGORIES = ("pay", "non-pay", "commissioned care", "income")
RISK_BASES = tuple(b.value for b in Basis)
UNDERSPEND_RULES = tuple(r.value for r in UnderspendRule)


@dataclass(frozen=True)
class PartnerTerms:
    """A partner as the agreement names it; an organisation not yet recorded is added with it."""

    code: str
    name: str
    kind: str = ""
    fixed_share_basis_points: int | None = None  # for the "fixed percentages" basis: 7500 = 75%
    cap_pence: int | None = None
    cap_basis_points: int | None = None  # a cap as a share of the partner's contribution
    # The agreement partner row's version the dialog was filled from (a stale change is refused); not a term.
    version: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AgreementTerms:
    title: str
    host: str  # the partner code that holds the pool and its ledger
    first_year: int
    agreement_type: str = "pooled fund"
    governing_board: str = ""
    contribution_basis: str = "gross"
    risk_basis: str = Basis.PRO_RATA.value
    use_waterfall: bool = False
    risk_reserve_pence: int = 0
    underspend_rule: str = UnderspendRule.RETURNED_PRO_RATA.value
    delegated_limit_pence: int = 0
    # The agreement's version the dialog was filled from (a stale change is refused); not a term.
    version: int | None = field(default=None, compare=False)


def _terms_columns(terms: AgreementTerms) -> dict[str, object]:
    """The agreement's columns from its terms: the host by code, and no version (the database keeps that)."""
    fields = asdict(terms)
    del fields["version"]
    return fields


def _check_terms(terms: AgreementTerms, partners: Sequence[PartnerTerms]) -> None:
    if not terms.title.strip():
        raise ValidationError("The agreement needs a title.")
    if terms.agreement_type not in AGREEMENT_TYPES:
        raise ValidationError(f"'{terms.agreement_type}' is not a kind of agreement.",
                              f"Choose one of: {', '.join(AGREEMENT_TYPES)}.")
    codes = [p.code.strip().upper() for p in partners]
    if len(codes) < 2:
        raise ValidationError("A pooled budget needs at least two partners.")
    if len(set(codes)) != len(codes) or not all(codes):
        raise ValidationError("Each partner needs its own code.")
    if terms.host.strip().upper() not in codes:
        raise ValidationError(f"The host, {terms.host}, must be one of the partners.")
    if terms.risk_basis not in RISK_BASES:
        raise ValidationError(f"'{terms.risk_basis}' is not a risk-share basis.",
                              f"Choose one of: {', '.join(RISK_BASES)}.")
    if terms.underspend_rule not in UNDERSPEND_RULES:
        raise ValidationError(f"'{terms.underspend_rule}' is not an underspend rule.",
                              f"Choose one of: {', '.join(UNDERSPEND_RULES)}.")
    if terms.risk_basis == Basis.FIXED_PERCENTAGES.value:
        shares = [p.fixed_share_basis_points for p in partners]
        if None in shares or sum(s or 0 for s in shares) != 10_000:
            raise ValidationError("With fixed percentages, every partner needs a share and the shares must add up "
                                  "to 100%.")
    if terms.risk_reserve_pence < 0 or terms.delegated_limit_pence < 0:
        raise ValidationError("The risk reserve and the delegated limit cannot be negative.")
    for partner in partners:
        if (partner.cap_pence or 0) < 0 or not 0 <= (partner.cap_basis_points or 0) <= 10_000:
            raise ValidationError(f"{partner.code}'s cap must be an amount or a percentage of 0 to 100.")


def _organisation(session: Session, code: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.code == code.strip().upper()))
    if found is None:
        raise JointleadError(f"There is no partner with the code '{code}'.", "Check the agreement's partners.")
    return found


def agreement_of(session: Session, agreement_id: int | None = None) -> Agreement:
    query = select(Agreement).order_by(Agreement.id)
    agreement = session.scalar(query.where(Agreement.id == agreement_id) if agreement_id else query)
    if agreement is None:
        raise JointleadError("No pooled budget is recorded yet.", "Set up the Section 75 agreement first.")
    return agreement


def set_up_agreement(database: Database, terms: AgreementTerms, partners: Sequence[PartnerTerms]) -> Edit:
    """Record a new Section 75 agreement with its partners (adding any organisation not yet known)."""
    _check_terms(terms, partners)
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "set up agreement")
        ids = {}
        for partner in partners:
            code = partner.code.strip().upper()
            organisation = uow.session.scalar(select(Organisation).where(Organisation.code == code))
            if organisation is None:
                if not partner.name.strip():
                    raise ValidationError(f"{code} is a new organisation, so it needs a name.")
                organisation = record.create(Organisation(code=code, name=partner.name.strip(),
                                                          kind=partner.kind.strip() or "partner"))
            ids[code] = organisation.id
        fields = _terms_columns(terms)
        host = fields.pop("host").strip().upper()
        agreement = record.create(Agreement(host_id=ids[host], **fields))
        for position, partner in enumerate(partners, start=1):
            record.create(AgreementPartner(
                agreement_id=agreement.id, organisation_id=ids[partner.code.strip().upper()], position=position,
                fixed_share_basis_points=partner.fixed_share_basis_points, cap_pence=partner.cap_pence,
                cap_basis_points=partner.cap_basis_points))
        return record.commit(f"set up {terms.title}")


def change_agreement(database: Database, agreement_id: int, terms: AgreementTerms,
                     partners: Sequence[PartnerTerms]) -> Edit:
    """Change an agreement's terms and its partners' shares and caps (not who the partners are).

    Terms and partners read by `agreement_terms` carry the versions they were read at: if the agreement or any of
    its partners has been changed since (a shared database), the change is refused, before anything is written.
    """
    _check_terms(terms, partners)
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "change agreement")
        agreement = agreement_of(uow.session, agreement_id)
        record.check_seen(agreement, terms.version)
        rows = []
        for partner in partners:
            organisation = _organisation(uow.session, partner.code)
            row = uow.session.scalar(select(AgreementPartner).where(
                AgreementPartner.agreement_id == agreement.id, AgreementPartner.organisation_id == organisation.id))
            if row is None:
                raise JointleadError(f"{organisation.code} is not a partner in this agreement.",
                                     "Partners are fixed when the agreement is set up.")
            record.check_seen(row, partner.version)
            rows.append((row, partner))
        fields = _terms_columns(terms)
        host = _organisation(uow.session, fields.pop("host"))
        record.update(agreement, host_id=host.id, **fields)
        for row, partner in rows:
            record.update(row, fixed_share_basis_points=partner.fixed_share_basis_points,
                          cap_pence=partner.cap_pence, cap_basis_points=partner.cap_basis_points)
        if not record.changed:
            raise ValidationError("Nothing was changed.")
        return record.commit(f"change {agreement.title}")


def _partner_of(session: Session, agreement: Agreement, code: str) -> Organisation:
    organisation = _organisation(session, code)
    partnered = session.scalar(select(AgreementPartner.id).where(
        AgreementPartner.agreement_id == agreement.id, AgreementPartner.organisation_id == organisation.id))
    if partnered is None:
        raise JointleadError(f"{organisation.code} is not a partner in {agreement.title}.")
    return organisation


def _payment_due(year: FinancialYear, period: int) -> date:
    """Instalments fall due on the 15th of their month, or the Monday after when that is a weekend."""
    due = year.period(period).first_day + timedelta(days=14)
    return due + timedelta(days=7 - due.weekday() if due.weekday() >= 5 else 0)


def add_contribution(database: Database, agreement_id: int, partner: str, year: int, funding_stream: str,
                     amount_pence: int, *, recurrent: bool = True, schedule: str = "monthly") -> Edit:
    """A partner's contribution for a year, with its payment schedule of expected instalments."""
    if not funding_stream.strip():
        raise ValidationError("A contribution needs its funding stream, e.g. 'Better Care Grant'.")
    if amount_pence <= 0:
        raise ValidationError(f"A contribution must be more than nothing, not {format_pounds(amount_pence)}.")
    instalments = payment_schedule(amount_pence, schedule)
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add contribution")
        agreement = agreement_of(uow.session, agreement_id)
        organisation = _partner_of(uow.session, agreement, partner)
        contribution = record.create(Contribution(
            agreement_id=agreement.id, organisation_id=organisation.id, year=year,
            funding_stream=funding_stream.strip(), amount_pence=amount_pence, recurrent=recurrent,
            schedule=schedule))
        for period, pence in instalments:
            record.create(ContributionPayment(contribution_id=contribution.id,
                                              expected_date=_payment_due(FinancialYear(year), period),
                                              expected_pence=pence))
        return record.commit(f"add {organisation.code}'s {funding_stream.strip()} contribution")


def record_payment(database: Database, payment_id: int, received_date: date | None,
                   received_pence: int | None, *, seen_version: int | None = None) -> Edit:
    """Mark an instalment received (or, with no date, not received after all).

    `seen_version`: the instalment's version the user was shown (`Instalment.version`); if it has changed since,
    someone else recorded it first and this is refused.
    """
    if received_date is not None and (received_pence is None or received_pence < 0):
        raise ValidationError("Say how much was received.")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "record payment")
        payment = uow.session.get(ContributionPayment, payment_id)
        if payment is None:
            raise JointleadError("That instalment is no longer recorded.")
        changed = record.update(payment, seen_version=seen_version, received_date=received_date,
                                received_pence=received_pence if received_date else None)
        if not changed:
            raise ValidationError("Nothing was changed.")
        return record.commit("record a payment")


@dataclass(frozen=True)
class LineTerms:
    code: str
    name: str
    category: str
    responsible: str | None  # a partner code, or None for a joint line
    share_profile: str = ShareProfile.VARIABLE.value


def _check_line(terms: LineTerms) -> None:
    if not terms.code.strip() or not terms.name.strip():
        raise ValidationError("A budget line needs a code and a name.")
    if terms.category not in CATEGORIES:
        raise ValidationError(f"'{terms.category}' is not a category.", f"Choose one of: {', '.join(CATEGORIES)}.")
    if terms.share_profile not in (ShareProfile.FIXED.value, ShareProfile.VARIABLE.value):
        raise ValidationError("A line's share profile is fixed or variable.")
    if terms.share_profile == ShareProfile.FIXED.value and not terms.responsible:
        raise ValidationError("A fixed-share line needs its responsible partner: its variance falls wholly on it.")


def monthly_budget(annual_pence: int, weights: Sequence[int] | None) -> tuple[int, ...]:
    return custom_profile(annual_pence, weights) if weights else even_profile(annual_pence)


def _budget_year(record: Recorder, line: BudgetLine, year: int, annual_pence: int,
                 weights: Sequence[int] | None) -> None:
    record.create(LineYear(budget_line_id=line.id, year=year, annual_budget_pence=annual_pence,
                           profile="custom" if weights else "even"))
    for period, pence in enumerate(monthly_budget(annual_pence, weights), start=1):
        record.create(LineMonth(budget_line_id=line.id, year=year, period=period, budget_pence=pence))


def add_budget_line(database: Database, agreement_id: int, terms: LineTerms, year: int, annual_budget_pence: int,
                    weights: Sequence[int] | None = None) -> Edit:
    """A new budget line with its annual budget for `year`, profiled evenly or by twelve monthly weights."""
    _check_line(terms)
    monthly_budget(annual_budget_pence, weights)  # refuse bad weights before anything is written
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add budget line")
        agreement = agreement_of(uow.session, agreement_id)
        code = terms.code.strip()
        if uow.session.scalar(select(BudgetLine.id).where(BudgetLine.agreement_id == agreement.id,
                                                          BudgetLine.code == code)):
            raise ValidationError(f"There is already a line with the code {code}.", "Give the new line its own code.")
        responsible = _partner_of(uow.session, agreement, terms.responsible).id if terms.responsible else None
        line = record.create(BudgetLine(agreement_id=agreement.id, code=code, name=terms.name.strip(),
                                        category=terms.category, responsible_id=responsible,
                                        share_profile=terms.share_profile))
        _budget_year(record, line, year, annual_budget_pence, weights)
        return record.commit(f"add line {code}")


def set_annual_budget(database: Database, line_id: int, year: int, annual_budget_pence: int,
                      weights: Sequence[int] | None = None) -> Edit:
    """A line's budget for a year it has none for yet (e.g. the next year), profiled evenly or by weights."""
    monthly_budget(annual_budget_pence, weights)  # refuse bad weights before anything is written
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "set annual budget")
        line = uow.session.get(BudgetLine, line_id)
        if line is None:
            raise JointleadError("That budget line is no longer recorded.")
        if uow.session.scalar(select(LineYear.id).where(LineYear.budget_line_id == line.id, LineYear.year == year)):
            raise ValidationError(f"Line {line.code} already has a budget for {FinancialYear(year).label}.",
                                  "Change its months, or move budget by virement.")
        _budget_year(record, line, year, annual_budget_pence, weights)
        return record.commit(f"set {line.code}'s budget for {FinancialYear(year).label}")


def change_budget_line(database: Database, line_id: int, terms: LineTerms, *,
                       seen_version: int | None = None) -> Edit:
    """Change a line's code, name, category, responsible partner and share profile.

    `seen_version`: the line's version the user was shown (`LinePosition.version`); if it has changed since,
    someone else changed the line first and this is refused.
    """
    _check_line(terms)
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "change budget line")
        line = uow.session.get(BudgetLine, line_id)
        if line is None:
            raise JointleadError("That budget line is no longer recorded.")
        record.check_seen(line, seen_version)
        agreement = agreement_of(uow.session, line.agreement_id)
        responsible = _partner_of(uow.session, agreement, terms.responsible).id if terms.responsible else None
        if not record.update(line, code=terms.code.strip(), name=terms.name.strip(), category=terms.category,
                             responsible_id=responsible, share_profile=terms.share_profile):
            raise ValidationError("Nothing was changed.")
        return record.commit(f"change line {line.code}")


def add_ledger_mapping(database: Database, line_id: int, partner: str, cost_centre: str,
                       subjective_pattern: str = "*") -> Edit:
    """Tell jointlead which of a partner's ledger codes feed a line: a cost centre and a subjective pattern.

    It applies to later imports; rows already imported unmapped are assigned from the Unmapped rows list.
    """
    centre, pattern = cost_centre.strip().upper(), (subjective_pattern.strip().upper() or "*")
    if not centre:
        raise ValidationError("A ledger mapping needs the partner's cost centre.")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add ledger mapping")
        line = uow.session.get(BudgetLine, line_id)
        if line is None:
            raise JointleadError("That budget line is no longer recorded.")
        organisation = _partner_of(uow.session, agreement_of(uow.session, line.agreement_id), partner)
        clash = uow.session.scalar(
            select(BudgetLine.code).join(LedgerMapping, LedgerMapping.budget_line_id == BudgetLine.id)
            .where(LedgerMapping.organisation_id == organisation.id,
                   func.upper(LedgerMapping.cost_centre) == centre,
                   func.upper(LedgerMapping.subjective_pattern) == pattern))
        if clash is not None:
            raise ValidationError(f"{organisation.code} {centre} {pattern} already feeds line {clash}.",
                                  "Remove that mapping first if the codes now belong to another line.")
        record.create(LedgerMapping(budget_line_id=line.id, organisation_id=organisation.id, cost_centre=centre,
                                    subjective_pattern=pattern))
        return record.commit(f"map {organisation.code} {centre} {pattern} to {line.code}")


def remove_ledger_mapping(database: Database, mapping_id: int) -> Edit:
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "remove ledger mapping")
        mapping = uow.session.get(LedgerMapping, mapping_id)
        if mapping is None:
            raise JointleadError("That ledger mapping is no longer recorded.")
        record.delete(mapping)
        return record.commit(f"remove mapping {mapping.cost_centre} {mapping.subjective_pattern}")



def agreement_terms(database: Database, agreement_id: int | None = None
                    ) -> tuple[int, AgreementTerms, tuple[PartnerTerms, ...]]:
    """An agreement's terms as set up, for changing them: (id, terms, partners in the agreement's order)."""
    with database.session() as session:
        agreement = agreement_of(session, agreement_id)
        host = session.get(Organisation, agreement.host_id).code
        fields = {name: getattr(agreement, name) for name in AgreementTerms.__dataclass_fields__
                  if name not in ("host", "version")}
        # Older records wrote the basis in the manager's words ("pro rata"); changes use the engine's.
        fields["risk_basis"] = BASES.get(agreement.risk_basis, Basis.PRO_RATA).value
        terms = AgreementTerms(**fields, host=host, version=agreement.version)
        partners = tuple(
            PartnerTerms(code, name, kind, p.fixed_share_basis_points, p.cap_pence, p.cap_basis_points, p.version)
            for code, name, kind, p in session.execute(
                select(Organisation.code, Organisation.name, Organisation.kind, AgreementPartner)
                .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
                .where(AgreementPartner.agreement_id == agreement.id).order_by(AgreementPartner.position)))
        return agreement.id, terms, partners


@dataclass(frozen=True)
class Instalment:
    id: int
    partner_code: str
    funding_stream: str
    expected_date: date
    expected_pence: int
    received_date: date | None
    received_pence: int | None
    # What a dialog filled from this was shown (a change from an older one is refused); bookkeeping, not data.
    version: int | None = field(default=None, compare=False)


def instalments(database: Database, agreement_id: int, year: int) -> tuple[Instalment, ...]:
    """The year's contribution instalments, expected and received, in the order they fall due."""
    with database.session() as session:
        return tuple(Instalment(*row) for row in session.execute(
            select(ContributionPayment.id, Organisation.code, Contribution.funding_stream,
                   ContributionPayment.expected_date, ContributionPayment.expected_pence,
                   ContributionPayment.received_date, ContributionPayment.received_pence,
                   ContributionPayment.version)
            .join(Contribution, Contribution.id == ContributionPayment.contribution_id)
            .join(Organisation, Organisation.id == Contribution.organisation_id)
            .where(Contribution.agreement_id == agreement_id, Contribution.year == year)
            .order_by(ContributionPayment.expected_date, Organisation.code, ContributionPayment.id)))
