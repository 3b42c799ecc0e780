import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import (
    ExchangeRate,
    ProjectSector,
    ProjectUpdate,
    validate_location_shares,
    validate_sector_split,
)
from tests import factories


@pytest.mark.parametrize("split", [[100], [50, 50], [33.33, 33.33, 33.34], ["12.5", "87.5"]])
def test_sector_percentages_adding_up_to_100_pass(split):
    validate_sector_split(split)


@pytest.mark.parametrize("split, code", [([], "no_sector"), ([60, 30], "sector_sum"), ([100, 10], "sector_sum"),
                                         ([0, 100], "bad_percent"), ([-10, 110], "bad_percent")])
def test_sector_percentages_not_adding_up_fail(split, code):
    with pytest.raises(ValidationError) as err:
        validate_sector_split(split)
    assert err.value.code == code


@pytest.mark.parametrize("shares, ok", [([None, None], True), ([40, 60], True), ([40, None], False),
                                        ([40, 40], False), ([], True)])
def test_municipality_shares_are_all_or_nothing_and_add_up(shares, ok):
    if ok:
        validate_location_shares(shares)
    else:
        with pytest.raises(ValidationError):
            validate_location_shares(shares)


@pytest.mark.django_db
def test_planned_and_actual_dates_must_be_in_order():
    project = factories.ProjectFactory.build(
        reporting_partner=factories.PartnerFactory(),
        planned_start=dt.date(2025, 6, 1), planned_end=dt.date(2025, 1, 1),
        actual_start=dt.date(2025, 6, 1), actual_end=dt.date(2025, 5, 1),
    )
    with pytest.raises(ValidationError) as err:
        project.full_clean()
    assert {"planned_end", "actual_end"} <= set(err.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("budget", Decimal("-1")), ("spend_to_date", Decimal("-0.01")),
                                          ("progress_percent", Decimal("100.5")), ("progress_percent", Decimal("-1"))])
def test_money_is_never_negative_and_progress_stays_within_0_100(field, value):
    project = factories.ProjectFactory.build(reporting_partner=factories.PartnerFactory(), **{field: value})
    with pytest.raises(ValidationError) as err:
        project.full_clean()
    assert field in err.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()


@pytest.mark.django_db
def test_a_project_needs_a_title_in_one_language_at_least():
    project = factories.ProjectFactory.build(reporting_partner=factories.PartnerFactory(), title_ar="", title_en="")
    with pytest.raises(ValidationError):
        project.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()
    project.title_ar = "إعادة تأهيل محطة كهرباء"
    project.full_clean()
    project.save()


@pytest.mark.django_db
def test_currency_is_a_three_letter_code():
    project = factories.ProjectFactory.build(reporting_partner=factories.PartnerFactory(), currency="EURO")
    with pytest.raises(ValidationError) as err:
        project.full_clean()
    assert "currency" in err.value.message_dict


@pytest.mark.django_db
def test_a_sector_share_outside_0_100_is_refused_by_the_database():
    project = factories.ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectSector.objects.create(project=project, sector=factories.SectorFactory(), percentage=Decimal("0"))


@pytest.mark.django_db
def test_iati_identifiers_are_optional_but_unique():
    factories.ProjectFactory(iati_identifier=None)
    factories.ProjectFactory(iati_identifier=None)
    factories.ProjectFactory(iati_identifier="XM-DAC-41114-LBY-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ProjectFactory(iati_identifier="XM-DAC-41114-LBY-1")


@pytest.mark.django_db
def test_update_progress_and_period_invariants():
    project = factories.ProjectFactory()
    update = ProjectUpdate(project=project, partner=project.reporting_partner,
                           period_start=dt.date(2025, 3, 31), period_end=dt.date(2025, 1, 1),
                           progress_percent=Decimal("120"), status=2, state="returned")
    with pytest.raises(ValidationError) as err:
        update.full_clean()
    assert {"period_end", "progress_percent"} <= set(err.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        update.save()


@pytest.mark.django_db
def test_one_exchange_rate_per_currency_and_year_and_it_is_positive():
    ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.08"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(currency="LYD", year=2025, usd_per_unit=Decimal("0"))
