"""A synthetic, realistic portfolio with planted ground truth, deterministic for a seed. No ORM here.

Use::

    reference = Reference.build(municipalities=[...], sectors=[...], partners=[...], rates=[...])
    portfolio = generate_portfolio(reference, n_projects=300, seed=1, today=date(2025, 6, 30))

``portfolio.projects`` / ``.programmes`` / ``.needs`` are plain records (``records.py``) and
``portfolio.truth`` the ground truth keyed by generator keys. ``writer.write_portfolio`` persists
the records and returns each key's database id; ``truth.truth_with_ids`` adds those ids. The same
seed, ``today`` and reference data give the same records, keys and truth; everything is drawn from
``random.Random(seed)`` and dated relative to ``today``.

Ground truth, as written by ``seed_demo --truth FILE`` (schema ``tansiq-demo-truth/1``)::

    {
      "schema": "tansiq-demo-truth/1", "seed": 1, "today": "2025-06-30", "projects": 300,
      "definitions": {
        "active_statuses": [2], "need_severity_min": 3, "need_source": "Tansiq demo",
        "delay_rules": {"end_passed": "status 2 and planned_end < today", ...},   # see schedule.RULE_DEFINITIONS
        "thresholds": {"late_start_days": 90, "silence_days": 90, "behind_elapsed": 0.8, "behind_progress": 30}
      },
      "counts": {"duplicates": {"reported_twice": 4, "overlap": 2}, "distinct_pairs": {...}, "delayed": 51, ...},
      "duplicates": [                      # complete: any pair of projects not listed here is not a duplicate
        {"kind": "reported_twice",         # the funder's record first, the implementer's second
         "keys": ["P000012", "P000245"], "ids": [812, 1045],
         "municipality_ids": [[7], [7]], "sector_id": 3, "statuses": [2, 2],
         "linked": true},                  # linked by Transaction.provider_activity_id and Participation.activity_id
        {"kind": "overlap", ...}           # two partners, independently, same activity, same place, same time
      ],
      "distinct_pairs": [                  # hard negatives: they look alike but are not duplicates
        {"kind": "same_place_different_activity" | "related_phase" | "same_activity_other_municipality",
         "keys": [...], "ids": [...], "municipality_ids": [[...], [...]], "sector_id": 3, "statuses": [4, 2],
         "relation": "sibling" | "parent_child" | null}      # related_phase: earlier phase first; null = not linked
      ],
      "unreached": {
        "municipalities": [{"id": 5, "name_en": "...", "planted": true}],   # no project with status 2 at all
        "municipality_sectors": [                                           # need severity >= 3, no status-2 project
          {"municipality_id": 5, "sector_id": 2, "severity": 4, "people_in_need": 1200, "planted": true}],
        "sectors_without_active_project": [8]
      },
      "delayed": [{"key": "P000001", "id": 701, "rules": ["end_passed", "no_recent_update"]}],
      "on_time": [{"key": "P000002", "id": 702}]     # every other project; none is near any threshold
    }

Pairs are planted only from 40 projects up (about 2.4 % of projects reported twice, 1.6 % in
independent overlaps, 3.6 % in look-alike distinct pairs); the coverage gaps are planted at any size.
``ids`` are absent in ``portfolio.truth`` (only keys) and filled in after writing. "planted" marks
what was left uncovered on purpose; other entries arise by chance and are listed all the same, so
each list is exactly what a correct engine should find.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from demo.builder import DISBURSEMENT, FUNDING, IMPLEMENTING, INCOMING_FUNDS, Activity, Draft, World
from demo.chance import Weighted
from demo.records import NeedRec, Portfolio, ProgrammeRec, Reference, TransactionRec
from demo.schedule import ACCEPTED, DRAFT, IMPLEMENTATION, PROFILES, RETURNED, SUBMITTED, draw_schedule
from demo.truth import build_truth
from demo.vocabulary import THEMES

PAIR_RATES = {
    "reported_twice": 0.012,
    "overlap": 0.008,
    "same_place_different_activity": 0.006,
    "related_phase": 0.006,
    "same_activity_other_municipality": 0.006,
}
# Stories the committee tells, planted where their municipality is in the reference data (from 40 projects up):
# (sector code, template key, implementer, funder, profile). Murzuq: the electricity network, public buildings
# and infrastructure, and livelihoods and demining for the safe return of displaced families.
STORIES: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "murzuq": (
        ("electricity-energy", "mv_grid", "UNDP", "EUTF", "on_track"),
        ("electricity-energy", "substation", "UNOPS", "KfW", "end_passed"),
        ("education", "school_rehab", "UNICEF", "AICS", "on_track"),
        ("health", "phc", "UNOPS", "DG NEAR", "closed"),
        ("infrastructure-transport", "road", "UNDP", "EUTF", "late_start"),
        ("livelihoods", "vocational", "IOM", "EUTF", "on_track"),
        ("mine-action", "erw_clearance", "UNMAS", "AA", "on_track"),
        ("local-governance", "development_plan", "UNDP", "BMZ", "pipeline"),
    ),
}
PARENT, CHILD, SIBLING = 1, 2, 3
SEVERITY = Weighted((1, 2, 3, 4, 5), (12, 23, 30, 22, 13))
PROPOSAL_STATE = Weighted((SUBMITTED, DRAFT, RETURNED), (50, 35, 15))
DAY = timedelta(days=1)
Pair = tuple[str, Draft, Draft, dict[str, Any]]


def generate_portfolio(reference: Reference, n_projects: int, seed: int, today: date, *,
                       progress: Callable[[int], None] | None = None) -> Portfolio:
    if not (reference.municipalities and reference.sectors and reference.partners):
        raise ValueError("The reference data needs municipalities, sectors and partners.")
    if n_projects < 0:
        raise ValueError("The number of projects cannot be negative.")
    rng = random.Random(seed)
    world = World(reference, rng, today)
    needs = _plan_coverage(world)
    world.build_active_pools()
    world.plan_programmes(max(len(world.partners), min(2000, n_projects // 40)))
    gen = _Generation(world)
    if n_projects >= 40:
        gen.stories()
    for kind, rate in PAIR_RATES.items():
        count = max(1, round(n_projects * rate)) if n_projects >= 40 else 0
        for _ in range(count):
            gen.planted(kind)
            gen.report(progress)
    while len(gen.drafts) < n_projects:
        gen.single()
        gen.report(progress)
    drafts = gen.drafts
    assert len(drafts) == n_projects
    programmes = _finish(world, drafts)
    truth = build_truth(world, drafts, gen.pairs, needs, seed=seed, today=today)
    if progress:
        progress(len(drafts) - gen.reported)
    return Portfolio(seed, today, programmes, [d.rec for d in drafts], needs, truth)


def _plan_coverage(world: World) -> list[NeedRec]:
    """Choose what stays uncovered, and the needs assessed everywhere."""
    rng, today, munis = world.rng, world.today, world.munis
    count = len(munis)
    n_unreached = 0 if count < 3 else max(1, round(count * 0.08))
    # Small, remote municipalities are the ones programmes forget.
    story = {m for m, muni in enumerate(munis) if muni.slug in STORIES}
    by_size = sorted((m for m in range(count) if m not in story), key=lambda m: (munis[m].population or 0, munis[m].id))
    n_unreached = min(n_unreached, len(by_size))
    world.unreached = set(rng.sample(by_size[: max(n_unreached, count // 2)], n_unreached))
    n_sectors = len(world.sectors)
    if n_sectors >= 6:  # one of the less common sectors gets no active project anywhere
        rarest = sorted(range(n_sectors), key=lambda s: (world.sector_weight[s], world.sectors[s].id))
        world.orphan_sector = rng.choice(rarest[: max(1, n_sectors // 3)])
    needs: list[NeedRec] = []
    for m, muni in enumerate(munis):
        assessed = today - rng.randint(30, 400) * DAY
        blocked = None
        told = {code for item in STORIES.get(muni.slug, ()) for code in item[:1]}
        options = [s for s in range(n_sectors) if s != world.orphan_sector and world.sectors[s].code not in told]
        if m not in world.unreached and options and rng.random() < 0.25:
            blocked = rng.choice(options)
            world.blocked.add((m, blocked))
        population = muni.population or 20000
        for s, sector in enumerate(world.sectors):
            if s == blocked:
                severity = rng.randint(3, 5)
            elif rng.random() < 0.55:
                severity = SEVERITY.draw(rng)
            else:
                continue
            people = min(population, max(10, int(population * rng.uniform(0.02, 0.08) * severity)))
            displaced = int(people * rng.uniform(0, 0.3)) if rng.random() < 0.4 else None
            returnees = int(people * rng.uniform(0, 0.2)) if rng.random() < 0.3 else None
            needs.append(NeedRec(muni.id, sector.id, severity, people, displaced, returnees, assessed))
    return needs


class _Generation:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng
        self.drafts: list[Draft] = []
        self.pairs: list[Pair] = []
        self.reported = 0
        can_be_active = bool(world.active_sectors)
        profiles = [p for p in PROFILES.values() if can_be_active or p.status != IMPLEMENTATION]
        self.any_profile = Weighted([p.name for p in profiles], [p.weight for p in profiles])
        self.live = [p for p in profiles if p.live]
        self.live_profiles = Weighted([p.name for p in self.live], [p.weight for p in self.live])

    def report(self, progress: Callable[[int], None] | None) -> None:
        if progress and len(self.drafts) - self.reported >= 1000:
            progress(len(self.drafts) - self.reported)
            self.reported = len(self.drafts)

    def profile(self, *, live: bool = False) -> str:
        if live:
            return self.live_profiles.draw(self.rng)
        return self.any_profile.draw(self.rng)

    def single(self) -> None:
        w, rng = self.world, self.rng
        name = self.profile()
        sched = draw_schedule(name, rng, w.today)
        active = sched.status == IMPLEMENTATION
        act = w.new_activity(w.pick_sector(active), active)
        funder, implementer = w.pick_parties(sector=act.sector)
        state = ACCEPTED
        if name == "pipeline" and rng.random() < 0.4:
            state = PROPOSAL_STATE.draw(rng)
        self.drafts.append(w.make_project(act, sched, funder, implementer, w.pick_reporter(funder, implementer),
                                          state=state))

    def stories(self) -> None:
        """The projects of :data:`STORIES`, in the municipalities and with the partners they name (a story's
        project whose sector or partner the reference data lacks is left out)."""
        w, rng = self.world, self.rng
        by_slug = {muni.slug: m for m, muni in enumerate(w.munis)}
        by_code = {sector.code: s for s, sector in enumerate(w.sectors)}
        by_acronym = {partner.acronym: i for i, partner in enumerate(w.partners)}
        for slug, items in STORIES.items():
            if slug not in by_slug:
                continue
            m = by_slug[slug]
            for code, template_key, implementer_acronym, funder_acronym, profile in items:
                s = by_code.get(code)
                implementer, funder = by_acronym.get(implementer_acronym), by_acronym.get(funder_acronym)
                if s is None or implementer is None or funder is None:
                    continue
                sched = draw_schedule(profile, rng, w.today)
                active = sched.status == IMPLEMENTATION
                if not w.allowed(m, s, active):
                    continue
                template = next((t for t in THEMES[w.sector_theme[s]] if t.key == template_key), None)
                act = w.new_activity(s, active, munis=[m], template=template)
                self.drafts.append(w.make_project(act, sched, funder, implementer,
                                                  w.pick_reporter(funder, implementer), background=False))

    def planted(self, kind: str) -> None:
        if not self.live and kind != "reported_twice":
            return
        pair = getattr(self, "_" + kind)()
        if pair is not None:
            self.drafts += [pair[1], pair[2]]
            self.pairs.append(pair)

    def _reported_twice(self) -> Pair | None:
        w, rng = self.world, self.rng
        name = self.profile()
        first = draw_schedule(name, rng, w.today)
        active = first.status == IMPLEMENTATION
        sector = w.pick_sector(active)
        funder, implementer = w.pick_parties(sector=sector, distinct=True)
        if funder == implementer:
            return None
        second = draw_schedule(name, rng, w.today, like=first.anchors, day_jitter=14, pct_jitter=3)
        act = w.new_activity(sector, active)
        linked = w.has_iati(funder) and w.has_iati(implementer) and rng.random() < 0.5
        a = w.make_project(act, first, funder, implementer, funder, background=False,
                           wants_iati=linked or rng.random() < 0.4)
        assert a.budget_usd is not None
        b = w.make_project(act, second, funder, implementer, implementer, alt=rng.random() < 0.6,
                           budget_usd=round(a.budget_usd * rng.uniform(0.97, 1.03), -2),
                           sectors=list(a.rec.sectors) if rng.random() < 0.7 else [(a.rec.sectors[0][0], Decimal("100.00"))],
                           sites_like=a.rec.sites if rng.random() < 0.7 else [], background=False,
                           wants_iati=linked or rng.random() < 0.5)
        if linked:
            self._link_funding(a, b, funder, implementer)
        return ("reported_twice", a, b, {"linked": linked})

    def _link_funding(self, a: Draft, b: Draft, funder: int, implementer: int) -> None:
        """The implementer's record names the funder's activity, as IATI's provider-activity-id does."""
        w = self.world
        f_id, i_id = w.partners[funder].id, w.partners[implementer].id
        for part in b.rec.participations:
            if part.partner_id == f_id and part.role == FUNDING:
                w.link(b, a, part, "activity_id")
        for part in a.rec.participations:
            if part.partner_id == i_id and part.role == IMPLEMENTING:
                w.link(a, b, part, "activity_id")
        day = b.rec.actual_start or b.rec.planned_start
        assert day is not None and b.rec.budget is not None and a.rec.budget is not None
        incoming = TransactionRec(INCOMING_FUNDS, day, b.rec.budget, b.rec.currency, f_id, i_id)
        b.rec.transactions.append(incoming)
        w.link(b, a, incoming, "provider_activity_id")
        w.link(b, b, incoming, "receiver_activity_id")
        outgoing = TransactionRec(DISBURSEMENT, day, a.rec.budget, a.rec.currency, f_id, i_id)
        a.rec.transactions.append(outgoing)
        w.link(a, a, outgoing, "provider_activity_id")
        w.link(a, b, outgoing, "receiver_activity_id")

    def _overlap(self) -> Pair | None:
        w, rng = self.world, self.rng
        sector = w.pick_sector(True)
        f1, i1 = w.pick_parties(sector=sector)
        f2, i2 = w.pick_parties(sector=sector, avoid={f1, i1})
        r1, r2 = w.pick_reporter(f1, i1), w.pick_reporter(f2, i2)
        if r1 == r2 or i1 == i2:
            return None
        first = draw_schedule(self.profile(live=True), rng, w.today)
        second = draw_schedule(self.profile(live=True), rng, w.today)
        act = w.new_activity(sector, True, single=True)
        a = w.make_project(act, first, f1, i1, r1, background=False)
        b = w.make_project(act, second, f2, i2, r2, alt=rng.random() < 0.5, background=False,
                           sites_like=a.rec.sites if rng.random() < 0.6 else None, site_spread=0.002)
        return ("overlap", a, b, {})

    def _same_place_different_activity(self) -> Pair:
        w, rng = self.world, self.rng
        s = w.pick_sector(True)
        act_a = w.new_activity(s, True)
        template = act_a.template if rng.random() < 0.5 else w.pick_template(s, exclude=act_a.template)
        act_b = w.new_activity(s, True, munis=act_a.munis, template=template)
        a = self._fresh(act_a, live=True)
        b = self._fresh(act_b, live=True)
        return ("same_place_different_activity", a, b, {})

    def _fresh(self, act: Activity, *, live: bool) -> Draft:
        w = self.world
        funder, implementer = w.pick_parties(sector=act.sector)
        sched = draw_schedule(self.profile(live=live), self.rng, w.today)
        return w.make_project(act, sched, funder, implementer, w.pick_reporter(funder, implementer),
                              background=False)

    def _related_phase(self) -> Pair:
        w, rng = self.world, self.rng
        later = draw_schedule(rng.choices(("on_track", "pipeline"), (70, 30))[0], rng, w.today)
        sector = w.pick_sector(later.status == IMPLEMENTATION)
        for _ in range(10):
            funder, implementer = w.pick_parties(sector=sector)
            reporter = w.pick_reporter(funder, implementer)
            if w.has_iati(reporter):
                break
        earlier_end = later.planned_start - rng.randint(1, 90) * DAY
        earlier = draw_schedule("closed", rng, w.today, fixed={"b": (earlier_end - w.today).days})
        assert earlier.actual_start is not None and earlier.actual_end is not None
        if earlier.actual_end >= later.planned_start:
            earlier.actual_end = max(earlier.actual_start, later.planned_start - DAY)
            earlier.last_update_end = earlier.actual_end
        act = w.new_activity(sector, later.status == IMPLEMENTATION)
        linked = w.has_iati(reporter) and rng.random() < 0.8
        phase_two = w.make_project(act, later, funder, implementer, reporter, phase=1, background=False,
                                   wants_iati=linked or rng.random() < 0.4)
        phase_one = w.make_project(act, earlier, funder, implementer, reporter,
                                   phase=0 if rng.random() < 0.5 else None, background=False,
                                   sectors=list(phase_two.rec.sectors), sites_like=phase_two.rec.sites,
                                   wants_iati=linked or rng.random() < 0.4)
        relation = None
        if linked:
            if rng.random() < 0.5:
                relation = "sibling"
                w.relate(phase_one, phase_two, SIBLING)
                w.relate(phase_two, phase_one, SIBLING)
            else:
                relation = "parent_child"  # IATI: the later phase names the earlier one as its parent
                w.relate(phase_one, phase_two, CHILD)
                w.relate(phase_two, phase_one, PARENT)
        return ("related_phase", phase_one, phase_two, {"relation": relation})

    def _same_activity_other_municipality(self) -> Pair | None:
        w, rng = self.world, self.rng
        s = w.pick_sector(True)
        act_a = w.new_activity(s, True, single=True)
        primary = act_a.munis[0]
        near = [m for m in w.by_district[w.munis[primary].district_id] if m != primary]
        rng.shuffle(near)
        others = near + [m for m in w.active_pools[s].members if m not in near and m != primary]
        target = next((m for m in others if w.allowed(m, s, True)
                       and w.object_free(act_a.template, m, act_a.obj_index)), None)
        a = self._fresh(act_a, live=True)
        if target is None:
            self.drafts.append(a)
            return None
        w.used.add((target, act_a.template.slot, act_a.obj_index))
        act_b = Activity(act_a.template, act_a.theme, s, act_a.obj_index, [target])
        if rng.random() < 0.6:  # the same partner rolling the activity out in another place
            sched = draw_schedule(self.profile(live=True), rng, w.today)
            b = w.make_project(act_b, sched, a.funder, a.implementer, a.reporter, background=False)
        else:
            b = self._fresh(act_b, live=True)
        return ("same_activity_other_municipality", a, b, {})


