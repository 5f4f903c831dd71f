from django.conf import settings
from django.core.management.base import BaseCommand

from registry.sms import outbox_messages


class Command(BaseCommand):
    help = (
        "Print the latest texts the development SMS backend (OutboxBackend) delivered, "
        "one-time codes included. They are read from settings.SMS_OUTBOX_PATH, not the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--phone", default="", help="Only messages to this phone (E.164).")

    def handle(self, *args, limit: int, phone: str, **options):
        if settings.SMS_BACKEND != "registry.sms.OutboxBackend":
            self.stderr.write(f"SMS_BACKEND is {settings.SMS_BACKEND}: nothing is kept here.")
        for message in outbox_messages(phone=phone, limit=limit):
            self.stdout.write(f"{message['at'][:19].replace('T', ' ')} {message['to']}")
            for line in message["text"].splitlines():
                self.stdout.write(f"  {line}")
