"""Setting up a pooled budget: the agreement and its partners, contributions and payments, lines and ledger codes.

Every function is one user gesture: one transaction, every row audited, and an `Edit` back for Edit > Undo.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointlead.domain.budget import MONTHS, ForecastMethod, custom_profile, even_profile, payment_schedule
from jointlead.domain.calendar import FinancialYear, Period, check_happened
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.money import format_exact, split_largest_remainder
from jointlead.domain.risk_share import Basis, ShareProfile, UnderspendRule
from jointlead.services.budgets import BASES, position_in
from jointlead.services.edits import Edit, Recorder
from jointlead.services.overview import closed_months
from jointlead.services.reconciliation import outturn_is_final
from jointlead.store.database import Database
from jointlead.store.errors import ChangedBySomeoneElse
from jointlead.store.models import (
    Agreement,
    AgreementPartner,
    AuditEntry,
    BudgetLine,
    Contribution,
    ContributionPayment,
    LedgerMapping,
    LineMonth,
    LineYear,
    Organisation,
    PeriodClose,
    Virement,
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
    last_year: int | None = None  # the agreement's last financial year; None while it has no end date
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
    if terms.last_year is not None and terms.last_year < terms.first_year:
        raise ValidationError(f"The agreement cannot end ({FinancialYear(terms.last_year).label}) before it begins "
                              f"({FinancialYear(terms.first_year).label}).")
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
        raise ValidationError(f"A contribution must be more than nothing, not {format_exact(amount_pence)}.")
    payment_schedule(amount_pence, schedule)  # refuse an unknown schedule before anything is written
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add contribution")
        agreement = agreement_of(uow.session, agreement_id)
        organisation = _partner_of(uow.session, agreement, partner)
        _contribute(record, agreement.id, organisation.id, year, funding_stream.strip(), amount_pence, recurrent,
                    schedule)
        return record.commit(f"add {organisation.code}'s {funding_stream.strip()} contribution")


def _contribute(record: Recorder, agreement_id: int, organisation_id: int, year: int, funding_stream: str,
                amount_pence: int, recurrent: bool, schedule: str, *, received_on: date | None = None) -> None:
    """A contribution with its instalments expected, each due on the 15th of its month (`_payment_due`); with
    `received_on`, each received in full that day (money in the pool already)."""
    contribution = record.create(Contribution(
        agreement_id=agreement_id, organisation_id=organisation_id, year=year, funding_stream=funding_stream,
        amount_pence=amount_pence, recurrent=recurrent, schedule=schedule))
    for period, pence in payment_schedule(amount_pence, schedule):
        record.create(ContributionPayment(contribution_id=contribution.id,
                                          expected_date=_payment_due(FinancialYear(year), period),
                                          expected_pence=pence, received_date=received_on,
                                          received_pence=pence if received_on else None))


def record_payment(database: Database, payment_id: int, received_date: date | None,
                   received_pence: int | None, *, seen_version: int | None = None, today: date | None = None) -> Edit:
    """Mark an instalment received (or, with no date, not received after all).

    `seen_version`: the instalment's version the user was shown (`Instalment.version`); if it has changed since,
    someone else recorded it first and this is refused.
    """
    if received_date is not None and (received_pence is None or received_pence < 0):
        raise ValidationError("Say how much was received.")
    if received_date is not None:
        check_happened(received_date, today or date.today(), "The date it was received")
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
    forecast_method: str = ForecastMethod.RUN_RATE.value


def _check_line(terms: LineTerms) -> None:
    if not terms.code.strip() or not terms.name.strip():
        raise ValidationError("A budget line needs a code and a name.")
    if terms.category not in CATEGORIES:
        raise ValidationError(f"'{terms.category}' is not a category.", f"Choose one of: {', '.join(CATEGORIES)}.")
    if terms.share_profile not in (ShareProfile.FIXED.value, ShareProfile.VARIABLE.value):
        raise ValidationError("A line's share profile is fixed or variable.")
    if terms.share_profile == ShareProfile.FIXED.value and not terms.responsible:
        raise ValidationError("A fixed-share line needs its responsible partner: its variance falls wholly on it.")
    if terms.forecast_method not in tuple(ForecastMethod):
        raise ValidationError("A line's months to come are forecast at the run rate or by its profile.")


def closed_periods(session: Session, agreement_id: int) -> frozenset[Period]:
    """The periods closed and not since unlocked (a period re-closed after an unlock has a new row)."""
    return frozenset(Period(FinancialYear(y), p) for y, p in session.execute(
        select(PeriodClose.year, PeriodClose.period)
        .where(PeriodClose.agreement_id == agreement_id, PeriodClose.unlocked_on.is_(None))))


def open_from(session: Session, agreement_id: int, year: int) -> int:
    """`BudgetYear.open_from`: the month after the last closed, from which every month to M12 is open."""
    return max(closed_months(session, agreement_id, year), default=0) + 1


def every_month_closed(year: int, so: str) -> ValidationError:
    """The refusal of a budget move in a year with every month closed: `so` says what cannot happen."""
    return ValidationError(f"Every month of {FinancialYear(year).label} is closed, so {so}.",
                           "A closed month keeps the budget it was closed with. To move budget into one, unlock it "
                           "first.")


def monthly_budget(annual_pence: int, weights: Sequence[int] | None) -> tuple[int, ...]:
    return custom_profile(annual_pence, weights) if weights else even_profile(annual_pence)


def _budget_year(record: Recorder, line: BudgetLine, year: int, annual_pence: int,
                 weights: Sequence[int] | None) -> None:
    """A line's budget for a year, in its months. Closed months get none: each keeps the budget it was closed with,
    so a line added after M7 closed spreads its budget over M8 to M12 (given to M1 to M12, it put budget to date
    into agreed months and showed at once as an underspend)."""
    start = open_from(record.session, line.agreement_id, year)
    if start > MONTHS:
        if annual_pence:
            raise every_month_closed(year, "a budget for the line has no month to go in")
        months = (0,) * MONTHS
    else:
        shape = [0] * (start - 1) + (list(weights[start - 1:]) if weights else [1] * (MONTHS + 1 - start))
        if not any(shape):
            raise ValidationError(f"The profile puts nothing in the open months, M{start} to M12.",
                                  "Give at least one of them a weight above zero.")
        months = monthly_budget(annual_pence, shape)
    # Months already closed get none of the typed weights: they are kept for next year, when those months are open.
    typed = {"closed": start - 1, "weights": list(weights)} if weights and 1 < start <= MONTHS else None
    record.create(LineYear(budget_line_id=line.id, year=year, annual_budget_pence=annual_pence,
                           profile="custom" if weights else "even", weights_json=json.dumps(typed) if typed else None))
    for period, pence in enumerate(months, start=1):
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
        _check_code_free(uow.session, agreement.id, code, "Give the new line its own code.")
        responsible = _partner_of(uow.session, agreement, terms.responsible).id if terms.responsible else None
        line = record.create(BudgetLine(agreement_id=agreement.id, code=code, name=terms.name.strip(),
                                        category=terms.category, responsible_id=responsible,
                                        share_profile=terms.share_profile, forecast_method=terms.forecast_method))
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


def _check_code_free(session: Session, agreement_id: int, code: str, advice: str) -> None:
    """A line's code is its own: the ledger mappings, packs and trackers name lines by it."""
    if session.scalar(select(BudgetLine.id).where(BudgetLine.agreement_id == agreement_id, BudgetLine.code == code)):
        raise ValidationError(f"There is already a line with the code {code}.", advice)


