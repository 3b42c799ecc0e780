"""Import a 3W/4W spreadsheet (the template ``threew`` writes): validate every row, preview, then all or nothing.

Columns are found by their HXL hashtag (the row of ``#`` cells), so columns may be moved, left out or
added. A project is the group of rows with the same ``#activity+code`` (IATI identifier), or, without
one, the same reporting partner and title. A column that is absent leaves that field of an existing
project alone; the sheet carries only the implementing and funding roles, so other roles are kept.

Partners, sectors and municipalities must already exist (a typo must not create a partner): a row
naming an unknown one is an error. An organisation is named by its own group of columns (``#org+impl+name+i_en``,
``+name+i_ar``, ``+code`` for the IATI identifier, repeated once per organisation, as ``threew`` writes
them): a name is only ever looked up as a name ("UN-Habitat" is not an identifier), an identifier
only from a ``+code`` column. Older sheets' single ``#org+impl`` / ``#org+funder`` cells ("A; B") are
still read. ``#date+start+planned`` (or the older ``#date+start``) and ``#date+start+actual`` are the
planned and actual dates. Budgets and people: the ``#value+usd``, ``#targeted`` and ``#reached`` cells of
a project's rows add up to its totals (the sheet splits them by sector and place); the budget is set
on a new project, and on an existing one only when that project keeps its budget in USD. Plan objectives
(``#indicator+objective+code``) are added to what the project declares, never removed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from municipalities.models import Municipality, PlanObjective, Sector
from projects.events import OBJECTIVES, RELATED_CATEGORIES
from projects.exchange.formats.iati_xml import decimal_of, iso_date
from projects.exchange.selectors.matching import OrgRef, Resolver, usable_org_ref
from projects.exchange.selectors.objective_refs import OBJECTIVE_TAG, ObjectiveRefs
from projects.models import (
    ActivityStatus,
    Participation,
    Partner,
    Project,
    ProjectLocation,
    ProjectSector,
    ReviewState,
    validate_sector_split,
)
from projects.services import project_save
from projects.services.projects import project_plan_objectives_change

MAX_BYTES = 10 * 1024 * 1024
# progress(done, total): called as rows are checked, then as projects are saved (total = 2 × rows).
Progress = Callable[[int, int], None]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROJECT_TAGS = {  # tag → project field, for the values every row of a project must agree on
    "#activity+name+i_en": "title_en", "#activity+name+i_ar": "title_ar", "#status": "status",
    "#status+code": "status", "#date+start": "planned_start", "#date+end": "planned_end",
    "#date+start+planned": "planned_start", "#date+end+planned": "planned_end",
    "#date+start+actual": "actual_start", "#date+end+actual": "actual_end",
}
PEOPLE_TAGS = {"#targeted": "beneficiaries_targeted", "#reached": "beneficiaries_reached"}  # summed over rows


class SpreadsheetError(ValueError):
    """A sheet that cannot be read, or an import refused because rows are not valid."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, %(column)s: %(message)s") % {"row": self.row, "column": self.column or "-",
                                                             "message": self.message}


@dataclass
class PlannedProject:
    key: str
    rows: list[int]
    project: Project | None = None
    reporting_partner: Partner | None = None
    identifier: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    implementers: dict[int, Partner] = field(default_factory=dict)
    funders: dict[int, Partner] = field(default_factory=dict)
    sectors: dict[int, Decimal | None] = field(default_factory=dict)
    municipalities: dict[int, Municipality] = field(default_factory=dict)
    budget_usd: Decimal | None = None
    objectives: dict[int, PlanObjective] = field(default_factory=dict)  # plan objectives it declares
    people: dict[str, int | None] = field(default_factory=dict)  # field → sum of the rows' parts
    seen: set[str] = field(default_factory=set)  # tags present for this project
    changed: bool = False  # after the import: whether anything was written

    @property
    def action(self) -> str:
        return "update" if self.project is not None else "create"


