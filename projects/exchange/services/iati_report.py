"""The report of an IATI import: per activity, what was done and what was not kept (nothing silently lost)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class ActivityReport:
    identifier: str
    action: str  # created, updated, unchanged, skipped
    unmapped: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    activities: list[ActivityReport] = field(default_factory=list)
    partners_created: list[str] = field(default_factory=list)
    partners_identified: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for a in self.activities if a.action == action)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    def lines(self) -> list[str]:
        out = [_("created %(created)s, updated %(updated)s, unchanged %(unchanged)s, skipped %(skipped)s, "
                 "partners created %(partners)s") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped, "partners": len(self.partners_created)}]
        if self.dry_run:
            out.append(_("dry run: nothing was saved"))
        if self.partners_created:
            out.append(_("new partners: %(names)s") % {"names": "; ".join(self.partners_created)})
        if self.partners_identified:
            out.append(_("identifier added to partners found by name: %(names)s") % {
                "names": "; ".join(self.partners_identified)})
        for activity in self.activities:
            for item in activity.unmapped:
                out.append(f"{activity.identifier or '?'} ({activity.action}): {item}")
        return out
