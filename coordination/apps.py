from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from coordination import receivers
        from coordination.analysis.alignment import AlignmentSettings

        try:  # a mistyped threshold stops start-up instead of silently changing the flags
            AlignmentSettings.from_mapping(getattr(settings, "TANSIQ_ALIGNMENT_SETTINGS", None))
        except ValueError as exc:
            raise ImproperlyConfigured(f"TANSIQ_ALIGNMENT_SETTINGS: {exc}") from exc
        receivers.connect()
