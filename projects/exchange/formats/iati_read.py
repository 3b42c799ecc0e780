"""IATI ``iati-activity`` element → plain ``ActivityData`` (no database)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - types only; the tree comes from defusedxml
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from projects.codelists import sdg_code_normalised
from projects.exchange.formats.iati_sectors import SDG_SECTOR_VOCABULARIES, sector_shares_from_transactions
from projects.exchange.formats.iati_xml import (
    EXTENSION_NS,
    XML_LANG,
    arabic_and_english,
    decimal_of,
    iso_date,
    narratives,
    text_of,
)
from projects.exchange.selectors.matching import OrgRef

# IATI 1.x words for the codes of 2.x.
ROLE_WORDS = {"funding": 1, "accountable": 2, "extending": 3, "implementing": 4}
DATE_TYPES = {"1": "planned_start", "2": "actual_start", "3": "planned_end", "4": "actual_end",
              "start-planned": "planned_start", "start-actual": "actual_start", "end-planned": "planned_end",
              "end-actual": "actual_end", "start": "planned_start", "completion": "planned_end"}
RELATION_WORDS = {"parent": 1, "child": 2, "sibling": 3, "co-funded": 4, "third-party": 5, "third party": 5}
TRANSACTION_WORDS = {"IF": 1, "C": 2, "D": 3, "E": 4, "incoming funds": 1, "contribution": 1, "commitment": 2,
                     "disbursement": 3, "expenditure": 4, "incoming commitment": 11}
KNOWN_TRANSACTION_TYPES = {1, 2, 3, 4, 11}
TRANSACTION_READ = frozenset({"transaction-type", "transaction-date", "value", "provider-org", "receiver-org",
                              "provider-activity", "receiver-activity", "sector"})
# SDGs in IATI: TagVocabulary 2 (goals) and 3 (targets); SectorVocabulary 7 (goals), 8 (targets), 9 (indicators).
SDG_TAG_VOCABULARIES = {"2", "3"}
# Default classifications of an activity and the Project field each is kept in.
CLASSIFICATIONS = {"default-aid-type": "aid_type", "default-finance-type": "finance_type",
                   "default-flow-type": "flow_type", "default-tied-status": "tied_status",
                   "collaboration-type": "collaboration_type"}
# Elements the reader maps (others are listed in the import report as not kept).
READ_ELEMENTS = frozenset({
    "iati-identifier", "reporting-org", "title", "description", "participating-org", "other-identifier",
    "activity-status", "activity-date", "recipient-country", "recipient-region", "location", "sector", "tag",
    "policy-marker", "budget", "budget-planned", "total-cost", "transaction", "related-activity", "result",
    *CLASSIFICATIONS,
})
# An indicator counting people (its title says so, in English or Arabic) gives the beneficiaries figures.
PEOPLE_INDICATOR = re.compile(r"\b(people|persons?|individuals|beneficiar\w*|households?)\b|أشخاص|مستفيد|أفراد|الأسر",
                              re.IGNORECASE)


@dataclass
class LocationData:
    pcodes: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    point: tuple[float, float] | None = None  # (lat, lon)
    label: str = ""
    location_class: str = ""  # IATI LocationClass: 1 administrative region, 2 populated place, 3 structure, 4 other
    name_ar: str = ""
    name_en: str = ""
    share: Decimal | None = None  # our extension: the municipality's share of the project

    @property
    def is_site(self) -> bool:
        """A place the work happens at (a school, a substation), not an administrative area: it has a point
        and is not given as an administrative region (which is how municipalities are exported)."""
        return self.point is not None and self.location_class != "1"


@dataclass
class TransactionData:
    type: int
    date: dt.date
    value: Decimal
    currency: str
    provider: OrgRef | None
    provider_activity_id: str
    receiver: OrgRef | None
    receiver_activity_id: str
    sectors: list[tuple[str, str]] = field(default_factory=list)  # (code, vocabulary)


@dataclass
class ProgrammeData:
    lead: OrgRef | None
    code: str
    title_ar: str
    title_en: str
    description: str
    start_date: dt.date | None
    end_date: dt.date | None


@dataclass
class ActivityData:
    identifier: str
    reporting_org: OrgRef | None = None
    secondary_reporter: bool = False
    reporting_partner: OrgRef | None = None  # our extension: who keeps the record, when secondary-reported
    partner_code: str = ""
    title_ar: str = ""
    title_en: str = ""
    description_ar: str = ""
    description_en: str = ""
    status: int | None = None
    dates: dict[str, dt.date] = field(default_factory=dict)
    participations: list[tuple[OrgRef, int, str]] = field(default_factory=list)
    sectors: list[tuple[str, str, Decimal | None]] = field(default_factory=list)  # code, vocabulary, percentage
    locations: list[LocationData] = field(default_factory=list)
    budget: Decimal | None = None
    budget_revised: Decimal | None = None  # the revised budgets (type 2), in the budget's currency
    currency: str = ""
    transactions: list[TransactionData] = field(default_factory=list)
    related: list[tuple[int, str]] = field(default_factory=list)
    sdg_tags: list[str] = field(default_factory=list)  # SDG goals, targets, indicators: "6", "6.1", "6.1.1"
    objectives: list[tuple[str, str]] = field(default_factory=list)  # (plan URI, objective code): tags of vocabulary 99
    countries: list[tuple[str, Decimal | None]] = field(default_factory=list)  # recipient-country code, percentage
    classifications: dict[str, object] = field(default_factory=dict)  # Project fields: aid_type, policy_markers...
    extension: dict[str, object] = field(default_factory=dict)  # our tansiq:project: Project fields
    programme: ProgrammeData | None = None  # our tansiq:programme
    from_tansiq: bool = False  # the activity carries our tansiq:project (a Tansiq export)
    last_updated: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)


def _org(elem: ET.Element | None, lang: str) -> OrgRef | None:
    if elem is None:
        return None
    arabic, english = arabic_and_english(narratives(elem, lang))
    org_type = elem.get("type")
    # tansiq:ref: an identifier our export could not write as @ref (no registration agency known for it)
    ref = (elem.get("ref") or elem.get(f"{{{EXTENSION_NS}}}ref") or "").strip()
    org = OrgRef(ref=ref, name_en=english, name_ar=arabic,
                 org_type=int(org_type) if (org_type or "").isdigit() else None)
    return org if (org.ref or org.name_en or org.name_ar) else None


def activity_read(elem: ET.Element) -> ActivityData:
    """Everything the importer maps, and the problems met on the way (in ``problems``)."""
    lang = (elem.get(XML_LANG) or "en").lower()
    activity = ActivityData(identifier=text_of(elem.find("iati-identifier")))
    default_currency = (elem.get("default-currency") or "").upper()
    problems = activity.problems

    reporting = elem.find("reporting-org")
    activity.reporting_org = _org(reporting, lang)
    activity.secondary_reporter = reporting is not None and reporting.get("secondary-reporter") in ("1", "true")
    activity.reporting_partner = _org(elem.find(f"{{{EXTENSION_NS}}}reporting-partner"), lang)
    if activity.reporting_org is None:
        owner = elem.find("other-identifier/owner-org")
        activity.reporting_org = _org(owner, lang)
        legacy = elem.find("other-identifier[@owner-name]")
        if activity.reporting_org is None and legacy is not None:
            activity.reporting_org = OrgRef(ref=legacy.get("owner-ref") or "", name_en=legacy.get("owner-name") or "")

    for other in elem.findall("other-identifier"):
        if other.get("type") == "A1" and (other.get("ref") or "").strip():
            activity.partner_code = other.get("ref").strip()[:100]
            break

    for tag, ar_field, en_field in (("title", "title_ar", "title_en"),):
        arabic, english = arabic_and_english(narratives(elem.find(tag), lang))
        setattr(activity, ar_field, arabic)
        setattr(activity, en_field, english)
    general = [d for d in elem.findall("description") if d.get("type") in (None, "1")]
    texts = [pair for d in general for pair in narratives(d, lang)]
    activity.description_ar = "\n\n".join(t for lg, t in texts if lg.startswith("ar"))
    english = [t for lg, t in texts if lg.startswith("en")] or [t for lg, t in texts if not lg.startswith("ar")][:1]
    activity.description_en = "\n\n".join(english)
    # A description that only repeats the title says nothing (and is what our export writes when there is none).
    if activity.description_en == activity.title_en:
        activity.description_en = ""
    if activity.description_ar == activity.title_ar:
        activity.description_ar = ""

    status = elem.find("activity-status")
    if status is not None:
        code = status.get("code") or ""
        if code.isdigit() and 1 <= int(code) <= 6:
            activity.status = int(code)
        else:
            problems.append(_("activity status %(code)s is not an IATI status") % {"code": code or "?"})

    for date in elem.findall("activity-date"):
        name = DATE_TYPES.get((date.get("type") or "").strip())
        value = iso_date(date.get("iso-date"))
        if name and value:
            activity.dates[name] = value
        else:
            problems.append(_("activity date %(type)s %(date)s not read") % {
                "type": date.get("type") or "?", "date": date.get("iso-date") or "?"})

    for org in elem.findall("participating-org"):
        ref = _org(org, lang)
        role_text = (org.get("role") or "").strip()
        role = int(role_text) if role_text.isdigit() else ROLE_WORDS.get(role_text.lower())
        if ref is None:
            problems.append(_("a participating organisation without a name or identifier"))
        elif role not in (1, 2, 3, 4):
            problems.append(_("%(org)s: role %(role)s is not an IATI role") % {"org": ref.label, "role": role_text or "?"})
        else:
            activity.participations.append((ref, role, (org.get("activity-id") or "").strip()[:150]))

    for sector in elem.findall("sector"):
        code, vocabulary = (sector.get("code") or "").strip(), (sector.get("vocabulary") or "1").strip()
        if vocabulary in SDG_SECTOR_VOCABULARIES:
            _sdg_tag(activity, code, vocabulary)
        else:
            activity.sectors.append((code, vocabulary, decimal_of(sector.get("percentage"))))
    for tag in elem.findall("tag"):
        vocabulary, code = (tag.get("vocabulary") or "1").strip(), (tag.get("code") or "").strip()
        if vocabulary in SDG_TAG_VOCABULARIES:
            _sdg_tag(activity, code, vocabulary)
        elif vocabulary == "99" and code and (tag.get("vocabulary-uri") or "").strip():
            activity.objectives.append(((tag.get("vocabulary-uri") or "").strip(), code))

    for region in elem.findall("recipient-region"):
        problems.append(_("recipient region %(code)s (vocabulary %(vocabulary)s) names no municipality") % {
            "code": region.get("code") or "?", "vocabulary": region.get("vocabulary") or "1"})

    for location in elem.findall("location"):
        activity.locations.append(_location(location, lang))

    _budget(elem, activity, default_currency)
    _classifications(elem, activity)
    for country in elem.findall("recipient-country"):
        activity.countries.append(((country.get("code") or "").strip().upper(), decimal_of(country.get("percentage"))))
    _results(elem, activity, lang)
    _extension(elem.find(f"{{{EXTENSION_NS}}}project"), activity, lang)
    try:
        activity.last_updated = dt.datetime.fromisoformat((elem.get("last-updated-datetime") or "").strip())
    except ValueError:
        activity.last_updated = None
    _not_kept(elem, activity)

    for tx in elem.findall("transaction"):
        data = _transaction(tx, lang, default_currency, problems)
        if data is not None:
            activity.transactions.append(data)

    if not activity.sectors:
        _sectors_from_transactions(activity)

    for rel in elem.findall("related-activity"):
        kind = (rel.get("type") or "").strip()
        relation = int(kind) if kind.isdigit() else RELATION_WORDS.get(kind.lower())
        ref = (rel.get("ref") or "").strip()
        if relation in (1, 2, 3, 4, 5) and ref and len(ref) <= 150:
            if (relation, ref) not in activity.related:
                activity.related.append((relation, ref))
        else:
            problems.append(_("related activity %(ref)s of type %(type)s not read") % {"ref": ref or "?", "type": kind or "?"})
    return activity


EXTENSION_FIELDS = (("beneficiaries-targeted", "beneficiaries_targeted", int),
                    ("beneficiaries-reached", "beneficiaries_reached", int),
                    ("spend-to-date", "spend_to_date", Decimal), ("progress-percent", "progress_percent", Decimal),
                    ("reporting-frequency", "reporting_frequency", int))


def _extension(elem: ET.Element | None, activity: ActivityData, lang: str) -> None:
    """Our ``tansiq:project``: what a Tansiq export carries beyond IATI (beneficiaries, spend, progress,
    reporting frequency, the programme)."""
    if elem is None:
        return
    activity.from_tansiq = True
    for attribute, name, kind in EXTENSION_FIELDS:
        text = (elem.get(attribute) or "").strip()
        if not text:
            continue
        value = decimal_of(text)
        if value is None or value < 0 or (kind is int and value != value.to_integral_value()):
            activity.problems.append(_("tansiq:%(name)s %(value)s is not a number: not kept") % {
                "name": attribute, "value": text})
            continue
        activity.extension[name] = int(value) if kind is int else value
    programme = elem.find(f"{{{EXTENSION_NS}}}programme")
    if programme is not None:
        title_ar, title_en = arabic_and_english(narratives(programme.find(f"{{{EXTENSION_NS}}}title"), lang))
        activity.programme = ProgrammeData(
            lead=_org(programme.find(f"{{{EXTENSION_NS}}}lead-partner"), lang), code=(programme.get("code") or "")[:60],
            title_ar=title_ar[:400], title_en=title_en[:400],
            description=(programme.findtext(f"{{{EXTENSION_NS}}}description") or ""),
            start_date=iso_date(programme.get("start-date")), end_date=iso_date(programme.get("end-date")))


def _sectors_from_transactions(activity: ActivityData) -> None:
    """IATI lets sectors be given on every transaction instead of the activity: the activity's split is then
    each code's share of the transactions' value (see ``sector_shares_from_transactions``)."""
    shares = sector_shares_from_transactions((tx.value, tx.sectors) for tx in activity.transactions)
    if shares:
        activity.sectors = shares
        activity.problems.append(_("sectors read from the transactions (the activity gives none): split by their "
                                   "value"))


def _classifications(elem: ET.Element, activity: ActivityData) -> None:
    found = activity.classifications
    humanitarian = (elem.get("humanitarian") or "").strip().lower()
    if humanitarian in ("1", "true", "0", "false"):
        found["humanitarian"] = humanitarian in ("1", "true")
    markers = []
    for marker in elem.findall("policy-marker"):
        code = (marker.get("code") or "").strip()
        if code:
            markers.append([(marker.get("vocabulary") or "1").strip(), code, (marker.get("significance") or "").strip()])
        else:
            activity.problems.append(_("a policy marker without a code: not kept"))
    found["policy_markers"] = markers
    for tag, name in CLASSIFICATIONS.items():
        items = elem.findall(tag)
        codes = [(item.get("code") or "").strip() for item in items if (item.get("code") or "").strip()]
        found[name] = codes[0][:10] if codes else ""
        if len(codes) > 1:
            activity.problems.append(_("%(element)s given %(count)s times: only %(code)s kept") % {
                "element": tag, "count": len(codes), "code": codes[0]})
        for item in items:
            if tag == "default-aid-type" and (item.get("vocabulary") or "1") != "1":
                activity.problems.append(_("aid type %(code)s of vocabulary %(vocabulary)s: kept as a code of "
                                           "vocabulary 1") % {"code": item.get("code"), "vocabulary": item.get("vocabulary")})


def _results(elem: ET.Element, activity: ActivityData, lang: str) -> None:
    """Results' indicators that count people (measure 1, units; a title about people or beneficiaries) give
    the beneficiaries targeted and reached: the first such indicator's period targets and actuals, summed.
    Every other indicator is named in the report as not kept, and so is a baseline other than 0 (the project
    holds no baseline; 0 is what the export writes) and a result with no indicator."""
    found = None
    for result in elem.findall("result"):
        if result.find("indicator") is None:
            activity.problems.append(_("result %(title)s has no indicator: not kept") % {
                "title": _title(result, lang)})
        for indicator in result.findall("indicator"):
            words = " ".join(text for _lang, text in narratives(indicator.find("title"), lang))
            if found is None and (indicator.get("measure") or "1") == "1" and PEOPLE_INDICATOR.search(words):
                found = indicator
            else:
                activity.problems.append(_("result indicator %(title)s not kept (only the first one counting "
                                           "people is read, as the beneficiaries)") % {"title": _title(indicator, lang)})
    if found is None:
        return
    for tag, name in (("target", "beneficiaries_targeted"), ("actual", "beneficiaries_reached")):
        values = [decimal_of(v.get("value")) for v in found.findall(f"period/{tag}")]
        values = [v for v in values if v is not None and v >= 0]
        if values:
            activity.extension[name] = int(sum(values))
    for baseline in found.findall("baseline"):
        value = decimal_of(baseline.get("value"))
        if value is not None and value != 0:
            activity.problems.append(_("baseline %(value)s (%(year)s) of the beneficiaries indicator not kept") % {
                "value": baseline.get("value"), "year": baseline.get("year") or "?"})


def _title(elem: ET.Element, lang: str) -> str:
    """An element's title as one line (its English, else its first narrative), quoted for a report."""
    arabic, english = arabic_and_english(narratives(elem.find("title"), lang))
    return f"«{english or arabic or '?'}»"


