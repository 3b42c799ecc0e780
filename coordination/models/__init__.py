"""The committee's records, one module per area; every model is importable from ``coordination.models``."""

from coordination.models.flags import (
    KEY_LENGTH,
    AnalysisRun,
    DelayFlag,
    DuplicateBlockKey,
    DuplicateFlag,
    Flag,
    FlagStatus,
    GapFlag,
)
from coordination.models.reports import ReportDelivery, ReportJob

__all__ = ["KEY_LENGTH", "AnalysisRun", "DelayFlag", "DuplicateBlockKey", "DuplicateFlag", "Flag", "FlagStatus",
           "GapFlag", "ReportDelivery", "ReportJob"]
