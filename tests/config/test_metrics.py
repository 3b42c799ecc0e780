"""/metrics for Prometheus: behind a token (none set: 404; missing or wrong: 401), and its figures move after a
request, a task and an analysis run."""

from __future__ import annotations

import re

import pytest

from config import metrics

TOKEN = "s3cret-metrics-token"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    """Each test reads the counts it made: the shared cache (Redis in CI) keeps them across tests and runs.
    The process's memo of the series it has registered goes too, or a cleared registry would not list them."""
    metrics.cache.clear()
    metrics._confirmed.clear()
    yield


@pytest.fixture
def token(settings):
    settings.TANSIQ_METRICS_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the exposition, matched by name and by exactly these labels."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        assert m, f"not a sample line: {line!r}"
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if m.group(1) == name and found == labels:
            return float(m.group(3))
    return None


def scrape(client, token) -> str:
    response = client.get("/metrics", **token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def test_no_token_configured_means_no_page(client, settings):
    settings.TANSIQ_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics").status_code == 404


def test_a_missing_or_wrong_token_is_refused(client, token):
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": f"Token {TOKEN}"},
                   {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"}):
        response = client.get("/metrics", **header)
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"tansiq_" not in response.content
    assert client.get("/metrics", **token).status_code == 200


def test_the_token_is_compared_in_constant_time(monkeypatch, rf):
    calls = []
    real = metrics.hmac.compare_digest
    monkeypatch.setattr(metrics.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert metrics.token_matches(rf.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"), TOKEN)
    assert not metrics.token_matches(rf.get("/metrics", HTTP_AUTHORIZATION="Bearer nope"), TOKEN)
    assert calls == [(TOKEN.encode(), TOKEN.encode()), (b"nope", TOKEN.encode())]


def test_a_request_moves_its_view_counter_and_latency_histogram(client, token):
    before = scrape(client, token)
    labels = {"view": "login", "method": "GET"}
    count_before = sample(before, "tansiq_http_requests_total", status="200", **labels) or 0
    hist_before = sample(before, "tansiq_http_request_duration_seconds_count", **labels) or 0
    for _ in range(2):
        assert client.get("/accounts/login/").status_code == 200
    after = scrape(client, token)
    assert sample(after, "tansiq_http_requests_total", status="200", **labels) == count_before + 2
    assert sample(after, "tansiq_http_request_duration_seconds_count", **labels) == hist_before + 2
    assert sample(after, "tansiq_http_request_duration_seconds_bucket", le="+Inf", **labels) == hist_before + 2
    assert sample(after, "tansiq_http_request_duration_seconds_sum", **labels) > 0
    # Per view name, never per raw path: a path no URL matches is counted as "unresolved".
    client.get("/no/such/page/12345/")
    assert "/no/such/page" not in scrape(client, token)
    assert sample(scrape(client, token), "tansiq_http_requests_total", view="unresolved", method="GET",
                  status="404") >= 1


def test_histogram_buckets_are_cumulative():
    labels = {"view": "test-buckets", "method": "GET"}
    for seconds in (0.001, 0.2, 0.2, 100.0):
        metrics.observe(metrics.LATENCY, labels, seconds)
    text = "\n".join(metrics._family(metrics.LATENCY, "histogram", "x", metrics.shared_samples()[metrics.LATENCY]))
    values = [sample(text, "tansiq_http_request_duration_seconds_bucket", le=str(b), **labels)
              for b in metrics.BUCKETS]
    assert values == sorted(values) and values[0] >= 1
    assert sample(text, "tansiq_http_request_duration_seconds_bucket", le="0.25", **labels) - \
        sample(text, "tansiq_http_request_duration_seconds_bucket", le="0.1", **labels) == 2
    assert sample(text, "tansiq_http_request_duration_seconds_bucket", le="+Inf", **labels) == \
        sample(text, "tansiq_http_request_duration_seconds_bucket", le="30.0", **labels) + 1


def test_tasks_are_counted_by_name_and_state(client, token):
    from coordination.tasks import ping

    before = scrape(client, token)
    ok = sample(before, "tansiq_celery_tasks_total", task="coordination.tasks.ping", state="SUCCESS") or 0
    failed = sample(before, "tansiq_celery_tasks_total", task="coordination.tasks.ping", state="FAILURE") or 0
    ping.delay()
    ping.apply(args=("an argument ping does not take",), throw=False)
    after = scrape(client, token)
    assert sample(after, "tansiq_celery_tasks_total", task="coordination.tasks.ping", state="SUCCESS") == ok + 1
    assert sample(after, "tansiq_celery_tasks_total", task="coordination.tasks.ping", state="FAILURE") == failed + 1


def test_the_last_successful_and_failed_run_of_each_job(client, token, django_assert_num_queries):
    from django.utils import timezone

    from coordination.models import AnalysisRun
    from coordination.services.duplicates import duplicates_full_scan

    assert sample(scrape(client, token), "tansiq_job_last_success_timestamp_seconds",
                  job="duplicates", mode="full") is None
    run = duplicates_full_scan()
    AnalysisRun.objects.create(kind="gaps", mode="full", status="failed", finished_at=timezone.now(), error="boom")
    AnalysisRun.objects.create(kind="gaps", mode="full")
    run.refresh_from_db()
    with django_assert_num_queries(1):  # the runs, in one query (the token needs no session, no user)
        text = scrape(client, token)
    assert sample(text, "tansiq_job_last_success_timestamp_seconds", job="duplicates", mode="full") == \
        pytest.approx(run.finished_at.timestamp())
    assert sample(text, "tansiq_job_last_failure_timestamp_seconds", job="gaps", mode="full") is not None
    assert sample(text, "tansiq_job_runs_running", job="gaps", mode="full") == 1


def test_a_cache_that_is_down_never_breaks_a_request(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(metrics.cache, "incr", down)
    monkeypatch.setattr(metrics.cache, "get", down)
    assert client.get("/accounts/login/").status_code == 200


def test_label_values_are_escaped():
    assert metrics._labels({"view": 'a"b\\c\nd'}) == '{view="a\\"b\\\\c\\nd"}'
