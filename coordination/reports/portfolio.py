"""The portfolio reports: a municipality's (its file: profile, needs, projects by sector and partner, gaps,
flags, and the committee's decisions and open actions when the meetings module gives them) and a partner's
(its projects, municipalities, money, reporting record, flags). Built from the dicts of
``coordination.selectors.places`` (``municipality_file`` / ``partner_file``), which decide what the reader
may see; call inside ``translation.override(language)`` as those dicts' names are chosen by the language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.formatting import EMPTY, money_format, percent_format, period_format
from coordination.reports.common import day, joined, new_document, num, places_map, usd
from coordination.reports.document import Document, Heading, KeyFigures, Paragraph, Table

PROJECT_ROWS = 100  # projects listed in a report; the totals count them all
FLAG_ROWS = 25  # flags of each kind listed (the highest scores first); the captions give the counts


def _money_groups(groups: Sequence[dict[str, Any]], name_title: str, language: str) -> Table:
    return Table(columns=[name_title, pgettext("report", "Projects"), pgettext("report", "In implementation"), pgettext("report", "Budget (USD)")],
                 rows=[(g["name"], num(g["projects"], language), num(g["active"], language), usd(g["usd"], language))
                       for g in groups], numeric=frozenset({1, 2, 3}), empty_text=pgettext("report", "None."))


def _project_rows(projects: Sequence[dict[str, Any]], language: str, *, local: bool) -> Table:
    rows = []
    if local:  # the biggest in the municipality first; the partner's come latest first from its selector
        projects = sorted(projects, key=lambda p: -(p.get("local_usd") or 0))
    for p in projects[:PROJECT_ROWS]:
        budget = money_format(p.get("budget"), p.get("currency") or "", 0, language)
        row = [p["title"], p.get("partner") or p.get("reporting_partner") or "",
               joined((s["name"] for s in p.get("sectors", ())), language) if local
               else joined(p.get("roles", ()), language),
               p.get("status_label") or "", period_format(p.get("start"), p.get("end"), language), budget,
               usd(p.get("local_usd") if local else p.get("budget_usd"), language) if p.get("counted", True)
               else pgettext("report", "counted under the original record")]
        rows.append(row)
    third = pgettext("report", "Sectors") if local else pgettext("report", "Roles")
    money = pgettext("report", "USD in the municipality") if local else pgettext("report", "Budget (USD)")
    return Table(columns=[pgettext("report", "Project"), pgettext("report", "Partner"), third, pgettext("report", "Status"), pgettext("report", "Period"), pgettext("report", "Budget"), money],
                 rows=rows, numeric=frozenset({5, 6}), empty_text=pgettext("report", "No projects."))


def _source_and_year(source: str | None, year: int | None) -> str:
    """"OCHA HNO 2021", not "OCHA HNO 2021 2021": the year is added only where the source does not name it."""
    source = (source or "").strip()
    if year and str(year) not in source:
        return f"{source} {year}".strip()
    return source or EMPTY


def _listed_note(shown: int, total: int) -> Paragraph | None:
    if total <= shown:
        return None
    return Paragraph(_("The first %(shown)s of %(total)s projects are listed; the totals count them all.") % {
        "shown": num(shown, None), "total": num(total, None)}, style="muted")


def _flags(doc: Document, data: dict[str, Any], language: str) -> None:
    doc.add(Heading(pgettext("report", "Possible duplicates")))
    doc.add(Table(columns=[pgettext("report", "Kind"), pgettext("report", "Projects"), pgettext("report", "Score"), pgettext("report", "Status")], rows=[
        (f["kind_label"], " / ".join(f"{p['title']} ({p['partner']})" for p in f["projects"]),
         percent_format(f["score"], 0, language), f["status_label"]) for f in data.get("duplicate_flags", ())[:FLAG_ROWS]],
        numeric=frozenset({2}), empty_text=pgettext("report", "No open duplicate flags."),
        caption=_("%(count)s current flags") % {"count": num(data.get("duplicate_count"), language)}))
    doc.add(Heading(pgettext("report", "Delays")))
    doc.add(Table(columns=[pgettext("report", "Project"), pgettext("report", "Partner"), pgettext("report", "Rule"), pgettext("report", "Severity"), pgettext("report", "Status")], rows=[
        (f["project"], f["partner"], f["rule_label"], f["severity_label"], f["status_label"])
        for f in data.get("delay_flags", ())[:FLAG_ROWS]], empty_text=pgettext("report", "No open delay flags."),
        caption=_("%(count)s current flags") % {"count": num(data.get("delay_count"), language)}))


def _municipality_gaps(doc: Document, gaps: dict[str, Any], language: str) -> None:
    doc.add(Heading(pgettext("report", "Coverage and gaps")))
    if gaps.get("unreached"):
        doc.add(Paragraph(_("No active programme reaches this municipality where its needs are severe."),
                          style="notice"))
    doc.add(Table(columns=[pgettext("report", "Sector"), pgettext("report", "Active projects"), pgettext("report", "Partners"), pgettext("report", "Budget (USD)"), pgettext("report", "Severity"),
                           pgettext("report", "People in need"), pgettext("report", "Gap score"), pgettext("report", "Unreached")], rows=[
        (c["sector"], num(c["active_projects"], language), num(c["partners"], language), usd(c["budget_usd"], language),
         num(c["severity"], language), num(c["people_in_need"], language), num(c["gap_score"], language, 2),
         pgettext("report", "yes") if c["unreached"] else pgettext("report", "no")) for c in gaps.get("coverage", ())],
        numeric=frozenset({1, 2, 3, 4, 5, 6}), empty_text=pgettext("report", "No coverage figures.")))
    for flag in gaps.get("flags", ()):
        label = flag["sector"] or pgettext("report", "The whole municipality")
        doc.add(Paragraph(f"{label}: " + joined(flag["reasons"], language, strong=True) + (
            f" ({flag['status_label']})" if flag.get("status_label") else "")))


def _meetings(doc: Document, meetings: Any, language: str) -> None:
    """The committee's decisions and open actions about the place, when the meetings module gives them
    (``{"decisions": [...], "actions": [...]}`` with the meeting report's keys, plus ``meeting``)."""
    if not isinstance(meetings, dict):
        return
    doc.add(Heading(pgettext("report", "Committee decisions and open actions")))
    for d in meetings.get("decisions") or ():
        where = f" ({d['meeting']})" if d.get("meeting") else ""
        doc.add(Paragraph(_("Decision %(number)s: %(text)s") % {"number": d.get("number") or "",
                                                                "text": d.get("text") or ""} + where))
    actions = list(meetings.get("actions") or ())
    if actions:
        doc.add(Table(columns=[pgettext("report", "No."), pgettext("report", "Action"), pgettext("report", "Owner"), pgettext("report", "Due"), pgettext("report", "Status")], rows=[
            (a.get("number") or "", a.get("text") or "", a.get("owner") or EMPTY, day(a.get("due"), language),
             a.get("status_label") or "") for a in actions],
            marked=frozenset(i for i, a in enumerate(actions) if a.get("overdue"))))


def municipality_report_document(data: dict[str, Any], *, language: str, outlines: Sequence[dict[str, Any]] = (),
                                 context_points: Sequence[tuple[float, float]] = (),
                                 generated_at: dt.datetime | None = None) -> Document:
    p, t = data["profile"], data["totals"]
    doc = new_document(language, _("Municipality file: %(name)s") % {"name": p["name"]},
                       f"{p['district']} · {p['region']} · {p['pcode']}", generated_at=generated_at)
    doc.add(KeyFigures([(pgettext("report", "Population"), num(p["population"], language)),
                        (pgettext("report", "Internally displaced people"), num(p["displaced"], language)),
                        (pgettext("report", "Returnees"), num(p["returnees"], language)),
                        (pgettext("report", "Projects here"), num(t["projects"], language)),
                        (pgettext("report", "In implementation"), num(t["active"], language)),
                        (pgettext("report", "Budgets falling in the municipality"), usd(t["usd"], language))]))
    area = (pgettext("report", "No area recorded") if not p["has_area"] else pgettext("report", "Official boundary") if p["area_is_official"]
            else pgettext("report", "Approximate area (derived, not official)"))
    doc.add(Heading(pgettext("report", "Profile")), Table(columns=[pgettext("report", "Profile"), ""], rows=[
        (pgettext("report", "Region"), f"{p['region']} ({p['region_pcode']})"), (pgettext("report", "District"), f"{p['district']} ({p['district_pcode']})"),
        (pgettext("report", "P-code"), p["pcode"] or EMPTY), (pgettext("report", "Area"), area),
        (pgettext("report", "Population source"), _source_and_year(p["population_source"], p["population_year"])),
        (pgettext("report", "Displacement source"), p["displacement_source"] or EMPTY)]))
    for currency, amount in (t.get("unconverted") or {}).items():
        doc.add(Paragraph(_("and %(amount)s without an exchange rate") % {
            "amount": money_format(amount, currency, 0, language)}, style="muted"))
    doc.add(Heading(pgettext("report", "Map of its area and sites")), places_map(
        [{"name": p["name"], "geometry": data["map"]["area"], "point": data["map"]["point"]}], language=language,
        outlines=outlines, context_points=context_points,
        caption="" if p["area_is_official"] else pgettext("report", "Approximate area (derived, not official)")))
    doc.add(Heading(pgettext("report", "Needs")), Table(columns=[pgettext("report", "Sector"), pgettext("report", "Severity"), pgettext("report", "People in need"), pgettext("report", "Source"),
                                                pgettext("report", "Assessed")], rows=[
        (n["sector"], num(n["severity"], language), num(n["people_in_need"], language), n["source"] or EMPTY,
         day(n["assessed_on"], language)) for n in data["needs"]], numeric=frozenset({1, 2}),
        empty_text=pgettext("report", "No needs assessment recorded.")))
    doc.add(Heading(pgettext("report", "Projects by sector")), _money_groups(data["by_sector"], pgettext("report", "Sector"), language))
    doc.add(Heading(pgettext("report", "Projects by partner")), _money_groups(data["by_partner"], pgettext("report", "Partner"), language))
    doc.add(Heading(pgettext("report", "Projects")), _project_rows(data["projects"], language, local=True))
    if note := _listed_note(min(len(data["projects"]), PROJECT_ROWS), len(data["projects"])):
        doc.add(note)
    _municipality_gaps(doc, data["gaps"], language)
    _flags(doc, data, language)
    _meetings(doc, data.get("meetings"), language)
    return doc


def partner_report_document(data: dict[str, Any], *, language: str,
                            generated_at: dt.datetime | None = None) -> Document:
    partner, t = data["partner"], data["totals"]
    doc = new_document(language, _("Partner portfolio: %(name)s") % {"name": str(partner)},
                       partner.iati_ref or "", generated_at=generated_at)
    doc.add(KeyFigures([(pgettext("report", "Projects"), num(t["projects"], language)),
                        (pgettext("report", "In implementation"), num(t["active"], language)),
                        (pgettext("report", "Budgets (USD, counted once)"), usd(t["usd"], language)),
                        (pgettext("report", "Municipalities"), num(len(data["municipalities"]), language))]))
    doc.add(Heading(pgettext("report", "Roles")), Table(columns=[pgettext("report", "Role"), pgettext("report", "Projects"), pgettext("report", "In implementation"), pgettext("report", "Budget (USD)")],
                                       rows=[(r["label"], num(r["projects"], language), num(r["active"], language),
                                              usd(r["usd"], language)) for r in data["roles"]],
                                       numeric=frozenset({1, 2, 3}), empty_text=pgettext("report", "None.")))
    doc.add(Heading(pgettext("report", "Municipalities")), _money_groups(data["municipalities"], pgettext("report", "Municipality"), language))
    doc.add(Heading(pgettext("report", "Sectors")), _money_groups(data["sectors"], pgettext("report", "Sector"), language))
    doc.add(Heading(pgettext("report", "Projects")), _project_rows(data["projects"], language, local=False))
    if data.get("more_projects"):
        doc.add(_listed_note(len(data["projects"]), t["projects"]) or Paragraph(""))
    card = data.get("scorecard")
    doc.add(Heading(pgettext("report", "Reporting record")))
    if card:
        reports = card["reports"]
        doc.add(Table(columns=[pgettext("report", "Reporting record"), ""], rows=[
            (pgettext("report", "Reports due"), num(reports["due"], language)), (pgettext("report", "On time"), num(reports["on_time"], language)),
            (pgettext("report", "Late"), num(reports["late"], language)), (pgettext("report", "Missing"), num(reports["missing"], language)),
            (pgettext("report", "On-time rate"), percent_format(reports["on_time_rate"], 0, language)),
            (pgettext("report", "Project records complete"), percent_format(card["project_completeness"], 0, language)),
            (pgettext("report", "Returned submissions"), num(card["returned"]["total"], language))]))
    else:
        doc.add(Paragraph(_("The reporting record is not shown to you."), style="muted"))
    _flags(doc, data, language)
    _meetings(doc, data.get("meetings"), language)
    return doc
