"""The gazetteer: look-up keys, resolution (variants, cross-script, fuzzy, ambiguity), the reference load of place
names, the importers' use of it, and the staff page of unresolved names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from municipalities.gazetteer import (
    AMBIGUOUS,
    RESOLVED,
    UNRESOLVED,
    Entry,
    GazetteerIndex,
    gazetteer,
    place_keys,
    place_misses_collected,
)
from municipalities.models import Municipality, PlaceName, UnresolvedPlace
from municipalities.place_services import unresolved_place_resolve, unresolved_places_record
from municipalities.reference_load import reference_load_place_names

# --- keys (pure) ---------------------------------------------------------------------------------------------

VARIANTS = [
    ("Janzour", "Janzur"), ("Edri", "Idri"), ("Azzintan", "Zintan"), ("Ghiryan", "Gharyan"),
    ("Ejdabia", "Ajdabiya"), ("Toukra", "Tokra"), ("Algatroun", "Al Qatrun"), ("Suq Aljumaa", "Souq Al Juma"),
    ("Misratah", "Misrata"), ("Al-Kufrah", "Kufra"), ("Ghât", "Ghat"), ("El Abyar", "Al-Abyar"),
]


@pytest.mark.parametrize(("one", "other"), VARIANTS)
def test_transliteration_variants_share_the_variant_key(one, other):
    assert place_keys(one).variant == place_keys(other).variant


def test_keys_tell_different_places_apart():
    assert place_keys("Zintan").variant != place_keys("Zliten").variant
    assert place_keys("Sabha").variant != place_keys("Sabratha").variant
    assert place_keys("").__class__ is type(None) and place_keys("  -- ") is None


def test_arabic_and_latin_meet_on_the_skeleton():
    assert place_keys("جنزور").skeleton == place_keys("Janzour").skeleton == "jnzr"
    assert place_keys("أبوسليم").skeleton == place_keys("Abu Salim").skeleton
    assert place_keys("زوارة").skeleton == place_keys("Zuwara").skeleton
    assert place_keys("إدري").skeleton == place_keys("Idri").skeleton
    assert place_keys("الزنتان").variant == place_keys("زنتان").variant  # the article is dropped


# --- resolution (pure) ---------------------------------------------------------------------------------------

ABU_SALIM, JANZOUR, ZINTAN, ZLITEN, SOUQ, TRIPOLI = 1, 2, 3, 4, 5, 6


def _index(*extra: Entry) -> GazetteerIndex:
    return GazetteerIndex([
        Entry("Abu Salim", ABU_SALIM), Entry("أبو سليم", ABU_SALIM),
        Entry("Janzur", JANZOUR),
        Entry("Zintan", ZINTAN), Entry("الزنتان", ZINTAN),
        Entry("Zliten", ZLITEN), Entry("زليتن", ZLITEN),
        Entry("Suq al-Jumua", SOUQ),
        Entry("Tripoli Center", TRIPOLI), Entry("Tripoli", TRIPOLI, 2),
        *extra,
    ], pcodes={"LY021105": ABU_SALIM})


@pytest.mark.parametrize(("name", "expected", "step"), [
    ("Abu Salim", ABU_SALIM, "exact"), ("ABU-SALIM", ABU_SALIM, "exact"), ("ly021105", ABU_SALIM, "pcode"),
    ("Janzour", JANZOUR, "variant"), ("Azzintan", ZINTAN, "variant"), ("Suq Aljumaa", SOUQ, "variant"),
    ("Abusliem", ABU_SALIM, "fuzzy"), ("جنزور", JANZOUR, "skeleton"), ("Tripoli", TRIPOLI, "exact"),
    ("Zlitan", ZLITEN, "variant"),
])
def test_names_resolve_to_their_municipality(name, expected, step):
    found = _index().resolve(name)
    assert (found.status, found.municipality_id, found.step) == (RESOLVED, expected, step)
    assert 0.8 <= found.confidence <= 1.0


def test_a_name_two_municipalities_share_is_ambiguous_with_both_suggested():
    index = _index(Entry("Al Jadida", ZINTAN), Entry("Al-Jadida", ZLITEN))
    found = index.resolve("Jadida")
    assert found.status == AMBIGUOUS and found.municipality_id is None
    assert {c.municipality_id for c in found.candidates} == {ZINTAN, ZLITEN}


def test_an_unknown_name_is_unresolved_and_unlike_names_are_not_guessed():
    index = _index()
    for name in ("Atlantis", "Beirut", "Libya", "Algeria"):
        assert index.resolve(name).status == UNRESOLVED, name


def test_staff_names_outrank_the_places_inside_municipalities():
    index = _index(Entry("Souq", SOUQ, 2), Entry("Souq", TRIPOLI, 2))
    assert index.resolve("Souq").status == AMBIGUOUS
    index = _index(Entry("Souq", SOUQ, 2), Entry("Souq", TRIPOLI, 2), Entry("Souq", SOUQ, 0))
    assert (index.resolve("Souq").status, index.resolve("Souq").municipality_id) == (RESOLVED, SOUQ)


def test_a_fuzzy_match_on_a_village_name_is_only_suggested():
    index = _index(Entry("Bir al-Ghanam", ZINTAN, 2))
    found = index.resolve("Bir al Ghanem")  # a variant of a village's name: found by key
    assert found.status == RESOLVED and found.municipality_id == ZINTAN
    found = index.resolve("Bir al-Ghanan")
    assert found.status == UNRESOLVED and found.candidates[0].municipality_id == ZINTAN


# --- the reference load and the resolver on the real fixture -------------------------------------------------


@pytest.fixture
def reference(db):
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)


ISSUE_VARIANTS = [
    ("Janzour", "janzour"), ("Janzur", "janzour"), ("Abu Salim", "abu-salim"), ("Abusliem", "abu-salim"),
    ("Edri", "idri-al-shati"), ("Idri", "idri-al-shati"), ("Azzintan", "zintan"), ("Ghiryan", "gharyan"),
    ("Ejdabia", "ajdabiya"), ("Toukra", "tukrah"), ("Algatroun", "qatrun"), ("Suq Aljumaa", "souq-al-juma"),
    ("Souq al Jumaa", "souq-al-juma"), ("زوارة", "zuwara"), ("Zwara", "zuwara"), ("Tripoli", "tripoli-center"),
    ("Ghât", "ghat"), ("Al Kufrah", "kufra"), ("Sebha", "sabha"), ("LY021104", "tripoli-center"),
]


@pytest.mark.parametrize(("name", "slug"), ISSUE_VARIANTS)
def test_the_issues_spellings_resolve_on_the_fixture(reference, name, slug):
    found = gazetteer().resolve(name)
    assert found.status == RESOLVED, (name, found)
    assert Municipality.objects.get(pk=found.municipality_id).slug == slug


def test_place_names_are_loaded_from_every_source_and_reloading_writes_nothing(reference):
    sources = set(PlaceName.objects.values_list("source", flat=True))
    assert sources == {"ocha", "ocha_alt", "ministry", "geonames"}
    assert PlaceName.objects.filter(source="ocha_alt", name="Azzintan", municipality__slug="zintan").exists()
    town = PlaceName.objects.get(source="geonames", name="Misratah")  # a town tied to its municipality by name
    assert town.municipality.slug == "misrata" and town.point is not None and town.kind == "town"
    # a GeoNames place is tied to a municipality of the district its point lies in
    wrong = [p.name for p in PlaceName.objects.filter(source="geonames").select_related("municipality__district")
             if p.point is not None and p.municipality.district.area is not None
             and not p.municipality.district.area.buffer(0.05).contains(p.point)]
    assert wrong == []
    again = reference_load_place_names()
    assert (again["created"], again["updated"], again["removed"]) == (0, 0, 0)


def test_the_index_is_rebuilt_when_names_change(reference, personas):
    index = gazetteer()
    assert gazetteer() is index  # cached while nothing changes
    assert index.resolve("Qasr al-Tajriba").status != RESOLVED
    PlaceName.objects.create(name="Qasr al-Tajriba", script="latin", key="x", source="staff",
                             municipality=Municipality.objects.get(slug="zintan"))
    found = gazetteer().resolve("Qasr al-Tajriba")
    assert found.status == RESOLVED and Municipality.objects.get(pk=found.municipality_id).slug == "zintan"


# --- importers --------------------------------------------------------------------------------------------


def _iati(*names: str) -> bytes:
    locations = "".join(f"<location><name><narrative>{n}</narrative></name></location>" for n in names)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03"><iati-activity default-currency="USD">
 <iati-identifier>XM-DAC-41114-GAZ-1</iati-identifier>
 <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
 <title><narrative>Water network rehabilitation</narrative></title>
 <participating-org ref="XM-DAC-41114" role="4"><narrative>UNDP</narrative></participating-org>
 <activity-status code="2"/><activity-date iso-date="2024-01-01" type="1"/>
 <recipient-country code="LY" percentage="100"/>{locations}
 <sector vocabulary="1" code="14030"/>
</iati-activity></iati-activities>""".encode()


