"""common.svg_charts: bars sized by value, right to left in Arabic, accessible, escaped, no style attributes."""

import re

from common.svg_charts import ChartItem, bar_chart, column_chart

ITEMS = [ChartItem("Water", 300, "300k", "?sector=water"), ChartItem("Health", 150, "150k"),
         ChartItem("<b>Schools</b>", 0, "0")]


def _rects(svg):
    return [(float(x), float(w)) for x, w in re.findall(r'<rect class="tansiq-chart-bar" x="([-\d.]+)" y="[\d.]+" '
                                                        r'width="([\d.]+)"', svg)]


def test_bars_are_as_long_as_their_values_and_grow_from_the_reading_start():
    ltr = _rects(bar_chart(ITEMS, chart_id="c", title="Funding", width=640, label_width=200))
    assert ltr[0][1] == 2 * ltr[1][1] and ltr[2][1] == 0
    assert all(x == 6 + 200 for x, _w in ltr)  # after the labels on the left
    rtl = _rects(bar_chart(ITEMS, chart_id="c", title="Funding", rtl=True, width=640, label_width=200))
    assert [round(x + w, 1) for x, w in rtl] == [640 - 6 - 200] * 3  # every bar ends at the labels on the right
    assert rtl[0][1] == ltr[0][1]


def test_columns_run_right_to_left_in_arabic():
    items = [ChartItem(str(y), v, str(v)) for y, v in ((2023, 1), (2024, 2), (2025, 3))]
    ltr = [x for x, _w in _rects(column_chart(items, chart_id="t", title="T"))]
    rtl = [x for x, _w in _rects(column_chart(items, chart_id="t", title="T", rtl=True))]
    assert ltr == sorted(ltr) and rtl == sorted(rtl, reverse=True)


def test_a_chart_is_an_accessible_image_with_its_figures_in_words():
    svg = bar_chart(ITEMS, chart_id="chart-x", title="Funding by sector", rtl=True)
    assert 'role="img"' in svg and 'aria-labelledby="chart-x-t chart-x-d"' in svg
    assert '<title id="chart-x-t">Funding by sector</title>' in svg
    assert "Water: 300k; Health: 150k" in svg and 'direction="rtl"' in svg
    assert '<a href="?sector=water">' in svg


def test_text_is_escaped_and_nothing_is_styled_inline():
    svg = bar_chart(ITEMS, chart_id="c", title="A & B")
    assert "<b>" not in svg and "&lt;b&gt;Schools" in svg and "A &amp; B" in svg
    assert "style=" not in svg and "style=" not in column_chart(ITEMS, chart_id="d", title="x", axis_texts=["0", "1"])


def test_an_empty_chart_says_so():
    svg = column_chart([], chart_id="e", title="Over time", empty_text="No figures")
    assert "No figures" in svg and "<rect" not in svg
