"""A small portfolio around Murzuq (مرزق) for the municipality file and partner page tests (and the browser
journey): accepted UNDP electricity and UNICEF water projects, and a UNICEF draft a UNDP focal point must not see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from projects.models import (
    ExchangeRate,
    OrganisationRole,
    Participation,
    ProjectLocation,
    ProjectSector,
    ReviewState,
    Site,
)
from tests import factories

DRAFT_TITLE = "Secret UNICEF draft in Murzuq"


def murzuq_portfolio(undp, unicef) -> dict:
    from municipalities.models import Need

    region = factories.RegionFactory(pcode="LY03", name_ar="الجنوب", name_en="South")
    district = factories.DistrictFactory(pcode="LY0318", region=region, name_ar="مرزق", name_en="Murzuq")
    area = MultiPolygon(Polygon(((13.6, 25.7), (14.2, 25.7), (14.2, 26.1), (13.6, 26.1), (13.6, 25.7))), srid=4326)
    murzuq = factories.MunicipalityFactory(
        district=district, pcode="LY031801", slug="murzuq", name_ar="مرزق", name_en="Murzuq",
        point=Point(13.92, 25.91, srid=4326), area=area, area_is_official=False, population=48960,
        population_year=2020, population_source="OCHA", displaced=12345, returnees=6789,
        displacement_source="IOM DTM")
    other = factories.MunicipalityFactory(district=district, pcode="LY031802", slug="umm-al-aranib",
                                          name_ar="أم الأرانب", name_en="Umm al Aranib")
    electricity = factories.SectorFactory(code="electricity", name_ar="الكهرباء", name_en="Electricity", order=1)
    water = factories.SectorFactory(code="water", name_ar="المياه والإصحاح", name_en="Water and sanitation", order=2)
    ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.10"))
    Need.objects.create(municipality=murzuq, sector=electricity, severity=4, people_in_need=20000, source="OCHA HNO",
                        assessed_on=dt.date(2025, 3, 1))
    Need.objects.create(municipality=murzuq, sector=water, severity=3, people_in_need=9000, source="OCHA HNO",
                        assessed_on=dt.date(2025, 3, 1))
    grid = project(undp, murzuq, electricity, title_en="Electricity network repairs in Murzuq",
                   title_ar="إصلاح شبكة الكهرباء في مرزق", budget=Decimal("1000000"))
    Site.objects.create(project=grid, name_en="Murzuq substation", name_ar="محطة مرزق", point=Point(13.93, 25.92),
                        municipality=murzuq)
    wells = project(unicef, murzuq, water, title_en="Water wells for returning families",
                    title_ar="آبار مياه للأسر العائدة", budget=Decimal("500000"), currency="EUR", also=other)
    Participation.objects.create(project=wells, partner=undp, role=OrganisationRole.IMPLEMENTING)
    draft = project(unicef, murzuq, electricity, title_en=DRAFT_TITLE, title_ar="مسودة سرية لليونيسف في مرزق",
                    budget=Decimal("9000000"), state=ReviewState.DRAFT)
    return {"murzuq": murzuq, "other": other, "electricity": electricity, "water": water, "grid": grid,
            "wells": wells, "draft": draft}


def project(partner, municipality, sector, *, state=ReviewState.ACCEPTED, also=None, **fields):
    p = factories.ProjectFactory(reporting_partner=partner, state=state, **fields)
    ProjectSector.objects.create(project=p, sector=sector, percentage=100)
    ProjectLocation.objects.create(project=p, municipality=municipality)
    if also is not None:
        ProjectLocation.objects.create(project=p, municipality=also)
    Participation.objects.create(project=p, partner=partner, role=OrganisationRole.FUNDING)
    return p
