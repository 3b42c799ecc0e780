"""The title search reads the stored folded titles (``Project.search_text``): kept current on save, and the
same projects found as the letter-class regex over the titles that it replaced."""

from __future__ import annotations

import pytest
from django.db.models import Q

from common.text import words
from projects.models import Project
from projects.models.projects import project_search_text
from projects.selectors.projects import _search_pattern, project_title_search
from tests import factories

pytestmark = pytest.mark.django_db

TITLES = [
    ("إعادة تأهيل شبكة الكهرباء في مرزق", "Rehabilitation of the electricity network in Murzuq"),
    ("اعاده تاهيل مدرسة الأمل", ""),
    ("صيانة المستشفى العام", "Hospital maintenance"),
    ("دعم سُبُل العيش للأسر النازحة", "Livelihoods for displaced families"),
    ("", "Children's schools: re-habilitating classrooms"),
    ("مشروع المياه والصرف الصحي", "Water & sanitation (WASH)"),
    ("إنشاء مبنى البلديـــة", "Café for the Municipality's youth"),
]
QUERIES = ["تأهيل", "اعادة تاهيل", "مدرسه", "الامل", "المياه", "سبل العيش", "البلدية", "rehabilitation",
           "schools", "children's", "water sanitation", "wash", "hospital", "murzuq network", "municipality",
           "cafe", "مرزق electricity", "النازحه", "xyz", "صيانه", "family"]


def _regex_search(projects, text):
    """The search before the stored column: each word's letter-class pattern over either title."""
    found = [w for w in words(text) if not w.stop] or list(words(text))
    titles = Q()
    for word in found:
        pattern = _search_pattern(word)
        titles &= Q(title_ar__iregex=pattern) | Q(title_en__iregex=pattern)
    return projects.filter(titles | Q(iati_identifier__icontains=text) | Q(partner_code__icontains=text))


@pytest.fixture
def titled():
    return [factories.ProjectFactory(title_ar=ar, title_en=en) for ar, en in TITLES]


def test_search_text_is_kept_current_on_save(titled):
    project = titled[0]
    assert Project.objects.get(pk=project.pk).search_text == project_search_text(project.title_ar, project.title_en, project.iati_identifier,
                                                                                 project.partner_code)
    assert "اعاده تاهيل شبكه الكهربا في مرزق" in project.search_text and "rehabilitation" in project.search_text
    project.title_en = "Solar lights"
    project.save(update_fields=["title_en"])
    stored = Project.objects.get(pk=project.pk).search_text
    assert "solar lights" in stored and "rehabilitation" not in stored
    assert list(project_title_search(Project.objects.all(), "solar")) == [project]


# Where the folded text finds more than the regex did: accents on Latin letters ("Café").
FINDS_MORE = {"cafe"}


@pytest.mark.parametrize("query", QUERIES)
def test_same_projects_as_the_regex_search(titled, query):
    projects = Project.objects.all()
    before = set(_regex_search(projects, query).values_list("pk", flat=True))
    now = set(project_title_search(projects, query).values_list("pk", flat=True))
    if query in FINDS_MORE:
        assert now > before
    else:
        assert now == before


def test_searches_find_what_they_should(titled):
    def found(query):
        return {p.title_ar or p.title_en for p in project_title_search(Project.objects.all(), query)}
    assert found("اعادة تاهيل") == {TITLES[0][0], TITLES[1][0]}  # hamza and ta marbuta folded
    assert found("سبل") == {TITLES[3][0]}  # diacritics in the title
    assert found("البلدية") == {TITLES[6][0]}  # tatweel in the title
    assert found("rehabilitation") == {TITLES[0][0]}  # "re-habilitating" is not the same word
    assert found("cafe") == {TITLES[6][0]}
    assert found("xyz") == set()


def test_a_word_does_not_match_across_the_two_titles():
    factories.ProjectFactory(title_ar="كهرباء", title_en="network")
    assert not project_title_search(Project.objects.all(), "كهرباءnetwork").exists()


def test_the_review_queue_search_reads_the_folded_titles(personas):
    from projects.models import ReviewState
    from projects.selectors.projects import review_queue

    submitted = factories.ProjectFactory(title_ar="إعادة تأهيل مدرسة", title_en="", state=ReviewState.SUBMITTED,
                                         submitted_at="2025-01-01T10:00:00Z")
    factories.ProjectFactory(title_ar="إعادة تأهيل مدرسة", title_en="", state=ReviewState.DRAFT)
    rows = list(review_queue(personas["ministry_analyst"], search="اعادة تاهيل مدرسه"))
    assert [(row["kind"], row["item_id"]) for row in rows] == [("project", submitted.pk)]
    assert list(review_queue(personas["ministry_analyst"], search="كهرباء")) == []


@pytest.mark.parametrize("query", ["41114-q7", "XM-DAC-41114", "undp/2025", "2025/07", "UNDP/2025/08", "مدرسة"])
def test_identifiers_and_codes_as_before(titled, query):
    factories.ProjectFactory(title_ar="مدرسة", title_en="", iati_identifier="XM-DAC-41114-Q7",
                             partner_code="UNDP/2025/07")
    projects = Project.objects.all()
    before = set(_regex_search(projects, query).values_list("pk", flat=True))
    now = set(project_title_search(projects, query).values_list("pk", flat=True))
    assert now == before
    assert bool(now) == (query != "UNDP/2025/08")