def _not_kept(elem: ET.Element, activity: ActivityData) -> None:
    """Every element of the activity the import does not keep, named in the report (nothing silently lost)."""
    skipped: dict[str, int] = {}
    for child in elem:
        if not isinstance(child.tag, str):
            continue  # comments
        if child.tag in READ_ELEMENTS or child.tag.startswith(f"{{{EXTENSION_NS}}}"):
            continue
        skipped[child.tag] = skipped.get(child.tag, 0) + 1
    for tx in elem.findall("transaction"):
        for child in tx:
            if isinstance(child.tag, str) and child.tag not in TRANSACTION_READ:
                name = f"transaction/{child.tag}"
                skipped[name] = skipped.get(name, 0) + 1
    for tag, count in sorted(skipped.items()):
        activity.problems.append(_("<%(element)s> not kept (%(count)s)") % {"element": tag, "count": count})


def _sdg_tag(activity: ActivityData, code: str, vocabulary: str) -> None:
    """An SDG goal (1-17), target (6.1, 6.a) or indicator (6.1.1) of the UNSDG codelists, kept once."""
    known = sdg_code_normalised(code)
    if known is not None:
        if known not in activity.sdg_tags:
            activity.sdg_tags.append(known)
    else:
        code = code.upper().replace("SDG", "").strip().lstrip("-: ").lower()
        activity.problems.append(_("SDG code %(code)s (vocabulary %(vocabulary)s) is not an SDG goal, target or "
                                   "indicator") % {"code": code or "?", "vocabulary": vocabulary})


