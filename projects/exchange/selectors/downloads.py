"""The files the exchange pages and API hand out, within the user's scope (``visibility.exportable_projects``).

An export is described by its parameters — the format, the project list's filters (as the user typed
them), the IATI partner, and whether a focal point asked for everything they may see rather than
their own partner's projects — so that the page, the API and a background job read the very same
projects through the same rule. Small exports are written in the request (the CSV streamed row by
row, the XLSX through a temporary file); above ``TANSIQ_EXPORT_BACKGROUND_PROJECTS`` projects they
are a job's work (``services.exports``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet

from projects.exchange.selectors.export_writers import CONTENT_TYPES, FILENAMES, WRITERS
from projects.exchange.selectors.iati_export import ExportResult, export_queryset, iati_export
from projects.exchange.selectors.threew import threew_csv_chunks, threew_queryset, threew_xlsx
from projects.exchange.selectors.visibility import exportable_projects
from projects.models import Project
from projects.permissions import user_partner_id
from projects.selectors.projects import project_filter

XLSX = CONTENT_TYPES["xlsx"]
FORMATS = ("csv", "xlsx", "iati")


@dataclass
class Download:
    content: bytes
    content_type: str
    filename: str


@dataclass
class ExportRequest:
    """What to export: ``filters`` are the project list's, as given (strings), cleaned where they are used."""

    format: str
    filters: dict[str, str] = field(default_factory=dict)
    everything: bool = False
    partner: str = ""

    def as_parameters(self) -> dict[str, Any]:
        return {"filters": self.filters, "everything": self.everything, "partner": self.partner}

    @classmethod
    def from_parameters(cls, fmt: str, parameters: Mapping[str, Any]) -> ExportRequest:
        return cls(format=fmt, filters=dict(parameters.get("filters") or {}),
                   everything=bool(parameters.get("everything")), partner=str(parameters.get("partner") or ""))

    def describe(self) -> str:
        """For the security log: which file, with which filters."""
        parts = [f"partner={self.partner or '*'}"] if self.format == "iati" else [f"format={self.format}"]
        parts += [f"{name}={value}" for name, value in sorted(self.filters.items())]
        return "; ".join(parts + (["scope=all"] if self.everything else []))


def export_request(fmt: str, data: Mapping[str, Any]) -> ExportRequest:
    """An export request from a query string: ``scope=all`` asks for everything the user may see."""
    from projects.forms import ProjectFilterForm

    # IATI's ``partner`` is an organisation identifier, not the list's filter: the IATI file takes no list filters.
    names = set() if fmt == "iati" else set(ProjectFilterForm.base_fields) - {"scope", "sort"}
    filters = {name: str(data.get(name)) for name in sorted(names) if data.get(name) not in (None, "")}
    return ExportRequest(format=fmt, filters=filters, everything=data.get("scope") == "all",
                         partner=str(data.get("partner") or "") if fmt == "iati" else "")


def _cleaned_filters(user: Any, filters: dict[str, str]) -> dict[str, Any]:
    """The project list's filters, cleaned by its own form (invalid ones are left out, as on the list)."""
    from projects.forms import ProjectFilterForm

    form = ProjectFilterForm(filters, focal_point=user_partner_id(user) is not None)
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "") and name in filters}


def export_projects(user: Any, request: ExportRequest) -> QuerySet[Project]:
    """The projects an export holds, for ``user``: the one rule of ``exportable_projects``, then the filters."""
    if request.format == "iati":
        base = export_queryset(partner_ref=request.partner or None, all_states=True)
    else:
        base = threew_queryset(all_states=True)
    projects = exportable_projects(user, base, everything=request.everything)
    filters = _cleaned_filters(user, request.filters) if request.filters else {}
    return project_filter(projects, user=user, filters=filters) if filters else projects


def export_is_large(projects: QuerySet[Project]) -> bool:
    """Whether an export is a background job's work (one COUNT query)."""
    return projects.order_by().count() > settings.TANSIQ_EXPORT_BACKGROUND_PROJECTS


def threew_template() -> Download:
    """The empty 3W sheet: labels in English and Arabic and the HXL hashtag row, to fill in and upload."""
    return Download(threew_xlsx([]), XLSX, "tansiq-3w-template.xlsx")


def threew_csv_bytes(projects: QuerySet[Project]) -> Iterator[bytes]:
    """The 3W CSV as UTF-8 pieces, with the byte-order mark Excel needs to open Arabic text."""
    yield "\ufeff".encode()
    for chunk in threew_csv_chunks(projects):
        yield chunk.encode("utf-8")


def export_to_temporary_file(projects: QuerySet[Project], fmt: str) -> IO[bytes]:
    """The export written by its format's writer into a temporary file, rewound (removed once closed)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        WRITERS[fmt](projects, handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


def export_filename(fmt: str) -> str:
    return FILENAMES[fmt]


def iati_download(user: Any, request: ExportRequest) -> ExportResult:
    return iati_export(export_projects(user, request))
