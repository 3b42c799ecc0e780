"""The probe's requests: every route, filled with the other partner's ids, for every actor and method.

* Reads: each route with parameters, once per target of the victim (its records by kind), by the attacker
  (the other partner's focal point), the owner, the ministry analyst (the controls) and anonymous; each
  route without parameters with the query variants below (filters, searches for a marker, exports in both
  formats), by the same four.
* Writes: each route with a plausible edit / submit / review / delete / commit / cancel of each target by
  the attacker and by anonymous: POST for pages, POST, PUT, PATCH and DELETE for the API.
* Twins: the gap check compares what an actor learns about the victim's "hidden" municipality (where only
  the victim's unaccepted projects are active) with an "empty" one (no project at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.security.probe_routes import Route, route_fill

PARTNERS = ("UNDP", "UNICEF")
FOCAL = {"UNDP": "undp_fp", "UNICEF": "unicef_fp"}
OTHER = {"UNDP": "UNICEF", "UNICEF": "UNDP"}
ANALYST, ANON = "ministry_analyst", "anonymous"
READERS = ("undp_fp", "unicef_fp", ANALYST, ANON)
HTML_WRITES = ("POST",)
API_WRITES = ("POST", "PUT", "PATCH", "DELETE")
EXPORT_WORDS = ("export", "3w", "iati")
# Pages that write: a POST by the attacker must be refused. The other pages only read (a POST to them is
# answered like a GET); every API route is held to the refusal.
WRITE_PAGES = {"project_create", "project_edit", "project_submit", "project_review", "update_create", "update_edit",
               "update_submit", "update_review", "update_attachments", "update_attachment_remove",
               "import_job_commit", "import_job_cancel", "duplicate_review", "gap_review", "delay_review",
               "exchange_home", "export_job_request",
               # the committee's meetings (coordination.views.meetings)
               "meeting_series_create", "meeting_create", "meeting_edit", "meeting_transition", "meeting_attendee_add",
               "meeting_attendee_remove", "meeting_decision_add", "meeting_action_add", "action_status",
               "meeting_agenda", "meeting_agenda_accept", "meeting_agenda_drop", "meeting_agenda_move", "meeting_report_send",
               "report_request",
               "alignment_flag_review", "project_objectives", "plan_upload", "government_upload",
               "unresolved_place_resolve", "import_job_recheck"}
# Uploads that make a job of the uploader's own (a file naming the victim is checked and found invalid):
# accepted, as long as nothing of the victim's changes.
OWN_SCOPE_CREATES = {"exchange_home", "api:import-list", "report_request", "export_job_request", "api:export-job-list"}


@dataclass
class Probe:
    route: Route
    method: str
    path: str
    actor: str
    victim: str | None  # whose records fill the path (None: a route without parameters, for everyone)
    label: str
    twin: tuple[str, str] | None = None  # (pairing, "hidden" | "empty")
    body: dict[str, Any] = field(default_factory=dict)  # keyword arguments of Actor.request

    @property
    def query(self) -> str:
        return self.path.partition("?")[2]


def targets(world: dict[str, Any], victim: str, kind: str) -> list[tuple[str, Any, str | None]]:
    """(label, value, twin side) for a parameter of ``kind``, from ``victim``'s records."""
    ids, ministry = world["ids"][victim], world["ids"]["ministry"]
    if kind == "project":
        return [(k, ids[k], None) for k in ("project_accepted", "project_draft", "project_submitted",
                                            "project_returned", "project_moved") if k in ids]
    if kind == "update":
        return [(k, ids[k], None) for k in ("update_accepted", "update_draft", "update_submitted", "update_returned",
                                            "update_moved") if k in ids]
    if kind == "attachment":
        return [(k, ids[k], None) for k in ("attachment_public", "attachment_draft", "attachment_moved") if k in ids]
    if kind == "import_job":
        return [(k, ids[k], None) for k in ("import_job_checked", "import_job_invalid")]
    if kind == "partner":
        return [("partner", ids["partner"], None)]
    if kind == "report_job":
        return [("report_job", ids["report_job"], None)]
    if kind == "export_job":
        return [("export_job", ids["export_job"], None)]
    if kind == "duplicate_flag":
        return [(f"duplicate_flag:{pk}", pk, None) for pk in ids["duplicate_flags"]]
    if kind == "delay_flag":
        return [(f"delay_flag:{pk}", pk, None) for pk in ids["delay_flags"]]
    if kind == "gap_flag":
        pairs = [(f"gap_flag:hidden:{i}", pk, "hidden") for i, pk in enumerate(ids["gap_flags"])]
        pairs += [(f"gap_flag:empty:{i}", pk, "empty") for i, pk in enumerate(ministry["gap_flags_empty"])]
        return [*pairs, ("gap_flag:noted", ministry["gap_flag_noted"], None)]
    if kind == "municipality":
        return [("municipality:hidden", ids["hidden_municipality"]["id"], "hidden"),
                ("municipality:empty", ministry["empty_municipality"]["id"], "empty")]
    if kind == "municipality_slug":
        return [("municipality:hidden", ids["hidden_municipality"]["slug"], "hidden"),
                ("municipality:empty", ministry["empty_municipality"]["slug"], "empty")]
    if kind == "sector":
        return [("sector", ministry["sector"], None)]
    if kind == "meeting":
        return [("meeting:finalised", ids["meeting_finalised"], None), ("meeting:planned", ids["meeting_planned"], None)]
    if kind in ("meeting_action", "meeting_attendee", "meeting_agenda_item", "meeting_decision"):
        return [(kind, ids[kind], None)]
    if kind in ("plan", "alignment_flag"):  # reference data, and the ministry's queue (no partner's record)
        return [(kind, 1, None)]
    if kind == "staff_only":
        return [("staff_only", 1, None)]
    if kind == "admin_app_label":
        return [("app_label", "projects", None)]
    if kind == "admin_catch_all":
        return [("catch_all", "probe-nothing/", None)]
    raise AssertionError(f"no targets for the kind {kind!r}: add them to probe_plan.targets")