def _location(elem: ET.Element, lang: str) -> LocationData:
    location = LocationData()
    codes = [elem.get("ref") or ""]
    codes += [a.get("code") or "" for a in elem.findall("administrative")]
    codes += [a.get("code") or "" for a in elem.findall("location-id")]
    codes = [c.strip().upper() for c in codes if c.strip()]
    location.codes = codes
    location.pcodes = [c for c in codes if c.startswith("LY0")]
    names = narratives(elem.find("name"), lang)
    location.names = [text for _lang, text in names]
    location.name_ar, location.name_en = arabic_and_english(names)
    location.location_class = (elem.find("location-class").get("code") or "").strip() if elem.find(
        "location-class") is not None else ""
    pos = text_of(elem.find("point/pos")).split()
    if len(pos) == 2:
        lat, lon = decimal_of(pos[0]), decimal_of(pos[1])
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            location.point = (float(lat), float(lon))
    location.share = decimal_of(elem.get(f"{{{EXTENSION_NS}}}share"))
    location.label = (location.names[0] if location.names else "") or ", ".join(codes) or " ".join(pos)
    return location


def _budget(elem: ET.Element, activity: ActivityData, default_currency: str) -> None:
    """Original budgets (type 1) summed as the budget, revised ones (type 2) as the revised budget; with no
    original, the revised one is the budget too (said so). IATI 1.0x: budget-planned, else total-cost."""
    budgets = elem.findall("budget")
    original = [b for b in budgets if b.get("type") in (None, "1")]
    revised = [b for b in budgets if b.get("type") == "2"]
    chosen = original or revised or elem.findall("budget-planned") or [_total_cost(t) for t in elem.findall("total-cost")]
    amounts = _budget_sums(chosen, activity, default_currency)
    if not amounts:
        activity.currency = default_currency
        return
    currency = max(amounts, key=lambda c: amounts[c])
    if len(amounts) > 1:
        activity.problems.append(_("budgets in several currencies (%(currencies)s): only %(currency)s counted") % {
            "currencies": ", ".join(sorted(c or "?" for c in amounts)), "currency": currency or "?"})
    if not currency:
        activity.problems.append(_("budget without a currency"))
        return
    activity.budget, activity.currency = amounts[currency], currency
    if not revised:
        return
    if not original:
        activity.problems.append(_("no original budget: the revised budget is taken as the budget too"))
    revised_amounts = amounts if chosen is revised else _budget_sums(revised, activity, default_currency)
    if currency in revised_amounts:
        activity.budget_revised = revised_amounts[currency]
    others = sorted(c or "?" for c in revised_amounts if c != currency)
    if others and chosen is not revised:
        activity.problems.append(_("revised budgets in %(currencies)s, not %(currency)s: not counted") % {
            "currencies": ", ".join(others), "currency": currency})


