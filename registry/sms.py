"""Pluggable SMS delivery. settings.SMS_BACKEND names the class.

- OutboxBackend (default, development and tests): nothing leaves the machine; each
  delivered text is appended as a JSON line to settings.SMS_OUTBOX_PATH (under var/),
  which `manage.py sms_outbox` and the tests read (`outbox_messages`). It is a file, not
  a table, because texts hold one-time codes and no table may (registry.services.sms).
- HttpGatewayBackend: POSTs JSON {"to", "text"} to SMS_GATEWAY_URL with a bearer token.
"""

import json
import os
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsDeliveryError(Exception):
    pass


class OutboxBackend:
    def send(self, *, phone: str, body: str) -> None:
        path = Path(settings.SMS_OUTBOX_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone, "text": body}, ensure_ascii=False
        )
        # One write on an O_APPEND descriptor: the web server and a worker appending at
        # the same moment do not interleave lines. Readable by its owner only.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)


def outbox_messages(*, phone: str = "", limit: int | None = None) -> list[dict]:
    """The development outbox, newest first: dicts with "at", "to" and "text"."""
    path = Path(settings.SMS_OUTBOX_PATH)
    if not path.is_file():
        return []
    messages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    messages.reverse()
    if phone:
        messages = [message for message in messages if message["to"] == phone]
    return messages[:limit]


class HttpGatewayBackend:
    timeout_seconds = 10

    def send(self, *, phone: str, body: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise SmsDeliveryError("SMS_GATEWAY_URL is not configured")
        request = urllib.request.Request(  # noqa: S310 - URL comes from configuration
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"to": phone, "text": body}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                if response.status >= 300:
                    raise SmsDeliveryError(f"gateway answered {response.status}")
        except OSError as error:
            raise SmsDeliveryError(str(error)) from error


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
