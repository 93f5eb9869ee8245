"""Presidency handovers; the presidency timeline becomes the handover's

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 20:06:24.450653

A handover per Presidency term (its summary, programme, checklist and the roles it moved).
Presidencies gain the announced end of the term (the handover opens before it), how notices
name them, and the handover that wrote them; a silent procedure keeps the Presidency it was
launched for.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('presidency_id', sa.Integer(), nullable=False),
    sa.Column('outgoing_partner_code', sa.String(length=20), nullable=False),
    sa.Column('incoming_partner_code', sa.String(length=20), nullable=True),
    sa.Column('incoming_title_en', sa.String(length=200), nullable=True),
    sa.Column('incoming_title_fr', sa.String(length=200), nullable=True),
    sa.Column('som_date', sa.Date(), nullable=False),
    sa.Column('som_place', sa.String(length=200), nullable=True),
    sa.Column('som_timezone', sa.String(length=64), nullable=False),
    sa.Column('som_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('passed_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('incoming_presidency_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_handovers_case_id_cases')),
    sa.ForeignKeyConstraint(['incoming_partner_code'], ['partners.code'], name=op.f('fk_handovers_incoming_partner_code_partners')),
    sa.ForeignKeyConstraint(['incoming_presidency_id'], ['presidencies.id'], name=op.f('fk_handovers_incoming_presidency_id_presidencies')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['contacts.id'], name=op.f('fk_handovers_opened_by_id_contacts')),
    sa.ForeignKeyConstraint(['outgoing_partner_code'], ['partners.code'], name=op.f('fk_handovers_outgoing_partner_code_partners')),
    sa.ForeignKeyConstraint(['presidency_id'], ['presidencies.id'], name=op.f('fk_handovers_presidency_id_presidencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers')),
    sa.UniqueConstraint('presidency_id', name=op.f('uq_handovers_presidency_id'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handovers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_som_at'), ['som_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_status'), ['status'], unique=False)

    op.create_table('handover_checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['done_by_id'], ['contacts.id'], name=op.f('fk_handover_checklist_items_done_by_id_contacts')),
    sa.ForeignKeyConstraint(['handover_id'], ['handovers.id'], name=op.f('fk_handover_checklist_items_handover_id_handovers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_checklist_items')),
    sa.UniqueConstraint('handover_id', 'position', name=op.f('uq_handover_checklist_items_handover_id'))
    )
    with op.batch_alter_table('handover_checklist_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_checklist_items_handover_id'), ['handover_id'], unique=False)

    op.create_table('handover_role_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('change', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_handover_role_changes_contact_id_contacts')),
    sa.ForeignKeyConstraint(['handover_id'], ['handovers.id'], name=op.f('fk_handover_role_changes_handover_id_handovers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_role_changes'))
    )
    with op.batch_alter_table('handover_role_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_role_changes_handover_id'), ['handover_id'], unique=False)

    op.create_table('handover_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('highlights', sa.Text(), nullable=False),
    sa.Column('activities', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('final_at', sa.DateTime(), nullable=True),
    sa.Column('final_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['final_by_id'], ['contacts.id'], name=op.f('fk_handover_summaries_final_by_id_contacts')),
    sa.ForeignKeyConstraint(['handover_id'], ['handovers.id'], name=op.f('fk_handover_summaries_handover_id_handovers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['contacts.id'], name=op.f('fk_handover_summaries_updated_by_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_summaries')),
    sa.UniqueConstraint('handover_id', name=op.f('uq_handover_summaries_handover_id'))
    )
    op.create_table('presidency_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('partner_code', sa.String(length=20), nullable=False),
    sa.Column('vision', sa.Text(), nullable=False),
    sa.Column('priorities', sa.JSON(), nullable=False),
    sa.Column('activities', sa.JSON(), nullable=False),
    sa.Column('next_som_date', sa.Date(), nullable=True),
    sa.Column('next_som_place', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('revision_comment', sa.Text(), nullable=True),
    sa.Column('silent_procedure_id', sa.Integer(), nullable=True),
    sa.Column('endorsed_by', sa.String(length=30), nullable=True),
    sa.Column('endorsed_at', sa.DateTime(), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['handover_id'], ['handovers.id'], name=op.f('fk_presidency_programmes_handover_id_handovers')),
    sa.ForeignKeyConstraint(['partner_code'], ['partners.code'], name=op.f('fk_presidency_programmes_partner_code_partners')),
    sa.ForeignKeyConstraint(['silent_procedure_id'], ['silent_procedures.id'], name=op.f('fk_presidency_programmes_silent_procedure_id_silent_procedures')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['contacts.id'], name=op.f('fk_presidency_programmes_submitted_by_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presidency_programmes')),
    sa.UniqueConstraint('handover_id', name=op.f('uq_presidency_programmes_handover_id'))
    )
    with op.batch_alter_table('presidencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('title_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('title_fr', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('set_by_handover_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('silent_procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presidency_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_silent_procedures_presidency_id_presidencies'), 'presidencies', ['presidency_id'], ['id'])



def downgrade():
    with op.batch_alter_table('silent_procedures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_silent_procedures_presidency_id_presidencies'), type_='foreignkey')
        batch_op.drop_column('presidency_id')

    with op.batch_alter_table('presidencies', schema=None) as batch_op:
        batch_op.drop_column('set_by_handover_id')
        batch_op.drop_column('title_fr')
        batch_op.drop_column('title_en')
        batch_op.drop_column('term_end')

    op.drop_table('presidency_programmes')
    op.drop_table('handover_summaries')
    with op.batch_alter_table('handover_role_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_role_changes_handover_id'))

    op.drop_table('handover_role_changes')
    with op.batch_alter_table('handover_checklist_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_checklist_items_handover_id'))

    op.drop_table('handover_checklist_items')
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handovers_status'))
        batch_op.drop_index(batch_op.f('ix_handovers_som_at'))
        batch_op.drop_index(batch_op.f('ix_handovers_case_id'))

    op.drop_table('handovers')