def change_budget_line(database: Database, line_id: int, terms: LineTerms, *,
                       seen_version: int | None = None) -> Edit:
    """Change a line's code, name, category, responsible partner, share profile and forecast method.

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
        if terms.code.strip() != line.code:
            _check_code_free(uow.session, agreement.id, terms.code.strip(), "Keep its code, or choose one not in use.")
        responsible = _partner_of(uow.session, agreement, terms.responsible).id if terms.responsible else None
        if not record.update(line, code=terms.code.strip(), name=terms.name.strip(), category=terms.category,
                             responsible_id=responsible, share_profile=terms.share_profile,
                             forecast_method=terms.forecast_method):
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


def remove_ledger_mapping(database: Database, mapping_id: int, *, seen_version: int | None = None) -> Edit:
    """Stop a partner's ledger codes feeding a line. Only the mapping goes: no ledger row is touched, so rows
    already imported keep their line. Later imports match without it: their rows with those codes go to the line
    another mapping gives them, or to Unmapped rows, and that includes an extract imported again, whose rows in
    open months then show as changed (budget line changed). Rows in closed months are never re-imported.

    `seen_version`: the mapping's version the user was shown (`MappingRow.version`).
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "remove ledger mapping")
        mapping = uow.session.get(LedgerMapping, mapping_id)
        if mapping is None:
            raise JointleadError("That ledger mapping is no longer recorded.", "Someone may have removed it already.")
        record.check_seen(mapping, seen_version)
        line = uow.session.get(BudgetLine, mapping.budget_line_id)
        organisation = uow.session.get(Organisation, mapping.organisation_id)
        record.delete(mapping)
        return record.commit(f"stop {organisation.code} {mapping.cost_centre} {mapping.subjective_pattern} feeding "
                             f"{line.code}")


