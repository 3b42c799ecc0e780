"""The review workflow's shared rules, used by the project and the update services.

draft → submitted → accepted | returned; a returned record is fixed and submitted again. A focal
point's edit of an accepted project sends it back to the ministry (submitted) — the accepted
version was what other partners could see, so a changed one is reviewed before it counts again;
an edit of a submitted project leaves it in the queue (the reviewer sees the latest version, the
history keeps each). An update is a report for a period: it is edited only before it is submitted
(draft or returned); once accepted its figures are copied onto the project. The ministry
administrator's edits leave the review state as it is. Every service checks projects.permissions
itself, so the API, the pages and the admin cannot bypass the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from projects.models import ReviewState

PROJECT_FIELDS = (
    "programme", "reporting_partner", "iati_identifier", "partner_code", "title_ar", "title_en",
    "description_ar", "description_en", "status", "planned_start", "planned_end", "actual_start", "actual_end",
    "budget", "currency", "spend_to_date", "beneficiaries_targeted", "beneficiaries_reached", "progress_percent",
    "sdg_tags",
)
UPDATE_FIELDS = (
    "period_start", "period_end", "progress_percent", "status", "spend_to_date", "beneficiaries_reached",
    "narrative", "problems",
)
# What an accepted update copies onto its project.
UPDATE_TO_PROJECT = ("progress_percent", "status", "spend_to_date", "beneficiaries_reached")


class Decision:
    ACCEPT = "accept"
    RETURN = "return"
    CHOICES = (ACCEPT, RETURN)


def permission_require(allowed: bool, message: str) -> None:
    """Refuse (PermissionDenied with ``message``) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def fields_refuse_unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    """Refuse, naming each, the fields a service does not write."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be written here.") for name in unknown})


def review_outcome(decision: str, comment: str) -> str:
    """The review state a decision leads to; returning needs a comment."""
    if decision not in Decision.CHOICES:
        raise ValidationError({"decision": _("Choose accept or return.")})
    if decision == Decision.RETURN and not (comment or "").strip():
        raise ValidationError({"comment": _("Say why it is returned: the focal point needs to know what to fix.")})
    return ReviewState.ACCEPTED if decision == Decision.ACCEPT else ReviewState.RETURNED


def row_locked(model: type[models.Model], pk: int) -> Any:
    """The row, locked for the rest of the transaction (select_for_update)."""
    return model.objects.select_for_update().get(pk=pk)
