"""Safe reading of IATI activity XML: size limit, no DTD or entities, clear errors.

Also the small helpers both the importer and the tests use to read IATI elements
(narratives in two languages, attributes, dates, decimals).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only for types and ParseError; parsing goes through defusedxml
from decimal import Decimal, InvalidOperation
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.utils.translation import gettext as _

MAX_BYTES = 50 * 1024 * 1024
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EXTENSION_NS = "urn:tansiq:iati-extension:1"
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")


class IatiFileError(ValueError):
    """A file that cannot be imported at all; the message says why, for the person who gave it."""


def iati_read_file(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an IATI file, refused before reading when it is too large."""
    size = path.stat().st_size
    if size > max_bytes:
        raise IatiFileError(
            _("%(name)s is %(size)s MB; the limit is %(limit)s MB. Split the file and import the parts.")
            % {"name": path.name, "size": round(size / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024}
        )
    return path.read_bytes()


def iati_parse(data: bytes, *, name: str = "", max_bytes: int = MAX_BYTES) -> list[ET.Element]:
    """The ``iati-activity`` elements of a file. Refuses DTDs, entities and external references."""
    name = name or _("the file")
    if len(data) > max_bytes:
        raise IatiFileError(
            _("%(name)s is larger than %(limit)s MB; split the file and import the parts.")
            % {"name": name, "limit": max_bytes // 1024 // 1024}
        )
    if not data.strip():
        raise IatiFileError(_("%(name)s is empty.") % {"name": name})
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IatiFileError(_("%(name)s is not a text file (it holds binary data); give an IATI XML file.") % {"name": name})
    _check_encoding(data, name)
    try:
        root = defused_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise IatiFileError(
            _("%(name)s was refused: it declares a DTD or entities (%(error)s). IATI files need neither.")
            % {"name": name, "error": type(exc).__name__}
        ) from exc
    except ET.ParseError as exc:
        raise IatiFileError(_("%(name)s is not well-formed XML: %(error)s.") % {"name": name, "error": exc}) from exc
    if root.tag == "iati-activity":
        return [root]
    if root.tag != "iati-activities":
        raise IatiFileError(
            _("%(name)s is not an IATI activity file: its root element is <%(tag)s>, not <iati-activities>.")
            % {"name": name, "tag": root.tag}
        )
    default_lang = root.get(XML_LANG)
    activities = root.findall("iati-activity")
    if default_lang:
        for activity in activities:
            activity.attrib.setdefault(XML_LANG, default_lang)
    return activities


def _check_encoding(data: bytes, name: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with its byte-order mark: the parser knows it
    match = _DECLARED_ENCODING.match(data[:200])
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        data.decode(encoding)
    except LookupError as exc:
        raise IatiFileError(
            _("%(name)s declares an unknown encoding %(encoding)s.") % {"name": name, "encoding": encoding}
        ) from exc
    except UnicodeDecodeError as exc:
        raise IatiFileError(
            _("%(name)s is not valid %(encoding)s text (byte %(position)s); save it as UTF-8 and import it again.")
            % {"name": name, "encoding": encoding.upper(), "position": exc.start}
        ) from exc


# --- reading elements --------------------------------------------------------------------------------


def text_of(elem: ET.Element | None) -> str:
    return " ".join((elem.text or "").split()) if elem is not None else ""


def narratives(elem: ET.Element | None, default_lang: str = "en") -> list[tuple[str, str]]:
    """(language, text) pairs; IATI 1.x put the text in the element itself."""
    if elem is None:
        return []
    found = [((n.get(XML_LANG) or default_lang).lower(), " ".join("".join(n.itertext()).split()))
             for n in elem.findall("narrative")]
    if not found and (elem.text or "").strip():
        found = [((elem.get(XML_LANG) or default_lang).lower(), " ".join(elem.text.split()))]
    return [(lang, text) for lang, text in found if text]


def arabic_and_english(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """Arabic text to ``*_ar``; English (or, lacking English, the first other language) to ``*_en``."""
    arabic = next((text for lang, text in pairs if lang.startswith("ar")), "")
    others = [(lang, text) for lang, text in pairs if not lang.startswith("ar")]
    english = next((text for lang, text in others if lang.startswith("en")), others[0][1] if others else "")
    return arabic, english


def iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def decimal_of(value: str | None) -> Decimal | None:
    try:
        number = Decimal((value or "").strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
