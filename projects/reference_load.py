"""Load the committed partner list and exchange rates (``projects/reference/*.json``).

Partners are keyed on their IATI organisation identifier, or on their acronym when they have
none; a partner is saved only when a fixture value differs, so a reload adds no history rows.
Exchange rates are staff-editable: the loader only creates the (currency, year) pairs that are
missing and never changes one that exists.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from projects.models import ExchangeRate, Partner

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
PARTNER_FIELDS = ("name_ar", "name_en", "acronym", "org_type", "country")


def reference_rows(name: str) -> list[dict[str, Any]]:
    """The rows of one fixture file, e.g. ``reference_rows("partners")``."""
    with (REFERENCE_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@transaction.atomic
def reference_load_partners() -> dict[str, int]:
    """The main partners of the Libya response. Returns counts (fixture total, created, updated)."""
    rows = reference_rows("partners")
    partners = list(Partner.objects.all())
    by_ref = {p.iati_ref: p for p in partners if p.iati_ref}
    by_acronym: dict[str, Partner] = {}
    for p in partners:
        if p.acronym:
            by_acronym.setdefault(p.acronym.casefold(), p)

    new: list[Partner] = []
    updated = 0
    for row in rows:
        ref = row.get("iati_ref") or None
        values = {
            "name_ar": row["name_ar"],
            "name_en": row["name_en"],
            "acronym": row.get("acronym") or "",
            "org_type": int(row["org_type"]),
            "country": row.get("country") or "",
        }
        obj = by_ref.get(ref) if ref else None
        if obj is None and values["acronym"]:
            candidate = by_acronym.get(values["acronym"].casefold())
            # A partner entered by hand under the same acronym, without an identifier or with this one.
            if candidate is not None and candidate.iati_ref in (None, ref):
                obj = candidate
        if obj is None:
            new.append(Partner(iati_ref=ref, **values))
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if ref and obj.iati_ref != ref:
            changed.append("iati_ref")
            obj.iati_ref = ref
        if changed:
            for name in changed:
                if name != "iati_ref":
                    setattr(obj, name, values[name])
            obj.save()  # through save() so that the change is in the partner's history
            updated += 1
    if new:
        bulk_create_with_history(new, Partner)
    return {"partners": len(rows), "created": len(new), "updated": updated}


@transaction.atomic
def reference_load_exchange_rates() -> dict[str, int]:
    """Approximate annual rates for the usual currencies; only missing (currency, year) pairs are created."""
    rows = reference_rows("exchange_rates")
    have = set(ExchangeRate.objects.values_list("currency", "year"))
    new = [
        ExchangeRate(
            currency=row["currency"],
            year=int(row["year"]),
            usd_per_unit=Decimal(str(row["usd_per_unit"])),
            source=row.get("source") or "",
        )
        for row in rows
        if (row["currency"], int(row["year"])) not in have
    ]
    if new:
        bulk_create_with_history(new, ExchangeRate)
    return {"exchange_rates": len(rows), "created": len(new), "kept": len(rows) - len(new)}
