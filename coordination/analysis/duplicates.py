"""Duplicate and overlap detection: explainable, pure Python, no ORM.

Records in (``ProjectRecord``), findings out (``Finding``: a pair, a score 0–1, a kind and
the reasons for both).

Each title (Arabic, English or both) is read into what the project *does* and what it does it
*to* (``_read_title``):

* the activity: concepts of the bilingual vocabulary (``vocabulary.py``) — actions, things,
  fields, topics, the people served — found word by word and phrase by phrase ("capacity
  building", "صرف صحي"), with the broader concepts they imply (a clinic is health care), and the
  ordinary words the vocabulary does not know;
* the object's identity: proper names (a neighbourhood, a school, a road) as cross-script
  consonant keys, so that "Al-Ghaba" answers "الغابة", and numbers ("Al-Nour 2", "cohort 3",
  "Second Ring road"). A name is a word after "حي" or "Al-", an English word written with a
  capital (not an acronym), an Arabic word the vocabulary does not know, a landmark word in
  name position ("طريق المطار", "Airport road"). An Arabic word with the article that is also
  a word ("مكب نفايات السلام": the Al-Salam landfill, or peace?) is kept as both and decided
  pair by pair: it is a name when the other record writes it as one. The record's own
  municipalities are taken out first, as whole phrases, so that "Al-Souq" in "Suq al-Jumua" stays;
* the subject of a subtitle ("...: public procurement", "في مجال ...") and phase words
  ("Phase II", "المرحلة الثانية").

Candidate pairs come from blocks, never from all pairs: projects that share a municipality
(or that both have none: national projects) *and* a name or a topic; projects without a name
or topic are compared with the others of their municipality that share an activity concept;
and projects linked by identifiers (IATI identifier, provider/receiver activity ids, related
activities), whatever their place. Blocks never cross municipalities. ``DuplicateIndex.block_keys``
writes a record's blocks as strings, so that a database keeping every record's keys can give an
incremental check exactly the record's candidates.

A pair's score is the similarity of the two activities (a weighted Dice of their concepts),
times what confirms or weakens it: the same names, or different names or numbers; each doing
something the other never mentions (a school and a clinic; supplying equipment and giving
support; for women and for youth); another municipality; little overlap in time; no sector in
common; far-apart budgets. Each weakening is a reason the reviewer sees. Its kind:

* ``reported_twice`` — the same project in two records (linked ids, or the same funder and
  implementer reporting from both sides);
* ``overlap`` — different partners doing the same thing in the same place at the same time;
* ``related_phase`` — phases, parent and child, siblings (linked as related activities, or
  successive periods, or phase words that differ).

A pair's score does not depend on the other records, so an incremental check of one project
gives the same findings as a full scan.
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from common.text import Word, arabic_stem, skeleton, words

from .vocabulary import resolve_arabic, vocabulary

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
    threshold: float = 0.55
    max_gap_days: int = 730  # projects further apart in time are never compared
    site_cell_degrees: float = 0.02  # no longer used: sites do not form blocks (municipalities do)
    near_site_km: float = 0.5  # sites this close are one site, whatever municipality each record names
    # A pair whose dates overlap by less than this share of the shorter period, or not at all,
    # is read as successive phases rather than one project.
    sequential_overlap: float = 0.15


# --- features ---------------------------------------------------------------------------

KIND_WEIGHTS = {"thing": 2.0, "landmark": 2.0, "topic": 2.5, "field": 1.5, "action": 1.0, "head": 1.0,
                "group": 1.0, "general": 0.5, "place": 0.3}
WORD_WEIGHT = 1.0  # an ordinary word the vocabulary does not know
# Kinds that say *what* is done: two records that each name one the other lacks do different things.
CONTENT_KINDS = frozenset({"thing", "head", "landmark", "topic", "field"})
IDENTITY_KINDS = frozenset({"landmark", "name"})
# An Arabic word of these kinds written with the article may be a name ("مكب نفايات السلام": the
# Al-Salam landfill) as well as a word ("بناء السلام": peacebuilding).
WEAK_NAME_KINDS = frozenset({"thing", "head", "field", "topic", "action"})

_AR_MARKERS = frozenset({"حي", "بحي", "لحي", "وحي", "فحي"})
_EN_MARKERS = frozenset({"al", "el", "hai"})
_JOINERS = {"ibn": "bn", "bin": "bn", "ben": "bn", "ابن": "bn", "بن": "bn", "abu": "b", "abou": "b", "ابو": "b",
            "بو": "b"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_SUBJECT_MARKERS = frozenset({"مجال", "بمجال", "مجالات", "بمجالات"})
_AR_PROCLITICS = frozenset("وبلفك")


def _lookup_key(w: Word) -> str:
    """The key a word is looked up by: its stem, or for Arabic the light-stemmed form the vocabulary
    knows (a proclitic و ب ل ف ك off, a feminine, plural or pronoun ending off)."""
    return resolve_arabic(w.key) if w.arabic else w.key


def _kind_of(look: str) -> str | None:
    """The kind of the (first) concept a single word names, if any."""
    voc = vocabulary()
    concepts = voc.phrases.get((look,))
    return voc.kind[concepts[0]] if concepts else None


def _name_key(w: Word) -> str:
    return skeleton(w.key if w.arabic else w.text)


@dataclass(slots=True)
class _Tok:
    w: Word
    look: str  # look-up key
    marked: bool  # after "حي" / "Al-": a name
    first: bool  # the first word of its title
    subject: bool = False  # after the title's last colon ("... training: public procurement")


def _stream(title: str) -> list[_Tok]:
    """A title's words without stop words, each knowing whether a name marker stood before it."""
    out: list[_Tok] = []
    marked = False
    for w in words(title):
        if (w.arabic and w.text in _AR_MARKERS) or (not w.arabic and w.text in _EN_MARKERS):
            marked = True
            continue
        roman_after_phase = w.text in _ROMAN and bool(out) and _kind_of(out[-1].look) == "phase"
        if w.stop and not roman_after_phase:
            continue
        out.append(_Tok(w, _lookup_key(w), marked, not out))
        marked = False
    # The subject: what follows the last colon ("...: public procurement") or "في مجال" ("in the
    # field of"), to the end of the title.
    starts = [i for i, t in enumerate(out) if ":" in t.w.after and i > 0]
    starts += [i + 1 for i, t in enumerate(out) if t.w.text in _SUBJECT_MARKERS and i + 1 < len(out)]
    if starts:
        for t in out[max(starts):]:
            t.subject = True
    return out


