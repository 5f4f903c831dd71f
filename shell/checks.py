from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from shell.official import EMBLEM_TYPES, emblem_path


@register()
def emblem_file_check(app_configs, **kwargs) -> list[CheckMessage]:
    path = emblem_path()
    if path is None:
        return []
    if path.suffix.lower() not in EMBLEM_TYPES:
        return [
            Error(
                f"EMBLEM_FILE must be one of {', '.join(sorted(EMBLEM_TYPES))}.",
                id="shell.E001",
            )
        ]
    if not path.is_file():
        return [Error(f"EMBLEM_FILE {path} does not exist.", id="shell.E002")]
    return []


@register(deploy=True)
def contact_check(app_configs, **kwargs) -> list[CheckMessage]:
    if settings.CONTACT_HOTLINE or settings.CONTACT_EMAIL:
        return []
    return [
        Warning(
            "Neither CONTACT_HOTLINE nor CONTACT_EMAIL is set: the help page can only send "
            "people to a partner-bank branch.",
            id="shell.W001",
        )
    ]
