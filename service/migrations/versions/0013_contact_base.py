"""The contact base kept in the service

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 22:40:00

Contacts gain their function and when they were last invited; API tokens gain a label and
when they were last used; every change to a contact is kept in `contact_changes`.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('function', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
    op.create_table('contact_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['contacts.id'], name=op.f('fk_contact_changes_actor_id_contacts')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_changes_contact_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_changes'))
    )
    with op.batch_alter_table('contact_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_changes_contact_id'), ['contact_id'], unique=False)
    # The contact list is searched by name and sorted by e-mail (unique: already indexed).
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_name', ['name'], unique=False)


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_name')
    with op.batch_alter_table('contact_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_changes_contact_id'))
    op.drop_table('contact_changes')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('label')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('invited_at')
        batch_op.drop_column('function')
