"""Writes of the alignment analysis: the runs that refresh suggestions and flags, and people's
decisions on links (confirm / reject) and on flags (review).

The full run (nightly, and when a national or sector plan changes) reads every project. The incremental
run (queued on commit when a project's texts, places, sectors, SDG tags, money or status change, when a
decision is taken, or when a municipal plan changes) re-computes the suggestions and the "outside every
plan" flag of the projects concerned only, and the municipality flags of the municipalities they touch,
from the links stored for the other projects of those municipalities. The municipalities a project
touched include those it has left: both runs keep where they last saw each project (``AlignmentPlace``).
Decided links (confirmed, rejected) are never touched by either."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.queueing import delay_on_commit
from coordination.analysis.alignment import Alignment, AlignmentSettings, alignment_analysis, objective_funding
from coordination.analysis.alignment_figures import (
    CONCENTRATED,
    OUTSIDE,
    PRIORITY_UNFUNDED,
    AlignmentFinding,
    alignment_findings,
    municipality_findings,
    project_findings,
)
from coordination.models import AlignmentFlag, AlignmentPlace, AnalysisRun, ObjectiveLink
from coordination.runs import recorded_run, run_counts
from coordination.selectors.alignment_inputs import (
    AlignmentInputs,
    alignment_decisions,
    alignment_inputs,
    alignment_linked_objectives,
    alignment_municipality_projects,
    alignment_objectives,
    alignment_places_now_and_seen,
    alignment_project_places,
    alignment_projects,
    alignment_sector_names,
    alignment_seen_places,
    alignment_stored_links,
)
from coordination.services.flag_life import Observed, flag_review, flags_sync
from municipalities.models import DevelopmentPlan, PlanObjective
from projects.models import Project
from projects.permissions import project_can_edit, user_oversees
from projects.selectors.money import exchange_rate_table
from projects.services.projects import project_plan_objectives_change

ALIGNMENT_VALUE_FIELDS = ("score", "reasons", "share_outside")
MUNICIPALITY_KINDS = (PRIORITY_UNFUNDED, CONCENTRATED)


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


def _suggestions_sync(analysis: Alignment, project_ids: list[int] | None = None) -> dict[str, int]:
    """Suggested links follow the engine; decided links (confirmed, rejected) are never touched. With
    ``project_ids``, only those projects' links are looked at."""
    wanted = {(s.project_id, s.objective_id): s for found in analysis.suggestions.values() for s in found}
    counts = {"created": 0, "updated": 0, "removed": 0}
    scope = ObjectiveLink.objects.all() if project_ids is None else ObjectiveLink.objects.filter(
        project_id__in=project_ids)
    with transaction.atomic():
        existing = {(link.project_id, link.objective_id): link
                    for link in scope.select_for_update().order_by("pk")}
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


def _places_sync(project_ids: list[int] | None = None) -> int:
    """Keep where the projects are now as where the alignment last saw them (every project when
    ``project_ids`` is None); the number of projects whose places changed."""
    now, before = alignment_places_now_and_seen(project_ids)
    moved = sorted(p for p in now.keys() | before.keys() if now.get(p, set()) != before.get(p, set()))
    with transaction.atomic():
        AlignmentPlace.objects.filter(project_id__in=moved).delete()
        AlignmentPlace.objects.bulk_create([AlignmentPlace(project_id=p, municipality_id=m) for p in moved
                                            for m in sorted(now.get(p, ()))], batch_size=2000,
                                           ignore_conflicts=True)  # a concurrent run of the same project
    return len(moved)


def _flag_key(flag: AlignmentFlag) -> tuple[Any, ...]:
    return (flag.kind, flag.project_id, flag.objective_id, flag.municipality_id)