@dataclass(frozen=True)
class MappingRow:
    """One of a line's ledger codes: a partner's cost centre and subjective pattern."""

    id: int
    partner_code: str
    cost_centre: str
    subjective_pattern: str
    version: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.partner_code} {self.cost_centre} {self.subjective_pattern}"


def ledger_mappings(database: Database, line_id: int) -> tuple[MappingRow, ...]:
    """The ledger codes that feed a line, by partner and code."""
    with database.session() as session:
        return tuple(MappingRow(*row) for row in session.execute(
            select(LedgerMapping.id, Organisation.code, LedgerMapping.cost_centre, LedgerMapping.subjective_pattern,
                   LedgerMapping.version)
            .join(Organisation, Organisation.id == LedgerMapping.organisation_id)
            .where(LedgerMapping.budget_line_id == line_id)
            .order_by(Organisation.code, LedgerMapping.cost_centre, LedgerMapping.subjective_pattern)))



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


# --- Starting the next year ------------------------------------------------------------------------------------
CARRIED, ALREADY, NOT_RECURRENT = "carried", "already", "not recurrent"
# A partner's part of the underspend the pool retained at the year end, carried forward into next year's funding.
CARRIED_FORWARD = "carried forward"


@dataclass(frozen=True)
class LineForward:
    """A line in the roll-forward to next year: carried with its recurrent budget, or left alone (already set)."""

    line_id: int
    code: str
    name: str
    budget_pence: int | None  # this year's annual budget (None: the line has a budget next year only)
    one_off_pence: int  # what this year's non-recurrent virements added to it (negative: took from it)
    next_pence: int  # next year's annual budget: carried, or the one already set
    next_months: tuple[int, ...]  # next year's twelve months, M1 first
    profile: str  # next year's: "even" or "custom" (this year's shape)
    status: str  # CARRIED or ALREADY
    virements: tuple[str, ...] = ()  # the non-recurrent virements taken out, in words


@dataclass(frozen=True)
class ContributionForward:
    """A contribution in the roll-forward: a recurrent one carried, one next year has already, a non-recurrent one
    of this year that stops, or a partner's part of the underspend retained in the pool, carried forward."""

    partner_code: str
    funding_stream: str
    amount_pence: int  # next year's (this year's when not recurrent: not carried)
    schedule: str
    status: str  # CARRIED, ALREADY, NOT_RECURRENT or CARRIED_FORWARD


@dataclass(frozen=True)
class RollForward:
    """What starting next year from this one would do, exactly as `start_next_year` does it."""

    agreement_id: int
    year: FinancialYear
    next_year: FinancialYear
    lines: tuple[LineForward, ...]
    contributions: tuple[ContributionForward, ...]
    # The underspend the pool retained at this year's end (its final outturn), carried forward into next year's
    # funding (`retained_underspend`); nil where there is none, or none is known yet (`underspend_unknown`).
    retained_pence: int = 0
    # The agreement retains underspend in the pool, and this year's outturn is not final yet (M12 is not closed),
    # so what it retains is not known: closing M12 carries it forward then (`follow_underspend_carried`).
    underspend_unknown: bool = False

    @property
    def carried_lines(self) -> tuple[LineForward, ...]:
        return tuple(line for line in self.lines if line.status == CARRIED)

    @property
    def carried_contributions(self) -> tuple[ContributionForward, ...]:
        """The contributions added for next year: the recurrent ones, and the underspend carried forward."""
        return tuple(c for c in self.contributions if c.status in (CARRIED, CARRIED_FORWARD))

    @property
    def next_lines_pence(self) -> int:
        """Next year's budget lines in total once it is started (income lines negative)."""
        return sum(line.next_pence for line in self.lines)

    @property
    def next_contributions_pence(self) -> int:
        """Next year's contributions in total once it is started."""
        return sum(c.amount_pence for c in self.contributions if c.status != NOT_RECURRENT)

    @property
    def unbudgeted_pence(self) -> int:
        """Contributed next year but in no line (negative: the lines budget more than is contributed)."""
        return self.next_contributions_pence - self.next_lines_pence