def test_the_iati_importer_places_ocha_spellings_and_reports_the_rest(reference, english):
    from projects.exchange.services.iati_import import iati_import
    from projects.models import Project

    with place_misses_collected() as misses:
        iati_import(files=[("gaz.xml", _iati("Azzintan", "Toukra", "Atlantis Oasis"))])
    project = Project.objects.get(iati_identifier="XM-DAC-41114-GAZ-1")
    assert sorted(project.locations.values_list("municipality__slug", flat=True)) == ["tukrah", "zintan"]
    assert [resolution.name for resolution, _count in misses.values()] == ["Atlantis Oasis"]


def test_the_real_sdc_sample_imports_and_names_no_place_to_resolve(reference, english):
    from projects.exchange.services.iati_import import iati_import, iati_load_files
    from tests.projects.exchange.support import CH4_SAMPLE

    with place_misses_collected() as misses:
        report = iati_import(files=iati_load_files([CH4_SAMPLE]))
    # SDC gives only the recipient country for its 6 activities: no location, so no name to place or report
    assert report.created == 6 and misses == {}
    assert all(any("no sub-national location" in item for item in a.unmapped) for a in report.activities)


def test_the_spreadsheet_resolver_uses_the_gazetteer(reference):
    from projects.exchange.selectors.matching import Resolver

    resolver = Resolver()
    assert resolver.municipality_by_name("Ghiryan").slug == "gharyan"
    assert resolver.municipality_by_name("غريان").slug == "gharyan"
    assert resolver.municipality_by_name("Nowhere-on-Sea") is None


