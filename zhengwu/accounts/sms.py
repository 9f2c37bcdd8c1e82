"""How accounts reach a phone: the port that the notifications app plugs its SMS channel into.

Accounts sit below notifications in the layers (pyproject.toml, import-linter), so they do not
import it; `zhengwu.notifications.apps` registers a `Transport` here at start-up, the same way
cases register their case counter with the catalogue.

Two kinds of message:

- `code_send`: a verification code, handed to the SMS sender at once (a person is waiting for
  it, and a code queued behind a backlog would expire). The code is never written to the
  database, the audit log or the ordinary log; only the development sender prints it.
- `notice_queue`: a notice about the account (the phone number was changed, the account was
  closed), queued in the caller's transaction and delivered by the outbox like any other.
"""

from __future__ import annotations

from typing import Protocol


class DeliveryFailed(Exception):
    """The SMS sender did not accept the message."""


class Transport(Protocol):
    def code_send(self, *, phone: str, text: str, secret: str) -> None:
        """Send `text` to `phone` now; `secret` is the code inside `text`, which must be kept
        out of every record. Raise DeliveryFailed when the gateway refuses."""

    def notice_queue(self, *, phone: str, title: str, body: str) -> None:
        """Queue an SMS notice to `phone` inside the caller's transaction."""


_TRANSPORT: dict[str, Transport] = {}


def transport_register(transport: Transport) -> None:
    _TRANSPORT["sms"] = transport


def transport() -> Transport:
    if "sms" not in _TRANSPORT:
        raise RuntimeError("no SMS transport registered (zhengwu.notifications not installed?)")
    return _TRANSPORT["sms"]
