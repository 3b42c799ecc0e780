"""factory_boy factories for the domain models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from municipalities.models import District, Municipality, Region, Sector
from projects.models import ActivityStatus, FocalPoint, Partner, Project


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["pcode"]

    pcode = "LY02"
    name_ar = "الغرب"
    name_en = "West"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["pcode"]

    region = factory.SubFactory(RegionFactory)
    pcode = "LY0211"
    name_ar = "طرابلس"
    name_en = "Tripoli"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    district = factory.SubFactory(DistrictFactory)
    pcode = factory.Sequence(lambda n: f"LY0211{n % 100:02d}")
    slug = factory.Sequence(lambda n: f"municipality-{n}")
    name_ar = factory.Sequence(lambda n: f"بلدية {n}")
    name_en = factory.Sequence(lambda n: f"Municipality {n}")
    point = factory.Sequence(lambda n: Point(13.1 + (n % 10) * 0.01, 32.8 + (n // 10 % 10) * 0.01, srid=4326))
    population = 50000
    population_year = 2021


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"sector-{n}")
    name_ar = factory.Sequence(lambda n: f"قطاع {n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name_en = factory.Sequence(lambda n: f"Partner {n}")
    name_ar = factory.Sequence(lambda n: f"شريك {n}")
    acronym = factory.Sequence(lambda n: f"P{n}")
    org_type = Partner.OrgType.MULTILATERAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


class FocalPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocalPoint

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    reporting_partner = factory.SubFactory(PartnerFactory)
    # As project_save does on creation: the review notes are the reporting partner's.
    review_notes_partner = factory.SelfAttribute("reporting_partner")
    title_ar = factory.Sequence(lambda n: f"مشروع {n}")
    title_en = factory.Sequence(lambda n: f"Project {n}")
    status = ActivityStatus.IMPLEMENTATION
    planned_start = dt.date(2025, 1, 1)
    planned_end = dt.date(2026, 12, 31)
    budget = Decimal("100000")
    currency = "USD"
