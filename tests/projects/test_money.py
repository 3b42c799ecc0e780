import datetime as dt
from decimal import Decimal

import pytest

from projects.models import ExchangeRate
from projects.money import to_usd, usd_rate
from projects.selectors.money import budget_total_usd
from tests import factories

RATES = {"EUR": {2020: Decimal("1.14"), 2024: Decimal("1.08")}, "LYD": {2024: Decimal("0.21")}}


def test_usd_converts_at_one_and_unknown_currencies_give_none():
    assert usd_rate(RATES, "USD", 2020) == 1
    assert usd_rate(RATES, "JPY", 2020) is None
    assert to_usd(Decimal("10"), "JPY", 2020, RATES) is None


def test_the_exact_year_wins_else_the_nearest_year():
    assert usd_rate(RATES, "EUR", 2024) == Decimal("1.08")
    assert usd_rate(RATES, "EUR", 2021) == Decimal("1.14")
    assert usd_rate(RATES, "EUR", 2022) == Decimal("1.14")  # a tie goes to the earlier year
    assert usd_rate(RATES, "EUR", 2030) == Decimal("1.08")
    assert to_usd(Decimal("1000"), "LYD", 2019, RATES) == Decimal("210.00")


@pytest.mark.django_db
def test_budget_totals_use_the_staff_edited_rates_in_two_queries(django_assert_num_queries):
    ExchangeRate.objects.create(currency="EUR", year=2024, usd_per_unit=Decimal("1.10"))
    factories.ProjectFactory(budget=Decimal("1000"), currency="EUR", planned_start=dt.date(2024, 3, 1))
    factories.ProjectFactory(budget=Decimal("500"), currency="USD", planned_start=dt.date(2023, 3, 1))
    factories.ProjectFactory(budget=Decimal("70"), currency="SEK", planned_start=dt.date(2024, 3, 1))
    with django_assert_num_queries(2):
        totals = budget_total_usd()
    assert totals["usd"] == Decimal("1600.00")
    assert totals["unconverted"] == {"SEK": Decimal("70")}
    ExchangeRate.objects.filter(currency="EUR").update(usd_per_unit=Decimal("1.20"))
    assert budget_total_usd()["usd"] == Decimal("1700.00")


@pytest.mark.django_db
def test_a_confirmed_double_report_is_counted_once():
    counted = factories.ProjectFactory(budget=Decimal("1000"), currency="USD", planned_start=dt.date(2024, 3, 1))
    factories.ProjectFactory(budget=Decimal("1000"), currency="USD", planned_start=dt.date(2024, 3, 1),
                             duplicate_of=counted)
    assert budget_total_usd()["usd"] == Decimal("1000.00")


# --- counted once across a funder→implementer transfer, and money attributed to places -------------

def _usd(amount, **fields):
    fields.setdefault("planned_start", dt.date(2024, 3, 1))
    return factories.ProjectFactory(budget=Decimal(amount), currency="USD", **fields)


@pytest.mark.django_db
def test_the_implementers_record_of_a_funders_money_is_counted_once_by_provider_activity_id():
    from projects.models import Project, Transaction

    funder = _usd("1000", iati_identifier="XM-DAC-7-1-100")
    implementer = _usd("800", iati_identifier="XM-DAC-41114-200")
    other = _usd("50")
    Transaction.objects.create(project=implementer, type=Transaction.Type.INCOMING_FUNDS, date=dt.date(2024, 4, 1),
                               value=Decimal("800"), currency="USD", provider_activity_id="XM-DAC-7-1-100")
    assert budget_total_usd()["usd"] == Decimal("1050.00")
    # Without the funder's record in the set (filtered out, or not visible), the implementer's counts.
    assert budget_total_usd(Project.objects.exclude(pk=funder.pk))["usd"] == Decimal("850.00")
    assert budget_total_usd(Project.objects.filter(pk__in=[implementer.pk, other.pk]))["usd"] == Decimal("850.00")


