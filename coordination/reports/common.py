"""What the report builders share: the running texts (ministry, page numbers, when generated), link and flag
labels, and small formatting helpers over ``common.formatting``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.formatting import EMPTY, date_format, datetime_format, money_format, number_format
from coordination.reports.document import Document, MapFigure
from coordination.reports.svg_map import MapPlace, municipalities_map_svg


def new_document(language: str, title: str, subtitle: str = "", *, generated_at: dt.datetime | None = None) -> Document:
    """A document with the ministry's name in the header and "Generated …" and "Page n of N" in the footer.
    Call inside ``translation.override(language)``."""
    moment = generated_at or timezone.now()
    return Document(language=language, title=title, subtitle=subtitle, header=pgettext("report", "Ministry of Local Government"),
                    footer=_("Generated %(moment)s") % {"moment": datetime_format(moment, language)},
                    page_label=pgettext("report footer", "Page"), of_label=pgettext("report footer", "of"))


def link_kind_label(kind: str) -> str:
    return {
        "municipality": pgettext("report", "Municipality"), "project": pgettext("report", "Project"), "partner": pgettext("report", "Partner"), "sector": pgettext("report", "Sector"),
        "objective": pgettext("report", "Plan objective"), "duplicate": pgettext("report", "Duplicate flag"), "gap": pgettext("report", "Gap flag"),
        "delay": pgettext("report", "Delay flag"),
    }.get(kind, kind)


def joined(items: Iterable[str], language: str, *, strong: bool = False) -> str:
    """Items in a line: "a, b" / "a; b", with the Arabic comma and semicolon (، ؛) in Arabic."""
    arabic = language.startswith("ar")
    separator = ("؛ " if arabic else "; ") if strong else ("، " if arabic else ", ")
    return separator.join(i for i in items if i)


def links_text(links: Iterable[dict[str, Any]], language: str) -> str:
    """"Municipality: Murzuq; Project: …" — the records an item, decision or action is about."""
    return joined((f"{link_kind_label(link.get('kind', ''))}: {link.get('label', '')}" for link in links or ()),
                  language, strong=True)


def num(value: Any, language: str, decimals: int = 0) -> str:
    return number_format(value, decimals, language)


def usd(value: Any, language: str) -> str:
    return money_format(value, "USD", 0, language)


def day(value: Any, language: str) -> str:
    return date_format(value, language)


def yes_no(value: bool | None) -> str:
    if value is None:
        return EMPTY
    return pgettext("report", "yes") if value else pgettext("report", "no")


def time_text(start: dt.time | None, end: dt.time | None, language: str) -> str:
    """"10:00–12:30"; in Arabic "من 10:00 إلى 12:30" (words, as ``period_format`` does, so that the two
    times cannot swap places in a right-to-left line)."""
    if start and end:
        if language.startswith("ar"):
            return f"من {start:%H:%M} إلى {end:%H:%M}"
        return f"{start:%H:%M}–{end:%H:%M}"
    return f"{start:%H:%M}" if start else ""


def places_map(places: Sequence[dict[str, Any]], *, language: str, outlines: Sequence[dict[str, Any]] = (),
               context_points: Sequence[tuple[float, float]] = (), caption: str = "") -> MapFigure:
    """The map block for ``places`` (dicts of name, geometry, point as from ``report_map_places``)."""
    rtl = language.startswith("ar")
    numbered = [MapPlace(number=str(i), name=p["name"], geometry=p.get("geometry"),
                         point=tuple(p["point"]) if p.get("point") else None) for i, p in enumerate(places, start=1)]
    title = pgettext("report", "Map of the municipalities")
    kwargs = {"outlines": outlines, "context_points": context_points, "title": title, "rtl": rtl,
              "empty_text": pgettext("report", "No place to show on the map")}
    return MapFigure(svg=municipalities_map_svg(numbered, **kwargs), legend=[(m.number, m.name) for m in numbered], caption=caption)