def _budget_sums(budgets: list[ET.Element], activity: ActivityData, default_currency: str) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = {}
    for budget in budgets:
        value_elem = budget.find("value")
        value = decimal_of(value_elem.text if value_elem is not None else None)
        if value is None:
            activity.problems.append(_("a budget without a readable value"))
            continue
        currency = ((value_elem.get("currency") if value_elem is not None else "") or default_currency or "").upper()
        amounts[currency] = amounts.get(currency, Decimal("0")) + value
    return amounts


def _total_cost(elem: ET.Element) -> ET.Element:
    """A 1.0x total-cost as a budget: its text is the value, its currency on the value."""
    budget = ET.Element("budget")
    value = ET.SubElement(budget, "value", {"currency": elem.get("currency") or ""})
    value.text = elem.text
    return budget


def _transaction(tx: ET.Element, lang: str, default_currency: str, problems: list[str]) -> TransactionData | None:
    type_elem = tx.find("transaction-type")
    code = (type_elem.get("code") if type_elem is not None else tx.get("type")) or ""
    tx_type = int(code) if code.isdigit() else TRANSACTION_WORDS.get(code) or TRANSACTION_WORDS.get(code.lower())
    value_elem = tx.find("value")
    value = decimal_of(value_elem.text if value_elem is not None else None)
    date_elem = tx.find("transaction-date")
    date = iso_date(date_elem.get("iso-date") if date_elem is not None else None) or iso_date(
        value_elem.get("value-date") if value_elem is not None else None)
    currency = ((value_elem.get("currency") if value_elem is not None else "") or default_currency).upper()
    label = f"{code or '?'} {value_elem.text.strip() if value_elem is not None and value_elem.text else '?'}"
    if tx_type not in KNOWN_TRANSACTION_TYPES:
        problems.append(_("transaction of type %(label)s not kept (type not tracked)") % {"label": label})
        return None
    if value is None or value < 0 or date is None or len(currency) != 3:
        problems.append(_("transaction %(label)s not kept (value, date or currency missing or negative)") % {"label": label})
        return None
    provider, receiver = tx.find("provider-org"), tx.find("receiver-org")
    provider_activity = (provider.get("provider-activity-id") if provider is not None else "") or (
        tx.find("provider-activity").get("ref") if tx.find("provider-activity") is not None else "")
    receiver_activity = (receiver.get("receiver-activity-id") if receiver is not None else "") or (
        tx.find("receiver-activity").get("ref") if tx.find("receiver-activity") is not None else "")
    return TransactionData(type=tx_type, date=date, value=value, currency=currency,
                           provider=_org(provider, lang), provider_activity_id=(provider_activity or "").strip()[:150],
                           receiver=_org(receiver, lang), receiver_activity_id=(receiver_activity or "").strip()[:150],
                           sectors=[((s.get("code") or "").strip(), (s.get("vocabulary") or "1").strip())
                                    for s in tx.findall("sector") if (s.get("code") or "").strip()])