def _place_phrases(name: str) -> tuple[str, ...]:
    return tuple(_match_key(t) for t in _stream(name))


def _match_key(t: _Tok) -> str:
    return t.w.key if t.w.arabic else t.w.text


def _strip_places(toks: list[_Tok], phrases: dict[str, tuple[tuple[str, ...], ...]]) -> list[_Tok]:
    """Take the record's municipality names out of a title, as whole phrases (``phrases``: by their
    first word). A name that comes twice ("حي السواني في السواني") is kept the first time: there
    it names the neighbourhood."""
    if not toks or not phrases:
        return toks
    keys = [_match_key(t) for t in toks]
    found: dict[tuple[str, ...], list[int]] = {}
    for i, head in enumerate(keys):
        candidates = phrases.get(head)
        if candidates is None and toks[i].w.arabic and head[:1] in _AR_PROCLITICS:
            candidates = phrases.get(arabic_stem(head[1:]))  # "وقمينس": and Gemienis
        if candidates:
            for phrase in candidates:
                n = len(phrase)
                if tuple(keys[i + 1:i + n]) == phrase[1:]:
                    found.setdefault(phrase, []).append(i)
    if not found:
        return toks
    drop: set[int] = set()
    for phrase, starts in found.items():
        for i in starts[1:] if len(starts) > 1 else starts:
            drop.update(range(i, i + len(phrase)))
    return [t for i, t in enumerate(toks) if i not in drop]


