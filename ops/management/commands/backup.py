"""``python manage.py backup [--dir DIR] [--keep N] [--verify FOLDER]``"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backups.archive import BackupError, manifest_verify
from ops.backups.services import backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump -Fc on PostgreSQL, SQLite's backup API on the embedded default) and the "
        "uploaded files (media.tar.gz) into a new folder with a manifest (sizes, SHA-256, row counts), then keep "
        "only the newest --keep backups. --verify FOLDER checks an existing backup's checksums instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="Where backups go (default TANSIQ_BACKUP_DIR).")
        parser.add_argument("--keep", type=int, help="How many backups to keep (default TANSIQ_BACKUP_KEEP).")
        parser.add_argument("--verify", type=Path, metavar="FOLDER", help="Only check this backup's checksums.")

    def handle(self, *args, **options) -> None:
        try:
            if options["verify"]:
                manifest = manifest_verify(options["verify"])
                self.stdout.write(f"{options['verify']}: checksums match ({manifest['rows']} rows, "
                                  f"{manifest['media']['files']} media files)")
                return
            keep = options["keep"] or settings.TANSIQ_BACKUP_KEEP
            result = backup_create(root=options["dir"] or settings.TANSIQ_BACKUP_DIR, keep=keep,
                                   media_root=Path(settings.MEDIA_ROOT))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        self.stdout.write(
            f"Backup {result.folder} in {result.seconds:.1f} s: database {manifest['database']['bytes']} bytes "
            f"({manifest['rows']} rows in {len(manifest['tables'])} tables), media {manifest['media']['files']} "
            f"files ({manifest['media']['bytes']} bytes); {len(result.removed)} old backups removed, keeping {keep}."
        )
