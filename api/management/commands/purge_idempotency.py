"""Delete Idempotency-Key records past their lifetime (API_IDEMPOTENCY_TTL, 24 h)."""

from django.core.management.base import BaseCommand

from api.idempotency import idempotency_purge


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key answers older than API_IDEMPOTENCY_TTL."

    def handle(self, *args, **options):
        deleted = idempotency_purge()
        self.stdout.write(f"{deleted} idempotency record(s) deleted.")