def _title_case(toks: list[_Tok]) -> bool:
    """An English title With Every Word Capitalised: capitals then say nothing about names."""
    latin = capitals = 0
    for t in toks[1:]:
        if not t.w.arabic:
            latin += 1
            capitals += t.w.capital
    return latin >= 3 and capitals >= 0.7 * latin


@dataclass(slots=True)
class _Reading:
    concepts: dict[str, float] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    items: list[set[str]] = field(default_factory=list)  # names: each a set of keys that may answer it
    weak: list[set[str]] = field(default_factory=list)  # Arabic words with the article that may be names
    weak_concepts: list[set[str]] = field(default_factory=list)  # ... and the concepts each names
    worded: set[str] = field(default_factory=set)  # concepts named by a word that cannot be a name
    subject: set[str] = field(default_factory=set)  # what a subtitle after a colon is about
    soft: set[str] = field(default_factory=set)  # keys that may answer another record's name
    numbers: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    labels: dict[frozenset[str], str] = field(default_factory=dict)  # a name's keys → how the title writes it
    phase: int | None = None
    phase_word: bool = False

    def name(self, keys: set[str], label: str) -> None:
        """A name: the keys that may answer it, and how the title writes it."""
        self.items.append(keys)
        self.labels.setdefault(frozenset(keys), label)


