"""IATI Rulesets-style checks of an activities file, with the codes read from the Standard's codelist files.

The IATI Rulesets (the Standard's "should" rules beyond the schema) are what validators and the IATI
Dashboard score publishers on; the schema alone lets every one of them through. These checks follow the
rules that matter for what Tansiq writes: a budget period of at most a year and ending after it starts,
percentages per vocabulary adding up to 100, sectors either on the activity or on every transaction
(one per vocabulary on a transaction),
dates in order (activity dates and result periods) and no actual date in the future, and codes (currencies, statuses, roles, organisation
types, transaction types, DAC sectors, related-activity types) on their codelists. The codelists come
from a directory of the Standard's codelist XML files (``codelists/Currency.xml``...), never from lists
typed in here, so a newer codelist is picked up as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

MAX_BUDGET_DAYS = 365  # the Rulesets' "time_limit": period-end at most one year after period-start
# (codelist, XPath of the coded attribute) for "codes on their codelists"
CODED = (
    ("Currency", "@default-currency"),
    ("Currency", ".//value/@currency"),
    ("ActivityStatus", "activity-status/@code"),
    ("OrganisationRole", "participating-org/@role"),
    ("OrganisationType", "participating-org/@type"),
    ("OrganisationType", "reporting-org/@type"),
    ("OrganisationType", "transaction/provider-org/@type"),
    ("OrganisationType", "transaction/receiver-org/@type"),
    ("TransactionType", "transaction/transaction-type/@code"),
    ("RelatedActivityType", "related-activity/@type"),
    ("Sector", "sector[@vocabulary='1' or not(@vocabulary)]/@code"),
    ("Sector", "transaction/sector[@vocabulary='1' or not(@vocabulary)]/@code"),
    ("SectorCategory", "sector[@vocabulary='2']/@code"),
)
ORG_REFS = ("reporting-org/@ref", "participating-org/@ref", "transaction/provider-org/@ref",
            "transaction/receiver-org/@ref", "other-identifier/owner-org/@ref")


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    activity: str
    message: str


def codelists_read(directory: Path) -> dict[str, set[str]]:
    """Each codelist file's codes, by the codelist's name (the file name without ``.xml``)."""
    found: dict[str, set[str]] = {}
    for path in sorted(Path(directory).glob("*.xml")):
        tree = etree.parse(str(path))
        found[path.stem] = {code.strip() for code in tree.xpath("//codelist-item/code/text()")}
    return found


def registration_prefixes(codelists: dict[str, set[str]]) -> set[str]:
    """The registration-agency prefixes the OrganisationIdentifier codelist uses: the agency part of its
    prefixed codes (``GB``, ``US``, ``EU``...), and ``XM-DAC`` for its bare DAC channel codes (41114 is
    ``XM-DAC-41114``), plus ``XI-IATI`` (identifiers IATI itself gives, e.g. the EU's ``XI-IATI-EC_NEAR``)."""
    codes = codelists.get("OrganisationIdentifier", set())
    prefixes = {code.split("-")[0] for code in codes if "-" in code}
    if any("-" not in code for code in codes):
        prefixes.add("XM-DAC")
    return prefixes | {"XI-IATI"}


def org_ref_is_registered(ref: str, prefixes: set[str]) -> bool:
    return any(ref.startswith(prefix + "-") and len(ref) > len(prefix) + 1 for prefix in prefixes)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value or "")
    except InvalidOperation:
        return None


