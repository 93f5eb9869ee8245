"""The desk: one line per open matter of a case, kept by its procedure

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('desk_lines',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('procedure', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('deadline_timezone', sa.String(length=64), nullable=True),
    sa.Column('waiting_on', sa.String(length=40), nullable=True),
    sa.Column('partner_code', sa.String(length=20), nullable=True),
    sa.Column('domain_number', sa.Integer(), nullable=True),
    sa.Column('addressed', sa.Integer(), nullable=True),
    sa.Column('not_answered', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_desk_lines_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'procedure', name=op.f('pk_desk_lines'))
    )
    with op.batch_alter_table('desk_lines', schema=None) as batch_op:
        batch_op.create_index('ix_desk_lines_open_deadline', ['open', 'deadline_at', 'case_id'], unique=False)
        batch_op.create_index('ix_desk_lines_procedure', ['procedure', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_lines_partner_code'), ['partner_code'], unique=False)


def downgrade():
    op.drop_table('desk_lines')