def _read_title(title: str, phrases: dict[str, tuple[tuple[str, ...], ...]], out: _Reading) -> None:
    voc = vocabulary()
    toks = _strip_places(_stream(title), phrases)
    title_case = _title_case(toks)
    seen: set[str] = set()  # the words this title has used as words so far
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        w = t.w
        if w.text.isdigit():
            if len(w.text) == 4 and "1990" <= w.text <= "2049":
                out.years.add(w.text)  # "2024 winter response": only another year says another project
            else:
                out.numbers.add(w.text.lstrip("0") or "0")
            i += 1
            continue
        if w.text in _JOINERS and i + 1 < n:
            # "Ibn Rushd" is one name, not "Ibn" and "Rushd" (which would answer "Al-Rashid").
            nxt = toks[i + 1]
            out.name({"k:" + _JOINERS[w.text] + _name_key(nxt.w)}, f"{w.text} {nxt.w.text}")
            i += 2
            continue
        if t.marked:
            # What follows "حي" or "Al-" is a name, even when it is also a word ("الجديدة", "the new").
            key = _name_key(w)
            if key:
                out.name({"k:" + key}, w.text)
            i += 1
            continue
        length, concepts = 0, ()
        for size in range(min(voc.starts.get(t.look, 0), n - i), 0, -1):
            concepts = voc.phrases.get(tuple(x.look for x in toks[i:i + size]), ())
            if concepts:
                length = size
                break
        if not concepts:
            _unknown(toks, i, title_case, out)
            i += 1
            continue
        kinds, kindset, weak_keys, weights = _info(concepts)
        if "ordinal" in kinds:
            number = int(concepts[kinds.index("ordinal")])
            nxt = toks[i + length] if i + length < n else None
            if nxt is not None and _kind_of(nxt.look) == "phase":
                out.phase, out.phase_word = max(out.phase or 0, number), True  # "second phase"
                i += length + 1
            else:
                out.numbers.add(f"{number}.")  # "Second Ring road", "الدائري الثاني": not "Ring road 2"
                i += length
            continue
        if "phase" in kinds:
            out.phase_word = True
            nxt = toks[i + length] if i + length < n else None
            number = None
            if nxt is not None:
                if nxt.w.text.isdigit():
                    number = int(nxt.w.text)
                elif nxt.w.text in _ROMAN:
                    number = _ROMAN[nxt.w.text]
                elif _kind_of(nxt.look) == "ordinal":
                    number = int(voc.phrases[(nxt.look,)][0])
            if "topup" in concepts:
                number = max(number or 2, 2)
            if number is not None:
                out.phase = max(out.phase or 0, number)
                i += length + 1
            else:
                i += length
            continue
        single = length == 1
        # Is it a name here? An English word written with a capital in the middle of a title
        # ("Rehabilitation of Coastal road"), a landmark first ("Airport road ..."), a landmark
        # with the Arabic article ("طريق المطار"), a month ("17 February").
        english_capital = single and not w.arabic and w.capital and not title_case
        as_name = single and (
            "name" in kinds
            or (english_capital and (not t.first or IDENTITY_KINDS & kindset or _names_a_thing(toks, i, kindset)))
            or (w.arabic and w.article and "landmark" in kinds)
        )
        if single and w.arabic and w.text.startswith("ال") and (
                kinds == ("filler",) or (kindset <= WEAK_NAME_KINDS and t.look in seen)):
            # A filler word with the article is a name ("محطة الكهرباء الفرعية الوحدة"), and so is
            # a word the title has already used as a word ("محطة الكهرباء الفرعية المحطة").
            key = _name_key(w)
            if key:
                out.name({"k:" + key}, w.text)
            i += 1
            continue
        weak_item = False
        if as_name:
            item = {"c:" + c for c in concepts}
            key = _name_key(w)
            if key:
                item.add("k:" + key)
            out.name(item, w.text)
        elif w.arabic and w.article and w.text.startswith("ال"):
            # Only the bare article: "والأمن", "للنفايات" (and security, for waste) are not names.
            key = _name_key(w) if single else ""
            if key:
                out.soft.add("k:" + key)  # "الساحل" may answer "Al-Sahel"
            if kindset <= WEAK_NAME_KINDS:
                weak = set(weak_keys)
                if key:
                    weak.add("k:" + key)
                out.weak.append(weak)
                out.labels.setdefault(frozenset(weak), " ".join(x.w.text for x in toks[i:i + length]))
                out.weak_concepts.append(set(concepts))
                weak_item = True
        seen.add(t.look)
        if as_name and kindset <= IDENTITY_KINDS:
            i += length  # a landmark used as a name ("طريق المطار") names the road, not an airport
            continue
        for c, weight, content in weights:
            if weight > out.concepts.get(c, 0.0):
                out.concepts[c] = weight
            if not weak_item:
                out.worded.add(c)
            if content and t.subject:
                out.subject.add(c)
        i += length


_INFO: dict[tuple[str, ...], tuple] = {}


def _info(concepts: tuple[str, ...]) -> tuple:
    """(kinds, their set, the keys a weak name of these concepts answers to, (concept, weight, is
    content) of those that weigh), cached."""
    info = _INFO.get(concepts)
    if info is None:
        voc = vocabulary()
        kinds = tuple(voc.kind[c] for c in concepts)
        weak_keys = frozenset("c:" + x for c in concepts for x in (c, *voc.parents[c]))
        weights = tuple((c, KIND_WEIGHTS[k], k in CONTENT_KINDS) for c, k in zip(concepts, kinds, strict=True)
                        if KIND_WEIGHTS.get(k))
        info = _INFO[concepts] = (kinds, frozenset(kinds), weak_keys, weights)
    return info


def _names_a_thing(toks: list[_Tok], i: int, kinds: frozenset[str]) -> bool:
    """A thing first, before another thing, names it: "Hospital road", "Gardens road"."""
    if not {"thing", "landmark"} & kinds or i + 1 >= len(toks):
        return False
    return _kind_of(toks[i + 1].look) in ("thing", "landmark")


