"""Arabic first: every message in the catalogue has an Arabic translation."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "ar" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django"])
def test_every_message_is_translated_to_arabic(domain):
    catalogue = polib.pofile(str(LOCALE / f"{domain}.po"))
    assert len(catalogue) > 100
    untranslated = [entry.msgid for entry in catalogue if not entry.translated() and not entry.obsolete]
    assert untranslated == []


def test_arabic_translations_are_arabic_script():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    for entry in catalogue.translated_entries():
        for text in list(entry.msgstr_plural.values()) or [entry.msgstr]:
            assert any("\u0600" <= ch <= "\u06ff" for ch in text), entry.msgid
