"""Calendar invitations (.ics) for deadlines."""
from __future__ import annotations

from datetime import datetime


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def deadline_event(*, uid: str, sequence: int, summary: str, description: str, deadline: datetime,
                   stamp: datetime, cancelled: bool = False) -> str:
    """One VEVENT at the deadline (UTC); a later sequence updates the same event."""
    at = deadline.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Rabat Process//Workflows//EN",
        "METHOD:" + ("CANCEL" if cancelled else "PUBLISH"),
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART:{at}",
        f"DTEND:{at}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        "STATUS:" + ("CANCELLED" if cancelled else "CONFIRMED"),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def deadline_feed(*, name: str, events: list[dict], stamp: datetime) -> str:
    """A calendar of deadlines (a subscription feed): one VEVENT per event, each a dict with
    uid, summary, description, deadline (aware) and url."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rabat Process//Workflows//EN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(name)}"]
    for event in events:
        at = event["deadline"].strftime("%Y%m%dT%H%M%SZ")
        lines += ["BEGIN:VEVENT", f"UID:{event['uid']}", f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}",
                  f"DTSTART:{at}", f"DTEND:{at}", f"SUMMARY:{_escape(event['summary'])}",
                  f"DESCRIPTION:{_escape(event.get('description', ''))}"]
        if event.get("url"):
            lines.append(f"URL:{event['url']}")
        lines += ["STATUS:CONFIRMED", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
