"""The one choice between a record's Arabic and English text: the active language's, else the other's.

Every page, list, e-mail and document that shows a bilingual name or title goes through here, so that a
record with only one of the two still shows it and the choice never differs from one place to another.
"""

from __future__ import annotations

from django.utils.translation import get_language


def language_is_arabic(language: str | None = None) -> bool:
    """Whether ``language`` (the active one when not given; Arabic when none is active) is Arabic."""
    return (language or get_language() or "ar").startswith("ar")


def bilingual_text(arabic: str | None, english: str | None, language: str | None = None) -> str:
    """The text in ``language`` (the active one when not given), else the other; "" when both are empty."""
    first, second = (arabic, english) if language_is_arabic(language) else (english, arabic)
    return first or second or ""
