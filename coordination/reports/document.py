"""A small document model that both renderers understand: what a report says, not how it looks.

Pure Python (no Django models, no requests). Every text is already in the report's language and every figure
already formatted; a renderer never formats a value itself, so PDF and DOCX show the same digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from common.bilingual import language_is_arabic


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 2  # 1 is the document's title; sections are 2, their parts 3


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    style: str = "normal"  # "normal", "muted" (sources, small print) or "notice" (a boxed warning)


@dataclass(frozen=True, slots=True)
class Table:
    """A table: its header, its rows of texts, and which rows to mark (e.g. overdue actions)."""

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    marked: frozenset[int] = frozenset()  # indexes of rows shown as marked (overdue)
    caption: str = ""
    numeric: frozenset[int] = frozenset()  # indexes of columns holding figures (aligned to the end)
    empty_text: str = "—"


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """A row of headline figures: (label, value) pairs."""

    items: Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class MapFigure:
    """A map drawn on the server (``svg``, numbered marks) and the legend that names each number."""

    svg: str
    legend: Sequence[tuple[str, str]]  # (number, name)
    caption: str = ""


Block = Heading | Paragraph | Table | KeyFigures | MapFigure


@dataclass(slots=True)
class Document:
    """A report: its title, the line under it, the running header and footer texts, and its blocks."""

    language: str
    title: str
    subtitle: str = ""
    header: str = ""  # the ministry's name, on every page
    footer: str = ""  # e.g. "Generated 2 Dec 2026, 14:05"
    page_label: str = ""  # "Page" / "صفحة", before the page number
    of_label: str = ""  # "of" / "من", between the page number and the page count
    blocks: list[Block] = field(default_factory=list)

    @property
    def rtl(self) -> bool:
        return language_is_arabic(self.language)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self
