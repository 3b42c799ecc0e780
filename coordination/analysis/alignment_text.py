"""Reading a project's or an objective's text for alignment: the concepts of the bilingual activity
vocabulary it names (with their broader concepts), so that "إعادة تأهيل شبكة الكهرباء" and
"Rehabilitation of the electricity network" meet on ``electricity`` and ``network``.

Only concepts that say *what* the work is about count for alignment (fields, things, topics,
landmarks, groups); actions ("rehabilitation", "training") are too general to tie a project to an
objective on their own, and are kept apart as weak evidence.

A text names the compound concepts its parts make (``vocabulary._COMPOUNDS``: waste and its collection
are the waste service, whether written "solid waste collection" or "جمع النفايات الصلبة"); an action
that is a part of such a compound (the cleaning of a cleaning service) is the service itself, not a
kind of work done on something. A broad thing that says little without what it serves (equipment:
"solid waste collection equipment") weighs as little as a head when the text names that too."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from common.text import words
from coordination.analysis.vocabulary import resolve_arabic, vocabulary

CONTENT_WEIGHTS = {"field": 0.5, "thing": 2.0, "topic": 2.0, "landmark": 1.5, "group": 0.5, "head": 0.3}
ACTION_KIND = "action"
FIELD_KIND = "field"
# Means rather than ends: what is provided for a service the text names too weighs as a head.
MEANS = frozenset({"equipment"})
SPECIFIC_KINDS = frozenset({"thing", "topic", "landmark"})


@dataclass(frozen=True, slots=True)
class TextConcepts:
    content: frozenset[str]  # concepts of CONTENT_WEIGHTS' kinds, broader ones and compounds included
    actions: frozenset[str]  # the classes of the actions it names (rehabilitation → works)
    surface: tuple[tuple[str, str], ...]  # (concept, the words that named it), first naming only
    context: frozenset[str] = frozenset()  # content only a description names, not a title
    fields: frozenset[str] = field(init=False)  # the sectors' subjects it names (water, sanitation, health)
    specific: frozenset[str] = field(init=False)  # things, topics and landmarks it names

    def __post_init__(self) -> None:
        kind = vocabulary().kind
        object.__setattr__(self, "fields", frozenset(c for c in self.content if kind[c] == FIELD_KIND))
        object.__setattr__(self, "specific", frozenset(c for c in self.content if kind[c] in SPECIFIC_KINDS))


def _keys(text: str) -> list[tuple[str, str]]:
    return [(resolve_arabic(w.key) if w.arabic else w.key, w.text) for w in words(text) if not w.stop]


@lru_cache(maxsize=200_000)
def text_concepts(text: str) -> TextConcepts:
    """The vocabulary concepts a text names: the longest entry at each position wins."""
    voc = vocabulary()
    keys = _keys(text)
    named: dict[str, str] = {}  # every concept named (broader ones included) → the words that named it
    direct_actions: set[str] = set()
    i = 0
    while i < len(keys):
        longest = voc.starts.get(keys[i][0], 0)
        found = None
        for n in range(min(longest, len(keys) - i), 0, -1):
            concepts = voc.phrases.get(tuple(k for k, _ in keys[i:i + n]))
            if concepts:
                found = (n, concepts)
                break
        if found is None:
            i += 1
            continue
        n, concepts = found
        said = " ".join(t for _, t in keys[i:i + n])
        for concept in concepts:
            for c in (concept, *voc.parents.get(concept, ())):
                named.setdefault(c, said)
                if voc.kind[c] == ACTION_KIND:
                    direct_actions.add(c)
        i += n
    absorbed: set[str] = set()
    for concept, parts in voc.compounds:
        if not parts <= named.keys():
            continue
        absorbed.update(p for p in parts if voc.kind[p] == ACTION_KIND)
        if concept in named:
            continue
        said = " … ".join(dict.fromkeys(named[p] for p in sorted(parts)))
        for c in (concept, *voc.parents.get(concept, ())):
            named.setdefault(c, said)
    content = {c for c in named if voc.kind[c] in CONTENT_WEIGHTS}
    actions = {voc.action_class.get(c, c) for c in direct_actions - absorbed}
    surface = {c: named[c] for c in content}
    return TextConcepts(frozenset(content), frozenset(actions), tuple(sorted(surface.items())))


def concepts_of(*texts: str) -> TextConcepts:
    """The concepts of several texts together, all of them saying what the work is."""
    return record_concepts(texts)


def record_concepts(titles: Iterable[str], descriptions: Iterable[str] = ()) -> TextConcepts:
    """The concepts of a record's titles and descriptions (in both languages). A title says what the work
    is; a description also says what it is for and where it fits ("it helps families return to safe
    homes", "the municipality's ability to plan"): what only a description names is ``context``, and the
    kind of work is read from the titles when they name one."""
    heads = [text_concepts(t) for t in titles if t]
    rest = [text_concepts(t) for t in descriptions if t]
    parts = heads + rest
    if not parts:
        return TextConcepts(frozenset(), frozenset(), ())
    if len(parts) == 1 and heads:
        return parts[0]
    surface: dict[str, str] = {}
    for p in parts:
        for c, said in p.surface:
            surface.setdefault(c, said)
    named = frozenset().union(*(p.content for p in heads))
    content = named.union(*(p.content for p in rest))
    actions = frozenset().union(*(p.actions for p in heads)) or frozenset().union(*(p.actions for p in rest))
    context = content - named if heads else frozenset()
    return TextConcepts(content, actions, tuple(sorted(surface.items())), context)


def concept_weight(concept: str) -> float:
    return CONTENT_WEIGHTS.get(vocabulary().kind.get(concept, ""), 0.0)


def concept_weights(concepts: TextConcepts) -> dict[str, float]:
    """The weight of each content concept of a text: by its kind, means (``MEANS`` and the narrower
    concepts: trucks, bins) as a head when the text names a specific thing or topic besides them."""
    parents = vocabulary().parents
    weights = {k: concept_weight(k) for k in concepts.content}
    means = {k for k in concepts.content if k in MEANS or MEANS.intersection(parents[k])}
    if concepts.specific - means:
        for k in means:
            weights[k] = CONTENT_WEIGHTS["head"]
    return weights
