import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from municipalities.models import DevelopmentPlan, Need
from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize("pcode", ["LY21104", "LY0211044", "ly021104", "LY041104", "XX021104"])
def test_malformed_municipality_pcodes_are_refused(pcode):
    municipality = factories.MunicipalityFactory.build(district=factories.DistrictFactory(), pcode=pcode)
    with pytest.raises(ValidationError) as err:
        municipality.full_clean()
    assert "pcode" in err.value.message_dict


@pytest.mark.django_db
def test_the_database_refuses_a_malformed_pcode_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MunicipalityFactory(pcode="LY9")


@pytest.mark.django_db
def test_municipality_pcode_must_start_with_its_district():
    municipality = factories.MunicipalityFactory.build(district=factories.DistrictFactory(), pcode="LY010101")
    with pytest.raises(ValidationError) as err:
        municipality.full_clean()
    assert "pcode" in err.value.message_dict


@pytest.mark.django_db
def test_municipalities_of_the_ministry_list_may_lack_an_ocha_pcode():
    municipality = factories.MunicipalityFactory(pcode=None, slug="ajaylat-extra")
    municipality.full_clean()
    second = factories.MunicipalityFactory(pcode=None, slug="another")
    assert second.pk != municipality.pk  # several NULL p-codes do not collide


@pytest.mark.django_db
def test_pcodes_are_unique():
    factories.MunicipalityFactory(pcode="LY021104")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MunicipalityFactory(pcode="LY021104")


@pytest.mark.django_db
@pytest.mark.parametrize("severity, ok", [(0, False), (1, True), (5, True), (6, False)])
def test_need_severity_is_one_to_five(severity, ok):
    municipality = factories.MunicipalityFactory()
    need = Need(municipality=municipality, sector=factories.SectorFactory(), severity=severity, source="HNO",
                assessed_on="2025-01-01")
    if ok:
        need.full_clean()
        need.save()
    else:
        with pytest.raises(ValidationError):
            need.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            need.save()


@pytest.mark.django_db
def test_a_municipal_plan_needs_its_municipality_and_ordered_years():
    plan = DevelopmentPlan(level="municipal", title_ar="خطة", start_year=2025, end_year=2024)
    with pytest.raises(ValidationError) as err:
        plan.full_clean()
    assert {"municipality", "end_year"} <= set(err.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()