def route_targets(world: dict[str, Any], route: Route, victim: str) -> list[tuple[str, str, str | None]]:
    """(label, path, twin side) for each target of ``route`` among ``victim``'s records."""
    kinds = route.kinds
    main = next((k for k in kinds.values() if not k.startswith("attachment.")), None)
    out = []
    for label, value, side in targets(world, victim, main):
        filled = {}
        for name, kind in kinds.items():
            if kind == "attachment.update":
                filled[name] = value["update"]
            elif kind == "attachment":
                filled[name] = value["attachment"]
            elif kind == main:
                filled[name] = value
            else:  # a second parameter of another kind: its first target
                filled[name] = targets(world, victim, kind)[0][1]
        out.append((label, route_fill(route, filled), side))
    return out


def _search_term(world: dict[str, Any], victim: str) -> str:
    # Without the "PROBE-" prefix: the page may echo the search, and the echo must not count as a leak.
    return world["markers"][f"{victim}-DRAFT-PROJECT-TITLE"]["text"].removeprefix("PROBE-")


def list_variants(world: dict[str, Any], route: Route) -> list[tuple[str | None, str, str, tuple[str, str] | None]]:
    """(victim, label, query, twin) for a route without parameters."""
    shared = [
        (None, "plain", "", None),
        (None, "drafts", "scope=all&state=draft&page_size=1000&resolved=all&level=municipality", None),
        (None, "submitted", "scope=all&state=submitted", None),
        (None, "returned", "scope=all&state=returned", None),
    ]
    out = list(shared)
    for victim in PARTNERS:
        ids = world["ids"][victim]
        out += [
            (victim, "partner", urlencode({"scope": "all", "partner": ids["partner"],
                                           "reporting_partner": ids["partner"]}), None),
            (victim, "search", urlencode({"scope": "all", "q": _search_term(world, victim),
                                          "search": _search_term(world, victim)}), None),
            (victim, "project", urlencode({"project": ids["project_draft"], "scope": "all"}), None),
        ]
        for side, place in (("hidden", ids["hidden_municipality"]),
                            ("empty", world["ids"]["ministry"]["empty_municipality"])):
            out.append((victim, f"twin-{side}", urlencode({"municipality": place["slug"], "resolved": "all",
                                                           "page_size": 1000}), (f"list-{victim}", side)))
        if any(word in (route.name or "") for word in EXPORT_WORDS):
            out += [
                (victim, "xlsx", urlencode({"format": "xlsx", "scope": "all", "partner": ids["partner"]}), None),
                (victim, "partner-ref", urlencode({"partner": ids["partner_ref"]}), None),
            ]
    if any(word in (route.name or "") for word in EXPORT_WORDS):
        out += [(None, "csv", "format=csv", None), (None, "xlsx-all", "format=xlsx", None)]
    return out


