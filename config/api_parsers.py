"""Request parsers of the API.

JSON from the outside is read with limits, and whatever breaks one is refused up front with the API's one error
format, before a serializer (or the database) sees it:

- the body's size (``TANSIQ_API_MAX_BODY_BYTES``; 413). ``config.middleware.ApiBodyLimitMiddleware`` refuses a
  body declared larger before anything reads it; this is the check on what was actually read.
- nesting: Python's json module recurses once per level and a body of 100,000 ``[`` fails with RecursionError,
  a server error. The depth is counted first, by a linear scan of the brackets outside strings, and a body
  nested deeper than ``MAX_JSON_DEPTH`` is refused (RecursionError is still caught, should the scan and the
  decoder ever disagree).
- numbers: NaN and Infinity, which Python's json module accepts but JSON does not have; an integer that no
  column can hold (beyond 64 bits: SQLite cannot even bind it; the 4,300-digit guard of ``int()`` answered a
  Python error message); a float too large to be finite (``1e400``).
- text: a string or key longer than ``MAX_JSON_STRING_CHARS`` characters, and the NUL character (``\\u0000``),
  which PostgreSQL text columns cannot hold and a serializer field may forget to refuse.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

# The deepest legitimate body (a project's site as a GeoJSON point inside a list inside the project) is 4 levels.
MAX_JSON_DEPTH = 32
# About 50 pages of text: the longest narrative a report needs, far below what would strain the database.
MAX_JSON_STRING_CHARS = 100_000
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

# A string (possessive: eaten once, never backtracked into, so a scan stays linear even on unterminated strings
# full of escapes) or one bracket. Brackets inside strings are skipped with the string.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?|[\[\]{}]', re.DOTALL)


def json_nesting_depth(text: str, stop_above: int | None = None) -> int:
    """How deep arrays and objects nest in ``text`` (JSON or not), counting ``[`` and ``{`` outside strings.
    With ``stop_above``, the scan ends as soon as the depth passes it."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        char = text[match.start()]
        if char == "[" or char == "{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        elif char == "]" or char == "}":
            depth -= 1
    return deepest


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


class _Refused(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _parse_int(text: str) -> int:
    # Checked on the digits first: int() of thousands of digits is slow, and refuses above 4,300 anyway.
    if len(text.lstrip("-")) > 19 or not INT_MIN <= (value := int(text)) <= INT_MAX:
        raise _Refused(_("A number in the request is out of range: whole numbers must fit in 64 bits."),
                       "number_out_of_range")
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(_("A number in the request is too large."), "number_out_of_range")
    return value


def _parse_constant(text: str) -> Any:
    raise _Refused(_("The request body is not valid JSON: %(value)s is not a JSON number.") % {"value": text},
                   "parse_error")


def _check_text(value: Any) -> None:
    """NUL characters and overlong strings, in values and keys (the depth is bounded, so recursion is safe)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _Refused(_("The request contains a NUL character (\\u0000), which no text field accepts."),
                           "parse_error")
        if len(value) > MAX_JSON_STRING_CHARS:
            raise _Refused(_("A text in the request is longer than %(limit)s characters.")
                           % {"limit": number_format(MAX_JSON_STRING_CHARS, force_grouping=True)}, "string_too_long")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def body_limit_message(limit: int) -> str:
    return _("The request body is larger than %(limit)s, the most this endpoint accepts.") % {
        "limit": filesizeformat(limit)}


class StrictJSONParser(JSONParser):
    """JSON within the API's limits (see the module's note), or a ParseError/RequestTooLarge in its format."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        import json

        limit = settings.TANSIQ_API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(body_limit_message(limit))
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The request body is not valid JSON: %(reason)s") % {"reason": exc}) from None
        if json_nesting_depth(text, stop_above=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(_("The request body is nested more than %(limit)d levels deep.")
                             % {"limit": MAX_JSON_DEPTH}, code="nesting_too_deep")
        try:
            data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
            _check_text(data)
        except _Refused as exc:
            raise ParseError(str(exc), code=exc.code) from None
        except RecursionError:
            raise ParseError(_("The request body is nested more than %(limit)d levels deep.")
                             % {"limit": MAX_JSON_DEPTH}, code="nesting_too_deep") from None
        except ValueError as exc:
            raise ParseError(_("The request body is not valid JSON: %(reason)s") % {"reason": exc}) from None
        return data
