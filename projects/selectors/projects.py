"""Reads of partners and projects."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from projects.models import Participation, Project, ProjectLocation, ProjectSector, ProjectUpdate, ReviewState
from projects.permissions import REVIEW_PROJECT, REVIEW_UPDATE, user_oversees, user_partner_id

# --- scoped reads (the read rule of projects.permissions, as a query) -----------------------


def projects_visible_to(user: Any) -> QuerySet[Project]:
    """The projects ``user`` may read: everything for ministry staff, their own partner's and
    everyone's accepted ones for a focal point, nothing for anyone else."""
    qs = Project.objects.all()
    if user_oversees(user):
        return qs
    if not (user is not None and user.is_authenticated and user.is_active and user.has_perm("projects.view_project")):
        return qs.none()
    visible = Q(state=ReviewState.ACCEPTED)
    partner_id = user_partner_id(user)
    if partner_id is not None:
        visible |= Q(reporting_partner_id=partner_id)
    return qs.filter(visible)


def projects_counted_for(user: Any) -> QuerySet[Project]:
    """The projects that what ``user`` is shown *about* the portfolio may be computed from: coverage figures
    and their roll-ups, map layers, gap, delay and duplicate flags, dashboard counts and totals.

    They are the projects ``user`` may read (``projects_visible_to``): every project for ministry staff; for
    a focal point every partner's accepted projects and all of their own partner's, whatever their review
    state; nothing for anyone else. A figure counting a project the reader may not open would tell them it
    exists (a partner's draft showing through as a municipality "reached"), so every derived read starts
    here; a stored result computed over more (the ministry's gap flags) is held back from the reader instead."""
    return projects_visible_to(user)


def updates_visible_to(user: Any) -> QuerySet[ProjectUpdate]:
    """The project updates ``user`` may read (``update_can_view`` as a query): the ministry, all; a focal point,
    those their partner wrote and anyone's accepted ones, on projects they may see (after a move, the old
    partner's drafts stay out of the new partner's reach)."""
    qs = ProjectUpdate.objects.all()
    if user_oversees(user):
        return qs
    if not (user is not None and user.is_authenticated and user.is_active
            and user.has_perm("projects.view_projectupdate")):
        return qs.none()
    update, project = Q(state=ReviewState.ACCEPTED), Q(project__state=ReviewState.ACCEPTED)
    partner_id = user_partner_id(user)
    if partner_id is not None:
        update |= Q(partner_id=partner_id)
        project |= Q(project__reporting_partner_id=partner_id)
    return qs.filter(update & project)


def project_list(user: Any) -> QuerySet[Project]:
    """Visible projects with what a list shows joined and prefetched once."""
    return projects_visible_to(user).select_related("reporting_partner", "programme").prefetch_related(
        Prefetch("sector_shares", queryset=ProjectSector.objects.select_related("sector").order_by("sector__code")),
        Prefetch("locations", queryset=ProjectLocation.objects.select_related("municipality").order_by(
            "municipality__pcode")),
        Prefetch("participations", queryset=Participation.objects.select_related("partner").order_by("role", "pk")),
    )


def update_list(user: Any) -> QuerySet[ProjectUpdate]:
    return updates_visible_to(user).select_related("project", "project__reporting_partner", "submitted_by",
                                                   "reviewed_by")


REVIEW_QUEUE_COLUMNS = ("kind", "item_id", "item_project", "item_title_ar", "item_title_en", "item_partner",
                        "item_submitted_at", "item_submitted_by")


def _review_queue_parts(user: Any, search: str) -> list[tuple[QuerySet, QuerySet]]:
    """Each kind of record the queue holds for ``user``: (the submitted records, their rows of
    REVIEW_QUEUE_COLUMNS)."""
    parts = []
    if user.has_perm(REVIEW_PROJECT):
        projects = words_search(projects_visible_to(user), search, partner_fields("reporting_partner"),
                                folded="search_text").filter(state=ReviewState.SUBMITTED)
        parts.append((projects, projects.order_by().annotate(
            kind=Value("project", output_field=CharField()), item_id=F("pk"), item_project=F("pk"),
            item_title_ar=F("title_ar"), item_title_en=F("title_en"), item_partner=F("reporting_partner_id"),
            item_submitted_at=F("submitted_at"), item_submitted_by=Coalesce(F("submitted_by__username"), Value("")),
        ).values(*REVIEW_QUEUE_COLUMNS)))
    if user.has_perm(REVIEW_UPDATE):
        updates = words_search(updates_visible_to(user), search, partner_fields("partner"),
                               folded="project__search_text").filter(state=ReviewState.SUBMITTED)
        parts.append((updates, updates.order_by().annotate(
            kind=Value("update", output_field=CharField()), item_id=F("pk"), item_project=F("project_id"),
            item_title_ar=F("project__title_ar"), item_title_en=F("project__title_en"),
            item_partner=F("partner_id"), item_submitted_at=F("submitted_at"),
            item_submitted_by=Coalesce(F("submitted_by__username"), Value("")),
        ).values(*REVIEW_QUEUE_COLUMNS)))
    return parts


