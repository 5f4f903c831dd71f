"""Sign-ins of the mobile app (the registrant API): tokens for a phone proven by a code.

An access token lives 15 minutes; the refresh token that comes with it, 30 days. Both
are random (32 bytes), shown once, and stored only as SHA-256 digests. Refreshing
replaces both; a refresh token presented again after it was replaced has been copied,
so that sign-in is revoked at once (the app and whoever copied it must sign in again).
Times are the server's: a client is told how many seconds a token lives, so a phone
whose clock is wrong still refreshes in time.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from registry.models import RegistrantToken
from registry.services.phone_codes import phone_code_verify

ACCESS_LIFETIME = datetime.timedelta(minutes=15)
REFRESH_LIFETIME = datetime.timedelta(days=30)
ACCESS_PREFIX = "rga_"
REFRESH_PREFIX = "rgr_"


class RegistrantTokenError(Exception):
    """Why a token is refused: `code` is token_invalid, token_expired, token_revoked or
    token_reused (api.messages words each)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IssuedTokens:
    record: RegistrantToken
    access: str
    refresh: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_pair(now: datetime.datetime) -> tuple[str, str, dict]:
    access = ACCESS_PREFIX + secrets.token_urlsafe(32)
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    fields = {
        "access_digest": token_digest(access),
        "access_expires_at": now + ACCESS_LIFETIME,
        "refresh_digest": token_digest(refresh),
        "refresh_expires_at": now + REFRESH_LIFETIME,
    }
    return access, refresh, fields


@transaction.atomic
def registrant_token_sign_in(*, phone: str, code_id: int, code: str) -> IssuedTokens:
    """Check the phone's code (phone_code_verify: tries counted) and open a sign-in."""
    phone_code_verify(code_id=code_id, code=code, phone=phone)
    access, refresh, fields = _new_pair(timezone.now())
    record = RegistrantToken.objects.create(phone=phone, **fields)
    return IssuedTokens(record=record, access=access, refresh=refresh)


def registrant_token_authenticate(*, access: str) -> RegistrantToken:
    """The sign-in of a live access token; RegistrantTokenError otherwise."""
    if not access.startswith(ACCESS_PREFIX):
        raise RegistrantTokenError("token_invalid")
    record = RegistrantToken.objects.filter(access_digest=token_digest(access)).first()
    if record is None:
        raise RegistrantTokenError("token_invalid")
    if record.revoked_at is not None:
        raise RegistrantTokenError("token_revoked")
    if record.access_expires_at <= timezone.now():
        raise RegistrantTokenError("token_expired")
    return record


def registrant_token_refresh(*, refresh: str) -> IssuedTokens:
    """New tokens for a live refresh token, which is used up; RegistrantTokenError otherwise.

    A refresh token already replaced revokes its sign-in, and that revocation is kept:
    it commits before the error is raised.
    """
    outcome = _refresh(refresh)
    if isinstance(outcome, str):
        raise RegistrantTokenError(outcome)
    return outcome


@transaction.atomic
def _refresh(refresh: str) -> IssuedTokens | str:
    digest = token_digest(refresh)
    record = RegistrantToken.objects.select_for_update().filter(refresh_digest=digest).first()
    if record is None:
        copied = RegistrantToken.objects.filter(previous_refresh_digest=digest)
        if refresh.startswith(REFRESH_PREFIX) and copied.exists():
            copied.filter(revoked_at=None).update(revoked_at=timezone.now())
            return "token_reused"
        return "token_invalid"
    now = timezone.now()
    if record.revoked_at is not None:
        return "token_revoked"
    if record.refresh_expires_at <= now:
        return "token_expired"
    access, new_refresh, fields = _new_pair(now)
    for name, value in fields.items():
        setattr(record, name, value)
    record.previous_refresh_digest = digest
    record.refreshed_at = now
    record.save()
    return IssuedTokens(record=record, access=access, refresh=new_refresh)


def registrant_token_revoke(*, record: RegistrantToken) -> None:
    """End a sign-in: its access and refresh tokens stop working at once."""
    RegistrantToken.objects.filter(pk=record.pk, revoked_at=None).update(revoked_at=timezone.now())


def registrant_tokens_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete sign-ins whose refresh token has expired (they open nothing); how many."""
    deleted, _by_model = RegistrantToken.objects.filter(
        refresh_expires_at__lt=now or timezone.now()
    ).delete()
    return deleted