@pytest.mark.django_db
def test_a_transfer_named_by_the_funder_receiver_activity_or_participation_is_counted_once():
    from projects.models import OrganisationRole, Participation, Transaction

    funder = _usd("1000", iati_identifier="GB-GOV-1-300")
    by_receiver = _usd("400", iati_identifier="XM-DAC-41114-400")
    by_participation = _usd("600", iati_identifier="XM-DAC-41122-500")
    unrelated = _usd("70", iati_identifier="XM-DAC-41122-501")
    Transaction.objects.create(project=funder, type=Transaction.Type.DISBURSEMENT, date=dt.date(2024, 4, 1),
                               value=Decimal("400"), currency="USD", receiver_activity_id="XM-DAC-41114-400")
    Participation.objects.create(project=funder, partner=factories.PartnerFactory(),
                                 role=OrganisationRole.IMPLEMENTING, activity_id="XM-DAC-41122-500")
    # A record naming itself is no transfer.
    Transaction.objects.create(project=unrelated, type=Transaction.Type.INCOMING_FUNDS, date=dt.date(2024, 4, 1),
                               value=Decimal("70"), currency="USD", provider_activity_id="XM-DAC-41122-501")
    assert budget_total_usd()["usd"] == Decimal("1070.00")
    assert {funder.pk, by_receiver.pk, by_participation.pk, unrelated.pk}  # all four exist


@pytest.mark.django_db
def test_usd_attributed_splits_by_share_else_evenly_and_by_sector(django_assert_num_queries):
    from projects.models import Project, ProjectLocation, ProjectSector
    from projects.selectors.money import SECTOR, usd_attributed

    a, b, c = (factories.MunicipalityFactory() for _ in range(3))
    water, health = factories.SectorFactory(), factories.SectorFactory()
    shared = _usd("1000")
    ProjectLocation.objects.create(project=shared, municipality=a, share=Decimal("30"))
    ProjectLocation.objects.create(project=shared, municipality=b, share=Decimal("10"))  # normalised: 75 / 25
    ProjectSector.objects.create(project=shared, sector=water, percentage=Decimal("60"))
    ProjectSector.objects.create(project=shared, sector=health, percentage=Decimal("40"))
    even = _usd("300")
    ProjectLocation.objects.create(project=even, municipality=a, share=Decimal("90"))
    ProjectLocation.objects.create(project=even, municipality=b)
    ProjectLocation.objects.create(project=even, municipality=c)  # a share missing: even thirds
    ProjectSector.objects.create(project=even, sector=water, percentage=Decimal("100"))
    twice = _usd("999", duplicate_of=shared, status=1)
    ProjectLocation.objects.create(project=twice, municipality=c)

    with django_assert_num_queries(2):  # the rates, then one grouped query
        places = usd_attributed(Project.objects.all())
    assert {k: v["usd"] for k, v in places.items()} == {
        a.pk: Decimal("850.00"), b.pk: Decimal("350.00"), c.pk: Decimal("100.00")}
    assert places[c.pk]["projects"] == 2 and places[c.pk]["active"] == 1  # the double report is listed
    cells = usd_attributed(Project.objects.all(), per_sector=True)
    assert cells[(a.pk, water.pk)]["usd"] == Decimal("550.00")  # 750 × 60 % + 100
    assert cells[(a.pk, health.pk)]["usd"] == Decimal("300.00")
    assert sum(v["usd"] for v in cells.values()) == Decimal("1300.00")
    only_health = usd_attributed(Project.objects.all(), sector_id=health.pk)
    assert {k: v["usd"] for k, v in only_health.items()} == {a.pk: Decimal("300.00"), b.pk: Decimal("100.00")}
    by_partner = usd_attributed(Project.objects.all(), by=("project__reporting_partner_id",), municipality_id=a.pk)
    assert sum(v["usd"] for v in by_partner.values()) == Decimal("850.00")
    assert SECTOR == "sector_id"
