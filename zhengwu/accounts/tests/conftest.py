"""Fixtures for the accounts tests: SMS captured instead of sent, cleared per test."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.tests.sms_fake import CapturingSender
from zhengwu.cases.tests.conftest import food, submit  # noqa: F401 (fixtures)


@pytest.fixture
def sms(settings: Any) -> type[CapturingSender]:
    settings.ZHENGWU_NOTIFY_SENDERS = {"sms": "zhengwu.accounts.tests.sms_fake.CapturingSender"}
    CapturingSender.sent = []
    return CapturingSender
