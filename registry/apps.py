from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # Registers this app's Celery tasks in every process, so that services can
        # queue them by name (onboarding.jobs).
        from registry import tasks  # noqa: F401