# The verb a virement's changes are audited under: the roll forward reads the months' shifts back by it.
MAKE_VIREMENT = "make virement"
ASSIGN_LEDGER_ROWS = "assign ledger rows"  # the verb of a ledger row put on a line by hand, which re-imports keep
# Rows assigned with their codes remembered are on the line by those codes, as later extracts' rows are: another verb.
ASSIGN_BY_CODES = "assign ledger rows by their codes"


def _virement_shifts(session: Session, month_ids: Sequence[int]) -> dict[int, int]:
    """How far virements have moved each month's budget, by LineMonth id.

    A virement (`budget_month.make_virement`) spreads its amount over the months from the first open one, and
    marks the line's profile custom. Its month changes are audited under its verb; undoing and redoing it are too
    ("undo make virement", "undo undo make virement"), so the sum of them all is the shift still in force.
    """
    shifts: dict[int, int] = {}
    for entity_id, changes in session.execute(
            select(AuditEntry.entity_id, AuditEntry.changes_json)
            .where(AuditEntry.entity == LineMonth.__tablename__, AuditEntry.entity_id.in_(month_ids),
                   AuditEntry.verb.like(f"%{MAKE_VIREMENT}"))):
        old, new = json.loads(changes).get("budget_pence", (0, 0))
        shifts[entity_id] = shifts.get(entity_id, 0) + (new or 0) - (old or 0)
    return shifts


def _created_even(session: Session, line_year_ids: Sequence[int]) -> set[int]:
    """The LineYear ids of those given that were created with an even profile (before any virement made them
    custom), as their audit entries say."""
    found = set()
    for entity_id, changes in session.execute(
            select(AuditEntry.entity_id, AuditEntry.changes_json)
            .where(AuditEntry.entity == LineYear.__tablename__, AuditEntry.entity_id.in_(line_year_ids),
                   AuditEntry.changes_json.like('%"profile"%'))):
        before, after = json.loads(changes).get("profile", (None, None))
        if before is None and after == "even":
            found.add(entity_id)
    return found


def _next_weights(profile: str, shape: Sequence[int], created_even: bool = False) -> list[int] | None:
    """The weights next year's months follow (None: even).

    An even line stays even. Any other keeps this year's shape: its months without the budget virements moved in
    or out of them, since a virement lands in the months left when it is made, not where the line needs it. A
    shape that is even after all (a line made custom only by virements) is even, and so is a line `created_even`
    after months had closed, whose shape is even from its first month with budget (`_budget_year` gave the closed
    months none: they were before the line began, not months it needs nothing in). An income line's negative
    months weigh by their size; a shape of no size, or with months of both signs, cannot be followed and is even.
    """
    if profile == "even" or tuple(shape) == even_profile(sum(shape)):
        return None
    begun = next((period for period, month in enumerate(shape) if month), MONTHS)
    if created_even and begun < MONTHS and tuple(shape) == monthly_budget(sum(shape), [0] * begun
                                                                           + [1] * (MONTHS - begun)):
        return None
    weights = [-month for month in shape] if all(month <= 0 for month in shape) else list(shape)
    if any(w < 0 for w in weights) or not any(weights):
        return None
    return weights


def _with_months_closed_when_added(shape: Sequence[int], typed: Mapping[str, Any] | None) -> list[int]:
    """This year's shape of a line, with the months that were closed when it was added (so given no budget) weighed
    as typed then (`LineYear.weights_json`), in proportion to the months it has: next year, every month is open.

    Both parts are scaled to one measure in whole numbers (the typed weights by the other months' budget, those
    months by their typed weights), so no share is rounded here. Months given budget since (unlocked and set by
    hand) keep their shape, as does a line whose other months have none left.
    """
    if not typed:
        return list(shape)
    closed, weights = typed["closed"], typed["weights"]
    budget, weight = sum(shape[closed:]), sum(weights[closed:])
    if any(shape[:closed]) or not budget or not weight:
        return list(shape)
    return [w * budget for w in weights[:closed]] + [month * weight for month in shape[closed:]]


