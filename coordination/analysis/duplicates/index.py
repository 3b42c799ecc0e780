"""Candidates and the scan: ``DuplicateIndex`` keeps the prepared records and their blocks (strong,
loose, identifier links), gives one record's candidates (``candidates_of``) and its blocks as
strings (``block_keys``), checks one project (``check``) and scans all pairs once (``scan``)."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from coordination.analysis.duplicates.features import place_name_phrases
from coordination.analysis.duplicates.prepared import PreparedRecord, record_prepare
from coordination.analysis.duplicates.records import Finding, ProjectRecord, Settings
from coordination.analysis.duplicates.scoring import identifier_link, score_pair

# --- candidates and the scan -------------------------------------------------------------


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while many small, acyclic objects are built: the collector would
    otherwise walk every record prepared so far, again and again (half the time of a large index)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()



class DuplicateIndex:
    """Prepared records with their blocks, for full scans and one-project checks.

    Strong blocks (a municipality and a name or topic) compare all their members; loose blocks
    (a municipality and an activity concept) compare only members without any name or topic
    with the others."""

    def __init__(self, records: Iterable[ProjectRecord], *, place_names: dict[int, Iterable[str]] | None = None,
                 settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._phrases_cache: dict[frozenset[int], dict[str, tuple[tuple[str, ...], ...]]] = {}
        self.place_name_phrases = {
            m: tuple(p for p in dict.fromkeys(place_name_phrases(name) for name in names if name) if p)
            for m, names in (place_names or {}).items()
        }
        self.prepared: dict[int, PreparedRecord] = {}
        self.blocks: dict[tuple, list[int]] = defaultdict(list)
        self.loose: dict[tuple, list[int]] = defaultdict(list)
        self.loose_unnamed: dict[tuple, list[int]] = defaultdict(list)
        self.by_identifier: dict[str, int] = {}
        # Records naming a funder and an implementer, by the two (``_party_term``): all of them, and those
        # placed nowhere (no municipality resolved), which meet the placed ones of the same parties.
        self.parties: dict[str, list[int]] = defaultdict(list)
        self.parties_unplaced: dict[str, list[int]] = defaultdict(list)
        self.pointing_at: dict[str, list[int]] = defaultdict(list)
        with _bulk():
            for rec in records:
                self.add(rec)

    def _phrases(self, municipalities: frozenset[int]) -> dict[str, tuple[tuple[str, ...], ...]]:
        """The names of these municipalities as phrases, by their first word."""
        cached = self._phrases_cache.get(municipalities)
        if cached is None:
            by_head: dict[str, list[tuple[str, ...]]] = {}
            for m in municipalities:
                for phrase in self.place_name_phrases.get(m, ()):
                    if phrase not in by_head.setdefault(phrase[0], []):
                        by_head[phrase[0]].append(phrase)
            cached = {head: tuple(sorted(ps, key=len, reverse=True)) for head, ps in by_head.items()}
            self._phrases_cache[municipalities] = cached
        return cached

    @staticmethod
    def _places(p: PreparedRecord) -> list[tuple]:
        return [("m", m) for m in p.rec.municipalities] or [("x",)]

    def _strong_keys(self, p: PreparedRecord) -> set[tuple]:
        keys = {place + (term,) for place in self._places(p) for term in p.strong_terms}
        party = self._party_term(p)
        if party:
            keys.update(place + (party,) for place in self._places(p))
        return keys

    @staticmethod
    def _party_term(p: PreparedRecord) -> str | None:
        """A block of the records naming the same funder and implementer in a municipality: the
        funder's and the implementer's records of one project meet there whatever their titles say."""
        if p.parties is None:
            return None
        funders, implementers = p.parties
        return "o:" + ",".join(map(str, sorted(funders))) + ">" + ",".join(map(str, sorted(implementers)))

    @staticmethod
    def _loose_terms(p: PreparedRecord) -> Iterable[str]:
        # A title with no known word and a record without sectors still meets the other such
        # records of its place ("*"), so that identical titles of national projects are compared.
        return p.loose_terms or {f"s:{s}" for s in p.rec.sectors} or {"*"}

    def _loose_keys(self, p: PreparedRecord) -> set[tuple]:
        return {place + (term,) for place in self._places(p) for term in self._loose_terms(p)}

    def add(self, rec: ProjectRecord) -> None:
        p = record_prepare(rec, self._phrases)
        self.prepared[rec.id] = p
        for key in self._strong_keys(p):
            self.blocks[key].append(rec.id)
        for key in self._loose_keys(p):
            self.loose[key].append(rec.id)
            if not p.strong_terms:
                self.loose_unnamed[key].append(rec.id)
        party = self._party_term(p)
        if party:
            self.parties[party].append(rec.id)
            if not rec.municipalities:
                self.parties_unplaced[party].append(rec.id)
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
        for key in self._strong_keys(p):
            found.update(self.blocks.get(key, ()))
        loose = self.loose if not p.strong_terms else self.loose_unnamed
        for key in self._loose_keys(p):
            found.update(loose.get(key, ()))
        found.update(self._linked_ids(p))
        party = self._party_term(p)
        if party:
            found.update((self.parties if not p.rec.municipalities else self.parties_unplaced).get(party, ()))
        found.discard(project_id)
        return found

    def block_keys(self, project_id: int) -> tuple[frozenset[str], frozenset[str]]:
        """The record's blocks as strings, for a store outside the engine: (member keys, the blocks
        it belongs to; probe keys, the blocks whose members are its candidates).

        A record's probe keys meet another's member keys exactly when ``candidates_of`` pairs them,
        so a store of every record's member keys yields a record's candidates without preparing the
        others. Strong blocks compare all members (``s``); loose blocks compare a record without
        names or topics with every member (``l``), a named one only with the unnamed (``u``);
        identifiers (``i``) meet the links that point at them (``p``); a record naming a funder and an
        implementer is a member of their block across the country (``g``), which a record placed nowhere
        probes, and a record placed nowhere is a member of another (``gx``), which the placed probe."""
        p = self.prepared[project_id]
        unnamed = not p.strong_terms
        # The same places as ``_places``, written as strings (this runs for every record of a full scan).
        places = [f"m{m}" for m in p.rec.municipalities] or ["x"]
        party = self._party_term(p)
        terms = [*p.strong_terms, party] if party else p.strong_terms
        strong = [f"s|{place}|{term}" for place in places for term in terms]
        loose = [f"{place}|{term}" for place in places for term in self._loose_terms(p)]
        members = [*strong, *("l|" + key for key in loose)]
        if unnamed:
            members.extend("u|" + key for key in loose)
        probes = [*strong, *(("l|" if unnamed else "u|") + key for key in loose)]
        if party:
            members.append("g|" + party)
            if p.rec.municipalities:
                probes.append("gx|" + party)
            else:
                members.append("gx|" + party)
                probes.append("g|" + party)
        if p.rec.iati_identifier:
            members.append("i|" + p.rec.iati_identifier)
            probes.append("p|" + p.rec.iati_identifier)
        for ident in p.linked:
            members.append("p|" + ident)
            probes.append("i|" + ident)
        return frozenset(members), frozenset(probes)

    def _linked_ids(self, p: PreparedRecord) -> set[int]:
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

    def _linked_pair(self, p: PreparedRecord, q: PreparedRecord) -> bool:
        return identifier_link(p, q) is not None

    def scan(self, progress: Callable[[int, int], None] | None = None) -> tuple[list[Finding], int]:
        """All findings, and how many pairs were scored. Each pair is scored once."""
        with _bulk():
            return self._scan(progress)

    def _scan(self, progress: Callable[[int, int], None] | None) -> tuple[list[Finding], int]:
        scored: set[tuple[int, int]] = set()
        findings: list[Finding] = []
        blocks = [members for members in self.blocks.values() if len(members) > 1]
        loose = [(key, members) for key, members in self.loose_unnamed.items()]
        loose += [(("g", party), members) for party, members in self.parties_unplaced.items()]
        total = len(blocks) + len(loose)
        step = 0
        for members in blocks:
            self._scan_block(members, members, scored, findings)
            step += 1
            if progress and (step % 500 == 0 or step == total):
                progress(step, total)
        for key, unnamed in loose:
            everyone = self.parties[key[1]] if key[0] == "g" else self.loose[key]
            self._scan_block(unnamed, everyone, scored, findings)
            step += 1
            if progress and (step % 500 == 0 or step == total):
                progress(step, total)
        # identifier links across blocks (no shared place or concept needed)
        for pid, p in self.prepared.items():
            for other in self._linked_ids(p):
                a, b = (pid, other) if pid < other else (other, pid)
                if a != b and (a, b) not in scored:
                    scored.add((a, b))
                    finding = score_pair(self.prepared[a], self.prepared[b], self.settings)
                    if finding:
                        findings.append(finding)
        if progress and not total:
            progress(0, 0)
        return findings, len(scored)

    def _scan_block(self, left: Sequence[int], right: Sequence[int], scored: set, findings: list) -> None:
        """Score each member of ``left`` with each member of ``right`` near it in time (once)."""
        prepared = self.prepared
        settings = self.settings
        max_gap = settings.max_gap_days
        same = left is right
        # Sorted by start so the time window closes the inner loop early.
        rows = sorted(right, key=lambda i: (prepared[i].rec.start or date.min))
        starts = [prepared[i].rec.start for i in rows]
        for x, ia in enumerate(sorted(left, key=lambda i: (prepared[i].rec.start or date.min)) if not same
                               else rows):
            pa = prepared[ia]
            ra = pa.rec
            begin = x + 1 if same else 0
            for y in range(begin, len(rows)):
                ib = rows[y]
                if ib == ia:
                    continue
                rb_start = starts[y]
                if ra.end and rb_start and ra.start and (rb_start - ra.end).days > max_gap:
                    break
                rb = prepared[ib].rec
                if not same and not self._near_in_time(ra, rb):
                    continue
                a, b = (ia, ib) if ia < ib else (ib, ia)
                if (a, b) in scored:
                    continue
                scored.add((a, b))
                finding = score_pair(prepared[a], prepared[b], settings)
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
