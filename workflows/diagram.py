"""A process diagram drawn as SVG on the server, from the BPMN file's own layout (BPMN DI).

No JavaScript and nothing fetched: the SVG is inline in the page, drawn with presentation
attributes only (a strict Content-Security-Policy forbids inline style sheets). Elements are
marked by their state in a case: `finished`, `current` (waiting for someone or something now)
or `waiting` (ahead); the colours are explained by the page's legend, and each element also
carries its state in words (`<title>`), so the marking does not rest on colour alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from xml.sax.saxutils import escape

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

#: state -> (fill, stroke, stroke width)
COLOURS = {
    "finished": ("#e4efe4", "#2f6b2f", 1.5),
    "current": ("#fff3c4", "#b35c00", 3),
    "waiting": ("#ffffff", "#6b6b6b", 1),
    None: ("#ffffff", "#6b6b6b", 1),
}
ACTIVITIES = {"task", "userTask", "serviceTask", "scriptTask", "manualTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # the BPMN tag's local name
    name: str
    marker: str | None  # timer, message, ... for events


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _elements(root) -> dict[str, Element]:
    found = {}
    for node in root.iter():
        kind = _local(node.tag)
        identifier = node.get("id")
        if not identifier or etree.QName(node.tag).namespace != BPMN:
            continue
        marker = None
        if kind in EVENTS:
            for child in node:
                child_kind = _local(child.tag)
                if child_kind.endswith("EventDefinition"):
                    marker = child_kind[: -len("EventDefinition")]
        found[identifier] = Element(identifier, kind, node.get("name") or "", marker)
    return found


def _wrap(text: str, width: int) -> list[str]:
    """Words on lines of about `width` characters (at most 4 lines)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines[:4]


def _text(lines: list[str], x: float, y: float, size: int = 11) -> str:
    """Lines centred on (x, y)."""
    if not lines:
        return ""
    top = y - (len(lines) - 1) * (size + 1) / 2
    spans = "".join(f'<tspan x="{x:.1f}" y="{top + i * (size + 1):.1f}">{escape(t)}</tspan>'
                    for i, t in enumerate(lines))
    return (f'<text font-family="sans-serif" font-size="{size}" text-anchor="middle" '
            f'dominant-baseline="middle" fill="#1a1a1a">{spans}</text>')


