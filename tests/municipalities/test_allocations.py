"""Development allocations (مخصصات باب التنمية): the model's rules, the services, who reads them, the municipality
file's list by year, the admin and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coordination import roles as r
from coordination.selectors.government import allocations_visible_to, municipality_government_figures
from municipalities.models import DEFAULT_ALLOCATION_SOURCE, DevelopmentAllocation
from municipalities.services import allocation_delete, allocation_save
from projects.models import ExchangeRate, Partner
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(personas):
    return factories.MunicipalityFactory(name_ar="غريان", name_en="Gharyan")


@pytest.fixture
def council(place):
    return factories.PartnerFactory(name_ar="المجلس البلدي غريان", name_en="Gharyan municipal council",
                                    acronym="GHR-MC", org_type=Partner.OrgType.LOCAL_GOVERNMENT, municipality=place,
                                    country="LY")


def municipality_account(username, council):
    from django.contrib.auth.models import Group

    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=r.MUNICIPALITY_ACCOUNT))
    factories.FocalPointFactory(user=user, partner=council)
    return user


@pytest.fixture
def account(council):
    return municipality_account("gharyan_account", council)


def test_saving_twice_changes_nothing_and_a_new_amount_updates(place):
    a, outcome = allocation_save(municipality=place, year=2025, amount=Decimal("1500000"), currency="lyd")
    assert outcome == "created" and a.currency == "LYD" and a.source == DEFAULT_ALLOCATION_SOURCE
    same, outcome = allocation_save(municipality=place, year=2025, amount=Decimal("1500000.00"), currency="LYD")
    assert outcome == "unchanged" and same.pk == a.pk
    _b, outcome = allocation_save(municipality=place, year=2025, amount=Decimal("2000000"), currency="LYD")
    assert outcome == "updated"
    assert DevelopmentAllocation.objects.get().amount == Decimal("2000000.00")
    assert a.history.count() == 2  # audited: who and when, each version


def test_the_model_refuses_bad_values(place):
    with pytest.raises(ValidationError) as caught:
        allocation_save(municipality=place, year=1900, amount=Decimal("-1"), currency="LY")
    assert {"year", "amount", "currency"} <= set(caught.value.message_dict)
    assert not DevelopmentAllocation.objects.exists()


def test_only_the_ministry_writes_allocations(personas, place, account):
    allocation_save(municipality=place, year=2024, amount=Decimal("10"), user=personas["ministry_analyst"])
    for who in (account, personas["undp_focal_point"], personas["viewer"]):
        with pytest.raises(PermissionDenied):
            allocation_save(municipality=place, year=2023, amount=Decimal("10"), user=who)
    with pytest.raises(PermissionDenied):
        allocation_delete(allocation=DevelopmentAllocation.objects.get(), user=personas["undp_focal_point"])
    assert DevelopmentAllocation.objects.count() == 1


def test_who_reads_allocations(personas, place, account):
    other = factories.MunicipalityFactory()
    allocation_save(municipality=place, year=2025, amount=Decimal("100"))
    allocation_save(municipality=other, year=2025, amount=Decimal("200"))
    assert allocations_visible_to(personas["ministry_analyst"]).count() == 2
    assert allocations_visible_to(personas["viewer"]).count() == 2
    assert [a.municipality_id for a in allocations_visible_to(account)] == [place.pk]
    assert not allocations_visible_to(personas["undp_focal_point"]).exists()
    assert not allocations_visible_to(None).exists()


def test_a_council_only_is_linked_to_a_municipality(place):
    ministry = Partner(name_ar="وزارة", name_en="Ministry", org_type=Partner.OrgType.GOVERNMENT, municipality=place)
    with pytest.raises(ValidationError):
        ministry.full_clean()


def test_the_file_lists_allocations_by_year_in_usd(personas, place, client_for):
    ExchangeRate.objects.create(currency="LYD", year=2025, usd_per_unit=Decimal("0.2"))
    allocation_save(municipality=place, year=2025, amount=Decimal("5000000"), currency="LYD")
    allocation_save(municipality=place, year=2024, amount=Decimal("3000000"), currency="EGP", note="first tranche")
    data = municipality_government_figures(personas["ministry_analyst"], place)
    assert [y["year"] for y in data["allocations"]] == [2025, 2024]
    assert data["allocations"][0]["usd"] == Decimal("1000000.00")
    assert data["allocations"][1]["unconverted"] == {"EGP": Decimal("3000000.00")}  # no rate
    assert municipality_government_figures(personas["undp_focal_point"], place)["allocations"] is None
    html = client_for("ministry_analyst", "ar").get(reverse("municipality_file", args=[place.slug])).content.decode()
    assert 'id="allocations"' in html and "مخصصات باب التنمية حسب السنة" in html
    assert "1,000,000 دولار أمريكي" in html and "first tranche" in html
    html = client_for("undp_focal_point", "en").get(reverse("municipality_file", args=[place.slug])).content.decode()
    assert 'id="allocations"' not in html and 'id="government-side-by-side"' in html


def test_the_file_page_has_a_fixed_number_of_queries(personas, place, client_for, django_assert_max_num_queries):
    client = client_for("ministry_analyst", "en")
    url = reverse("municipality_file", args=[place.slug])
    client.get(url)
    with django_assert_max_num_queries(80) as small:
        client.get(url)
    for year in range(2010, 2026):
        allocation_save(municipality=place, year=year, amount=Decimal("1000"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_admin_saves_through_the_service(personas, place, client_for):
    client = client_for("ministry_admin", "en")
    response = client.post(reverse("admin:municipalities_developmentallocation_add"), {
        "municipality": place.pk, "year": 2025, "amount": "750000", "currency": "LYD",
        "source": DEFAULT_ALLOCATION_SOURCE, "note": ""})
    assert response.status_code == 302
    saved = DevelopmentAllocation.objects.get()
    assert saved.updated_by == personas["ministry_admin"] and saved.amount == Decimal("750000.00")
