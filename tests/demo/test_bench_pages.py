"""``bench_pages`` measures each page it knows as a ministry analyst and prints one JSON object."""

import json

from django.core.management import call_command

from tests.demo.reference import demo_reference_in_db


def test_bench_pages_prints_each_page_s_time_and_queries(db, capsys):
    demo_reference_in_db()
    call_command("bench_pages", projects=60, repeat=1)
    out = json.loads(capsys.readouterr().out)
    assert out["projects"] == 60
    pages = out["pages"]
    for label in ("dashboard", "project_list", "municipality_file", "partner_page", "duplicate_queue"):
        assert pages[label]["status"] == 200, (label, pages[label])
        assert isinstance(pages[label]["queries"], int)
        assert pages[label]["median_ms"] > 0
    assert set(pages) | set(out["not_measured"]) == {
        "dashboard", "map", "map_layer", "map_figures", "map_sites", "map_pairs", "municipality_file",
        "partner_page", "project_list", "project_list_sorted", "project_detail", "duplicate_queue", "gap_queue",
        "delay_queue", "review_queue", "map_figures_gap", "gaps_api", "gaps_summary", "coverage_geojson"}
