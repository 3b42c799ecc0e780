"""Events the project services send after a write, for the analyses to re-check, and the one map of
which change makes which category.

These are sent explicitly by services (never from ``save()`` or model signals), after the
write, inside its transaction; receivers queue their work with ``transaction.on_commit``.
``projects`` does not know who listens: ``coordination`` connects in its AppConfig.ready().

Every writer (the project services, the importers, the admin) names what changed with the categories
below, taken from ``PROJECT_FIELD_CATEGORIES`` and ``RELATED_CATEGORIES``, and every receiver decides
what to re-check from the same names: written once here, so a site saved in the admin queues the same
re-checks as a site saved through the form or the API.
"""

from __future__ import annotations

from django.db.models import Model
from django.dispatch import Signal

from projects.models import (
    Participation,
    ProjectLocation,
    ProjectSector,
    RelatedActivity,
    Site,
    Transaction,
)

# --- the categories of change ---------------------------------------------------------------
CREATED = "created"  # a new project
TITLE = "title"  # its titles or descriptions
DATES = "dates"  # planned or actual start and end
STATUS = "status"  # its IATI activity status
BUDGET = "budget"  # budget, currency, spend, transactions
PROGRESS = "progress"  # progress percentage
PARTNERS = "partners"  # the reporting partner or the participating partners
IDENTIFIERS = "identifiers"  # IATI identifier, related activities, the activity ids in transactions
REPORTING = "reporting"  # how often the partner reports
DUPLICATE = "duplicate"  # confirmed (or no longer) as a double report of another record
SECTORS = "sectors"  # the sector split
LOCATIONS = "locations"  # the municipalities
SITES = "sites"  # the named places (points)
REVIEW = "review"  # submitted, accepted or returned
SDG = "sdg"  # the SDG goals and targets the project is tagged with
OBJECTIVES = "objectives"  # the plan objectives it declares it serves (added by an import)

CHANGE_CATEGORIES: frozenset[str] = frozenset({
    CREATED, TITLE, DATES, STATUS, BUDGET, PROGRESS, PARTNERS, IDENTIFIERS, REPORTING, DUPLICATE, SECTORS,
    LOCATIONS, SITES, REVIEW, SDG, OBJECTIVES,
})

# Which field of Project (its attribute name) makes which category; a field not listed (beneficiaries,
# the partner's code, the review columns...) changes nothing the analyses or the calendar read.
PROJECT_FIELD_CATEGORIES: dict[str, str] = {
    "title_ar": TITLE, "title_en": TITLE, "description_ar": TITLE, "description_en": TITLE,
    "planned_start": DATES, "planned_end": DATES, "actual_start": DATES, "actual_end": DATES,
    "status": STATUS, "budget": BUDGET, "currency": BUDGET, "spend_to_date": BUDGET,
    "progress_percent": PROGRESS, "reporting_partner_id": PARTNERS, "iati_identifier": IDENTIFIERS,
    "reporting_frequency": REPORTING, "duplicate_of_id": DUPLICATE,
    "sdg_tags": SDG,
}

# Which of a project's parts makes which categories when its rows are added, changed or removed.
# A transaction is money and also links: its provider's activity id is how the same money reported by
# the funder and by the implementer is found (duplicate detection reads it).
RELATED_CATEGORIES: dict[type[Model], frozenset[str]] = {
    ProjectSector: frozenset({SECTORS}),
    ProjectLocation: frozenset({LOCATIONS}),
    Site: frozenset({SITES}),
    Participation: frozenset({PARTNERS}),
    RelatedActivity: frozenset({IDENTIFIERS}),
    Transaction: frozenset({BUDGET, IDENTIFIERS}),
}

# kwargs: project_ids (list[int]), changed (set[str], out of CHANGE_CATEGORIES), user
project_changed = Signal()

# kwargs: update_ids (list[int]), project_ids (list[int]), user
project_update_changed = Signal()
