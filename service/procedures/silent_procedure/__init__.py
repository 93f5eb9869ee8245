"""The silent procedure: the Steering Committee approves a text unless a member objects
before the deadline (`workflows/bpmn/silent_procedure.bpmn`, forms in
`forms/silent_procedure.py`, e-mails in `notifications/templates/silent_procedure_*`)."""
import forms.silent_procedure as procedure_forms
from flask_babel import lazy_gettext as _l

from service import terms
from service.procedure import LinkPurpose, Procedure

from . import api, models, notices, pages, responses

LINK_PURPOSES = {
    purpose: LinkPurpose(subject="silent_procedure", form=form, page=pages.link_page, act=responses.respond,
                         done=pages.done_page)
    for purpose, (_kind, form, _field, _breaks) in procedure_forms.PURPOSES.items()
}

PROCEDURE = Procedure(
    name="silent_procedure",
    title=_l("silent procedure"),
    processes=("silent_procedure",),
    start_door="POST /api/silent-procedures",
    forms=procedure_forms,
    models=models,
    api=api.blp,
    pages=pages.bp,
    operations={"silent_procedure_notice": notices.notice},
    link_purposes=LINK_PURPOSES,
    roles=("secretariat", "presidency", "committee-member"),
    statuses=terms.SILENT_PROCEDURE_STATUSES,
)
