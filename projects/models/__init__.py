"""The models of the projects app, one module per sub-domain; all registered under the app label ``projects``.

- ``projects``: partners, focal points, programmes, projects and their parts, updates, exchange rates;
- ``exchange``: import jobs and partner aliases (``projects.exchange``);
- ``reporting``: update attachments and new sites, report reminders, the stored reporting calendar
  (``projects.reporting``).
"""

from projects.models.exchange import ExportJob, ImportJob, PartnerAlias
from projects.models.projects import (
    CURRENCY,
    GOVERNMENT_ORG_TYPES,
    LIBYA,
    MONEY,
    NON_NEGATIVE,
    PERCENT,
    ActivityStatus,
    ExchangeRate,
    FocalPoint,
    OrganisationRole,
    Participation,
    Partner,
    Programme,
    Project,
    ProjectLocation,
    ProjectSector,
    ProjectUpdate,
    RelatedActivity,
    RelatedActivityType,
    ReportingFrequency,
    ReviewState,
    Site,
    Transaction,
    government_body_q,
    validate_location_shares,
    validate_sector_split,
)
from projects.models.reporting import ReportingPeriod, ReportReminder, UpdateAttachment, UpdateSite
from projects.models.totals import ProjectPlaceTotals, ProjectSectorTotals

__all__ = [
    "CURRENCY", "GOVERNMENT_ORG_TYPES", "LIBYA", "MONEY", "NON_NEGATIVE", "PERCENT", "ActivityStatus", "ExchangeRate", "ExportJob", "FocalPoint", "ImportJob",
    "OrganisationRole", "Participation", "Partner", "PartnerAlias", "Programme", "Project", "ProjectLocation",
    "ProjectPlaceTotals", "ProjectSector", "ProjectSectorTotals", "ProjectUpdate", "RelatedActivity", "RelatedActivityType", "ReportReminder", "ReportingFrequency",
    "ReportingPeriod", "ReviewState", "Site", "Transaction", "UpdateAttachment", "UpdateSite",
    "validate_location_shares", "government_body_q", "validate_sector_split",
]
