"""Export projects as an IATI 2.03 activities file (validates against the 2.03 schema).

Decisions (issue 6):
- The ministry publishes others' activities: ``reporting-org`` is the ministry with
  ``secondary-reporter="1"`` (``"0"`` only for a project the ministry itself keeps). Its identifier
  comes from the setting ``IATI_REPORTING_ORG_REF`` (default ``LY-MOLG``, to be replaced by the
  identifier the ministry registers with IATI).
- The partner who keeps the record travels in an extension element ``tansiq:reporting-partner``
  (namespace ``urn:tansiq:iati-extension:1``, allowed by the schema at the end of an activity), so
  that a re-import gives each project back its reporting partner.
- Geography: the GeographicVocabulary codelist (A1 GAUL, A2 UN SALB, A3 GADM, A4 ISO country, G1
  GeoNames, G2 OpenStreetMap) has no vocabulary for OCHA p-codes, and labelling a p-code with any of
  them would claim a code that is not theirs. The municipality p-code is therefore given as
  ``location/@ref`` (the publisher's own reference for the location), with the Arabic and English
  names, ``location-class`` 1 (administrative region), and the municipality's point with
  ``exactness`` 2 (approximate). The country is ``recipient-country LY``. A project's sites (a school,
  a substation) follow as locations of their own: name, exact point, ``location-class`` 3 (structure).
- Sectors (issue 15): each line with the DAC code it was received with (``ProjectSector.dac_code``;
  vocabulary 1, or 2 for a 3-digit category); a line entered here goes out with its national sector's
  first DAC 5-digit code; a sector with no DAC code in vocabulary 99 with the national sector code.
  Sectors an import received on the transactions go back on them (and not on the activity) as long as
  they still give the project's split (``sectors_go_on_transactions``).
- Budgets (issue 15): one original budget (type 1) per calendar year the project runs (IATI: a period of
  at most a year), the total split by days, the parts adding up to it exactly; the revised budget
  (``Project.budget_revised``) likewise as type 2 budgets over the same years.
- Organisation identifiers (issue 15) go out with their registration agency's prefix (41AAA is
  ``XM-DAC-41AAA``, see ``formats.iati_orgs``); one with no known agency is not claimed as ``@ref`` but
  kept as ``tansiq:ref``.
- What IATI has no element for (issue 15): municipality shares as ``location/@tansiq:share``, and
  beneficiaries, spend, progress, reporting frequency and the programme in ``tansiq:project``, so that
  export -> import -> export gives the same file. Everything is sorted by what is written, not by row ids.
- Streaming (issue 17): ``iati_write`` writes one activity at a time (lxml's incremental writer) from
  plain records read in chunks (``iati_rows``: no model instances, a fixed number of queries per chunk);
  ``iati_export`` is the in-memory wrapper.
- Alignment (issue 13): each confirmed plan objective (``Project.plan_objectives``, which follow the
  confirmed links) is a ``tag`` in the publisher's own vocabulary 99 with ``vocabulary-uri`` the
  plan's URI (left out when the plan has none) and the objective code, its title in Arabic and English
  as narratives; the SDG goals and targets of those objectives and of the project's own SDG tags
  follow as ``tag`` vocabulary 2 (goals) and 3 (targets).
- Results (issue 15): the beneficiaries targeted and reached go out as a result (output) with one
  indicator counting people: baseline 0 in the start year, one period over the project's dates, the
  targeted as its target and the reached as its actual (see ``_results``).
- A project without a description gets its title as the description (the schema needs one).
- A project without a start date or without any participating partner cannot make a valid
  activity (the schema needs both) and is left out; the caller gets the list.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import IO

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from common.bilingual import bilingual_text
from municipalities.models import DacSector
from projects.exchange.formats.iati_orgs import org_identifier
from projects.exchange.formats.iati_sectors import sector_shares_from_transactions
from projects.exchange.formats.iati_xml import EXTENSION_NS, XML_LANG
from projects.exchange.selectors.iati_rows import iati_project_records
from projects.models import Partner, Project, ReviewState

MINISTRY_NAME_EN = "Ministry of Local Government (Libya)"
MINISTRY_NAME_AR = "وزارة الحكم المحلي"
DATE_FIELDS = (("planned_start", "1"), ("actual_start", "2"), ("planned_end", "3"), ("actual_end", "4"))
SRS = "http://www.opengis.net/def/crs/EPSG/0/4326"
CHUNK_SIZE = 500
CENT = Decimal("0.01")
# The beneficiaries' result and indicator (the importer knows an indicator counting people by its title).
RESULT_TITLE_EN, RESULT_TITLE_AR = "People benefiting from the project", "المستفيدون من المشروع"
INDICATOR_TITLE_EN, INDICATOR_TITLE_AR = "Number of people benefiting (beneficiaries)", "عدد الأشخاص المستفيدين"
SDG_TAG_VOCABULARY = {0: "2", 1: "3"}  # TagVocabulary: 2 SDG goals ("6"), 3 SDG targets ("6.1")


def ministry_ref() -> str:
    return settings.IATI_REPORTING_ORG_REF


@dataclass
class ExportStats:
    """What a written export holds: how many activities, and which projects were left out and why."""
    exported: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (project, reason)


@dataclass
class ExportResult(ExportStats):
    xml: bytes = b""


def export_queryset(*, partner_ref: str | None = None, all_states: bool = False) -> QuerySet[Project]:
    """The projects to publish: accepted ones (or all), of one partner (reporting or participating) if asked."""
    qs = Project.objects.all()
    if not all_states:
        qs = qs.filter(state=ReviewState.ACCEPTED)
    if partner_ref:
        qs = qs.filter(Q(reporting_partner__iati_ref=partner_ref) | Q(participations__partner__iati_ref=partner_ref))
    return qs.distinct().order_by("pk")


def project_iati_identifier(project: Project) -> str:
    if project.iati_identifier:
        return project.iati_identifier
    prefix = org_identifier(project.reporting_partner.iati_ref) or ministry_ref()
    return f"{prefix}-TANSIQ-{project.pk}"


def iati_write(projects: Iterable[Project], out: IO[bytes] | str, *, now: dt.datetime | None = None,
               chunk_size: int = CHUNK_SIZE, progress: Callable[[int], None] | None = None) -> ExportStats:
    """Write the IATI 2.03 XML of these projects to ``out`` (a binary file or a path), one activity at a time.

    Memory stays bounded whatever the number of projects: the projects (a queryset, or model instances)
    are read as plain rows in chunks of ``chunk_size``, with their parts read per chunk
    (``iati_rows.iati_project_records``), and each activity is serialised and dropped before the next.
    ``progress(done)`` is told how many projects are read so far."""
    now = now or timezone.now()
    stamp = now.replace(microsecond=0).isoformat()
    dac_by_sector: dict[int, str] = {}
    for code, sector_id in DacSector.objects.order_by("code").values_list("code", "sector_id"):
        dac_by_sector.setdefault(sector_id, code)
    stats = ExportStats()
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("iati-activities", {"version": "2.03", "generated-datetime": stamp},
                        nsmap={"tansiq": EXTENSION_NS}):
            xf.write("\n")
            for done, project in enumerate(iati_project_records(projects, chunk_size=chunk_size), start=1):
                if progress is not None:
                    progress(done)
                reason = _why_left_out(project)
                if reason:
                    stats.left_out.append((bilingual_text(project.title_ar, project.title_en), reason))
                    continue
                xf.write(_activity(project, stamp, dac_by_sector), pretty_print=True)
                stats.exported += 1
    return stats


def iati_export(projects: Iterable[Project], *, now: dt.datetime | None = None) -> ExportResult:
    """The IATI 2.03 XML of these projects, in memory (for small exports and tests; large ones use ``iati_write``)."""
    buffer = io.BytesIO()
    stats = iati_write(projects, buffer, now=now)
    return ExportResult(exported=stats.exported, left_out=stats.left_out, xml=buffer.getvalue())


def _why_left_out(project: Project) -> str:
    if not (project.planned_start or project.actual_start):
        return _("no start date (IATI needs one)")
    if not project.participations:
        return _("no participating partner (IATI needs one)")
    return ""


_ATTRIBUTE_NAMES: dict[str, str] = {}  # keyword → XML attribute name (iso_date → iso-date)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    names = _ATTRIBUTE_NAMES
    elem = etree.SubElement(parent, tag, {names.get(k) or names.setdefault(k, k.replace("_", "-")): v
                                          for k, v in attrib.items() if v is not None and v != ""})
    if text is not None:
        elem.text = text
    return elem


def _narratives(parent: etree._Element, english: str, arabic: str) -> None:
    if english:
        _sub(parent, "narrative", english)
    if arabic:
        _sub(parent, "narrative", arabic).set(XML_LANG, "ar")
    if not (english or arabic):
        _sub(parent, "narrative", "-")


def _org(parent: etree._Element, tag: str, partner: Partner, **attrib: str) -> etree._Element:
    elem = _sub(parent, tag, **attrib)
    _fill_org(elem, partner)
    return elem


def _activity(project: Project, stamp: str, dac_by_sector: dict[int, str]) -> etree._Element:
    # The extension namespace is declared on each activity too: written one by one, each is a tree of its own.
    activity = etree.Element("iati-activity", {
        "last-updated-datetime": project.updated_at.replace(microsecond=0).isoformat() if project.updated_at else stamp,
        XML_LANG: "en", "default-currency": project.currency,
    }, nsmap={"tansiq": EXTENSION_NS})
    if project.humanitarian is not None:
        activity.set("humanitarian", "1" if project.humanitarian else "0")
    _sub(activity, "iati-identifier", project_iati_identifier(project))
    is_ministry = project.reporting_partner.iati_ref == ministry_ref()
    reporting = _sub(activity, "reporting-org", ref=ministry_ref(), type="10",
                     secondary_reporter="0" if is_ministry else "1")
    _narratives(reporting, MINISTRY_NAME_EN, MINISTRY_NAME_AR)
    _narratives(_sub(activity, "title"), project.title_en, project.title_ar)
    # The schema needs a description; lacking one, the title stands in (the importer drops a description
    # that only repeats the title, so the round trip keeps the description empty).
    description = _sub(activity, "description", type="1")
    if project.description_en or project.description_ar:
        _narratives(description, project.description_en, project.description_ar)
    else:
        _narratives(description, project.title_en, project.title_ar)
    # sorted by what is written (not by row ids), so that the same portfolio in another database is the same file
    for part in sorted(project.participations, key=lambda p: (p.role, p.partner.iati_ref or "", p.partner.name_en,
                                                                     p.activity_id)):
        _org(activity, "participating-org", part.partner, role=str(part.role), activity_id=part.activity_id)
    if project.partner_code:
        owner = _sub(activity, "other-identifier", ref=project.partner_code, type="A1")
        _org(owner, "owner-org", project.reporting_partner).attrib.pop("type")
    _sub(activity, "activity-status", code=str(project.status))
    for name, code in DATE_FIELDS:
        if getattr(project, name):
            _sub(activity, "activity-date", iso_date=getattr(project, name).isoformat(), type=code)
    _sub(activity, "recipient-country", code="LY", percentage="100")
    for location in sorted(project.locations, key=lambda loc: loc.municipality.pcode or loc.municipality.slug):
        _location(activity, location.municipality, location.share)
    for site in sorted(project.sites, key=lambda s: (s.point.y, s.point.x, s.pk)):
        _site(activity, site)
    # Each line as received: its own DAC code (5 digits, vocabulary 1; a 3-digit category, vocabulary 2);
    # a line entered here has none and goes out with its national sector's first DAC code.
    lines = [(_sector_line(share, dac_by_sector), share.percentage) for share in
             sorted(project.sector_shares, key=lambda s: (s.sector.code, s.dac_code, s.pk))]
    transactions = sorted(project.transactions, key=lambda t: (t.date, t.type, t.value, t.currency, t.pk))
    on_transactions = sectors_go_on_transactions(lines, transactions)
    if not on_transactions:
        for (vocabulary, code), percentage in lines:
            _sub(activity, "sector", vocabulary=vocabulary, code=code, percentage=_number(percentage))
    _tags(activity, project)
    _classifications(activity, project)
    start, end = project.planned_start or project.actual_start, project.planned_end or project.actual_end
    for kind, total in (("1", project.budget), ("2", project.budget_revised)):  # original, then revised
        if total is None or not start:
            continue
        for period_start, period_end, value in budget_periods(start, end or start, total):
            budget = _sub(activity, "budget", type=kind, status="1")
            _sub(budget, "period-start", iso_date=period_start.isoformat())
            _sub(budget, "period-end", iso_date=period_end.isoformat())
            _sub(budget, "value", _number(value), currency=project.currency, value_date=period_start.isoformat())
    for tx in transactions:
        _transaction(activity, tx, with_sectors=on_transactions)
    for rel in sorted(project.related_activities, key=lambda r: (r.relation, r.iati_identifier)):
        _sub(activity, "related-activity", ref=rel.iati_identifier, type=str(rel.relation))
    _results(activity, project, start, end)
    _org(activity, f"{{{EXTENSION_NS}}}reporting-partner", project.reporting_partner)
    _extension(activity, project)
    return activity


def _extension(activity: etree._Element, project: Project) -> None:
    """What Tansiq holds and IATI has no element for (beneficiaries, spend and progress, the reporting
    frequency, the programme), in our namespace, so that an import of this file loses none of it."""
    ext = f"{{{EXTENSION_NS}}}"
    elem = etree.SubElement(activity, f"{ext}project")
    for attribute, value in (("beneficiaries-targeted", project.beneficiaries_targeted),
                             ("beneficiaries-reached", project.beneficiaries_reached),
                             ("spend-to-date", project.spend_to_date), ("progress-percent", project.progress_percent),
                             ("reporting-frequency", project.reporting_frequency)):
        if value is not None:
            elem.set(attribute, _number(value) if isinstance(value, Decimal) else str(value))
    programme = project.programme
    if programme is not None:
        prog = _sub(elem, f"{ext}programme", code=programme.code,
                    start_date=programme.start_date.isoformat() if programme.start_date else None,
                    end_date=programme.end_date.isoformat() if programme.end_date else None)
        _org(prog, f"{ext}lead-partner", programme.partner)
        _narratives(_sub(prog, f"{ext}title"), programme.title_en, programme.title_ar)
        if programme.description:
            _sub(prog, f"{ext}description", programme.description)


def _results(activity: etree._Element, project: Project, start: dt.date | None, end: dt.date | None) -> None:
    """The beneficiaries as IATI results: an output whose one indicator counts people (measure 1, units,
    ascending), its baseline 0 in the start year (no one is a beneficiary of the project before it starts),
    and one period over the project's dates with the target (targeted) and the actual (reached). The
    importer reads such an indicator back as the beneficiaries."""
    targeted, reached = project.beneficiaries_targeted, project.beneficiaries_reached
    if (targeted is None and reached is None) or start is None:
        return
    result = _sub(activity, "result", type="1")
    _narratives(_sub(result, "title"), RESULT_TITLE_EN, RESULT_TITLE_AR)
    indicator = _sub(result, "indicator", measure="1", ascending="1")
    _narratives(_sub(indicator, "title"), INDICATOR_TITLE_EN, INDICATOR_TITLE_AR)
    _sub(indicator, "baseline", year=str(start.year), iso_date=start.isoformat(), value="0")
    period = _sub(indicator, "period")
    _sub(period, "period-start", iso_date=start.isoformat())
    _sub(period, "period-end", iso_date=max(end or start, start).isoformat())
    if targeted is not None:
        _sub(period, "target", value=str(targeted))
    if reached is not None:
        _sub(period, "actual", value=str(reached))


def budget_periods(start: dt.date, end: dt.date, total: Decimal) -> list[tuple[dt.date, dt.date, Decimal]]:
    """The budget split by calendar year (IATI: a budget period is at most a year), in proportion to the
    days of each year the project runs; cents are rounded down and the remainder goes to the last year,
    so the parts add up to the total exactly (and an import, which sums them, gets the total back)."""
    end = max(end, start)
    periods = []
    for year in range(start.year, end.year + 1):
        periods.append((max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))))
    days = (end - start).days + 1
    out, given = [], Decimal(0)
    for n, (period_start, period_end) in enumerate(periods):
        if n == len(periods) - 1:
            value = total - given
        else:
            value = (total * ((period_end - period_start).days + 1) / days).quantize(CENT, rounding=ROUND_DOWN)
        given += value
        out.append((period_start, period_end, value))
    return out


def _classifications(activity: etree._Element, project: Project) -> None:
    """Policy markers and the default classifications, as the import kept them (schema order)."""
    for vocabulary, code, significance in project.policy_markers or ():
        _sub(activity, "policy-marker", vocabulary=vocabulary, code=code, significance=significance)
    for tag, name in (("collaboration-type", "collaboration_type"), ("default-flow-type", "flow_type"),
                      ("default-finance-type", "finance_type"), ("default-aid-type", "aid_type"),
                      ("default-tied-status", "tied_status")):
        if getattr(project, name):
            _sub(activity, tag, code=getattr(project, name))


def _tags(activity: etree._Element, project: Project) -> None:
    """The project's confirmed plan objectives (own vocabulary 99, the plan's URI), then the SDG goals
    (vocabulary 2) and targets (vocabulary 3) of those objectives and of the project's own SDG tags."""
    objectives = sorted(project.plan_objectives, key=lambda o: (o.plan_id, o.code))
    for objective in objectives:
        tag = _sub(activity, "tag", vocabulary="99", vocabulary_uri=objective.plan.uri, code=objective.code)
        for lang, text in (("ar", objective.title_ar), ("en", objective.title_en)):
            if text:
                _sub(tag, "narrative", text).set(XML_LANG, lang)
    sdgs: dict[str, str] = {}
    for code in [c for o in objectives for c in o.sdg_targets or ()] + list(project.sdg_tags or ()):
        code = str(code).strip().lower()
        vocabulary = SDG_TAG_VOCABULARY.get(code.count("."))  # indicators (6.1.1) have no tag vocabulary
        if vocabulary and code and code.split(".")[0].isdigit():
            sdgs.setdefault(code, vocabulary)
    for code, vocabulary in sorted(sdgs.items(), key=lambda item: (item[1], _sdg_order(item[0]))):
        _sub(activity, "tag", vocabulary=vocabulary, code=code)


