"""Demo development plans for a demo portfolio, with planted alignment truth. No ORM here.

* a national plan (approved): one objective per activity template of the demo vocabulary, except every
  fifth template, which no plan covers (its projects are planted *outside every plan*); objective texts
  come from the templates without their places, in English only for half of them and in Arabic only
  for the other half, so matching must cross languages;
* sector plans (approved) for half of the sectors with a theme: one broad objective for the sector;
* local plans for a third of the municipalities (approved): objectives for templates of the work done
  there, ranked by priority, and one planted top priority with no active project (*unfunded*).

The truth of a project ↔ objective link is the generator's intent, read from the title patterns of the
templates (not from the engine's vocabulary): a project serves its template's national objective, the
sector plan of each of its sectors, and its template's objective in a local plan of a municipality
where it works. Every plan is marked ``is_demo``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from demo.records import Portfolio, Reference
from demo.vocabulary import THEMES, Template, theme_for

OUTSIDE_EVERY = 5  # every fifth template has no objective in any plan
LOCAL_SHARE = 3  # one municipality in three has a local plan
_PLACEHOLDER = re.compile(r"\{(obj|mun|sector)_(en|ar)\}")


@dataclass(slots=True)
class DemoObjective:
    code: str
    title_ar: str
    title_en: str
    sector_ids: list[int]
    template: str | None  # the template it covers; None: a sector plan's broad objective
    municipality_id: int | None = None  # a local plan's municipality
    priority_rank: int | None = None
    cost_usd: float | None = None
    sdg_targets: list[str] = field(default_factory=list)
    parent: str = ""


@dataclass(slots=True)
class DemoPlan:
    code: str
    level: str
    title_ar: str
    title_en: str
    start_year: int
    end_year: int
    municipality_id: int | None = None
    sector_id: int | None = None
    objectives: list[DemoObjective] = field(default_factory=list)


SDG_BY_THEME = {"water": ["6.1"], "electricity": ["7.1"], "health": ["3.8"], "education": ["4.1"],
                "governance": ["16.6"], "waste": ["11.6"], "cohesion": ["16.1"], "demining": ["16.1"],
                "livelihoods": ["8.5"], "roads": ["9.1"], "protection": ["16.2"], "shelter": ["11.1"],
                "agriculture": ["2.3"]}


_TRAILING = frozenset({"in", "for", "of", "at", "the", "on", "to", "في", "ب", "ل", "حي", "لحي", "بحي", "لخدمة"})


def _strip(pattern: str, arabic: bool = False) -> str:
    """A template's title without its places: "Rehabilitation of the {obj_en} electricity substation in
    {mun_en}" → "Rehabilitation of the electricity substation"."""
    text = _PLACEHOLDER.sub(" ", pattern)
    for mark in "،,()–-:":
        text = text.replace(mark, " ")
    words = [w for w in text.split() if w not in ("حي",)]
    while words and words[-1] in _TRAILING:
        words.pop()
    return " ".join(words)


def _named(t: Template, sector: tuple[str, str]) -> tuple[str, str]:
    """The objective's texts: the template's title without its places, with the sector's name."""
    fill = {"{sector_en}": sector[0].lower(), "{sector_ar}": sector[1]}
    en, ar = t.en, t.ar
    for key, value in fill.items():
        en, ar = en.replace(key, value), ar.replace(key, value)
    return _strip(en), _strip(ar)


def _pattern(pattern: str) -> re.Pattern[str]:
    escaped = re.escape(pattern)
    return re.compile("^" + re.sub(r"\\\{(obj|mun|sector)_(en|ar)\\\}", ".+?", escaped) + "$")


def template_patterns() -> dict[str, list[re.Pattern[str]]]:
    out: dict[str, list[re.Pattern[str]]] = {}
    for templates in THEMES.values():
        for t in templates:
            out[t.key] = [_pattern(p) for p in (t.en, t.ar, t.alt_en, t.alt_ar)]
    return out


def project_template(title_en: str, title_ar: str, patterns: dict[str, list[re.Pattern[str]]]) -> str | None:
    for key, regexes in patterns.items():
        if any(r.match(title_en) or r.match(title_ar) for r in regexes if title_en or title_ar):
            return key
    return None


def _sector_themes(reference: Reference) -> dict[int, str]:
    return {s.id: theme_for(s.code, s.name_en, s.name_ar)[0] for s in reference.sectors}


def sector_of_themes(reference: Reference) -> dict[str, int]:
    """The sector the demo plans give each theme's objectives (the first sector of the theme, by id)."""
    out: dict[str, int] = {}
    for s_id, theme in sorted(_sector_themes(reference).items()):
        out.setdefault(theme, s_id)
    return out


