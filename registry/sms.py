"""Pluggable SMS delivery. settings.SMS_BACKEND names the class.

- OutboxBackend (default, development and tests): delivery is recording the message
  as sent in the SmsMessage table, which developers and tests read.
- HttpGatewayBackend: POSTs JSON {"to", "text"} to SMS_GATEWAY_URL with a bearer token.
"""

import json
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string


class SmsDeliveryError(Exception):
    pass


class OutboxBackend:
    def send(self, *, phone: str, body: str) -> None:
        # Nothing leaves the machine: the message row is the outbox.
        return None


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
