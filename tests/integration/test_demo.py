"""The demo service: what it holds, that it is the same every time, that its figures balance and its lines pass."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jointlead.domain.actions import ActionStatus
from jointlead.domain.errors import JointleadError
from jointlead.domain.findings import Severity
from jointlead.domain.reporting_lines import Line, LineKind, StaffMember, line_findings
from jointlead.services import files, imports
from jointlead.services.demo import (
    BUDGET_LINES,
    DEMO_TODAY,
    DEMO_YEAR,
    DemoSummary,
    create_demo_service,
    write_next_month_extracts,
)
from jointlead.services.supervision import compliance
from jointlead.store.database import Database, create_database
from jointlead.store.models import (
    Action,
    AuditEntry,
    Base,
    BudgetLine,
    Contribution,
    ImportBatch,
    LedgerTransaction,
    LineMonth,
    LineYear,
    Meeting,
    PeriodClose,
    Person,
    ReportingLine,
    Setting,
    SupervisionArrangement,
    SupervisionPolicy,
    SupervisionSession,
    Virement,
)

# Filled from the clock when a row is written, so they differ between two otherwise identical databases.
CLOCK_COLUMNS = frozenset({("audit_entry", "at"), ("import_batch", "imported_at")})


def table_dump(database: Database, leave_out: frozenset[tuple[str, str]] = CLOCK_COLUMNS) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, without the (table, column)s left out: to compare two databases."""
    dump = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns if (table.name, column.name) not in leave_out]
            query = select(*columns).order_by(*table.primary_key.columns)
            dump[table.name] = [tuple(row) for row in connection.execute(query)]
    return dump


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = create_database(tmp_path / "demo.sqlite")
    yield database
    database.close()


@pytest.fixture
def demo(database: Database) -> tuple[Database, DemoSummary]:
    return database, create_demo_service(database)


def _count(database: Database, model: type[Base], *where: Any) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_demo_creates_the_promised_counts(demo: tuple[Database, DemoSummary]) -> None:
    database, summary = demo
    assert summary == DemoSummary(
        people=_count(database, Person), lines=_count(database, ReportingLine),
        arrangements=_count(database, SupervisionArrangement), sessions=_count(database, SupervisionSession),
        budget_lines=_count(database, BudgetLine), transactions=_count(database, LedgerTransaction),
        virements=_count(database, Virement), meetings=_count(database, Meeting), actions=_count(database, Action))
    assert 55 <= _count(database, Person, Person.team_id.is_not(None)) <= 65
    with database.session() as session:
        professions = set(session.scalars(select(Person.profession).where(Person.team_id.is_not(None))))
        statuses = set(session.scalars(select(Action.status)))
        closes = session.execute(select(PeriodClose.period, PeriodClose.unlocked_on).order_by(PeriodClose.id)).all()
        audit = session.scalars(select(AuditEntry)).all()
        next_action = session.get(Setting, "next_action_number")
    assert len(professions) >= 6
    assert 12 <= summary.budget_lines <= 20
    assert 2_000 <= summary.transactions <= 4_000
    assert 10 <= _count(database, LedgerTransaction, LedgerTransaction.budget_line_id.is_(None)) <= 20
    assert summary.virements == 2
    assert summary.meetings == 3
    assert 35 <= summary.actions <= 45
    assert statuses == {str(status) for status in ActionStatus}
    assert next_action is not None and next_action.value == str(summary.actions + 1)
    latest_close = dict(closes)  # the last row for each period says whether it is locked now
    assert sorted(latest_close) == [1, 2, 3, 4, 5, 6, 7]
    assert all(unlocked is None for unlocked in latest_close.values())
    assert [(entry.verb, entry.entity) for entry in audit][-1] == ("create_demo_service", "service")
    assert {entry.verb for entry in audit[:-1]} == {"make virement"}  # the months each virement moved


def test_the_demo_is_the_same_every_time(tmp_path: Path, demo: tuple[Database, DemoSummary]) -> None:
    first, _summary = demo
    second = create_database(tmp_path / "again.sqlite")
    try:
        create_demo_service(second)
        assert table_dump(second) == table_dump(first)
    finally:
        second.close()


