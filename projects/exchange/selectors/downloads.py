"""The files the exchange pages and API hand out, within the user's scope (``selectors.export_scope``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projects.exchange.selectors.iati_export import ExportResult, export_queryset, iati_export
from projects.exchange.selectors.threew import threew_csv, threew_queryset, threew_xlsx
from projects.exchange.selectors.visibility import exportable_projects
from projects.selectors.projects import project_filter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Download:
    content: bytes
    content_type: str
    filename: str


def threew_template() -> Download:
    """The empty 3W sheet: labels in English and Arabic and the HXL hashtag row, to fill in and upload."""
    return Download(threew_xlsx([]), XLSX, "tansiq-3w-template.xlsx")


def threew_download(user: Any, fmt: str, filters: dict[str, Any] | None = None) -> Download:
    """The 3W sheet of what ``user`` may export, narrowed by the project list's ``filters`` when given."""
    projects = exportable_projects(user, threew_queryset(all_states=True))
    if filters:
        projects = project_filter(projects, user=user, filters=filters)
    if fmt == "xlsx":
        return Download(threew_xlsx(projects), XLSX, "tansiq-3w.xlsx")
    # Excel opens Arabic UTF-8 text only with the byte-order mark
    return Download(threew_csv(projects).encode("utf-8-sig"), "text/csv; charset=utf-8", "tansiq-3w.csv")


def iati_download(user: Any, partner_ref: str | None = None) -> ExportResult:
    return iati_export(exportable_projects(user, export_queryset(partner_ref=partner_ref or None, all_states=True)))
