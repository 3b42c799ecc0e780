"""The alignment engine: which plan objectives each project serves, with a score and the reasons in
both languages; what each objective receives against its cost; each municipality's priorities funded
or not; and the shares of money and projects aligned with an approved plan. Pure Python, no ORM.

Matching never compares every project with every objective: objectives are indexed by sector and by
the vocabulary concepts of their texts, national ones (concerning every municipality) apart from
those of a municipality's own plan, and a project only meets the objectives its sectors, concepts and
municipalities reach. Projects that read the same (same sectors, concepts and SDG goals) share one
scoring of the national objectives.

The score of a project for an objective adds (capped at 1):
* ``sector_weight`` when they share a sector (the project's share of that sector scales it);
* ``text_weight`` × the part of the objective's concepts the project's texts name (weighted by kind;
  what only the project's description names counts ``context_factor`` of its weight), scaled down
  when the texts name another kind of work (building, not repairing; support to a specific thing both
  name is any kind of work on it, but teaching about it is not) or only other subjects (the sewer
  network is not the water network, though both are networks);
* ``sdg_weight`` when they share an SDG goal;
* ``local_weight`` when the objective is in the plan of a municipality where the project works.
A person's decision stands: a confirmed link is kept whatever the score, a rejected one is never
suggested again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from coordination.analysis.alignment_text import TextConcepts, concept_weights, record_concepts

ACTIVE_STATUS = 2
CONFIRMED, REJECTED, SUGGESTED = "confirmed", "rejected", "suggested"
# Action classes that say help is given, not of which kind: support to a thing the objective names
# is any kind of work on it (preparing the plan is support to the plan) ...
UMBRELLA_ACTIONS = frozenset({"support"})
# ... except work on people, whose subject is only what they learn (training on planning is not
# support to the plan).
PEOPLE_ACTIONS = frozenset({"training", "awareness"})


@dataclass(frozen=True)
class AlignmentSettings:
    suggest_threshold: float = 0.7  # a suggestion needs at least this score
    outside_threshold: float = 0.7  # a project none of whose approved objectives scores this is outside
    max_suggestions: int = 3  # per project, the best ones
    sector_weight: float = 0.35
    text_weight: float = 0.5
    sdg_weight: float = 0.15
    local_weight: float = 0.15
    sector_plan_weight: float = 0.45  # the objective is in the sector plan of one of the project's sectors
    other_work_factor: float = 0.3  # the texts name different kinds of work (building vs repairing)
    other_field_factor: float = 0.3  # the texts name different subjects (the water network, the sewer network)
    context_factor: float = 0.3  # what only the project's description names counts for this share of it
    priority_top: int = 3  # a municipality's priorities: its plan's objectives ranked 1..priority_top
    funded_ratio: float = 0.8  # money ≥ this share of the cost: funded; less (but some): partly funded
    concentrated_share: float = 0.6  # share of a municipality's money outside its priority sectors
    concentrated_min_usd: float = 100_000.0  # below this much money a municipality is not judged

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> AlignmentSettings:
        """From a settings dict; an unknown key or a value out of range stops start-up."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"Unknown alignment settings: {', '.join(sorted(unknown))}")
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"The alignment setting {name} must be a number.")
        result = cls(**values)
        shares = ("suggest_threshold", "outside_threshold", "sector_weight", "text_weight", "sdg_weight",
                  "local_weight", "sector_plan_weight", "other_work_factor", "other_field_factor", "context_factor",
                  "funded_ratio", "concentrated_share")
        for name in shares:
            if not 0 <= getattr(result, name) <= 1:
                raise ValueError(f"The alignment setting {name} must be between 0 and 1.")
        if result.max_suggestions < 1 or result.priority_top < 1 or result.concentrated_min_usd < 0:
            raise ValueError("max_suggestions and priority_top must be ≥ 1, concentrated_min_usd ≥ 0.")
        return result


@dataclass(frozen=True, slots=True)
class ObjectiveIn:
    id: int
    plan_id: int
    approved: bool  # its plan is approved
    plan_municipality_id: int | None  # a municipal plan's municipality
    code: str = ""
    title_ar: str = ""
    title_en: str = ""
    description_ar: str = ""
    description_en: str = ""
    sector_ids: tuple[int, ...] = ()
    sdg_goals: tuple[str, ...] = ()  # "6", from targets such as "6.1"
    municipality_ids: tuple[int, ...] = ()  # concerned; empty (and no plan municipality): everywhere
    cost_usd: float | None = None
    priority_rank: int | None = None
    parent_id: int | None = None
    plan_sector_id: int | None = None  # a sector plan's sector

    @property
    def places(self) -> frozenset[int]:
        own = {self.plan_municipality_id} if self.plan_municipality_id else set()
        return frozenset(own | set(self.municipality_ids))


