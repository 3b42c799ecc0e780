"""What the probe concludes from the answers: leaks, the gap twins, the controls, writes, headers, errors."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.security.probe_http import Answer, complete_listing, header_problems, markers_in, twin_records
from tests.security.probe_plan import ANALYST, ANON, FOCAL, OTHER, OWN_SCOPE_CREATES, PARTNERS, WRITE_PAGES, Probe

WRITE_REFUSED = {400, 401, 403, 404, 405}


@dataclass
class Seen:
    """One answer, reduced to what the checks need (bodies are not kept)."""

    probe: Probe
    status: int
    content_type: str
    markers: set[str]
    to_login: bool
    location: str
    twins: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)  # victim -> side -> records
    complete: bool = True
    headers: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


def reduce(probe: Probe, answer: Answer, world: dict[str, Any]) -> Seen:
    seen = Seen(probe=probe, status=answer.status, content_type=answer.content_type,
                markers=markers_in(answer, world["run"]), to_login=answer.to_login(), location=answer.location,
                headers=header_problems(answer), error=answer.error, seconds=answer.seconds)
    data = answer.json()
    if data is not None:
        seen.complete = complete_listing(data)
        for victim in PARTNERS:
            hidden = world["ids"][victim]["hidden_municipality"]
            empty = world["ids"]["ministry"]["empty_municipality"]
            places = {hidden["id"]: "hidden", hidden["slug"]: "hidden", empty["id"]: "empty", empty["slug"]: "empty"}
            seen.twins[victim] = twin_records(data, places)
    return seen


@dataclass
class Findings:
    leaks: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (route, actor, marker) -> a path
    failures: dict[tuple[str, ...], str] = field(default_factory=dict)  # header / nested-JSON checks -> example
    errors: list[str] = field(default_factory=list)  # anything else that fails the probe outright
    controls: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # route -> markers its owner saw
    public_seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    twin_bites: set[str] = field(default_factory=set)  # routes where the analyst tells the twins apart
    checks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unanswered_writes: list[str] = field(default_factory=list)
    tolerated_writes: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # why -> how many
    header_routes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # problem -> routes


def _marker_names(world: dict[str, Any]) -> dict[str, str]:
    return {m["text"]: name for name, m in world["markers"].items()}


def leaks_and_controls(seen: list[Seen], world: dict[str, Any], found: Findings) -> None:
    names = _marker_names(world)
    markers = world["markers"]
    owner_saw: dict[str, set[str]] = defaultdict(set)  # path -> markers seen there by a control actor
    for s in seen:
        for text in s.markers:
            name = names.get(text, text)
            marker = markers.get(name)
            if marker is None:
                found.errors.append(f"an unknown marker {text} in {s.probe.method} {s.probe.path}")
                continue
            if s.probe.actor in marker["forbidden"]:
                found.leaks.setdefault((s.probe.route.key, s.probe.actor, name), f"{s.probe.method} {s.probe.path}")
            if s.probe.method == "GET" and s.status == 200 and s.probe.actor in marker["control"]:
                if marker["public"]:
                    found.public_seen[s.probe.route.key].add(name)
                else:
                    found.controls[s.probe.route.key].add(name)
                    owner_saw[s.probe.path].add(name)
    # Each attacker read is a check; it "bites" when a control actor saw, at the same path, a marker the
    # attacker must not see.
    for s in seen:
        if s.probe.method != "GET" or s.probe.actor == ANALYST or s.probe.route.staff:
            continue
        forbidden_there = {n for n in owner_saw.get(s.probe.path, ()) if s.probe.actor in markers[n]["forbidden"]}
        found.checks["reads"] += 1
        found.checks["reads with a working control"] += bool(forbidden_there)


def twins(seen: list[Seen], found: Findings) -> None:
    """The victim's hidden municipality must look, to anyone but the ministry and the victim, exactly like the
    empty one. A difference seen by the attacker (or anonymous) is a leak ``GAP-TWIN-<victim>``."""
    pairs: dict[tuple[str, str, str, str], dict[str, list]] = defaultdict(lambda: {"hidden": [], "empty": []})
    verdicts: list[tuple[str, str, str, str]] = []  # route, actor, victim, example path
    for s in seen:
        if s.probe.method != "GET" or not s.twins:
            continue
        for victim in PARTNERS:
            records = s.twins[victim]
            if s.probe.twin is not None:
                if s.probe.victim == victim:
                    pairing, side = s.probe.twin
                    pairs[(s.probe.route.key, s.probe.actor, victim, pairing)][side] += records[side]
                continue
            if "municipality=" in s.probe.query or not s.complete:
                continue
            if records["hidden"] != records["empty"]:
                verdicts.append((s.probe.route.key, s.probe.actor, victim, s.probe.path))
    for (route, actor, victim, _pairing), sides in pairs.items():
        if sorted(sides["hidden"]) != sorted(sides["empty"]):
            verdicts.append((route, actor, victim, f"{route} (twin targets)"))
    for route, actor, victim, path in verdicts:
        if actor == ANALYST:
            found.twin_bites.add(route)
        elif actor in (FOCAL[OTHER[victim]], ANON):
            found.leaks.setdefault((route, actor, f"GAP-TWIN-{victim}"), path)


def statuses(seen: list[Seen], found: Findings, *, writes: bool) -> None:
    for s in seen:
        p = s.probe
        if s.status == 0:
            found.errors.append(f"{p.method} {p.path} as {p.actor}: no answer ({s.error})")
        elif s.status >= 500:
            key = ("nested-json", p.route.key) if p.label.startswith("nested:") else ("5xx", p.route.key, p.method)
            found.failures.setdefault(key, f"{p.method} {p.path} as {p.actor}: {s.status}")
        elif writes and not (s.status in WRITE_REFUSED or s.to_login):
            if p.route.name in OWN_SCOPE_CREATES:
                found.tolerated_writes[f"{p.route.key}: an upload of one's own, answered {s.status}"] += 1
            elif not p.route.api and p.route.name not in WRITE_PAGES:
                found.tolerated_writes[f"{p.route.key}: a page that only reads, answered {s.status}"] += 1
            else:
                found.unanswered_writes.append(
                    f"{p.method} {p.path} as {p.actor} against {p.victim}'s {p.label}: {s.status} {s.location}")
        for problem in s.headers:
            found.failures.setdefault((problem,), f"{p.method} {p.path} as {p.actor}")
            found.header_routes[problem].add(p.route.key)


def staff_refused(seen: list[Seen], found: Findings) -> None:
    """The admin site sends every non-staff actor away (to a login, or anywhere outside the admin) or refuses."""
    for s in seen:
        if s.probe.route.role != "staff":
            continue
        away = 300 <= s.status < 400 and not (urlsplit(s.location).path.startswith("/admin/")
                                               and not s.to_login)
        if not (away or s.status in (401, 403, 404, 405)):
            found.errors.append(f"admin route {s.probe.path} answered {s.status} to {s.probe.actor}")


def fingerprint_changes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]],
                        owners: list[str]) -> list[str]:
    changes = []
    for owner in owners:
        old, new = before.get(owner, {}), after.get(owner, {})
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                what = "new" if key not in old else "gone" if key not in new else "changed"
                changes.append(f"{owner} {key} {what}")
    return changes


def owners_attacked(world: dict[str, Any], actor: str) -> list[str]:
    """Whose records ``actor``'s writes must leave alone: the other partner's and the ministry's."""
    partners = [p for p in PARTNERS if actor != FOCAL[p]] if actor != ANON else list(PARTNERS)
    return [f"partner:{world['ids'][p]['partner']}" for p in partners] + ["ministry"]
