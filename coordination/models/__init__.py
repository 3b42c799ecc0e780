"""The committee's records, one module per area; every model is importable from ``coordination.models``."""

from coordination.models.alignment import AlignmentFlag, ObjectiveLink
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

__all__ = ["KEY_LENGTH", "AlignmentFlag", "AnalysisRun", "DelayFlag", "DuplicateBlockKey", "DuplicateFlag", "Flag", "FlagStatus",
           "GapFlag", "ObjectiveLink"]