@dataclass(frozen=True, slots=True)
class ProjectIn:
    id: int
    status: int
    title_ar: str = ""
    title_en: str = ""
    description_ar: str = ""
    description_en: str = ""
    budget_usd: float | None = None
    partner_ids: tuple[int, ...] = ()
    locations: tuple[tuple[int, float | None], ...] = ()  # (municipality id, share % or None)
    sectors: tuple[tuple[int, float], ...] = ()  # (sector id, percentage)
    sdg_goals: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == ACTIVE_STATUS

    def municipality_shares(self) -> dict[int, float]:
        """Each municipality's part of the project (0..1): the stated shares, else equal parts."""
        if not self.locations:
            return {}
        stated = [s for _, s in self.locations if s is not None]
        if len(stated) == len(self.locations) and sum(stated) > 0:
            total = sum(stated)
            return {m: (s or 0) / total for m, s in self.locations}
        return {m: 1 / len(self.locations) for m, _ in self.locations}


@dataclass(frozen=True, slots=True)
class LinkIn:
    """A decision a person took on a project ↔ objective link."""

    project_id: int
    objective_id: int
    status: str  # confirmed / rejected


@dataclass(slots=True)
class Suggestion:
    project_id: int
    objective_id: int
    score: float
    reasons: list[dict[str, Any]]


@dataclass(slots=True)
class ObjectiveFunding:
    objective_id: int
    projects: int = 0
    partners: int = 0
    usd: float = 0.0
    cost_usd: float | None = None

    @property
    def coverage(self) -> float | None:
        return None if not self.cost_usd else self.usd / self.cost_usd


@dataclass(slots=True)
class Alignment:
    suggestions: dict[int, list[Suggestion]]  # project id → its suggestions, best first
    links: dict[int, set[int]]  # project id → objectives it serves (confirmed, or suggested and not rejected)
    funding: dict[int, ObjectiveFunding]
    best_score: dict[int, float]  # project id → its best score against an approved plan's objective
    counts: dict[str, int] = field(default_factory=dict)


def sdg_goals(targets: Iterable[Any]) -> tuple[str, ...]:
    """SDG goals from targets or goals ("6.1", "SDG 6", 6) → ("6",)."""
    out = []
    for t in targets:
        text = str(t).upper().replace("SDG", "").strip().lstrip("-: ")
        goal = text.split(".", 1)[0].strip()
        if goal.isdigit() and 1 <= int(goal) <= 17 and goal not in out:
            out.append(str(int(goal)))
    return tuple(out)


def _reason(code: str, en: str, ar: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params, "en": en, "ar": ar}


@dataclass(slots=True)
class _Prepared:
    objective: ObjectiveIn
    concepts: TextConcepts
    weights: dict[str, float]
    total: float


