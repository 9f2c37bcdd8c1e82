"""The current request's id, carried to every audit row written while serving it."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("zhengwu_request_id", default="")


def new_request_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def current_request_id() -> str:
    """The id of the request (or command run) being served; one is made if none is set."""
    value = _request_id.get()
    if not value:
        value = new_request_id("cli-")
        _request_id.set(value)
    return value


def set_request_id(value: str) -> object:
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]
