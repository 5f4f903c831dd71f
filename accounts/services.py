from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Role, RoleAssignment, User


def user_language_set(*, user: User | AnonymousUser, language: str) -> None:
    """Remember a signed-in user's language; the switcher also serves visitors (no-op)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def user_create_with_role(
    *, username: str, password: str, role: str, first_name: str = "", **scope: Model
) -> User:
    """Create a user holding one role with its scope (used by seed_demo and admin tooling)."""
    user = User(username=username, first_name=first_name)
    user.set_password(password)
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.is_superuser = True
    user.save()
    assignment = RoleAssignment(user=user, role=role, **scope)
    assignment.full_clean()
    assignment.save()
    return user


@transaction.atomic
def api_token_rotate(*, user: User) -> tuple[str, bool]:
    """A new API token for `user`; any previous one stops working at once.

    Returns (the key, whether a previous token was replaced). The key is shown once, to
    the user, and never stored anywhere else in clear by the portal.
    """
    if not user.is_active:
        raise ValueError("an inactive user gets no token")
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    return Token.objects.create(user=user).key, replaced


def sessions_purge() -> int:
    """Delete expired sessions (the database session store keeps them until told)."""
    deleted, _by_model = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
