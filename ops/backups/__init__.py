"""Backups: ``archive`` (the backup folder, its manifest and checksums, the media tar, retention), ``database``
(each database's own tools: pg_dump / pg_restore, SQLite's backup API) and ``services`` (backup and restore)."""
