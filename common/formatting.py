"""The one formatting layer: numbers, percentages, money and dates, per language.

Every page, chart, map popup, PDF and DOCX formats figures through these functions (templates through the
``tansiq_format`` filters), so that the same figure reads the same everywhere in a language.

The choice for Arabic: Western digits (0-9), as Libya's ministries write them, grouped by three with ","
and with "." before decimals — the same separators as English, so a figure copied from an Arabic page
reads the same in an English one. Months are named (يناير ...), and a period reads "من ... إلى ..." so
it cannot flip order in a right-to-left line. Money shows its currency: the code before the amount in
English ("USD 22,200"), the currency's Arabic name after it in Arabic ("22,200 دولار أمريكي").
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from common.bilingual import language_is_arabic

EMPTY = "—"

ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
                 "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The currencies partners report in, by their Arabic names; any other shows its ISO code.
ARABIC_CURRENCIES = {
    "USD": "دولار أمريكي", "EUR": "يورو", "LYD": "دينار ليبي", "GBP": "جنيه إسترليني",
    "CHF": "فرنك سويسري", "JPY": "ين ياباني", "SEK": "كرونة سويدية", "NOK": "كرونة نرويجية",
    "DKK": "كرونة دنماركية", "CAD": "دولار كندي", "AUD": "دولار أسترالي", "KWD": "دينار كويتي",
    "AED": "درهم إماراتي", "SAR": "ريال سعودي", "QAR": "ريال قطري", "TRY": "ليرة تركية",
    "KRW": "وون كوري", "CNY": "يوان صيني",
}


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def number_format(value, decimals: int = 0, language: str | None = None) -> str:
    """``value`` grouped by thousands with ``decimals`` places ("14,463", "3.5"); "—" when unknown.
    ``language`` is accepted so every function here is called the same way; the digits and separators
    are the same in both languages (see the module's note)."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    quantum = Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    return f"{rounded:,.{decimals}f}"


def compact_number_format(value, language: str | None = None) -> str:
    """A short form for chart axes and map legends: 1.2 million, 950 thousand ("1.2 مليون")."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    arabic = language_is_arabic(language)
    size = abs(number)
    for limit, ar_word, en_word in ((Decimal(10) ** 9, "مليار", "bn"), (Decimal(10) ** 6, "مليون", "m"),
                                    (Decimal(10) ** 3, "ألف", "k")):
        if size >= limit:
            scaled = number / limit
            text = number_format(scaled, 1 if abs(scaled) < 10 else 0)
            if text.endswith(".0"):
                text = text[:-2]
            return f"{text} {ar_word}" if arabic else f"{text}{en_word}"
    return number_format(number, 0)


def percent_format(share, decimals: int = 0, language: str | None = None) -> str:
    """A share (0.372) as a percentage ("37%", "37.2%" with ``decimals=1``); "—" when unknown."""
    number = _decimal(share)
    if number is None:
        return EMPTY
    return f"{number_format(number * 100, decimals)}%"


def currency_name(code: str, language: str | None = None) -> str:
    code = (code or "").upper()
    return ARABIC_CURRENCIES.get(code, code) if language_is_arabic(language) else code


def money_format(amount, currency: str = "USD", decimals: int = 0, language: str | None = None) -> str:
    """An amount with its currency: "USD 22,200" in English, "22,200 دولار أمريكي" in Arabic."""
    number = _decimal(amount)
    if number is None:
        return EMPTY
    text = number_format(number, decimals)
    if not currency:
        return text
    if language_is_arabic(language):
        return f"{text} {currency_name(currency, language)}"
    return f"{currency.upper()} {text}"


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_format(value, language: str | None = None) -> str:
    """A date as people write it: "1 يناير 2025" / "1 Jan 2025"; "—" when unknown."""
    day = _as_date(value)
    if day is None:
        return EMPTY
    months = ARABIC_MONTHS if language_is_arabic(language) else ENGLISH_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def month_format(value, language: str | None = None) -> str:
    """A month: "يناير 2025" / "Jan 2025" (chart axes, reporting periods)."""
    day = _as_date(value)
    if day is None:
        return EMPTY
    months = ARABIC_MONTHS if language_is_arabic(language) else ENGLISH_MONTHS
    return f"{months[day.month - 1]} {day.year}"


def datetime_format(value, language: str | None = None) -> str:
    """A moment in the ministry's time zone: "1 يناير 2025، 14:05" / "1 Jan 2025, 14:05"."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
    else:
        return date_format(value, language)
    separator = "، " if language_is_arabic(language) else ", "
    return f"{date_format(moment, language)}{separator}{moment:%H:%M}"


def period_format(start, end, language: str | None = None) -> str:
    """A period that reads the right way in either direction: "من 1 يناير 2025 إلى 30 يونيو 2025" in
    Arabic (words, not a dash, between the dates), "1 Jan 2025 – 30 Jun 2025" in English. An open end
    says so ("from 1 Jan 2025")."""
    arabic = language_is_arabic(language)
    first, last = date_format(start, language), date_format(end, language)
    if first == EMPTY and last == EMPTY:
        return EMPTY
    if last == EMPTY:
        return f"من {first}" if arabic else f"from {first}"
    if first == EMPTY:
        return f"حتى {last}" if arabic else f"until {last}"
    return f"من {first} إلى {last}" if arabic else f"{first} – {last}"


_SIZE_UNITS = {"ar": ("بايت", "كيلوبايت", "ميغابايت", "غيغابايت"), "en": ("bytes", "KB", "MB", "GB")}


def filesize_format(size, language: str | None = None) -> str:
    """A file's size in bytes, in the largest unit under 1,024 of it: "512 bytes", "1.5 MB" / "1.5 ميغابايت"
    (1,024-byte units, as uploads are limited); "—" when unknown."""
    number = _decimal(size)
    if number is None:
        return EMPTY
    units = _SIZE_UNITS["ar" if language_is_arabic(language) else "en"]
    step = 0
    while abs(number) >= 1024 and step < len(units) - 1:
        number /= 1024
        step += 1
    text = number_format(number, 0 if step == 0 else 1)
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text} {units[step]}"
