"""Scoring a pair of prepared records: the activities' similarity times what confirms or weakens
it, the reasons for both, and the finding's kind (``score_pair``)."""

from __future__ import annotations

import math

from coordination.analysis.duplicates.features import WORD_WEIGHT
from coordination.analysis.duplicates.prepared import ActivityProfile, PreparedRecord, activity_profile
from coordination.analysis.duplicates.records import (
    OVERLAP,
    RELATED_PHASE,
    REPORTED_TWICE,
    Finding,
    ProjectRecord,
    Reason,
    Settings,
)
from coordination.analysis.vocabulary import vocabulary

# --- scoring ----------------------------------------------------------------------------


def _credit(concepts: dict[str, float], other: ActivityProfile) -> float:
    voc = vocabulary()
    total = 0.0
    for c, w in concepts.items():
        if c in other.closure:
            total += w  # the other names it, or something narrower (a clinic is health care)
        elif any(p in other.concepts for p in voc.parents[c]):
            total += 0.5 * w  # the other names something broader (mines / explosive ordnance)
        elif voc.action_class.get(c, "") in other.actions:
            total += 0.5 * w  # another action of the same class (repair / rehabilitation)
    return total


def _activity_similarity(a: PreparedRecord, b: PreparedRecord, act_a: ActivityProfile | None = None,
                         act_b: ActivityProfile | None = None) -> float:
    """Weighted Dice of the two activities' concepts and ordinary words."""
    act_a, act_b = act_a or a.act, act_b or b.act
    total = act_a.weight + act_b.weight
    if not total:
        return 0.0
    shared = _credit(act_a.concepts, act_b) + _credit(act_b.concepts, act_a)
    if a.words and b.words:
        shared += 2 * WORD_WEIGHT * len(a.words & b.words)
    return min(1.0, shared / total)


def _unanswered(x: PreparedRecord, y: PreparedRecord, weak: bool = False) -> list[frozenset[str]]:
    """The names of ``x`` that ``y`` does not answer (by the same name, or the same word)."""
    return [item for item in (x.weak if weak else x.items) if not (item & y.answers)]


def _as_names(x: PreparedRecord, y: PreparedRecord) -> tuple[int, ActivityProfile]:
    """The Arabic words of ``x`` with the article that ``y`` writes as names ("مكب نفايات السلام",
    "Al-Salam landfill"): how many, and the activity of ``x`` without the concepts only they named."""
    if not x.weak or not y.name_keys:
        return 0, x.act
    named = [only for keys, only in zip(x.weak, x.weak_only, strict=True) if keys & y.name_keys]
    drop = frozenset().union(*named) if named else frozenset()
    if not drop:
        return len(named), x.act
    words_weight = x.act.weight - sum(x.act.concepts.values())
    return len(named), activity_profile({c: w for c, w in x.act.concepts.items() if c not in drop}, words_weight)


def _shown(x: PreparedRecord, items: list[frozenset[str]]) -> list[str]:
    """Names as the titles write them."""
    out = []
    for item in items:
        label = x.labels.get(item)
        if not label:
            keys = sorted(item)
            label = next((k[2:] for k in keys if k.startswith("k:")), keys[0][2:])
        out.append(label)
    return sorted(out)


def _head_qualified(own: set[str], other: set[str], act_own: ActivityProfile, act_other: ActivityProfile) -> set[str]:
    """``own`` without its heads (centre, station, system) when the other record names a thing of a
    field both name: "the primary health care centre" and "the PHC clinic" are one facility."""
    voc = vocabulary()
    if not any(voc.kind[c] == "head" for c in own):
        return own
    fields = {c for c in act_own.closure if voc.kind[c] == "field"} & act_other.closure
    if fields and any(voc.kind[t] == "thing" and fields & set(voc.parents[t]) for t in other):
        return {c for c in own if voc.kind[c] != "head"}
    return own


def _km(p: tuple[float, float], q: tuple[float, float]) -> float:
    lat = math.radians((p[1] + q[1]) / 2)
    dx = (p[0] - q[0]) * 111.32 * math.cos(lat)
    dy = (p[1] - q[1]) * 110.57
    return math.hypot(dx, dy)


