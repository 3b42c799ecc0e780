from django.core.management.base import BaseCommand
from tqdm import tqdm

from coordination.models import AnalysisRun
from coordination.services.duplicates import duplicate_thresholds_fit, duplicates_check_projects, duplicates_full_scan
from projects.models import Project


class Command(BaseCommand):
    help = ("Look for duplicated and overlapping projects in the foreground. Without --full, only the "
            "projects changed since the last successful scan are checked.")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="scan the whole portfolio")
        parser.add_argument("--fit-thresholds", action="store_true",
                            help="first fit the per-kind thresholds on the reviewers' decisions (the scan applies them)")

    def handle(self, *args, **options):
        if options["fit_thresholds"]:
            fitted = duplicate_thresholds_fit()
            self.stdout.write("learned thresholds: " + (", ".join(f"{k} {v}" for k, v in fitted.items()) or "none yet"))
        last = (AnalysisRun.objects.filter(kind=AnalysisRun.Kind.DUPLICATES, status=AnalysisRun.Status.SUCCEEDED)
                .order_by("-started_at").first())
        if options["full"] or last is None:
            bar = tqdm(total=0, unit="block", desc="duplicates", disable=options["verbosity"] == 0)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            run = duplicates_full_scan(progress=progress)
            bar.close()
        else:
            ids = list(Project.objects.filter(updated_at__gte=last.started_at).values_list("id", flat=True))
            self.stdout.write(f"{len(ids)} projects changed since {last.started_at:%Y-%m-%d %H:%M}")
            run = duplicates_check_projects(project_ids=ids)
        counts = run.counts
        self.stdout.write(
            f"{run.get_mode_display()} in {run.duration_seconds:.1f} s: "
            + ", ".join(f"{k} {v}" for k, v in counts.items() if not isinstance(v, dict))
        )
        for kind, n in counts.get("by_kind", {}).items():
            self.stdout.write(f"  {kind}: {n}")
