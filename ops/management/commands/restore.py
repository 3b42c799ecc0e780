"""``python manage.py restore FOLDER [--into DATABASE_URL] [--media-root DIR]``"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backups.archive import BackupError
from ops.backups.database import target_from_url
from ops.backups.services import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into an EMPTY database and an empty media folder: its checksums are "
        "verified first (a corrupt archive is refused before anything is written), the row counts afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="A backup folder (tansiq-YYYYmmdd-HHMMSS).")
        parser.add_argument("--into", metavar="DATABASE_URL",
                            help="Restore into this database instead of the configured one (postgis://… or "
                                 "spatialite:///…); for a PostGIS target, create it and the postgis extension first.")
        parser.add_argument("--media-root", type=Path, help="Where the files go (default MEDIA_ROOT).")

    def handle(self, *args, **options) -> None:
        try:
            target = target_from_url(options["into"]) if options["into"] else None
            result = backup_restore(folder=options["folder"], target=target,
                                    media_root=options["media_root"] or Path(settings.MEDIA_ROOT))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {result.folder} in {result.seconds:.1f} s: {result.rows} rows in "
                          f"{result.tables} tables and {result.media_files} media files, as the manifest says.")
