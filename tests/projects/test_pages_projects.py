"""The project pages: list, detail, create and edit forms, submit; who may open which, and what they save."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import Project, ReviewState
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = ["ministry_admin", "ministry_analyst", "rapporteur", "viewer", "undp_focal_point", "unicef_focal_point",
            "anonymous"]


@pytest.fixture
def place(db):
    water = factories.SectorFactory(code="water", name_en="Water and sanitation", name_ar="المياه والصرف الصحي")
    health = factories.SectorFactory(code="health", name_en="Health", name_ar="الصحة")
    towns = [factories.MunicipalityFactory(name_en=f"Town {i}", name_ar=f"بلدة {i}") for i in range(2)]
    return {"water": water, "health": health, "towns": towns}


@pytest.fixture
def undp_draft(undp, place):
    project = factories.ProjectFactory(reporting_partner=undp, title_en="Water network of Zawiya",
                                       title_ar="شبكة مياه الزاوية", state=ReviewState.DRAFT)
    project.sector_shares.create(sector=place["water"], percentage=Decimal("100"))
    project.locations.create(municipality=place["towns"][0])
    return project


def _form_data(place, **fields) -> dict[str, str]:
    data = {
        "title_ar": "إعادة تأهيل المدارس", "title_en": "Rehabilitation of schools", "status": "2",
        "currency": "USD", "spend_to_date": "0", "progress_percent": "0", "budget": "250000",
        "planned_start": "2025-01-01", "planned_end": "2026-06-30",
        "sectors-TOTAL_FORMS": "2", "sectors-INITIAL_FORMS": "0",
        "sectors-0-sector": str(place["water"].pk), "sectors-0-percentage": "70",
        "sectors-1-sector": str(place["health"].pk), "sectors-1-percentage": "30",
        "places-TOTAL_FORMS": "2", "places-INITIAL_FORMS": "0",
        "places-0-municipality": str(place["towns"][0].pk), "places-0-share": "",
        "places-1-municipality": "", "places-1-share": "",
    }
    data.update(fields)
    return data


# Expected status per persona; a focal point of another partner does not learn that a draft exists (404).
PAGE_MATRIX = {
    #                      list  detail create edit
    "ministry_admin":     (200, 200, 200, 200),
    "ministry_analyst":   (200, 200, 403, 403),
    "rapporteur":         (200, 200, 403, 403),
    "viewer":             (200, 200, 403, 403),
    "undp_focal_point":   (200, 200, 200, 200),
    "unicef_focal_point": (200, 404, 200, 404),
    "anonymous":          (302, 302, 302, 302),
}


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_open_which_project_page(client_for, personas, undp_draft, name):
    client = client_for(name, 'ar')
    urls = [reverse("project_list"), reverse("project_detail", args=[undp_draft.pk]), reverse("project_create"),
            reverse("project_edit", args=[undp_draft.pk])]
    got = tuple(client.get(url).status_code for url in urls)
    assert got == PAGE_MATRIX[name]
    if name == "anonymous":
        assert reverse("login") in client.get(urls[0])["Location"]


@pytest.mark.parametrize("name, buttons", [
    ("undp_focal_point", {"edit", "submit", "update"}),
    ("ministry_admin", {"edit", "submit", "update"}),
    ("ministry_analyst", set()),
    ("viewer", set()),
])
def test_the_detail_shows_only_the_buttons_the_rules_allow(client_for, personas, undp_draft, name, buttons):
    html = client_for(name, 'ar').get(reverse("project_detail", args=[undp_draft.pk])).content.decode()
    shown = {
        "edit": reverse("project_edit", args=[undp_draft.pk]) in html,
        "submit": reverse("project_submit", args=[undp_draft.pk]) in html,
        "update": reverse("update_create", args=[undp_draft.pk]) in html,
        "review": reverse("project_review", args=[undp_draft.pk]) in html,
    }
    assert {k for k, v in shown.items() if v} == buttons


def test_the_detail_shows_sectors_places_partners_transactions_and_the_review(client_for, personas, undp_draft, unicef, place):
    import datetime as dt

    from django.contrib.gis.geos import Point

    undp_draft.participations.create(partner=unicef, role=1)
    undp_draft.sites.create(name_en="Pumping station", point=Point(12.7, 32.76, srid=4326))
    undp_draft.transactions.create(type=3, date=dt.date(2025, 3, 1), value=Decimal("5000"), currency="USD",
                                   provider_org=unicef)
    Project.objects.filter(pk=undp_draft.pk).update(state=ReviewState.RETURNED, review_comment="Add the sites.")
    client = client_for("undp_focal_point", 'ar')
    client.cookies["django_language"] = "en"
    html = client.get(reverse("project_detail", args=[undp_draft.pk])).content.decode()
    for text in ("Water and sanitation: 100%", "Town 0", "Pumping station", "UNICEF</a> · Funding", "Disbursement",
                 "USD 5,000", "Add the sites.", 'data-state="returned"'):
        assert text in html, text


def test_the_list_filters_and_stays_within_a_fixed_number_of_queries(client_for, personas, undp, unicef, place,
                                                                     django_assert_max_num_queries):
    client = client_for("ministry_analyst", 'ar')
    for i in range(3):
        project = factories.ProjectFactory(reporting_partner=undp if i % 2 else unicef)
        project.sector_shares.create(sector=place["water"], percentage=Decimal("100"))
        project.locations.create(municipality=place["towns"][i % 2])
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("project_list"))
    for _ in range(30):
        project = factories.ProjectFactory(reporting_partner=undp)
        project.sector_shares.create(sector=place["health"], percentage=Decimal("100"))
        project.locations.create(municipality=place["towns"][0])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("project_list"))
    assert response.context["page"].paginator.count == 33
    assert len(response.context["page"].object_list) == 25  # paginated
    filtered = client.get(reverse("project_list"), {"sector": place["water"].pk, "partner": unicef.pk})
    assert filtered.context["page"].paginator.count == 2
    by_place = client.get(reverse("project_list"), {"municipality": place["towns"][1].pk})
    assert by_place.context["page"].paginator.count == 1


def test_search_finds_titles_however_the_arabic_and_english_are_written(client_for, personas, undp):
    schools = factories.ProjectFactory(reporting_partner=undp, title_ar="إعادة تأهيل المدرسة الابتدائية",
                                       title_en="Rehabilitation of the primary school")
    factories.ProjectFactory(reporting_partner=undp, title_ar="محطة كهرباء", title_en="Power station")
    client = client_for("viewer", 'ar')
    for query in ("اعاده تاهيل مدرسه", "المدرسة", "rehabilitating schools", "PRIMARY"):
        found = list(client.get(reverse("project_list"), {"q": query}).context["page"].object_list)
        assert found == [schools], query


def test_a_focal_point_sees_their_partner_first_and_may_widen_to_accepted_ones(client_for, personas, undp, unicef):
    own = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT)
    accepted = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.ACCEPTED)
    factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.DRAFT)  # never shown to UNDP
    client = client_for("undp_focal_point", 'ar')
    response = client.get(reverse("project_list"))
    assert response.context["form"]["scope"].value() == "mine"
    assert list(response.context["page"].object_list) == [own]
    wider = client.get(reverse("project_list"), {"scope": "all"})
    assert set(wider.context["page"].object_list) == {own, accepted}


def test_a_focal_point_creates_a_project_through_the_service(client_for, personas, undp, place):
    fp = personas["undp_focal_point"]
    response = client_for("undp_focal_point", 'ar').post(reverse("project_create"), _form_data(place))
    project = Project.objects.get(title_en="Rehabilitation of schools")
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    assert project.reporting_partner == undp and project.state == ReviewState.DRAFT
    assert project.created_by == fp and project.history.first().history_user == fp
    assert sorted(project.sector_shares.values_list("sector__code", "percentage")) == [
        ("health", Decimal("30")), ("water", Decimal("70"))]
    assert list(project.locations.values_list("municipality", flat=True)) == [place["towns"][0].pk]


def test_a_focal_point_cannot_create_for_another_partner_even_by_posting_its_id(client_for, personas, undp, unicef, place):
    client = client_for("undp_focal_point", 'ar')
    client.post(reverse("project_create"), _form_data(place, reporting_partner=str(unicef.pk)))
    assert list(Project.objects.values_list("reporting_partner", flat=True)) == [undp.pk]


def test_the_ministry_chooses_the_reporting_partner(client_for, personas, unicef, place):
    client = client_for("ministry_admin", 'ar')
    missing = client.post(reverse("project_create"), _form_data(place))
    assert missing.status_code == 400 and "reporting_partner" in missing.context["form"].errors
    client.post(reverse("project_create"), _form_data(place, reporting_partner=str(unicef.pk)))
    assert Project.objects.get().reporting_partner == unicef


@pytest.mark.parametrize("change, where, language, message", [
    ({"title_ar": "", "title_en": ""}, "form", "en", "Give a title in Arabic or English."),
    ({"planned_end": "2024-01-01"}, "form", "ar", "لا يمكن أن يسبق الانتهاء المخطط البدء المخطط."),
    ({"sectors-1-percentage": "20"}, "sectors", "en", "Sector percentages must add up to 100"),
    ({"sectors-1-sector": ""}, "sectors", "en", "Choose the sector."),
    ({"sectors-1-sector": "", "sectors-1-percentage": "", "sectors-0-sector": "", "sectors-0-percentage": ""},
     "sectors", "en", "Give at least one sector."),
    ({"places-0-share": "60"}, "places", "en", "Municipality shares must add up to 100."),
    ({"progress_percent": "140"}, "form", "en", "less than or equal to 100"),
])
def test_invalid_input_saves_nothing_and_says_why_in_the_users_language(client_for, personas, place, change, where, language,
                                                                          message):
    client = client_for("undp_focal_point", 'ar')
    client.cookies["django_language"] = language
    response = client.post(reverse("project_create"), _form_data(place, **change))
    assert response.status_code == 400
    assert Project.objects.count() == 0
    assert message in response.content.decode()
    assert 'data-testid="form-errors"' in response.content.decode()


def test_editing_changes_the_fields_and_rows_and_sends_an_accepted_project_back(client_for, personas, undp_draft, place):
    Project.objects.filter(pk=undp_draft.pk).update(state=ReviewState.ACCEPTED)
    client = client_for("undp_focal_point", 'ar')
    form = client.get(reverse("project_edit", args=[undp_draft.pk])).content.decode()
    assert 'value="Water network of Zawiya"' in form
    data = _form_data(place, title_en="Water network of Zawiya, phase 2", title_ar="شبكة مياه الزاوية",
                      **{"places-1-municipality": str(place["towns"][1].pk), "places-0-share": "50",
                         "places-1-share": "50"})
    response = client.post(reverse("project_edit", args=[undp_draft.pk]), data)
    assert response.status_code == 302
    undp_draft.refresh_from_db()
    assert undp_draft.title_en == "Water network of Zawiya, phase 2"
    assert undp_draft.state == ReviewState.SUBMITTED  # a changed accepted project is reviewed again
    assert sorted(undp_draft.locations.values_list("share", flat=True)) == [Decimal("50"), Decimal("50")]


def test_a_focal_point_cannot_move_their_project_to_another_partner(client_for, personas, undp, unicef, undp_draft, place):
    client = client_for("undp_focal_point", 'ar')
    client.post(reverse("project_edit", args=[undp_draft.pk]), _form_data(place, reporting_partner=str(unicef.pk)))
    undp_draft.refresh_from_db()
    assert undp_draft.reporting_partner == undp and undp_draft.title_en == "Rehabilitation of schools"


def test_submit_is_a_post_allowed_only_by_the_rules(client_for, personas, undp_draft):
    url = reverse("project_submit", args=[undp_draft.pk])
    assert client_for("undp_focal_point", 'ar').get(url).status_code == 405
    assert client_for("ministry_analyst", 'ar').post(url).status_code == 403
    assert client_for("unicef_focal_point", 'ar').post(url).status_code == 404
    undp_draft.refresh_from_db()
    assert undp_draft.state == ReviewState.DRAFT
    response = client_for("undp_focal_point", 'ar').post(url)
    undp_draft.refresh_from_db()
    assert response.status_code == 302 and undp_draft.state == ReviewState.SUBMITTED
    assert undp_draft.submitted_by == personas["undp_focal_point"]
    assert client_for("undp_focal_point", 'ar').post(url).status_code == 403  # already submitted


def test_csrf_is_enforced_on_the_forms(personas, place):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["undp_focal_point"])
    response = client.post(reverse("project_create"), _form_data(place))
    assert response.status_code == 403 and Project.objects.count() == 0


@pytest.mark.parametrize("language, direction, heading", [("ar", "rtl", "المشاريع"), ("en", "ltr", "Projects")])
def test_the_pages_render_in_arabic_and_english(client_for, personas, undp_draft, language, direction, heading):
    client = client_for("undp_focal_point", 'ar')
    client.cookies["django_language"] = language
    for url in (reverse("project_list"), reverse("project_detail", args=[undp_draft.pk]), reverse("project_create")):
        html = client.get(url).content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in html, url
    assert f">{heading}</h1>" in client.get(reverse("project_list")).content.decode()


def test_the_nav_links_projects_for_everyone_and_the_queue_only_for_reviewers(client_for, personas):
    queue = reverse("review_queue")
    assert queue in client_for("ministry_analyst", 'ar').get(reverse("project_list")).content.decode()
    html = client_for("undp_focal_point", 'ar').get(reverse("project_list")).content.decode()
    assert queue not in html and f'href="{reverse("project_list")}"' in html


def test_status_filter_with_an_unknown_value_says_so(client_for, personas):
    response = client_for("viewer", 'ar').get(reverse("project_list"), {"status": "99"})
    assert response.status_code == 200 and "status" in response.context["form"].errors


def test_the_detail_page_costs_the_same_queries_however_long_its_lists(client_for, personas, undp_draft, place, unicef,
                                                                       django_assert_max_num_queries):
    import datetime as dt

    from projects import services

    client = client_for("ministry_admin", 'ar')
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("project_detail", args=[undp_draft.pk]))
    undp_draft.locations.create(municipality=place["towns"][1])
    for i in range(5):
        undp_draft.participations.create(partner=factories.PartnerFactory(), role=1 + i % 4)
        undp_draft.transactions.create(type=3, date=dt.date(2025, 1, 1 + i), value=Decimal(i), currency="USD",
                                       provider_org=unicef)
        services.project_edit(project=undp_draft, user=personas["ministry_admin"], fields={"budget": Decimal(i)})
        services.project_update_create(project=undp_draft, user=personas["ministry_admin"], fields={
            "period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 1, 31), "progress_percent": i,
            "status": 2})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("project_detail", args=[undp_draft.pk]))
    assert len(response.context["history"]) == 6 and len(response.context["updates"]) == 5
