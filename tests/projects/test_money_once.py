"""The money counted once, worked out once per page (``money_counted_once``) and the place fraction read in one
correlated subquery: the same records and the same figures as the rule of ``projects.selectors.money`` gives,
on a mixed portfolio (every kind of funder→implementer link, a chain, a record naming itself, a confirmed
double report, no budget, a currency without a rate, places with and without shares, sectors not summing to
100), checked against the rule written out here in plain Python and against the lazy form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Case, Count, FloatField, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast

from projects.models import (
    ExchangeRate,
    OrganisationRole,
    Participation,
    Project,
    ProjectLocation,
    ProjectSector,
    Transaction,
)
from projects.money import to_usd
from projects.selectors import money
from projects.selectors.money import (
    budget_total_usd,
    money_counted,
    money_counted_once,
    usd_attributed,
    with_place_fraction,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _p(amount, iati=None, **fields):
    fields.setdefault("planned_start", dt.date(2024, 3, 1))
    fields.setdefault("currency", "USD")
    return factories.ProjectFactory(budget=None if amount is None else Decimal(amount), iati_identifier=iati, **fields)


def _tx(project, *, provider="", receiver=""):
    Transaction.objects.create(project=project, type=Transaction.Type.INCOMING_FUNDS, date=dt.date(2024, 4, 1),
                               value=Decimal("1"), currency="USD", provider_activity_id=provider,
                               receiver_activity_id=receiver)


def _part(project, role, activity_id):
    Participation.objects.create(project=project, partner=factories.PartnerFactory(), role=role,
                                 activity_id=activity_id)


@pytest.fixture
def portfolio():
    ExchangeRate.objects.create(currency="EUR", year=2024, usd_per_unit=Decimal("1.10"))
    a, b, c = (factories.MunicipalityFactory() for _ in range(3))
    water, health = factories.SectorFactory(), factories.SectorFactory()
    r = {
        "funder": _p("1000", "F-1"),
        "by_provider": _p("400", "I-1"),
        "by_receiver": _p("300", "I-2"),
        "by_funding_part": _p("200", "I-3", currency="EUR"),
        "by_implementing_part": _p("150", "I-4"),
        "donor": _p("900", "D-1"),
        "agency": _p("800", "A-1"),
        "ngo": _p("700", "N-1"),
        "self_named": _p("60", "S-1"),
        "plain": _p("50"),
        "sek": _p("70", currency="SEK"),
        "no_budget": _p(None, "X-1"),
    }
    r["double"] = _p("999", duplicate_of=r["plain"])
    _tx(r["by_provider"], provider="F-1")
    _tx(r["funder"], receiver="I-2")
    _part(r["by_funding_part"], OrganisationRole.FUNDING, "F-1")
    _part(r["funder"], OrganisationRole.IMPLEMENTING, "I-4")
    _tx(r["agency"], provider="D-1")
    _tx(r["ngo"], provider="A-1")
    _tx(r["self_named"], provider="S-1")
    _part(r["self_named"], OrganisationRole.IMPLEMENTING, "S-1")
    _tx(r["plain"], provider="NOT-IN-THE-SET")
    for key, places in {
        "funder": [(a, "30"), (b, "10")], "by_provider": [(a, None), (b, "50")], "by_receiver": [(c, None), (a, "20")],
        "by_funding_part": [(b, None)], "donor": [(a, "100")], "agency": [(a, None), (b, None), (c, None)],
        "plain": [(c, "40"), (a, "40")], "sek": [(b, None)], "double": [(c, None)], "no_budget": [(a, None)],
        "self_named": [(a, "25"), (c, "75")],
    }.items():
        for m, share in places:
            ProjectLocation.objects.create(project=r[key], municipality=m,
                                           share=None if share is None else Decimal(share))
    for key, sectors in {
        "funder": [(water, "60"), (health, "40")], "by_provider": [(water, "100")], "donor": [(health, "30"),
        (water, "20")], "plain": [(water, "100")], "agency": [(health, "100")], "self_named": [(water, "50")],
    }.items():
        for sector, pct in sectors:
            ProjectSector.objects.create(project=r[key], sector=sector, percentage=Decimal(pct))
    return r


def _counted_by_the_rule(ids: set[int]) -> set[int]:
    """The module note's rule, in plain Python over the records ``ids``."""
    within = list(Project.objects.filter(pk__in=ids))
    identified = {p.iati_identifier for p in within if p.iati_identifier}
    tx = list(Transaction.objects.values("project_id", "provider_activity_id", "receiver_activity_id"))
    parts = list(Participation.objects.values("project_id", "role", "activity_id"))
    own = {p.pk: p.iati_identifier or "" for p in Project.objects.all()}

    def implementer(p: Project) -> bool:
        me = own[p.pk]
        if any(t["project_id"] == p.pk and t["provider_activity_id"] in identified
               and t["provider_activity_id"] != me for t in tx):
            return True
        if any(x["project_id"] == p.pk and x["role"] == OrganisationRole.FUNDING and x["activity_id"] in identified
               and x["activity_id"] != me for x in parts):
            return True
        if not p.iati_identifier:
            return False
        if any(t["project_id"] in ids and t["receiver_activity_id"] == p.iati_identifier
               and t["receiver_activity_id"] != own[t["project_id"]] for t in tx):
            return True
        return any(x["project_id"] in ids and x["role"] == OrganisationRole.IMPLEMENTING
                   and x["activity_id"] == p.iati_identifier and x["activity_id"] != own[x["project_id"]]
                   for x in parts)

    return {p.pk for p in within if p.budget is not None and p.duplicate_of_id is None and not implementer(p)}


