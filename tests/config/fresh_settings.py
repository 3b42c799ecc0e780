"""Settings as a fresh process reads them: they are read from the environment once, at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_with(env: dict[str, str], names: list[str], module: str = "config.settings.local") -> dict:
    """The named settings of ``module`` under ``env`` (and no other TANSIQ_/DJANGO_/DATABASE_ variables), or
    ``{"error": last line of the traceback}`` when start-up stops."""
    from django.conf import settings

    code = ("import json, django; from django.conf import settings; django.setup(); "
            f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TANSIQ_", "DJANGO_", "DATABASE_"))}
    environment.update({"DJANGO_SETTINGS_MODULE": module, "TANSIQ_VAR_DIR": str(settings.VAR_DIR), **env})
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=120)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])
