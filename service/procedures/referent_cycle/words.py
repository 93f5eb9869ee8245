"""The words for the referent cycle's codes (statuses, kinds, notices), in the reader's language.

Codes stay in the data and the API (`roadmap_due`, `revision_requested`); people read these.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from forms.referent_cycle import EXPECTATION_LABELS, USEFULNESS_LABELS  # noqa: F401 - the pages use them
from forms.roadmap import ACTIVITY_KIND_LABELS  # noqa: F401

CYCLE_STATUSES = {
    "roadmap_due": _l("roadmap awaited"),
    "roadmap_submitted": _l("roadmap submitted, under review"),
    "roadmap_revision": _l("roadmap sent back for revision"),
    "roadmap_accepted": _l("roadmap accepted, period under way"),
    "roadmap_missing": _l("no roadmap, period under way"),
    "report_due": _l("report awaited"),
    "report_submitted": _l("report submitted, under review"),
    "report_revision": _l("report sent back for revision"),
    "completed": _l("completed"),
    "report_missing": _l("closed without a report"),
}

DELIVERABLE_STATUSES = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "revision_requested": _l("sent back for revision"),
    "accepted": _l("accepted"),
    "missing": _l("missing"),
}

DECISIONS = {"accept": _l("accepted"), "revise": _l("revision asked")}

_DELIVERABLES = {"roadmap": _l("roadmap"), "report": _l("report")}


def deliverable_name(kind: str) -> str:
    """"roadmap" / "feuille de route", "report" / "feuille de bilan"."""
    return str(_DELIVERABLES.get(kind, kind))
