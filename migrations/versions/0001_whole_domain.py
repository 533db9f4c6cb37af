"""The whole domain: people, lines, supervision, budgets, actions, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('os_user', sa.String(length=100), nullable=False),
    sa.Column('verb', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('changes_json', sa.Text(), nullable=False),
    sa.Column('undoes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['undoes_id'], ['audit_entry.id'], name=op.f('fk_audit_entry_undoes_id_audit_entry'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('code', name=op.f('uq_organisation_code'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('name', name=op.f('uq_team_name'))
    )
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=260), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('mapping_json', sa.Text(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('unmapped', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_import_batch_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('mapping_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('mapping_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_mapping_profile_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_profile')),
    sa.UniqueConstraint('organisation_id', 'kind', name=op.f('uq_mapping_profile_organisation_id_kind'))
    )
    with op.batch_alter_table('mapping_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_profile_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('employee_number', sa.String(length=40), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('profession', sa.String(length=60), nullable=False),
    sa.Column('registration_body', sa.String(length=40), nullable=True),
    sa.Column('registration_number', sa.String(length=40), nullable=True),
    sa.Column('grade', sa.String(length=40), nullable=False),
    sa.Column('wte_hundredths', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('leave_date', sa.Date(), nullable=True),
    sa.Column('seconded', sa.Boolean(), nullable=False),
    sa.Column('career_stage', sa.String(length=30), nullable=False),
    sa.Column('qualified_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['employer_id'], ['organisation.id'], name=op.f('fk_person_employer_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_person_team_id_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('employer_id', 'employee_number', name=op.f('uq_person_employer_id_employee_number'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_team_id'), ['team_id'], unique=False)

    op.create_table('supervision_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('profession', sa.String(length=60), nullable=True),
    sa.Column('career_stage', sa.String(length=30), nullable=True),
    sa.Column('supervision_type', sa.String(length=30), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('min_minutes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_supervision_policy_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_policy'))
    )
    with op.batch_alter_table('supervision_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_policy_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_absence_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence'))
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_person_id'), ['person_id'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('workstream', sa.String(length=100), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('raised_date', sa.Date(), nullable=False),
    sa.Column('original_due_date', sa.Date(), nullable=False),
    sa.Column('revised_due_date', sa.Date(), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rag_override', sa.String(length=10), nullable=True),
    sa.Column('rag_override_reason', sa.Text(), nullable=True),
    sa.Column('completed_date', sa.Date(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_action_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_action_owner_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisation.id'], name=op.f('fk_action_owner_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action')),
    sa.UniqueConstraint('reference', name=op.f('uq_action_reference'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owner_organisation_id'), ['owner_organisation_id'], unique=False)

    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agreement_type', sa.String(length=30), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('fund_manager_id', sa.Integer(), nullable=True),
    sa.Column('governing_board', sa.String(length=200), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('reporting_frequency', sa.String(length=20), nullable=False),
    sa.Column('contribution_basis', sa.String(length=10), nullable=False),
    sa.Column('risk_basis', sa.String(length=30), nullable=False),
    sa.Column('use_waterfall', sa.Boolean(), nullable=False),
    sa.Column('risk_reserve_pence', sa.Integer(), nullable=False),
    sa.Column('underspend_rule', sa.String(length=30), nullable=False),
    sa.Column('delegated_limit_pence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fund_manager_id'], ['person.id'], name=op.f('fk_agreement_fund_manager_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_id'], ['organisation.id'], name=op.f('fk_agreement_host_id_organisation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement'))
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_fund_manager_id'), ['fund_manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_host_id'), ['host_id'], unique=False)

    op.create_table('reporting_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('managerial', 'professional')", name=op.f('ck_reporting_line_kind')),
    sa.CheckConstraint('person_id <> lead_id', name=op.f('ck_reporting_line_not_self')),
    sa.ForeignKeyConstraint(['lead_id'], ['person.id'], name=op.f('fk_reporting_line_lead_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_reporting_line_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_line'))
    )
    with op.batch_alter_table('reporting_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_line_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index('ix_reporting_line_person_kind_from', ['person_id', 'kind', 'effective_from'], unique=False)

    op.create_table('supervision_arrangement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisee_id', sa.Integer(), nullable=False),
    sa.Column('supervision_type', sa.String(length=30), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('interval_days', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('agreement_signed', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['supervisee_id'], ['person.id'], name=op.f('fk_supervision_arrangement_supervisee_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['person.id'], name=op.f('fk_supervision_arrangement_supervisor_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_arrangement'))
    )
    with op.batch_alter_table('supervision_arrangement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_arrangement_supervisee_id'), ['supervisee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_arrangement_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('supervision_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisee_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('supervision_type', sa.String(length=30), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('group_key', sa.String(length=40), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('supervisee_confirmed', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['supervisee_id'], ['person.id'], name=op.f('fk_supervision_session_supervisee_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['person.id'], name=op.f('fk_supervision_session_supervisor_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_session'))
    )
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_session_supervisee_type_date', ['supervisee_id', 'supervision_type', 'session_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_session_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('action_due_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('old_due_date', sa.Date(), nullable=False),
    sa.Column('new_due_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_due_change_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_due_change'))
    )
    with op.batch_alter_table('action_due_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_due_change_action_id'), ['action_id'], unique=False)

    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('update_date', sa.Date(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_update_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_update_action_id'), ['action_id'], unique=False)

    op.create_table('agreement_partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('fixed_share_basis_points', sa.Integer(), nullable=True),
    sa.Column('cap_pence', sa.Integer(), nullable=True),
    sa.Column('cap_basis_points', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_partner_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_agreement_partner_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_partner')),
    sa.UniqueConstraint('agreement_id', 'organisation_id', name=op.f('uq_agreement_partner_agreement_id_organisation_id'))
    )
    with op.batch_alter_table('agreement_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_partner_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_partner_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('share_profile', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_budget_line_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_id'], ['organisation.id'], name=op.f('fk_budget_line_responsible_id_organisation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line')),
    sa.UniqueConstraint('agreement_id', 'code', name=op.f('uq_budget_line_agreement_id_code'))
    )
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_line_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_line_responsible_id'), ['responsible_id'], unique=False)

    op.create_table('contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('funding_stream', sa.String(length=120), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('recurrent', sa.Boolean(), nullable=False),
    sa.Column('schedule', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_contribution_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_contribution_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution'))
    )
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('period_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('closed_by', sa.String(length=100), nullable=False),
    sa.Column('snapshot_json', sa.Text(), nullable=False),
    sa.Column('unlocked_on', sa.Date(), nullable=True),
    sa.Column('unlocked_by', sa.String(length=100), nullable=True),
    sa.Column('unlock_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_period_close_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_close'))
    )
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_close_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('contribution_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contribution_id', sa.Integer(), nullable=False),
    sa.Column('expected_date', sa.Date(), nullable=False),
    sa.Column('expected_pence', sa.Integer(), nullable=False),
    sa.Column('received_date', sa.Date(), nullable=True),
    sa.Column('received_pence', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contribution_id'], ['contribution.id'], name=op.f('fk_contribution_payment_contribution_id_contribution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_payment'))
    )
    with op.batch_alter_table('contribution_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_payment_contribution_id'), ['contribution_id'], unique=False)

    op.create_table('ledger_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('cost_centre', sa.String(length=30), nullable=False),
    sa.Column('subjective_pattern', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_line.id'], name=op.f('fk_ledger_mapping_budget_line_id_budget_line'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_ledger_mapping_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_mapping'))
    )
    with op.batch_alter_table('ledger_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_mapping_budget_line_id'), ['budget_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_mapping_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('ledger_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('posting_date', sa.Date(), nullable=True),
    sa.Column('cost_centre', sa.String(length=30), nullable=False),
    sa.Column('subjective', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('transaction_ref', sa.String(length=60), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('source_file', sa.String(length=260), nullable=False),
    sa.Column('source_sheet', sa.String(length=100), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.CheckConstraint('period >= 1 AND period <= 12', name=op.f('ck_ledger_transaction_period')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_ledger_transaction_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_line.id'], name=op.f('fk_ledger_transaction_budget_line_id_budget_line'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batch.id'], name=op.f('fk_ledger_transaction_import_batch_id_import_batch'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_ledger_transaction_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transaction'))
    )
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transaction_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transaction_import_batch_id'), ['import_batch_id'], unique=False)
        batch_op.create_index('ix_ledger_transaction_line_year_period_amount', ['budget_line_id', 'year', 'period', 'amount_pence'], unique=False)
        batch_op.create_index('ix_ledger_transaction_org_fingerprint', ['organisation_id', 'fingerprint'], unique=False)
        batch_op.create_index('ix_ledger_transaction_org_ref', ['organisation_id', 'transaction_ref'], unique=False)

    op.create_table('line_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('budget_pence', sa.Integer(), nullable=False),
    sa.Column('forecast_pence', sa.Integer(), nullable=True),
    sa.Column('forecast_comment', sa.Text(), nullable=False),
    sa.CheckConstraint('period >= 1 AND period <= 12', name=op.f('ck_line_month_period')),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_line.id'], name=op.f('fk_line_month_budget_line_id_budget_line'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_line_month')),
    sa.UniqueConstraint('budget_line_id', 'year', 'period', name=op.f('uq_line_month_budget_line_id_year_period'))
    )
    op.create_table('line_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('annual_budget_pence', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_line.id'], name=op.f('fk_line_year_budget_line_id_budget_line'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_line_year')),
    sa.UniqueConstraint('budget_line_id', 'year', name=op.f('uq_line_year_budget_line_id_year'))
    )
    op.create_table('virement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('from_period', sa.Integer(), nullable=False),
    sa.Column('from_line_id', sa.Integer(), nullable=False),
    sa.Column('to_line_id', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('recurrent', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=False),
    sa.Column('approval_date', sa.Date(), nullable=False),
    sa.Column('board_approval', sa.String(length=200), nullable=True),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_virement_positive')),
    sa.CheckConstraint('from_line_id <> to_line_id', name=op.f('ck_virement_different_lines')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_virement_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_line_id'], ['budget_line.id'], name=op.f('fk_virement_from_line_id_budget_line'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['to_line_id'], ['budget_line.id'], name=op.f('fk_virement_to_line_id_budget_line'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_virement'))
    )
    with op.batch_alter_table('virement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_virement_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_virement_from_line_id'), ['from_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_virement_to_line_id'), ['to_line_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('virement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_virement_to_line_id'))
        batch_op.drop_index(batch_op.f('ix_virement_from_line_id'))
        batch_op.drop_index(batch_op.f('ix_virement_agreement_id'))

    op.drop_table('virement')
    op.drop_table('line_year')
    op.drop_table('line_month')
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_transaction_org_ref')
        batch_op.drop_index('ix_ledger_transaction_org_fingerprint')
        batch_op.drop_index('ix_ledger_transaction_line_year_period_amount')
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_import_batch_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_agreement_id'))

    op.drop_table('ledger_transaction')
    with op.batch_alter_table('ledger_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_mapping_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_mapping_budget_line_id'))

    op.drop_table('ledger_mapping')
    with op.batch_alter_table('contribution_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_payment_contribution_id'))

    op.drop_table('contribution_payment')
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_close_agreement_id'))

    op.drop_table('period_close')
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_contribution_agreement_id'))

    op.drop_table('contribution')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_line_responsible_id'))
        batch_op.drop_index(batch_op.f('ix_budget_line_agreement_id'))

    op.drop_table('budget_line')
    with op.batch_alter_table('agreement_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_partner_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_partner_agreement_id'))

    op.drop_table('agreement_partner')
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_update_action_id'))

    op.drop_table('action_update')
    with op.batch_alter_table('action_due_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_due_change_action_id'))

    op.drop_table('action_due_change')
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_session_supervisor_id'))
        batch_op.drop_index('ix_supervision_session_supervisee_type_date')

    op.drop_table('supervision_session')
    with op.batch_alter_table('supervision_arrangement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_arrangement_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_arrangement_supervisee_id'))

    op.drop_table('supervision_arrangement')
    with op.batch_alter_table('reporting_line', schema=None) as batch_op:
        batch_op.drop_index('ix_reporting_line_person_kind_from')
        batch_op.drop_index(batch_op.f('ix_reporting_line_lead_id'))

    op.drop_table('reporting_line')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_host_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_fund_manager_id'))

    op.drop_table('agreement')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_owner_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_action_meeting_id'))

    op.drop_table('action')
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_person_id'))

    op.drop_table('absence')
    with op.batch_alter_table('supervision_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_policy_organisation_id'))

    op.drop_table('supervision_policy')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_team_id'))
        batch_op.drop_index(batch_op.f('ix_person_employer_id'))

    op.drop_table('person')
    with op.batch_alter_table('mapping_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mapping_profile_organisation_id'))

    op.drop_table('mapping_profile')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_organisation_id'))

    op.drop_table('import_batch')
    op.drop_table('team')
    op.drop_table('setting')
    op.drop_table('organisation')
    op.drop_table('meeting')
    op.drop_table('audit_entry')