def _sdg_order(code: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split("."))


def _location(activity: etree._Element, municipality, share: Decimal | None = None) -> None:
    location = _sub(activity, "location", ref=municipality.pcode or municipality.slug)
    if share is not None:  # the municipality's share of the project: IATI has no attribute for it
        location.set(f"{{{EXTENSION_NS}}}share", _number(share))
    _narratives(_sub(location, "name"), municipality.name_en, municipality.name_ar)
    if municipality.point is not None:
        point = _sub(location, "point", srsName=SRS)
        _sub(point, "pos", f"{municipality.point.y:.6f} {municipality.point.x:.6f}")
        _sub(location, "exactness", code="2")
    _sub(location, "location-class", code="1")


def _site(activity: etree._Element, site) -> None:
    """A site is a place, not an area: its own point (exactness 1, exact) and location class 3 (structure),
    which the importer reads back as a site rather than as a municipality."""
    location = _sub(activity, "location")
    if site.name_en or site.name_ar:  # no "-" placeholder: it would come back as the site's name
        _narratives(_sub(location, "name"), site.name_en, site.name_ar)
    point = _sub(location, "point", srsName=SRS)
    _sub(point, "pos", f"{site.point.y:.6f} {site.point.x:.6f}")
    _sub(location, "exactness", code="1")
    _sub(location, "location-class", code="3")


