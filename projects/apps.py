from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Partners and projects")

    def ready(self) -> None:
        from projects import receivers

        receivers.connect()
