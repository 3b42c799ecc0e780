import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from tests import factories
from tests.conftest import force_login_verified


@pytest.mark.django_db
def test_login_page_is_arabic_and_right_to_left_by_default(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "تسجيل الدخول" in html


@pytest.mark.django_db
def test_switching_to_english_gives_a_left_to_right_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Log in" in html and "bootstrap.min.css" in html


@pytest.mark.django_db
def test_pages_need_a_login(client):
    for name in ("home", "municipality_map", "municipalities_geojson"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_login_and_logout(client):
    factories.UserFactory(username="analyst", password="a-long-test-password")
    response = client.post(reverse("login"), {"username": "analyst", "password": "wrong"})
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    response = client.post(reverse("login"), {"username": "analyst", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_dashboard_counts_come_in_a_fixed_number_of_queries(client, personas, django_assert_max_num_queries):
    client.force_login(personas["viewer"])  # ministry staff: the totals count every project
    for _ in range(5):
        factories.ProjectFactory()
    # The dashboard's figures, charts and filter choices, and the user's permissions (the navigation shows
    # reviewers their queue), the share of money aligned with the plans (six reads);
    # tests/coordination/test_dashboard.py checks the count does not grow with the data.
    with django_assert_max_num_queries(36):
        response = client.get(reverse("home"))
    assert response.context["overview"]["projects"]["total"] == 5


@pytest.mark.django_db
def test_the_map_layer_is_geojson_marks_approximate_areas_and_is_query_bounded(client, django_assert_num_queries):
    from municipalities.services import municipality_derive_approximate_areas

    client.force_login(factories.UserFactory())
    for i in range(6):
        factories.MunicipalityFactory(point=Point(13.0 + i * 0.1, 32.7, srid=4326))
    factories.MunicipalityFactory(point=None, slug="no-point")
    municipality_derive_approximate_areas()
    # session, user, the user's permissions (twice: own and groups', to know whether they owe a second factor;
    # pages read them for the menu anyway), the shapes' version (municipalities, districts); the layer itself comes
    # from the cache once built (the first answer builds it)
    client.get(reverse("municipalities_geojson"))
    with django_assert_num_queries(6):
        response = client.get(reverse("municipalities_geojson"))
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 6  # the one without a point or area is left off the map
    assert all(f["properties"]["area_is_official"] is False for f in data["features"])
    assert {f["geometry"]["type"] for f in data["features"]} <= {"Polygon", "MultiPolygon"}


@pytest.mark.django_db
def test_the_map_page_renders_its_own_layer_without_a_tile_server(client, settings):
    client.force_login(factories.UserFactory())
    html = client.get(reverse("municipality_map")).content.decode()
    assert 'data-layer-url="/municipalities/map/layer.geojson"' in html
    assert "tile.openstreetmap" not in html
    assert "leaflet" in html.lower()


# Rebuilt by the jobs from other records, never edited by people (and the admin cannot show a
# composite primary key).
# Derived rows nobody edits: the engines' memory of each project's blocks and places, and the database views of
# each project's place and sector totals (projects/models/totals.py).
DERIVED_WITHOUT_ADMIN = {"coordination.DuplicateBlockKey", "coordination.AlignmentPlace",
                         "projects.ProjectPlaceTotals", "projects.ProjectSectorTotals"}


@pytest.mark.django_db
def test_every_model_has_an_admin_page_that_opens(client):
    from django.apps import apps
    from django.contrib import admin

    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    force_login_verified(client, user)  # a superuser signs in with both factors
    missing = [m._meta.label for app in ("municipalities", "projects", "coordination")
               for m in apps.get_app_config(app).get_models()
               if not m._meta.label.split(".")[1].startswith("Historical") and m not in admin.site._registry
               and m._meta.label not in DERIVED_WITHOUT_ADMIN]
    assert missing == []
    for model in admin.site._registry:
        if model._meta.app_label in ("municipalities", "projects", "coordination"):
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_password_guessing_is_locked_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    factories.UserFactory(username="target", password="a-long-test-password")
    for _ in range(2):
        assert client.post(reverse("login"), {"username": "target", "password": "guess"}).status_code == 200
    # The attempt that reaches the limit is refused, or answered as a plain failure (backends differ).
    assert client.post(reverse("login"), {"username": "target", "password": "guess"}).status_code in (200, 429)
    locked = client.post(reverse("login"), {"username": "target", "password": "a-long-test-password"})
    assert locked.status_code == 429  # even the right password is refused while locked
    assert client.get(reverse("home")).status_code == 302