def _unknown(toks: list[_Tok], i: int, title_case: bool, out: _Reading) -> None:
    """A word the vocabulary does not know: a name, or an ordinary word."""
    t = toks[i]
    w = t.w
    if w.arabic:
        name = True  # Arabic titles name things the vocabulary does not know by proper names
    elif title_case or (w.capital and not t.first):
        name = True
    elif w.capital and t.first:
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        name = nxt is not None and (nxt.marked or (nxt.w.capital and not nxt.w.arabic) or nxt.w.text in _JOINERS)
    else:
        name = False
    if name:
        key = _name_key(w)
        if key:
            out.name({"k:" + key}, w.text)
    else:
        out.words.add(w.key)


def _merge_items(items: list[set[str]], labels: dict[frozenset[str], str]) -> dict[frozenset[str], str]:
    """One item per name, with how the title writes it: the Arabic and English spellings of a name
    in a bilingual record share a key ("الغابه / ghaba")."""
    merged: list[tuple[set[str], list[str]]] = []
    for item in items:
        label = labels.get(frozenset(item), "")
        joined = [m for m in merged if m[0] & item]
        keys, texts = set(item), [label]
        for m in joined:
            merged.remove(m)
            keys |= m[0]
            texts = m[1] + [t for t in texts if t not in m[1]]
        merged.append((keys, texts))
    return {frozenset(keys): " / ".join(t for t in texts if t) for keys, texts in merged}


@dataclass(frozen=True, slots=True)
class _Activity:
    """What a record does, as the concepts its title names."""

    concepts: dict[str, float]  # the concepts the title names → weight
    closure: frozenset[str]  # those and the broader concepts they imply
    content: frozenset[str]  # concepts that say what is done (things, landmarks, fields, topics)
    actions: frozenset[str]  # classes of the actions named (works, supply, training ...)
    groups: frozenset[str]  # the people served (women, youth, displaced families)
    weight: float  # total weight of concepts and words


def _activity(concepts: dict[str, float], words_weight: float) -> _Activity:
    voc = vocabulary()
    closure = set(concepts)
    for c in concepts:
        closure.update(voc.parents[c])
    return _Activity(
        concepts=concepts, closure=frozenset(closure),
        content=frozenset(c for c in concepts if voc.kind[c] in CONTENT_KINDS),
        actions=frozenset(voc.action_class[c] for c in concepts if c in voc.action_class),
        groups=frozenset(c for c in closure if voc.kind[c] == "group"),
        weight=sum(concepts.values()) + words_weight,
    )


@dataclass(slots=True)
class _Prepared:
    rec: ProjectRecord
    act: _Activity
    words: frozenset[str]  # ordinary words the vocabulary does not know
    items: tuple[frozenset[str], ...]  # names, each as the keys that may answer it
    name_keys: frozenset[str]  # the consonant keys of those names
    weak: tuple[frozenset[str], ...]  # Arabic words with the article that may be names ...
    weak_only: tuple[frozenset[str], ...]  # ... and the concepts only they name
    answers: frozenset[str]  # every key that may answer another record's name
    subject: frozenset[str]  # what a subtitle after a colon is about
    subject_closure: frozenset[str]
    numbers: frozenset[str]  # numbers in the title (not in place names): "Al-Nour 2", "cohort 5"
    years: frozenset[str]
    phase: int | None
    strong_terms: frozenset[str]  # names and topics: the blocking terms
    loose_terms: frozenset[str]  # activity concepts: blocking terms for records without names or topics
    funders: frozenset[int]
    implementers: frozenset[int]
    partners: frozenset[int]
    linked: dict[str, str]
    labels: dict[frozenset[str], str]  # names as the titles write them, for the reasons

    @property
    def names(self) -> frozenset[str]:
        return frozenset(k[2:] for k in self.name_keys)

    @property
    def concepts(self) -> dict[str, float]:
        return self.act.concepts


