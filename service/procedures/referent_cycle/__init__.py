"""Referent-country cycles: for one domain of the Action Plan and one period, the referent
countries deliver a roadmap upstream and a report downstream; the Secretariat reviews them, the
Steering Committee comments on the roadmap; thematic meetings held are recorded and evaluated
(`workflows/bpmn/referent_cycle.bpmn`, forms in `forms/referent_cycle.py`, `forms/roadmap.py`
and `forms/referent_report.py`, e-mails in `notifications/templates/referent_*` and
`thematic_meeting_evaluation.*`)."""
import forms.referent_cycle as procedure_forms
from flask_babel import lazy_gettext as _l

from service.procedure import CoverageSource, LinkPurpose, Procedure

from . import api, comments, coverage, meetings, models, notices, pages, words

PROCEDURE = Procedure(
    name="referent_cycle",
    title=_l("referent cycle"),
    processes=("referent_cycle",),
    start_door="POST /api/referent-cycles",
    forms=procedure_forms,
    models=models,
    api=api.blp,
    pages=pages.bp,
    operations={"referent_cycle_update": notices.update_from_process},
    link_purposes={
        notices.COMMENT_PURPOSE: LinkPurpose(subject="referent_cycle", form="referent_roadmap_comment",
                                             page=pages.comment_page, act=comments.comment_from_link,
                                             done=pages.comment_done),
        meetings.EVALUATION_PURPOSE: LinkPurpose(subject="thematic_meeting", form="thematic_meeting_evaluation",
                                                 page=pages.evaluation_page, act=meetings.answer,
                                                 done=pages.evaluation_done),
    },
    task_doors={
        "roadmap": "PUT /api/referent-cycles/{id}/roadmap, then POST /api/referent-cycles/{id}/roadmap/submit",
        "review_roadmap": "POST /api/referent-cycles/{id}/roadmap/review",
        "report": "PUT /api/referent-cycles/{id}/report, then POST /api/referent-cycles/{id}/report/submit",
        "review_report": "POST /api/referent-cycles/{id}/report/review",
    },
    roles=("secretariat", "presidency", "referent", "partner", "committee-member"),
    statuses=words.CYCLE_STATUSES,
    coverage_sources=(
        CoverageSource(kind="referent_activity", title=_l("referent cycles (accepted roadmaps and reports)"),
                       rows=coverage.activity_rows, path="/referent-cycles/{id}"),
        CoverageSource(kind="thematic_meeting", title=_l("thematic meetings"),
                       rows=coverage.meeting_rows, path="/thematic-meetings/{id}"),
    ),
)
