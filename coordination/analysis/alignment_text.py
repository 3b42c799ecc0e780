"""Reading a project's or an objective's text for alignment: the concepts of the bilingual activity
vocabulary it names (with their broader concepts), so that "إعادة تأهيل شبكة الكهرباء" and
"Rehabilitation of the electricity network" meet on ``electricity`` and ``network``.

Only concepts that say *what* the work is about count for alignment (fields, things, topics,
landmarks, groups); actions ("rehabilitation", "training") are too general to tie a project to an
objective on their own, and are kept apart as weak evidence."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from common.text import words
from coordination.analysis.vocabulary import resolve_arabic, vocabulary

CONTENT_WEIGHTS = {"field": 0.5, "thing": 2.0, "topic": 2.0, "landmark": 1.5, "group": 0.5, "head": 0.3}
ACTION_KIND = "action"


@dataclass(frozen=True, slots=True)
class TextConcepts:
    content: frozenset[str]  # concepts of CONTENT_WEIGHTS' kinds, broader ones included
    actions: frozenset[str]  # the classes of the actions it names (rehabilitation → works)
    surface: tuple[tuple[str, str], ...]  # (concept, the words that named it), first naming only


def _keys(text: str) -> list[tuple[str, str]]:
    return [(resolve_arabic(w.key) if w.arabic else w.key, w.text) for w in words(text) if not w.stop]


@lru_cache(maxsize=200_000)
def text_concepts(text: str) -> TextConcepts:
    """The vocabulary concepts a text names: the longest entry at each position wins."""
    voc = vocabulary()
    keys = _keys(text)
    content: set[str] = set()
    actions: set[str] = set()
    surface: dict[str, str] = {}
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
                kind = voc.kind[c]
                if kind in CONTENT_WEIGHTS:
                    content.add(c)
                    surface.setdefault(c, said)
                elif kind == ACTION_KIND:
                    actions.add(voc.action_class.get(c, c))
        i += n
    return TextConcepts(frozenset(content), frozenset(actions), tuple(sorted(surface.items())))


def concepts_of(*texts: str) -> TextConcepts:
    """The concepts of several texts together (titles and descriptions in both languages)."""
    parts = [text_concepts(t) for t in texts if t]
    if not parts:
        return TextConcepts(frozenset(), frozenset(), ())
    if len(parts) == 1:
        return parts[0]
    surface: dict[str, str] = {}
    for p in parts:
        for c, said in p.surface:
            surface.setdefault(c, said)
    return TextConcepts(frozenset().union(*(p.content for p in parts)), frozenset().union(*(p.actions for p in parts)),
                        tuple(sorted(surface.items())))


def concept_weight(concept: str) -> float:
    return CONTENT_WEIGHTS.get(vocabulary().kind.get(concept, ""), 0.0)