def _prepare(rec: ProjectRecord, place_phrases: Callable[[frozenset[int]], dict[str, tuple[tuple[str, ...], ...]]]
             ) -> _Prepared:
    voc = vocabulary()
    reading = _Reading()
    phrases = place_phrases(rec.municipalities)
    for title in (rec.title_ar, rec.title_en):
        if title:
            _read_title(title, phrases, reading)
    if reading.phase_word and reading.phase is None:
        reading.phase = 1
    labels = _merge_items(reading.items, reading.labels)
    items = tuple(labels)
    name_keys = frozenset(k for item in items for k in item if k.startswith("k:"))
    concepts = reading.concepts
    weak: dict[frozenset[str], frozenset[str]] = {}
    soft: set[str] = set()
    if items:
        # The record names its object: its Arabic words with the article are words, unless one
        # spells that very name (a bilingual "Al-Salam landfill" / "مكب نفايات السلام").
        for keys, named in zip(reading.weak, reading.weak_concepts, strict=True):
            if keys & name_keys:
                concepts = {c: w for c, w in concepts.items() if c not in named - reading.worded}
    else:
        # No name of its own: an Arabic word with the article may be the name, pair by pair.
        soft = reading.soft
        for keys, named in zip(reading.weak, reading.weak_concepts, strict=True):
            weak.setdefault(frozenset(keys), frozenset(named - reading.worded))
            labels.setdefault(frozenset(keys), reading.labels.get(frozenset(keys), ""))
    act = _activity(concepts, WORD_WEIGHT * len(reading.words))
    answers = set(soft)
    for item in items + tuple(weak):
        answers.update(item)
    answers.update("c:" + c for c in act.closure)
    strong = {k for item in items for k in item if len(k) >= 4}
    topics = {c for c in act.content if voc.kind[c] == "topic"}
    strong.update("c:" + c for c in topics)
    unnamed = not strong
    for keys, named in zip(weak, weak.values(), strict=True):
        # An Arabic word with the article may be the name ("مكب نفايات السلام", "طريق الحدائق",
        # "محطة النخيل"): a block term when the record has no other, or when it is also a topic.
        if unnamed or named & topics:
            strong.update(k for k in keys if k.startswith("k:") and len(k) >= 4)
            strong.update(k for k in keys if k.startswith("c:") and k[2:] in named)
    subject_closure = set(reading.subject)
    for c in reading.subject:
        subject_closure.update(voc.parents[c])
    funders = frozenset(p for p, role in rec.participants if role in (FUNDING, EXTENDING))
    implementers = frozenset(p for p, role in rec.participants if role == IMPLEMENTING)
    partners = frozenset(p for p, _ in rec.participants) | (
        frozenset([rec.reporting_partner]) if rec.reporting_partner is not None else frozenset()
    )
    return _Prepared(
        rec=rec, act=act, words=frozenset(reading.words), items=items,
        name_keys=name_keys, weak=tuple(weak), weak_only=tuple(weak.values()), answers=frozenset(answers),
        subject=frozenset(reading.subject), subject_closure=frozenset(subject_closure),
        numbers=frozenset(reading.numbers), years=frozenset(reading.years), phase=reading.phase, strong_terms=frozenset(strong),
        loose_terms=frozenset("c:" + c for c in act.content), funders=funders,
        implementers=implementers or (frozenset([rec.reporting_partner]) if rec.reporting_partner else frozenset()),
        partners=partners, linked={ident: how for how, ident in rec.links}, labels=labels,
    )


# --- scoring ----------------------------------------------------------------------------


def _credit(concepts: dict[str, float], other: _Activity) -> float:
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


def _activity_similarity(a: _Prepared, b: _Prepared, act_a: _Activity | None = None,
                         act_b: _Activity | None = None) -> float:
    """Weighted Dice of the two activities' concepts and ordinary words."""
    act_a, act_b = act_a or a.act, act_b or b.act
    total = act_a.weight + act_b.weight
    if not total:
        return 0.0
    shared = _credit(act_a.concepts, act_b) + _credit(act_b.concepts, act_a)
    if a.words and b.words:
        shared += 2 * WORD_WEIGHT * len(a.words & b.words)
    return min(1.0, shared / total)


