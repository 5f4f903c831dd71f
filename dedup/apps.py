from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupConfig(AppConfig):
    name = "dedup"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        # Registers this app's Celery tasks in every process, so that services can
        # queue them by name (onboarding.jobs).
        from dedup import tasks  # noqa: F401
