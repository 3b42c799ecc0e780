"""Duplicate and overlap detection: explainable, pure Python, no ORM.

Records in (``ProjectRecord``), findings out (``Finding``: a pair, a score 0–1, a kind and
the reasons for both). Candidate pairs come from blocks, never from all pairs:

* projects that share a municipality *and* an activity concept (a thing, a topic or a
  named place: "school", "substation", "GIS", "Al-Andalus"), or whose sites lie in the same
  ~2 km grid cell, or that carry no place at all (national projects), blocked by concept;
* projects linked by identifiers (IATI identifier, provider/receiver activity ids,
  related activities), whatever their place.

A pair's score weighs text similarity (normalised Arabic and English tokens, mapped to a
bilingual vocabulary, plus cross-script consonant keys for names), shared places and sites,
overlapping dates, close budgets in USD, and the partners' relations. Its kind:

* ``reported_twice`` — the same project in two records (linked ids, or the same funder
  and implementer reporting from both sides);
* ``overlap`` — different partners doing the same thing in the same place at the same time;
* ``related_phase`` — phases, parent and child, siblings (linked as related activities,
  or successive periods, or phase words that differ).

A pair's score does not depend on the other records, so an incremental check of one
project gives the same findings as a full scan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .text import AR_STOP, arabic_stem, raw_tokens, skeleton
from .vocabulary import vocabulary

# --- records and findings ---------------------------------------------------------------

FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = 1, 2, 3, 4
REL_PARENT, REL_CHILD, REL_SIBLING, REL_COFUNDED, REL_THIRD = 1, 2, 3, 4, 5

REPORTED_TWICE, OVERLAP, RELATED_PHASE = "reported_twice", "overlap", "related_phase"


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    id: int
    title_ar: str = ""
    title_en: str = ""
    reporting_partner: int | None = None
    participants: tuple[tuple[int, int], ...] = ()  # (partner id, IATI role)
    sectors: frozenset[int] = frozenset()
    municipalities: frozenset[int] = frozenset()
    sites: tuple[tuple[float, float], ...] = ()  # (lon, lat)
    start: date | None = None
    end: date | None = None
    budget_usd: float | None = None
    iati_identifier: str | None = None
    # identifiers of *other* activities this record points to, with how:
    # ("provider" | "receiver" | "participant" | "parent" | "child" | "sibling" | "cofunded" | "third")
    links: tuple[tuple[str, str], ...] = ()
    status: int | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finding:
    a: int
    b: int
    score: float
    kind: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    threshold: float = 0.5
    max_gap_days: int = 730  # projects further apart in time are never compared
    site_cell_degrees: float = 0.02  # ~2 km: sites in the same or a neighbouring cell are compared
    near_site_km: float = 0.5


# --- features ---------------------------------------------------------------------------

KIND_WEIGHTS = {"thing": 2.0, "topic": 2.5, "field": 1.5, "action": 1.0, "place": 0.2, "phase": 0.0, "filler": 0.0}
NAME_WEIGHT = 3.0
BLOCKING_KINDS = {"thing", "topic"}
_PHASE_WORDS = {"ii": 2, "iii": 3, "iv": 4, "2": 2, "3": 3, "4": 4, "second": 2, "third": 3, "ثانيه": 2, "ثالثه": 3,
                "ثاني": 2, "ثالث": 3}


_AR_PROCLITICS = frozenset("وبلفك")
_NAME_MARKERS = frozenset({"al", "el", "حي", "بحي", "لحي"})
_NAME_JOINERS = frozenset({"ibn", "bin", "abu", "ابن", "بن", "ابو"})


@dataclass(slots=True)
class _Prepared:
    rec: ProjectRecord
    features: dict[str, float]
    weight: float
    names: frozenset[str]
    article_words: dict[str, str]  # key -> its concept
    numbers: frozenset[str]  # numbers in the title (not in place names): "Al-Nour 2", "cohort 5"
    all_keys: frozenset[str]  # skeletons of every token, names or not (a name may be a word in the other language)
    phase: int | None
    block_terms: frozenset[str]
    object_terms: frozenset[str]
    funders: frozenset[int]
    implementers: frozenset[int]
    partners: frozenset[int]
    linked: dict[str, str]


def _prepare(rec: ProjectRecord, place_keys: Callable[[frozenset[int]], frozenset[str]]) -> _Prepared:
    token_concept, concept_kind = vocabulary()
    ignore = place_keys(rec.municipalities)
    features: dict[str, float] = {}
    names: set[str] = set()
    all_keys: set[str] = set()
    block_terms: set[str] = set()
    article_words: dict[str, str] = {}
    numbers: set[str] = set()
    joiner = ""
    phase = None
    has_phase_word = False
    after_marker = False
    for raw, stem in raw_tokens(f"{rec.title_ar} {rec.title_en}", keep={"al", "el"}):
        arabic = stem[:1] >= "\u0600"
        had_article = arabic and raw != stem
        if arabic:
            if stem not in token_concept and len(stem) >= 4 and stem[0] in _AR_PROCLITICS:
                # Light stemming: a proclitic (و ب ل ف ك) comes off when what is left is a known word.
                bare = arabic_stem(stem[1:])
                if bare in AR_STOP:
                    continue
                if bare in token_concept:
                    stem = bare
            if stem not in token_concept and len(stem) >= 5 and stem[-2:] in ("ها", "هم"):
                # ... and so does a pronoun suffix (تدويرها: its recycling).
                if stem[:-2] in token_concept:
                    stem = stem[:-2]
            raw = stem
        key = skeleton(raw)
        if raw in _NAME_JOINERS:
            # "Ibn Rushd" is one name, not "Ibn" and "Rushd" (which would answer "Al-Rashid").
            joiner = "bn" if raw not in ("abu", "ابو") else "b"
            after_marker = True
            continue
        if raw in _NAME_MARKERS:
            after_marker = True
            continue
        if raw in ignore:
            after_marker = False
            continue
        if after_marker:
            # What follows "حي" or "Al-" is a name, even when it is also a word ("الجديدة", "the new").
            after_marker = False
            key, joiner = joiner + key, ""
            if key:
                features["n:" + key] = NAME_WEIGHT
                names.add(key)
                all_keys.add(key)
                if len(key) >= 2:
                    block_terms.add("n:" + key)
            continue
        if raw in _PHASE_WORDS:
            phase = max(phase or 0, _PHASE_WORDS[raw])
        concept = token_concept.get(stem) or token_concept.get(raw) or token_concept.get(arabic_stem(stem))
        if concept is not None:
            kind = concept_kind[concept]
            if kind == "phase":
                has_phase_word = True
            if kind == "filler":
                continue
            features["c:" + concept] = KIND_WEIGHTS[kind]
            if kind in BLOCKING_KINDS:
                block_terms.add("c:" + concept)
            if had_article and len(key) >= 2:
                # "الساحل" is a word (coastal) and may be a name (Al-Sahel) in the other record.
                all_keys.add(key)
                article_words[key] = "c:" + concept
        elif key and not raw.isdigit():
            features["n:" + key] = NAME_WEIGHT
            names.add(key)
            all_keys.add(key)
            if len(key) >= 2:
                block_terms.add("n:" + key)
        elif raw.isdigit():
            # A number tells things apart like a name does ("Al-Nour 2", "cohort 5", "School No. 3").
            features["n:#" + raw] = NAME_WEIGHT
            numbers.add(raw)
    if has_phase_word and phase is None:
        phase = 1
    funders = frozenset(p for p, role in rec.participants if role in (FUNDING, EXTENDING))
    implementers = frozenset(p for p, role in rec.participants if role == IMPLEMENTING)
    partners = frozenset(p for p, _ in rec.participants) | (
        frozenset([rec.reporting_partner]) if rec.reporting_partner is not None else frozenset()
    )
    return _Prepared(
        rec=rec, features=features, weight=sum(features.values()), names=frozenset(names),
        article_words=article_words, numbers=frozenset(numbers),
        all_keys=frozenset(all_keys), phase=phase, block_terms=frozenset(block_terms),
        object_terms=frozenset(t for t in block_terms if t.startswith("c:")),
        funders=funders, implementers=implementers or (frozenset([rec.reporting_partner]) if rec.reporting_partner else frozenset()),
        partners=partners, linked={ident: how for how, ident in rec.links},
    )


# --- scoring ----------------------------------------------------------------------------


def _name_answers(x: _Prepared, y: _Prepared) -> frozenset[str]:
    """The keys of ``x`` that may answer a name of ``y``: its names, and its words with the
    article unless ``y`` uses that word as a word too (then it answers that, not a name)."""
    return x.names | {k for k, concept in x.article_words.items() if concept not in y.features}


def _unanswered(x: _Prepared, y: _Prepared) -> set[str]:
    """What ``x`` names that ``y`` does not: names, and article words ``y`` has neither as word nor name."""
    answers = _name_answers(y, x)
    out = {n for n in x.names if n not in answers}
    out.update(k for k, concept in x.article_words.items() if concept not in y.features and k not in y.all_keys)
    return out


def _text_similarity(a: _Prepared, b: _Prepared) -> float:
    if not a.weight or not b.weight:
        return 0.0
    small, large = (a.features, b.features) if len(a.features) <= len(b.features) else (b.features, a.features)
    shared = sum(w for f, w in small.items() if f in large)
    # A name in one record may be an ordinary word (so a concept) in the other: not a difference.
    soft = sum(NAME_WEIGHT for n in a.names - b.names if n in _name_answers(b, a)) + sum(
        NAME_WEIGHT for n in b.names - a.names if n in _name_answers(a, b)
    )
    union = a.weight + b.weight - shared - soft
    return min(1.0, shared / union) if union > 0 else 0.0


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


def _link(a: _Prepared, b: _Prepared) -> str | None:
    ida, idb = a.rec.iati_identifier, b.rec.iati_identifier
    if idb and idb in a.linked:
        return a.linked[idb]
    if ida and ida in b.linked:
        how = b.linked[ida]
        return {"parent": "child", "child": "parent"}.get(how, how)
    return None


def score_pair(a: _Prepared, b: _Prepared, settings: Settings) -> Finding | None:
    ra, rb = a.rec, b.rec
    reasons: list[Reason] = []
    link = _link(a, b)

    text = _text_similarity(a, b)
    # Each names something the other does not (another neighbourhood, another school).
    # Arabic words with the article ("الساحل") count as possible names here too.
    name_conflict = bool((a.names or b.names) and _unanswered(a, b) and _unanswered(b, a))
    # A number in one title and another (or none) in the other: a repeat, not the same work.
    number_conflict = a.numbers != b.numbers
    shared_munis = ra.municipalities & rb.municipalities
    site_km = min((_km(p, q) for p in ra.sites for q in rb.sites), default=None)
    overlap, gap_days = _date_overlap(ra, rb)
    budget_ratio = None
    if ra.budget_usd and rb.budget_usd:
        budget_ratio = min(ra.budget_usd, rb.budget_usd) / max(ra.budget_usd, rb.budget_usd)

    same_implementer = bool(a.implementers & b.implementers)
    funder_implements = bool(a.funders & b.implementers or b.funders & a.implementers)
    same_funder = bool(a.funders & b.funders)
    partner_overlap = bool(a.partners & b.partners)

    # Text carries the evidence; place, time and money confirm it or weaken it.
    place = 1.0 if shared_munis else 0.0
    if site_km is not None:
        place = max(place, 1.0 if site_km <= settings.near_site_km else 0.6 if site_km <= 2 else place * 0.5)
    when = overlap if overlap is not None else 0.5
    money = budget_ratio if budget_ratio is not None else 0.5
    context = 0.4 * place + 0.35 * when + 0.25 * money
    score = text ** 0.8 * (0.45 + 0.55 * context)
    if name_conflict or number_conflict:
        score *= 0.45
    # Each is about a thing or topic the other never mentions (a school and a clinic).
    things_a = {f for f in a.features if f in a.object_terms} - b.features.keys()
    things_b = {f for f in b.features if f in b.object_terms} - a.features.keys()
    object_conflict = bool(things_a and things_b)
    if object_conflict:
        score *= 0.75
    if ra.sectors and rb.sectors and not (ra.sectors & rb.sectors):
        score *= 0.8

    if text >= 0.5:
        reasons.append(Reason("similar_titles", {"similarity": round(text, 2)}))
    if name_conflict:
        reasons.append(Reason("different_names", {"a": sorted(_unanswered(a, b)), "b": sorted(_unanswered(b, a))}))
    if number_conflict:
        reasons.append(Reason("different_numbers", {"a": sorted(a.numbers), "b": sorted(b.numbers)}))
    if shared_munis:
        reasons.append(Reason("same_municipality", {"municipalities": sorted(shared_munis)}))
    if site_km is not None and site_km <= 2:
        reasons.append(Reason("sites_close", {"km": round(site_km, 2)}))
    if overlap is not None and overlap > 0:
        reasons.append(Reason("dates_overlap", {"share": round(overlap, 2)}))
    if budget_ratio is not None and budget_ratio >= 0.8:
        reasons.append(Reason("similar_budgets", {"ratio": round(budget_ratio, 2)}))

    sequential = gap_days is not None and (gap_days > 0 or (overlap is not None and overlap < 0.15))
    phases_differ = a.phase != b.phase and (a.phase is not None or b.phase is not None)

    if link in ("provider", "receiver", "participant"):
        reasons.insert(0, Reason("linked_activity_ids", {"how": link}))
        return Finding(ra.id, rb.id, round(max(score, 0.97), 3), REPORTED_TWICE, tuple(reasons))
    if link in ("parent", "child", "sibling", "cofunded", "third"):
        reasons.insert(0, Reason("related_activity", {"how": link}))
        return Finding(ra.id, rb.id, round(max(score, 0.9), 3), RELATED_PHASE, tuple(reasons))

    if score < settings.threshold:
        return None
    if phases_differ or sequential:
        if phases_differ:
            reasons.append(Reason("different_phases", {"a": a.phase or 1, "b": b.phase or 1}))
        if sequential:
            reasons.append(Reason("successive_periods", {"days_apart": gap_days or 0}))
        if partner_overlap:
            reasons.append(Reason("same_partners", {}))
        return Finding(ra.id, rb.id, round(score, 3), RELATED_PHASE, tuple(reasons))
    if same_implementer or funder_implements:
        if same_implementer:
            reasons.append(Reason("same_implementer", {}))
        if funder_implements:
            reasons.append(Reason("funder_is_implementer", {}))
        if same_funder:
            reasons.append(Reason("same_funder", {}))
        return Finding(ra.id, rb.id, round(score, 3), REPORTED_TWICE, tuple(reasons))
    reasons.append(Reason("different_partners", {}))
    return Finding(ra.id, rb.id, round(score, 3), OVERLAP, tuple(reasons))


# --- candidates and the scan -------------------------------------------------------------


class DuplicateIndex:
    """Prepared records with their blocks, for full scans and one-project checks."""

    def __init__(self, records: Iterable[ProjectRecord], *, place_names: dict[int, Iterable[str]] | None = None,
                 settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._place_keys_cache: dict[frozenset[int], frozenset[str]] = {}
        self._place_names = {m: self._keys_of(names) for m, names in (place_names or {}).items()}
        self.prepared: dict[int, _Prepared] = {}
        self.blocks: dict[tuple, list[int]] = defaultdict(list)
        self.by_identifier: dict[str, int] = {}
        self.pointing_at: dict[str, list[int]] = defaultdict(list)
        for rec in records:
            self.add(rec)

    @staticmethod
    def _keys_of(names: Iterable[str]) -> frozenset[str]:
        keys: set[str] = set()
        for name in names:
            for raw, stem in raw_tokens(name):
                keys.add(stem if stem[:1] >= "\u0600" else raw)
        return frozenset(k for k in keys if k)

    def _place_keys(self, municipalities: frozenset[int]) -> frozenset[str]:
        cached = self._place_keys_cache.get(municipalities)
        if cached is None:
            cached = frozenset().union(*(self._place_names.get(m, frozenset()) for m in municipalities))
            self._place_keys_cache[municipalities] = cached
        return cached

    def _block_keys(self, p: _Prepared) -> set[tuple]:
        keys: set[tuple] = set()
        terms = p.block_terms or {f"s:{s}" for s in p.rec.sectors}
        cell = self.settings.site_cell_degrees
        for term in terms:
            for m in p.rec.municipalities:
                keys.add(("m", m, term))
            for lon, lat in p.rec.sites:
                keys.add(("g", int(lon // cell), int(lat // cell), term))
            if not p.rec.municipalities and not p.rec.sites:
                keys.add(("x", term))
        return keys

    def add(self, rec: ProjectRecord) -> None:
        p = _prepare(rec, self._place_keys)
        self.prepared[rec.id] = p
        for key in self._block_keys(p):
            self.blocks[key].append(rec.id)
        if rec.iati_identifier:
            self.by_identifier[rec.iati_identifier] = rec.id
        for _how, ident in rec.links:
            self.pointing_at[ident].append(rec.id)

    def _near_in_time(self, a: ProjectRecord, b: ProjectRecord) -> bool:
        if not (a.start and a.end and b.start and b.end):
            return True
        gap = max((a.start - b.end).days, (b.start - a.end).days)
        return gap <= self.settings.max_gap_days

    def candidates_of(self, project_id: int) -> set[int]:
        p = self.prepared[project_id]
        found: set[int] = set()
        cell = self.settings.site_cell_degrees
        for key in self._block_keys(p):
            found.update(self.blocks.get(key, ()))
            if key[0] == "g":  # neighbouring grid cells too
                _, x, y, term = key
                for dx in (-1, 0, 1):
                    for dy in (-1, 0, 1):
                        if dx or dy:
                            found.update(self.blocks.get(("g", x + dx, y + dy, term), ()))
        found.update(self._linked_ids(p))
        found.discard(project_id)
        _ = cell
        return found

    def _linked_ids(self, p: _Prepared) -> set[int]:
        out = {self.by_identifier[i] for i in p.linked if i in self.by_identifier}
        if p.rec.iati_identifier:
            out.update(self.pointing_at.get(p.rec.iati_identifier, ()))
        return out

    def check(self, project_id: int) -> list[Finding]:
        """Findings for one project against all the others (the incremental check)."""
        p = self.prepared[project_id]
        out = []
        for other_id in sorted(self.candidates_of(project_id)):
            q = self.prepared[other_id]
            if not self._near_in_time(p.rec, q.rec) and not self._linked_pair(p, q):
                continue
            a, b = (p, q) if p.rec.id < q.rec.id else (q, p)
            finding = score_pair(a, b, self.settings)
            if finding:
                out.append(finding)
        return out

    def _linked_pair(self, p: _Prepared, q: _Prepared) -> bool:
        return _link(p, q) is not None

    def scan(self, progress: Callable[[int, int], None] | None = None) -> tuple[list[Finding], int]:
        """All findings, and how many pairs were scored. Each pair is scored once."""
        scored: set[tuple[int, int]] = set()
        findings: list[Finding] = []
        blocks = list(self.blocks.values())
        total = len(blocks)
        for i, members in enumerate(blocks):
            if len(members) > 1:
                self._scan_block(members, scored, findings)
            if progress and (i % 500 == 0 or i == total - 1):
                progress(i + 1, total)
        # identifier links across blocks (no shared place or concept needed)
        for pid, p in self.prepared.items():
            for other in self._linked_ids(p):
                a, b = (pid, other) if pid < other else (other, pid)
                if a != b and (a, b) not in scored:
                    scored.add((a, b))
                    finding = score_pair(self.prepared[a], self.prepared[b], self.settings)
                    if finding:
                        findings.append(finding)
        return findings, len(scored)

    def _scan_block(self, members: Sequence[int], scored: set, findings: list) -> None:
        prepared = self.prepared
        # Sorted by start so the time window closes the inner loop early.
        rows = sorted(members, key=lambda i: (prepared[i].rec.start or date.min))
        max_gap = self.settings.max_gap_days
        for x, ia in enumerate(rows):
            pa = prepared[ia]
            end_a = pa.rec.end
            for ib in rows[x + 1:]:
                pb = prepared[ib]
                if end_a and pb.rec.start and pa.rec.start and (pb.rec.start - end_a).days > max_gap:
                    break
                a, b = (ia, ib) if ia < ib else (ib, ia)
                if (a, b) in scored:
                    continue
                scored.add((a, b))
                finding = score_pair(prepared[a], prepared[b], self.settings)
                if finding:
                    findings.append(finding)


def duplicate_candidates(records: Iterable[ProjectRecord], **kwargs) -> tuple[list[Finding], int]:
    """Scan a whole portfolio: (findings, pairs scored)."""
    return DuplicateIndex(records, **kwargs).scan()


def naive_all_pairs(records: Sequence[ProjectRecord], **kwargs) -> tuple[list[Finding], int]:
    """Every pair scored: the slow baseline the benchmark compares the blocked scan with."""
    index = DuplicateIndex(records, **kwargs)
    ids = sorted(index.prepared)
    findings = []
    for x, a in enumerate(ids):
        pa = index.prepared[a]
        for b in ids[x + 1:]:
            finding = score_pair(pa, index.prepared[b], index.settings)
            if finding:
                findings.append(finding)
    return findings, len(ids) * (len(ids) - 1) // 2
