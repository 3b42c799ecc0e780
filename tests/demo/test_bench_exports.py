"""``bench_exports`` writes each export and prints its seconds, bytes and peak memory as JSON."""

import csv
import io
import json

from django.core.management import call_command

from projects.models import Project, ReviewState
from tests import factories


def test_bench_exports_prints_each_exports_figures(db, capsys):
    for _ in range(4):
        factories.ProjectFactory(state=ReviewState.ACCEPTED)
    call_command("bench_exports", in_process=True)
    out = json.loads(capsys.readouterr().out)
    assert out["projects_in_database"] == Project.objects.count() == 4 and out["isolated_processes"] is False
    assert set(out["exports"]) == {"threew_csv", "threew_xlsx", "iati_xml"}
    for figures in out["exports"].values():
        assert "error" not in figures, figures
        assert figures["projects"] == 4 and figures["bytes"] > 0 and figures["seconds"] >= 0
        assert figures["peak_rss_mb"] >= figures["start_rss_mb"] > 0
    assert out["goals"]["threew_csv"] == {"seconds": 15, "peak_rss_mb": 300}


def test_the_bench_writes_the_same_sheet_as_the_download(db, tmp_path):
    from projects.exchange.selectors.export_writers import WRITERS
    from projects.exchange.selectors.threew import threew_csv, threew_queryset

    factories.ProjectFactory(state=ReviewState.ACCEPTED, title_en="Benched")
    path = tmp_path / "3w.csv"
    with path.open("wb") as fh:
        WRITERS["csv"](threew_queryset(), fh)
    text = path.read_bytes().decode("utf-8-sig")
    assert text == threew_csv(threew_queryset())
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[3][rows[2].index("#activity+name+i_en")] == "Benched"