def _unanswered(x: _Prepared, y: _Prepared, weak: bool = False) -> list[frozenset[str]]:
    """The names of ``x`` that ``y`` does not answer (by the same name, or the same word)."""
    return [item for item in (x.weak if weak else x.items) if not (item & y.answers)]


def _as_names(x: _Prepared, y: _Prepared) -> tuple[int, _Activity]:
    """The Arabic words of ``x`` with the article that ``y`` writes as names ("مكب نفايات السلام",
    "Al-Salam landfill"): how many, and the activity of ``x`` without the concepts only they named."""
    if not x.weak or not y.name_keys:
        return 0, x.act
    named = [only for keys, only in zip(x.weak, x.weak_only, strict=True) if keys & y.name_keys]
    drop = frozenset().union(*named) if named else frozenset()
    if not drop:
        return len(named), x.act
    words_weight = x.act.weight - sum(x.act.concepts.values())
    return len(named), _activity({c: w for c, w in x.act.concepts.items() if c not in drop}, words_weight)


def _shown(x: _Prepared, items: list[frozenset[str]]) -> list[str]:
    """Names as the titles write them."""
    out = []
    for item in items:
        label = x.labels.get(item)
        if not label:
            keys = sorted(item)
            label = next((k[2:] for k in keys if k.startswith("k:")), keys[0][2:])
        out.append(label)
    return sorted(out)


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


# What weakens a pair (multiplied in).
NAME_CONFLICT = 0.3  # each names an object the other does not (another neighbourhood, another school)
WEAK_NAME_CONFLICT = 0.45  # ... where one of the names may also be an ordinary word
NUMBER_CONFLICT = 0.35  # "Al-Nour 2" and "Al-Nour"
CONTENT_CONFLICT = 0.45  # each is about a thing, field or topic the other never mentions
ACTION_CONFLICT = 0.65  # supplying equipment and giving support; training and building
GROUP_CONFLICT = 0.7  # for women, for youth
OTHER_MUNICIPALITY = 0.3  # the same activity in another municipality is another project
OTHER_SECTORS = 0.7  # no sector in common


