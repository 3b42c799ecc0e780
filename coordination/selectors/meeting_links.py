"""The records a meeting's agenda items, decisions and actions link to: whether a user may link them, and
their labels in both languages (one query per kind of record, whatever the number of links)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from common.bilingual import bilingual_text
from coordination.models import DelayFlag, DuplicateFlag, GapFlag, LinkKind, Meeting, MeetingLink
from coordination.selectors.delays import delay_flags_visible_to
from coordination.selectors.duplicates import duplicate_flags_visible_to
from coordination.selectors.flags import gap_flags_stored_for
from municipalities.models import Municipality, PlanObjective, Sector
from projects.models import Partner, Project
from projects.selectors.projects import projects_visible_to

Pair = tuple[str, int]


def _linkable(user: Any, kind: str) -> QuerySet:
    """The records of ``kind`` that ``user`` may link to (the read rule of each kind)."""
    if kind == LinkKind.PROJECT:
        return projects_visible_to(user)
    if kind == LinkKind.DUPLICATE:
        return duplicate_flags_visible_to(user, DuplicateFlag.objects.all())
    if kind == LinkKind.DELAY:
        return delay_flags_visible_to(user, DelayFlag.objects.all())
    if kind == LinkKind.GAP:
        return GapFlag.objects.all() if gap_flags_stored_for(user) else GapFlag.objects.none()
    return {LinkKind.MUNICIPALITY: Municipality, LinkKind.PARTNER: Partner, LinkKind.SECTOR: Sector,
            LinkKind.OBJECTIVE: PlanObjective}[kind].objects.all()


def links_refused(user: Any, pairs: Iterable[Pair]) -> list[Pair]:
    """The (kind, id) pairs that do not exist or that ``user`` may not see (one query per kind)."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, pk in pairs:
        by_kind[kind].add(pk)
    refused = []
    for kind, ids in by_kind.items():
        found = set(_linkable(user, kind).filter(pk__in=ids).values_list("pk", flat=True))
        refused += [(kind, pk) for pk in sorted(ids - found)]
    return refused


def _named_labels(kind: str, ids: set[int]) -> dict[int, dict[str, str]]:
    if kind == LinkKind.MUNICIPALITY:
        rows = Municipality.objects.filter(pk__in=ids).values_list("pk", "name_ar", "name_en")
        return {pk: {"ar": bilingual_text(ar, en, "ar"), "en": bilingual_text(ar, en, "en")} for pk, ar, en in rows}
    if kind == LinkKind.PROJECT:
        rows = Project.objects.filter(pk__in=ids).values_list("pk", "title_ar", "title_en")
        return {pk: {"ar": bilingual_text(ar, en, "ar"), "en": bilingual_text(ar, en, "en")} for pk, ar, en in rows}
    if kind == LinkKind.PARTNER:
        rows = Partner.objects.filter(pk__in=ids).values_list("pk", "acronym", "name_ar", "name_en")
        return {pk: {"ar": acronym or bilingual_text(ar, en, "ar"), "en": acronym or bilingual_text(ar, en, "en")}
                for pk, acronym, ar, en in rows}
    if kind == LinkKind.SECTOR:
        rows = Sector.objects.filter(pk__in=ids).values_list("pk", "name_ar", "name_en")
        return {pk: {"ar": bilingual_text(ar, en, "ar"), "en": bilingual_text(ar, en, "en")} for pk, ar, en in rows}
    if kind == LinkKind.OBJECTIVE:
        rows = PlanObjective.objects.filter(pk__in=ids).values_list("pk", "code", "title_ar", "title_en")
        return {pk: {lang: f"{code} {bilingual_text(ar, en, lang)}".strip() for lang in ("ar", "en")}
                for pk, code, ar, en in rows}
    return {}


def _flag_labels(kind: str, ids: set[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    if kind == LinkKind.DUPLICATE:
        for f in DuplicateFlag.objects.filter(pk__in=ids).select_related("project_a", "project_b"):
            out[f.pk] = {lang: _with(lang, LinkKind.DUPLICATE.label, f.pk, " ↔ ".join(
                bilingual_text(p.title_ar, p.title_en, lang) for p in (f.project_a, f.project_b)))
                for lang in ("ar", "en")}
    elif kind == LinkKind.GAP:
        for f in GapFlag.objects.filter(pk__in=ids).select_related("municipality", "sector"):
            out[f.pk] = {lang: _with(lang, LinkKind.GAP.label, f.pk, " / ".join(
                bilingual_text(x.name_ar, x.name_en, lang) for x in (f.municipality, f.sector) if x is not None))
                for lang in ("ar", "en")}
    elif kind == LinkKind.DELAY:
        for f in DelayFlag.objects.filter(pk__in=ids).select_related("project"):
            out[f.pk] = {lang: _with(lang, LinkKind.DELAY.label, f.pk, bilingual_text(f.project.title_ar, f.project.title_en, lang))
                         for lang in ("ar", "en")}
    return out


def _with(language: str, kind_label: Any, pk: int, about: str) -> str:
    with translation.override(language):
        head = f"{kind_label} #{pk}"
    return f"{head}: {about}" if about else head


def link_labels(pairs: Iterable[Pair]) -> dict[str, dict[str, str]]:
    """{"kind:id": {"ar": label, "en": label}} for the pairs (one query per kind present)."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, pk in pairs:
        by_kind[kind].add(pk)
    out: dict[str, dict[str, str]] = {}
    for kind, ids in by_kind.items():
        labels = _named_labels(kind, ids) if kind not in (LinkKind.DUPLICATE, LinkKind.GAP, LinkKind.DELAY) \
            else _flag_labels(kind, ids)
        for pk, label in labels.items():
            out[f"{kind}:{pk}"] = label
    return out


def meeting_links(meeting: Meeting | int) -> list[MeetingLink]:
    """Every link of a meeting (one query)."""
    return list(MeetingLink.objects.filter(meeting=meeting).order_by("pk"))


def meeting_link_labels(meeting: Meeting) -> dict[str, dict[str, str]]:
    """The labels of every record the meeting links to, for its snapshot."""
    return link_labels((link.kind, link.target_id) for link in meeting_links(meeting))
