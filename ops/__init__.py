"""Operations of the deployment as a whole: backups and their restore. No models, and no import of a domain app:
a backup is the database and the uploaded files, whatever the apps keep in them."""
