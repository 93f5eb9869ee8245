"""Babel extractor for BPMN files: every named element's name, in the `bpmn` context.

Pages and e-mails show task, event and process names from the BPMN (written in English);
`pybabel extract` takes them into the catalogs through this function (see `babel.cfg`), each
with the ids of the elements that bear it, and the service shows them with
`pgettext("bpmn", name)`.
"""
from __future__ import annotations

from lxml import etree

# Names nobody reads (lanes name roles, which have their own words); gateways and sequence
# flows are read on the case page's diagram.
_SKIPPED = {"lane", "message", "collaboration"}


def extract(fileobj, keywords, comment_tags, options):
    """Yield (line, funcname, (context, message), comments) for Babel."""
    root = etree.parse(fileobj).getroot()
    found: dict[str, tuple[int, list[str]]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith("{http://www.omg.org/spec/BPMN/"):
            continue
        kind = etree.QName(element).localname
        name = (element.get("name") or "").strip()
        if not name or kind in _SKIPPED:
            continue
        line, ids = found.setdefault(name, (element.sourceline or 0, []))
        ids.append(element.get("id") or kind)
    for name, (line, ids) in found.items():
        yield line, "pgettext", ("bpmn", name), ["BPMN: " + ", ".join(ids)]
