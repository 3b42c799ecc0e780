"""What a file really is, from its content (magic bytes and, for office files, the zip's parts).

The name and the content type a browser sends are the client's claims; only the bytes decide. A file
whose content is none of the accepted kinds, or whose extension names another kind, is refused:
an .exe renamed .pdf, HTML or SVG (script in a document the ministry opens), a macro-enabled office
file, an archive whose declared content would fill the disk when opened.
Pure Python: no database, no Django models.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    key: str
    content_type: str
    extensions: tuple[str, ...]
    label: str


_KINDS = (
    FileKind("pdf", "application/pdf", ("pdf",), "PDF"),
    FileKind("png", "image/png", ("png",), "PNG"),
    FileKind("jpeg", "image/jpeg", ("jpg", "jpeg"), "JPEG"),
    FileKind("gif", "image/gif", ("gif",), "GIF"),
    FileKind("webp", "image/webp", ("webp",), "WebP"),
    FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), "Word"),
    FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "Excel"),
    FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",),
             "PowerPoint"),
    FileKind("odt", "application/vnd.oasis.opendocument.text", ("odt",), "OpenDocument text"),
    FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", ("ods",), "OpenDocument spreadsheet"),
    FileKind("doc", "application/msword", ("doc",), "Word 97-2003"),
    FileKind("xls", "application/vnd.ms-excel", ("xls",), "Excel 97-2003"),
)
KINDS = {kind.key: kind for kind in _KINDS}
ACCEPTED_EXTENSIONS = tuple(ext for kind in _KINDS for ext in kind.extensions)

# Office Open XML: the main part each kind must have, and the content type [Content_Types].xml gives it
# (a macro-enabled document declares a different one and is refused).
_OOXML_MAIN = {
    "docx": ("word/document.xml", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml",
             b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# OLE2 (legacy office) directory entries name their streams in UTF-16: the stream tells Word from Excel
# (and both from other OLE2 files such as installers and Outlook messages).
_OLE2_STREAMS = {"doc": "WordDocument".encode("utf-16-le"), "xls": "Workbook".encode("utf-16-le")}
_OLE2_XLS_OLD = "Book".encode("utf-16-le")

# Zip bombs: a few kilobytes that declare gigabytes. Real office files compress text about 5-20 times.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 5000
_SMALL_PART = 1024 * 1024


class FileRefused(ValueError):
    """The file's content is not accepted; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(str(message))
        self.message = message


def extension_of(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _zip_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused(_("The file looks like an archive but it cannot be read.")) from None
    declared = sum(entry.file_size for entry in entries)
    if (len(entries) > MAX_ZIP_ENTRIES or declared > MAX_UNCOMPRESSED_BYTES
            or declared > MAX_COMPRESSION_RATIO * max(len(data), 1)):
        raise FileRefused(_("The document declares far more content than its size allows: it is refused."))
    names = {entry.filename: entry for entry in entries}

    def small(name: str) -> bytes | None:
        entry = names.get(name)
        if entry is None or entry.file_size > _SMALL_PART:
            return None
        try:
            return archive.read(entry)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            return None

    mimetype = small("mimetype")
    if mimetype is not None:
        for key in ("odt", "ods"):
            if mimetype.strip() == KINDS[key].content_type.encode():
                return key
    content_types = small("[Content_Types].xml")
    if content_types is not None:
        for key, (part, main_type) in _OOXML_MAIN.items():
            if part in names and main_type in content_types:
                return key
    raise FileRefused(_("The archive is not a Word, Excel, PowerPoint or OpenDocument file (macros are not accepted)."))


def _ole2_kind(data: bytes, extension: str) -> str:
    has = {key for key, marker in _OLE2_STREAMS.items() if marker in data}
    if _OLE2_XLS_OLD in data:
        has.add("xls")
    if extension in has:
        return extension
    if len(has) == 1:
        return has.pop()
    raise FileRefused(_("The file is an old-style office container but not a Word or Excel document."))


def detect_kind(data: bytes, *, filename: str) -> FileKind:
    """The kind of ``data``, or ``FileRefused``. ``filename`` only breaks the tie the content leaves open
    (none today) and must agree with what the content is."""
    extension = extension_of(filename)
    if data.startswith(b"%PDF-"):
        key = "pdf"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        key = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        key = "jpeg"
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        key = "gif"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        key = "webp"
    elif data.startswith(b"PK\x03\x04"):
        key = _zip_kind(data)
    elif data.startswith(_OLE2_MAGIC):
        key = _ole2_kind(data, extension)
    else:
        raise FileRefused(_("This type of file is not accepted. Attach a PDF, an image (PNG, JPEG, GIF, WebP) "
                            "or an office document (Word, Excel, PowerPoint, OpenDocument)."))
    kind = KINDS[key]
    if extension not in kind.extensions:
        raise FileRefused(_("The file's name ends in “.%(extension)s” but its content is a %(kind)s file: "
                            "rename it or attach the right file.") % {"extension": extension or "", "kind": kind.label})
    return kind