def _subsets(r):
    everything = Project.objects.all()
    yield everything
    yield everything.exclude(pk=r["funder"].pk)  # the funder's record filtered out: its implementers count
    yield everything.exclude(pk=r["donor"].pk)  # the chain's middle record counts then, the NGO not
    yield Project.objects.filter(pk__in=[r["by_provider"].pk, r["plain"].pk, r["ngo"].pk])
    yield Project.objects.filter(duplicate_of__isnull=True, status=2)
    yield Project.objects.none()


def test_counted_once_is_the_same_records_as_the_lazy_rule_and_the_rule_written_out(portfolio):
    r = portfolio
    everything = set(money_counted(Project.objects.all()).values_list("pk", flat=True))
    assert everything == {r[k].pk for k in ("funder", "donor", "self_named", "plain", "sek")}
    for subset in _subsets(r):
        ids = set(subset.values_list("pk", flat=True))
        lazy = set(money_counted(subset).values_list("pk", flat=True))
        once = set(money_counted_once(subset).values_list("pk", flat=True))
        assert once == lazy == _counted_by_the_rule(ids), sorted(ids)


def test_past_the_list_limit_the_set_is_left_to_the_database_and_is_the_same(portfolio, monkeypatch):
    before = set(money_counted_once(Project.objects.all()).values_list("pk", flat=True))
    monkeypatch.setattr(money, "COUNTED_ONCE_LIST_LIMIT", 1)  # the portfolio has 6 implementers' records
    assert set(money_counted_once(Project.objects.all()).values_list("pk", flat=True)) == before


def test_money_counted_once_costs_one_query_and_the_totals_then_one_each(portfolio, django_assert_num_queries):
    projects = Project.objects.all()
    with django_assert_num_queries(1):
        counted = money_counted_once(projects)
    rates = money.exchange_rate_table()
    with django_assert_num_queries(1):
        usd_attributed(projects, counted=counted, rates=rates)


def _old_place_fraction(locations):
    """The place fraction as it was read before (three correlated subqueries per row): the reference."""
    siblings = ProjectLocation.objects.filter(project_id=OuterRef("project_id")).order_by().values("project_id")
    places = Subquery(siblings.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())
    unshared = Subquery(siblings.annotate(n=Count("pk", filter=Q(share__isnull=True) | Q(share__lte=0)))
                        .values("n")[:1], output_field=IntegerField())
    total = Subquery(siblings.annotate(t=Sum(Cast("share", FloatField()))).values("t")[:1], output_field=FloatField())
    return locations.alias(m_unshared=unshared).annotate(old=Case(
        When(Q(m_unshared=0), then=Cast("share", FloatField()) / total),
        default=Value(1.0) / Cast(places, FloatField()), output_field=FloatField()))


