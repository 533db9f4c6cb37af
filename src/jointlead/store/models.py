"""Typed SQLAlchemy models for the whole domain. Money is integer pence; WTE is integer hundredths."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Named constraints from the first revision: batch migrations on SQLite and ALTERs on PostgreSQL
# both need to refer to constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Money is integer pence. PostgreSQL's integer stops at 2,147,483,647 pence (£21.4 million), less than many pooled
# budgets, so pence are its bigint; SQLite's integers are 64-bit already, and its schema stays as it was.
Pence = BigInteger().with_variant(Integer(), "sqlite")


class Versioned:
    """A record people edit. Its version goes up by one at every change, so a change made from an out-of-date copy
    (someone else saved first, on a shared server) is refused instead of silently overwriting theirs."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Mapped:
    return mapped_column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


# --- organisations and people -------------------------------------------------------------------

class Organisation(Versioned, Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # NHS trust, ICB, county council, unitary, district, voluntary
    colour: Mapped[str] = mapped_column(String(7), default="#005EB8")


class Team(Versioned, Base):
    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Person(Versioned, Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("employer_id", "employee_number"),
        CheckConstraint("wte_hundredths IS NULL OR (wte_hundredths >= 1 AND wte_hundredths <= 100)",
                        name="wte_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    employer_id: Mapped[int | None] = _fk("organisation.id", nullable=True, ondelete="SET NULL")
    employee_number: Mapped[str | None] = mapped_column(String(40))  # ESR assignment or payroll number
    team_id: Mapped[int | None] = _fk("team.id", nullable=True, ondelete="SET NULL")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    profession: Mapped[str] = mapped_column(String(60), default="")
    registration_body: Mapped[str | None] = mapped_column(String(40))  # NMC, HCPC, GMC, Social Work England
    registration_number: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[str] = mapped_column(String(40), default="")  # AfC band or NJC grade / spinal point
    wte_hundredths: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[date | None] = mapped_column(Date)
    leave_date: Mapped[date | None] = mapped_column(Date)
    seconded: Mapped[bool] = mapped_column(default=False)
    career_stage: Mapped[str] = mapped_column(String(30), default="qualified")  # newly qualified, preceptorship/ASYE
    qualified_date: Mapped[date | None] = mapped_column(Date)
    hr_supervisor_number: Mapped[str | None] = mapped_column(String(40))  # the HR extract's own "supervisor"
    # Set when an HR extract from the employer no longer lists the person: a possible leaver to confirm.
    missing_from_hr_since: Mapped[date | None] = mapped_column(Date)


class ReportingLine(Versioned, Base):
    """One dated line: a person's managerial or professional lead. History is kept, never overwritten."""

    __tablename__ = "reporting_line"
    __table_args__ = (
        CheckConstraint("kind IN ('managerial', 'professional')", name="kind"),
        CheckConstraint("person_id <> lead_id", name="not_self"),
        Index("ix_reporting_line_person_kind_from", "person_id", "kind", "effective_from"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int] = _fk("person.id", index=False)
    lead_id: Mapped[int] = _fk("person.id")
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class Absence(Versioned, Base):
    """Long-term absence or maternity leave: takes a person out of supervision scope for a while."""

    __tablename__ = "absence"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _fk("person.id")
    kind: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


# --- supervision ---------------------------------------------------------------------------------

class SupervisionPolicy(Versioned, Base):
    """A required interval; the most specific policy (organisation, profession, career stage) wins."""

    __tablename__ = "supervision_policy"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = _fk("organisation.id", nullable=True)
    profession: Mapped[str | None] = mapped_column(String(60))
    career_stage: Mapped[str | None] = mapped_column(String(30))
    supervision_type: Mapped[str] = mapped_column(String(30))
    interval_days: Mapped[int] = mapped_column(Integer)
    min_minutes: Mapped[int | None] = mapped_column(Integer)


class SupervisionArrangement(Versioned, Base):
    __tablename__ = "supervision_arrangement"
    id: Mapped[int] = mapped_column(primary_key=True)
    supervisee_id: Mapped[int] = _fk("person.id")
    supervision_type: Mapped[str] = mapped_column(String(30))  # managerial, professional, safeguarding, group
    supervisor_id: Mapped[int | None] = _fk("person.id", nullable=True, ondelete="SET NULL")
    interval_days: Mapped[int | None] = mapped_column(Integer)  # overrides the policy when set
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    agreement_signed: Mapped[date | None] = mapped_column(Date)


class SupervisionSession(Versioned, Base):
    """That supervision happened — never what was said."""

    __tablename__ = "supervision_session"
    __table_args__ = (
        Index("ix_supervision_session_supervisee_type_date", "supervisee_id", "supervision_type", "session_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    supervisee_id: Mapped[int] = _fk("person.id", index=False)
    supervisor_id: Mapped[int | None] = _fk("person.id", nullable=True, ondelete="SET NULL")
    supervision_type: Mapped[str] = mapped_column(String(30))
    session_date: Mapped[date] = mapped_column(Date)
    group_key: Mapped[str | None] = mapped_column(String(40))  # shared by the rows of one group session
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(40), default="held")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    supervisee_confirmed: Mapped[date | None] = mapped_column(Date)


# --- pooled budgets ------------------------------------------------------------------------------

class Agreement(Versioned, Base):
    """A Section 75 agreement: a pooled fund, aligned budget or lead commissioning arrangement."""

    __tablename__ = "agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    agreement_type: Mapped[str] = mapped_column(String(30), default="pooled fund")
    host_id: Mapped[int] = _fk("organisation.id", ondelete="RESTRICT")
    fund_manager_id: Mapped[int | None] = _fk("person.id", nullable=True, ondelete="SET NULL")
    governing_board: Mapped[str] = mapped_column(String(200), default="")
    first_year: Mapped[int] = mapped_column(Integer)  # financial years by their starting calendar year
    last_year: Mapped[int | None] = mapped_column(Integer)
    reporting_frequency: Mapped[str] = mapped_column(String(20), default="monthly")
    contribution_basis: Mapped[str] = mapped_column(String(10), default="gross")
    risk_basis: Mapped[str] = mapped_column(String(30), default="pro rata")
    use_waterfall: Mapped[bool] = mapped_column(default=False)
    risk_reserve_pence: Mapped[int] = mapped_column(Pence, default=0)
    underspend_rule: Mapped[str] = mapped_column(String(30), default="returned pro rata")
    delegated_limit_pence: Mapped[int] = mapped_column(Pence, default=0)


class AgreementPartner(Versioned, Base):
    """A partner to an agreement, in the order partners are listed (ties in rounding go to the first)."""

    __tablename__ = "agreement_partner"
    __table_args__ = (UniqueConstraint("agreement_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = _fk("agreement.id")
    organisation_id: Mapped[int] = _fk("organisation.id", ondelete="RESTRICT")
    position: Mapped[int] = mapped_column(Integer)
    fixed_share_basis_points: Mapped[int | None] = mapped_column(Integer)  # 7500 = 75.00%
    cap_pence: Mapped[int | None] = mapped_column(Pence)
    cap_basis_points: Mapped[int | None] = mapped_column(Integer)  # of the partner's contribution


class Contribution(Versioned, Base):
    __tablename__ = "contribution"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = _fk("agreement.id")
    organisation_id: Mapped[int] = _fk("organisation.id", ondelete="RESTRICT")
    year: Mapped[int] = mapped_column(Integer)
    funding_stream: Mapped[str] = mapped_column(String(120))
    amount_pence: Mapped[int] = mapped_column(Pence)
    recurrent: Mapped[bool] = mapped_column(default=True)
    schedule: Mapped[str] = mapped_column(String(30), default="monthly")


class ContributionPayment(Versioned, Base):
    __tablename__ = "contribution_payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = _fk("contribution.id")
    expected_date: Mapped[date] = mapped_column(Date)
    expected_pence: Mapped[int] = mapped_column(Pence)
    received_date: Mapped[date | None] = mapped_column(Date)
    received_pence: Mapped[int | None] = mapped_column(Pence)


class BudgetLine(Versioned, Base):
    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("agreement_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = _fk("agreement.id")
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))  # pay, non-pay, commissioned care, income
    responsible_id: Mapped[int | None] = _fk("organisation.id", nullable=True, ondelete="RESTRICT")
    share_profile: Mapped[str] = mapped_column(String(10), default="variable")  # fixed or variable
    # How the months after the actuals are forecast: "run rate" (the average so far) or "profile" (their budget).
    forecast_method: Mapped[str] = mapped_column(String(10), default="run rate", server_default="run rate")


class LedgerMapping(Versioned, Base):
    """Which of a partner's ledger codes feed a line: a cost centre and a subjective pattern (`5*`)."""

    __tablename__ = "ledger_mapping"
    id: Mapped[int] = mapped_column(primary_key=True)
    budget_line_id: Mapped[int] = _fk("budget_line.id")
    organisation_id: Mapped[int] = _fk("organisation.id", ondelete="RESTRICT")
    cost_centre: Mapped[str] = mapped_column(String(30))
    subjective_pattern: Mapped[str] = mapped_column(String(30), default="*")


class LineYear(Versioned, Base):
    """A line's annual budget and how it is profiled across the months of one financial year."""

    __tablename__ = "line_year"
    __table_args__ = (UniqueConstraint("budget_line_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    budget_line_id: Mapped[int] = _fk("budget_line.id", index=False)
    year: Mapped[int] = mapped_column(Integer)
    annual_budget_pence: Mapped[int] = mapped_column(Pence)
    profile: Mapped[str] = mapped_column(String(20), default="even")  # even, custom, last year's actuals
    # For a custom line added once months had closed, which got no budget from them: the twelve weights typed and
    # how many months were closed, as JSON ({"closed": 3, "weights": [...]}). Next year's profile weighs those
    # months from here rather than from their empty budgets. None for every other line year.
    weights_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class LineMonth(Versioned, Base):
    """One month of a line: the profiled budget, and a forecast where one has been set by hand."""

    __tablename__ = "line_month"
    __table_args__ = (
        UniqueConstraint("budget_line_id", "year", "period"),
        CheckConstraint("period >= 1 AND period <= 12", name="period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    budget_line_id: Mapped[int] = _fk("budget_line.id", index=False)
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    budget_pence: Mapped[int] = mapped_column(Pence, default=0)
    forecast_pence: Mapped[int | None] = mapped_column(Pence)
    forecast_comment: Mapped[str] = mapped_column(Text, default="")


class ImportBatch(Base):
    """One imported file: what, from whom, when, by whom, and what it did. A whole batch can be undone."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # ledger, staff, supervision, actions
    organisation_id: Mapped[int | None] = _fk("organisation.id", nullable=True, ondelete="SET NULL")
    file_name: Mapped[str] = mapped_column(String(260))
    sha256: Mapped[str] = mapped_column(String(64))
    sheet: Mapped[str] = mapped_column(String(100), default="")
    mapping_json: Mapped[str] = mapped_column(Text, default="{}")
    rows_read: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    unmapped: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(100))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))


class MappingProfile(Base):
    """The column mapping a user chose for one source (partner + kind), reused next month."""

    __tablename__ = "mapping_profile"
    __table_args__ = (UniqueConstraint("organisation_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = _fk("organisation.id")
    kind: Mapped[str] = mapped_column(String(30))
    mapping_json: Mapped[str] = mapped_column(Text)


class LedgerTransaction(Base):
    """One row of a partner's ledger extract, with where it came from so re-imports change nothing."""

    __tablename__ = "ledger_transaction"
    __table_args__ = (
        CheckConstraint("period >= 1 AND period <= 12", name="period"),
        # Covering index: summaries by line and month never touch the table itself.
        Index("ix_ledger_transaction_line_year_period_amount", "budget_line_id", "year", "period",
              "removed_by_batch_id", "amount_pence"),
        # Only the rows a later import superseded, for undo: the rows in force (NULL) are most rows, and leaving
        # them out spares every imported row an insert here. Partial on PostgreSQL too (revision 0004 makes it so);
        # naming `postgresql_where` here would load SQLAlchemy's PostgreSQL dialect at every start, to check the word.
        Index("ix_ledger_transaction_removed_by_batch_id", "removed_by_batch_id",
              sqlite_where=text("removed_by_batch_id IS NOT NULL")),
        # Deliberately no other index (revision 0004 dropped three): every index costs each imported row a B-tree
        # insert. Imports match rows by id and fingerprint in memory, after one read of the year's rows in force,
        # and a service holds one or two agreements, so an index on agreement_id selects nearly everything.
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = _fk("organisation.id", ondelete="RESTRICT", index=False)
    agreement_id: Mapped[int] = _fk("agreement.id", index=False)
    budget_line_id: Mapped[int | None] = _fk("budget_line.id", nullable=True, ondelete="SET NULL", index=False)
    import_batch_id: Mapped[int | None] = _fk("import_batch.id", nullable=True, ondelete="RESTRICT")
    # A later extract no longer holds this row (or holds it changed): it stops counting but is kept,
    # so the import that superseded it can be undone exactly.
    removed_by_batch_id: Mapped[int | None] = _fk("import_batch.id", nullable=True, ondelete="RESTRICT", index=False)
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    posting_date: Mapped[date | None] = mapped_column(Date)
    cost_centre: Mapped[str] = mapped_column(String(30))
    subjective: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    amount_pence: Mapped[int] = mapped_column(Pence)
    transaction_ref: Mapped[str | None] = mapped_column(String(60))
    fingerprint: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(260), default="")
    source_sheet: Mapped[str] = mapped_column(String(100), default="")
    source_row: Mapped[int | None] = mapped_column(Integer)


IN_FORCE = LedgerTransaction.removed_by_batch_id.is_(None)  # the ledger rows that count: not superseded


class Virement(Base):
    """Budget moved between lines of one pool: the pool total never changes."""

    __tablename__ = "virement"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="positive"),
        CheckConstraint("from_line_id <> to_line_id", name="different_lines"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = _fk("agreement.id")
    year: Mapped[int] = mapped_column(Integer)
    from_period: Mapped[int] = mapped_column(Integer, default=1)
    from_line_id: Mapped[int] = _fk("budget_line.id", ondelete="RESTRICT")
    to_line_id: Mapped[int] = _fk("budget_line.id", ondelete="RESTRICT")
    amount_pence: Mapped[int] = mapped_column(Pence)
    recurrent: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(200))
    approval_date: Mapped[date] = mapped_column(Date)
    board_approval: Mapped[str | None] = mapped_column(String(200))  # minute reference when above the limit
    # The agreement's delegated limit when it was made: whether it needed the board is judged by that, not by a
    # limit lowered since.
    delegated_limit_pence: Mapped[int] = mapped_column(Pence)


class PeriodClose(Base):
    """A period closed (locked) with the figures reported; unlocking is recorded, never erased."""

    __tablename__ = "period_close"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = _fk("agreement.id")
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    closed_on: Mapped[date] = mapped_column(Date)
    closed_by: Mapped[str] = mapped_column(String(100))
    snapshot_json: Mapped[str] = mapped_column(Text, default="{}")
    unlocked_on: Mapped[date | None] = mapped_column(Date)
    unlocked_by: Mapped[str | None] = mapped_column(String(100))
    unlock_reason: Mapped[str | None] = mapped_column(Text)


# --- delivery actions ----------------------------------------------------------------------------

class Meeting(Versioned, Base):
    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # Joint Management Board, Section 75 Partnership Board…
    meeting_date: Mapped[date] = mapped_column(Date)


class Action(Versioned, Base):
    __tablename__ = "action"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)  # A-0042, never reused
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    meeting_id: Mapped[int | None] = _fk("meeting.id", nullable=True, ondelete="SET NULL")
    workstream: Mapped[str] = mapped_column(String(100), default="")
    owner_id: Mapped[int | None] = _fk("person.id", nullable=True, ondelete="SET NULL")
    owner_organisation_id: Mapped[int | None] = _fk("organisation.id", nullable=True, ondelete="SET NULL")
    raised_date: Mapped[date] = mapped_column(Date)
    original_due_date: Mapped[date] = mapped_column(Date)
    revised_due_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    status: Mapped[str] = mapped_column(String(20), default="open")
    rag_override: Mapped[str | None] = mapped_column(String(10))
    rag_override_reason: Mapped[str | None] = mapped_column(Text)
    completed_date: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")


class ActionDueChange(Base):
    __tablename__ = "action_due_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = _fk("action.id")
    old_due_date: Mapped[date] = mapped_column(Date)
    new_due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_on: Mapped[date] = mapped_column(Date)
    changed_by: Mapped[str] = mapped_column(String(100))


class ActionUpdate(Base):
    """A dated update on an action; append-only."""

    __tablename__ = "action_update"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = _fk("action.id")
    update_date: Mapped[date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)


# --- audit and settings --------------------------------------------------------------------------

class AuditEntry(Base):
    """Who changed what, when: one entry per user gesture; undo appends, it never erases."""

    __tablename__ = "audit_entry"
    # The log only grows: questions about one kind of record (an action's history, a virement's months) use this.
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    os_user: Mapped[str] = mapped_column(String(100))
    verb: Mapped[str] = mapped_column(String(60))  # the service that made the change
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    changes_json: Mapped[str] = mapped_column(Text, default="{}")  # {"field": [old, new]}
    undoes_id: Mapped[int | None] = _fk("audit_entry.id", nullable=True, ondelete="SET NULL", index=False)


class Setting(Base):
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# A record's history in the audit log is found by its table and id, so an id is never given again once used: SQLite
# would otherwise give the next row added the id of the newest one removed (an undone add, say), and with it that
# one's history. PostgreSQL's sequences never go back. Revision 0010 made the tables so.
for _table in Base.metadata.tables.values():
    if "id" in _table.c and _table.c.id.primary_key:
        _table.dialect_options["sqlite"]["autoincrement"] = True
