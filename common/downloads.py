"""File downloads that stream: a file on disk (or a temporary one) or a generator of bytes, sent as an
attachment the browser neither renders nor sniffs. One helper for every download of a job's file and
every large export, so their headers are the same."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse


def _headers(response: Any) -> Any:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def file_download(handle: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """An open binary file (closed by the response once sent), read and sent in blocks."""
    return _headers(FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type))


def stream_download(chunks: Iterable[bytes], *, filename: str, content_type: str) -> StreamingHttpResponse:
    """Bytes as they are made (a CSV written row by row): the response starts before the file is complete."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _headers(response)