def generate_plans(reference: Reference, portfolio: Portfolio, *, seed: int = 1,
                   local_objectives: int = 4) -> tuple[list[DemoPlan], dict[str, Any]]:
    """The demo plans and the alignment truth (keys, not ids: ``truth_alignment_with_ids`` adds them)."""
    rng = random.Random(seed * 7919 + 13)
    year = portfolio.today.year
    sector_of_theme = sector_of_themes(reference)
    templates: list[tuple[str, Template]] = [(theme, t) for theme, ts in THEMES.items() for t in ts
                                             if theme in sector_of_theme]
    covered = [(theme, t) for i, (theme, t) in enumerate(templates) if i % OUTSIDE_EVERY != OUTSIDE_EVERY - 1]
    national = DemoPlan("DEMO-NDP", "national", "الخطة العامة للدولة (بيانات تجريبية)",
                        "State general plan (demo data)", year - 1, year + 3)
    sector_names = {s.id: (s.name_en, s.name_ar) for s in reference.sectors}
    for i, (theme, t) in enumerate(covered):
        en, ar = _named(t, sector_names[sector_of_theme[theme]])
        national.objectives.append(DemoObjective(
            f"N{i + 1:02d}", "" if i % 2 == 0 else ar, en if i % 2 == 0 else "", [sector_of_theme[theme]], t.key,
            sdg_targets=SDG_BY_THEME.get(theme, []), cost_usd=float(rng.randint(5, 80) * 1_000_000)))
    plans = [national]
    for n, (theme, s_id) in enumerate(sorted(sector_of_theme.items(), key=lambda kv: kv[1])):
        if theme == "generic" or n % 2:  # half of the sectors have a sector plan
            continue
        sector = next(s for s in reference.sectors if s.id == s_id)
        plan = DemoPlan(f"DEMO-SEC-{sector.code}"[:60], "sector", f"خطة قطاع {sector.name_ar} (بيانات تجريبية)",
                        f"{sector.name_en} sector plan (demo data)", year - 1, year + 4, sector_id=s_id)
        plan.objectives.append(DemoObjective("S1", f"تحسين خدمات {sector.name_ar}",
                                             f"Better {sector.name_en.lower()} services", [s_id], None,
                                             sdg_targets=SDG_BY_THEME.get(theme, [])))
        plans.append(plan)
    plans.extend(_local_plans(reference, portfolio, covered, sector_of_theme, rng, local_objectives))
    return plans, {}


def _local_plans(reference: Reference, portfolio: Portfolio, covered: list[tuple[str, Template]],
                 sector_of_theme: dict[str, int], rng: random.Random, per_plan: int) -> list[DemoPlan]:
    year = portfolio.today.year
    patterns = template_patterns()
    active_here: dict[int, set[str]] = {}
    for p in portfolio.projects:
        if p.status == 2:
            template = project_template(p.title_en, p.title_ar, patterns)
            for m_id, _share in p.locations:
                active_here.setdefault(m_id, set()).add(template or "")
    out = []
    munis = [m for i, m in enumerate(reference.municipalities) if i % LOCAL_SHARE == 0]
    for m in munis:
        plan = DemoPlan(f"DEMO-LOC-{m.id}", "municipal", f"خطة تنمية {m.name_ar} (بيانات تجريبية)",
                        f"{m.name_en} local development plan (demo data)", year - 1, year + 2, municipality_id=m.id)
        here = active_here.get(m.id, set())
        idle = [c for c in covered if c[1].key not in here]
        busy = [c for c in covered if c[1].key in here]
        first = [rng.choice(idle)] if idle else []  # planted: the top priority has no active project
        rest = [c for c in rng.sample(busy, len(busy)) + rng.sample(idle, len(idle)) if c not in first]
        chosen = (first + rest)[:min(per_plan, len(covered))]
        names = {s.id: (s.name_en, s.name_ar) for s in reference.sectors}
        for rank, (theme, t) in enumerate(chosen, start=1):
            en, ar = _named(t, names[sector_of_theme[theme]])
            plan.objectives.append(DemoObjective(
                f"L{rank:02d}", ar, en if rank % 3 == 0 else "", [sector_of_theme[theme]], t.key, municipality_id=m.id,
                priority_rank=rank, cost_usd=float(rng.randint(2, 40) * 100_000)))
        out.append(plan)
    return out


def alignment_truth(plans: list[DemoPlan], portfolio: Portfolio) -> dict[str, Any]:
    """Which project serves which objective (by keys), which projects are outside every approved plan,
    and which local top priorities have no active project."""
    patterns = template_patterns()
    by_template: dict[str, list[tuple[str, DemoObjective]]] = {}
    broad: dict[int, list[tuple[str, DemoObjective]]] = {}
    for plan in plans:
        for o in plan.objectives:
            if o.template is None:
                for s in o.sector_ids:
                    broad.setdefault(s, []).append((plan.code, o))
            else:
                by_template.setdefault(o.template, []).append((plan.code, o))
    links, outside, served_local = [], [], set()
    for p in portfolio.projects:
        template = project_template(p.title_en, p.title_ar, patterns)
        places = {m for m, _ in p.locations}
        sectors = {s for s, _pct in p.sectors}
        mine = [(c, o) for c, o in by_template.get(template or "", [])
                if o.municipality_id in (None, *places) and sectors & set(o.sector_ids)]
        mine += [(c, o) for s, _pct in p.sectors for c, o in broad.get(s, [])]
        for code, o in mine:
            links.append({"project": p.key, "plan": code, "objective": o.code})
            if o.municipality_id is not None and p.status == 2:
                served_local.add((code, o.code))
        if not mine and p.status == 2:
            outside.append(p.key)
    unfunded = [{"plan": plan.code, "objective": o.code, "municipality_id": plan.municipality_id}
                for plan in plans if plan.level == "municipal" for o in plan.objectives
                if o.priority_rank and o.priority_rank <= 3 and (plan.code, o.code) not in served_local]
    return {"links": links, "outside_plans": outside, "priority_unfunded": unfunded}