def test_monthly_budgets_add_up_to_each_annual_budget_and_the_budgets_to_the_contributions(
        demo: tuple[Database, DemoSummary]) -> None:
    database, _summary = demo
    with database.session() as session:
        annual = dict(session.execute(select(LineYear.budget_line_id, LineYear.annual_budget_pence)).all())
        months = session.execute(select(LineMonth.budget_line_id, func.sum(LineMonth.budget_pence),
                                        func.count()).group_by(LineMonth.budget_line_id)).all()
        contributions = session.scalar(select(func.sum(Contribution.amount_pence)))
    assert {line: (total, 12) for line, total in annual.items()} == {line: (total, n) for line, total, n in months}
    assert sum(annual.values()) == contributions


def test_each_virement_moved_the_budgets_it_records_from_its_first_month_on(
        demo: tuple[Database, DemoSummary]) -> None:
    database, _summary = demo
    with database.session() as session:
        annual = dict(session.execute(select(BudgetLine.code, LineYear.annual_budget_pence)
                                      .join(LineYear, LineYear.budget_line_id == BudgetLine.id)).all())
        months = {(code, period): pence for code, period, pence in session.execute(
            select(BudgetLine.code, LineMonth.period, LineMonth.budget_pence)
            .join(LineMonth, LineMonth.budget_line_id == BudgetLine.id))}
    planned = {spec.code: spec for spec in BUDGET_LINES}
    moved = {"MH01": -4_000_000, "MH10": 4_000_000, "MH02": -1_800_000, "MH03": 1_800_000}  # as VIREMENTS says
    assert {code: pence - planned[code].annual_pounds * 100 for code, pence in annual.items() if code in moved} == moved
    assert all(annual[code] == spec.annual_pounds * 100 for code, spec in planned.items() if code not in moved)
    # MH02 gave from M3 and MH01 from M6: the months before are as planned.
    assert all(months["MH02", period] == months["MH02", 1] > months["MH02", 3] for period in (1, 2))
    assert all(months["MH01", period] == 21_250_000 > months["MH01", 6] for period in range(1, 6))


def test_every_ledger_batch_counts_its_own_rows(demo: tuple[Database, DemoSummary]) -> None:
    database, _summary = demo
    rows = func.count(LedgerTransaction.id)
    unmapped = func.count(LedgerTransaction.id).filter(LedgerTransaction.budget_line_id.is_(None))
    with database.session() as session:
        batches = session.execute(
            select(ImportBatch.rows_read, ImportBatch.unmapped, rows, unmapped)
            .join(LedgerTransaction, LedgerTransaction.import_batch_id == ImportBatch.id)
            .group_by(ImportBatch.id)).all()
    assert len(batches) == 14  # one per partner per closed month
    assert all((read, not_mapped) == (counted, counted_unmapped) for read, not_mapped, counted, counted_unmapped in
               batches)


def test_actuals_drift_both_ways_and_the_pool_is_mildly_overspent(demo: tuple[Database, DemoSummary]) -> None:
    database, _summary = demo
    with database.session() as session:
        budget = dict(session.execute(select(LineMonth.budget_line_id, func.sum(LineMonth.budget_pence))
                                      .where(LineMonth.period <= 7).group_by(LineMonth.budget_line_id)).all())
        actual = dict(session.execute(select(LedgerTransaction.budget_line_id,
                                             func.sum(LedgerTransaction.amount_pence))
                                      .where(LedgerTransaction.budget_line_id.is_not(None))
                                      .group_by(LedgerTransaction.budget_line_id)).all())
    variance = {line: (actual[line] - budget[line]) / abs(budget[line]) for line in budget}
    assert sum(1 for share in variance.values() if share > 0.01) >= 3
    assert sum(1 for share in variance.values() if share < -0.01) >= 3
    assert 0 < (sum(actual.values()) - sum(budget.values())) / sum(budget.values()) < 0.02