def score_pair(a: _Prepared, b: _Prepared, settings: Settings) -> Finding | None:
    """The pair's finding, or None when its score is under the threshold (and no identifier links
    the two). The score is the activities' similarity times what confirms or weakens it; the
    cheap factors come first, so that a pair that cannot reach the threshold stops early."""
    ra, rb = a.rec, b.rec
    link = _link(a, b)
    threshold = settings.threshold if link is None else -1.0

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
    other_sectors = bool(ra.sectors and rb.sectors and not (ra.sectors & rb.sectors))
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
    content_conflict = bool(content_a and content_b)
    if not content_conflict and a.subject and b.subject:
        # Two subtitles about different things ("...: public procurement", "...: electronic services").
        content_a = {c for c in a.subject if c not in b.subject_closure}
        content_b = {c for c in b.subject if c not in a.subject_closure}
        content_conflict = bool(content_a and content_b)
    action_conflict = bool(act_a.actions and act_b.actions and not (act_a.actions & act_b.actions))
    group_conflict = bool(act_a.groups and act_b.groups and not (act_a.groups & act_b.groups))
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
        self._place_phrases = {
            m: tuple(p for p in dict.fromkeys(_place_phrases(name) for name in names if name) if p)
            for m, names in (place_names or {}).items()
        }
        self.prepared: dict[int, _Prepared] = {}
        self.blocks: dict[tuple, list[int]] = defaultdict(list)
        self.loose: dict[tuple, list[int]] = defaultdict(list)
        self.loose_unnamed: dict[tuple, list[int]] = defaultdict(list)
        self.by_identifier: dict[str, int] = {}
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
                for phrase in self._place_phrases.get(m, ()):
                    if phrase not in by_head.setdefault(phrase[0], []):
                        by_head[phrase[0]].append(phrase)
            cached = {head: tuple(sorted(ps, key=len, reverse=True)) for head, ps in by_head.items()}
            self._phrases_cache[municipalities] = cached
        return cached

    @staticmethod
    def _places(p: _Prepared) -> list[tuple]:
        return [("m", m) for m in p.rec.municipalities] or [("x",)]

    def _strong_keys(self, p: _Prepared) -> set[tuple]:
        return {place + (term,) for place in self._places(p) for term in p.strong_terms}

    @staticmethod
    def _loose_terms(p: _Prepared) -> Iterable[str]:
        # A title with no known word and a record without sectors still meets the other such
        # records of its place ("*"), so that identical titles of national projects are compared.
        return p.loose_terms or {f"s:{s}" for s in p.rec.sectors} or {"*"}

    def _loose_keys(self, p: _Prepared) -> set[tuple]:
        return {place + (term,) for place in self._places(p) for term in self._loose_terms(p)}

    def add(self, rec: ProjectRecord) -> None:
        p = _prepare(rec, self._phrases)
        self.prepared[rec.id] = p
        for key in self._strong_keys(p):
            self.blocks[key].append(rec.id)
        for key in self._loose_keys(p):
            self.loose[key].append(rec.id)
            if not p.strong_terms:
                self.loose_unnamed[key].append(rec.id)
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
        found.discard(project_id)
        return found

    def block_keys(self, project_id: int) -> tuple[frozenset[str], frozenset[str]]:
        """The record's blocks as strings, for a store outside the engine: (member keys, the blocks
        it belongs to; probe keys, the blocks whose members are its candidates).

        A record's probe keys meet another's member keys exactly when ``candidates_of`` pairs them,
        so a store of every record's member keys yields a record's candidates without preparing the
        others. Strong blocks compare all members (``s``); loose blocks compare a record without
        names or topics with every member (``l``), a named one only with the unnamed (``u``);
        identifiers (``i``) meet the links that point at them (``p``)."""
        p = self.prepared[project_id]
        unnamed = not p.strong_terms
        # The same places as ``_places``, written as strings (this runs for every record of a full scan).
        places = [f"m{m}" for m in p.rec.municipalities] or ["x"]
        strong = [f"s|{place}|{term}" for place in places for term in p.strong_terms]
        loose = [f"{place}|{term}" for place in places for term in self._loose_terms(p)]
        members = [*strong, *("l|" + key for key in loose)]
        if unnamed:
            members.extend("u|" + key for key in loose)
        probes = [*strong, *(("l|" if unnamed else "u|") + key for key in loose)]
        if p.rec.iati_identifier:
            members.append("i|" + p.rec.iati_identifier)
            probes.append("p|" + p.rec.iati_identifier)
        for ident in p.linked:
            members.append("p|" + ident)
            probes.append("i|" + ident)
        return frozenset(members), frozenset(probes)

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
        with _bulk():
            return self._scan(progress)

    def _scan(self, progress: Callable[[int, int], None] | None) -> tuple[list[Finding], int]:
        scored: set[tuple[int, int]] = set()
        findings: list[Finding] = []
        blocks = [members for members in self.blocks.values() if len(members) > 1]
        loose = [(key, members) for key, members in self.loose_unnamed.items()]
        total = len(blocks) + len(loose)
        step = 0
        for members in blocks:
            self._scan_block(members, members, scored, findings)
            step += 1
            if progress and (step % 500 == 0 or step == total):
                progress(step, total)
        for key, unnamed in loose:
            self._scan_block(unnamed, self.loose[key], scored, findings)
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
