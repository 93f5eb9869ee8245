"""Action links by purpose for any procedure; one response per link

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-23 20:00:00

The link names what it acts on generically (`subject_type`, `subject_id`) instead of a
foreign key to `silent_procedures`; existing links become `silent_procedure` links with the
same token. A response keeps the link it came through (unique), so a link records at most one.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=40), nullable=True))
        batch_op.alter_column('purpose', existing_type=sa.String(length=20), type_=sa.String(length=40))
    op.execute("UPDATE action_links SET subject_type = 'silent_procedure', subject_id = procedure_id")
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.alter_column('subject_type', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('partner_code', existing_type=sa.String(length=20), nullable=True)
        batch_op.drop_index('ix_action_links_procedure_id')
        batch_op.drop_constraint('fk_action_links_procedure_id_silent_procedures', type_='foreignkey')
        batch_op.drop_column('procedure_id')
        batch_op.create_index('ix_action_links_subject', ['subject_type', 'subject_id'], unique=False)
    with op.batch_alter_table('procedure_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dedup_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_procedure_responses_dedup_key'), ['dedup_key'])
        batch_op.create_foreign_key(batch_op.f('fk_procedure_responses_link_id_action_links'),
                                    'action_links', ['link_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_procedure_responses_link_id'), ['link_id'])


def downgrade():
    with op.batch_alter_table('procedure_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_procedure_responses_link_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_procedure_responses_dedup_key'), type_='unique')
        batch_op.drop_column('dedup_key')
        batch_op.drop_constraint(batch_op.f('fk_procedure_responses_link_id_action_links'), type_='foreignkey')
        batch_op.drop_column('link_id')
    op.execute("DELETE FROM action_links WHERE subject_type <> 'silent_procedure'")
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_id', sa.Integer(), nullable=True))
    op.execute("UPDATE action_links SET procedure_id = subject_id")
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.drop_index('ix_action_links_subject')
        batch_op.drop_column('subject_type')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('outcome')
        batch_op.alter_column('procedure_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_action_links_procedure_id_silent_procedures', 'silent_procedures',
                                    ['procedure_id'], ['id'])
        batch_op.create_index('ix_action_links_procedure_id', ['procedure_id'], unique=False)
