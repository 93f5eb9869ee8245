"""Labelling requests: a partner asks for its initiative to be labelled "Rabat Process project";
the Secretariat reviews, the Steering Committee decides by silent procedure, the register
shows it (`workflows/bpmn/labelling_request.bpmn`, forms in `forms/labelling.py`, e-mails in
`notifications/templates/labelling_notice.*`)."""
import forms.labelling as procedure_forms
from flask_babel import lazy_gettext as _l

from service import terms
from service.procedure import CoverageSource, Procedure

from . import api, models, notices, pages, register

PROCEDURE = Procedure(
    name="labelling",
    title=_l("labelling request"),
    processes=("labelling_request",),
    start_door="POST /api/labelling-requests/{id}/submit",
    forms=procedure_forms,
    models=models,
    api=api.blp,
    pages=pages.bp,
    operations={"labelling_update": notices.update_from_process},
    task_doors={
        "review": "POST /api/labelling-requests/{id}/review",
        "amend": "PATCH /api/labelling-requests/{id}, then POST /api/labelling-requests/{id}/submit",
        "after_silence": "POST /api/labelling-requests/{id}/after-silence",
        "report": "POST /api/labelling-requests/{id}/results",
    },
    roles=("partner", "secretariat", "presidency"),
    statuses=terms.LABELLING_STATUSES,
    coverage_sources=(CoverageSource(kind="labelled_initiative", title=_l("labelled initiatives"),
                                     rows=register.coverage_rows, path="/labelling/{id}"),),
    action_references=register.action_references,
)