def test_the_needs_import_takes_names_and_reports_those_it_cannot_place(reference):
    from municipalities.models import Need
    from municipalities.needs_import import NeedsImportError, needs_import

    good = b"municipality,sector,severity,source,date\nAzzintan,health,4,REACH,2024-03-01\n"
    report = needs_import(data=good)
    assert Need.objects.get().municipality.slug == "zintan" and report.municipality_ids
    bad = b"municipality,sector,severity,source,date\nNowhere-on-Sea,health,4,REACH,2024-03-01\n"
    with pytest.raises(NeedsImportError):
        needs_import(data=bad)
    row = UnresolvedPlace.objects.get()
    assert (row.name, row.status, row.count, row.source) == ("Nowhere-on-Sea", "unresolved", 1, "needs")


def test_the_import_check_records_names_with_the_job(reference, personas, english,
                                                     django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.exchange.services.jobs import import_job_create
    from projects.models import ImportJob

    upload = SimpleUploadedFile("gaz.xml", _iati("Atlantis Oasis", "Zintan"), content_type="application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(user=personas["ministry_admin"], kind=ImportJob.Kind.IATI, upload=upload)
    row = UnresolvedPlace.objects.get()
    assert (row.name, row.job_id, row.source) == ("Atlantis Oasis", job.pk, "iati")


# --- the report and the staff page ---------------------------------------------------------------------------


def _miss(name: str):
    return {f"latin:{place_keys(name).exact}": (gazetteer().resolve(name), 2)}


def test_recording_adds_counts_and_keeps_a_resolution(reference, personas):
    unresolved_places_record(misses=_miss("Bir Atlantis"), source="iati", job_id=None)
    unresolved_places_record(misses=_miss("Bir Atlantis"), source="iati", job_id=None)
    row = UnresolvedPlace.objects.get()
    assert row.count == 4 and row.status == "unresolved"
    zintan = Municipality.objects.get(slug="zintan")
    unresolved_place_resolve(place=row, municipality=zintan, user=personas["ministry_analyst"])
    unresolved_places_record(misses=_miss("Bir Atlantis X"), source="iati", job_id=None)
    row.refresh_from_db()
    assert row.status == "resolved" and row.resolved_to == zintan
    assert gazetteer().resolve("Bir Atlantis").municipality_id == zintan.pk


@pytest.mark.parametrize(("persona", "status"), [
    ("ministry_admin", 200), ("ministry_analyst", 200), ("rapporteur", 403), ("undp_focal_point", 403),
    ("viewer", 403),
])
def test_the_staff_page_is_for_analysts_and_administrators(reference, client_for, persona, status):
    unresolved_places_record(misses=_miss("Bir Atlantis"), source="iati")
    response = client_for(persona, "ar").get(reverse("unresolved_place_list"))
    assert response.status_code == status
    row = UnresolvedPlace.objects.get()
    response = client_for(persona, "ar").post(reverse("unresolved_place_resolve", args=[row.pk]),
                                              {"municipality": Municipality.objects.get(slug="zintan").pk})
    row.refresh_from_db()
    assert (row.status == "resolved") == (status == 200)
    assert PlaceName.objects.filter(source="staff").exists() == (status == 200)


def test_the_staff_page_lists_names_with_suggestions_in_arabic_rtl(reference, client_for,
                                                                   django_assert_max_num_queries):
    unresolved_places_record(misses=_miss("Ghiryanx"), source="iati")
    unresolved_places_record(misses=_miss("Bir Atlantis"), source="3w")
    client = client_for("ministry_analyst", "ar")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("unresolved_place_list"))
    text = response.content.decode()
    assert 'dir="rtl"' in text
    assert "Ghiryanx" in text and "Bir Atlantis" in text
    assert "غريان" in text  # the suggestion for Ghiryanx, in Arabic
    assert "أسماء أماكن لم تُحدَّد" in text  # the page's title, translated


# --- the API's place look-up -------------------------------------------------------------------------------


def test_the_api_resolves_names_with_candidates(reference, client_for, django_assert_max_num_queries):
    client = client_for("undp_focal_point", "en", api=True)
    url = reverse("api:place-resolve")
    with django_assert_max_num_queries(6):
        response = client.get(url, {"name": ["Azzintan", "زوارة", "Atlantis Oasis"]})
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert rows["Azzintan"]["status"] == "resolved" and rows["Azzintan"]["municipality"]["slug"] == "zintan"
    assert rows["زوارة"]["municipality"]["slug"] == "zuwara"
    assert rows["Atlantis Oasis"]["status"] == "unresolved" and rows["Atlantis Oasis"]["municipality"] is None
    assert client.get(url).status_code == 400
    assert client_for("anonymous", "en", api=True).get(url, {"name": "Zintan"}).status_code in (401, 403)


def test_the_duplicate_engine_takes_place_names_from_the_gazetteer(reference):
    from coordination.selectors.duplicates import municipality_place_names

    names = municipality_place_names()
    zintan = Municipality.objects.get(slug="zintan")
    assert names[zintan.pk][:2] == [zintan.name_en, zintan.name_ar]
    assert "Azzintan" in names[zintan.pk] and "zintan" not in names[zintan.pk]  # the OCHA spelling, not the key


def test_a_name_staff_resolve_is_placed_when_the_job_is_checked_again(reference, personas, english,
                                                                      django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.exchange.services.jobs import import_job_recheck
    from projects.models import ImportJob

    admin = personas["ministry_admin"]
    upload = SimpleUploadedFile("gaz.xml", _iati("Atlantis Oasis"), content_type="application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create_for(admin, upload)
    job.refresh_from_db()
    assert any("Atlantis Oasis" in w["message"] for w in job.preview["warnings"])
    unresolved_place_resolve(place=UnresolvedPlace.objects.get(), municipality=Municipality.objects.get(
        slug="zintan"), user=personas["ministry_analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        import_job_recheck(job=job, user=admin)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert not any("Atlantis Oasis" in w["message"] for w in job.preview["warnings"])
    assert UnresolvedPlace.objects.get().status == "resolved"


def import_job_create_for(user, upload):
    from projects.exchange.services.jobs import import_job_create
    from projects.models import ImportJob

    return import_job_create(user=user, kind=ImportJob.Kind.IATI, upload=upload)
