"""The committee's records, one module per area; every model is importable from ``coordination.models``."""

from coordination.models.alignment import AlignmentFlag, AlignmentPlace, ObjectiveLink
from coordination.models.coverage import CoverageFigure, CoverageScope, CoverageSummary
from coordination.models.flags import (
    KEY_LENGTH,
    AnalysisRun,
    DelayFlag,
    DuplicateBlockKey,
    DuplicateFlag,
    DuplicateKindThreshold,
    Flag,
    FlagStatus,
    GapFlag,
)
from coordination.models.meetings import (
    FROZEN_STATUSES,
    LINK_FIELDS,
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ActionStatusChange,
    AgendaItem,
    Attendee,
    Decision,
    FlagKind,
    FollowUpAction,
    LinkKind,
    Meeting,
    MeetingLink,
    MeetingSeries,
    MeetingStatus,
)
from coordination.models.reports import ReportDelivery, ReportJob

__all__ = ["KEY_LENGTH", "AnalysisRun", "DelayFlag", "DuplicateBlockKey", "DuplicateFlag", "DuplicateKindThreshold", "Flag", "FlagStatus",
           "GapFlag", "FROZEN_STATUSES", "LINK_FIELDS", "OPEN_ACTION_STATUSES", "ActionStatus", "ActionStatusChange",
           "AgendaItem", "Attendee", "Decision", "FlagKind", "FollowUpAction", "LinkKind", "Meeting", "MeetingLink",
           "MeetingSeries", "MeetingStatus", "ReportDelivery", "ReportJob", "AlignmentFlag", "AlignmentPlace", "ObjectiveLink",
           "CoverageFigure", "CoverageScope", "CoverageSummary"]