def _roll_forward(session: Session, agreement_id: int | None, year: int) -> RollForward:
    agreement = agreement_of(session, agreement_id)
    this, following = FinancialYear(year), FinancialYear(year + 1)
    if agreement.last_year is not None and following.start_year > agreement.last_year:
        raise ValidationError(
            f"{agreement.title} runs to {FinancialYear(agreement.last_year).label}, so {following.label} cannot be "
            "started.", "If the partners have agreed to extend it, change its last year (Risk share > Agreement and "
            "rules…) first; otherwise the pool ends with this year.")
    if following.start_year < agreement.first_year:
        raise ValidationError(f"{agreement.title} begins in {FinancialYear(agreement.first_year).label}.",
                              f"Start from {FinancialYear(agreement.first_year - 1).label} at the earliest.")
    lines = {line.id: line for line in session.scalars(
        select(BudgetLine).where(BudgetLine.agreement_id == agreement.id))}
    years = {(y.budget_line_id, y.year): y for y in session.scalars(
        select(LineYear).where(LineYear.budget_line_id.in_(lines)))}
    latest = max((y for _line, y in years), default=None)
    if latest is not None and latest > following.start_year:
        raise ValidationError(f"{FinancialYear(latest).label} already has budgets: start the next year from the "
                              f"latest, not from {this.label}.",
                              "Only the latest year with budgets can be carried into the next.")
    current = {line_id: y for (line_id, y_), y in years.items() if y_ == year}
    if not current:
        raise ValidationError(f"No budget line has a budget for {this.label}, so there is nothing to start "
                              f"{following.label} from.", "Add the lines and their budgets for the year first.")
    months = {(m.budget_line_id, m.period): m for m in session.scalars(
        select(LineMonth).where(LineMonth.budget_line_id.in_(current), LineMonth.year == year))}
    shifts = _virement_shifts(session, [m.id for m in months.values()])
    created_even = _created_even(session, [y.id for y in current.values()])
    set_already = {(line_id, period): pence for line_id, period, pence in session.execute(
        select(LineMonth.budget_line_id, LineMonth.period, LineMonth.budget_pence)
        .where(LineMonth.budget_line_id.in_(lines), LineMonth.year == following.start_year))}
    one_off: dict[int, int] = {}
    said: dict[int, list[str]] = {}
    for virement in session.scalars(select(Virement).where(
            Virement.agreement_id == agreement.id, Virement.year == year, Virement.recurrent.is_(False))
            .order_by(Virement.approval_date, Virement.id)):
        giver, taker = lines[virement.from_line_id], lines[virement.to_line_id]
        amount = format_exact(virement.amount_pence)
        one_off[giver.id] = one_off.get(giver.id, 0) - virement.amount_pence
        one_off[taker.id] = one_off.get(taker.id, 0) + virement.amount_pence
        said.setdefault(giver.id, []).append(f"gave {amount} to {taker.code} from M{virement.from_period}: "
                                             f"{virement.reason}")
        said.setdefault(taker.id, []).append(f"took {amount} from {giver.code} from M{virement.from_period}: "
                                             f"{virement.reason}")
    forward = []
    for line in sorted(lines.values(), key=lambda line: line.code):
        this_year, next_year = current.get(line.id), years.get((line.id, following.start_year))
        budget = this_year.annual_budget_pence if this_year else None
        if next_year is not None:
            already = tuple(set_already.get((line.id, p), 0) for p in range(1, 13))
            forward.append(LineForward(line.id, line.code, line.name, budget, one_off.get(line.id, 0),
                                       next_year.annual_budget_pence, already, next_year.profile, ALREADY))
        elif this_year is not None:
            shape = [months[line.id, p].budget_pence - shifts.get(months[line.id, p].id, 0)
                     if (line.id, p) in months else 0 for p in range(1, 13)]
            typed = json.loads(this_year.weights_json) if this_year.weights_json else None
            weights = _next_weights(this_year.profile, _with_months_closed_when_added(shape, typed),
                                    this_year.id in created_even)
            annual = budget - one_off.get(line.id, 0)
            forward.append(LineForward(line.id, line.code, line.name, budget, one_off.get(line.id, 0), annual,
                                       monthly_budget(annual, weights), "custom" if weights else "even", CARRIED,
                                       tuple(said.get(line.id, ()))))
    contributions = sorted(session.execute(  # by partner and stream, in Python: collations differ between servers
        select(Organisation.code, Contribution.funding_stream, Contribution.amount_pence, Contribution.schedule,
               Contribution.recurrent, Contribution.year, Contribution.id)
        .join(Organisation, Organisation.id == Contribution.organisation_id)
        .where(Contribution.agreement_id == agreement.id, Contribution.year.in_((year, following.start_year)))),
        key=lambda c: (c.code, c.funding_stream.casefold(), c.year, c.id))
    recorded = {(c.code, c.funding_stream.casefold()) for c in contributions if c.year == following.start_year}
    carried = []
    for code, stream, amount, schedule, recurrent, y, _id in contributions:
        if y == following.start_year:
            carried.append(ContributionForward(code, stream, amount, schedule, ALREADY))
        elif not recurrent:
            carried.append(ContributionForward(code, stream, amount, schedule, NOT_RECURRENT))
        elif (code, stream.casefold()) not in recorded:
            carried.append(ContributionForward(code, stream, amount, schedule, CARRIED))
    retained, unknown = _retained_underspend(session, agreement, this)
    stream = underspend_stream(this)
    carried += [ContributionForward(code, stream, pence, UNDERSPEND_SCHEDULE, CARRIED_FORWARD)
                for code, pence in _underspend_parts(session, agreement, this, retained).items()
                if pence and (code, stream.casefold()) not in recorded]
    plan = RollForward(agreement.id, this, following, tuple(forward), tuple(carried), retained, unknown)
    if not plan.carried_lines and not plan.carried_contributions:
        raise ValidationError(f"Nothing is left to carry into {following.label}: every line with a budget for "
                              f"{this.label} has one for {following.label} already, and so has every recurrent "
                              "contribution.", f"Change {following.label}'s figures where they are instead."
                              + (f" The underspend {this.label} retains in the pool is carried into "
                                 f"{following.label}'s funding when its M12 is closed." if unknown else ""))
    return plan