def _flags_sync(findings: list[AlignmentFinding], run: AnalysisRun, scope=None) -> dict[str, int]:
    observed = [Observed(key=(f.kind, *f.key), fingerprint=f.fingerprint,
                         values={"score": f.score, "reasons": f.reasons, "share_outside": f.share_outside})
                for f in findings]
    return flags_sync(
        model=AlignmentFlag, scope=AlignmentFlag.objects.all() if scope is None else scope, observed=observed,
        key_of=_flag_key,
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
        moved = _places_sync()
        run_counts(rec, {**analysis.counts, "links": links, "flags": flags, "places_changed": moved})
        rec.progress(3, 3, force=True)
    return rec.run


def _merged(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in {*a, *b}}


def alignment_projects_run(*, project_ids: Iterable[int], user: AbstractBaseUser | None = None,
                           also_municipalities: Iterable[int] = ()) -> AnalysisRun:
    """Re-compute the suggestions of these projects only, their "outside every plan" flags, and the
    flags of the municipalities they work in, were last seen in, or whose objectives they were or are
    linked to (and of ``also_municipalities``), as a recorded incremental run."""
    ids = sorted(set(project_ids))
    with recorded_run(kind=AnalysisRun.Kind.ALIGNMENT, mode=AnalysisRun.Mode.INCREMENTAL, user=user) as rec:
        rec.progress(0, 3, force=True)
        conf = alignment_settings()
        rates = exchange_rate_table()
        objectives = alignment_objectives(rates)
        by_id = {o.id: o for o in objectives}
        sector_names = dict(alignment_sector_names())
        linked_before = alignment_linked_objectives(ids)
        projects = alignment_projects(Project.objects.filter(pk__in=ids), rates)
        analysis = alignment_analysis(objectives=objectives, projects=projects, decisions=alignment_decisions(ids),
                                      settings=conf, sector_names=sector_names)
        rec.progress(1, 3)
        links = _suggestions_sync(analysis, ids)
        outside = _flags_sync(
            project_findings(objectives=objectives, projects=projects, alignment=analysis, settings=conf), rec.run,
            scope=AlignmentFlag.objects.filter(kind=OUTSIDE, project_id__in=ids))
        rec.progress(2, 3)
        touched = alignment_linked_objectives(ids) | linked_before
        places = (alignment_project_places(ids) | alignment_seen_places(ids) | set(also_municipalities)
                  | {by_id[o].plan_municipality_id for o in touched if o in by_id and by_id[o].plan_municipality_id})
        flags = _municipality_flags_sync(objectives, places, conf, rates, rec.run)
        moved = _places_sync(ids)
        run_counts(rec, {**analysis.counts, "links": links, "flags": _merged(outside, flags),
                         "municipalities": len(places), "places_changed": moved})
        rec.progress(3, 3, force=True)
    return rec.run


def _municipality_flags_sync(objectives, places: set[int], conf: AlignmentSettings, rates,
                             run: AnalysisRun) -> dict[str, int]:
    """The municipality flags of ``places``, from the links stored for their projects."""
    planned = {o.plan_municipality_id for o in objectives if o.approved and o.plan_municipality_id} & places
    if not planned:
        return _flags_sync([], run, scope=AlignmentFlag.objects.filter(
            kind__in=MUNICIPALITY_KINDS, municipality_id__in=sorted(places)))
    own = [o.id for o in objectives if o.plan_municipality_id in planned]
    ids = alignment_municipality_projects(planned, own)
    projects = alignment_projects(Project.objects.filter(pk__in=sorted(ids)), rates)
    links = alignment_stored_links(p.id for p in projects)
    funding = objective_funding({o.id: o for o in objectives if o.plan_municipality_id in planned}, projects, links)
    stored = Alignment(suggestions={}, links=links, funding=funding, best_score={})
    findings = municipality_findings(objectives=objectives, projects=projects, alignment=stored, settings=conf,
                                     only=planned)
    return _flags_sync(findings, run, scope=AlignmentFlag.objects.filter(
        kind__in=MUNICIPALITY_KINDS, municipality_id__in=sorted(places)))


def alignment_plans_run(*, plan_ids: Iterable[int], user: AbstractBaseUser | None = None) -> AnalysisRun:
    """After plans changed: a municipal plan's candidate projects (those in its municipalities and those
    linked to its objectives) are re-computed; a national or sector plan reaches every project, and a plan
    deleted leaves nothing to find its candidates by: then the run is a full one."""
    ids = sorted(set(plan_ids))
    plans = list(DevelopmentPlan.objects.filter(pk__in=ids).values_list("pk", "municipality_id"))
    if len(plans) != len(ids) or any(m is None for _, m in plans):
        return alignment_full_run(user=user)
    objectives = PlanObjective.objects.filter(plan_id__in=ids)
    places = {m for _, m in plans} | set(objectives.exclude(municipalities=None).values_list(
        "municipalities", flat=True))
    candidates = alignment_municipality_projects(places, objectives.values_list("pk", flat=True))
    return alignment_projects_run(project_ids=candidates, user=user, also_municipalities=places)


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
        _queue_run(project.pk)  # the project's flags and the objective's funding follow the decision
    return link


def _queue_run(project_id: int) -> None:
    from coordination.tasks.alignment import alignment_check_projects

    delay_on_commit(alignment_check_projects, [project_id])


def alignment_flag_review(*, flag: AlignmentFlag, user: AbstractBaseUser, status: str, note: str = "") -> AlignmentFlag:
    return flag_review(model=AlignmentFlag, flag=flag, user=user, status=status, note=note,
                       permission="coordination.change_alignmentflag")