def render_svg(xml: str | bytes, states: dict[str, str] | None = None,
               label: Callable[[str], str] = lambda name: name,
               state_words: dict[str, str] | None = None, title: str = "") -> str:
    """The diagram of a BPMN file as an SVG document fragment.

    `states` maps element ids to `finished`, `current` or `waiting`; `label` translates element
    names; `state_words` says each state in the reader's language (for the elements' titles).
    """
    states = states or {}
    state_words = state_words or {}
    root = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    elements = _elements(root)
    shapes, edges = [], []
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        bounds = shape.find(f"{{{DC}}}Bounds")
        if bounds is None:
            continue
        box = tuple(float(bounds.get(k)) for k in ("x", "y", "width", "height"))
        shapes.append((shape.get("bpmnElement"), box))
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iter(f"{{{DI}}}waypoint")]
        if len(points) >= 2:
            edges.append((edge.get("bpmnElement"), points))
    if not shapes:
        return ""
    xs = [b[0] for _, b in shapes] + [x for _, pts in edges for x, _ in pts]
    ys = [b[1] for _, b in shapes] + [y for _, pts in edges for _, y in pts]
    x2 = max([b[0] + b[2] for _, b in shapes] + xs)
    y2 = max([b[1] + b[3] for _, b in shapes] + ys)
    left, top = min(xs) - 20, min(ys) - 20
    width, height = x2 - left + 20, y2 - top + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
           f'viewBox="{left:.0f} {top:.0f} {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
           f'preserveAspectRatio="xMinYMin meet">',
           f"<title>{escape(title)}</title>" if title else "",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>']
    # Pools and lanes first (behind), then flows, then the flow nodes.
    for element_id, (x, y, w, h) in shapes:
        element = elements.get(element_id)
        if element is None or element.kind not in ("participant", "lane"):
            continue
        out.append(f'<g><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#9a9a9a"/>')
        name = label(element.name)
        out.append(f'<text font-family="sans-serif" font-size="12" fill="#333" text-anchor="middle" '
                   f'transform="translate({x + 15:.1f},{y + h / 2:.1f}) rotate(-90)">{escape(name)}</text></g>')
    for element_id, points in edges:
        path = " ".join(f"{'M' if i == 0 else 'L'} {px:.1f} {py:.1f}" for i, (px, py) in enumerate(points))
        out.append(f'<path d="{path}" fill="none" stroke="#444" stroke-width="1.2" marker-end="url(#arrow)"/>')
        element = elements.get(element_id)
        if element is not None and element.name:
            (ax, ay), (bx, by) = points[0], points[1]
            out.append(_text(_wrap(label(element.name), 18), (ax + bx) / 2 + 4, (ay + by) / 2 - 10, 10))
    for element_id, (x, y, w, h) in shapes:
        element = elements.get(element_id)
        if element is None or element.kind in ("participant", "lane"):
            continue
        state = states.get(element_id)
        fill, stroke, stroke_width = COLOURS.get(state, COLOURS[None])
        name = label(element.name)
        tooltip = escape(name + (f" — {state_words.get(state, state)}" if state else ""))
        out.append(f'<g data-element="{escape(element_id)}" data-state="{state or ""}"><title>{tooltip}</title>')
        cx, cy = x + w / 2, y + h / 2
        if element.kind == "subProcess" and w > 200:
            # An expanded sub-process: a frame around its own elements, its name at the top.
            out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" fill="none" stroke="{stroke}" '
                       f'stroke-width="{stroke_width}"/>')
            out.append(f'<text font-family="sans-serif" font-size="12" font-weight="bold" fill="#1a1a1a" '
                       f'x="{x + 10:.1f}" y="{y + 18:.1f}">{escape(name)}</text>')
        elif element.kind in ACTIVITIES:
            out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" '
                       f'stroke-width="{stroke_width}"/>')
            if element.kind in ("callActivity",):
                out.append(f'<rect x="{x + 3}" y="{y + 3}" width="{w - 6}" height="{h - 6}" rx="6" fill="none" '
                           f'stroke="{stroke}"/>')
            out.append(_text(_wrap(name, max(10, int(w / 6.5))), cx, cy))
        elif element.kind in EVENTS:
            r = min(w, h) / 2
            thick = 3 if element.kind == "endEvent" else stroke_width
            out.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}" stroke="{stroke}" stroke-width="{thick}"/>')
            if element.kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
                out.append(f'<circle cx="{cx}" cy="{cy}" r="{r - 3}" fill="none" stroke="{stroke}"/>')
            if element.marker == "timer":
                out.append(f'<circle cx="{cx}" cy="{cy}" r="{r - 7}" fill="none" stroke="#444"/>'
                           f'<path d="M {cx} {cy} L {cx} {cy - r + 9} M {cx} {cy} L {cx + r / 3} {cy}" stroke="#444"/>')
            elif element.marker == "message":
                out.append(f'<rect x="{cx - r / 2}" y="{cy - r / 3}" width="{r}" height="{2 * r / 3}" fill="none" '
                           f'stroke="#444"/><path d="M {cx - r / 2} {cy - r / 3} L {cx} {cy} L {cx + r / 2} {cy - r / 3}" '
                           f'fill="none" stroke="#444"/>')
            if name and element.kind != "boundaryEvent":
                out.append(_text(_wrap(name, 18), cx, y + h + 14, 10))
        elif element.kind in GATEWAYS:
            out.append(f'<path d="M {cx} {y} L {x + w} {cy} L {cx} {y + h} L {x} {cy} z" fill="{fill}" '
                       f'stroke="{stroke}" stroke-width="{stroke_width}"/>')
            if element.kind == "parallelGateway":
                out.append(f'<path d="M {cx} {y + 10} L {cx} {y + h - 10} M {x + 10} {cy} L {x + w - 10} {cy}" '
                           f'stroke="#444" stroke-width="3"/>')
            elif element.kind == "eventBasedGateway":
                out.append(f'<circle cx="{cx}" cy="{cy}" r="{w / 4}" fill="none" stroke="#444"/>')
            if name:
                out.append(_text(_wrap(name, 18), cx, y - 12, 10))
        else:
            out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="{stroke}"/>')
            out.append(_text(_wrap(name, 16), cx, cy, 10))
        out.append("</g>")
    out.append("</svg>")
    return "".join(part for part in out if part)


def element_states(workflow, finished: set[str] = frozenset()) -> dict[str, str]:
    """The state of each BPMN element in a case's workflow: `current` (ready, waiting or
    started), `finished` (completed, or in `finished`: elements the case's audit trail says
    were done, for history the engine no longer keeps), `waiting` (predicted, ahead)."""
    from SpiffWorkflow.util.task import TaskState

    states: dict[str, str] = {element: "finished" for element in finished}
    rank = {"waiting": 0, "finished": 1, "current": 2}
    for task in workflow.get_tasks():
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue
        if task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            state = "current"
        elif task.state == TaskState.COMPLETED:
            state = "finished"
        elif task.state & TaskState.PREDICTED_MASK or task.state == TaskState.FUTURE:
            state = "waiting"
        else:
            continue
        if rank[state] > rank.get(states.get(element), -1):
            states[element] = state
    return states
