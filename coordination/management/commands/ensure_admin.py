import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from coordination.roles import MINISTRY_ADMIN, roles_sync


class Command(BaseCommand):
    help = "Create the first administrator account (once) and print its credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, **options):
        roles_sync()
        username = options["username"]
        path = settings.VAR_DIR / "admin-credentials.txt"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(username=username, email="", password=password)
            user.groups.add(Group.objects.get(name=MINISTRY_ADMIN))
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{username}\n{password}\n")
            path.chmod(0o600)
        if path.exists():
            saved_user, saved_password = path.read_text().split("\n")[:2]
            self.stdout.write(self.style.SUCCESS(f"Administrator: {saved_user} / {saved_password}  (kept in {path})"))
        else:
            self.stdout.write(f"Administrator account {username!r} already exists.")
