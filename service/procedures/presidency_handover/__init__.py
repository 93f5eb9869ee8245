"""Presidency handover: the Presidency of the Dialogue passes at a Senior Officials' Meeting.
The outgoing Presidency's results summary, the incoming Presidency's programme (endorsed by
the Steering Committee), the Secretariat's checklist, and at the SOM the roles, the timeline
and every notice move to the incoming Presidency (`workflows/bpmn/presidency_handover.bpmn`,
forms in `forms/presidency_handover.py` and `forms/presidency_programme.py`, e-mails in
`notifications/templates/handover_notice.*` and `presidency_passed.*`)."""
import forms.presidency_handover as procedure_forms
from flask_babel import lazy_gettext as _l

from service.procedure import Procedure

from . import api, models, pages, steps, use_cases

PROCEDURE = Procedure(
    name="presidency_handover",
    title=_l("presidency handover"),
    processes=("presidency_handover",),
    start_door="POST /api/handovers",
    forms=procedure_forms,
    models=models,
    api=api.blp,
    pages=pages.bp,
    operations={"handover_update": steps.update_from_process},
    task_doors={
        "finalise_summary": "PATCH /api/handovers/{id}/summary, then POST /api/handovers/{id}/summary/final",
        "name_incoming": "PATCH /api/handovers/{id}",
        "submit_programme": "PUT /api/handovers/{id}/programme, then POST /api/handovers/{id}/programme/submit",
        "endorse_programme": "POST /api/handovers/{id}/programme/endorsement",
    },
    statuses=pages.STATUSES,
    roles=("secretariat", "presidency", "partner"),
    setup=use_cases.schedule_current_term,
)
