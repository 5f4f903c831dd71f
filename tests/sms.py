"""Reading texts the way a developer does: from the development SMS backend's outbox."""

import re

from registry.sms import outbox_messages


def last_text(phone: str = "") -> str:
    messages = outbox_messages(phone=phone, limit=1)
    assert messages, f"no text in the outbox for {phone or 'any phone'}"
    return messages[0]["text"]


def last_code(phone: str = "") -> str:
    """The six digits of the latest one-time code sent to `phone`."""
    return re.search(r"\b(\d{6})\b", last_text(phone)).group(1)
