"""The plan objectives of a project in the 3W sheet: one cell, read back on import.

Column: ``#indicator+objective+code``. HXL has no hashtag of its own for a plan's objective; an
objective is an entry of a results framework (it carries indicators, baselines and targets), so
``#indicator`` is the nearest core hashtag, ``+code`` the core attribute of a coded value and
``+objective`` our own attribute saying which kind of indicator. Not ``#activity+objective+code``:
HXL tools select columns by tag pattern, and a filter on ``#activity+code`` (the project identifier)
would also catch it; not ``#meta``, which HXL keeps for data about the record, not about the work.

Cell: the project's confirmed objectives (``Project.plan_objectives``), separated by ``;``, each as
``PLAN:OBJECTIVE`` (the plan's code, then the objective's code in that plan), or the objective's code
alone when its plan has no code. On import a code alone must name one objective of all plans.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from municipalities.models import PlanObjective
from projects.models import Project

OBJECTIVE_TAG = "#indicator+objective+code"
SEPARATOR = "; "


def objective_ref(objective: PlanObjective) -> str:
    return f"{objective.plan.code}:{objective.code}" if objective.plan.code else objective.code


def objective_cell(project: Project) -> str:
    """The objectives of a project (``plan_objectives__plan`` prefetched), in a fixed order."""
    return SEPARATOR.join(sorted(objective_ref(o) for o in project.plan_objectives.all()))


class ObjectiveRefs:
    """Reads ``PLAN:OBJECTIVE`` references (one query, on the first one asked)."""

    def __init__(self) -> None:
        self._by_ref: dict[str, PlanObjective] | None = None
        self._by_code: dict[str, list[PlanObjective]] = {}

    def _load(self) -> dict[str, PlanObjective]:
        if self._by_ref is None:
            self._by_ref = {}
            for objective in PlanObjective.objects.select_related("plan").order_by("pk"):
                if objective.plan.code:
                    self._by_ref[f"{objective.plan.code}:{objective.code}".casefold()] = objective
                self._by_code.setdefault(objective.code.casefold(), []).append(objective)
        return self._by_ref

    def resolve(self, text: str) -> tuple[PlanObjective | None, str]:
        """The objective a reference names, or the reason there is none."""
        by_ref = self._load()
        key = text.strip().casefold()
        if key in by_ref:
            return by_ref[key], ""
        found = self._by_code.get(key, [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, _("%(code)s is the code of an objective in several plans: write PLAN:OBJECTIVE") % {"code": text}
        return None, _("unknown plan objective %(code)s") % {"code": text}

    def cell(self, value: object) -> tuple[list[PlanObjective], list[str]]:
        """The objectives of one cell and the errors met."""
        objectives, errors = [], []
        for part in filter(None, (p.strip() for p in str(value or "").split(";"))):
            objective, error = self.resolve(part)
            if objective is None:
                errors.append(error)
            else:
                objectives.append(objective)
        return objectives, errors
