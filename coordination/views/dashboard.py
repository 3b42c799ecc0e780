"""The ministry's dashboard: headline figures, open flags and four charts, for a period, sector and partner."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.bilingual import bilingual_text, language_is_arabic
from common.formatting import compact_number_format, number_format, percent_format
from common.svg_charts import ChartItem, bar_chart, column_chart
from coordination.dashboard_forms import DashboardFilterForm, period_label
from coordination.selectors.dashboard import (
    DashboardFilters,
    dashboard_figures,
    dashboard_names,
    dashboard_period_years,
)
from projects.models import ActivityStatus

MAX_QUARTERS = 24  # beyond this many quarters the chart over time counts years
ALIGNMENT_PARTNERS = 15  # partners in the alignment chart (the most money first)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None, years=dashboard_period_years(request.user))
    filters = form.filters()
    figures = dashboard_figures(request.user, filters, today=timezone.localdate())
    return render(request, "coordination/home.html", {
        "form": form, "filters": filters, "overview": figures,
        "charts": _charts(figures, filters, request.GET),
        "filtered": filters != DashboardFilters(),
    })


def _with(query: QueryDict, **values: str) -> str:
    """The dashboard's URL with these filter values changed (the others kept)."""
    changed = query.copy()
    for key, value in values.items():
        changed[key] = value
    return "?" + changed.urlencode()


def _money_items(amounts: dict[Any, Decimal], names: dict[int, tuple[str, str, str]], *,
                 rest: Decimal, rest_label: str, query: QueryDict | None = None,
                 link_key: str = "") -> list[ChartItem]:
    items = []
    for pk, usd in sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0])):
        if usd < 1 or pk not in names:
            continue
        code, ar, en = names[pk]
        href = _with(query, **{link_key: code}) if query is not None else None
        items.append(ChartItem(bilingual_text(ar, en), float(usd), compact_number_format(usd), href))
    if rest >= 1:
        items.append(ChartItem(rest_label, float(rest), compact_number_format(rest)))
    return items


def _time_items(by_time: dict[tuple[int | None, int | None], Decimal], filters: DashboardFilters
                ) -> tuple[list[ChartItem], bool]:
    """Columns by quarter of planned start when a period is chosen (and they are not too many), else by year;
    the years or quarters between the first and the last all show, empty ones at zero."""
    dated = {k: v for k, v in by_time.items() if k[0] is not None}
    if not dated:
        return [], False
    first, last = min(dated), max(dated)
    quarterly = filters.period is not None and (last[0] - first[0] + 1) * 4 <= MAX_QUARTERS
    if quarterly:
        keys = [(y, q) for y in range(first[0], last[0] + 1) for q in range(1, 5)
                if (y, q) >= first and (y, q) <= last]
        amounts = dated
        labels = {k: period_label(f"{k[0]}-Q{k[1]}") for k in keys}
    else:
        amounts = {}
        for (year, _quarter), usd in dated.items():
            amounts[(year, None)] = amounts.get((year, None), Decimal("0")) + usd
        keys = [(y, None) for y in range(first[0], last[0] + 1)]
        labels = {k: str(k[0]) for k in keys}
    return [ChartItem(labels[k], float(amounts.get(k, 0)), compact_number_format(amounts.get(k, 0)))
            for k in keys], quarterly


def _alignment_items(rows: list[dict[str, Any]]) -> list[ChartItem]:
    """Each partner's share of money aligned (of those with money counted), the most money first."""
    return [ChartItem(r["name"], 100 * r["money_share"], percent_format(r["money_share"]),
                      reverse("partner_detail", args=[r["id"]]))
            for r in rows if r["money_share"] is not None][:ALIGNMENT_PARTNERS]


def _charts(figures: dict[str, Any], filters: DashboardFilters, query: QueryDict) -> dict[str, Any]:
    rtl = language_is_arabic()
    names = dashboard_names()
    money = figures["budget"]
    none_text = _("No figures for this choice.")
    sector_items = _money_items(money["by_sector"], names["sectors"], rest=money["without_sector"],
                                rest_label=_("No sector given"), query=query, link_key="sector")
    region_items = _money_items(money["by_region"], names["regions"], rest=money["without_municipality"],
                                rest_label=_("No municipality given (national)"))
    time_items, quarterly = _time_items(money["by_time"], filters)
    top = max((i.value for i in time_items), default=0)
    statuses = [ChartItem(str(label), figures["by_status"].get(value, 0),
                          number_format(figures["by_status"].get(value, 0)))
                for value, label in ActivityStatus.choices if figures["by_status"].get(value)]
    return {
        "sector": mark_safe(bar_chart(  # noqa: S308 -- every text in it is escaped by svg_charts
            sector_items, chart_id="chart-sector", rtl=rtl, empty_text=none_text,
            title=_("Funding by sector (US dollars)"))),
        "region": mark_safe(bar_chart(  # noqa: S308
            region_items, chart_id="chart-region", rtl=rtl, empty_text=none_text,
            title=_("Funding by region (US dollars)"))),
        "time": mark_safe(column_chart(  # noqa: S308
            time_items, chart_id="chart-time", rtl=rtl, empty_text=none_text,
            axis_texts=[compact_number_format(top * k / 2) for k in range(3)] if top else (),
            title=_("Funding by quarter of planned start (US dollars)") if quarterly
            else _("Funding by year of planned start (US dollars)"))),
        "status": mark_safe(bar_chart(  # noqa: S308
            statuses, chart_id="chart-status", rtl=rtl, empty_text=none_text, title=_("Projects by status"))),
        "alignment": mark_safe(bar_chart(  # noqa: S308
            _alignment_items(figures["alignment"]["by_partner"]), chart_id="chart-alignment", rtl=rtl,
            empty_text=none_text, title=_("Share of money aligned with an approved plan, by partner"))),
        "quarterly": quarterly,
    }