def reads(world: dict[str, Any], routes: list[Route]) -> list[Probe]:
    probes: list[Probe] = []
    for route in routes:
        if route.staff:
            # Staff only: each focal point tries the other's records, anonymous both; nothing to control.
            for victim in PARTNERS:
                label, path, _side = route_targets(world, route, victim)[0] if route.params else ("plain", route_fill(
                    route, {}), None)
                for actor in (FOCAL[OTHER[victim]], ANON):
                    probes.append(Probe(route, "GET", path, actor, victim, label))
            continue
        if route.params:
            for victim in PARTNERS:
                for label, path, side in route_targets(world, route, victim):
                    twin = (f"target-{victim}", side) if side else None
                    for actor in (FOCAL[OTHER[victim]], FOCAL[victim], ANALYST, ANON):
                        probes.append(Probe(route, "GET", path, actor, victim, label, twin))
            continue
        variants = list_variants(world, route) if route.role == "partner-data" else [(None, "plain", "", None)]
        for victim, label, query, twin in variants:
            path = route_fill(route, {}) + ("?" + query if query else "")
            for actor in READERS:
                probes.append(Probe(route, "GET", path, actor, victim, label, twin))
    return probes


# --- writes ---------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n% an attacker's file\n%%EOF\n"


def _sheet(world: dict[str, Any], victim: str) -> bytes:
    """A 3W sheet that claims one of the victim's projects, in the victim's name."""
    ids = world["ids"][victim]
    acronym = ids["partner_acronym"]
    header = "Reporting partner,Implementing partner,Title (English),Status,Start,End,Municipality code\n"
    tags = "#org+reporting,#org+impl,#activity+name+i_en,#status,#date+start,#date+end,#adm3+code\n"
    row = f"{acronym},{acronym},ATTACK import,Implementation,2025-01-01,2026-06-30,LY010101\n"
    return (header + tags + row).encode()


