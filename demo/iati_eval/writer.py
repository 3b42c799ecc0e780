"""IATI 2.03 activity files of the evaluation set, one per publisher, and the labels as JSON.

Each publisher writes what it knows: itself as reporting-org, the funder (role 1) and the implementer
(role 4) as participating organisations, never the other side's activity identifier (no
``provider-activity-id``, no related-activity). A location is a named place; two thirds or so carry
a point, the rest only the name as the publisher writes it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from lxml import etree

from demo.iati_eval.generate import EvalActivity, EvalSet

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"


def _narrative(parent: etree._Element, text: str, lang: str | None = None) -> None:
    n = etree.SubElement(parent, "narrative")
    if lang:
        n.set(XML_LANG, lang)
    n.text = text


def _org(parent: etree._Element, tag: str, pub, **attrs) -> None:
    el = etree.SubElement(parent, tag, ref=pub.ref, type=pub.org_type, **attrs)
    _narrative(el, pub.name_en)
    _narrative(el, pub.name_ar, "ar")


def _activity(root: etree._Element, a: EvalActivity) -> None:
    el = etree.SubElement(root, "iati-activity", {"last-updated-datetime": "2025-05-01T00:00:00Z",
                                                  XML_LANG: "en", "default-currency": a.currency})
    etree.SubElement(el, "iati-identifier").text = a.identifier
    _org(el, "reporting-org", a.publisher)
    title = etree.SubElement(el, "title")
    if a.title_en:
        _narrative(title, a.title_en)
    if a.title_ar:
        _narrative(title, a.title_ar, "ar")
    description = etree.SubElement(el, "description", type="1")
    _narrative(description, f"Funded by {a.funder.name_en}; implemented by {a.implementer.name_en}.")
    _org(el, "participating-org", a.funder, role="1")
    _org(el, "participating-org", a.implementer, role="4")
    etree.SubElement(el, "activity-status", code="2")
    etree.SubElement(el, "activity-date", type="1", **{"iso-date": a.start.isoformat()})
    etree.SubElement(el, "activity-date", type="3", **{"iso-date": a.end.isoformat()})
    etree.SubElement(el, "recipient-country", code="LY", percentage="100")
    loc = etree.SubElement(el, "location")
    etree.SubElement(loc, "location-reach", code="1")
    name = etree.SubElement(loc, "name")
    _narrative(name, a.place_name, "ar" if any("\u0600" <= ch <= "\u06ff" for ch in a.place_name) else None)
    if a.point is not None:
        point = etree.SubElement(loc, "point", srsName=WGS84)
        etree.SubElement(point, "pos").text = f"{a.point[0]} {a.point[1]}"
        etree.SubElement(loc, "exactness", code="2")
    etree.SubElement(loc, "location-class", code="1")
    etree.SubElement(el, "sector", vocabulary="1", code=a.dac, percentage="100")
    budget = etree.SubElement(el, "budget", type="1", status="2")
    etree.SubElement(budget, "period-start", **{"iso-date": a.start.isoformat()})
    etree.SubElement(budget, "period-end", **{"iso-date": a.end.isoformat()})
    value = etree.SubElement(budget, "value", currency=a.currency, **{"value-date": a.start.isoformat()})
    value.text = str(a.budget)


def eval_write(evalset: EvalSet, out_dir: Path) -> list[Path]:
    """One XML file per publisher and ``labels.json``; returns the XML paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    by_pub: dict[str, list[EvalActivity]] = defaultdict(list)
    for a in evalset.activities:
        by_pub[a.publisher.ref].append(a)
    paths = []
    for ref, acts in sorted(by_pub.items()):
        root = etree.Element("iati-activities", version="2.03", **{"generated-datetime": "2025-05-01T00:00:00Z"})
        for a in acts:
            _activity(root, a)
        path = out_dir / f"eval-{ref.lower().replace('_', '-')}.xml"
        path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
        paths.append(path)
    (out_dir / "labels.json").write_text(json.dumps(evalset.labels(), ensure_ascii=False, indent=1), encoding="utf-8")
    return paths
