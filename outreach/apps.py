from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """Running and measuring campaigns: event mode, campaign figures, roll-out coverage.

    Above the registry (it registers people and counts them); `campaigns`, below the
    registry, plans campaigns and events and holds the attributions a registration writes.
    """

    name = "outreach"
    verbose_name = _("Outreach: running and measuring campaigns")
