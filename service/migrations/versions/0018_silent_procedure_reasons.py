"""Reasons for withdrawing a silent procedure and for extending its deadline

Revision ID: 0018
Revises: 0015
Create Date: 2026-11-23 22:40:00

The Secretariat says why it withdraws a procedure or extends its deadline; the reason is told
to everyone and kept in the record. Rows written before have none.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('silent_procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('silent_procedures', schema=None) as batch_op:
        batch_op.drop_column('withdrawal_reason')
