from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    """Consent-gated sharing of registry data with programmes: eligibility, exports,
    delta feeds, crisis targeting and the programme API (above the registry)."""

    name = "sharing"
    verbose_name = _("Sharing with programmes")

    def ready(self) -> None:
        from sharing import tasks  # noqa: F401  - registers the task names