class ObjectiveIndex:
    """Objectives indexed by (place, sector) and (place, concept); place 0 = everywhere."""

    def __init__(self, objectives: Iterable[ObjectiveIn], sector_names: Mapping[int, tuple[str, str]] | None = None):
        self.prepared: dict[int, _Prepared] = {}
        self.by_sector: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.by_concept: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.sector_names = dict(sector_names or {})
        for o in objectives:
            c = record_concepts((o.title_ar, o.title_en), (o.description_ar, o.description_en))
            weights = concept_weights(c)
            self.prepared[o.id] = _Prepared(o, c, weights, sum(weights.values()))
            for place in (o.places or {0}):
                for s in o.sector_ids:
                    self.by_sector[(place, s)].append(o.id)
                for k in c.content:
                    self.by_concept[(place, k)].append(o.id)

    def candidates(self, place: int, sector_ids: Iterable[int], concepts: Iterable[str]) -> set[int]:
        out: set[int] = set()
        for s in sector_ids:
            out.update(self.by_sector.get((place, s), ()))
        for k in concepts:
            out.update(self.by_concept.get((place, k), ()))
        return out

    def score(self, project: ProjectIn, pc: TextConcepts, objective_id: int, local: bool,
              settings: AlignmentSettings) -> tuple[float, list[dict[str, Any]]]:
        prep = self.prepared[objective_id]
        o = prep.objective
        score = 0.0
        reasons: list[dict[str, Any]] = []
        shared_sectors = [(s, pct) for s, pct in project.sectors if s in o.sector_ids]
        if shared_sectors:
            sector_id, pct = max(shared_sectors, key=lambda x: x[1])
            score += settings.sector_weight * (0.7 + 0.3 * min(1.0, sum(p for _, p in shared_sectors) / 100))
            ar, en = self.sector_names.get(sector_id, (str(sector_id), str(sector_id)))
            reasons.append(_reason("same_sector", f"Same sector: {en}.", f"القطاع نفسه: {ar}.", sector=sector_id))
        if o.plan_sector_id is not None and any(s == o.plan_sector_id for s, _ in project.sectors):
            score += settings.sector_plan_weight
            reasons.append(_reason("sector_plan", "The objective is in the plan of the project's sector.",
                                   "الهدف من خطة قطاع المشروع.", sector=o.plan_sector_id))
        shared = pc.content & prep.concepts.content
        if shared and prep.total:
            context = settings.context_factor
            part = sum(prep.weights[k] * (context if k in pc.context else 1.0) for k in shared) / prep.total
            theirs, mine = prep.concepts.actions, pc.actions
            if (shared & pc.specific) - pc.context and not (theirs | mine) & PEOPLE_ACTIONS:
                theirs, mine = theirs - UMBRELLA_ACTIONS, mine - UMBRELLA_ACTIONS
            if theirs and mine and not theirs & mine:
                part *= settings.other_work_factor
                reasons.append(_reason("other_work", "The project does another kind of work than the objective names.",
                                       "يقوم المشروع بنوع عمل غير الذي يذكره الهدف.", objective=sorted(theirs),
                                       project=sorted(mine)))
            their_fields, my_fields = prep.concepts.fields, pc.fields
            if their_fields and my_fields and not their_fields & my_fields:
                part *= settings.other_field_factor
                reasons.append(_reason("other_field", "The project is about another subject than the objective.",
                                       "يتناول المشروع موضوعاً غير موضوع الهدف.", objective=sorted(their_fields),
                                       project=sorted(my_fields)))
            score += settings.text_weight * part
            said = dict(prep.concepts.surface)
            said_p = dict(pc.surface)
            terms = sorted(shared, key=lambda k: -prep.weights[k])[:4]
            en = ", ".join(terms)
            ar = "، ".join(f"{said_p.get(k, k)} / {said.get(k, k)}" for k in terms)
            reasons.append(_reason("shared_terms", f"Both speak of {en} ({round(100 * part)}% of the objective).",
                                   f"يتحدثان عن: {ar} ({round(100 * part)}٪ من الهدف).",
                                   concepts=terms, share=round(part, 3)))
        goals = [g for g in project.sdg_goals if g in o.sdg_goals]
        if goals:
            score += settings.sdg_weight
            reasons.append(_reason("same_sdg", f"Same SDG goal: {', '.join(goals)}.",
                                   f"هدف التنمية المستدامة نفسه: {'، '.join(goals)}.", goals=goals))
        if local and score > 0:
            score += settings.local_weight
            reasons.append(_reason("municipal_plan", "The objective is in the plan of a municipality the project works in.",
                                   "الهدف من خطة بلدية يعمل فيها المشروع.", municipality=o.plan_municipality_id))
        return min(1.0, round(score, 4)), reasons


def project_concepts(p: ProjectIn) -> TextConcepts:
    return record_concepts((p.title_ar, p.title_en), (p.description_ar, p.description_en))


def _scored(index: ObjectiveIndex, p: ProjectIn, pc: TextConcepts, settings: AlignmentSettings,
            places: Iterable[int]) -> list[tuple[int, float, list[dict[str, Any]], bool]]:
    """Every objective the project reaches with a score above 0, best first (one entry per objective)."""
    sector_ids = [s for s, _ in p.sectors]
    best: dict[int, tuple[float, list[dict[str, Any]]]] = {}
    for place in (0, *places):
        for o_id in index.candidates(place, sector_ids, pc.content):
            local = place != 0 and index.prepared[o_id].objective.plan_municipality_id == place
            s, reasons = index.score(p, pc, o_id, local, settings)
            if s > 0 and (o_id not in best or best[o_id][0] < s):
                best[o_id] = (s, reasons)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [(o_id, s, reasons, index.prepared[o_id].objective.approved) for o_id, (s, reasons) in ranked]