def _sector_line(share, dac_by_sector: dict[int, str]) -> tuple[str, str]:
    """(vocabulary, code) of a sector line: the DAC code it was received with (5 digits, vocabulary 1; a
    3-digit category, vocabulary 2), else its national sector's first DAC code, else (vocabulary 99) the
    national sector's own code."""
    dac = share.dac_code or dac_by_sector.get(share.sector_id)
    if not dac:
        return "99", share.sector.code
    return ("2" if len(dac) == 3 else "1"), dac


def sectors_go_on_transactions(lines: list[tuple[tuple[str, str], Decimal]], transactions: list) -> bool:
    """IATI: sectors on the activity or on every transaction, never both. They go on the transactions when
    every transaction has its own (an import of a file that gave them there) and those still give the
    project's lines (nobody changed the split since); otherwise on the activity, the transactions' own
    then left out."""
    if not transactions or not all(tx.sectors for tx in transactions):
        return False
    derived = sector_shares_from_transactions(
        (tx.value, [(code, vocabulary) for vocabulary, code in tx.sectors]) for tx in transactions)
    return sorted((vocabulary, code, pct) for code, vocabulary, pct in derived) == sorted(
        (vocabulary, code, pct) for (vocabulary, code), pct in lines)


def _transaction(activity: etree._Element, tx, *, with_sectors: bool = False) -> None:
    elem = _sub(activity, "transaction")
    _sub(elem, "transaction-type", code=str(tx.type))
    _sub(elem, "transaction-date", iso_date=tx.date.isoformat())
    _sub(elem, "value", _number(tx.value), currency=tx.currency, value_date=tx.date.isoformat())
    if tx.provider_org or tx.provider_activity_id:
        provider = _sub(elem, "provider-org", provider_activity_id=tx.provider_activity_id)
        _fill_org(provider, tx.provider_org)
    if tx.receiver_org or tx.receiver_activity_id:
        receiver = _sub(elem, "receiver-org", receiver_activity_id=tx.receiver_activity_id)
        _fill_org(receiver, tx.receiver_org)
    if with_sectors:  # schema order: after the receiver, before the other classifications
        for vocabulary, code in tx.sectors:
            _sub(elem, "sector", vocabulary=vocabulary, code=code)


def _fill_org(elem: etree._Element, partner: Partner | None) -> None:
    """The partner's identifier as IATI writes it (its registration agency's prefix first). An identifier
    with no known agency is not an IATI identifier: it travels as ``tansiq:ref``, so it is neither lost
    nor claimed as one."""
    if partner is None:
        return
    ref = org_identifier(partner.iati_ref)
    if ref:
        elem.set("ref", ref)
    elif partner.iati_ref:
        elem.set(f"{{{EXTENSION_NS}}}ref", partner.iati_ref)
    elem.set("type", str(partner.org_type))
    _narratives(elem, partner.name_en, partner.name_ar)


def _number(value) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
