import pytest
from django.utils import translation

from common.bilingual import bilingual_text, language_is_arabic


@pytest.mark.parametrize(("language", "arabic", "english", "expected"), [
    ("ar", "مرزق", "Murzuq", "مرزق"),
    ("en", "مرزق", "Murzuq", "Murzuq"),
    ("en-gb", "مرزق", "Murzuq", "Murzuq"),
    ("ar", "", "Murzuq", "Murzuq"),       # only one of the two: it is shown in either language
    ("en", "مرزق", "", "مرزق"),
    ("en", None, None, ""),
])
def test_the_active_language_first_then_the_other(language, arabic, english, expected):
    with translation.override(language):
        assert bilingual_text(arabic, english) == expected


def test_an_explicit_language_wins_over_the_active_one():
    with translation.override("ar"):
        assert bilingual_text("مرزق", "Murzuq", "en") == "Murzuq"
        assert language_is_arabic() and not language_is_arabic("en")


def test_every_bilingual_record_uses_the_same_choice(db):
    from tests import factories

    project = factories.ProjectFactory(title_ar="مشروع المياه", title_en="")
    with translation.override("en"):
        assert str(project) == "مشروع المياه"
    municipality = factories.MunicipalityFactory(name_ar="مرزق", name_en="Murzuq")
    with translation.override("en"):
        assert str(municipality) == "Murzuq"
    with translation.override("ar"):
        assert str(municipality) == "مرزق"
