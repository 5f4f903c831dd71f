from django.core.management.base import BaseCommand

from registry.models import SmsMessage


class Command(BaseCommand):
    help = "Print the latest text messages (the development SMS backend's outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--phone", default="", help="Only messages to this phone (E.164).")

    def handle(self, *args, limit: int, phone: str, **options):
        messages = SmsMessage.objects.all()
        if phone:
            messages = messages.filter(phone=phone)
        for message in messages[:limit]:
            self.stdout.write(
                f"{message.created_at:%Y-%m-%d %H:%M:%S} {message.phone} [{message.status}]"
            )
            self.stdout.write(f"  {message.body}")
