"""Small charts drawn on the server as SVG markup: a horizontal bar chart and a column chart over time.

Pure Python, no Django models or requests: the dashboard and the meetings' reports (PDF, DOCX) draw the
same figures the same way. Callers pass every label and value already formatted (``common.formatting``),
so a chart's digits are the page's digits; the numbers here only size the bars.

Right to left: with ``rtl`` the bar charts put their labels on the right and grow their bars leftwards,
and the column chart puts its first period on the right, so both read from the right as an Arabic page
does. The root ``direction`` attribute is set either way (an inline SVG would otherwise inherit the
page's), so text anchors mean the same thing in both directions.

Accessible: ``role="img"``, an ``aria-labelledby`` naming its ``<title>`` and a ``<desc>`` that lists every
item with its value (``chart_id``, unique in the page, names them), and a ``<title>`` per bar (the tooltip).
Colours and type sizes come from CSS classes
(``tansiq-chart*`` in static/css/tansiq.css): no ``style`` attribute, which the Content-Security-Policy forbids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR_HEIGHT = 22
BAR_GAP = 8
PAD = 6
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class ChartItem:
    """One bar or column: its label, its size (any non-negative number), the value as shown, and an
    optional link (a bar a reader can follow, e.g. to the same page filtered by it)."""

    label: str
    value: float
    value_text: str
    href: str | None = None


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + ELLIPSIS


def _open(*, chart_id: str, width: int, height: int, title: str, items: Sequence[ChartItem], rtl: bool, kind: str,
          empty_text: str) -> list[str]:
    desc = "; ".join(f"{i.label}: {i.value_text}" for i in items) or empty_text
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tansiq-chart tansiq-chart-{kind}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'direction="{"rtl" if rtl else "ltr"}" data-chart-items="{len(items)}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    return parts


def _linked(markup: str, href: str | None) -> str:
    return f'<a href="{_attr(href)}">{markup}</a>' if href else markup


def _empty(parts: list[str], width: int, height: int, empty_text: str) -> str:
    parts.append(f'<text class="tansiq-chart-empty" x="{width // 2}" y="{height // 2}" '
                 f'text-anchor="middle">{escape(empty_text)}</text></svg>')
    return "".join(parts)


def bar_chart(items: Sequence[ChartItem], *, chart_id: str, title: str, rtl: bool = False, width: int = 640,
              label_width: int = 220, empty_text: str = "—", label_chars: int = 32) -> str:
    """Horizontal bars, one per item in the order given, longest bar = largest value.

    Left to right: label | bar → value. Right to left: value ← bar | label."""
    height = max(BAR_HEIGHT + 2 * PAD, len(items) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + 2 * PAD)
    parts = _open(chart_id=chart_id, width=width, height=height, title=title, items=items, rtl=rtl, kind="bar",
                             empty_text=empty_text)
    if not items:
        return _empty(parts, width, height, empty_text)
    value_room = 110  # the value's text beyond the longest bar
    track = max(10, width - label_width - value_room - 2 * PAD)
    top = max((i.value for i in items), default=0) or 1
    for n, item in enumerate(items):
        y = PAD + n * (BAR_HEIGHT + BAR_GAP)
        length = round(track * max(item.value, 0) / top, 1)
        if rtl:
            label_x = width - PAD  # the reading start (right edge); anchor "start" in an rtl text
            bar_x = width - PAD - label_width - length
            value_x = bar_x - 4
        else:
            label_x = PAD
            bar_x = PAD + label_width
            value_x = bar_x + length + 4
        middle = y + BAR_HEIGHT / 2
        tip = f"<title>{escape(item.label)}: {escape(item.value_text)}</title>"
        row = (
            f'<g class="tansiq-chart-row">{tip}'
            f'<text class="tansiq-chart-label" x="{label_x}" y="{middle}" dominant-baseline="middle" '
            f'text-anchor="start">{escape(_short(item.label, label_chars))}</text>'
            f'<rect class="tansiq-chart-bar" x="{bar_x}" y="{y}" width="{length}" height="{BAR_HEIGHT}" rx="2"/>'
            f'<text class="tansiq-chart-value" x="{value_x}" y="{middle}" dominant-baseline="middle" '
            f'text-anchor="start">{escape(item.value_text)}</text></g>'
        )
        parts.append(_linked(row, item.href))
    parts.append("</svg>")
    return "".join(parts)


def column_chart(items: Sequence[ChartItem], *, chart_id: str, title: str, rtl: bool = False, width: int = 640,
                 height: int = 260, empty_text: str = "—", axis_texts: Sequence[str] = ()) -> str:
    """Columns over time, ``items`` in time order (oldest first); in ``rtl`` the oldest is on the right.

    Each column carries its value above it and its period below; ``axis_texts`` (formatted, smallest first)
    label evenly spaced grid lines from zero to the largest value, on the reading-start side."""
    parts = _open(chart_id=chart_id, width=width, height=height, title=title, items=items, rtl=rtl, kind="columns",
                             empty_text=empty_text)
    if not items:
        return _empty(parts, width, height, empty_text)
    axis_room = 70 if axis_texts else PAD
    label_room, value_room = 34, 20
    plot_top, plot_bottom = PAD + value_room, height - label_room
    plot_start = axis_room  # distance from the reading-start edge
    plot_width = width - plot_start - PAD
    slot = plot_width / len(items)
    column = max(2.0, min(56.0, slot * 0.7))
    top = max((i.value for i in items), default=0) or 1

    def x_of(offset: float) -> float:  # offset from the reading start, to an x coordinate
        return round(width - plot_start - offset if rtl else plot_start + offset, 1)

    steps = len(axis_texts)
    for k, text in enumerate(axis_texts):
        y = round(plot_bottom - (plot_bottom - plot_top) * (k / (steps - 1) if steps > 1 else 0), 1)
        parts.append(f'<line class="tansiq-chart-grid" x1="{x_of(0)}" x2="{x_of(plot_width)}" y1="{y}" y2="{y}"/>'
                     f'<text class="tansiq-chart-axis" x="{x_of(-4)}" y="{y}" dominant-baseline="middle" '
                     f'text-anchor="end">{escape(text)}</text>')
    # Every label when they fit, else every n-th (the desc and the tooltips still give all).
    every = max(1, round(len(items) / max(1, plot_width // 64)))
    for n, item in enumerate(items):
        centre = x_of(slot * n + slot / 2)
        size = round((plot_bottom - plot_top) * max(item.value, 0) / top, 1)
        y = round(plot_bottom - size, 1)
        tip = f"<title>{escape(item.label)}: {escape(item.value_text)}</title>"
        label = (f'<text class="tansiq-chart-label" x="{centre}" y="{plot_bottom + 16}" text-anchor="middle">'
                 f'{escape(item.label)}</text>') if n % every == 0 else ""
        value = (f'<text class="tansiq-chart-value" x="{centre}" y="{y - 5}" text-anchor="middle">'
                 f'{escape(item.value_text)}</text>') if len(items) <= 12 else ""
        row = (f'<g class="tansiq-chart-row">{tip}'
               f'<rect class="tansiq-chart-bar" x="{round(centre - column / 2, 1)}" y="{y}" width="{round(column, 1)}" '
               f'height="{size}" rx="2"/>{value}{label}</g>')
        parts.append(_linked(row, item.href))
    parts.append(f'<line class="tansiq-chart-baseline" x1="{x_of(0)}" x2="{x_of(plot_width)}" y1="{plot_bottom}" '
                 f'y2="{plot_bottom}"/></svg>')
    return "".join(parts)
