"""Programme API keys: made (or replaced) by an officer, checked on every call."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from programmes.models import Programme
from sharing.models import ProgrammeToken
from sharing.selectors import programme_managed_by


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def programme_token_rotate(*, programme: Programme, user: User) -> str:
    """A new key for `programme`'s system, made by `user`; their previous key for it stops
    working at once. Returned once, never stored in clear."""
    if not user.is_active or not programme_managed_by(programme=programme, user=user):
        raise PermissionError("only the programme's officers and administrators make its key")
    ProgrammeToken.objects.filter(programme=programme, user=user).delete()
    key = secrets.token_urlsafe(32)
    ProgrammeToken.objects.create(programme=programme, user=user, key_hash=_hash(key))
    return key


def programme_token_check(*, key: str) -> ProgrammeToken | None:
    """The token of `key`, if it is valid and its maker still serves the programme."""
    token = (
        ProgrammeToken.objects.select_related("programme", "user")
        .filter(key_hash=_hash(key))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if not programme_managed_by(programme=token.programme, user=token.user):
        return None
    ProgrammeToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
