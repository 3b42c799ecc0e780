"""A meeting report's content as ``meeting_report_content`` returns it (the meetings/reports contract), made up
for the bench and the tests: N agenda items and M linked projects, in Arabic or English, with hostile text
(markup, formula prefixes) where a real rapporteur could type it."""

from __future__ import annotations

import datetime as dt
from typing import Any

_T = {  # (Arabic, English)
    "title": ("اجتماع لجنة الدعم الدولي مع وكالات الأمم المتحدة", "International Support Committee with the UN agencies"),
    "series": ("اللجنة مع وكالات الأمم المتحدة في ليبيا", "The committee with the UN agencies in Libya"),
    "place": ("مقر وزارة الحكم المحلي، طرابلس", "Ministry of Local Government, Tripoli"),
    "chair": ("د. سالم المبروك", "Dr Salem Al-Mabrouk"),
    "rapporteur": ("فاطمة الزوي", "Fatima Al-Zawi"),
    "status": ("معتمد", "Finalised"),
    "present": ("حاضر", "Present"), "excused": ("معتذر", "Excused"),
    "item": ("مشروعات المياه في مرزق", "Water projects in Murzuq"),
    "notes": ("ناقشت اللجنة ازدواج مشروعي المياه في مرزق وتأخر تقارير الشركاء.",
              "The committee discussed the two overlapping water projects in Murzuq and late partner reports."),
    "decision1": ("يدمج برنامج الأمم المتحدة الإنمائي واليونيسف مشروعي المياه في مرزق",
                  "UNDP and UNICEF will merge their Murzuq water projects"),
    "decision": ("تتابع الوزارة تقارير الشركاء المتأخرة", "The ministry follows up the partners' late reports"),
    "effect": ("تأكيد بلاغ الازدواج رقم 12", "Duplicate flag #12 confirmed"),
    "action": ("إرسال خطة الدمج إلى اللجنة", "Send the merger plan to the committee"),
    "owner": ("برنامج الأمم المتحدة الإنمائي", "UNDP"),
    "open": ("مفتوح", "Open"), "done": ("منجز", "Done"),
    "murzuq": ("مرزق", "Murzuq"), "sabha": ("سبها", "Sabha"), "ubari": ("أوباري", "Ubari"),
    "project": ("مشروع آبار المياه", "Water wells project"),
}
HOSTILE_DECISION = ('<b>bold</b> & <script>alert(1)</script>', '=HYPERLINK("http://x","y")')


def _t(key: str, language: str) -> str:
    ar, en = _T[key]
    return ar if language.startswith("ar") else en


def sample_meeting_content(*, language: str = "ar", agenda_items: int = 4, projects: int = 6,
                           finalised: bool = True, hostile: bool = True) -> dict[str, Any]:
    """The contract's dict: ``agenda_items`` items, ``projects`` projects linked across them (and in the
    figures), three decisions (the first confirms a duplicate flag), four actions (one overdue)."""
    t = lambda key: _t(key, language)  # noqa: E731
    project_links = [{"kind": "project", "label": f"{t('project')} {i + 1}"} for i in range(projects)]
    agenda = []
    for n in range(1, agenda_items + 1):
        share = project_links[(n - 1) * projects // agenda_items: n * projects // agenda_items]
        agenda.append({"number": n, "title": f"{t('item')} ({n})", "notes": t("notes"),
                       "links": [{"kind": "municipality", "label": t("murzuq")}, *share]})
    decisions = [
        {"number": "1", "text": t("decision1"), "agenda_number": 1,
         "links": [{"kind": "duplicate", "label": "#12"}, {"kind": "municipality", "label": t("murzuq")}],
         "flag_effect": t("effect")},
        {"number": "2", "text": t("decision"), "agenda_number": min(2, agenda_items), "links": [], "flag_effect": ""},
    ]
    if hostile:
        decisions.append({"number": "3", "text": HOSTILE_DECISION[0], "agenda_number": None, "links": [],
                          "flag_effect": ""})
    actions = [
        {"number": "1.1", "text": t("action"), "owner": t("owner"), "owner_person": "Ahmed Ali",
         "due": dt.date(2026, 1, 15), "status": "open", "status_label": t("open"), "overdue": True},
        {"number": "1.2", "text": t("action"), "owner": t("owner"), "owner_person": "",
         "due": dt.date(2027, 3, 1), "status": "open", "status_label": t("open"), "overdue": False},
        {"number": "2.1", "text": HOSTILE_DECISION[1] if hostile else t("action"), "owner": t("owner"),
         "owner_person": "", "due": None, "status": "done", "status_label": t("done"), "overdue": False},
        {"number": "2.2", "text": t("action"), "owner": t("owner"), "owner_person": "", "due": dt.date(2027, 1, 1),
         "status": "open", "status_label": t("open"), "overdue": False},
    ]
    figures = [{"kind": "municipality", "label": t(k), "projects": 12 + i, "usd": 1250000.0 * (i + 1),
                "reached": i != 2, "gaps": i, "open_flags": 3 - i} for i, k in enumerate(("murzuq", "sabha", "ubari"))]
    figures += [{"kind": "project", "label": link["label"], "projects": 1, "usd": 250000.0 + 1000 * i,
                 "reached": None, "gaps": None, "open_flags": i % 3} for i, link in enumerate(project_links)]
    attendees = [{"name": t("chair"), "title": "", "organisation": "وزارة الحكم المحلي" if language == "ar"
                  else "Ministry of Local Government", "present": True, "presence_label": t("present")}]
    attendees += [{"name": f"Attendee {i}", "title": "Programme officer", "organisation": t("owner"),
                   "present": i % 4 != 0, "presence_label": t("present") if i % 4 else t("excused"),
                   "email": f"attendee{i}@example.org", "language": "en" if i % 2 else "ar"} for i in range(1, 9)]
    return {
        "language": language,
        "meeting": {"id": 7, "title": t("title"), "series": t("series"), "number": 14, "date": dt.date(2026, 11, 18),
                    "start_time": dt.time(10, 0), "end_time": dt.time(12, 30), "place": t("place"),
                    "online_link": "", "chair": t("chair"), "rapporteur": t("rapporteur"),
                    "status": "finalised" if finalised else "held", "status_label": t("status"),
                    "finalised_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC) if finalised else None},
        "as_of": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC) if finalised else None,
        "is_live": not finalised,
        "attendees": attendees, "agenda": agenda, "decisions": decisions, "actions": actions, "figures": figures,
        "municipality_pcodes": ["LY032204", "LY031901", "LY032003"],
    }
