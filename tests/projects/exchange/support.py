"""Shared helpers of the exchange tests: reference data, sample paths, an IATI file built from the EUTF rows."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

from django.core.management import call_command

from tests.shared_data import SHARED_DATA

IATI_DIR = SHARED_DATA / "iati-2.03"
CH4_SAMPLE = SHARED_DATA / "iati_ch4_libya_covid_sample.xml"
WORKED_EXAMPLE = IATI_DIR / "worked-example.xml"
SCHEMA = IATI_DIR / "iati-activities-schema.xsd"
RELATIONS = {"parent": "1", "child": "2", "sibling": "3"}


def load_reference() -> None:
    call_command("load_reference_data", verbosity=0)


def eutf_rows() -> list[dict[str, str]]:
    with (SHARED_DATA / "eutf_libya_activities.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def eutf_links() -> list[dict[str, str]]:
    with (SHARED_DATA / "eutf_libya_related_activity_links.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _names(cell: str) -> list[str]:
    return [name.strip() for name in cell.split(", ") if name.strip()]


def eutf_iati_xml() -> bytes:
    """The 54 EU Trust Fund rows for Libya as IATI 2.03 activities, with their related-activity links."""
    links: dict[str, list[tuple[str, str]]] = {}
    for link in eutf_links():
        links.setdefault(link["iati_id"], []).append((RELATIONS[link["relation"]], link["related_iati_id"]))
    root = ET.Element("iati-activities", version="2.03")
    for row in eutf_rows():
        activity = ET.SubElement(root, "iati-activity", {"default-currency": "EUR"})
        ET.SubElement(activity, "iati-identifier").text = row["iati_id"]
        reporting = ET.SubElement(activity, "reporting-org", type="15")
        ET.SubElement(reporting, "narrative").text = "EU Emergency Trust Fund for Africa"
        ET.SubElement(ET.SubElement(activity, "title"), "narrative").text = row["title"]
        if row["summary"]:
            ET.SubElement(ET.SubElement(activity, "description", type="1"), "narrative").text = row["summary"]
        for column, role in (("partner_funding", "1"), ("partner_accountable", "2"), ("partner_extending", "3"),
                             ("partner_implementing", "4")):
            for name in _names(row[column]):
                ET.SubElement(ET.SubElement(activity, "participating-org", role=role), "narrative").text = name
        ET.SubElement(activity, "activity-status", code="2")
        for column, kind in (("date_start", "2"), ("date_end", "3")):
            if row[column]:
                ET.SubElement(activity, "activity-date", {"type": kind, "iso-date": row[column]})
        for code in _names(row["location_code"]):
            location = ET.SubElement(activity, "location")
            ET.SubElement(location, "administrative", vocabulary="A4", code=code)
        for name in _names(row["location"]):
            ET.SubElement(ET.SubElement(ET.SubElement(activity, "location"), "name"), "narrative").text = name
        if row["budget"]:
            budget = ET.SubElement(activity, "budget", type="1")
            ET.SubElement(budget, "period-start", {"iso-date": row["date_start"] or "2020-01-01"})
            ET.SubElement(budget, "period-end", {"iso-date": row["date_end"] or "2024-12-31"})
            ET.SubElement(budget, "value", {"value-date": row["date_start"] or "2020-01-01"}).text = row["budget"]
        for relation, ref in links.get(row["iati_id"], []):
            ET.SubElement(activity, "related-activity", ref=ref, type=relation)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- 3W sheets and uploads for the job, page and API tests ------------------------------------------

# The columns of the sheet Tansiq wrote before it split organisations, dates and languages into columns of
# their own: hand-made and older sheets still use them, and the import still reads them.
LEGACY_COLUMNS: list[tuple[str, str, str]] = [
    ("Reporting partner", "الشريك المُبلِّغ", "#org+reporting"),
    ("Implementing partner", "الشريك المنفّذ", "#org+impl"),
    ("Funding partner", "الجهة المموّلة", "#org+funder"),
    ("Project identifier", "معرّف المشروع", "#activity+code"),
    ("Project title (English)", "عنوان المشروع (بالإنجليزية)", "#activity+name+i_en"),
    ("Project title (Arabic)", "عنوان المشروع (بالعربية)", "#activity+name+i_ar"),
    ("Sector code", "رمز القطاع", "#sector+code"),
    ("Sector", "القطاع", "#sector+name"),
    ("Sector share (%)", "حصة القطاع (%)", "#sector+pct"),
    ("Region p-code", "رمز المنطقة", "#adm1+code"),
    ("Region", "المنطقة", "#adm1+name"),
    ("District p-code", "رمز الشعبية", "#adm2+code"),
    ("District", "الشعبية", "#adm2+name"),
    ("Municipality p-code", "رمز البلدية", "#adm3+code"),
    ("Municipality (English)", "البلدية (بالإنجليزية)", "#adm3+name+i_en"),
    ("Municipality (Arabic)", "البلدية (بالعربية)", "#adm3+name+i_ar"),
    ("Status", "الحالة", "#status"),
    ("Start date", "تاريخ البدء", "#date+start"),
    ("End date", "تاريخ الانتهاء", "#date+end"),
    ("People targeted (project total)", "المستهدفون (مجموع المشروع)", "#targeted"),
    ("People reached (project total)", "المستفيدون (مجموع المشروع)", "#reached"),
    ("Budget share (USD)", "حصة الميزانية (دولار أمريكي)", "#value+usd"),
    ("Plan objectives (plan:objective)", "أهداف الخطة (الخطة:الهدف)", "#indicator+objective+code"),
]




def sheet_csv(rows: list[dict[str, str]]) -> bytes:
    """A 3W CSV with the English labels and the HXL row, then ``rows`` ({hashtag: value})."""
    import io

    COLUMNS = LEGACY_COLUMNS  # noqa: N806

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c[0] for c in COLUMNS])
    writer.writerow([c[2] for c in COLUMNS])
    for row in rows:
        writer.writerow([row.get(c[2], "") for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def sheet_row(**cells: str) -> dict[str, str]:
    """One row of a new UNDP project in Tripoli Center (LY021104); ``cells`` with ``__`` for ``+``."""
    base = {"#org+reporting": "UNDP", "#org+impl": "UNDP", "#activity+name+i_en": "Solar street lights",
            "#activity+name+i_ar": "إنارة الشوارع بالطاقة الشمسية", "#status": "Implementation",
            "#date+start": "2025-01-01", "#date+end": "2026-06-30", "#adm3+code": "LY021104",
            "#value+usd": "50000"}
    return base | {k.replace("__", "+"): v for k, v in cells.items()}


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
