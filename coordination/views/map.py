"""The map of municipalities: the page, and its four JSON answers (shapes, figures, sites, duplicate pairs).

Every figure and label arrives formatted by the server (``common.formatting``): the page's script only places
text. The shapes are the same for everyone and change only with the boundaries, so they are cached under
their version and revalidated by ETag; the rest depend on the reader and the filters and are computed per
request, from the projects the reader may count.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.bilingual import bilingual_text, language_is_arabic
from common.formatting import EMPTY, date_format, datetime_format, money_format, number_format, percent_format
from common.geojson import WEB_DECIMALS
from coordination.analysis.map_classes import Classification, MapClass, classify
from coordination.map_forms import MEASURE_LABELS, MapFilterForm, MapViewForm
from coordination.selectors.map import MEASURE_SCALES, MapFigures, map_duplicate_pairs, map_figures, map_sites
from municipalities.selectors import district_outlines_geojson, municipality_geojson, municipality_shapes_version

SHAPES_CACHE_SECONDS = 6 * 3600
GEOJSON = "application/geo+json; charset=utf-8"


@login_required
def municipality_map(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET or None)
    form.is_valid()  # a bad value shows beside its field; the map's script reads what the form holds
    return render(request, "coordination/map.html", {
        "form": form, "tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        "municipality_file_url": reverse("municipality_file", args=["SLUG"]),
    })


@login_required
def municipalities_geojson(request: HttpRequest) -> HttpResponse:
    """Every municipality's shape (its area simplified, else its point) and the district outlines."""
    etag = f'"shapes-{municipality_shapes_version()}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return HttpResponseNotModified(headers=headers)

    def build() -> bytes:
        body = municipality_geojson()
        body["districts"] = district_outlines_geojson()
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    body = cache.get_or_set(f"tansiq:map-shapes:{etag}", build, SHAPES_CACHE_SECONDS)
    return HttpResponse(body, content_type=GEOJSON, headers=headers)


def _bad_request(form: MapFilterForm) -> JsonResponse:
    fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    return JsonResponse({"error": _("Some filters have values the map does not know."), "fields": fields},
                        status=400)


def _range(low: str, high: str) -> str:
    if low == high:
        return low
    # Arabic says "from … to …": a dash between two figures flips them in a right-to-left line.
    return _("%(low)s – %(high)s") % {"low": low, "high": high}


def _value_text(measure: str, value: float | None) -> str:
    if value is None:
        return EMPTY
    if measure == "usd_per_capita":
        return money_format(value, "USD", decimals=2)
    if measure == "gap_score":
        return number_format(value, 2)
    if measure == "aligned_share":
        return percent_format(value)
    return number_format(value)


def _class_label(measure: str, c: MapClass, previous: MapClass | None) -> str:
    if c.key == "none":
        return _("No data")
    if c.key == "zero":
        return number_format(0)
    scale = MEASURE_SCALES[measure]
    if scale == "share":
        return _range(percent_format(c.low), percent_format(c.high))
    decimals = 2 if scale in ("amount", "score") else 0
    if scale == "count" and previous is not None and previous.high is not None:
        low = previous.high + 1  # counts are whole: the class starts after the previous one's top
    else:
        low = c.low
    return _range(number_format(low, decimals), number_format(c.high, decimals))


def _legend(measure: str, classification: Classification) -> list[dict[str, Any]]:
    legend, previous = [], None
    for c in classification.classes:
        if c.key == "none" and c.count == 0:
            continue
        legend.append({"key": c.key, "css": "map-fill-none" if c.step is None else f"map-fill-{c.step}",
                       "label": _class_label(measure, c, previous if previous and previous.key != "zero" else None),
                       "count": c.count, "count_text": number_format(c.count)})
        previous = c
    return legend