def iati_rules_check(doc: etree._Element, codelists: dict[str, set[str]], *, today: dt.date | None = None,
                     own_refs: frozenset[str] = frozenset()) -> list[RuleFailure]:
    """Every rule failure of every activity of ``doc`` (an ``iati-activities`` element).

    ``own_refs``: identifiers taken as registered whatever their prefix (the publisher's own, e.g. the
    ministry's until it registers one)."""
    today = today or dt.date.today()
    prefixes = registration_prefixes(codelists)
    failures: list[RuleFailure] = []
    for activity in doc.iter("iati-activity"):
        ident = (activity.findtext("iati-identifier") or "?").strip()

        def fail(rule: str, message: str, ident: str = ident) -> None:
            failures.append(RuleFailure(rule, ident, message))

        for budget in activity.findall("budget"):
            start = _date(budget.find("period-start").get("iso-date"))
            end = _date(budget.find("period-end").get("iso-date"))
            if start and end and end < start:
                fail("budget-period-order", f"budget period ends {end} before it starts {start}")
            elif start and end and (end - start).days > MAX_BUDGET_DAYS:
                fail("budget-period-length", f"budget period {start}..{end} is longer than a year")
            if budget.find("value") is not None and not budget.find("value").get("value-date"):
                fail("budget-value-date", "budget value without a value-date")
        # the same budget type's periods must not overlap
        for kind in ("1", "2"):
            periods = sorted((_date(b.find("period-start").get("iso-date")), _date(b.find("period-end").get("iso-date")))
                             for b in activity.findall("budget") if (b.get("type") or "1") == kind)
            for (_s1, e1), (s2, _e2) in zip(periods, periods[1:], strict=False):
                if e1 and s2 and s2 <= e1:
                    fail("budget-overlap", f"budgets of type {kind} overlap ({s2} <= {e1})")

        by_vocabulary: dict[str, Decimal] = {}
        for sector in activity.findall("sector"):
            vocabulary = sector.get("vocabulary") or "1"
            by_vocabulary[vocabulary] = by_vocabulary.get(vocabulary, Decimal(0)) + (
                _decimal(sector.get("percentage")) or Decimal(100 if len(activity.findall("sector")) == 1 else 0))
        for vocabulary, total in sorted(by_vocabulary.items()):
            if total != 100:
                fail("sector-percentage", f"sector percentages of vocabulary {vocabulary} add up to {total}")
        places = activity.findall("recipient-country") + activity.findall("recipient-region")
        if places:
            total = sum((_decimal(p.get("percentage")) or Decimal(100 if len(places) == 1 else 0)) for p in places)
            if total != 100:
                fail("recipient-percentage", f"recipient country and region percentages add up to {total}")

        transactions = activity.findall("transaction")
        on_transactions = [t for t in transactions if t.find("sector") is not None]
        if activity.find("sector") is not None and on_transactions:
            fail("sector-both", "sectors given on the activity and on transactions")
        elif activity.find("sector") is None and (not transactions or len(on_transactions) < len(transactions)):
            fail("sector-missing", "no sector on the activity and not on every transaction")
        for tx in on_transactions:
            vocabularies = Counter(sector.get("vocabulary") or "1" for sector in tx.findall("sector"))
            for vocabulary, count in sorted(vocabularies.items()):
                if count > 1:
                    fail("transaction-sector-vocabulary", f"a transaction gives {count} sectors of vocabulary "
                                                          f"{vocabulary} (one per vocabulary)")

        for period in activity.findall("result/indicator/period"):
            start = _date(period.find("period-start").get("iso-date"))
            end = _date(period.find("period-end").get("iso-date"))
            if start and end and end < start:
                fail("result-period-order", f"result period ends {end} before it starts {start}")

        dates = {d.get("type"): _date(d.get("iso-date")) for d in activity.findall("activity-date")}
        for start, end in (("1", "3"), ("2", "4")):
            if dates.get(start) and dates.get(end) and dates[end] < dates[start]:
                fail("date-order", f"activity date type {end} {dates[end]} before type {start} {dates[start]}")
        for kind in ("2", "4"):
            if dates.get(kind) and dates[kind] > today:
                fail("date-future", f"actual date type {kind} {dates[kind]} is in the future")
        for tx in transactions:
            date = _date(tx.find("transaction-date").get("iso-date")) if tx.find("transaction-date") is not None else None
            if date and date > today:
                fail("transaction-date-future", f"transaction dated {date} is in the future")

        for codelist, path in CODED:
            known = codelists.get(codelist)
            if known is None:
                continue
            for value in activity.xpath(path):
                if str(value) not in known:
                    fail("codelist", f"{path} {value} is not on the {codelist} codelist")
        if not activity.get("default-currency"):
            for _value in activity.xpath(".//value[not(@currency)]"):
                fail("currency-missing", "a value without a currency and no default currency")
        for path in ORG_REFS:
            for ref in activity.xpath(path):
                if ref and str(ref) not in own_refs and not org_ref_is_registered(str(ref), prefixes):
                    fail("org-identifier", f"{path} {ref} has no registration-agency prefix")
    return failures


def failures_by_rule(failures: list[RuleFailure]) -> dict[str, int]:
    return dict(sorted(Counter(f.rule for f in failures).items()))
