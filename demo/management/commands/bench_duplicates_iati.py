"""Benchmark of the duplicate engine on the independent evaluation set (``demo.iati_eval``), through
the real IATI importer, in a throwaway database."""

import json
import random
import tempfile
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from coordination.analysis.duplicates import OVERLAP, REPORTED_TWICE, DuplicateIndex
from coordination.models import DuplicateFlag, FlagStatus
from coordination.selectors.duplicates import duplicate_records, municipality_place_names
from coordination.services.duplicates import duplicate_flag_review, duplicate_thresholds_fit, duplicates_full_scan
from demo.iati_eval.generate import eval_generate
from demo.iati_eval.measure import eval_measure
from demo.iati_eval.writer import eval_write
from projects.exchange.services.iati_import import iati_import, iati_load_files
from projects.models import Project, ProjectLocation

DUPLICATE_KINDS = (REPORTED_TWICE, OVERLAP)
RELATED_CLASSES = ("later_phase", "two_contracts")  # look-alikes a reviewer marks related, not dismissed


class Command(BaseCommand):
    help = ("Import an evaluation set's IATI files (--files DIR with labels.json, or --seed N to generate one) "
            "into a throwaway database through the real importer, run the duplicate engine, and print one "
            "JSON object: precision, recall and F1 overall, recall per class and trait, hard negatives found.")

    def add_arguments(self, parser):
        parser.add_argument("--files", type=Path, help="a directory of IATI XML files and their labels.json")
        parser.add_argument("--seed", type=int, help="generate the evaluation set of this seed")
        parser.add_argument("--shared", type=int, default=120, help="shared activities to generate (with --seed)")
        parser.add_argument("--learn", type=int, default=0, metavar="N",
                            help="then simulate N reviewer decisions on the flags (the labels' answers), fit the "
                                 "learned thresholds, scan again, and print F1 before and after")

    def handle(self, *args, **options):
        if (options["files"] is None) == (options["seed"] is None):
            raise CommandError("Give --files DIR or --seed N.")
        with tempfile.TemporaryDirectory() as tmp:
            directory = options["files"]
            if directory is None:
                directory = Path(tmp)
                eval_write(eval_generate(options["seed"], shared=options["shared"]), directory)
            labels_path = directory / "labels.json"
            if not labels_path.is_file():
                raise CommandError(f"{labels_path} does not exist.")
            labels = json.loads(labels_path.read_text(encoding="utf-8"))
            files = iati_load_files([directory])
            result = self._in_throwaway_database(files, labels, options["learn"], options["seed"] or 0)
        result = {"seed": labels.get("seed"), "files": len(files), **result}
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _in_throwaway_database(self, files, labels, learn: int, seed: int) -> dict:
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
        try:
            call_command("load_reference_data", stdout=open("/dev/null", "w"))
            result = self._measure(files, labels)
            if learn:
                result["learning"] = self._learn(labels, learn, seed)
            return result
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)

    def _measure(self, files, labels) -> dict:
        t0 = time.perf_counter()
        report = iati_import(files=files)
        import_seconds = time.perf_counter() - t0
        ids = dict(Project.objects.values_list("pk", "iati_identifier"))
        placed = {pid for pid in ProjectLocation.objects.values_list("project_id", flat=True)}
        t0 = time.perf_counter()
        records, _digests = duplicate_records()
        index = DuplicateIndex(records, place_names=municipality_place_names())
        findings, pairs_scored = index.scan()
        scan_seconds = time.perf_counter() - t0
        found = {tuple(sorted((ids[f.a], ids[f.b]))): f.kind for f in findings if f.kind in DUPLICATE_KINDS}
        out = eval_measure(found, labels)
        # Of the true pairs missed, those where a record's place resolved to no municipality (what the
        # gazetteer is for): the engine never compares a placed record with an unplaced one.
        unplaced = {ident for pid, ident in ids.items() if pid not in placed}
        missed = [p for p in labels["pairs"] if p["duplicate"] and tuple(sorted((p["a"], p["b"]))) not in found]
        out["missed_with_an_unplaced_record"] = sum(1 for p in missed if p["a"] in unplaced or p["b"] in unplaced)
        out.update({
            "projects": len(ids), "imported": report.created, "skipped": report.skipped,
            "projects_with_municipality": len(placed), "import_seconds": round(import_seconds, 2),
            "scan_seconds": round(scan_seconds, 3), "pairs_scored": pairs_scored,
        })
        return out

    def _learn(self, labels, n: int, seed: int) -> dict:
        """N flags decided as the labels say (confirmed, related or dismissed), in a random order, through
        the review service; the thresholds fitted on them; a second full scan. The system's answer for
        a pair is then its decision where there is one, else the flag the scan shows."""
        reviewer = get_user_model().objects.create_superuser("bench-reviewer", "bench@example.org", "x")
        ids = dict(Project.objects.values_list("pk", "iati_identifier"))
        truth = {tuple(sorted((p["a"], p["b"]))): p for p in labels["pairs"]}
        duplicates_full_scan()
        before = eval_measure(self._shown(ids), labels)
        open_flags = list(DuplicateFlag.objects.filter(status=FlagStatus.OPEN, resolved_at__isnull=True)
                          .order_by("pk"))
        rng = random.Random(seed)
        decided = {"confirmed": 0, "related": 0, "dismissed": 0}
        for flag in rng.sample(open_flags, min(n, len(open_flags))):
            pair = truth.get(tuple(sorted((ids[flag.project_a_id], ids[flag.project_b_id]))))
            if pair is not None and pair["duplicate"]:
                decision = FlagStatus.CONFIRMED
            elif pair is not None and pair["class"] in RELATED_CLASSES:
                decision = FlagStatus.RELATED
            else:
                decision = FlagStatus.DISMISSED
            duplicate_flag_review(flag=flag, user=reviewer, decision=decision, note="bench: simulated review",
                                  counted_project_id=flag.project_a_id)
            decided[str(decision)] += 1
        thresholds = duplicate_thresholds_fit(user=reviewer)
        duplicates_full_scan()
        after = eval_measure(self._shown(ids), labels)
        keep = ("precision", "recall", "f1", "pairs_found", "true_found")
        return {"decisions": decided, "thresholds": thresholds, "before": {k: before[k] for k in keep},
                "after": {k: after[k] for k in keep}}

    @staticmethod
    def _shown(ids) -> dict[tuple[str, str], str]:
        """The pairs the system calls duplicates: confirmed ones, and open flags of a duplicate kind."""
        out = {}
        for a, b, kind, status in DuplicateFlag.objects.filter(resolved_at__isnull=True).values_list(
                "project_a_id", "project_b_id", "kind", "status"):
            if status == FlagStatus.CONFIRMED or (status == FlagStatus.OPEN and kind in DUPLICATE_KINDS):
                out[tuple(sorted((ids[a], ids[b])))] = kind
        return out