def _figures_body(figures: MapFigures) -> dict[str, Any]:
    measure = figures.measure
    classification = classify(figures.values, scale=MEASURE_SCALES[measure])
    legend = _legend(measure, classification)
    css = {item["key"]: item["css"] for item in legend}
    css.setdefault("none", "map-fill-none")
    rows = {}
    for m in figures.municipalities:
        value = figures.values.get(m["id"])
        active = figures.active.get(m["id"], 0)
        rows[m["slug"]] = {
            "name": bilingual_text(m["name_ar"], m["name_en"]), "pcode": m["pcode"] or "",
            "value_text": _value_text(measure, value), "css": css[classification.assigned.get(m["id"], "none")],
            "unreached": active == 0, "url": reverse("municipality_file", args=[m["slug"]]),
        }
    reached = sum(1 for m in figures.municipalities if figures.active.get(m["id"], 0) > 0)
    summary = [
        {"key": "projects", "label": _("Projects"), "text": number_format(figures.projects)},
        {"key": "active_projects", "label": _("Active projects"), "text": number_format(figures.active_projects)},
        {"key": "reached", "label": _("Municipalities reached"), "text": number_format(reached)},
        {"key": "unreached", "label": _("Municipalities not reached"),
         "text": number_format(len(figures.municipalities) - reached)},
    ]
    notes = [_("Active on %(day)s.") % {"day": date_format(figures.on)}]
    if figures.as_of is not None:
        notes.append(_("Figures as of %(time)s (stored by the last analysis run).")
                     % {"time": datetime_format(figures.as_of)})
    if figures.unconverted:
        notes.append(_("Budgets in %(currencies)s are left out: no exchange rate is set for them.")
                     % {"currencies": ", ".join(sorted(figures.unconverted))})
    return {"measure": measure, "measure_label": str(MEASURE_LABELS[measure]), "on": figures.on.isoformat(),
            "as_of": figures.as_of.isoformat() if figures.as_of else None, "legend": legend, "summary": summary, "notes": notes,
            "municipalities": rows}


@login_required
def map_figures_json(request: HttpRequest) -> JsonResponse:
    """The chosen measure's figure per municipality, its legend and the counts, given the filters."""
    form = MapFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    figures = map_figures(request.user, form.map_filters(), measure=form.cleaned_data["measure"])
    return JsonResponse(_figures_body(figures), json_dumps_params={"ensure_ascii": False})


def _geojson(features: list[dict[str, Any]], **members: Any) -> HttpResponse:
    body = {"type": "FeatureCollection", "features": features, **members}
    return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")), content_type=GEOJSON)


@login_required
def map_sites_geojson(request: HttpRequest) -> HttpResponse:
    """The selected projects' sites in view, each one; or, when too many to list, grid cells with their count
    (``properties.count``), which the page draws as numbered circles (``coordination.selectors.map.map_sites``)."""
    form, view = MapFilterForm(request.GET), MapViewForm(request.GET)
    if not form.is_valid() or not view.is_valid():
        form.is_valid()
        for name, errors in view.errors.items():
            form.errors[name] = errors
        return _bad_request(form)
    features = []
    # Read once for thousands of sites: the language, and the project's address with its id put in.
    language = "ar" if language_is_arabic() else "en"
    project_url = reverse("project_detail", args=[0]).replace("/0/", "/{}/")
    found = map_sites(request.user, form.map_filters(), bbox=view.cleaned_data["bbox"],
                      zoom=view.cleaned_data["zoom"])
    for site in found.sites:
        features.append({"type": "Feature", "id": site["id"], "geometry": _point(site["x"], site["y"]), "properties": {
            "name": bilingual_text(site["name_ar"], site["name_en"], language),
            "project": bilingual_text(site["project_title_ar"], site["project_title_en"], language),
            "url": project_url.format(site["project_id"]),
        }})
    for cell in found.cells:
        features.append({"type": "Feature", "id": f"cell:{cell['key']}", "geometry": _point(cell["x"], cell["y"]),
                         "properties": {"count": cell["count"], "count_text": number_format(cell["count"])}})
    return _geojson(features, total=found.total, clustered=found.clustered)


def _point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(x, WEB_DECIMALS), round(y, WEB_DECIMALS)]}


@login_required
def map_duplicates_geojson(request: HttpRequest) -> HttpResponse:
    """Open duplicate pairs as a line between the two projects' points (a point when they share it)."""
    form = MapFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    features = []
    pair_url = f"{reverse('duplicate_list')}{{}}/"  # the pair's own page (coordination/duplicates/<pk>/)
    found = map_duplicate_pairs(request.user, form.map_filters())
    for pair in found.pairs:
        a, b = _point(*pair["a"]), _point(*pair["b"])
        same = a["coordinates"] == b["coordinates"]
        geometry = a if same else {"type": "LineString", "coordinates": [a["coordinates"], b["coordinates"]]}
        features.append({"type": "Feature", "id": pair["id"], "geometry": geometry, "properties": {
            "title_a": bilingual_text(pair["title_a_ar"], pair["title_a_en"]),
            "title_b": bilingual_text(pair["title_b_ar"], pair["title_b_en"]),
            "score_text": number_format(pair["score"], 2),
            "url": pair_url.format(pair["id"]),
        }})
    return _geojson(features, total=found.total)
