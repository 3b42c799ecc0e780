"""Query-parameter filters the API's lists share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

# PostgreSQL keeps zone offsets within ±15:59 (real ones run from -12:00 to +14:00); Python takes up to ±23:59.
MAX_ZONE_OFFSET = timedelta(hours=15, minutes=59)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, its zone offset within ±15:59, read as UTC (a time with no zone: the site's zone).
    A moment that UTC cannot hold (the first hours of year 1 east of Greenwich) is refused too, not left to fail in
    the database."""

    default_error_messages = {
        "offset": _("The zone offset must be between -15:59 and +15:59."),
        "range": _("This date and time is out of range."),
    }

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) > MAX_ZONE_OFFSET:
            raise forms.ValidationError(self.error_messages["offset"], code="invalid")
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["range"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
