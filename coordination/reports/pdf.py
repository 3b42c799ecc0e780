"""The PDF renderer: the document model through an HTML template and the print style sheet, with WeasyPrint.

Text reaches the template as plain strings, so Django's autoescaping turns any markup in the data into text;
table cells that start like a spreadsheet formula are defused as in every export. Only the map's SVG, which
``svg_map`` builds with every text escaped, is put in as markup. Arabic is laid out right to left by the
template's ``dir`` and shaped by Pango/HarfBuzz with the Noto Naskh Arabic font (fonts-noto-core).
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from common.spreadsheets import safe_cell
from coordination.reports.document import Document, Heading, KeyFigures, MapFigure, Paragraph, Table

PRINT_CSS = Path(__file__).with_name("print.css")
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per page otherwise


def text_direction(text: str) -> str:
    """"ltr" or "rtl" from the first strongly directional letter (HTML's ``dir=auto``, which WeasyPrint does
    not implement): an English title in an Arabic table then reads and wraps left to right."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


def column_widths(block: Table, sample: int = 60) -> list[int]:
    """Percent widths of the columns, from their texts (the header and the first rows): wide enough for the
    longest word (a word is never split: Arabic letters would lose their joins) and more for longer texts.
    The tables are laid out with ``table-layout: fixed``, much faster in WeasyPrint than sizing every column
    from all its cells, and the same on every page of a long table."""
    rows = list(block.rows[:sample])
    weights = []
    for column, title in enumerate(block.columns):
        texts = [str(r[column]) for r in rows if column < len(r)]
        typical = sum(len(t) for t in texts) / len(texts) if texts else 0.0
        longest = max((len(word) for t in [*texts, str(title)] for word in t.split()), default=4)
        if column in block.numeric:  # digits are wider than the average letter; a figure is kept on one line
            longest, typical = longest * 1.3, typical * 1.4
        weights.append(min(max(longest * 1.25 + 1.0, typical * 0.6, 4.0), 40.0))
    total = sum(weights) or 1.0
    return [min(100, max(5, round(100 * w / total))) for w in weights]


def _table(block: Table) -> dict[str, Any]:
    rows = []
    for index, row in enumerate(block.rows):
        cells = [{"text": text if column in block.numeric else safe_cell(text), "numeric": column in block.numeric,
                  "dir": "" if column in block.numeric else text_direction(str(text))} for column, text in enumerate(row)]
        rows.append({"cells": cells, "marked": index in block.marked})
    return {"kind": "table", "columns": list(block.columns), "widths": column_widths(block), "rows": rows,
            "caption": block.caption,
            "numeric": sorted(block.numeric), "empty_text": block.empty_text}


def _item(block: Any) -> dict[str, Any]:
    if isinstance(block, Heading):
        return {"kind": "heading", "text": block.text, "level": max(2, min(block.level, 4))}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text, "style": block.style}
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, KeyFigures):
        return {"kind": "figures", "items": list(block.items)}
    if isinstance(block, MapFigure):
        return {"kind": "map", "svg": mark_safe(block.svg), "legend": list(block.legend),  # noqa: S308 - escaped
                "caption": block.caption}
    raise TypeError(f"not a report block: {type(block).__name__}")


def document_html(document: Document) -> str:
    return render_to_string("coordination/reports/document.html", {
        "doc": document, "lang": "ar" if document.rtl else "en", "dir": "rtl" if document.rtl else "ltr",
        "items": [_item(b) for b in document.blocks],
    })


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes, backslashes and line ends escaped."""
    escaped = "".join(ch if ch not in '"\\\n\r' and ch.isprintable() else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def page_css(document: Document) -> str:
    """The running header (the ministry's name) and footer ("Page 2 of 6", when generated) of every page."""
    page = f'{_css_string(document.page_label + " ")} counter(page) {_css_string(" " + document.of_label + " ")} counter(pages)'
    start, end = ("right", "left") if document.rtl else ("left", "right")
    return (f"@page {{ @top-{start} {{ content: {_css_string(document.header)}; }} "
            f"@bottom-{end} {{ content: {_css_string(document.footer)}; }} "
            f"@bottom-{start} {{ content: {page}; }} }}")


# Column widths as classes (``col.cw37`` is 37%): the document template, like every template, has no inline
# style (tests/config/test_security_headers.py holds all templates to the Content-Security-Policy's rule).
WIDTH_CSS = " ".join(f".cw{n} {{ width: {n}%; }}" for n in range(1, 101))


def render_pdf(document: Document) -> bytes:
    from weasyprint import CSS, HTML

    html = HTML(string=document_html(document), base_url=str(PRINT_CSS.parent))
    return html.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS)), CSS(string=WIDTH_CSS + page_css(document))])
