from celery import shared_task

from accounts.services import sessions_purge


@shared_task
def expired_sessions_purge() -> int:
    """Beat, nightly: sessions (staff and registrants) past their expiry."""
    return sessions_purge()