UNDERSPEND_SCHEDULE = "annual"  # one instalment, received on the year's first day: the money is in the pool


def underspend_stream(year: FinancialYear) -> str:
    """The funding stream next year's part of the underspend `year` retained in the pool is recorded under."""
    return f"Underspend carried forward from {year.label}"


def _retained_underspend(session: Session, agreement: Agreement, year: FinancialYear) -> tuple[int, bool]:
    """The underspend the pool retained at `year`'s end (positive), and whether it is not known yet: where the
    agreement retains underspend in the pool (DOMAIN.md, risk share rule 5), it is the final outturn's (every month
    to M12 closed), as the year-end reconciliation says it is carried forward."""
    if agreement.underspend_rule != UnderspendRule.RETAINED_IN_POOL.value:
        return 0, False
    if not outturn_is_final(closed_months(session, agreement.id, year.start_year), MONTHS):
        return 0, True
    risk_share = position_in(session, agreement.id, year=year, as_at=MONTHS, risk_share_optional=True).risk_share
    # A negative amount retained is underspend; none can be worked out without contributions, and then none is.
    return max(-(risk_share.retained_in_pool_pence if risk_share else 0), 0), False


def _underspend_parts(session: Session, agreement: Agreement, year: FinancialYear, retained: int) -> dict[str, int]:
    """The underspend retained, split between the partners pro rata to what they contributed in `year` (as an
    underspend returned would be), to the penny: each part is that partner's money kept in the pool. With no
    contribution recorded (a risk share by fixed percentages needs none), the host holds it all, as it holds the
    pool."""
    if not retained:
        return {}
    contributed = dict(session.execute(
        select(Organisation.code, func.coalesce(func.sum(Contribution.amount_pence), 0))
        .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
        .outerjoin(Contribution, (Contribution.organisation_id == Organisation.id)
                   & (Contribution.agreement_id == agreement.id) & (Contribution.year == year.start_year))
        .where(AgreementPartner.agreement_id == agreement.id)
        .group_by(Organisation.code, AgreementPartner.position).order_by(AgreementPartner.position)).all())
    if not any(contributed.values()):
        return {session.get(Organisation, agreement.host_id).code: retained}
    return dict(zip(contributed, split_largest_remainder(retained, list(contributed.values())), strict=True))


