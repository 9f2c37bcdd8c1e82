"""How accounts tell a person about their account: the port that the notifications app plugs
its in-app and SMS channels into.

Accounts sit below notifications in the layers (pyproject.toml, import-linter), so they do not
import it; `zhengwu.notifications.apps` registers a `Teller` here at start-up, as it registers
the SMS transport of accounts.sms. A notice is queued in the caller's transaction (the outbox
row commits or rolls back with the change it reports) and delivered once that transaction has
committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zhengwu.accounts.models import User


@dataclass(frozen=True)
class Notice:
    """One notice to one account: shown in the app (with `link`, a page of this site) and sent
    by SMS to the account's mobile number. `key` makes it once-only (an event handled twice)."""

    recipient: User
    title: str
    body: str
    link: str
    key: str


class Teller(Protocol):
    def tell(self, notices: list[Notice], *, category: str) -> None:
        """Queue `notices` (in-app and SMS) inside the caller's transaction; deliver on commit."""


_TELLER: dict[str, Teller] = {}


def teller_register(teller: Teller) -> None:
    _TELLER["teller"] = teller


def tell(notices: list[Notice], *, category: str) -> None:
    if "teller" not in _TELLER:
        raise RuntimeError("no notice teller registered (zhengwu.notifications not installed?)")
    if notices:
        _TELLER["teller"].tell(notices, category=category)