def _date_overlap(a: ProjectRecord, b: ProjectRecord) -> tuple[float | None, int | None]:
    """(overlap as a share of the shorter period, days between them when they do not overlap)."""
    if not (a.start and a.end and b.start and b.end):
        return None, None
    inter = (min(a.end, b.end) - max(a.start, b.start)).days
    shorter = max(1, min((a.end - a.start).days, (b.end - b.start).days))
    if inter >= 0:
        return min(1.0, inter / shorter), 0
    return 0.0, -inter


def identifier_link(a: PreparedRecord, b: PreparedRecord) -> str | None:
    ida, idb = a.rec.iati_identifier, b.rec.iati_identifier
    if idb and idb in a.linked:
        return a.linked[idb]
    if ida and ida in b.linked:
        how = b.linked[ida]
        return {"parent": "child", "child": "parent"}.get(how, how)
    return None


# What weakens a pair (multiplied in).
NAME_CONFLICT = 0.3  # each names an object the other does not (another neighbourhood, another school)
WEAK_NAME_CONFLICT = 0.45  # ... where one of the names may also be an ordinary word
NUMBER_CONFLICT = 0.35  # "Al-Nour 2" and "Al-Nour"
CONTENT_CONFLICT = 0.45  # each is about a thing, field or topic the other never mentions
ACTION_CONFLICT = 0.65  # supplying equipment and giving support; training and building
GROUP_CONFLICT = 0.7  # for women, for youth
OTHER_MUNICIPALITY = 0.3  # the same activity in another municipality is another project
OTHER_SECTORS = 0.7  # no sector in common
# What confirms a pair (multiplied in): two publishers' records naming the same funder and implementer.
BOTH_SIDES = 1.5


