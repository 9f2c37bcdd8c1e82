"""An SMS sender for tests: keeps every text it is handed, so a test reads the code the way
a person reads their phone. Use it with the `sms` fixture (accounts/tests/conftest.py) or
``settings.ZHENGWU_NOTIFY_SENDERS = {"sms": "zhengwu.accounts.tests.sms_fake.CapturingSender"}``
(the browser tests can do the same on their live server)."""

from __future__ import annotations

import re

from zhengwu.notifications.models import OutboxItem


class CapturingSender:
    sent: list[tuple[str, str]] = []  # (phone, text), oldest first

    def send(self, item: OutboxItem) -> None:
        type(self).sent.append((item.address, item.body))


def last_text(phone: str) -> str:
    return next(text for address, text in reversed(CapturingSender.sent) if address == phone)


def last_code(phone: str) -> str:
    """The six digits of the last code texted to `phone`."""
    match = re.search(r"\b(\d{6})\b", last_text(phone))
    assert match, last_text(phone)
    return match.group(1)
