from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # Registers the refresh task in every process (Celery beat names it).
        from dashboards import tasks  # noqa: F401
