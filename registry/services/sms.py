"""Text messages: stored as a template and its parameters, rendered when delivered.

A message row (SmsMessage) holds the phone, a template name from SMS_TEMPLATES, the
parameters that are not secret, and the delivery record. The text is rendered in Khmer
and English only when it is handed to the SMS backend, so a wording fixed in the
catalogue reaches messages still waiting, and no table holds the texts themselves.

Two ways out:

- `sms_queue` for messages that hold nothing secret (the registration confirmation
  carries the registration number, which is printed on the card anyway). The row is
  written in the caller's transaction and a Celery task delivers it after commit, by id,
  with retries; a rolled-back registration sends nothing.
- `sms_send_with_secret` for a one-time code. The code is rendered and handed to the
  backend synchronously, at the moment it is issued; it lives only in that call's memory.
  The row records the template, the non-secret parameters and whether delivery worked.
  We chose this over keeping the code encrypted until a worker sends it because that
  design keeps a secret at rest beside its key (SECRET_KEY lives with the database's
  readers: the web and worker processes), needs a sweeper to wipe what was not sent, and
  buys a retry that is worth little for a code valid five minutes: a registrant who gets
  nothing asks for a new code, as they would after any lost SMS. The code cannot go into
  the Celery task's arguments either: task messages rest in Redis in clear.
  The cost: the request waits for the gateway (its timeout bounds it), and a failed
  delivery is final for that code (the row says FAILED; the code still counts towards
  the sending limits, which stop a gateway outage from being used to flood a phone).
"""

import datetime
import logging
from dataclasses import dataclass

import orjson
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from onboarding.jobs import enqueue_on_commit
from registry.models import SmsMessage
from registry.services.sql import insert_select_sql
from registry.sms import SmsDeliveryError, sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Every message goes out in both languages: the phone may be read by someone other than
# who asked, and a feature phone may not show the registrant's chosen language.
LANGUAGES = ("km", "en")


@dataclass(frozen=True)
class SmsTemplate:
    text: Promise
    # Parameters that must never be stored: supplied only to sms_send_with_secret.
    secret: frozenset[str] = frozenset()


SMS_TEMPLATES: dict[str, SmsTemplate] = {
    "phone_code": SmsTemplate(
        _("Your code is %(code)s. It expires in 5 minutes."), secret=frozenset({"code"})
    ),
    "registration_confirmed": SmsTemplate(
        _("You are registered. Your registration number is %(number)s.")
    ),
    # Sent by the tracker (issue 17) once per programme; the name in each line's language.
    "programme_first_receipt": SmsTemplate(
        _(
            "%(programme)s has received your registration details for the first time. "
            "See who received your data, or stop it, at /me/ on the registration portal."
        )
    ),
}


class SmsTemplateError(ValueError):
    pass


def sms_render(*, template: str, params: dict) -> str:
    """The text of a message, Khmer first then English, one line each."""
    spec = SMS_TEMPLATES.get(template)
    if spec is None:
        raise SmsTemplateError(f"unknown SMS template {template!r}")
    lines = []
    for language in LANGUAGES:
        with override(language):
            lines.append(str(spec.text) % _in_language(params, language))
    return "\n".join(lines)


def _in_language(params: dict, language: str) -> dict:
    """A parameter given in each language (`programme_km`, `programme_en`) fills
    `%(programme)s` with the value of the line's language."""
    suffix = f"_{language}"
    localised = {k[: -len(suffix)]: v for k, v in params.items() if k.endswith(suffix)}
    return {**params, **localised}


def _check_stored_params(*, template: str, params: dict) -> None:
    spec = SMS_TEMPLATES.get(template)
    if spec is None:
        raise SmsTemplateError(f"unknown SMS template {template!r}")
    if spec.secret & params.keys():
        raise SmsTemplateError(f"{template!r} parameters {sorted(spec.secret)} are never stored")


def sms_queue(*, phone: str, template: str, params: dict) -> SmsMessage:
    """Record a message with nothing secret in it; deliver it once the transaction commits."""
    _check_stored_params(template=template, params=params)
    if SMS_TEMPLATES[template].secret:
        raise SmsTemplateError(f"{template!r} carries a secret: use sms_send_with_secret")
    message = SmsMessage.objects.create(phone=phone, template=template, params=params)
    enqueue_on_commit("registry.tasks.sms_deliver", message.pk)
    return message


