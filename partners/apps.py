from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner banks")

    def ready(self) -> None:
        # Registers this app's Celery tasks in every process, so that services can
        # queue them by name (onboarding.jobs).
        from partners import tasks  # noqa: F401
