"""A record prepared once for every pair it meets: its activity (concepts, their closure, content,
actions, groups), its names and the keys that answer them, numbers, phase, blocking terms and
partners (``record_prepare``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coordination.analysis.duplicates.features import (
    CONTENT_KINDS,
    KIND_WEIGHTS,
    WORD_WEIGHT,
    TitleReading,
    items_merge,
    title_read,
)
from coordination.analysis.duplicates.records import (
    EXTENDING,
    FUNDING,
    IMPLEMENTING,
    ProjectRecord,
    identifier_publisher,
)
from coordination.analysis.vocabulary import compounds_apply, vocabulary


@dataclass(frozen=True, slots=True)
class ActivityProfile:
    """What a record does, as the concepts its title names."""

    concepts: dict[str, float]  # the concepts the title names → weight
    closure: frozenset[str]  # those and the broader concepts they imply
    content: frozenset[str]  # concepts that say what is done (things, landmarks, fields, topics)
    actions: frozenset[str]  # classes of the actions named (works, supply, training ...)
    groups: frozenset[str]  # the people served (women, youth, displaced families)
    weight: float  # total weight of concepts and words


def activity_profile(concepts: dict[str, float], words_weight: float) -> ActivityProfile:
    voc = vocabulary()
    closure = set(concepts)
    for c in concepts:
        closure.update(voc.parents[c])
    return ActivityProfile(
        concepts=concepts, closure=frozenset(closure),
        content=frozenset(c for c in concepts if voc.kind[c] in CONTENT_KINDS),
        actions=frozenset(voc.action_class[c] for c in concepts if c in voc.action_class),
        groups=frozenset(c for c in closure if voc.kind[c] == "group"),
        weight=sum(concepts.values()) + words_weight,
    )


@dataclass(slots=True)
class PreparedRecord:
    rec: ProjectRecord
    act: ActivityProfile
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
    # (funder ids, implementer ids) when the record names both and they differ: a funder and its
    # implementer each publishing their own record list the same organisations in the same roles.
    parties: tuple[frozenset[int], frozenset[int]] | None
    labels: dict[frozenset[str], str]  # names as the titles write them, for the reasons
    publisher: str | None = None  # the organisation the IATI identifier begins with (records.identifier_publisher)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(k[2:] for k in self.name_keys)

    @property
    def concepts(self) -> dict[str, float]:
        return self.act.concepts


def record_prepare(rec: ProjectRecord, place_phrases: Callable[[frozenset[int]], dict[str, tuple[tuple[str, ...], ...]]]
             ) -> PreparedRecord:
    voc = vocabulary()
    reading = TitleReading()
    phrases = place_phrases(rec.municipalities)
    for title in (rec.title_ar, rec.title_en):
        if title:
            title_read(title, phrases, reading)
    if reading.phase_word and reading.phase is None:
        reading.phase = 1
    labels = items_merge(reading.items, reading.labels)
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
    concepts = compounds_apply(concepts, KIND_WEIGHTS)
    act = activity_profile(concepts, WORD_WEIGHT * len(reading.words))
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
    funding_only = frozenset(p for p, role in rec.participants if role == FUNDING)
    implementing_only = frozenset(p for p, role in rec.participants if role == IMPLEMENTING)
    parties = ((funding_only, implementing_only) if funding_only and implementing_only
               and funding_only != implementing_only else None)
    partners = frozenset(p for p, _ in rec.participants) | (
        frozenset([rec.reporting_partner]) if rec.reporting_partner is not None else frozenset()
    )
    return PreparedRecord(
        rec=rec, act=act, words=frozenset(reading.words), items=items,
        name_keys=name_keys, weak=tuple(weak), weak_only=tuple(weak.values()), answers=frozenset(answers),
        subject=frozenset(reading.subject), subject_closure=frozenset(subject_closure),
        numbers=frozenset(reading.numbers), years=frozenset(reading.years), phase=reading.phase, strong_terms=frozenset(strong),
        loose_terms=frozenset("c:" + c for c in act.content), funders=funders,
        implementers=implementers or (frozenset([rec.reporting_partner]) if rec.reporting_partner else frozenset()),
        partners=partners, linked={ident: how for how, ident in rec.links}, parties=parties, labels=labels,
        publisher=identifier_publisher(rec.iati_identifier),
    )
