"""Import of development plans and their objectives from CSV (UTF-8), XLSX or JSON, all or nothing.

A table (CSV, or the first sheet of a workbook) has one row per objective, the plan's columns repeated
on each of its rows (case, spaces and hyphens in headers do not matter):

plan_code, plan_level (national / sector / municipal), plan_municipality (p-code or key, municipal
plans), plan_sector (sector code or DAC code, sector plans), plan_title_ar, plan_title_en, owner_body,
start_year, end_year, plan_status (approved / draft), source, uri, is_demo (yes / no);
objective_code, parent_code (a sub-objective's parent in the same plan), title_ar, title_en,
description_ar, description_en, sectors, sdg_targets, municipalities (each a list separated by ``;``),
cost_estimate, currency, priority_rank, indicators (``name | baseline | target`` separated by ``;``).

JSON is ``{"plans": [{"code": ..., "level": ..., ..., "objectives": [{"code": ..., ...}]}]}`` with the
same names (without the ``plan_`` prefix; lists as lists, indicators as objects with name, baseline,
target).

Every row is checked first; any error (row, column, message in the reader's language) means nothing is
written. A plan is keyed by its code, an objective by its plan and code: what exists is updated, what
has the same values is left untouched, so importing the same file twice changes nothing. Objectives of
a plan that the file does not list are kept.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from municipalities.needs_import import RowError
from municipalities.tabular import TableFileError, file_bytes, fmt_lazy, header_key, is_xlsx, table_rows

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
LEVELS = ("national", "sector", "municipal")
STATUSES = ("approved", "draft")
PLAN_COLUMNS = {"plan_code": "code", "plan_level": "level", "plan_municipality": "municipality",
                "plan_sector": "sector", "plan_title_ar": "title_ar", "plan_title_en": "title_en",
                "owner_body": "owner_body", "start_year": "start_year", "end_year": "end_year",
                "plan_status": "status", "source": "source", "uri": "uri", "is_demo": "is_demo"}
OBJECTIVE_COLUMNS = {"objective_code": "code", "parent_code": "parent", "title_ar": "title_ar", "title_en": "title_en",
                     "description_ar": "description_ar", "description_en": "description_en", "sectors": "sectors",
                     "sdg_targets": "sdg_targets", "municipalities": "municipalities",
                     "cost_estimate": "cost_estimate", "currency": "currency", "priority_rank": "priority_rank",
                     "indicators": "indicators"}
REQUIRED_COLUMNS = ("plan_code", "plan_level", "plan_title_ar", "start_year", "end_year", "plan_status",
                    "objective_code", "title_ar")
_SDG = re.compile(r"^(\d{1,2})(\.[0-9a-z]{1,2})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TRUE, _FALSE = {"yes", "true", "1", "نعم"}, {"no", "false", "0", "", "لا"}


class PlansImportError(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass
class PlansImportReport:
    plans: int = 0
    objectives: int = 0
    created: int = 0  # plans and objectives
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    plan_ids: list[int] = field(default_factory=list)


def _file_error(message: str | Promise) -> PlansImportError:
    return PlansImportError([RowError(None, "", message)])


# --- reading: rows of (row number, plan fields, objective fields) -------------------------------

def _json_rows(data: bytes) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _file_error(_("The JSON cannot be read.")) from None
    plans = doc.get("plans") if isinstance(doc, dict) else None
    if not isinstance(plans, list):
        raise _file_error(_("The JSON must hold a list of plans under \"plans\"."))
    out = []
    number = 0
    for plan in plans:
        if not isinstance(plan, dict) or not isinstance(plan.get("objectives", []), list):
            raise _file_error(_("Each plan must be an object with a list of objectives."))
        fields = {k: v for k, v in plan.items() if k != "objectives"}
        for objective in plan.get("objectives", []):
            number += 1
            if not isinstance(objective, dict):
                raise _file_error(_("Each objective must be an object."))
            out.append((number, fields, objective))
    return out


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value or "").replace("|", ";").replace("،", ";").split(";") if p.strip()]


def _indicators_from_text(value: Any) -> list[dict[str, str]]:
    if isinstance(value, list):
        return value
    out = []
    for item in str(value or "").split(";"):
        if not item.strip():
            continue
        parts = [p.strip() for p in item.split("|")]
        parts += [""] * (3 - len(parts))
        out.append({"name": parts[0], "baseline": parts[1], "target": parts[2]})
    return out


def _table_rows(data: bytes) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    try:
        rows = list(table_rows(data))
    except TableFileError as exc:
        raise _file_error(exc.message) from None
    if not rows:
        raise _file_error(_("The file is empty."))
    header = [header_key(c) for c in rows[0][1]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise PlansImportError([RowError(1, ", ".join(missing), _("Required column missing."))])
    if len(rows) - 1 > MAX_ROWS:
        raise _file_error(fmt_lazy(_("The file has more than %(max)s rows; split it."), {"max": MAX_ROWS}))
    out = []
    for number, cells in rows[1:]:
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        by = {header[i]: c for i, c in enumerate(cells) if i < len(header)}
        plan = {name: by.get(col) for col, name in PLAN_COLUMNS.items() if col in by}
        objective = {name: by.get(col) for col, name in OBJECTIVE_COLUMNS.items() if col in by}
        for name in ("sectors", "sdg_targets", "municipalities"):
            if name in objective:
                objective[name] = _split(objective[name])
        if "indicators" in objective:
            objective["indicators"] = _indicators_from_text(objective["indicators"])
        out.append((number, plan, objective))
    return out


# --- checking ------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Checker:
    def __init__(self) -> None:
        from municipalities.models import DacSector, Municipality, Sector

        self.munis: dict[str, int] = {}
        for m_id, pcode, slug in Municipality.objects.values_list("id", "pcode", "slug"):
            self.munis[slug.lower()] = m_id
            if pcode:
                self.munis[pcode.lower()] = m_id
        self.sectors = {code.lower(): s_id for s_id, code in Sector.objects.values_list("id", "code")}
        self.sectors.update({code: s_id for code, s_id in DacSector.objects.values_list("code", "sector_id")})
        self.errors: list[RowError] = []

    def error(self, row: int, column: str, message: str | Promise) -> None:
        self.errors.append(RowError(row, column, message))

    def text(self, row: int, column: str, value: Any, *, limit: int, required: bool = False) -> str:
        text = _text(value)
        if required and not text:
            self.error(row, column, _("This value is required."))
        elif len(text) > limit:
            self.error(row, column, fmt_lazy(_("Keep it under %(limit)s characters."), {"limit": limit}))
        return text[:limit]

    def whole(self, row: int, column: str, value: Any, *, lo: int, hi: int, required: bool = False) -> int | None:
        text = _text(value)
        if not text:
            if required:
                self.error(row, column, _("This value is required."))
            return None
        if not text.isdigit() or not lo <= int(text) <= hi:
            self.error(row, column, fmt_lazy(_("Give a whole number from %(lo)s to %(hi)s."), {"lo": lo, "hi": hi}))
            return None
        return int(text)

    def choice(self, row: int, column: str, value: Any, choices: tuple[str, ...]) -> str:
        text = _text(value).lower()
        if text not in choices:
            self.error(row, column, fmt_lazy(_("Choose one of: %(choices)s."), {"choices": ", ".join(choices)}))
        return text

    def municipality(self, row: int, column: str, value: Any) -> int | None:
        text = _text(value)
        found = self.munis.get(text.lower())
        if text and found is None:
            self.error(row, column, fmt_lazy(_("No municipality has the p-code or key %(value)r."), {"value": text}))
        return found

    def sector(self, row: int, column: str, value: Any) -> int | None:
        text = _text(value)
        found = self.sectors.get(text.lower())
        if text and found is None:
            self.error(row, column, fmt_lazy(_("No sector has the code %(value)r."), {"value": text}))
        return found

    def plan(self, row: int, raw: dict[str, Any]) -> dict[str, Any]:
        p = {
            "code": self.text(row, "plan_code", raw.get("code"), limit=60, required=True),
            "level": self.choice(row, "plan_level", raw.get("level"), LEVELS),
            "title_ar": self.text(row, "plan_title_ar", raw.get("title_ar"), limit=300, required=True),
            "title_en": self.text(row, "plan_title_en", raw.get("title_en"), limit=300),
            "owner_body": self.text(row, "owner_body", raw.get("owner_body"), limit=300),
            "start_year": self.whole(row, "start_year", raw.get("start_year"), lo=1990, hi=2100, required=True),
            "end_year": self.whole(row, "end_year", raw.get("end_year"), lo=1990, hi=2100, required=True),
            "status": self.choice(row, "plan_status", raw.get("status"), STATUSES),
            "source": self.text(row, "source", raw.get("source"), limit=300),
            "uri": self.text(row, "uri", raw.get("uri"), limit=500),
            "municipality_id": self.municipality(row, "plan_municipality", raw.get("municipality")),
            "sector_id": self.sector(row, "plan_sector", raw.get("sector")),
        }
        demo = _text(raw.get("is_demo")).lower() if not isinstance(raw.get("is_demo"), bool) else raw["is_demo"]
        if isinstance(demo, str) and demo not in _TRUE | _FALSE:
            self.error(row, "is_demo", _("Write yes or no."))
        p["is_demo"] = demo if isinstance(demo, bool) else demo in _TRUE
        if p["uri"]:
            try:
                URLValidator()(p["uri"])
            except ValidationError:
                self.error(row, "uri", _("Give a full web address (https://…)."))
        if p["start_year"] and p["end_year"] and p["end_year"] < p["start_year"]:
            self.error(row, "end_year", _("The last year cannot come before the first."))
        if p["level"] == "municipal" and not p["municipality_id"] and not _text(raw.get("municipality")):
            self.error(row, "plan_municipality", _("A municipal plan needs its municipality."))
        if p["level"] in ("national", "sector") and _text(raw.get("municipality")):
            self.error(row, "plan_municipality", _("Only a municipal plan belongs to a municipality."))
        return p

    def objective(self, row: int, raw: dict[str, Any]) -> dict[str, Any]:
        o = {
            "code": self.text(row, "objective_code", raw.get("code"), limit=30, required=True),
            "parent": self.text(row, "parent_code", raw.get("parent"), limit=30),
            "title_ar": self.text(row, "title_ar", raw.get("title_ar"), limit=300, required=True),
            "title_en": self.text(row, "title_en", raw.get("title_en"), limit=300),
            "description_ar": self.text(row, "description_ar", raw.get("description_ar"), limit=5000),
            "description_en": self.text(row, "description_en", raw.get("description_en"), limit=5000),
            "priority_rank": self.whole(row, "priority_rank", raw.get("priority_rank"), lo=1, hi=999),
            "currency": (_text(raw.get("currency")) or "LYD").upper(),
        }
        if not _CURRENCY.match(o["currency"]):
            self.error(row, "currency", _("A currency is three capital letters."))
        cost = _text(raw.get("cost_estimate")).replace(",", "")
        try:
            o["cost_estimate"] = Decimal(cost).quantize(Decimal("0.01")) if cost else None
            if o["cost_estimate"] is not None and not 0 <= o["cost_estimate"] < Decimal("1e14"):
                raise InvalidOperation
        except InvalidOperation:
            self.error(row, "cost_estimate", _("Give the cost as a number of at least 0."))
            o["cost_estimate"] = None
        o["sector_ids"] = [s for s in (self.sector(row, "sectors", v) for v in _split(raw.get("sectors"))) if s]
        o["municipality_ids"] = [m for m in (self.municipality(row, "municipalities", v)
                                             for v in _split(raw.get("municipalities"))) if m]
        o["sdg_targets"] = []
        for target in _split(raw.get("sdg_targets")):
            match = _SDG.match(target.lower().replace("sdg", "").strip())
            if not match or not 1 <= int(match.group(1)) <= 17:
                self.error(row, "sdg_targets", fmt_lazy(_("%(value)r is not an SDG goal or target (e.g. 6.1)."),
                                                        {"value": target}))
            else:
                o["sdg_targets"].append(match.group(0))
        o["indicators"] = self.indicators(row, raw.get("indicators"))
        return o

    def indicators(self, row: int, value: Any) -> list[dict[str, str]]:
        items = value if isinstance(value, list) else _indicators_from_text(value)
        out = []
        for item in items:
            if not isinstance(item, dict) or not _text(item.get("name")):
                self.error(row, "indicators", _("Each indicator needs its name."))
                continue
            out.append({k: _text(item.get(k))[:300] for k in ("name", "baseline", "target")})
        return out


def plans_parse(data: bytes, *, name: str = "") -> list[tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]]:
    """Check a whole file: the plans with their objectives (row numbers kept), or PlansImportError."""
    if len(data) > MAX_BYTES:
        raise _file_error(_("The file is larger than 10 MB."))
    if not data.strip():
        raise _file_error(_("The file is empty."))
    looks_json = name.lower().endswith(".json") or (not is_xlsx(data) and data.lstrip()[:1] in (b"{", b"["))
    rows = _json_rows(data) if looks_json else _table_rows(data)
    if not rows:
        raise _file_error(_("The file has no objectives."))
    check = _Checker()
    plans: dict[str, tuple[int, dict[str, Any], list[tuple[int, dict[str, Any]]]]] = {}
    for number, raw_plan, raw_objective in rows:
        plan = check.plan(number, raw_plan)
        objective = check.objective(number, raw_objective)
        held = plans.get(plan["code"])
        if held is None:
            plans[plan["code"]] = (number, plan, [(number, objective)])
            continue
        first, known, objectives = held
        differ = sorted(k for k in plan if plan[k] != known[k])
        if differ:
            check.error(number, ", ".join(differ), fmt_lazy(_("The plan's columns differ from row %(row)s."),
                                                           {"row": first}))
        if any(o["code"] == objective["code"] for _n, o in objectives):
            check.error(number, "objective_code", _("This objective code is already used in the plan."))
        objectives.append((number, objective))
    for _first, _plan, objectives in plans.values():
        codes = {o["code"] for _n, o in objectives}
        parent_of = {o["code"]: o["parent"] for _n, o in objectives}
        for number, o in objectives:
            if o["parent"] and (o["parent"] not in codes or o["parent"] == o["code"]):
                check.error(number, "parent_code", _("The parent objective is not in this plan."))
                continue
            seen, step = {o["code"]}, o["parent"]
            while step and step in parent_of:
                if step in seen:
                    check.error(number, "parent_code", _("The parent objectives go round in a circle."))
                    break
                seen.add(step)
                step = parent_of[step]
    if check.errors:
        raise PlansImportError(check.errors)
    return [(plan, objectives) for _first, plan, objectives in plans.values()]


def plans_import(*, path: str | Path | None = None, data: bytes | None = None, name: str = "",
                 dry_run: bool = False, user: AbstractBaseUser | None = None) -> PlansImportReport:
    """Check every row of a plans file and, if all are good, write them in one transaction."""
    from municipalities.plan_services import plans_write

    if data is None:
        if path is None:
            raise ValueError("Give a path or the file's bytes.")
        try:
            data = file_bytes(path, max_bytes=MAX_BYTES, too_large=_("The file is larger than 10 MB."))
        except TableFileError as exc:
            raise _file_error(exc.message) from None
        name = name or str(path)
    parsed = plans_parse(data, name=name)
    report = PlansImportReport(plans=len(parsed), objectives=sum(len(o) for _p, o in parsed), dry_run=dry_run)
    return plans_write(parsed=parsed, report=report, dry_run=dry_run, user=user)
