"""Import the government's development allocations and its own projects from one spreadsheet, all or nothing.

The sheet is a 3W sheet (CSV UTF-8 or XLSX, an HXL hashtag row; ``spreadsheet_import`` reads it) with one more
column, ``#meta+record``, saying what each row is:

* ``allocation`` (``مخصص``): ``#adm3+code`` (p-code; or ``#adm3+name+i_en`` / ``+i_ar``), ``#date+year``,
  ``#value`` (the amount), ``#currency`` (LYD when empty), ``#meta+source`` (the Ministry of Finance's
  development chapter when empty), ``#description+note``. One allocation per municipality, year and source:
  importing it again updates it, or changes nothing when the figures are the same.
* ``project`` (``مشروع``): the 3W columns (``#org+funder``, ``#org+reporting``, ``#activity+name+i_ar``,
  ``#sector+code``, ``#adm3+code``, ``#status``, ``#date+start``, ``#date+end``, ``#value+usd``, ...). Every
  funder must be a government body (a ministry or a municipal council), so the project is the government's
  (``projects.selectors.government``); without ``#org+reporting`` the first funder keeps the record. Matched as
  the 3W import matches (IATI identifier, else reporting body and title), so importing it again changes nothing.

Every row is checked before anything is written; an error anywhere (row as the spreadsheet numbers it, column,
message in the reader's language) means nothing is written. Who may import what: allocation rows need the
allocation permissions (the ministry); project rows need the ministry's administrator, or a focal point of a
government body (a ministry's staff, a municipality account), whose rows are then their own body's projects and
go to the ministry's review. ``user`` None: the operator's command, that may do both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.models import Municipality
from municipalities.services import allocation_save
from projects.exchange.formats.iati_xml import decimal_of
from projects.exchange.selectors.matching import OrgRef, Resolver
from projects.exchange.services.spreadsheet_import import (
    RowError,
    SpreadsheetError,
    SpreadsheetPreview,
    spreadsheet_preview_rows,
    spreadsheet_rows,
    spreadsheet_save,
)
from projects.models import Partner, ReviewState
from projects.permissions import user_manages

KIND = "#meta+record"
ALLOCATION_WORDS = {"allocation", "allocations", "مخصص", "مخصصات"}
PROJECT_WORDS = {"project", "projects", "مشروع", "مشاريع"}
A = {"adm3": "#adm3+code", "adm3_en": "#adm3+i_en+name", "adm3_ar": "#adm3+i_ar+name", "year": "#date+year",
     "amount": "#value", "currency": "#currency", "source": "#meta+source", "note": "#description+note"}
FUNDER, REPORTING = "#org+funder", "#org+reporting"


class GovernmentImportError(SpreadsheetError):
    """The sheet was refused: nothing was written. ``errors``: every row error found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class PlannedAllocation:
    row: int
    municipality: Municipality
    year: int
    amount: Decimal
    currency: str
    source: str
    note: str


@dataclass
class GovernmentImportReport:
    rows: int = 0
    allocations: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})
    projects: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = [_("%(rows)s rows: allocations %(a_new)s new, %(a_changed)s changed, %(a_same)s unchanged; "
                 "projects %(p_new)s new, %(p_changed)s changed, %(p_same)s unchanged") % {
            "rows": self.rows, "a_new": self.allocations["created"], "a_changed": self.allocations["updated"],
            "a_same": self.allocations["unchanged"], "p_new": self.projects["created"],
            "p_changed": self.projects["updated"], "p_same": self.projects["unchanged"]}]
        if self.dry_run:
            out.append(_("Check only: nothing was saved."))
        return out


class _Rollback(Exception):
    """Raised to undo a dry run."""


def government_body_of(user: Any) -> Partner | None:
    """The government body a user reports for (a ministry's staff, a municipality account), or None."""
    try:
        partner = user.focal_point.partner
    except (ObjectDoesNotExist, AttributeError):  # not a focal point; anonymous
        return None
    return partner if partner.is_government else None


def government_import_allowed(user: Any) -> bool:
    """May ``user`` upload a government sheet at all (allocations or projects)?"""
    if user is None:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return (user_manages(user) or user.has_perm("municipalities.add_developmentallocation")
            or (government_body_of(user) is not None and user.has_perm("projects.add_project")))


def _text(row: dict[str, Any], tag: str) -> str:
    value = row.get(tag)
    return "" if value is None else str(value).strip()


