"""bench_load: the figures it prints are computed from what the servers answered."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from demo.loadbench.runner import Sample, Session, VirtualUser, percentile, summary


def test_summary_counts_requests_errors_and_percentiles():
    samples = [Sample("dashboard", "analyst", 200, float(ms)) for ms in range(1, 101)]
    samples += [Sample("dashboard", "analyst", 500, 1000.0), Sample("api", "focal_point", 0, 2000.0)]
    out = summary(samples, seconds=2)
    assert out["requests"] == 102
    assert out["requests_per_s"] == 51.0
    assert out["errors"] == 2
    assert out["error_statuses"] == {"dashboard:500": 1, "api:0": 1}
    assert 50 <= out["p50_ms"] <= 52
    assert out["p99_ms"] > out["p95_ms"] > out["p50_ms"]
    assert set(out["pages"]) == {"analyst:dashboard", "focal_point:api"}


def test_percentile_of_one_and_none():
    assert percentile([], 95) == 0.0
    assert percentile([7.0], 95) == 7.0


def test_sessions_talk_to_loopback_only():
    with pytest.raises(ValueError):
        Session("http://example.org:8000", VirtualUser("x", "analyst", []))


@pytest.mark.django_db
def test_refuses_bad_arguments():
    with pytest.raises(CommandError):
        call_command("bench_load", users=0, seconds=1)
    with pytest.raises(CommandError):
        call_command("bench_load", users=1, seconds=0)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="serves the production settings, which need PostGIS")
def test_a_short_run_against_real_servers(monkeypatch):
    """Two users for two seconds on gunicorn with the production settings, and on the hello-world view."""
    from tests.factories import ProjectFactory  # noqa: PLC0415 — only when the test runs

    ProjectFactory.create_batch(3)
    out = io.StringIO()
    call_command("bench_load", users=2, seconds=2, workers=1, threads=2, stdout=out, stderr=io.StringIO())
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["settings"] == "config.settings.production"
    assert figures["tansiq"]["requests"] > 0
    assert figures["tansiq"]["errors"] == 0, figures["tansiq"].get("error_statuses")
    assert figures["trivial"]["requests"] > figures["tansiq"]["requests"]
    assert 0 < figures["throughput_ratio"] < 1
