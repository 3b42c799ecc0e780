"""The gazetteer's resolver: one place name, as any file writes it, to its municipality.

Pure part (no ORM): the look-up keys of a name and ``GazetteerIndex``, built from plain ``Entry`` rows.
Three keys per name, from strict to loose:

- ``exact``: the name normalised (Arabic normaliser; Latin lower case without accents), spaces dropped;
- ``variant``: the article dropped ("al-/el-/as-/az-/ash-", glued or assimilated: "Azzintan", "Alqayqab";
  ال in Arabic), sounds folded (q/g/k/gh, dj/j, sh/s, th/t, ph/f ...), vowels and the half-vowels w/y run
  together into one vowel, doubled letters collapsed, a final h dropped: "Janzour"/"Janzur",
  "Edri"/"Idri", "Toukra"/"Tokra", "Ejdabia"/"Ajdabiya" meet;
- ``skeleton``: consonants only, in both scripts ("زوارة" and "Zuwara" are both "zr").

Then a fuzzy step over a bounded candidate set (entries sharing a trigram of the variant key), with
rapidfuzz when installed and difflib otherwise. A name whose best key leads to two municipalities comes back
``ambiguous`` with suggestions: never guessed.

``gazetteer()`` loads the index from the database once per process and rebuilds it when the place names or
the municipalities change (a cheap aggregate query tells).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from common.text import normalise_arabic

try:  # optional: a faster edit-distance ratio, and the search of the nearest keys in C
    from rapidfuzz import process as _rf_process
    from rapidfuzz.fuzz import ratio as _rf_ratio

    def similarity(a: str, b: str) -> float:
        return _rf_ratio(a, b) / 100.0
except ImportError:  # pragma: no cover - depends on the environment
    from difflib import SequenceMatcher

    _rf_process = None

    @lru_cache(maxsize=500_000)
    def similarity(a: str, b: str) -> float:
        matcher = SequenceMatcher(None, a, b, autojunk=False)
        # the cheap upper bounds first: most candidates are far off
        if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
            return matcher.quick_ratio() * 0.5
        return matcher.ratio()


RESOLVED = "resolved"
AMBIGUOUS = "ambiguous"
UNRESOLVED = "unresolved"

# Confidence of each step; a resolution below ACCEPT is reported, not used.
CONFIDENCE = {"pcode": 1.0, "exact": 1.0, "variant": 0.95, "skeleton": 0.85}
ACCEPT = 0.8
FUZZY_MIN = 0.86  # the least similarity of variant keys a fuzzy match needs
FUZZY_MARGIN = 0.06  # and its lead over the best other municipality
SUGGESTIONS = 5
VARIANT_MIN = 0.6  # the least similarity of the names as written for a folded-key match
FUZZY_EXACT_SLACK = 0.15  # the spelling as written may be this much less alike than the folded keys
FUZZY_POOL = 15
SKELETON_RIVAL = 0.7  # a fuzzy candidate this close in the name's own script outweighs a skeleton match
STAFF_RANK, OWN_RANK, PLACE_RANK = 0, 1, 2

PCODE = re.compile(r"^LY0[1-3]\d{4}$", re.IGNORECASE)
_ARABIC = re.compile("[\u0621-\u064a]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_AR_WORD = re.compile(r"[0-9\u0621-\u064a]+")
_APOSTROPHES = re.compile(r"['’‘`ʿʾ]")
ARTICLES = frozenset({"al", "el", "as", "az", "ash", "es", "ez", "at", "et", "ad", "ed", "an", "en", "ar", "er",
                      "ath", "adh", "ul"})
_GLUED_ARTICLE = re.compile(r"^(?:al|el)(?=[a-z]{3})")
_ASSIMILATED = re.compile(r"^[ae]([tdrzsnl])\1(?=[a-z]{2})")  # "azzintan", "assabia", "ennasr"
_SOUNDS = (("dj", "j"), ("gh", "k"), ("kh", "k"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"), ("ph", "f"),
           ("q", "k"), ("g", "k"), ("c", "k"), ("x", "ks"), ("v", "f"), ("p", "b"))
_VOWELS = re.compile(r"[aeiouyw]+")
_DOUBLE = re.compile(r"(.)\1+")
_AR_ARTICLE = re.compile(r"^(?:[وف]?[بكل]?ال|[وف]?لل)(?=..)")
_AR_SKELETON = str.maketrans({
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
    "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "d", "ع": "", "غ": "k", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "", "ي": "", "ا": "", "ى": "", "ة": "", "ء": "",
})


class Keys(NamedTuple):
    exact: str
    variant: str
    skeleton: str
    script: str  # "ar" or "latin"


def _undouble(text: str) -> str:
    return _DOUBLE.sub(_first, text)


def _first(match: re.Match) -> str:
    return match.group(1)


def _fold(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def _latin_word(word: str) -> str:
    word = _GLUED_ARTICLE.sub("", word)
    if _ASSIMILATED.match(word):
        word = word[2:]  # "azzintan": the article's a and the doubled letter it became
    return word


def _sound_fold(word: str) -> str:
    for a, b in _SOUNDS:
        word = word.replace(a, b)
    word = _undouble(word)
    if len(word) > 3 and word.endswith("h") and word[-2] in "aeiouy":
        word = word[:-1]  # Misratah / Misrata, Zuwarah / Zuwara
    return word


@lru_cache(maxsize=100_000)
def place_keys(name: str) -> Keys | None:
    """The look-up keys of a place name in either script; None for a name with no letters."""
    name = (name or "").strip()
    if not name:
        return None
    if _ARABIC.search(name):
        text = normalise_arabic(name)
        words = _AR_WORD.findall(text)
        if not words:
            return None
        bare = [_AR_ARTICLE.sub("", w) if len(w) >= 4 else w for w in words]
        skel = []
        for w in bare:
            # an initial و is a consonant (Wahda); an initial alef or ain is a vowel in Latin (Ubari, Idri)
            head = "w" if w.startswith("و") else "a" if w[:1] in "اع" else ""
            skel.append(head + w.rstrip("هة").translate(_AR_SKELETON))
        skeleton = _undouble("".join(skel))
        return Keys("".join(words), "".join(bare), skeleton, "ar")
    text = _APOSTROPHES.sub("", _fold(name).lower())
    words = _LATIN_WORD.findall(text)
    if not words:
        return None
    exact = "".join(words)
    kept = [w for w in words if w not in ARTICLES] or words
    folded = [_sound_fold(_latin_word(w)) for w in kept]
    variant = _undouble(_VOWELS.sub("a", "".join(folded)))
    skel = []
    for w in folded:
        head = "w" if w.startswith("w") else "a" if w[:1] in "aeiouy" else ""
        skel.append(head + _VOWELS.sub("", w.rstrip("h")))
    skeleton = _undouble("".join(skel))
    return Keys(exact, variant, skeleton, "latin")


def script_of(name: str) -> str:
    return "ar" if _ARABIC.search(name or "") else "latin"


# --- the index -------------------------------------------------------------------------------------------------


class Entry(NamedTuple):
    """One gazetteer name: ``rank`` orders sources (0 staff, 1 the municipality's own names, 2 places in it)."""

    name: str
    municipality_id: int
    rank: int = 1
    is_key: bool = False  # the municipality's slug: looked up, never shown or used as a name


class Candidate(NamedTuple):
    municipality_id: int
    confidence: float
    name: str  # the gazetteer name that matched


class Resolution(NamedTuple):
    """What the gazetteer says about one name: ``municipality_id`` is set only when ``status`` is resolved."""

    name: str
    status: str
    municipality_id: int | None = None
    confidence: float = 0.0
    step: str = ""
    candidates: tuple[Candidate, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.status == RESOLVED


def _trigrams(key: str) -> set[str]:
    padded = f"^{key}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@dataclass
class GazetteerIndex:
    """Look-up tables over the entries; ``resolve`` answers from them, memoised per name."""

    entries: Iterable[Entry]
    pcodes: dict[str, int] = field(default_factory=dict)
    # step -> key -> [(municipality id, rank, name, script, exact key)]
    _tables: dict[str, dict[str, list[tuple[int, int, str, str, str]]]] = field(init=False, repr=False)
    _by_trigram: dict[str, set[str]] = field(init=False, repr=False)
    _keys_by_script: dict[str, list[str]] = field(init=False, repr=False)
    _memo: dict[str, Resolution] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.entries = list(self.entries)
        self.pcodes = {k.upper(): v for k, v in self.pcodes.items()}
        self._tables = {"exact": {}, "variant": {}, "skeleton": {}}
        for entry in self.entries:
            keys = place_keys(entry.name)
            if keys is None:
                continue
            for step in ("exact", "variant", "skeleton"):
                key = getattr(keys, step)
                if not key:
                    continue
                # exact and variant keys are per script; the skeleton is shared by both scripts
                table_key = key if step == "skeleton" else f"{keys.script}:{key}"
                self._tables[step].setdefault(table_key, []).append(
                    (entry.municipality_id, entry.rank, entry.name, keys.script, keys.exact))
        self._by_trigram = {}
        self._keys_by_script = {}
        for table_key in self._tables["variant"]:
            script, key = table_key.split(":", 1)
            self._keys_by_script.setdefault(script, []).append(key)
            for gram in _trigrams(key):
                self._by_trigram.setdefault(f"{script}:{gram}", set()).add(table_key)
        self._memo = {}

    def municipality_names(self, *, own_only: bool = True) -> dict[int, list[str]]:
        """The names of each municipality, in both scripts and from every source (with ``own_only=False``,
        the names of the places inside it too), without repeats."""
        out: dict[int, list[str]] = {}
        for entry in self.entries:
            if entry.is_key or (own_only and entry.rank > OWN_RANK):
                continue
            names = out.setdefault(entry.municipality_id, [])
            if entry.name not in names:
                names.append(entry.name)
        return out

    def resolve(self, name: str) -> Resolution:
        text = " ".join((name or "").split())
        found = self._memo.get(text)
        if found is None:
            found = self._resolve(text)
            if len(self._memo) < 200_000:
                self._memo[text] = found
        return found

    def _resolve(self, name: str) -> Resolution:
        if PCODE.match(name):
            pk = self.pcodes.get(name.upper())
            if pk is not None:
                return Resolution(name, RESOLVED, pk, 1.0, "pcode", (Candidate(pk, 1.0, name.upper()),))
        keys = place_keys(name)
        if keys is None:
            return Resolution(name, UNRESOLVED)
        fuzzy: Resolution | None = None
        for step in ("exact", "variant", "fuzzy", "skeleton"):
            if step == "fuzzy":
                # a misspelling in the name's own script, before the looser key across scripts
                fuzzy = self._fuzzy(name, keys)
                if fuzzy.status != UNRESOLVED:
                    return fuzzy
                continue
            key = getattr(keys, step)
            rows = self._tables[step].get(key if step == "skeleton" else f"{keys.script}:{key}")
            if not rows:
                continue
            if step == "variant":
                # the folded key must not hide names that look nothing alike ("Algeria" / "Qirah")
                rows = [r for r in rows if similarity(keys.exact, r[4]) >= VARIANT_MIN]
            elif step == "skeleton":
                # consonants say enough only across scripts, where the vowels are not written alike
                rows = [r for r in rows if r[3] != keys.script] if len(key) >= 3 else []
            if not rows:
                continue
            top = min(r[1] for r in rows)
            # staff's names outrank the municipalities' own, which outrank the places inside them
            chosen: dict[int, str] = {}
            for pk, rank, nm, _script, _exact in rows:
                if rank == top:
                    chosen.setdefault(pk, nm)
            confidence = CONFIDENCE[step]
            candidates = tuple(Candidate(pk, confidence, nm) for pk, nm in sorted(chosen.items()))
            if len(chosen) > 1:
                return Resolution(name, AMBIGUOUS, None, confidence, step, candidates[:SUGGESTIONS])
            if step == "skeleton" and fuzzy is not None and fuzzy.candidates:
                # a close name in the query's own script that is another municipality: not a guess to make
                near = fuzzy.candidates[0]
                if near.municipality_id != candidates[0].municipality_id and near.confidence >= SKELETON_RIVAL:
                    return Resolution(name, AMBIGUOUS, None, confidence, step, (candidates[0], near))
            return Resolution(name, RESOLVED, candidates[0].municipality_id, confidence, step, candidates)
        return fuzzy or Resolution(name, UNRESOLVED)

    def _fuzzy(self, name: str, keys: Keys) -> Resolution:
        if len(keys.variant) < 3:
            return Resolution(name, UNRESOLVED, step="fuzzy")
        if _rf_process is not None:  # the nearest keys of the script, searched in C
            choices = self._keys_by_script.get(keys.script, [])
            found = _rf_process.extract(keys.variant, choices, scorer=_rf_ratio, limit=FUZZY_POOL,
                                        score_cutoff=(FUZZY_MIN - 0.2) * 100)
            nearest = [(f"{keys.script}:{choice}", score / 100.0) for choice, score, _i in found]
        else:  # a bounded candidate set: the keys sharing the most trigrams
            pool: dict[str, int] = {}
            for gram in _trigrams(keys.variant):
                for table_key in self._by_trigram.get(f"{keys.script}:{gram}", ()):
                    pool[table_key] = pool.get(table_key, 0) + 1
            nearest = [(k, similarity(keys.variant, k.split(":", 1)[1]))
                       for k in heapq.nlargest(FUZZY_POOL, pool, key=pool.__getitem__)]
        scores: dict[int, tuple[float, str, int]] = {}
        for table_key, score in nearest:
            if score < FUZZY_MIN - 0.2:
                continue
            for pk, rank, nm, _script, exact in self._tables["variant"][table_key]:
                # the spelling as written must look alike too ("Beirut" is not "Barkat")
                both = min(score, similarity(keys.exact, exact) + FUZZY_EXACT_SLACK)
                if both > scores.get(pk, (0.0, "", 9))[0]:
                    scores[pk] = (both, nm, rank)
        ranked = sorted(scores.items(), key=lambda item: -item[1][0])[:SUGGESTIONS]
        candidates = tuple(Candidate(pk, round(score * 0.95, 3), nm) for pk, (score, nm, _r) in ranked)
        best = ranked[0][1] if ranked else None
        # a fuzzy match is taken only on a municipality's own name (a village's name is only suggested)
        if best is None or best[0] < FUZZY_MIN or best[2] > OWN_RANK:
            return Resolution(name, UNRESOLVED, None, candidates[0].confidence if candidates else 0.0, "fuzzy",
                              candidates)
        if len(ranked) > 1 and best[0] - ranked[1][1][0] < FUZZY_MARGIN:
            return Resolution(name, AMBIGUOUS, None, candidates[0].confidence, "fuzzy", candidates)
        return Resolution(name, RESOLVED, ranked[0][0], candidates[0].confidence, "fuzzy", candidates)


# --- the loader ------------------------------------------------------------------------------------------------

_cache: dict[str, Any] = {"version": None, "index": None}


def gazetteer_version() -> tuple:
    """Changes whenever a place name or a municipality is added, removed or edited (two aggregate queries)."""
    from django.db.models import Count, Max

    from municipalities.models import Municipality, PlaceName

    names = PlaceName.objects.aggregate(n=Count("id"), last=Max("id"), edited=Max("updated_at"))
    munis = Municipality.objects.aggregate(n=Count("id"), last=Max("id"))
    return (names["n"], names["last"], names["edited"], munis["n"], munis["last"])


def gazetteer_build() -> GazetteerIndex:
    """An index of every place name and every municipality's own names and slug, from the database."""
    from municipalities.models import Municipality, PlaceName

    entries: list[Entry] = []
    pcodes: dict[str, int] = {}
    for pk, pcode, slug, name_en, name_ar in Municipality.objects.values_list(
            "id", "pcode", "slug", "name_en", "name_ar"):
        if pcode:
            pcodes[pcode] = pk
        entries += [Entry(name_en, pk, OWN_RANK), Entry(name_ar, pk, OWN_RANK), Entry(slug, pk, OWN_RANK, is_key=True)]
    for name, source, kind, pk in PlaceName.objects.values_list("name", "source", "kind", "municipality_id"):
        rank = STAFF_RANK if source == PlaceName.Source.STAFF else PLACE_RANK if kind else OWN_RANK
        entries.append(Entry(name, pk, rank))
    return GazetteerIndex(entries, pcodes=pcodes)


def gazetteer() -> GazetteerIndex:
    """The process's index, rebuilt when the names changed since it was built."""
    version = gazetteer_version()
    if _cache["index"] is None or _cache["version"] != version:
        _cache["index"] = gazetteer_build()
        _cache["version"] = version
    return _cache["index"]


def gazetteer_resolve(name: str) -> Resolution:
    return gazetteer().resolve(name)


# --- names an import could not place -------------------------------------------------------------------------

_misses: ContextVar[dict[str, tuple[Resolution, int]] | None] = ContextVar("gazetteer_misses", default=None)


def place_miss_note(resolution: Resolution) -> None:
    """Note a name an import gave up on, for the report of unresolved names (when a scope collects them)."""
    misses = _misses.get()
    if misses is None or resolution.resolved and resolution.confidence >= ACCEPT:
        return
    keys = place_keys(resolution.name)
    if keys is None:
        return
    key = f"{keys.script}:{keys.exact}"
    _before, count = misses.get(key, (resolution, 0))
    misses[key] = (resolution, count + 1)


def place_misses_active() -> bool:
    return _misses.get() is not None


@contextmanager
def place_misses_collected() -> Iterator[dict[str, tuple[Resolution, int]]]:
    """Collect the names imports give up on inside the block (an outer block keeps collecting them)."""
    outer = _misses.get()
    if outer is not None:
        yield outer
        return
    misses: dict[str, tuple[Resolution, int]] = {}
    token = _misses.set(misses)
    try:
        yield misses
    finally:
        _misses.reset(token)
