"""Make a card signing key: `manage.py card_key_new KEY_ID` (README, "Card signing keys")."""

from django.core.management.base import BaseCommand, CommandError

from registry.card_signing import card_key_generate


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 key for signing cards: the CARD_SIGNING_KEY value (secret) and "
        "its public half (for CARD_VERIFICATION_KEYS once a newer key signs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("key_id", help="A short name for the key, e.g. 2026a")

    def handle(self, *args, key_id: str, **options):
        try:
            private, public = card_key_generate(key_id)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"CARD_SIGNING_KEY={private}")
        self.stdout.write(
            f"# public half, for CARD_VERIFICATION_KEYS after the next rotation: {public}"
        )