def test_the_demo_breaks_no_line_rule_and_shows_each_deliberate_gap(demo: tuple[Database, DemoSummary]) -> None:
    database, _summary = demo
    with database.session() as session:
        people = [StaffMember(id=p.id, name=p.full_name, profession=p.profession,
                              registered=p.registration_body is not None, in_team=p.team_id is not None,
                              start_date=p.start_date, leave_date=p.leave_date)
                  for p in session.scalars(select(Person))]
        lines = [Line(id=ln.id, kind=LineKind(ln.kind), person_id=ln.person_id, lead_id=ln.lead_id,
                      effective_from=ln.effective_from, effective_to=ln.effective_to)
                 for ln in session.scalars(select(ReportingLine))]
    findings = line_findings(people, lines, DEMO_TODAY)
    assert [f for f in findings if f.severity == Severity.ERROR] == []
    codes = [f.code for f in findings]
    assert {"no-manager", "no-professional-line", "lead-other-profession"} <= set(codes)
    assert len(codes) <= 5
    changed = {ln.person_id for ln in lines
               if ln.kind == LineKind.MANAGERIAL and ln.effective_to and ln.effective_to.year == 2026
               and any(later.person_id == ln.person_id and later.kind == ln.kind
                       and later.effective_from == ln.effective_to + timedelta(days=1) for later in lines)}
    assert len(changed) >= 3


def test_supervision_is_mostly_in_date_with_some_overdue_and_some_never_held(
        demo: tuple[Database, DemoSummary]) -> None:
    database, _summary = demo
    with database.session() as session:
        policies = {(p.profession, p.supervision_type): p.interval_days
                    for p in session.scalars(select(SupervisionPolicy))}
        last_held = func.max(SupervisionSession.session_date)
        arrangements = session.execute(
            select(SupervisionArrangement, Person.profession, last_held)
            .join(Person, Person.id == SupervisionArrangement.supervisee_id)
            .outerjoin(SupervisionSession,
                       (SupervisionSession.supervisee_id == SupervisionArrangement.supervisee_id)
                       & (SupervisionSession.supervision_type == SupervisionArrangement.supervision_type)
                       & (SupervisionSession.status == "held")
                       & (SupervisionSession.session_date >= SupervisionArrangement.start_date))
            .where((SupervisionArrangement.end_date.is_(None)) | (SupervisionArrangement.end_date >= DEMO_TODAY))
            .group_by(SupervisionArrangement.id)).all()
    in_date = overdue = never_held = 0
    for arrangement, profession, last in arrangements:
        interval = arrangement.interval_days or policies.get((profession, arrangement.supervision_type)) \
            or policies[None, arrangement.supervision_type]
        if last is None:
            if arrangement.start_date + timedelta(days=interval) < DEMO_TODAY:
                never_held += 1
        elif last + timedelta(days=interval) < DEMO_TODAY:
            overdue += 1
        else:
            in_date += 1
    assert never_held >= 2
    assert overdue >= 3
    assert 0.75 < in_date / len(arrangements) < 0.95  # below the 95% target, as the board papers often say


def test_creating_the_demo_over_existing_data_is_refused_and_changes_nothing(
        demo: tuple[Database, DemoSummary]) -> None:
    database, _summary = demo
    before = table_dump(database, leave_out=frozenset())
    with pytest.raises(JointleadError, match="already holds"):
        create_demo_service(database)
    assert table_dump(database, leave_out=frozenset()) == before



def test_the_compliance_trend_runs_back_a_year_of_supervision_held(demo: tuple[Database, DemoSummary]) -> None:
    """The board's twelve-month trend shows supervision going on from its first month, not a service starting from
    nothing, and slipping in the last months as the lapsed arrangements fall overdue."""
    database, _summary = demo
    trend = compliance(database, DEMO_TODAY).trend
    assert len(trend) == 12 and trend[0].as_at < date(2026, 1, 1)
    shares = [(m.tally.in_date + m.tally.due_soon) / (m.tally.in_date + m.tally.due_soon + m.tally.overdue
                                                       + m.tally.never_held + m.tally.not_in_place) for m in trend]
    assert all(share > 0.85 for share in shares), shares
    assert all(m.tally.never_held == trend[-1].tally.never_held for m in trend)  # only the demo's deliberate gaps
    assert shares[-1] < max(shares)


