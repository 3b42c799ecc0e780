"""``python manage.py bench_gazetteer [--data ../shared/data] [--names 10000]``

Loads the reference geography and the gazetteer inside a transaction that is rolled back (nothing is written),
then resolves the names of each source and prints one JSON object: per source the names tried, those with an
answer, resolved right, wrong, ambiguous and unresolved; and the seconds to resolve ``--names`` names with a
fresh index (no memo).

Answer keys: the ministry's list gives each name's municipality by slug (a name whose municipality the fixture
does not hold has no answer: it must come back unresolved, and any municipality counts as wrong); OCHA's table
gives the p-code of its English name, its Arabic name and its OCHA spelling; GeoNames gives the district its
point falls in (right = a municipality of that district); the place names of the EUTF and IATI files are
checked by hand in ``tests/data/gazetteer_answer_key.csv``.
"""

from __future__ import annotations

import csv
import json
import random
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from municipalities.gazetteer import GazetteerIndex, gazetteer_build
from municipalities.models import Municipality

ANSWER_KEY = Path(settings.BASE_DIR) / "tests" / "data" / "gazetteer_answer_key.csv"


class _Rollback(Exception):
    pass


def _score(index: GazetteerIndex, cases: list[tuple[str, Any]], right) -> dict[str, Any]:
    out = {"names": len(cases), "with_answer": 0, "right": 0, "wrong": 0, "ambiguous": 0, "unresolved": 0,
           "wrong_examples": [], "missed_examples": []}
    for name, expected in cases:
        res = index.resolve(name)
        if expected is not None:
            out["with_answer"] += 1
        if res.resolved:
            if expected is not None and right(res.municipality_id, expected):
                out["right"] += 1
            else:
                out["wrong"] += 1
                if len(out["wrong_examples"]) < 10:
                    out["wrong_examples"].append([name, expected, res.municipality_id, res.step])
        else:
            out[res.status] += 1
            if expected is not None and len(out["missed_examples"]) < 10:
                out["missed_examples"].append([name, expected, res.status])
    out["share_right"] = round(out["right"] / out["with_answer"], 4) if out["with_answer"] else None
    return out


def _noisy(name: str, rng: random.Random) -> str:
    """A misspelling of a name (one letter dropped, doubled or swapped), for the speed test's fuzzy path."""
    if len(name) < 5:
        return name.upper()
    i = rng.randrange(1, len(name) - 1)
    return rng.choice([name[:i] + name[i + 1:], name[:i] + name[i] + name[i:],
                       name[:i - 1] + name[i] + name[i - 1] + name[i + 1:]])


class Command(BaseCommand):
    help = "Measure the gazetteer: names resolved to the right municipality per source, and its speed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", default=str(Path(settings.BASE_DIR).parent / "shared" / "data"))
        parser.add_argument("--names", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        result: dict[str, Any] = {}
        try:
            with transaction.atomic():
                self._run(Path(options["data"]), options["names"], options["seed"], result)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))

    def _run(self, data: Path, n_names: int, seed: int, result: dict[str, Any]) -> None:
        from municipalities.reference_load import reference_load_geography, reference_load_place_names
        from municipalities.services import municipality_derive_approximate_areas

        reference_load_geography()
        municipality_derive_approximate_areas()
        reference_load_place_names()
        started = time.perf_counter()
        index = gazetteer_build()
        result["index_build_seconds"] = round(time.perf_counter() - started, 4)
        slug_of = dict(Municipality.objects.values_list("id", "slug"))
        district_of = dict(Municipality.objects.values_list("id", "district__pcode"))
        by_slug = set(slug_of.values())
        by_pcode = dict(Municipality.objects.filter(pcode__isnull=False).values_list("pcode", "slug"))

        def same_slug(pk: int, slug: str) -> bool:
            return slug_of.get(pk) == slug

        ministry = []
        with (data / "molg_municipalities_points.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                expected = row["slug"] if row["slug"] in by_slug else None
                ministry += [(row["name_en"], expected), (row["name_ar"], expected)]
        result["ministry"] = _score(index, ministry, same_slug)
        ocha, ocha_alt = [], []
        with (data / "lby_baladiya_ocha_reference.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                expected = by_pcode.get(row["adm3_pcode"])
                ocha += [(row["name_en"], expected), (row["name_ar"], expected)]
                if row["name_en_ocha"]:
                    ocha_alt.append((row["name_en_ocha"], expected))
        result["ocha"] = _score(index, ocha, same_slug)
        result["ocha_spellings"] = _score(index, ocha_alt, same_slug)
        geonames = []
        with (data / "geonames_ly_places_pop500.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                geonames.append((row["name"], row["adm2_pcode_by_polygon"] or None))
        result["geonames_right_district"] = _score(index, geonames, lambda pk, d: district_of.get(pk) == d)
        with ANSWER_KEY.open(encoding="utf-8") as fh:
            files = [(row["name"], row["expected_slug"] or None) for row in csv.DictReader(fh)]
        result["eutf_iati_files"] = _score(index, files, same_slug)
        result["total"] = {k: sum(result[p][k] for p in ("ministry", "ocha", "ocha_spellings",
                                                          "geonames_right_district", "eutf_iati_files"))
                           for k in ("names", "with_answer", "right", "wrong")}

        rng = random.Random(seed)
        # misspellings of the names that have an answer (GeoNames' by district, the others by municipality)
        pool = ([(n, e, same_slug) for n, e in ministry + ocha + ocha_alt + files if e is not None]
                + [(n, e, lambda pk, d: district_of.get(pk) == d) for n, e in geonames])
        misspelt = []
        for name, expected, right in pool:
            noisy = _noisy(name, rng)
            if noisy != name and not noisy.isupper():
                misspelt.append((noisy, (expected, right)))
        result["misspelt"] = _score(index, misspelt, lambda pk, pair: pair[1](pk, pair[0]))
        for example in result["misspelt"]["wrong_examples"] + result["misspelt"]["missed_examples"]:
            example[1] = example[1][0]

        names = [rng.choice(pool)[0] if i % 2 else _noisy(rng.choice(pool)[0], rng) for i in range(n_names)]
        fresh = gazetteer_build()  # a new index: nothing memoised yet
        started, cpu = time.perf_counter(), time.process_time()
        outcomes: dict[str, int] = {}
        for name in names:
            res = fresh.resolve(name)
            outcomes[res.status] = outcomes.get(res.status, 0) + 1
        # the wall time depends on what else the machine runs; the CPU time is this process's own work
        result["speed"] = {"names": n_names, "seconds": round(time.perf_counter() - started, 4),
                           "cpu_seconds": round(time.process_time() - cpu, 4),
                           "distinct": len(set(names)), "half_misspelt": True, "outcomes": outcomes}
