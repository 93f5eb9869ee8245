"""The list of silent procedures, latest launched first, read from an index

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-23 23:55:00

With 100,000 procedures the page's default order (launched_at DESC, id DESC) sorted the whole
table for every page.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_silent_procedures_launched_at_id', 'silent_procedures', ['launched_at', 'id'])


def downgrade():
    op.drop_index('ix_silent_procedures_launched_at_id', table_name='silent_procedures')
