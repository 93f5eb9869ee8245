"""`/api/health`: is the background work being done? For monitoring.

Open, without a token: a monitoring probe should not hold a person's token (which could act on
cases), and what it says is counts and instants only: no address, subject, error text, host or
process name (the Secretariat's /outbox page shows the failing e-mails themselves). It answers
503 when the scheduler's heartbeat is late or something has been due for too long, so a probe
needs no parsing to raise an alarm.
"""
from flask import make_response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from .. import health

blp = Blueprint("health", __name__, url_prefix="/api/health", description="The service's background work")


class SchedulerHealthSchema(Schema):
    alive = fields.Boolean()
    last_heartbeat_at = fields.DateTime(allow_none=True)
    last_round_at = fields.DateTime(allow_none=True)
    seconds_since_heartbeat = fields.Float(allow_none=True)


class TimersHealthSchema(Schema):
    due = fields.Integer(metadata={"description": "Timers due and not yet fired"})
    oldest_due_at = fields.DateTime(allow_none=True)


class OutboxHealthSchema(Schema):
    pending = fields.Integer()
    failing = fields.Integer(metadata={"description": "Pending after at least one failed attempt"})
    oldest_pending_at = fields.DateTime(allow_none=True)


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "`ok`, or `degraded` (answered with 503)"})
    checked_at = fields.DateTime()
    scheduler = fields.Nested(SchedulerHealthSchema)
    timers = fields.Nested(TimersHealthSchema)
    outbox = fields.Nested(OutboxHealthSchema)


@blp.route("")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The scheduler is late, or something is overdue.")
@blp.doc(security=[])
def get_health():
    """The scheduler's last heartbeat, the timers due and not yet fired, the outbox."""
    report = health.report()
    return make_response(HealthSchema().dump(report), 200 if report["status"] == "ok" else 503)
