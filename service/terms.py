"""The words for the service's codes: statuses, response kinds, link purposes, BPMN names.

Codes stay in the data and the API (`silence_broken`, `objection`); people read these words,
in their language (lazy: each is translated when it is shown, in the reader's language).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

SILENT_PROCEDURE_STATUSES = {
    "open": _l("open"),
    "adopted": _l("adopted ad referendum"),
    "silence_broken": _l("silence broken"),
    "withdrawn": _l("withdrawn"),
}

LABELLING_STATUSES = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "changes_requested": _l("changes requested"),
    "in_silent_procedure": _l("in silent procedure"),
    "silence_broken": _l("silence broken: decision needed"),
    "labelled": _l("labelled"),
    "not_labelled": _l("not labelled"),
    "declined": _l("declined"),
    "lapsed": _l("lapsed"),
}

RESPONSE_KINDS = {
    "objection": _l("objection"),
    "amendment": _l("amendment request"),
    "comment": _l("comment or explanation of position"),
    "acknowledgement": _l("no objection"),
}

#: What each e-mail link of a silent procedure does.
LINK_PURPOSES = {
    "object": _l("Object (breaks silence)"),
    "amend": _l("Request an amendment (breaks silence)"),
    "comment": _l("Comment or explain your position (does not break silence)"),
    "acknowledge": _l("No objection (acknowledge)"),
}

#: Why a response was recorded without counting.
NOT_COUNTED_REASONS = {
    "after_deadline": _l("received after the deadline"),
    "closed": _l("received after the procedure ended"),
}

#: Delivery states of an outgoing e-mail.
MAIL_STATUSES = {
    "pending": _l("waiting to be sent"),
    "sent": _l("sent"),
}


#: The roles a contact may have.
ROLE_NAMES = {
    "secretariat": _l("Secretariat"),
    "partner": _l("partner focal point"),
    "committee-member": _l("Steering Committee member"),
    "presidency": _l("Presidency"),
    "referent": _l("referent country"),
}


def _word(table: dict):
    def word(code):
        if code is None:
            return ""
        return str(table.get(code, code))

    return word


def bpmn_name(name: str | None) -> str:
    """A BPMN element's name (task, event, process) in the reader's language."""
    return pgettext("bpmn", name) if name else ""


FILTERS = {
    "procedure_status": _word(SILENT_PROCEDURE_STATUSES),
    "request_status": _word(LABELLING_STATUSES),
    "response_kind": _word(RESPONSE_KINDS),
    "link_purpose": _word(LINK_PURPOSES),
    "not_counted": _word(NOT_COUNTED_REASONS),
    "mail_status": _word(MAIL_STATUSES),
    "bpmn_name": bpmn_name,
    "role": _word(ROLE_NAMES),
}
