"""The training clock: an offset from real time, shared by every process

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 20:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offset_seconds', sa.Float(), nullable=False),
    sa.Column('moved_at', sa.DateTime(), nullable=True),
    sa.Column('moved_by', sa.String(length=320), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_clock'))
    )


def downgrade():
    op.drop_table('training_clock')