def _allocation(number: int, row: dict[str, Any], resolver: Resolver, errors: list[RowError]) -> PlannedAllocation | None:
    def error(tag: str, message: str) -> None:
        errors.append(RowError(number, tag, message))

    before = len(errors)
    pcode, name = _text(row, A["adm3"]), _text(row, A["adm3_en"]) or _text(row, A["adm3_ar"])
    municipality = resolver.municipality_by_pcode(pcode) if pcode else resolver.municipality_by_name(name)
    if municipality is None:
        error(A["adm3"], _("unknown municipality %(name)s") % {"name": pcode or name} if (pcode or name)
              else _("an allocation needs its municipality"))
        if name and not pcode:
            resolver.place_unresolved(name)
    year_text = _text(row, A["year"])
    year_number = decimal_of(year_text.removesuffix(".0")) if year_text else None
    if year_number is None or year_number != year_number.to_integral_value() or not 1990 <= year_number <= 2100:
        error(A["year"], _("%(value)s is not a year from 1990 to 2100") % {"value": year_text or "-"})
    amount_text = _text(row, A["amount"]).replace(",", "")
    amount = decimal_of(amount_text) if amount_text else None
    if amount is None or amount < 0 or amount >= Decimal("1e14"):
        error(A["amount"], _("%(value)s is not an amount") % {"value": amount_text or "-"})
    currency = (_text(row, A["currency"]) or "LYD").upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        error(A["currency"], _("%(value)s is not a three-letter currency code") % {"value": currency})
    source = _text(row, A["source"])
    if len(source) > 200:
        error(A["source"], _("keep the source under 200 characters"))
    if len(errors) > before:
        return None
    return PlannedAllocation(row=number, municipality=municipality, year=int(year_number), amount=amount,
                             currency=currency, source=source, note=_text(row, A["note"]))


def _project_row(number: int, row: dict[str, Any], resolver: Resolver, errors: list[RowError],
                 body: Partner | None) -> dict[str, Any]:
    """The row as the 3W import reads it, after checking that its funders are government bodies."""
    funders = [n.strip() for n in _text(row, FUNDER).split(";") if n.strip()]
    if not funders and body is not None:
        funders = [body.acronym or body.name_en]
        row = {**row, FUNDER: funders[0]}
    if not funders:
        errors.append(RowError(number, FUNDER, _("a government project needs its funder (a ministry or a "
                                                 "municipal council)")))
    for name in funders:
        partner = resolver.partner(OrgRef(name_en=name, ref=name), create=False)
        if partner is not None and not partner.is_government:
            errors.append(RowError(number, FUNDER, _("%(name)s is not a government body: import a partner's "
                                                     "projects with the 3W sheet") % {"name": name}))
    if not _text(row, REPORTING) and funders and body is None:
        row = {**row, REPORTING: funders[0]}
    return row


def government_import(*, data: bytes, name: str = "", user: Any = None, dry_run: bool = False) -> GovernmentImportReport:
    """Check every row of a government sheet and, when all are good, write them in one transaction."""
    rows = spreadsheet_rows(data, name=name)
    if not rows:
        raise GovernmentImportError([RowError(1, "", _("the sheet has no rows below its hashtag row"))])
    body = government_body_of(user) if user is not None and not user_manages(user) else None
    may_allocate = user is None or user.has_perm("municipalities.add_developmentallocation")
    may_project = user is None or user_manages(user) or body is not None
    resolver = Resolver()
    errors: list[RowError] = []
    allocations: list[PlannedAllocation] = []
    project_rows: list[tuple[int, dict[str, Any]]] = []
    for number, row in rows:
        kind = _text(row, KIND).casefold()
        if kind in ALLOCATION_WORDS:
            if not may_allocate:
                errors.append(RowError(number, KIND, _("you may not import allocations")))
                continue
            planned = _allocation(number, row, resolver, errors)
            if planned is not None:
                allocations.append(planned)
        elif kind in PROJECT_WORDS:
            if not may_project:
                errors.append(RowError(number, KIND, _("you may not import government projects")))
                continue
            project_rows.append((number, _project_row(number, row, resolver, errors, body)))
        else:
            errors.append(RowError(number, KIND, _("say allocation or project (%(value)s)") % {"value": kind or "-"}))
    seen: dict[tuple[int, int, str], int] = {}
    for a in allocations:
        key = (a.municipality.pk, a.year, a.source)
        if key in seen:
            errors.append(RowError(a.row, "", _("repeats row %(row)s (same municipality, year and source)") % {
                "row": seen[key]}))
        seen.setdefault(key, a.row)
    preview = spreadsheet_preview_rows(project_rows, only_partner=body) if project_rows else SpreadsheetPreview()
    errors.extend(preview.errors)
    if errors:
        raise GovernmentImportError(sorted(errors, key=lambda e: e.row))
    return _write(allocations, preview, user=user, body=body, dry_run=dry_run, rows=len(rows))


def _write(allocations: list[PlannedAllocation], preview: SpreadsheetPreview, *, user: Any, body: Partner | None,
           dry_run: bool, rows: int) -> GovernmentImportReport:
    report = GovernmentImportReport(rows=rows, dry_run=dry_run)
    try:
        with transaction.atomic():
            for a in allocations:
                try:
                    _saved, outcome = allocation_save(municipality=a.municipality, year=a.year, amount=a.amount,
                                                      currency=a.currency, source=a.source, note=a.note, user=user)
                except ValidationError as exc:
                    raise GovernmentImportError([RowError(a.row, "", "; ".join(exc.messages))]) from exc
                report.allocations[outcome] += 1
            if preview.projects:
                # A government body's own import goes to the ministry's review, as a focal point's 3W import does.
                submitted_by = user if body is not None else None
                spreadsheet_save(preview, user=user, state=ReviewState.ACCEPTED, submitted_by=submitted_by)
                for plan in preview.projects:
                    outcome = "created" if plan.action == "create" else "updated" if plan.changed else "unchanged"
                    report.projects[outcome] += 1
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report