def review_queue(user: Any, *, search: str = "", newest_first: bool = False) -> QuerySet:
    """What waits for the ministry's review, as one list: submitted projects (if ``user`` reviews projects) and
    submitted updates (if they review updates), oldest submission first (``newest_first``: the other way).
    ``search``: every word in the project's title or the partner's name (``words_search``). Rows are dicts of
    REVIEW_QUEUE_COLUMNS; one UNION query, so a page of it is two queries (count and rows)."""
    parts = [rows for _records, rows in _review_queue_parts(user, search)]
    if not parts:
        return Project.objects.none().values()
    first, *rest = parts
    queue = first.union(*rest, all=True) if rest else first
    if newest_first:
        return queue.order_by("-item_submitted_at", "-kind", "-item_id")
    return queue.order_by("item_submitted_at", "kind", "item_id")


class ReviewQueueRows:
    """``review_queue`` as a sequence a paginator slices, each kind counted and read on its own (indexed by
    state and submission time) only as far as the page asked for, then merged in the queue's order: the union
    sorted whole read every submitted update and joined each to its project (270 ms at 100,000 projects).
    Two queries per kind (count and rows)."""

    def __init__(self, user: Any, *, search: str = "", newest_first: bool = False) -> None:
        self.parts = _review_queue_parts(user, search)
        self.newest_first = newest_first
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(records.count() for records, _rows in self.parts)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice) or index.stop is None or (index.step or 1) != 1:
            raise TypeError("ReviewQueueRows takes a slice with an end.")
        sign = "-" if self.newest_first else ""
        rows = []
        for _records, part in self.parts:
            rows.extend(part.order_by(f"{sign}item_submitted_at", f"{sign}item_id")[:index.stop])
        # The database's order: a missing time sorts last going up (first going down); then kind, then id.
        rows.sort(key=lambda r: (r["item_submitted_at"] is None, r["item_submitted_at"] or dt.datetime.min.replace(
            tzinfo=dt.UTC), r["kind"], r["item_id"]), reverse=self.newest_first)
        return rows[index]


# --- the HTML pages -------------------------------------------------------------------------------

# Letters that normalisation folds together (common.text.normalise_arabic), as regex classes, so a
# search written without hamza or with ه for ة finds the title however it was typed.
_AR_LETTER_CLASSES = {"ا": "[اأإآٱ]", "ي": "[يىئ]", "ه": "[هة]", "و": "[وؤ]"}
_AR_MARKS = "[\u0610-\u061a\u064b-\u065f\u0670\u0640]*"  # diacritics and tatweel, skipped between letters


def _search_pattern(word: Any) -> str:
    if word.arabic:
        return _AR_MARKS.join(_AR_LETTER_CLASSES.get(ch, re.escape(ch)) for ch in word.key)
    # The stem's common part with the word ("rehabilitation" / "rehabilitat"), so plurals and
    # derived forms in the title match too.
    prefix = os.path.commonprefix([word.text, word.key])
    return re.escape(prefix if len(prefix) >= 3 else word.text)


TITLE_FIELDS = ("title_ar", "title_en")


def partner_fields(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}__name_ar", f"{prefix}__name_en", f"{prefix}__acronym")


def words_search(records: QuerySet, text: str, fields: tuple[str, ...], *, folded: str | None = None) -> QuerySet:
    """``records`` with every word of ``text`` in one of ``fields`` (a partner's names, ...) or in the folded
    titles ``folded`` names (a path to ``Project.search_text``, read as ``project_title_search`` does), each
    word normalised as the title search does (``common.text.words``: hamza forms, ta marbuta, the article,
    diacritics, English plurals)."""
    from common.text import words

    text = (text or "").strip()
    if not text:
        return records
    found = [w for w in words(text) if not w.stop] or list(words(text))
    if not found:
        return records.filter(pk__in=[])
    for word in found:
        pattern = _search_pattern(word)
        any_field = Q(**{f"{folded}__contains": _search_term(word)}) if folded else Q()
        for name in fields:
            any_field |= Q(**{f"{name}__iregex": pattern})
        records = records.filter(any_field)
    return records


def _search_term(word: Any) -> str:
    """What a search word must be a substring of in ``Project.search_text``: the title search's pattern
    (``_search_pattern``) without its letter classes, which the stored text has already folded."""
    if word.arabic:
        return word.key
    prefix = os.path.commonprefix([word.text, word.key])
    return prefix if len(prefix) >= 3 else word.text