def test_the_place_fraction_in_one_subquery_equals_the_three_subqueries_it_replaces(portfolio):
    r = portfolio
    new = dict(with_place_fraction(ProjectLocation.objects.all()).values_list("pk", "fraction"))
    old = dict(_old_place_fraction(ProjectLocation.objects.all()).values_list("pk", "old"))
    assert new.keys() == old.keys() and len(new) == 18
    for pk, value in old.items():
        assert new[pk] == pytest.approx(value)
    by_project = {}
    for loc in ProjectLocation.objects.all():
        by_project.setdefault(loc.project_id, []).append(new[loc.pk])
    for fractions in by_project.values():
        assert sum(fractions) == pytest.approx(1.0)  # every project's places add up to the whole of it
    # Shares all positive: their proportions (30/10); one missing: an even split.
    funder = dict(ProjectLocation.objects.filter(project=r["funder"]).values_list("share", "pk"))
    assert new[funder[Decimal("30.00")]] == pytest.approx(0.75)
    assert {round(new[pk], 6) for pk in ProjectLocation.objects.filter(project=r["by_receiver"])
            .values_list("pk", flat=True)} == {0.5}
    # Filtered to one municipality, the fraction still reads all of the project's places.
    one = ProjectLocation.objects.filter(project=r["agency"]).first()
    only = with_place_fraction(ProjectLocation.objects.filter(pk=one.pk)).values_list("fraction", flat=True)
    assert list(only) == [pytest.approx(1 / 3)]


@pytest.mark.parametrize("options", [
    {}, {"per_sector": True}, {"by": ("municipality__district__region_id",)},
    {"by": ("project__reporting_partner_id",), "per_sector": True},
])
def test_usd_attributed_with_the_set_counted_once_gives_the_same_figures(portfolio, options):
    rates = money.exchange_rate_table()
    for subset in _subsets(portfolio):
        lazy = usd_attributed(subset, rates=rates, **options)
        once = usd_attributed(subset, rates=rates, counted=money_counted_once(subset), **options)
        assert once == lazy
        total = budget_total_usd(subset)
        assert budget_total_usd(subset, counted=money_counted_once(subset)) == total


def test_the_totals_on_the_mixed_portfolio_are_those_the_rule_gives_by_hand(portfolio):
    r = portfolio
    # funder 1000 + donor 900 + self-named 60 + plain 50 (SEK 70 without a rate) = 2010
    assert budget_total_usd() == {"usd": Decimal("2010.00"), "unconverted": {"SEK": Decimal("70")}}
    # Without the funder: its four implementers count (EUR 200 at 1.10 = 220): 2010 - 1000 + 400 + 300 + 220 + 150
    assert budget_total_usd(Project.objects.exclude(pk=r["funder"].pk))["usd"] == Decimal("2080.00")
    places = usd_attributed(Project.objects.all())
    assert sum((v["usd"] for v in places.values()), Decimal("0")) == Decimal("2010.00")


# --- the per-project totals joined from the views, and the per-row reads they stand beside --------------------

@pytest.fixture
def lined(portfolio):
    """The mixed portfolio with one more kind of sector split: two lines of one sector under two DAC codes (an
    IATI file's), beside a second sector."""
    r = portfolio
    water = ProjectSector.objects.filter(project=r["funder"]).order_by("pk").first().sector
    r["two_lines"] = _p("500", "T-1", status=2)
    ProjectLocation.objects.create(project=r["two_lines"], municipality=factories.MunicipalityFactory(),
                                   share=Decimal("60"))
    ProjectLocation.objects.create(project=r["two_lines"],
                                   municipality=ProjectLocation.objects.filter(project=r["funder"]).first().municipality,
                                   share=Decimal("40"))
    for dac, pct in (("14030", "30"), ("14031", "30")):
        ProjectSector.objects.create(project=r["two_lines"], sector=water, percentage=Decimal(pct), dac_code=dac)
    ProjectSector.objects.create(project=r["two_lines"], sector=factories.SectorFactory(), percentage=Decimal("40"))
    return r


def _fractions_by_hand() -> tuple[dict[int, float], dict[int, float]]:
    """Each place's and each sector line's part of its project, from the module note's rule in plain Python."""
    places: dict[int, list[ProjectLocation]] = {}
    for loc in ProjectLocation.objects.all():
        places.setdefault(loc.project_id, []).append(loc)
    place = {}
    for locs in places.values():
        shared = all(loc.share is not None and loc.share > 0 for loc in locs)
        total = sum(float(loc.share) for loc in locs) if shared else None
        for loc in locs:
            place[loc.pk] = float(loc.share) / total if shared else 1 / len(locs)
    lines: dict[int, list[ProjectSector]] = {}
    for line in ProjectSector.objects.all():
        lines.setdefault(line.project_id, []).append(line)
    sector = {line.pk: float(line.percentage) / sum(float(x.percentage) for x in group)
              for group in lines.values() for line in group}
    return place, sector


