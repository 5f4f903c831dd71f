from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShellConfig(AppConfig):
    """The official frame of every page: the ministry's name and emblem, help and contact,
    the privacy notice and the accessibility statement."""

    name = "shell"
    verbose_name = _("Official shell")

    def ready(self) -> None:
        from shell import checks  # noqa: F401  (registers the system checks)
