"""Background work of the dashboards: the rollups' refresh, run by Celery beat."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from dashboards.services import rollups_refresh


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def rollups_refresh_due() -> int:
    """Recount the registrants changed since the last refresh (a no-op when none)."""
    return rollups_refresh()
