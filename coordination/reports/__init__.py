"""The committee's documents: the meeting report and the municipality and partner portfolio reports.

A report is first built as a small document model (``document``: headings, paragraphs, tables, key figures, a
map), from plain content dicts, then rendered by ``pdf`` (WeasyPrint) or ``docx`` (python-docx), right to left
in Arabic. The builders (``meeting``, ``portfolio``) format every figure through ``common.formatting``; the
renderers only lay out text, and escape it (markup in PDF, formula prefixes in both).
"""
