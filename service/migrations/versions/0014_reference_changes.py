"""Reference data edited in the service: its change history; recipients by committee

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 23:00:00

Every edit of the reference data by the Secretariat is recorded (who, when, before, after);
`setup` reads it to leave edited items alone. A silent procedure's recipient keeps the
committees it was addressed under.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reference_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['contacts.id'], name=op.f('fk_reference_changes_by_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_changes'))
    )
    with op.batch_alter_table('reference_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reference_changes_at'), ['at'], unique=False)
        batch_op.create_index('ix_reference_changes_kind_key', ['kind', 'key'], unique=False)

    with op.batch_alter_table('procedure_recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committees', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('procedure_recipients', schema=None) as batch_op:
        batch_op.drop_column('committees')

    with op.batch_alter_table('reference_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_reference_changes_kind_key')
        batch_op.drop_index(batch_op.f('ix_reference_changes_at'))

    op.drop_table('reference_changes')
