"""Projects the demo generator did not write, for measuring the alignment suggestions on records that do not
share the plans' templates: the titles of the duplicate evaluation set (``demo.iati_eval.activities``,
another author's phrasings, each in one language only), placed in the demo municipalities, with the truth
of which demo objective each serves labelled by meaning here. No ORM.

Each family of work is labelled with the demo activity template it is the same work as, or with none
(hard negatives: water trucking is not the piped network, sewer network repairs are neither the drinking
water network nor a sewage pumping station, school furniture is not a school's rehabilitation, a civil
registry is not a citizen service centre, revenue collection has no template);
families whose match is a matter of opinion (procurement training, psychosocial support) are left out.
A labelled record serves its template's objective in the national plan and in the local plan of its
municipality, and the broad objective of its sector's plan, as ``demo.plans.alignment_truth`` counts the
generator's own projects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coordination.analysis.alignment import ProjectIn
from demo.iati_eval.activities import FAMILIES
from demo.plans import DemoPlan, sector_of_themes
from demo.records import Reference

# family key → (the demo template that is the same work, or None; the theme whose sector it is recorded in)
FAMILY_TEMPLATE: dict[str, tuple[str | None, str]] = {
    "waste": ("waste_collection", "waste"),
    "landfill": ("landfill", "waste"),
    "water_network": ("water_network", "water"),
    "water_trucking": (None, "water"),
    "sewage": (None, "water"),  # the sewer network; the demo template is a pumping station
    "phc": ("phc", "health"),
    "mobile_health": ("mobile_clinic", "health"),
    "schools": ("school_rehab", "education"),
    "school_furniture": (None, "education"),
    "street_light": ("solar_lighting", "electricity"),
    "vocational": ("vocational", "livelihoods"),
    "planning": ("development_plan", "governance"),
    "ordnance": ("erw_clearance", "demining"),
    "registry": (None, "governance"),
    "revenue": (None, "governance"),
}
PLACES_PER_TITLE = 4


@dataclass(frozen=True, slots=True)
class EvalRecord:
    project: ProjectIn
    family: str
    template: str | None


def eval_records(reference: Reference, plans: list[DemoPlan], *, first_id: int = 1
                 ) -> tuple[list[EvalRecord], set[tuple[int, tuple[str, str]]]]:
    """Active single-language projects from the evaluation families' titles, each in a few municipalities
    (half of them with a local plan), and the true links as (project id, (plan code, objective code))."""
    sectors = sector_of_themes(reference)
    planned = sorted(p.municipality_id for p in plans if p.municipality_id)
    others = [m.id for m in reference.municipalities if m.id not in set(planned)]
    names = {m.id: (m.name_en, m.name_ar) for m in reference.municipalities}
    out: list[EvalRecord] = []
    truth: set[tuple[int, tuple[str, str]]] = set()
    n = first_id
    for f_index, family in enumerate(FAMILIES):
        if family.key not in FAMILY_TEMPLATE or FAMILY_TEMPLATE[family.key][1] not in sectors:
            continue
        template, theme = FAMILY_TEMPLATE[family.key]
        sector = sectors[theme]
        titles = [("en", t) for t in family.en] + [("ar", t) for t in family.ar]
        for t_index, (lang, title) in enumerate(titles):
            for k in range(PLACES_PER_TITLE):
                pool = planned if k % 2 == 0 else others
                m = pool[(f_index * 7 + t_index * 3 + k * 5) % len(pool)]
                text = title.format(p=names[m][0] if lang == "en" else names[m][1])
                p = ProjectIn(id=n, status=2, title_en=text if lang == "en" else "",
                              title_ar=text if lang == "ar" else "", budget_usd=250_000.0, partner_ids=(1,),
                              locations=((m, None),), sectors=((sector, 100.0),))
                out.append(EvalRecord(p, family.key, template))
                truth |= {(n, key) for key in _served(plans, template, sector, m)}
                n += 1
    return out, truth


def _served(plans: list[DemoPlan], template: str | None, sector: int, municipality: int) -> list[tuple[str, str]]:
    out = []
    for plan in plans:
        for o in plan.objectives:
            if o.template is None and sector in o.sector_ids:
                out.append((plan.code, o.code))
            elif template is not None and o.template == template and o.municipality_id in (None, municipality) \
                    and sector in o.sector_ids:
                out.append((plan.code, o.code))
    return out


def eval_quality(suggested: dict[int, list[Any]], truth: set[tuple[int, tuple[str, str]]],
                 ids: dict[tuple[str, str], int], broad: set[int], records: list[EvalRecord]) -> dict[str, Any]:
    """Precision and recall of the suggestions against the labels: over every link, and over the links to
    objectives named after a kind of work (the broad objectives of sector plans, which any project of the
    sector serves, left out); and how many hard negatives got a work objective suggested."""
    want = {(p, ids[key]) for p, key in truth}
    got = {(p, s.objective_id) for p, found in suggested.items() for s in found}

    def scores(w: set, g: set) -> dict[str, Any]:
        hit = len(w & g)
        return {"true": len(w), "suggested": len(g), "hit": hit,
                "precision": round(hit / len(g), 4) if g else None, "recall": round(hit / len(w), 4) if w else None}

    negatives = {r.project.id for r in records if r.template is None}
    work_got = {(p, o) for p, o in got if o not in broad}
    wrong = {p for p, _o in work_got if p in negatives}
    return {
        "records": len(records), "families": len({r.family for r in records}),
        "all_links": scores(want, got),
        "work_objectives": scores({(p, o) for p, o in want if o not in broad}, work_got),
        "hard_negatives": {"records": len(negatives), "given_a_work_objective": len(wrong)},
    }