def _underspend_held(session: Session, agreement_id: int, year: FinancialYear) -> list[tuple[str, Contribution]]:
    """Next year's contributions under `year`'s "Underspend carried forward from 2026-27", each with its partner's
    code, in the order they were recorded."""
    stream = underspend_stream(year).casefold()
    return [(code, contribution) for code, contribution in session.execute(
        select(Organisation.code, Contribution)
        .join(Organisation, Organisation.id == Contribution.organisation_id)
        .where(Contribution.agreement_id == agreement_id, Contribution.year == year.start_year + 1)
        .order_by(Contribution.id)) if contribution.funding_stream.casefold() == stream]


def _started(session: Session, agreement_id: int, year: FinancialYear) -> bool:
    """Whether `year` is started: any line has a budget for it, or any contribution is recorded for it (as
    `year_totals` counts them)."""
    return bool(session.scalar(select(LineYear.id).join(BudgetLine, BudgetLine.id == LineYear.budget_line_id)
                               .where(BudgetLine.agreement_id == agreement_id, LineYear.year == year.start_year)
                               .limit(1))
                or session.scalar(select(Contribution.id).where(Contribution.agreement_id == agreement_id,
                                                                Contribution.year == year.start_year).limit(1)))


def underspend_carried_in(session: Session, agreement_id: int, year: FinancialYear
                          ) -> tuple[tuple[str, int], ...] | None:
    """What the year after `year` holds of the underspend carried forward from `year`: each partner's code and
    amount, as recorded (none: nothing is carried yet); None when that year is not started."""
    held = _underspend_held(session, agreement_id, year)
    if not held and not _started(session, agreement_id, FinancialYear(year.start_year + 1)):
        return None
    return tuple((code, contribution.amount_pence) for code, contribution in held)


def underspend_carried(database: Database, agreement_id: int, year: FinancialYear
                       ) -> tuple[tuple[str, int], ...] | None:
    """`underspend_carried_in`, for the Year end view to say where the underspend retained is."""
    with database.session() as session:
        return underspend_carried_in(session, agreement_id, year)


def follow_underspend_carried(record: Recorder, agreement: Agreement, year: int) -> str:
    """Once `year`'s M12 is closed (or closed again, once unlocked and corrected): next year's funding holds the
    underspend the pool retains as the outturn now agreed says, in the same gesture, so next year never holds the
    amount of an outturn since corrected, nor lacks it for having been started before M12 closed (the usual order).

    Each partner's "Underspend carried forward from 2026-27" contribution becomes its part of what the pool retains
    now (`_underspend_parts`), its instalment received in full as before; a partner whose part is now nil has its
    contribution taken away, and one that has a part now and none before gets one, received in full on next year's
    first day, as `start_next_year` records it.

    Returns what changed, in words for the close's description ("" when nothing did, and when next year is not
    started: starting it carries the underspend then).
    """
    session = record.session
    this, following = FinancialYear(year), FinancialYear(year + 1)
    stream = underspend_stream(this)
    held = _underspend_held(session, agreement.id, this)
    if not held and not _started(session, agreement.id, following):
        return ""
    retained = _retained_underspend(session, agreement, this)[0]  # known: M12 has just closed
    parts = {code: pence for code, pence in _underspend_parts(session, agreement, this, retained).items() if pence}
    before = sum(contribution.amount_pence for _code, contribution in held)
    if {code: contribution.amount_pence for code, contribution in held} == parts and len(held) == len(parts):
        return ""
    # The partners seen: each one's first contribution under the stream holds its part, and a second (added by hand
    # under jointlead's own name for it) would count the underspend twice, so it goes.
    seen: set[str] = set()
    for code, contribution in held:
        payments = session.scalars(select(ContributionPayment).where(
            ContributionPayment.contribution_id == contribution.id)
            .order_by(ContributionPayment.expected_date, ContributionPayment.id)).all()
        part = 0 if code in seen else parts.get(code, 0)
        seen.add(code)
        if not part:
            for payment in payments:
                record.delete(payment)
            record.delete(contribution)
            continue
        record.update(contribution, amount_pence=part)
        for payment, (_period, pence) in zip(payments, payment_schedule(part, contribution.schedule), strict=True):
            record.update(payment, expected_pence=pence,
                          received_pence=pence if payment.received_date is not None else None)
    partners = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    for code, part in parts.items():
        if code not in seen:
            _contribute(record, agreement.id, partners[code], following.start_year, stream, part, False,
                        UNDERSPEND_SCHEDULE, received_on=following.first_day)
    if not held:
        return f"carry forward {format_exact(retained)} of underspend into {following.label}'s funding"
    now = f"{format_exact(retained)} of underspend" if retained else "no underspend"
    return f"carry forward {now} into {following.label} ({format_exact(before)} before)"


