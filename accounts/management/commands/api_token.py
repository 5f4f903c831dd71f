"""Create or rotate a user's API token and print it (the only time it is shown)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import api_token_rotate


class Command(BaseCommand):
    help = "Create, or replace, USERNAME's API token and print it. The old token stops working."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        key, replaced = api_token_rotate(user=user)
        if replaced:
            self.stderr.write(f"The previous token of {username} no longer works.")
        self.stdout.write(key)