def score_pair(a: PreparedRecord, b: PreparedRecord, settings: Settings) -> Finding | None:
    """The pair's finding, or None when its score is under the threshold (and no identifier links
    the two). The score is the activities' similarity times what confirms or weakens it; the
    cheap factors come first, so that a pair that cannot reach the threshold stops early."""
    ra, rb = a.rec, b.rec
    link = identifier_link(a, b)
    threshold = settings.threshold if link is None else -1.0
    # Who published each record: the tell between a funder's and an implementer's record of one
    # project (other publishers, the same organisations in the same roles) and two contracts of one
    # funder (the same publisher, who knows both). The reporting partner says it; where one of the two
    # has none, the organisation their IATI identifiers begin with.
    published = ra.reporting_partner is not None and rb.reporting_partner is not None
    same_publisher = published and ra.reporting_partner == rb.reporting_partner
    if not published and a.publisher is not None and b.publisher is not None:
        published, same_publisher = True, a.publisher == b.publisher
    both_sides = link is None and published and not same_publisher and a.parties is not None and a.parties == b.parties

    # Place, numbers, time, sectors, money: cheap.
    shared_munis = ra.municipalities & rb.municipalities
    other_municipality = bool(ra.municipalities and rb.municipalities and not shared_munis)
    site_km = None
    if other_municipality or (shared_munis and ra.municipalities != rb.municipalities):
        site_km = min((_km(p, q) for p in ra.sites for q in rb.sites), default=None)
    one_site = site_km is not None and site_km <= settings.near_site_km
    if other_municipality:
        factor = OTHER_MUNICIPALITY if not one_site else 2 * OTHER_MUNICIPALITY
    elif shared_munis and not one_site:
        factor = 0.8 + 0.2 * len(shared_munis) / len(ra.municipalities | rb.municipalities)
    elif shared_munis:
        factor = 1.0
    else:
        factor = 0.85
    if both_sides:
        factor *= BOTH_SIDES
    number_conflict = a.numbers != b.numbers or bool(a.years and b.years and not a.years & b.years)
    if number_conflict:
        factor *= NUMBER_CONFLICT
    if factor < threshold:
        return None
    overlap, gap_days = _date_overlap(ra, rb)
    if overlap is None:
        factor *= 0.9
    elif gap_days:
        factor *= 0.85
    else:
        factor *= 0.85 + 0.15 * min(1.0, overlap / 0.5)
    # A broad code on one side (a funder's 43010, 73010 or 15110) is compatible with the precise code
    # under it: no sector in common then says nothing.
    other_sectors = bool(ra.sectors and rb.sectors and not (ra.sectors & rb.sectors)
                         and not (ra.broad_sectors or rb.broad_sectors))
    if other_sectors:
        factor *= OTHER_SECTORS
    budget_ratio = None
    if ra.budget_usd and rb.budget_usd:
        budget_ratio = min(ra.budget_usd, rb.budget_usd) / max(ra.budget_usd, rb.budget_usd)
        if budget_ratio < 0.25:
            factor *= 0.9
    if factor < threshold:
        return None

    # Names: set operations.
    una, unb = _unanswered(a, b), _unanswered(b, a)
    name_conflict = bool(una and unb)
    wa = wb = []
    if not name_conflict:
        wa, wb = _unanswered(a, b, weak=True), _unanswered(b, a, weak=True)
    weak_conflict = not name_conflict and bool((una or wa) and (unb or wb))
    named_a, act_a = _as_names(a, b)
    named_b, act_b = _as_names(b, a)
    same_names = (len(a.items) - len(una)) + (len(b.items) - len(unb)) + named_a + named_b
    if name_conflict:
        factor *= NAME_CONFLICT
    elif weak_conflict:
        factor *= WEAK_NAME_CONFLICT
    elif not same_names:
        factor *= 0.85 if a.items or b.items else 0.9  # one names its object, the other does not
    if factor < threshold:
        return None

    # What each does.
    content_a = {c for c in act_a.content if c not in act_b.closure}
    content_b = {c for c in act_b.content if c not in act_a.closure}
    if content_a and content_b:
        content_a = _head_qualified(content_a, content_b, act_a, act_b)
        content_b = _head_qualified(content_b, content_a, act_b, act_a)
    content_conflict = bool(content_a and content_b)
    if not content_conflict and a.subject and b.subject:
        # Two subtitles about different things ("...: public procurement", "...: electronic services").
        content_a = {c for c in a.subject if c not in b.subject_closure}
        content_b = {c for c in b.subject if c not in a.subject_closure}
        content_conflict = bool(content_a and content_b)
    action_conflict = bool(act_a.actions and act_b.actions and not (act_a.actions & act_b.actions))
    group_conflict = bool(act_a.groups and act_b.groups and not (act_a.groups & act_b.groups))
    if both_sides and (content_conflict or action_conflict or group_conflict or name_conflict or weak_conflict):
        factor /= BOTH_SIDES  # two sides' records of one project name the same work, things and people
    if content_conflict:
        factor *= CONTENT_CONFLICT
    if action_conflict:
        factor *= ACTION_CONFLICT
    if group_conflict:
        factor *= GROUP_CONFLICT
    if factor < threshold:
        return None

    similarity = _activity_similarity(a, b, act_a, act_b)
    score = min(1.0, similarity ** 0.7 * factor)
    if score < threshold:
        return None

    reasons: list[Reason] = []
    if similarity >= 0.5:
        reasons.append(Reason("similar_titles", {"similarity": round(similarity, 2)}))
    if same_names and not (name_conflict or weak_conflict):
        shown = _shown(a, [i for i in a.items if i not in una]) or _shown(b, [i for i in b.items if i not in unb])
        reasons.append(Reason("same_names", {"names": shown}))
    if name_conflict or weak_conflict:
        reasons.append(Reason("different_names", {"a": _shown(a, una or wa), "b": _shown(b, unb or wb)}))
    if number_conflict:
        reasons.append(Reason("different_numbers", {"a": sorted(a.numbers | a.years), "b": sorted(b.numbers | b.years)}))
    if content_conflict or action_conflict or group_conflict:
        reasons.append(Reason("different_activities", {
            "a": sorted(content_a) if content_conflict else sorted(act_a.actions if action_conflict else act_a.groups),
            "b": sorted(content_b) if content_conflict else sorted(act_b.actions if action_conflict else act_b.groups),
        }))
    if shared_munis:
        reasons.append(Reason("same_municipality", {"municipalities": sorted(shared_munis)}))
    if other_municipality:
        reasons.append(Reason("different_municipalities", {"a": sorted(ra.municipalities),
                                                            "b": sorted(rb.municipalities)}))
    if other_sectors:
        reasons.append(Reason("different_sectors", {"a": sorted(ra.sectors), "b": sorted(rb.sectors)}))
    if site_km is None:
        site_km = min((_km(p, q) for p in ra.sites for q in rb.sites), default=None)
    if site_km is not None and site_km <= 2:
        reasons.append(Reason("sites_close", {"km": round(site_km, 2)}))
    if overlap is not None and overlap > 0:
        reasons.append(Reason("dates_overlap", {"share": round(overlap, 2)}))
    if budget_ratio is not None and budget_ratio >= 0.8:
        reasons.append(Reason("similar_budgets", {"ratio": round(budget_ratio, 2)}))

    if link in ("provider", "receiver", "participant"):
        reasons.insert(0, Reason("linked_activity_ids", {"how": link}))
        return Finding(ra.id, rb.id, round(max(score, 0.97), 3), REPORTED_TWICE, tuple(reasons))
    if link in ("parent", "child", "sibling", "cofunded", "third"):
        reasons.insert(0, Reason("related_activity", {"how": link}))
        return Finding(ra.id, rb.id, round(max(score, 0.9), 3), RELATED_PHASE, tuple(reasons))

    # Both records declare their place in a funder's hierarchy (decisions and their contracts):
    # the publisher has said how they relate, so look-alikes among them are related, not copies.
    parents_a = {i for i, how in a.linked.items() if how == "parent"}
    parents_b = {i for i, how in b.linked.items() if how == "parent"}
    if parents_a and parents_b:
        if parents_a & parents_b:
            reasons.append(Reason("same_parent", {"parent": sorted(parents_a & parents_b)[0]}))
        else:
            reasons.append(Reason("different_parents", {"a": sorted(parents_a)[0], "b": sorted(parents_b)[0]}))
        return Finding(ra.id, rb.id, round(score, 3), RELATED_PHASE, tuple(reasons))
    in_hierarchy_a = parents_a or any(how == "child" for how in a.linked.values())
    in_hierarchy_b = parents_b or any(how == "child" for how in b.linked.values())
    if in_hierarchy_a and in_hierarchy_b and a.funders & b.funders:
        reasons.append(Reason("same_funder_hierarchy", {}))
        return Finding(ra.id, rb.id, round(score, 3), RELATED_PHASE, tuple(reasons))

    sequential = gap_days is not None and (gap_days > 0 or (overlap is not None
                                                            and overlap < settings.sequential_overlap))
    phases_differ = a.phase != b.phase and (a.phase is not None or b.phase is not None)
    if phases_differ or sequential:
        if phases_differ:
            reasons.append(Reason("different_phases", {"a": a.phase or 1, "b": b.phase or 1}))
        if sequential:
            reasons.append(Reason("successive_periods", {"days_apart": gap_days or 0}))
        if a.partners & b.partners:
            reasons.append(Reason("same_partners", {}))
        return Finding(ra.id, rb.id, round(score, 3), RELATED_PHASE, tuple(reasons))
    if same_publisher:
        # Two records of one publisher that no identifier links: two contracts (or lots) it manages.
        reasons.append(Reason("same_publisher", {}))
        return Finding(ra.id, rb.id, round(score, 3), RELATED_PHASE, tuple(reasons))
    if both_sides:
        reasons.append(Reason("both_sides_report", {}))
    same_implementer = bool(a.implementers & b.implementers)
    funder_implements = bool(a.funders & b.implementers or b.funders & a.implementers)
    if same_implementer or funder_implements:
        if same_implementer:
            reasons.append(Reason("same_implementer", {}))
        if funder_implements:
            reasons.append(Reason("funder_is_implementer", {}))
        if a.funders & b.funders:
            reasons.append(Reason("same_funder", {}))
        return Finding(ra.id, rb.id, round(score, 3), REPORTED_TWICE, tuple(reasons))
    reasons.append(Reason("different_partners", {}))
    return Finding(ra.id, rb.id, round(score, 3), OVERLAP, tuple(reasons))
