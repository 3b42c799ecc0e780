"""The hand-written RFC 5545 text: escaping, folding at 75 octets without cutting a UTF-8 character, all-day."""

import datetime as dt

from coordination.meeting_ics import ics_escape, ics_fold, meeting_ics


def test_text_values_are_escaped():
    assert ics_escape("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_arabic_lines_fold_between_characters():
    line = "SUMMARY:" + "اجتماع اللجنة " * 20
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1 and all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line  # unfolds to the same text, every character whole


def test_a_meeting_without_a_time_is_an_all_day_event():
    text = meeting_ics(uid="meeting-1@tansiq", title="Committee", day=dt.date(2026, 3, 1), start=None, end=None,
                       place="", url="https://meet.example/x\r\nX-EVIL:1", description="", zone="Africa/Tripoli",
                       stamp=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    assert "DTSTART;VALUE=DATE:20260301\r\n" in text and "DTEND;VALUE=DATE:20260302\r\n" in text
    assert "\r\nX-EVIL" not in text  # a line break in the link cannot start a property