def _finish(world: World, drafts: list[Draft]) -> list[ProgrammeRec]:
    """Shuffle (so pairs are not neighbours), then give out keys, identifiers and codes in key order."""
    world.rng.shuffle(drafts)
    iati_seq: dict[int, int] = {}
    code_seq: dict[int, int] = {}
    for number, draft in enumerate(drafts, start=1):
        rec = draft.rec
        rec.key = f"P{number:06d}"
        partner = world.partners[draft.reporter]
        if draft.wants_iati and partner.iati_ref:
            iati_seq[draft.reporter] = iati_seq.get(draft.reporter, 0) + 1
            rec.iati_identifier = f"{partner.iati_ref}-LBY-{iati_seq[draft.reporter]:05d}"
        if draft.wants_code:
            code_seq[draft.reporter] = code_seq.get(draft.reporter, 0) + 1
            year = rec.planned_start.year if rec.planned_start else world.today.year
            rec.partner_code = f"{partner.acronym or 'P' + str(partner.id)}/{year}/{code_seq[draft.reporter]:05d}"
    for draft in drafts:
        for obj, attr, target in draft.links:
            value = target.rec.key if attr == "related_key" else (target.rec.iati_identifier or "")
            setattr(obj, attr, value)
    spans: dict[str, list[date]] = {}
    for draft in drafts:
        rec = draft.rec
        if rec.programme_key and rec.planned_start and rec.planned_end:
            span = spans.setdefault(rec.programme_key, [rec.planned_start, rec.planned_end])
            span[0], span[1] = min(span[0], rec.planned_start), max(span[1], rec.planned_end)
    programmes = []
    for programme in world.programmes:
        if programme.key in spans:
            programme.start_date, programme.end_date = spans[programme.key]
            programmes.append(programme)
    for draft in drafts:
        if draft.rec.programme_key not in spans:
            draft.rec.programme_key = None
    return programmes