def roll_forward_preview(database: Database, agreement_id: int | None, year: int) -> RollForward:
    """What starting the year after `year` would carry into it, or the reason it cannot be started (refused).

    Each line with a budget this year and none next year gets next year's: this year's annual budget less what
    this year's non-recurrent virements moved into it (or plus what they took out of it), since a recurrent
    virement carries on but a one-off does not. It is profiled like this year (`_next_weights`), split to the
    penny. Each recurrent contribution of this year is added for next year with the same partner, funding stream,
    amount and payment schedule, unless next year already has that partner's stream. Where the agreement retains
    underspend in the pool and this year is final (M12 closed), the underspend retained is carried forward into
    next year's funding: each partner's part of it, pro rata to this year's contributions, is a non-recurrent
    contribution "Underspend carried forward from 2026-27", received in full on next year's first day (it is in the
    pool already). Whatever next year already has is left alone. Refused when next year is outside the agreement's
    years, when a later year already has budgets, or when there is nothing to carry.
    """
    with database.session() as session:
        return _roll_forward(session, agreement_id, year)


def start_next_year(database: Database, agreement_id: int | None, year: int, *,
                    seen: RollForward | None = None) -> Edit:
    """Start the year after `year`, as `roll_forward_preview` says, in one transaction.

    `seen`: the preview the user was shown; if the figures have changed since (someone else changed a budget),
    this is refused rather than carrying figures nobody saw.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "start next year")
        plan = _roll_forward(uow.session, agreement_id, year)
        if seen is not None and plan != seen:
            raise ChangedBySomeoneElse(f"{plan.year.label}'s budget")
        following = plan.next_year.start_year
        for line in plan.carried_lines:
            record.create(LineYear(budget_line_id=line.line_id, year=following, annual_budget_pence=line.next_pence,
                                   profile=line.profile))
            for period, pence in enumerate(line.next_months, start=1):
                record.create(LineMonth(budget_line_id=line.line_id, year=following, period=period,
                                        budget_pence=pence))
        partners = dict(uow.session.execute(select(Organisation.code, Organisation.id)).all())
        for contribution in plan.carried_contributions:
            forward = contribution.status == CARRIED_FORWARD
            _contribute(record, plan.agreement_id, partners[contribution.partner_code], following,
                        contribution.funding_stream, contribution.amount_pence, not forward, contribution.schedule,
                        received_on=plan.next_year.first_day if forward else None)
        return record.commit(f"start {plan.next_year.label}")


@dataclass(frozen=True)
class YearTotals:
    """A pool's year in three figures: how many lines have a budget for it, their total, and the contributions."""

    year: FinancialYear
    lines: int
    lines_pence: int
    contributions_pence: int


def year_totals(database: Database, agreement_id: int, year: int) -> YearTotals:
    with database.session() as session:
        lines, budgeted = session.execute(
            select(func.count(LineYear.id), func.coalesce(func.sum(LineYear.annual_budget_pence), 0))
            .join(BudgetLine, BudgetLine.id == LineYear.budget_line_id)
            .where(BudgetLine.agreement_id == agreement_id, LineYear.year == year)).one()
        contributed = session.scalar(select(func.coalesce(func.sum(Contribution.amount_pence), 0)).where(
            Contribution.agreement_id == agreement_id, Contribution.year == year))
        return YearTotals(FinancialYear(year), lines, budgeted, contributed)
