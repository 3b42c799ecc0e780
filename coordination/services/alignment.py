"""Writes of the alignment analysis: the run that refreshes suggestions and flags, and people's
decisions on links (confirm / reject) and on flags (review).

A run is a full one: the figures behind the flags (a municipality's money against its priorities, an
objective's funding) depend on every project, and the engine reads a few thousand projects in well
under a second. It is queued on commit when a project or a plan changes, and nightly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.queueing import delay_on_commit
from coordination.analysis.alignment import Alignment, AlignmentSettings, alignment_analysis
from coordination.analysis.alignment_figures import AlignmentFinding, alignment_findings
from coordination.models import AlignmentFlag, AnalysisRun, ObjectiveLink
from coordination.runs import recorded_run, run_counts
from coordination.selectors.alignment_inputs import AlignmentInputs, alignment_inputs
from coordination.services.flag_life import Observed, flag_review, flags_sync
from municipalities.models import PlanObjective
from projects.models import Project
from projects.permissions import project_can_edit, user_oversees
from projects.services.projects import project_plan_objectives_change

ALIGNMENT_VALUE_FIELDS = ("score", "reasons", "share_outside")


def alignment_settings() -> AlignmentSettings:
    return AlignmentSettings.from_mapping(getattr(settings, "TANSIQ_ALIGNMENT_SETTINGS", None))


def alignment_analysis_now() -> tuple[AlignmentInputs, Alignment, list[AlignmentFinding]]:
    """Read everything and run the engine (no writes)."""
    inputs = alignment_inputs()
    conf = alignment_settings()
    analysis = alignment_analysis(objectives=inputs.objectives, projects=inputs.projects,
                                  decisions=inputs.decisions, settings=conf, sector_names=inputs.sector_names)
    findings = alignment_findings(objectives=inputs.objectives, projects=inputs.projects, alignment=analysis,
                                  settings=conf)
    return inputs, analysis, findings


def _suggestions_sync(analysis: Alignment) -> dict[str, int]:
    """Suggested links follow the engine; decided links (confirmed, rejected) are never touched."""
    wanted = {(s.project_id, s.objective_id): s for found in analysis.suggestions.values() for s in found}
    counts = {"created": 0, "updated": 0, "removed": 0}
    with transaction.atomic():
        existing = {(link.project_id, link.objective_id): link
                    for link in ObjectiveLink.objects.select_for_update().order_by("pk")}
        changed, gone, new = [], [], []
        for key, link in existing.items():
            found = wanted.pop(key, None)
            if link.status != ObjectiveLink.Status.SUGGESTED:
                continue
            if found is None:
                gone.append(link.pk)
            elif link.score != found.score or link.reasons != found.reasons:
                link.score, link.reasons, link.updated_at = found.score, found.reasons, timezone.now()
                changed.append(link)
        for (p, o), s in wanted.items():
            new.append(ObjectiveLink(project_id=p, objective_id=o, score=s.score, reasons=s.reasons))
        ObjectiveLink.objects.filter(pk__in=gone).delete()
        ObjectiveLink.objects.bulk_update(changed, ["score", "reasons", "updated_at"], batch_size=500)
        ObjectiveLink.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        counts.update(created=len(new), updated=len(changed), removed=len(gone))
    return counts


def _flag_key(flag: AlignmentFlag) -> tuple[Any, ...]:
    return (flag.kind, flag.project_id, flag.objective_id, flag.municipality_id)


def _flags_sync(findings: list[AlignmentFinding], run: AnalysisRun) -> dict[str, int]:
    observed = [Observed(key=(f.kind, *f.key), fingerprint=f.fingerprint,
                         values={"score": f.score, "reasons": f.reasons, "share_outside": f.share_outside})
                for f in findings]
    return flags_sync(
        model=AlignmentFlag, scope=AlignmentFlag.objects.all(), observed=observed, key_of=_flag_key,
        build=lambda obs: AlignmentFlag(kind=obs.key[0], project_id=obs.key[1], objective_id=obs.key[2],
                                        municipality_id=obs.key[3]),
        value_fields=ALIGNMENT_VALUE_FIELDS, run=run,
    )


def alignment_full_run(*, user: AbstractBaseUser | None = None) -> AnalysisRun:
    """Suggest objectives for every project and bring the alignment flags in step (a recorded run)."""
    with recorded_run(kind=AnalysisRun.Kind.ALIGNMENT, mode=AnalysisRun.Mode.FULL, user=user) as rec:
        rec.progress(0, 3, force=True)
        inputs, analysis, findings = alignment_analysis_now()
        rec.progress(1, 3)
        links = _suggestions_sync(analysis)
        rec.progress(2, 3)
        flags = _flags_sync(findings, rec.run)
        run_counts(rec, {**analysis.counts, "links": links, "flags": flags})
        rec.progress(3, 3, force=True)
    return rec.run


def link_decision_allowed(user: Any, project: Project) -> bool:
    """May ``user`` confirm or reject the objectives of ``project``? The ministry's analysts, and the
    focal points of the project's own partner."""
    return bool(user is not None and user.has_perm("coordination.change_objectivelink") and (
        user_oversees(user) or project_can_edit(user, project)))


def _link_allowed(user: Any, project: Project) -> None:
    if not link_decision_allowed(user, project):
        raise PermissionDenied(_("Only the ministry's staff and the project's own partner decide its objectives."))


def objective_link_decide(*, user: Any, project: Project, objective: PlanObjective, status: str) -> ObjectiveLink:
    """A person confirms or rejects that ``project`` serves ``objective`` (or takes the decision back:
    ``suggested``). The project's declared objectives follow confirmed links."""
    _link_allowed(user, project)
    if status not in ObjectiveLink.Status.values:
        labels = ", ".join(str(label) for label in ObjectiveLink.Status.labels)
        raise ValidationError({"status": _("Choose one of: %(choices)s.") % {"choices": labels}})
    with transaction.atomic():
        link, _created = ObjectiveLink.objects.select_for_update().get_or_create(
            project=project, objective=objective, defaults={"score": 0.0})
        link.status = status
        link.decided_by = None if status == ObjectiveLink.Status.SUGGESTED else user
        link.decided_at = None if status == ObjectiveLink.Status.SUGGESTED else timezone.now()
        link._history_user = user
        link.save()
        confirmed = status == ObjectiveLink.Status.CONFIRMED
        project_plan_objectives_change(project=project, add=[objective] if confirmed else [],
                                       remove=[] if confirmed else [objective], user=user)
        _queue_run()  # the project's flags and the objective's funding follow the decision
    return link


def _queue_run() -> None:
    from coordination.tasks.alignment import alignment_full_analysis

    delay_on_commit(alignment_full_analysis)


def alignment_flag_review(*, flag: AlignmentFlag, user: AbstractBaseUser, status: str, note: str = "") -> AlignmentFlag:
    return flag_review(model=AlignmentFlag, flag=flag, user=user, status=status, note=note,
                       permission="coordination.change_alignmentflag")
