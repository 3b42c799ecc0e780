"""Request parsers of the API.

JSON may carry the NUL character (``\\u0000``) in any string; PostgreSQL text columns cannot hold it,
and a serializer field that forgets Django's ``ProhibitNullCharactersValidator`` would let it through to
a server error. The JSON parser refuses such a body up front, with the API's one error format.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONWithoutNulParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError(_("The request contains a NUL character (\\u0000), which no text field accepts."))
        return data
