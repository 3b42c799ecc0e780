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

__all__ = ["KEY_LENGTH", "AnalysisRun", "DelayFlag", "DuplicateBlockKey", "DuplicateFlag", "Flag", "FlagStatus",
           "GapFlag"]