def test_next_months_extracts_import_into_the_demo_as_its_m8_each_partner_in_its_own_layout(
        demo_db: Database, tmp_path: Path) -> None:
    """What the demo leaves beside itself to try working day 5 with: each extract is read with no column named for
    it, the trust's below its titles and above its total, the council's debits and credits as amounts; every row is
    new, one is on codes outside the pool, and none is rejected or looks like the other partner's."""
    paths = write_next_month_extracts(tmp_path / "demo extracts")
    assert [path.name for path in paths] == ["NFT ledger M08 2026-27.xlsx", "NCC ledger extract P08 2026-27.xlsx"]
    totals = {}
    for path, partner in zip(paths, ("NFT", "NCC"), strict=True):
        preview = imports.preview_ledger_import(demo_db, path, partner, year=DEMO_YEAR)
        assert (preview.period_label, preview.open_months_read) == ("M8 2026-27", (8,))
        assert len(preview.added) == preview.rows_read > 150
        assert (len(preview.changed), len(preview.removed), preview.unmapped, preview.rejected) == (0, 0, 1, ())
        assert not preview.partner_warning and not preview.notices
        totals[partner] = preview.net_total_pence
        imports.apply_import(demo_db, preview)
    with demo_db.session() as session:
        month = select(LedgerTransaction).where(LedgerTransaction.period == 8).subquery()
        assert session.execute(select(func.sum(month.c.amount_pence), func.count(month.c.budget_line_id.distinct()),
                                      func.count().filter(month.c.budget_line_id.is_(None)))).one() == (
            totals["NFT"] + totals["NCC"], len(BUDGET_LINES), 2)
        # Spend as spend and income as income: the council's credits (client contributions) net below nothing.
        spent = dict(session.execute(select(month.c.budget_line_id, func.sum(month.c.amount_pence))
                                     .where(month.c.budget_line_id.is_not(None)).group_by(month.c.budget_line_id)).all())
        budgeted = dict(session.execute(select(LineMonth.budget_line_id, LineMonth.budget_pence)
                                        .where(LineMonth.year == DEMO_YEAR.start_year, LineMonth.period == 8)).all())
    assert {line: (pence > 0) - (pence < 0) for line, pence in spent.items()} == \
        {line: (pence > 0) - (pence < 0) for line, pence in budgeted.items()}
    assert any(pence < 0 for pence in spent.values())


def test_next_months_extracts_are_the_same_each_time_and_leave_a_file_already_there_as_it_is(tmp_path: Path) -> None:
    first = write_next_month_extracts(tmp_path / "a")
    again = write_next_month_extracts(tmp_path / "b")
    for one, other in zip(first, again, strict=True):
        assert _cells(one) == _cells(other)
    first[0].write_bytes(b"the manager's own file")
    assert write_next_month_extracts(tmp_path / "a") == first
    assert first[0].read_bytes() == b"the manager's own file"


def _cells(path: Path) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(path).get_sheet_by_name("Detail").to_python()


def test_the_demo_made_when_first_opened_leaves_next_months_extracts_beside_it(tmp_path: Path) -> None:
    files.open_or_create_demo(tmp_path / "demo.sqlite").close()
    assert sorted(path.name for path in (tmp_path / "demo extracts").iterdir()) == [
        "NCC ledger extract P08 2026-27.xlsx", "NFT ledger M08 2026-27.xlsx"]


def test_each_weeks_bank_staff_are_posted_after_the_week_ends(demo: tuple[Database, DemoSummary]) -> None:
    """As a trust's ledger has them: a posting on 2 Nov had been for the week ending 27 Nov."""
    database, _summary = demo
    with database.session() as session:
        rows = session.execute(select(LedgerTransaction.posting_date, LedgerTransaction.description)
                               .where(LedgerTransaction.description.like("Bank staff – week ending %"))).all()
    assert len(rows) > 100
    late = [(posted, text) for posted, text in rows
            if not timedelta(days=1) <= posted - datetime.strptime(text[-10:], "%d/%m/%Y").date() <= timedelta(7)]
    assert late == []