@dataclass
class SpreadsheetPreview:
    errors: list[RowError] = field(default_factory=list)
    projects: list[PlannedProject] = field(default_factory=list)
    rows: int = 0
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        creates = sum(1 for p in self.projects if p.action == "create")
        out = [_("%(rows)s rows, %(projects)s projects: %(create)s to create, %(update)s to update, %(errors)s errors") % {
            "rows": self.rows, "projects": len(self.projects), "create": creates,
            "update": len(self.projects) - creates, "errors": len(self.errors)}]
        out += [str(error) for error in self.errors]
        if self.errors:
            out.append(_("Nothing was saved: correct the rows and import the sheet again."))
        elif not self.saved:
            out.append(_("Preview only: nothing was saved."))
        else:
            out.append(_("saved: %(changed)s projects changed, %(same)s unchanged") % {
                "changed": sum(p.changed for p in self.projects),
                "same": sum(not p.changed for p in self.projects)})
        return out


# --- reading ---------------------------------------------------------------------------------------------


class SheetRow(dict):
    """A data row, {hashtag: first value}, that also keeps every value of a repeated hashtag, in order
    (``#org+impl`` once per implementing partner)."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.repeated: dict[str, list[Any]] = {}
        for tag, value in pairs:
            self.repeated.setdefault(tag, []).append(value)
            self.setdefault(tag, value)


def _every(row: dict[str, Any], tag: str) -> list[str]:
    values = row.repeated.get(tag, []) if isinstance(row, SheetRow) else ([row[tag]] if tag in row else [])
    return ["" if v is None else str(v).strip() for v in values]


def spreadsheet_rows(data: bytes, *, name: str = "") -> list[tuple[int, dict[str, Any]]]:
    """(row number, {hashtag: value}) for each data row below the HXL hashtag row."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(_("%(name)s is larger than %(limit)s MB.") % {"name": name or _("the file"), "limit": MAX_BYTES // 2**20})
    table = _xlsx_table(data, name) if data[:2] == b"PK" else _csv_table(data, name)
    index = next((i for i, row in enumerate(table[:25]) if _is_hashtag_row(row)), None)
    if index is None:
        raise SpreadsheetError(_("%(name)s has no HXL hashtag row (#org+impl, #sector, ...) in its first 25 rows.") % {
            "name": name})
    columns = [_tag(str(c).strip()) if c is not None else "" for c in table[index]]
    out = []
    for number, row in enumerate(table[index + 1:], start=index + 2):
        values = SheetRow([(col, _undefuse(v)) for col, v in zip(columns, row, strict=False) if col])
        if any(v not in (None, "") for v in values.values()):
            out.append((number, values))
    return out


