"""Read the reference data the demo generator needs from the database, as plain records."""

from __future__ import annotations

from demo.records import MunicipalityRef, PartnerRef, RateRef, Reference, SectorRef
from municipalities.models import District, Municipality, Sector
from projects.models import ExchangeRate, Partner


class MissingReferenceData(Exception):
    pass


def load_reference() -> Reference:
    municipalities = list(
        Municipality.objects.order_by("id").values("id", "district_id", "name_en", "name_ar", "population", "point", "slug")
    )
    sectors = list(Sector.objects.order_by("id").values("id", "code", "name_en", "name_ar"))
    partners = list(Partner.objects.order_by("id").values("id", "org_type", "acronym", "name_en", "name_ar", "iati_ref",
                                                          "country"))
    missing = [label for label, rows in (("municipalities", municipalities), ("sectors", sectors),
                                         ("partners", partners)) if not rows]
    if missing:
        raise MissingReferenceData(
            f"No {', '.join(missing)} in the database. Load the reference data first: "
            "python manage.py load_reference_data"
        )
    # A municipality without a point of its own is placed inside its district (sites need a point).
    unplaced = {m["district_id"] for m in municipalities if m["point"] is None}
    fallback = {
        d.id: d.area.point_on_surface
        for d in District.objects.filter(id__in=unplaced, area__isnull=False).only("id", "area")
    }
    munis = []
    for m in municipalities:
        point = m.pop("point") or fallback.get(m["district_id"])
        munis.append(MunicipalityRef(**m, lon=point.x if point else None, lat=point.y if point else None))
    rates = [RateRef(r["currency"], r["year"], r["usd_per_unit"])
             for r in ExchangeRate.objects.order_by("currency", "year").values("currency", "year", "usd_per_unit")]
    return Reference.build(
        municipalities=munis,
        sectors=[SectorRef(**s) for s in sectors],
        partners=[PartnerRef(**p) for p in partners],
        rates=rates,
    )
