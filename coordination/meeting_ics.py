"""A meeting as an iCalendar (RFC 5545) invitation, written by hand (the ``icalendar`` package is not installed):
text values escaped (backslash, semicolon, comma, newline), lines folded at 75 octets, CRLF line ends.

Times are written in UTC (``...Z``), converted from the site's time zone, so no VTIMEZONE block is needed; a
meeting without a start time is an all-day event (``VALUE=DATE``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def ics_escape(text: str) -> str:
    """A TEXT value as RFC 5545 §3.3.11 writes it."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (never inside a UTF-8 character), continuation lines starting with a space."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # a continuation line's leading space counts
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(day: dt.date, time: dt.time, zone: str) -> str:
    local = dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone))
    return local.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(*, uid: str, title: str, day: dt.date, start: dt.time | None, end: dt.time | None, place: str,
                url: str, description: str, zone: str, stamp: dt.datetime, sequence: int = 0) -> str:
    """The invitation's text (CRLF line ends)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ministry of Local Government//Tansiq//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT", f"UID:{uid}",
             f"DTSTAMP:{stamp.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}", f"SEQUENCE:{sequence}"]
    if start is None:
        lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}"]
    else:
        finish = end or (dt.datetime.combine(day, start) + dt.timedelta(hours=1)).time()
        lines += [f"DTSTART:{_utc(day, start, zone)}", f"DTEND:{_utc(day, finish, zone)}"]
    lines.append(f"SUMMARY:{ics_escape(title)}")
    if place:
        lines.append(f"LOCATION:{ics_escape(place)}")
    if url:
        lines.append("URL:" + "".join(ch for ch in url if ch not in "\r\n"))
    if description:
        lines.append(f"DESCRIPTION:{ics_escape(description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(ics_fold(line) + "\r\n" for line in lines)
