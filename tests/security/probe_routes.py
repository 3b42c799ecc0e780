"""The probe's map of the URL configuration: every route, with what each of its path parameters names.

``routes_enumerate`` walks ``django.urls.get_resolver()`` (run by ``probe_oracle`` under the probe's own
production settings) and returns each pattern as a template ("projects/{pk}/edit/") with its converters.
``route_classify`` says, from the tables below, what kind of record each parameter takes ("project",
"update", "attachment", ...), so the probe can fill it with the other partner's ids; a route whose
parameters no rule covers is returned as unclassified and makes the probe fail, naming the route: a
new route cannot go unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# --- what each path parameter names --------------------------------------------------------------
# First match wins. "attachment.update" is the update an attachment belongs to (the route takes both).
PARAM_RULES: list[tuple[str, dict[str, str]]] = [
    # HTML pages
    (r"^projects/updates/\{pk\}/", {"pk": "update"}),
    (r"^projects/\{pk\}/", {"pk": "project"}),
    (r"^reporting/updates/\{pk\}/attachments/\{attachment_pk\}/", {"pk": "attachment.update",
                                                                   "attachment_pk": "attachment"}),
    (r"^reporting/updates/\{pk\}/attachments/$", {"pk": "update"}),
    (r"^reporting/scorecards/\{partner_id\}/$", {"partner_id": "partner"}),
    (r"^exchange/jobs/\{pk\}/", {"pk": "import_job"}),
    (r"^exchange/exports/\{pk\}/", {"pk": "export_job"}),
    (r"^coordination/duplicates/\{pk\}/", {"pk": "duplicate_flag"}),
    (r"^coordination/gaps/\{pk\}/", {"pk": "gap_flag"}),
    (r"^coordination/delays/\{pk\}/", {"pk": "delay_flag"}),
    (r"^coordination/reports/\{pk\}/", {"pk": "report_job"}),
    (r"^coordination/plans/\{pk\}/", {"pk": "plan"}),
    (r"^coordination/alignment/flags/\{pk\}/", {"pk": "alignment_flag"}),
    (r"^coordination/projects/\{pk\}/", {"pk": "project"}),
    (r"^municipalities/\{slug\}/", {"slug": "municipality_slug"}),
    (r"^partners/\{pk\}/", {"pk": "partner"}),
    (r"^meetings/actions/\{action_pk\}/", {"action_pk": "meeting_action"}),
    (r"^meetings/\{pk\}/attendees/\{attendee_pk\}/", {"pk": "meeting", "attendee_pk": "meeting_attendee"}),
    (r"^meetings/\{pk\}/agenda/\{item_pk\}/", {"pk": "meeting", "item_pk": "meeting_agenda_item"}),
    (r"^meetings/\{pk\}/", {"pk": "meeting"}),
    # REST API
    (r"^api/v1/updates/\{update_pk\}/attachments/\{pk\}/", {"update_pk": "attachment.update", "pk": "attachment"}),
    (r"^api/v1/updates/\{update_pk\}/attachments/$", {"update_pk": "update"}),
    (r"^api/v1/projects/\{pk\}/", {"pk": "project"}),
    (r"^api/v1/updates/\{pk\}/", {"pk": "update"}),
    (r"^api/v1/partners/\{pk\}/", {"pk": "partner"}),
    (r"^api/v1/imports/\{pk\}/", {"pk": "import_job"}),
    (r"^api/v1/exports/jobs/\{pk\}/", {"pk": "export_job"}),
    (r"^api/v1/duplicates/\{pk\}/", {"pk": "duplicate_flag"}),
    (r"^api/v1/gaps/flags/\{pk\}/", {"pk": "gap_flag"}),
    (r"^api/v1/delays/\{pk\}/", {"pk": "delay_flag"}),
    (r"^api/v1/plans/\{pk\}/", {"pk": "plan"}),
    (r"^api/v1/alignment/flags/\{pk\}/", {"pk": "alignment_flag"}),
    (r"^api/v1/municipalities/\{pk\}/$", {"pk": "municipality"}),
    (r"^api/v1/sectors/\{pk\}/$", {"pk": "sector"}),
    (r"^api/v1/meetings/\{pk\}/", {"pk": "meeting"}),
    (r"^api/v1/meeting-agenda-items/\{pk\}/", {"pk": "meeting_agenda_item"}),
    (r"^api/v1/meeting-decisions/\{pk\}/", {"pk": "meeting_decision"}),
    (r"^api/v1/meeting-actions/\{pk\}/", {"pk": "meeting_action"}),
    # Development allocations: no partner's data; the ministry reads all, a municipality account its own.
    (r"^api/v1/allocations/\{pk\}/$", {"pk": "staff_only"}),
    # The gazetteer's report of unresolved place names: the ministry's reference data, no partner's record.
    (r"^municipalities/places/unresolved/\{pk\}/", {"pk": "staff_only"}),
    # The admin site (staff only): its own routes, filled with something plausible.
    (r"^admin/auth/user/\{id\}/password/$", {"id": "staff_only"}),
    (r"^admin/r/\{content_type_id\}/\{object_id\}/$", {"content_type_id": "staff_only", "object_id": "staff_only"}),
    (r"^admin/otp_totp/totpdevice/\{pk\}/(config|qrcode)/$", {"pk": "staff_only"}),  # django-otp's admin views
    (r"^admin/\{app_label\}/$", {"app_label": "admin_app_label"}),
    (r"^admin/\{url\}$", {"url": "admin_catch_all"}),
]
# admin/<app>/<model>/{object_id}/...: the object's kind from its model; other models are staff-only rows.
ADMIN_MODEL_KINDS = {
    "project": "project", "projectupdate": "update", "updateattachment": "attachment", "importjob": "import_job",
    "reportjob": "report_job",
    "duplicateflag": "duplicate_flag", "gapflag": "gap_flag", "delayflag": "delay_flag", "partner": "partner",
}
ADMIN_OBJECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/\{object_id\}/")

# --- routes that are not partner data (one small table) ------------------------------------------
# account: the actor's own sign-in, language and token: read, but never written to by the probe (a write
# would end the actor's own session or token, not touch anyone else's data). staff: the admin site.
NOT_PARTNER_DATA: dict[str, str] = {
    "login": "account", "logout": "account", "set_language": "account", "api_token": "account",
    "api:auth-token": "account", "healthz": "public health check", "api-schema": "API description",
    "api-docs": "API description", "exchange_template": "the empty 3W template",
    "admin:login": "account", "admin:logout": "account",
}
STAFF_PREFIX = "admin/"


@dataclass
class Route:
    template: str  # "projects/{pk}/edit/"
    name: str | None  # "project_edit", "api:project-detail", None for unnamed
    params: dict[str, str] = field(default_factory=dict)  # parameter -> converter
    kinds: dict[str, str] = field(default_factory=dict)  # parameter -> kind of record (after classify)

    @property
    def key(self) -> str:
        return self.template

    @property
    def api(self) -> bool:
        return self.template.startswith("api/v1/")

    @property
    def staff(self) -> bool:
        return self.template.startswith(STAFF_PREFIX)

    @property
    def role(self) -> str:
        """"partner-data", or why the route is not (NOT_PARTNER_DATA, staff)."""
        if self.name in NOT_PARTNER_DATA:
            return NOT_PARTNER_DATA[self.name]
        return "staff" if self.staff else "partner-data"

    def as_dict(self) -> dict[str, Any]:
        return {"template": self.template, "name": self.name, "params": self.params}


# --- enumeration -----------------------------------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")


def _regex_template(regex: str) -> tuple[str, dict[str, str]]:
    """A regex route ("^projects/(?P<pk>[^/.]+)/$") as a template and its groups, nested parentheses included."""
    text = regex.lstrip("^")
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1]
    out, params, i = [], {}, 0
    while i < len(text):
        if text.startswith("(?P<", i):
            name_end = text.index(">", i)
            name = text[i + 4:name_end]
            depth, j = 1, name_end + 1
            while depth:
                if text[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            params[name] = "regex:" + text[name_end + 1:j - 1]
            out.append("{" + name + "}")
            i = j
        elif text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out), params


def _pattern_template(pattern: Any) -> tuple[str, dict[str, str]]:
    from django.urls.resolvers import RegexPattern, RoutePattern

    if isinstance(pattern, RoutePattern):
        raw = str(pattern)
        params = {m["name"]: m["conv"] or "str" for m in _ROUTE_PARAM.finditer(raw)}
        return _ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", raw), params
    if isinstance(pattern, RegexPattern):
        return _regex_template(str(pattern))
    return str(pattern), {}


def routes_enumerate() -> list[Route]:
    """Every route of the URL configuration, depth first, as the resolver holds them."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[Route] = []

    def walk(resolver: Any, prefix: str, params: dict[str, str], namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            template, own = _pattern_template(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = entry.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                walk(entry, prefix + template, {**params, **own}, ns)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                found.append(Route(template=prefix + template, name=name, params={**params, **own}))

    walk(get_resolver(), "", {}, None)
    return found


# --- classification --------------------------------------------------------------------------------


def route_classify(route: Route) -> list[str]:
    """Fill ``route.kinds``; returns the parameters no rule covers (empty when the route is classified)."""
    if not route.params:
        return []
    match = ADMIN_OBJECT.match(route.template)
    if match and set(route.params) == {"object_id"}:
        route.kinds = {"object_id": ADMIN_MODEL_KINDS.get(match["model"], "staff_only")}
        return []
    for pattern, kinds in PARAM_RULES:
        if re.search(pattern, route.template):
            route.kinds = {name: kinds[name] for name in route.params if name in kinds}
            return sorted(set(route.params) - set(kinds))
    return sorted(route.params)


def route_fill(route: Route, values: dict[str, Any]) -> str:
    """The path of ``route`` with its parameters replaced by ``values`` (by parameter name)."""
    return "/" + re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), route.template)


def routes_from_dicts(rows: list[dict[str, Any]]) -> list[Route]:
    return [Route(template=r["template"], name=r["name"], params=dict(r["params"])) for r in rows]
