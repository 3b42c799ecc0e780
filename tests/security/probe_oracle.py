"""The probe's view of the database, from a subprocess with the probe's production settings.

``python -m tests.security.probe_oracle`` reads commands, one a line, and answers each with one JSON line:

* ``routes``: every route of the URL configuration (``probe_routes.routes_enumerate``);
* ``fingerprint``: a digest of every record the probe's actors could change, grouped by owner ("partner:<id>",
  "ministry"), keyed by record ("project:12"), so a write by someone else shows as a changed, new or
  missing key of the owner's. Volatile bookkeeping (a user's last login) is left out.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from typing import Any


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _rows(queryset, *, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in exclude} for row in queryset.order_by("pk").values()]


def _file_digest(field_file) -> str:
    try:
        with field_file.open("rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except (OSError, ValueError):
        return "missing"


def fingerprint() -> dict[str, dict[str, str]]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from coordination.models import DelayFlag, DuplicateFlag, GapFlag
    from projects.models import (
        FocalPoint,
        ImportJob,
        Participation,
        Partner,
        Programme,
        Project,
        ProjectLocation,
        ProjectSector,
        ProjectUpdate,
        RelatedActivity,
        Site,
        Transaction,
        UpdateSite,
    )
    from projects.models.reporting import UpdateAttachment

    out: dict[str, dict[str, str]] = defaultdict(dict)
    children: dict[int, list] = defaultdict(list)
    for model in (ProjectSector, ProjectLocation, Participation, Site, Transaction, RelatedActivity):
        for row in _rows(model.objects.all()):
            children[row["project_id"]].append((model.__name__, row))
    projects = {row["id"]: row for row in _rows(Project.objects.all())}
    for pk, row in projects.items():
        out[f"partner:{row['reporting_partner_id']}"][f"project:{pk}"] = _digest(row, children[pk])
    sites: dict[int, list] = defaultdict(list)
    for row in _rows(UpdateSite.objects.all()):
        sites[row["update_id"]].append(row)
    update_owner = {}
    for row in _rows(ProjectUpdate.objects.all()):
        owner = projects.get(row["project_id"], {}).get("reporting_partner_id")
        update_owner[row["id"]] = owner
        out[f"partner:{owner}"][f"update:{row['id']}"] = _digest(row, sites[row["id"]])
    for attachment, row in zip(UpdateAttachment.objects.order_by("pk"), _rows(UpdateAttachment.objects.all()),
                               strict=True):
        owner = update_owner.get(attachment.update_id)
        out[f"partner:{owner}"][f"attachment:{attachment.pk}"] = _digest(row, _file_digest(attachment.file))
    partner_of_user = dict(FocalPoint.objects.values_list("user_id", "partner_id"))
    for job, row in zip(ImportJob.objects.order_by("pk"), _rows(ImportJob.objects.all()), strict=True):
        owner = job.partner_id or partner_of_user.get(job.created_by_id)
        out[f"partner:{owner}" if owner else "ministry"][f"import_job:{job.pk}"] = _digest(row, _file_digest(job.file))
    for model, name in ((DuplicateFlag, "duplicate_flag"), (GapFlag, "gap_flag"), (DelayFlag, "delay_flag")):
        for row in _rows(model.objects.all()):
            out["ministry"][f"{name}:{row['id']}"] = _digest(row)
    for row in _rows(Partner.objects.all()):
        out[f"partner:{row['id']}"][f"partner:{row['id']}"] = _digest(row)
    for row in _rows(Programme.objects.all()):
        out[f"partner:{row['partner_id']}"][f"programme:{row['id']}"] = _digest(row)
    for row in _rows(FocalPoint.objects.all()):
        out[f"partner:{row['partner_id']}"][f"focal_point:{row['id']}"] = _digest(row)
    tokens = {t.user_id: (t.key, t.created) for t in Token.objects.all()}
    groups: dict[int, list[str]] = defaultdict(list)
    for user_id, group in get_user_model().groups.through.objects.values_list("user_id", "group__name"):
        groups[user_id].append(group)
    for row in _rows(get_user_model().objects.all(), exclude=("last_login",)):
        owner = partner_of_user.get(row["id"])
        out[f"partner:{owner}" if owner else "ministry"][f"user:{row['id']}"] = _digest(
            row, sorted(groups[row["id"]]), tokens.get(row["id"]))
    return dict(out)


def serve() -> None:
    import django

    django.setup()
    from tests.security.probe_routes import routes_enumerate

    for line in sys.stdin:
        command = line.strip()
        if command == "routes":
            answer: Any = [route.as_dict() for route in routes_enumerate()]
        elif command == "fingerprint":
            answer = fingerprint()  # autocommit: each query reads what the server has committed
        elif command == "quit":
            break
        else:
            answer = {"error": f"unknown command {command!r}"}
        sys.stdout.write(json.dumps(answer, sort_keys=True, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