def sms_send_with_secret(
    *, phone: str, template: str, secret: dict[str, str], params: dict | None = None
) -> SmsMessage:
    """Send now a message whose `secret` parameters are never written anywhere.

    Returns the message row, SENT or FAILED; delivery is not retried because nothing
    kept could render the text again.
    """
    params = params or {}
    _check_stored_params(template=template, params=params)
    if set(secret) != SMS_TEMPLATES[template].secret:
        raise SmsTemplateError(
            f"{template!r} needs exactly {sorted(SMS_TEMPLATES[template].secret)}"
        )
    message = SmsMessage.objects.create(phone=phone, template=template, params=params, attempts=1)
    try:
        sms_backend().send(
            phone=phone, body=sms_render(template=template, params={**params, **secret})
        )
    except SmsDeliveryError as error:
        message.status = SmsMessage.Status.FAILED
        message.error = str(error)[:300]
        logger.warning("sms %s (%s) not delivered", message.pk, template)
    else:
        message.status = SmsMessage.Status.SENT
        message.sent_at = timezone.now()
    message.save(update_fields=["status", "error", "sent_at"])
    return message


# Messages per delivery task when many are queued at once (a bulk file's confirmations).
SMS_SLICE = 500


def sms_queue_many(*, template: str, messages: list[tuple[str, dict]]) -> list[int]:
    """Record many (phone, parameters) messages of one template, nothing secret in them,
    with one INSERT; deliver them once the transaction commits, one task per slice."""
    if SMS_TEMPLATES[template].secret:
        raise SmsTemplateError(f"{template!r} carries a secret: use sms_send_with_secret")
    for _phone, params in messages:
        _check_stored_params(template=template, params=params)
    if not messages:
        return []
    # One JSON parameter: psycopg builds array parameters in Python, slowly for thousands.
    values: dict = {"messages": orjson.dumps(messages).decode()}
    insert = sms_insert_select_sql(
        template=template, phone="m.value->>0", params="m.value->1", values=values
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} FROM jsonb_array_elements(%(messages)s::jsonb) WITH ORDINALITY"
            " AS m(value, n) ORDER BY m.n RETURNING id",
            values,
        )
        ids = [row[0] for row in cursor.fetchall()]
    sms_deliver_on_commit(message_ids=ids)
    return ids


def sms_insert_select_sql(*, template: str, phone: str, params: str, values: dict) -> str:
    """`INSERT INTO <messages> (...) SELECT` of messages of `template` whose phone and
    parameters (jsonb, nothing secret) are the SQL expressions `phone` and `params`; the
    caller appends FROM and gives the ids to `sms_deliver_on_commit`. A statement that
    writes other rows can queue its messages in the same round trip (a registration's
    confirmation)."""
    if SMS_TEMPLATES[template].secret:
        raise SmsTemplateError(f"{template!r} carries a secret: use sms_send_with_secret")
    values["sms_template"] = template
    return insert_select_sql(
        SmsMessage,
        {"phone": phone, "template": "%(sms_template)s", "params": params, "created_at": "now()"},
        values,
    )


def sms_deliver_on_commit(*, message_ids: list[int]) -> None:
    """Deliver messages recorded in this transaction once it commits (by id, slices)."""
    if len(message_ids) == 1:
        enqueue_on_commit("registry.tasks.sms_deliver", message_ids[0])
    else:
        for start in range(0, len(message_ids), SMS_SLICE):
            enqueue_on_commit(
                "registry.tasks.sms_deliver_many", message_ids[start : start + SMS_SLICE]
            )


def sms_deliver_now(*, message_id: int) -> SmsMessage.Status | None:
    """Deliver one pending message. Idempotent: a sent message is never sent again."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=SmsMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        try:
            body = _render_stored(message)
        except SmsTemplateError as error:
            # A code whose synchronous send died half-way, or a template since removed:
            # nothing kept can render it, so it never goes.
            message.status = SmsMessage.Status.FAILED
            message.error = str(error)[:300]
            message.save(update_fields=["attempts", "error", "status"])
            return message.status
        try:
            sms_backend().send(phone=str(message.phone), body=body)
        except SmsDeliveryError as error:
            message.error = str(error)[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = SmsMessage.Status.FAILED
            logger.warning("sms %s not delivered (attempt %s)", message.pk, message.attempts)
        else:
            message.status = SmsMessage.Status.SENT
            message.sent_at = timezone.now()
            message.error = ""
        message.save(update_fields=["attempts", "error", "status", "sent_at"])
        return SmsMessage.Status(message.status)


def _render_stored(message: SmsMessage) -> str:
    spec = SMS_TEMPLATES.get(message.template)
    if spec is None:
        raise SmsTemplateError(f"unknown template {message.template!r}")
    if spec.secret:
        raise SmsTemplateError("not kept: a one-time code is sent when issued or never")
    try:
        return sms_render(template=message.template, params=message.params)
    except (KeyError, TypeError, ValueError) as error:
        raise SmsTemplateError(f"parameters do not fit {message.template!r}") from error


def sms_pending_ids(*, older_than: datetime.timedelta) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        SmsMessage.objects.filter(
            status=SmsMessage.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