def _is_hashtag_row(row: list[Any]) -> bool:
    cells = [str(c).strip() for c in row if c not in (None, "")]
    return bool(cells) and sum(c.startswith("#") for c in cells) >= max(2, len(cells) // 2)


def _tag(cell: str) -> str:
    """A hashtag with its attributes in a fixed order, lower case: "#Adm3 +code" → "#adm3+code"."""
    if not cell.startswith("#"):
        return ""
    parts = cell.replace(" ", "").lower().split("+")
    return "+".join([parts[0], *sorted(p for p in parts[1:] if p)]) if parts[0] != "#" else ""


def _undefuse(value: Any) -> Any:
    """Undo ``safe_cell``: "'=x" read back as "=x" (it is then only ever stored as text)."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:].startswith(_FORMULA_START):
            return value[1:]
    return value


def _csv_table(data: bytes, name: str) -> list[list[Any]]:
    if b"\x00" in data[:4096]:  # binary (an image, a PDF, an old .xls) with a .csv name
        raise SpreadsheetError(_("%(name)s is not a CSV or XLSX file.") % {"name": name})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("%(name)s is not UTF-8 text (byte %(position)s); save it as CSV UTF-8 or XLSX.") % {
            "name": name, "position": exc.start}) from exc
    if "\x00" in text[:4096]:
        raise SpreadsheetError(_("%(name)s is not a CSV or XLSX file.") % {"name": name})
    return list(csv.reader(io.StringIO(text)))


def _xlsx_table(data: bytes, name: str) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SpreadsheetError(_("%(name)s is not a readable XLSX file.") % {"name": name}) from exc
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- validation -----------------------------------------------------------------------------------------


T = {name: _tag(tag) for name, tag in {
    "code": "#activity+code", "reporting": "#org+reporting", "impl": "#org+impl", "funder": "#org+funder",
    "sector_code": "#sector+code", "sector_name": "#sector+name", "sector_pct": "#sector+pct",
    "sector_en": "#sector+name+i_en", "sector_ar": "#sector+name+i_ar", "sector_dac": "#sector+code+dac",
    "adm2": "#adm2+code", "adm3": "#adm3+code", "adm3_en": "#adm3+name+i_en", "adm3_ar": "#adm3+name+i_ar",
    "loc": "#loc+code", "usd": "#value+usd", "objectives": OBJECTIVE_TAG,
}.items()}


def spreadsheet_preview(*, data: bytes, name: str = "", only_partner: Partner | None = None,
                        progress: Progress | None = None) -> SpreadsheetPreview:
    """Validate every row and say what an import would do. Writes nothing.

    ``only_partner``: a focal point's import; a row of a project another partner reports is an error,
    and a row that names no reporting partner is this partner's."""
    return spreadsheet_preview_rows(spreadsheet_rows(data, name=name), only_partner=only_partner, progress=progress)


def spreadsheet_preview_rows(rows: list[tuple[int, dict[str, Any]]], *, only_partner: Partner | None = None,
                             progress: Progress | None = None) -> SpreadsheetPreview:
    """``spreadsheet_preview`` of rows already read (``spreadsheet_rows``): other importers hand over the
    project rows of their own sheets."""
    preview = SpreadsheetPreview(rows=len(rows))
    resolver = Resolver()
    sectors_by_name = {}
    for sector in Sector.objects.all():
        for label in (sector.name_en, sector.name_ar, sector.code):
            sectors_by_name[label.casefold()] = sector
    status_labels: dict[str, int] = {}
    for status in ActivityStatus:
        status_labels[str(status.value)] = status.value
        for language in ("en", "ar"):  # the export writes the label in the language it ran in
            with translation.override(language):
                status_labels[str(status.label).casefold()] = status.value
    planned: dict[str, PlannedProject] = {}
    objective_refs = ObjectiveRefs()
    for done, (number, row) in enumerate(rows, start=1):
        _row(number, row, preview, planned, resolver, sectors_by_name, status_labels, only_partner, objective_refs)
        if progress is not None:
            progress(done, 2 * len(rows))
    for plan in planned.values():
        plan.values.update(plan.people)
        _check_project(plan, preview)
    preview.projects = list(planned.values())
    return preview


def _text(row: dict[str, Any], tag: str) -> str:
    value = row.get(tag)
    return "" if value is None else str(value).strip()


def _row(number: int, row: dict[str, Any], preview: SpreadsheetPreview, planned: dict[str, PlannedProject],
         resolver: Resolver, sectors_by_name: dict[str, Sector], status_labels: dict[str, int],
         only_partner: Partner | None = None, objective_refs: ObjectiveRefs | None = None) -> None:
    def error(tag: str, message: str) -> None:
        preview.errors.append(RowError(number, tag, message))

    identifier = _text(row, T["code"])
    reporting_orgs = _orgs(row, "reporting")
    reporting_name = reporting_orgs[0].label if reporting_orgs else ""
    reporting = _partner(resolver, reporting_orgs[0]) if reporting_orgs else None
    if reporting_name and reporting is None:
        error(T["reporting"], _("unknown partner %(name)s: add it first") % {"name": reporting_name})
    if only_partner is not None and not reporting_name:
        reporting = only_partner
    title_en, title_ar = _text(row, "#activity+i_en+name"), _text(row, "#activity+i_ar+name")
    existing = Project.objects.filter(iati_identifier=identifier).first() if identifier else None
    if existing is None and not identifier and reporting is not None and (title_en or title_ar):
        lookup = Project.objects.filter(reporting_partner=reporting)
        existing = (lookup.filter(title_en=title_en) if title_en else lookup.filter(title_ar=title_ar)).first()
    if existing is None and (reporting is None or not (title_en or title_ar)):
        if not reporting_name:
            error(T["reporting"], _("a new project needs its reporting partner"))
        if not (title_en or title_ar):
            error("#activity+name", _("a new project needs a title"))
        return
    if only_partner is not None:
        # The partner the file names may be named back; the owner of an existing record may not: it
        # could be another partner's draft, which this user must not learn of.
        if reporting is not None and reporting != only_partner:
            error(T["reporting"], _("%(partner)s reports this project: you may import only projects of %(own)s") % {
                "partner": reporting, "own": only_partner})
        elif existing is not None and existing.reporting_partner_id != only_partner.pk:
            error(T["code"], _("this identifier belongs to a record you may not change"))
    key = identifier or f"{reporting.pk if reporting else existing.reporting_partner_id}|{title_en or title_ar}"
    plan = planned.setdefault(key, PlannedProject(key=key, rows=[], project=existing, identifier=identifier,
                                                  reporting_partner=reporting or existing.reporting_partner))
    plan.rows.append(number)

    values: dict[str, Any] = {}
    for tag, field_name in PROJECT_TAGS.items():
        tag = _tag(tag)
        if tag not in row:
            continue
        raw = row[tag]
        value = _project_value(field_name, raw, status_labels)
        if value is _INVALID:
            error(tag, _("%(value)s is not a valid %(field)s") % {"value": raw, "field": field_name.replace("_", " ")})
            continue
        values[field_name] = value
    for field_name, value in values.items():
        if field_name in plan.values and plan.values[field_name] != value:
            error(field_name, _("differs from row %(row)s of the same project") % {"row": plan.rows[0]})
        plan.values.setdefault(field_name, value)
    plan.seen |= set(row)

    for field_name, value in _people(row, error).items():
        if value is not None or field_name not in plan.people:
            plan.people[field_name] = value if plan.people.get(field_name) is None else plan.people[field_name] + (
                value or 0)

    for role, target in (("impl", plan.implementers), ("funder", plan.funders)):
        for org in _orgs(row, role):
            partner = _partner(resolver, org)
            if partner is None:
                error(T[role], _("unknown partner %(name)s: add it first") % {"name": org.label})
            else:
                target[partner.pk] = partner
        if any(_tag(f"#org+{role}{more}") in row for more in ("", "+name+i_en", "+name+i_ar", "+code")):
            plan.seen.add(T[role])

    sector_label = (_text(row, T["sector_code"]) or _text(row, T["sector_en"]) or _text(row, T["sector_ar"])
                    or _text(row, T["sector_name"]))
    if not sector_label and _text(row, T["sector_dac"]):
        found = resolver.sector(_text(row, T["sector_dac"]), "1")[0]
        sector_label = found.code if found is not None else _text(row, T["sector_dac"])
    if sector_label:
        sector = sectors_by_name.get(sector_label.casefold())
        if sector is None:
            error(T["sector_code"], _("unknown sector %(name)s") % {"name": sector_label})
        else:
            pct_text = _text(row, T["sector_pct"])
            pct = decimal_of(pct_text) if pct_text else None
            if pct_text and (pct is None or not 0 < pct <= 100):
                error(T["sector_pct"], _("%(value)s is not a percentage above 0 and up to 100") % {"value": pct_text})
            elif sector.pk in plan.sectors and plan.sectors[sector.pk] != pct:
                error(T["sector_pct"], _("a different percentage for %(sector)s than an earlier row") % {"sector": sector})
            else:
                plan.sectors[sector.pk] = pct

    pcode = _text(row, T["adm3"]) or _text(row, T["loc"])
    municipality = resolver.municipality_by_pcode(pcode) if pcode else None
    if municipality is None and not pcode:
        name = _text(row, T["adm3_en"]) or _text(row, T["adm3_ar"])
        municipality = resolver.municipality_by_name(name) if name else None
        if name and municipality is None:
            error(T["adm3_en"], _("unknown municipality %(name)s") % {"name": name})
            resolver.place_unresolved(name)
    elif municipality is None:
        error(T["adm3"], _("unknown municipality p-code %(code)s") % {"code": pcode})
    if municipality is not None:
        district = _text(row, T["adm2"])
        if district and municipality.district.pcode != district.upper():
            error(T["adm2"], _("%(municipality)s is not in district %(district)s") % {
                "municipality": municipality, "district": district})
        plan.municipalities[municipality.pk] = municipality

    if _text(row, T["objectives"]) and objective_refs is not None:
        found, errors = objective_refs.cell(row[T["objectives"]])
        plan.objectives.update((o.pk, o) for o in found)
        for message in errors:
            error(T["objectives"], message)

    usd_text = _text(row, T["usd"])
    if usd_text:
        usd = decimal_of(usd_text)
        if usd is None or usd < 0:
            error(T["usd"], _("%(value)s is not an amount") % {"value": usd_text})
        else:
            plan.budget_usd = (plan.budget_usd or Decimal("0")) + usd


_INVALID = object()


def _orgs(row: dict[str, Any], role: str) -> list[OrgRef]:
    """The organisations of one role a row names: one per group of columns (name in English, in Arabic,
    identifier), or, in an older sheet, the names of the one ``#org+<role>`` cell, split at ";"."""
    names_en = _every(row, _tag(f"#org+{role}+name+i_en"))
    names_ar = _every(row, _tag(f"#org+{role}+name+i_ar"))
    codes = _every(row, _tag(f"#org+{role}+code"))
    orgs = []
    for i in range(max(len(names_en), len(names_ar), len(codes))):
        org = OrgRef(ref=codes[i] if i < len(codes) else "", name_en=names_en[i] if i < len(names_en) else "",
                     name_ar=names_ar[i] if i < len(names_ar) else "")
        if org.ref or org.name_en or org.name_ar:
            orgs.append(org)
    for cell in _every(row, _tag(f"#org+{role}")):
        orgs += [OrgRef(name_en=name) for name in filter(None, (n.strip() for n in cell.split(";")))]
    return orgs


def _partner(resolver: Resolver, org: OrgRef) -> Partner | None:
    """A name is looked up as a name, an identifier only when a ``+code`` column gives it. An older sheet's
    name cell that holds an identifier instead ("XM-DAC-41114") is read as one when no name matches."""
    found = resolver.partner(org, create=False)
    if found is None and not org.ref and usable_org_ref(org.name_en):
        found = resolver.partner(OrgRef(ref=org.name_en), create=False)
    return found


def _people(row: dict[str, Any], error: Callable[[str, str], None]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for tag, field_name in PEOPLE_TAGS.items():
        if tag not in row:
            continue
        value = _project_value(field_name, row[tag], {})
        if value is _INVALID:
            error(tag, _("%(value)s is not a valid %(field)s") % {"value": row[tag], "field": field_name.replace("_", " ")})
            continue
        out[field_name] = value
    return out


def _project_value(field_name: str, raw: Any, status_labels: dict[str, int]) -> Any:
    if raw in (None, ""):
        return None
    if field_name in ("title_en", "title_ar"):
        return str(raw).strip()[:500]
    if field_name == "status":
        return status_labels.get(str(raw).strip().casefold(), _INVALID)
    if field_name in ("planned_start", "planned_end", "actual_start", "actual_end"):
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        return iso_date(str(raw)) if len(str(raw).strip()) == 10 and iso_date(str(raw)) else _INVALID
    number = decimal_of(str(raw))
    if number is None or number < 0 or number != number.to_integral_value():
        return _INVALID
    return int(number)


def _check_project(plan: PlannedProject, preview: SpreadsheetPreview) -> None:
    first = plan.rows[0]
    start, end = plan.values.get("planned_start"), plan.values.get("planned_end")
    if start and end and end < start:
        preview.errors.append(RowError(first, "#date+end", _("the end date comes before the start date")))
    start, end = plan.values.get("actual_start"), plan.values.get("actual_end")
    if start and end and end < start:
        preview.errors.append(RowError(first, "#date+end+actual", _("the end date comes before the start date")))
    given = [p for p in plan.sectors.values() if p is not None]
    if given:
        if len(given) != len(plan.sectors):
            preview.errors.append(RowError(first, T["sector_pct"], _("give a percentage for every sector, or for none")))
        else:
            try:
                validate_sector_split(given)
            except ValidationError as exc:
                preview.errors.append(RowError(first, T["sector_pct"], "; ".join(exc.messages)))


# --- writing --------------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Raised to undo a dry run."""


def spreadsheet_import(*, data: bytes, name: str = "", user: AbstractBaseUser | None = None,
                       state: str = ReviewState.ACCEPTED, only_partner: Partner | None = None,
                       submitted_by: AbstractBaseUser | None = None, dry_run: bool = False,
                       progress: Progress | None = None) -> SpreadsheetPreview:
    """Validate, then save every project of the sheet in one transaction; refused whole when a row is wrong."""
    preview = spreadsheet_preview(data=data, name=name, only_partner=only_partner, progress=progress)
    if not preview.ok:
        raise SpreadsheetError("\n".join(preview.lines()))
    return spreadsheet_save(preview, user=user, state=state, submitted_by=submitted_by, dry_run=dry_run,
                            progress=progress)


def spreadsheet_save(preview: SpreadsheetPreview, *, user: AbstractBaseUser | None = None,
                     state: str = ReviewState.ACCEPTED, submitted_by: AbstractBaseUser | None = None,
                     dry_run: bool = False, progress: Progress | None = None) -> SpreadsheetPreview:
    """Save the projects of a preview without errors, all in one transaction (rolled back for a dry run, which
    still tells, through each plan's ``changed``, what an import would change).

    ``submitted_by``: a focal point's import goes to the ministry's review: new projects are submitted,
    and a changed accepted project is submitted again (as an edit in the form would)."""
    if not preview.ok:
        raise SpreadsheetError("\n".join(preview.lines()))
    total, done = 2 * preview.rows, preview.rows
    try:
        with transaction.atomic():
            for plan in preview.projects:
                _save(plan, user, state, submitted_by)
                done += len(plan.rows)
                if progress is not None:
                    progress(min(done, total), total)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except ValidationError as exc:
        raise SpreadsheetError(_("Nothing was saved: %(errors)s") % {"errors": "; ".join(exc.messages)}) from exc
    preview.saved = not dry_run
    return preview


def _save(plan: PlannedProject, user: AbstractBaseUser | None, state: str,
          submitted_by: AbstractBaseUser | None = None) -> None:
    project = plan.project
    created = project is None
    if created:
        project = Project(reporting_partner=plan.reporting_partner, iati_identifier=plan.identifier or None,
                          state=ReviewState.SUBMITTED if submitted_by is not None else state, currency="USD")
        if submitted_by is not None:
            project.submitted_by, project.submitted_at = submitted_by, timezone.now()
    values = {name: value for name, value in plan.values.items()
              if value is not None or name not in ("title_en", "title_ar", "status")}
    if plan.budget_usd is not None and (created or project.currency == "USD"):
        values["budget"] = plan.budget_usd.quantize(Decimal("0.01"))
    fields_changed = [name for name, value in values.items() if getattr(project, name) != value]
    for name in fields_changed:
        setattr(project, name, values[name])
    changed: set[str] = set()
    if created:
        project_save(project=project, user=user)

    for role, partners, tag in ((4, plan.implementers, T["impl"]), (1, plan.funders, T["funder"])):
        if tag not in plan.seen:
            continue
        current = set(project.participations.filter(role=role).values_list("partner_id", flat=True))
        if current != set(partners):
            project.participations.filter(role=role).exclude(partner_id__in=partners).delete()
            Participation.objects.bulk_create(Participation(project=project, partner_id=pid, role=role)
                                              for pid in partners if pid not in current)
            changed |= RELATED_CATEGORIES[Participation]

    if plan.sectors:
        equal = (Decimal("100") / len(plan.sectors)).quantize(Decimal("0.01"))
        wanted = {sid: (pct if pct is not None else equal).quantize(Decimal("0.01")) for sid, pct in plan.sectors.items()}
        if dict(project.sector_shares.values_list("sector_id", "percentage")) != wanted:
            project.sector_shares.all().delete()
            ProjectSector.objects.bulk_create(ProjectSector(project=project, sector_id=sid, percentage=pct)
                                              for sid, pct in wanted.items())
            changed |= RELATED_CATEGORIES[ProjectSector]

    if plan.municipalities:
        current = set(project.locations.values_list("municipality_id", flat=True))
        if current != set(plan.municipalities):
            project.locations.exclude(municipality_id__in=plan.municipalities).delete()
            ProjectLocation.objects.bulk_create(ProjectLocation(project=project, municipality_id=mid)
                                                for mid in plan.municipalities if mid not in current)
            changed |= RELATED_CATEGORIES[ProjectLocation]
    declared = set(project.plan_objectives.values_list("pk", flat=True)) if plan.objectives else set()
    new_objectives = [o for pk, o in plan.objectives.items() if pk not in declared]
    if new_objectives:  # declared, never taken away here: dropping an objective is a decision on the project
        project_plan_objectives_change(project=project, add=new_objectives, user=user)
        changed.add(OBJECTIVES)
    if not created and (fields_changed or changed):
        if submitted_by is not None and project.state == ReviewState.ACCEPTED:
            project.state = ReviewState.SUBMITTED
            project.submitted_by, project.submitted_at = submitted_by, timezone.now()
        project_save(project=project, user=user, also_changed=changed)
        plan.changed = True
    plan.changed = plan.changed or created