def _suggest(index: ObjectiveIndex, projects: Iterable[ProjectIn], rejected: set[tuple[int, int]],
             settings: AlignmentSettings) -> tuple[dict[int, list[Suggestion]], dict[int, float]]:
    """Projects that read alike (same texts, sectors, SDG goals and places) are scored once."""
    suggestions: dict[int, list[Suggestion]] = {}
    best: dict[int, float] = {}
    texts: dict[tuple[str, str, str, str], tuple[int, TextConcepts]] = {}
    cache: dict[tuple, list[tuple[int, float, list[dict[str, Any]], bool]]] = {}
    threshold, most = settings.suggest_threshold, settings.max_suggestions
    for p in projects:
        text_key = (p.title_ar, p.title_en, p.description_ar, p.description_en)
        read = texts.get(text_key)
        if read is None:
            read = texts[text_key] = (len(texts), project_concepts(p))
        places = tuple(sorted({m for m, _ in p.locations}))
        key = (read[0], p.sectors, p.sdg_goals, places)
        scored = cache.get(key)
        if scored is None:
            scored = cache[key] = _scored(index, p, read[1], settings, places)
        top = 0.0
        picked: list[Suggestion] = []
        for o_id, s, reasons, approved in scored:
            if rejected and (p.id, o_id) in rejected:
                continue
            if approved and s > top:
                top = s
            if s >= threshold and len(picked) < most:
                picked.append(Suggestion(p.id, o_id, s, reasons))
            elif s < threshold and top:
                break
        best[p.id] = top
        if picked:
            suggestions[p.id] = picked
    return suggestions, best


def alignment_analysis(*, objectives: Iterable[ObjectiveIn], projects: Iterable[ProjectIn],
                       decisions: Iterable[LinkIn] = (), settings: AlignmentSettings | None = None,
                       sector_names: Mapping[int, tuple[str, str]] | None = None) -> Alignment:
    """Suggestions for every project, the links that count, and each objective's funding."""
    settings = settings or AlignmentSettings()
    projects = list(projects)
    index = ObjectiveIndex(objectives, sector_names)
    confirmed: dict[int, set[int]] = defaultdict(set)
    rejected: set[tuple[int, int]] = set()
    for d in decisions:
        if d.objective_id not in index.prepared:
            continue
        if d.status == CONFIRMED:
            confirmed[d.project_id].add(d.objective_id)
        elif d.status == REJECTED:
            rejected.add((d.project_id, d.objective_id))
    suggestions, best = _suggest(index, projects, rejected, settings)
    links: dict[int, set[int]] = {}
    for p in projects:
        chosen = set(confirmed.get(p.id, ())) | {s.objective_id for s in suggestions.get(p.id, ())}
        if chosen:
            links[p.id] = chosen
        if confirmed.get(p.id) and any(index.prepared[o].objective.approved for o in confirmed[p.id]):
            best[p.id] = 1.0  # a person said it serves an approved plan
    funding = objective_funding({o_id: p.objective for o_id, p in index.prepared.items()}, projects, links)
    counts = {"projects": len(projects), "objectives": len(index.prepared),
              "suggestions": sum(len(v) for v in suggestions.values()),
              "projects_linked": len(links)}
    return Alignment(suggestions, links, funding, best, counts)


def objective_funding(objectives: Mapping[int, ObjectiveIn], projects: Iterable[ProjectIn],
                      links: Mapping[int, set[int]]) -> dict[int, ObjectiveFunding]:
    """Active projects, partners and USD behind each objective, a sub-objective's counting for its
    parent too; a project linked to an objective and its sub-objective is counted once. The money of
    a municipal plan's objective is the project's part in the municipalities it concerns."""
    parents = {o_id: o.parent_id for o_id, o in objectives.items()}
    funding = {o_id: ObjectiveFunding(o_id, cost_usd=o.cost_usd) for o_id, o in objectives.items()}
    partners: dict[int, set[int]] = defaultdict(set)
    for p in projects:
        if not p.active or p.id not in links:
            continue
        reached: set[int] = set()
        for o_id in links[p.id]:
            while o_id is not None and o_id in funding and o_id not in reached:
                reached.add(o_id)
                o_id = parents.get(o_id)
        shares = p.municipality_shares()
        for o_id in reached:
            f = funding[o_id]
            f.projects += 1
            partners[o_id].update(p.partner_ids)
            if p.budget_usd:
                places = objectives[o_id].places
                part = 1.0 if not places else sum(v for m, v in shares.items() if m in places)
                f.usd += p.budget_usd * part
    for o_id, f in funding.items():
        f.partners = len(partners.get(o_id, ()))
        f.usd = round(f.usd, 2)
    return funding