def write_body(world: dict[str, Any], route: Route, victim: str) -> dict[str, Any]:
    """Actor.request keyword arguments for a plausible write of ``route`` against ``victim``'s records."""
    ids, ministry = world["ids"][victim], world["ids"]["ministry"]
    name = route.name or ""
    hidden = ids["hidden_municipality"]
    project_form = {"title_en": "ATTACK edit", "title_ar": "ATTACK edit", "status": "2", "currency": "USD",
                    "spend_to_date": "0", "progress_percent": "0", "reporting_partner": str(ids["partner"]),
                    "sectors-TOTAL_FORMS": "1", "sectors-INITIAL_FORMS": "0", "sectors-0-sector": str(ministry["sector"]),
                    "sectors-0-percentage": "100", "places-TOTAL_FORMS": "1", "places-INITIAL_FORMS": "0",
                    "places-0-municipality": str(hidden["id"])}
    update_form = {"period_start": "2026-01-01", "period_end": "2026-03-31", "progress_percent": "50", "status": "2",
                   "spend_to_date": "10", "beneficiaries_reached": "5", "narrative": "ATTACK", "problems": ""}
    review = {"decision": "accept", "comment": "ATTACK"}
    flag_review = {"status": "dismissed", "note": "ATTACK", "counted_project": None}
    if not route.api:
        if name == "project_create":
            # Without the sector rows the form is refused whoever sends it; what the probe looks at is
            # whether the victim's name is taken (the fingerprint), not whether an own project appears.
            return {"data": {k: v for k, v in project_form.items() if not k.startswith("sectors")}}
        if name == "project_edit":
            return {"data": project_form}
        if name in ("project_review", "update_review"):
            return {"data": review}
        if name in ("update_create", "update_edit"):
            return {"data": update_form}
        if name == "update_attachments":
            return {"data": {"description": "ATTACK"}, "files": {"file": ("attack.pdf", PDF, "application/pdf")}}
        if name == "duplicate_review":
            return {"data": {"status": "dismissed", "note": "ATTACK", "counted_project": ""}}
        if name in ("gap_review", "delay_review"):
            return {"data": {"status": "dismissed", "note": "ATTACK"}}
        if name == "exchange_home":
            return {"data": {"kind": "spreadsheet"}, "files": {"file": ("attack.csv", _sheet(world, victim), "text/csv")}}
        if name == "export_job_request":  # a job of the attacker's own, of what they may see
            return {"data": {"format": "csv", "query": f"scope=all&partner={ids['partner']}"}}
        return {"data": {}}
    if name == "api:project-list":
        return {"json_body": {"title_en": "ATTACK", "reporting_partner": ids["partner"], "status": 2,
                              "sectors": [{"sector": "water-sanitation", "percentage": "100"}],
                              "locations": [{"municipality": hidden["slug"]}]}}
    if name == "api:project-detail":
        return {"json_body": {"title_en": "ATTACK edit", "status": 2, "reporting_partner": ids["partner"]}}
    if name in ("api:project-review", "api:update-review"):
        return {"json_body": review}
    if name == "api:update-list":
        return {"json_body": {"project": ids["project_accepted"], **update_form, "status": 2}}
    if name == "api:update-detail":
        return {"json_body": {"narrative": "ATTACK edit", "problems": "ATTACK"}}
    if name == "api:update-attachment-list":
        return {"data": {"description": "ATTACK"}, "files": {"file": ("attack.pdf", PDF, "application/pdf")}}
    if name == "api:export-job-list":
        return {"json_body": {"format": "csv", "scope": "all", "filters": {"partner": str(ids["partner"])}}}
    if name == "api:import-list":
        return {"data": {"kind": "spreadsheet"}, "files": {"file": ("attack.csv", _sheet(world, victim), "text/csv")}}
    if name in ("api:duplicate-review", "api:gap-flag-review", "api:delay-flag-review"):
        return {"json_body": flag_review}
    if name == "api:partner-detail":
        return {"json_body": {"name_en": "ATTACK", "iati_ref": "XX-ATTACK"}}
    return {"json_body": {}}


def writes(world: dict[str, Any], routes: list[Route]) -> dict[tuple[str, str], list[Probe]]:
    """Write attempts by (route, attacker): the focal point against the other partner, anonymous against both.
    Account routes (the actor's own session, token, language) and the staff-only admin are not written to."""
    batches: dict[tuple[str, str], list[Probe]] = {}
    for route in routes:
        if route.staff or route.role == "account":
            continue
        methods = API_WRITES if route.api else HTML_WRITES
        for victim in PARTNERS:
            filled = route_targets(world, route, victim) if route.params else [("none", route_fill(route, {}), None)]
            for actor in (FOCAL[OTHER[victim]], ANON):
                for label, path, _side in filled:
                    for method in methods:
                        batches.setdefault((route.key, actor), []).append(Probe(
                            route, method, path, actor, victim, label, body=write_body(world, route, victim)))
    return batches


NESTED_DEPTH = 100_000


def nested_json() -> bytes:
    """A JSON body nested far deeper than any parser's recursion (the size stays small: 200 KB)."""
    return b'{"title_en": ' + b"[" * NESTED_DEPTH + b"]" * NESTED_DEPTH + b', "narrative": "x"}'


def nested(world: dict[str, Any], routes: list[Route]) -> list[Probe]:
    """Deeply nested JSON to every API route that takes a body, so that its parser runs: by the owner on
    their own first record, by the other partner and by the ministry analyst."""
    probes = []
    for route in routes:
        if not route.api or route.role == "account":
            continue
        for victim in PARTNERS:
            if write_body(world, route, victim) == {"json_body": {}}:
                continue  # takes no body (submit, commit, cancel, delete, reads)
            first = route_targets(world, route, victim)[:1] if route.params else [("none", route_fill(route, {}), None)]
            for label, path, _side in first:
                for method in ("POST", "PUT", "PATCH"):
                    for actor in (FOCAL[victim], FOCAL[OTHER[victim]], ANALYST):
                        probes.append(Probe(route, method, path, actor, victim, f"nested:{label}",
                                            body={"raw": nested_json()}))
    return probes
