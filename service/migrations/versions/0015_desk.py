"""The desk at scale: a labelling request's actions as rows (backfilled from its JSON list),
the scheduler's heartbeat, and the indexes the paginated lists read

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 22:26:55
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_heartbeats',
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('beat_at', sa.DateTime(), nullable=False),
    sa.Column('round_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('owner', name=op.f('pk_scheduler_heartbeats'))
    )
    with op.batch_alter_table('scheduler_heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduler_heartbeats_beat_at'), ['beat_at'], unique=False)

    op.create_table('labelling_request_actions',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_labelling_request_actions_action_id_actions')),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], name=op.f('fk_labelling_request_actions_objective_id_objectives')),
    sa.ForeignKeyConstraint(['request_id'], ['labelling_requests.id'], name=op.f('fk_labelling_request_actions_request_id_labelling_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'action_id', name=op.f('pk_labelling_request_actions'))
    )
    with op.batch_alter_table('labelling_request_actions', schema=None) as batch_op:
        batch_op.create_index('ix_labelling_request_actions_action_id', ['action_id', 'request_id'], unique=False)
        batch_op.create_index('ix_labelling_request_actions_objective_id', ['objective_id', 'request_id'], unique=False)
    _backfill_request_actions()

    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_case_tasks_created_at_id', ['created_at', 'id'], unique=False)

    with op.batch_alter_table('labelling_requests', schema=None) as batch_op:
        batch_op.create_index('ix_labelling_requests_partner_code_id', ['partner_code', 'id'], unique=False)
        batch_op.create_index('ix_labelling_requests_status_labelled_at', ['status', 'labelled_at', 'id'], unique=False)

    with op.batch_alter_table('silent_procedures', schema=None) as batch_op:
        batch_op.create_index('ix_silent_procedures_status_id', ['status', 'id'], unique=False)



def _backfill_request_actions():
    """Each request's `actions` (numbers of the current Action Plan) as rows, as the form writes them."""
    connection = op.get_bind()
    actions = {number: (action_id, objective_id) for number, action_id, objective_id in connection.execute(sa.text(
        "SELECT actions.number, actions.id, actions.objective_id FROM actions"
        " JOIN objectives ON objectives.id = actions.objective_id JOIN domains ON domains.id = objectives.domain_id"
        " JOIN action_plans ON action_plans.code = domains.action_plan_code WHERE action_plans.current"))}
    if not actions:
        return
    table = sa.table('labelling_request_actions', sa.column('request_id'), sa.column('action_id'),
                     sa.column('objective_id'))
    rows = []
    for request_id, numbers in connection.execute(sa.text("SELECT id, actions FROM labelling_requests")).all():
        if isinstance(numbers, str):
            numbers = json.loads(numbers)
        for number in sorted({n for n in numbers or [] if isinstance(n, int) and n in actions}):
            action_id, objective_id = actions[number]
            rows.append({"request_id": request_id, "action_id": action_id, "objective_id": objective_id})
        if len(rows) >= 5000:
            op.bulk_insert(table, rows)
            rows = []
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    with op.batch_alter_table('silent_procedures', schema=None) as batch_op:
        batch_op.drop_index('ix_silent_procedures_status_id')

    with op.batch_alter_table('labelling_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_labelling_requests_status_labelled_at')
        batch_op.drop_index('ix_labelling_requests_partner_code_id')

    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_case_tasks_created_at_id')

    with op.batch_alter_table('labelling_request_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_labelling_request_actions_objective_id')
        batch_op.drop_index('ix_labelling_request_actions_action_id')

    op.drop_table('labelling_request_actions')
    with op.batch_alter_table('scheduler_heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduler_heartbeats_beat_at'))

    op.drop_table('scheduler_heartbeats')
