from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    """The registrant's data tracker (issue 17): who read a record, which programmes
    received it, corrections and consent changes, on /me/ and in the registrant API.
    Above `sharing` and `audit`: it reads both, and neither knows it."""

    name = "tracker"
    verbose_name = _("Data tracker")

    def ready(self) -> None:
        from tracker import tasks  # noqa: F401  - registers the task names
