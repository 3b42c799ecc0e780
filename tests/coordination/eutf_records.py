"""Engine records from the EU Trust Fund's Libya activities (../shared/data, real IATI data)."""

from __future__ import annotations

import csv
import zlib
from datetime import date

from coordination.analysis.duplicates import FUNDING, IMPLEMENTING, ProjectRecord
from tests.shared_data import SHARED_DATA

ACTIVITIES = SHARED_DATA / "eutf_libya_activities.csv"
LINKS = SHARED_DATA / "eutf_libya_related_activity_links.csv"
EUR_USD = 1.15  # an approximate rate: only budget ratios matter here


def _partner_id(name: str) -> int:
    return zlib.crc32(name.strip().lower().encode())


def _date(text: str) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def eutf_records() -> tuple[list[ProjectRecord], dict[str, int], list[dict]]:
    rows = list(csv.DictReader(ACTIVITIES.open(encoding="utf-8")))
    links = list(csv.DictReader(LINKS.open(encoding="utf-8")))
    ids = {row["iati_id"]: n for n, row in enumerate(rows, start=1)}
    by_activity: dict[str, list[tuple[str, str]]] = {}
    for link in links:
        by_activity.setdefault(link["iati_id"], []).append((link["relation"], link["related_iati_id"]))
    records = []
    for row in rows:
        participants = []
        for column, role in (("partner_funding", FUNDING), ("partner_implementing", IMPLEMENTING)):
            for name in filter(None, (x.strip() for x in row[column].split(";"))):
                participants.append((_partner_id(name), role))
        budget = float(row["budget"]) * EUR_USD if row["budget"] else None
        records.append(ProjectRecord(
            id=ids[row["iati_id"]], title_en=row["title"], participants=tuple(participants),
            reporting_partner=_partner_id("EU Trust Fund for Africa"),
            start=_date(row["date_start"]), end=_date(row["date_end"]), budget_usd=budget,
            iati_identifier=row["iati_id"], links=tuple(by_activity.get(row["iati_id"], ())),
        ))
    return records, ids, links
