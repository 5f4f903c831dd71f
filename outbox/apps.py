from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Background work waiting for the queue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outbox import tasks  # noqa: F401  # the drain task, in every process