def project_title_search(projects: QuerySet[Project], text: str) -> QuerySet[Project]:
    """Projects whose Arabic or English title has every word of ``text`` (normalised as the duplicate
    engine does: hamza forms, ta marbuta, the article, diacritics, English plurals), or whose IATI
    identifier or partner code contains it.

    The titles and codes are matched in the stored folded text (``Project.search_text``) with a plain substring test,
    which PostgreSQL's trigram index serves, instead of a letter-class regex over every title."""
    from common.text import search_fold, words

    text = (text or "").strip()
    if not text:
        return projects
    found = [w for w in words(text) if not w.stop] or list(words(text))
    if not found:
        return projects.filter(Q(iati_identifier__icontains=text) | Q(partner_code__icontains=text))
    titles = Q()
    for word in found:
        titles &= Q(search_text__contains=_search_term(word))
    # The identifier or code containing the text: the whole text in the same column (the identifier and code
    # are lines of it), so both halves of the OR are served by the one trigram index. The titles matching the
    # whole text already match word by word, so this adds no title matches.
    return projects.filter(titles | Q(search_text__contains=search_fold(text)))


# A page names municipalities; their boundaries (large polygons) stay in the database.
_PLACE_NAME_ONLY = ("municipality__area", "municipality__point")


def project_list_page(user: Any) -> QuerySet[Project]:
    """``project_list`` for the HTML list: the same joins, without the municipalities' geometry."""
    return project_list(user).prefetch_related(None).prefetch_related(
        Prefetch("sector_shares", queryset=ProjectSector.objects.select_related("sector").order_by("sector__code")),
        Prefetch("locations", queryset=ProjectLocation.objects.select_related("municipality")
                 .defer(*_PLACE_NAME_ONLY).order_by("municipality__pcode")),
        Prefetch("participations", queryset=Participation.objects.select_related("partner").order_by("role", "pk")),
    )


# What the list's rows never show: long texts read only by the project page.
_LIST_DEFERRED = ("description_ar", "description_en", "search_text", "review_comment", "sdg_tags")


def project_list_rows(user: Any) -> QuerySet[Project]:
    """``project_list_page`` without the long texts a row does not show (less to read per page)."""
    return project_list_page(user).defer(*_LIST_DEFERRED)


def project_detail_queryset(user: Any) -> QuerySet[Project]:
    """A visible project with everything its page shows, joined or prefetched once."""
    from projects.models import Site, Transaction

    return project_list_page(user).select_related("created_by", "submitted_by", "reviewed_by").prefetch_related(
        Prefetch("sites", queryset=Site.objects.select_related("municipality").defer(*_PLACE_NAME_ONLY).order_by("pk")),
        Prefetch("transactions", queryset=Transaction.objects.select_related("provider_org", "receiver_org")
                 .order_by("date", "pk")),
    )


def project_updates_visible(user: Any, project: Project) -> QuerySet[ProjectUpdate]:
    """The updates of one project that ``user`` may read, newest period first."""
    return (updates_visible_to(user).filter(project=project).select_related("submitted_by", "reviewed_by")
            .order_by("-period_end", "-pk"))


def user_reviews(user: Any) -> bool:
    """May ``user`` open the review queue (reviews projects or updates)?"""
    return bool(user is not None and user.is_authenticated and user.is_active
                and (user.has_perm(REVIEW_PROJECT) or user.has_perm(REVIEW_UPDATE)))


def review_queue_partner_names(rows: Iterable[dict]) -> dict[int, str]:
    """The reporting partners of a page of ``review_queue`` rows, by id (one query)."""
    from projects.models import Partner

    ids = {row["item_partner"] for row in rows}
    return {partner.pk: str(partner) for partner in Partner.objects.filter(pk__in=ids)}


def project_filter(projects: QuerySet[Project], *, user: Any, filters: dict[str, Any]) -> QuerySet[Project]:
    """``projects`` narrowed by the list page's filters (the cleaned data of ``ProjectFilterForm``): the
    project list and the 3W download of "the current filters" read the same rows."""
    if filters.get("scope") == "mine":
        projects = projects.filter(reporting_partner_id=user_partner_id(user))
    if filters.get("q"):
        projects = project_title_search(projects, filters["q"])
    if filters.get("state"):
        projects = projects.filter(state=filters["state"])
    if filters.get("status") is not None:
        projects = projects.filter(status=filters["status"])
    if filters.get("partner") is not None:
        partner = filters["partner"]
        projects = projects.filter(Q(reporting_partner_id=partner) | Q(
            pk__in=Participation.objects.filter(partner_id=partner).values("project_id")))
    if filters.get("municipality") is not None:
        projects = projects.filter(
            pk__in=ProjectLocation.objects.filter(municipality_id=filters["municipality"]).values("project_id"))
    if filters.get("sector") is not None:
        projects = projects.filter(
            pk__in=ProjectSector.objects.filter(sector_id=filters["sector"]).values("project_id"))
    if filters.get("active_from") or filters.get("active_to"):
        from projects.selectors.project_pages import project_active_between

        projects = project_active_between(projects, filters.get("active_from"), filters.get("active_to"))
    return projects
