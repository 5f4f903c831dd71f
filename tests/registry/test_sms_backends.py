"""The HTTP gateway backend talks to a real HTTP server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from registry.models import SmsMessage
from registry.services.sms import MAX_ATTEMPTS, sms_deliver_now


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            (self.headers["Authorization"], json.loads(self.rfile.read(length)))
        )
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received = []
    Gateway.status = 200
    settings.SMS_BACKEND = "registry.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "token-123"
    yield Gateway
    server.shutdown()


def confirmation() -> SmsMessage:
    return SmsMessage.objects.create(
        phone="+85512345678",
        template="registration_confirmed",
        params={"number": "123 456 7890"},
    )


@pytest.mark.django_db
def test_gateway_receives_the_message_rendered_in_khmer_and_english(gateway):
    message = confirmation()
    assert sms_deliver_now(message_id=message.pk) == SmsMessage.Status.SENT
    [(token, payload)] = gateway.received
    assert token == "Bearer token-123" and payload["to"] == "+85512345678"
    khmer, english = payload["text"].splitlines()
    assert khmer == "អ្នកបានចុះឈ្មោះរួចរាល់ហើយ។ លេខចុះឈ្មោះរបស់អ្នកគឺ 123 456 7890។"
    assert english == "You are registered. Your registration number is 123 456 7890."


@pytest.mark.django_db
def test_gateway_errors_are_retried_then_marked_failed(gateway):
    gateway.status = 500
    message = confirmation()
    for _ in range(MAX_ATTEMPTS - 1):
        assert sms_deliver_now(message_id=message.pk) == SmsMessage.Status.PENDING
    assert sms_deliver_now(message_id=message.pk) == SmsMessage.Status.FAILED
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS
    assert "500" in message.error


@pytest.mark.django_db
def test_unconfigured_gateway_keeps_the_message_pending(settings):
    settings.SMS_BACKEND = "registry.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = ""
    message = confirmation()
    assert sms_deliver_now(message_id=message.pk) == SmsMessage.Status.PENDING
    message.refresh_from_db()
    assert "not configured" in message.error
