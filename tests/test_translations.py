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


# Where the project's messages are: every app and the templates; not the tests, the virtualenv or node_modules.
SOURCE_SKIP = {".venv", "node_modules", "tests", "locale", "var", "static", ".git", "__pycache__", "scripts"}


def test_every_message_in_the_code_is_in_the_catalogue_with_arabic(tmp_path, settings, monkeypatch):
    """A string marked for translation in a template or in Python that never reached the catalogue shows in
    English on an Arabic page. Extract today's messages with makemessages (xgettext) from a copy of the
    sources into a temporary locale folder (the real catalogue is never written) and ask each for an Arabic
    translation in the real catalogue."""
    import shutil

    from django.core.management import call_command

    root = LOCALE.parents[2]
    copy = tmp_path / "src"
    copy.mkdir()
    for child in root.iterdir():
        if child.name in SOURCE_SKIP or child.name.startswith("."):
            continue
        if child.is_dir():
            shutil.copytree(child, copy / child.name, symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "migrations", "node_modules"))
        elif child.suffix == ".py":
            shutil.copy(child, copy / child.name)
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [str(copy / "locale")]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["ar"], domain="django", verbosity=0, no_obsolete=True,
                 ignore_patterns=["tests/*", ".venv/*", "node_modules/*"])
    extracted = polib.pofile(str(copy / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 100
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    translated = {(e.msgctxt, e.msgid) for e in catalogue if e.translated() and not e.obsolete}
    missing = sorted({f"{e.msgid}  ({e.occurrences[0][0] if e.occurrences else '?'})" for e in extracted
                      if (e.msgctxt, e.msgid) not in translated})
    assert missing == [], "\n".join(missing)
