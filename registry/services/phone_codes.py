"""One-time codes that prove a registrant holds a phone.

A code is six random digits, sent by SMS, stored only as an HMAC, valid for five
minutes and for five tries. The code itself is never written anywhere: the SMS is
rendered and handed to the backend at once (registry.services.sms.sms_send_with_secret). Sending is limited per phone and per network address by
counting recent codes in the database, so the limits hold across every web worker.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from registry.models import PhoneCode
from registry.services.sms import sms_send_with_secret

CODE_LIFETIME = datetime.timedelta(minutes=5)
MAX_TRIES = 5
# (how many codes, within how long) for one phone, and for one network address.
PHONE_LIMITS = [(3, datetime.timedelta(minutes=15)), (10, datetime.timedelta(hours=24))]
ADDRESS_LIMITS = [(20, datetime.timedelta(hours=1))]


def _digest(code_id: int, code: str) -> str:
    return salted_hmac("registry.phone_code", f"{code_id}:{code}", algorithm="sha256").hexdigest()


def _check_limits(*, phone: str, ip_address: str | None, now: datetime.datetime) -> None:
    for count, window in PHONE_LIMITS:
        if PhoneCode.objects.filter(phone=phone, created_at__gte=now - window).count() >= count:
            raise ValidationError(
                _(
                    "Too many codes were sent to this phone. Wait %(minutes)s minutes and "
                    "try again."
                ),
                code="rate_limited_phone",
                params={"minutes": int(window.total_seconds() // 60)},
            )
    if ip_address:
        for count, window in ADDRESS_LIMITS:
            recent = PhoneCode.objects.filter(ip_address=ip_address, created_at__gte=now - window)
            if recent.count() >= count:
                raise ValidationError(
                    _("Too many codes were requested from this connection. Try again later."),
                    code="rate_limited_address",
                )


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def phone_code_send(*, phone: str, purpose: str, ip_address: str | None = None) -> PhoneCode:
    """Create a code for `phone` (E.164) and send it by SMS now; returns the code record.

    The send happens after the record is saved, outside its transaction, so the limits
    count the code even when the gateway fails; the registrant asks for a new one.
    """
    code = _new_code()
    with transaction.atomic():
        now = timezone.now()
        _check_limits(phone=phone, ip_address=ip_address, now=now)
        record = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash="",
            ip_address=ip_address,
            expires_at=now + CODE_LIFETIME,
        )
        record.code_hash = _digest(record.pk, code)
        record.save(update_fields=["code_hash"])
    sms_send_with_secret(phone=phone, template="phone_code", secret={"code": code})
    return record


def phone_code_verify(*, code_id: int, code: str, phone: str) -> PhoneCode:
    """Check `code` against the record; counts the try even when it fails."""
    entered = "".join(ch for ch in str(code) if not ch.isspace())
    entered = entered.translate(str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789"))
    with transaction.atomic():
        record = PhoneCode.objects.select_for_update().filter(pk=code_id, phone=phone).first()
        if record is None:
            raise ValidationError(_("Ask for a new code."), code="code_unknown")
        if record.verified_at is not None:
            return record
        if record.expires_at <= timezone.now():
            raise ValidationError(
                _("This code has expired. Ask for a new code."), code="code_expired"
            )
        if record.attempts >= MAX_TRIES:
            raise ValidationError(
                _("Too many wrong tries. Ask for a new code."), code="code_locked"
            )
        record.attempts += 1
        matched = constant_time_compare(record.code_hash, _digest(record.pk, entered))
        if matched:
            record.verified_at = timezone.now()
        record.save(update_fields=["attempts", "verified_at"])
    if not matched:
        left = MAX_TRIES - record.attempts
        if left <= 0:
            raise ValidationError(
                _("Too many wrong tries. Ask for a new code."), code="code_locked"
            )
        raise ValidationError(
            _("That code is not right. You have %(left)s tries left."),
            code="code_wrong",
            params={"left": left},
        )
    return record
