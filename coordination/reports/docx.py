"""The Word renderer: the document model with python-docx, right to left in Arabic.

Right to left in Word takes three marks (DESIGN.md §5): ``w:bidi`` on every paragraph (and on the section, so
page numbers and columns follow), ``w:rtl`` on every run, and ``w:bidiVisual`` in each table's properties,
before ``w:tblW`` (the schema's order). Arabic runs take their font and size from the complex-script slots
(``w:cs``, ``w:szCs``). The map is a PNG of the SVG (CairoSVG), with its legend as text.
Text goes in as text (python-docx escapes it); table cells that start like a formula are defused, and
characters XML cannot hold are dropped.
"""

from __future__ import annotations

import io
import re

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from common.spreadsheets import safe_cell
from coordination.reports.document import Document, Heading, KeyFigures, MapFigure, Paragraph, Table

LATIN_FONT, ARABIC_FONT = "Noto Sans", "Noto Naskh Arabic"
MARK_FILL, HEAD_FILL, FIGURE_FILL = "FFE3E3", "D9E2EC", "F0F4F8"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", str(value))


class _Writer:
    def __init__(self, document: Document):
        self.doc = document
        self.rtl = document.rtl
        self.word = new_docx()
        self._styles()
        self._section()

    # --- marks ---------------------------------------------------------------------------------

    def _bidi(self, paragraph) -> None:
        if self.rtl:
            ppr = paragraph._p.get_or_add_pPr()
            if ppr.find(qn("w:bidi")) is None:
                ppr.append(OxmlElement("w:bidi"))

    def _run(self, paragraph, text: str, *, bold: bool = False, size: float | None = None,
             colour: str | None = None):
        run = paragraph.add_run(_text(text))
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
            szcs = OxmlElement("w:szCs")
            szcs.set(qn("w:val"), str(int(size * 2)))
            run._r.get_or_add_rPr().append(szcs)
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)
        rpr = run._r.get_or_add_rPr()
        if bold:
            rpr.append(OxmlElement("w:bCs"))
        if self.rtl:
            rpr.append(OxmlElement("w:rtl"))
        return run

    def _paragraph(self, container, text: str = "", *, style: str | None = None, reuse: bool = False, **run):
        """A new paragraph of ``container`` (or, with ``reuse``, its first one: a header's or footer's own)."""
        if reuse and container.paragraphs and not container.paragraphs[0].text:
            paragraph = container.paragraphs[0]
        else:
            paragraph = container.add_paragraph(style=style) if style else container.add_paragraph()
        self._bidi(paragraph)
        if text:
            lines = str(text).split("\n")
            for index, line in enumerate(lines):
                r = self._run(paragraph, line, **run)
                if index < len(lines) - 1:
                    r.add_break()
        return paragraph

    def _styles(self) -> None:
        for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title"):
            style = self.word.styles[name]
            rpr = style.element.get_or_add_rPr()
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                rpr.insert(0, fonts)
            for slot in ("w:ascii", "w:hAnsi", "w:eastAsia"):
                fonts.set(qn(slot), LATIN_FONT)
            fonts.set(qn("w:cs"), ARABIC_FONT)
            for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(theme), None)
            if self.rtl:
                lang = rpr.find(qn("w:lang"))
                if lang is None:
                    lang = OxmlElement("w:lang")
                    rpr.append(lang)
                lang.set(qn("w:bidi"), "ar-LY")
        self.word.styles["Normal"].font.size = Pt(10)

    def _section(self) -> None:
        section = self.word.sections[0]
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.left_margin = section.right_margin = Mm(16)
        section.top_margin, section.bottom_margin = Mm(20), Mm(18)
        if self.rtl:
            sectpr = section._sectPr
            bidi = OxmlElement("w:bidi")
            grid = sectpr.find(qn("w:docGrid"))
            if grid is not None:
                grid.addprevious(bidi)
            else:
                sectpr.append(bidi)
        self._paragraph(section.header, self.doc.header, size=8.5, colour="52606D", reuse=True)
        footer = self._paragraph(section.footer, f"{self.doc.footer}    {self.doc.page_label} ", size=8,
                                 colour="52606D", reuse=True)
        self._field(footer, "PAGE")
        self._run(footer, f" {self.doc.of_label} ", size=8, colour="52606D")
        self._field(footer, "NUMPAGES")

    def _field(self, paragraph, code: str) -> None:
        run = self._run(paragraph, "", size=8, colour="52606D")
        for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            else:
                element = OxmlElement("w:instrText" if "PAGE" in text else "w:t")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._r.append(element)

    # --- blocks --------------------------------------------------------------------------------

    def _shade(self, cell, fill: str) -> None:
        tcpr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        tcpr.append(shd)

    def _table_rtl(self, table) -> None:
        if not self.rtl:
            return
        tblpr = table._tbl.tblPr
        visual = OxmlElement("w:bidiVisual")
        width = tblpr.find(qn("w:tblW"))
        if width is not None:
            width.addprevious(visual)
        else:
            tblpr.append(visual)

    def _cell(self, cell, text: str, *, bold: bool = False, size: float = 8.8, colour: str | None = None) -> None:
        paragraph = cell.paragraphs[0]
        self._bidi(paragraph)
        lines = str(text).split("\n")
        for index, line in enumerate(lines):
            r = self._run(paragraph, line, bold=bold, size=size, colour=colour)
            if index < len(lines) - 1:
                r.add_break()

    def table(self, block: Table) -> None:
        if block.caption:
            self._paragraph(self.word, block.caption, bold=True)
        rows = list(block.rows) or [[block.empty_text] + [""] * (len(block.columns) - 1)]
        table = self.word.add_table(rows=1 + len(rows), cols=len(block.columns))
        table.style = self.word.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._table_rtl(table)
        for column, title in enumerate(block.columns):
            cell = table.rows[0].cells[column]
            self._cell(cell, title, bold=True)
            self._shade(cell, HEAD_FILL)
        header = table.rows[0]._tr.get_or_add_trPr()
        header.append(OxmlElement("w:tblHeader"))
        for index, row in enumerate(rows):
            marked = index in block.marked
            for column, text in enumerate(row):
                cell = table.rows[index + 1].cells[column]
                value = text if column in block.numeric else safe_cell(text)
                self._cell(cell, value, bold=marked, colour="8A1C1C" if marked else None)
                if marked:
                    self._shade(cell, MARK_FILL)
        self._paragraph(self.word, "")

    def figures(self, block: KeyFigures) -> None:
        table = self.word.add_table(rows=2, cols=len(block.items))
        table.style = self.word.styles["Table Grid"]
        self._table_rtl(table)
        for column, (label, value) in enumerate(block.items):
            self._cell(table.rows[0].cells[column], value, bold=True, size=12)
            self._cell(table.rows[1].cells[column], label, size=8, colour="52606D")
            for row in (0, 1):
                self._shade(table.rows[row].cells[column], FIGURE_FILL)
        self._paragraph(self.word, "")

    def map(self, block: MapFigure) -> None:
        import cairosvg

        png = cairosvg.svg2png(bytestring=block.svg.encode("utf-8"), output_width=1280)
        paragraph = self._paragraph(self.word)
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(170))
        if block.caption:
            self._paragraph(self.word, block.caption, size=8, colour="616E7C")
        for number, name in block.legend:
            self._paragraph(self.word, f"{number}. {name}", size=8.8)

    def write(self) -> bytes:
        self._paragraph(self.word, self.doc.header, bold=True, size=9, colour="0B5394")
        title = self._paragraph(self.word, self.doc.title, style="Title")
        title.style = self.word.styles["Title"]
        if self.doc.subtitle:
            self._paragraph(self.word, self.doc.subtitle, colour="52606D")
        for block in self.doc.blocks:
            if isinstance(block, Heading):
                self._paragraph(self.word, block.text, style=f"Heading {max(1, min(block.level - 1, 3))}")
            elif isinstance(block, Paragraph):
                muted = block.style == "muted"
                self._paragraph(self.word, block.text, size=8.5 if muted else None,
                                colour="616E7C" if muted else ("8D5B00" if block.style == "notice" else None),
                                bold=block.style == "notice")
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, KeyFigures):
                self.figures(block)
            elif isinstance(block, MapFigure):
                self.map(block)
            else:
                raise TypeError(f"not a report block: {type(block).__name__}")
        out = io.BytesIO()
        self.word.save(out)
        return out.getvalue()


def render_docx(document: Document) -> bytes:
    return _Writer(document).write()