def test_the_fractions_joined_from_the_totals_equal_those_read_per_row_and_the_rule(lined):
    place, sector = _fractions_by_hand()
    locations = ProjectLocation.objects.all()
    joined = dict(with_place_fraction(locations).values_list("pk", "fraction"))
    per_row = dict(with_place_fraction(locations, few=True).values_list("pk", "fraction"))
    old = dict(_old_place_fraction(locations).values_list("pk", "old"))
    assert joined.keys() == per_row.keys() == old.keys() == place.keys() and len(place) == 20
    for pk, value in place.items():
        assert joined[pk] == pytest.approx(value) and per_row[pk] == pytest.approx(value)
        assert old[pk] == pytest.approx(value)
    lines = ProjectSector.objects.all()
    joined = dict(lines.annotate(f=money.sector_fraction("percentage")).values_list("pk", "f"))
    per_row = dict(lines.annotate(f=money.sector_fraction("percentage", few=True)).values_list("pk", "f"))
    assert joined.keys() == per_row.keys() == sector.keys() and len(sector) == 11
    for pk, value in sector.items():
        assert joined[pk] == pytest.approx(value) and per_row[pk] == pytest.approx(value)
    # The two lines of one sector keep their own parts (30% each of the project's 100%).
    two = ProjectSector.objects.filter(project=lined["two_lines"]).exclude(dac_code="")
    assert sorted(round(joined[pk], 6) for pk in two.values_list("pk", flat=True)) == [0.3, 0.3]


def _attributed_by_hand(subset, *, by_sector=False, municipality_id=None, sector_id=None):
    """``usd_attributed`` by municipality (and sector) from the rule in plain Python: each counted budget in
    USD times its place's part (times its sector line's part); projects and active ones counted once a key."""
    place, sector = _fractions_by_hand()
    rates = money.exchange_rate_table()
    ids = set(subset.values_list("pk", flat=True))
    counted = _counted_by_the_rule(ids)
    out: dict = {}
    for loc in ProjectLocation.objects.filter(project_id__in=ids).select_related("project"):
        if municipality_id is not None and loc.municipality_id != municipality_id:
            continue
        p = loc.project
        usd = None
        if p.pk in counted:
            usd = to_usd(p.budget, p.currency, p.planned_start.year, rates)
        parts = [(None, 1.0)]
        if by_sector or sector_id is not None:
            parts = [(line.sector_id, sector[line.pk]) for line in ProjectSector.objects.filter(project=p)
                     if sector_id is None or line.sector_id == sector_id]
        for sector_key, part in parts:
            key = (loc.municipality_id, sector_key) if by_sector else loc.municipality_id
            acc = out.setdefault(key, {"usd": 0.0, "projects": set(), "active": set()})
            acc["projects"].add(p.pk)
            if p.status == 2:
                acc["active"].add(p.pk)
            if usd is not None:
                acc["usd"] += float(usd) * place[loc.pk] * part
    return {k: {"usd": v["usd"], "projects": len(v["projects"]), "active": len(v["active"])} for k, v in out.items()}


def _same(found, expected):
    assert found.keys() == expected.keys()
    for k, v in expected.items():
        assert float(found[k]["usd"]) == pytest.approx(v["usd"], abs=0.02), k
        assert (found[k]["projects"], found[k]["active"]) == (v["projects"], v["active"]), k


def test_usd_attributed_over_the_totals_gives_the_rule_s_figures_by_place_sector_and_one_municipality(lined):
    r = lined
    water = ProjectSector.objects.filter(project=r["funder"]).order_by("pk").first().sector_id
    municipalities = set(ProjectLocation.objects.values_list("municipality_id", flat=True))
    for subset in _subsets(r):
        _same(usd_attributed(subset), _attributed_by_hand(subset))
        _same(usd_attributed(subset, per_sector=True), _attributed_by_hand(subset, by_sector=True))
        _same(usd_attributed(subset, sector_id=water), _attributed_by_hand(subset, sector_id=water))
        for m in municipalities:  # one municipality's rows: each reads its project's parts itself
            _same(usd_attributed(subset, municipality_id=m), _attributed_by_hand(subset, municipality_id=m))
            by_hand = {k[1]: v for k, v in _attributed_by_hand(subset, by_sector=True, municipality_id=m).items()}
            _same(usd_attributed(subset, by=(), per_sector=True, municipality_id=m), by_hand)
    # counts=False: the same money, no counts.
    money_only = usd_attributed(Project.objects.all(), counts=False)
    assert {k: v["usd"] for k, v in money_only.items()} == {
        k: v["usd"] for k, v in usd_attributed(Project.objects.all()).items()}
    assert {v["projects"] for v in money_only.values()} == {0}
