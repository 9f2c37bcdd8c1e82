"""Idempotent submission (quality.md #2), one rule for every process that takes applications.

A client may send the same application twice (a retry after a timeout, a double click): with
the same Idempotency-Key and the same content it gets the first row back, with the same key and
other content it is refused, and two requests racing with one key insert one row — the loser's
insert breaks the (submitted_by, idempotency_key) unique constraint, answers a Conflict, and
the entry point asks once more, which then finds the winner's row.

Error codes are the process's own (`case.idempotency_key`, `bundle.idempotency_conflict`, …:
the API contract), so every function takes the process's code prefix.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Manager, Model, QuerySet

from zhengwu.core.errors import Conflict, InvalidInput

MAX_LENGTH = 80
# The header: any visible ASCII (RFC 9110 token-ish), as clients choose it.
HEADER_KEY = re.compile(r"[\x21-\x7e]{1,80}")
# The pages' hidden field: a key we generated (secrets.token_urlsafe), nothing else.
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,80}$")

RowT = TypeVar("RowT", bound=Model)
ResultT = TypeVar("ResultT")


def request_digest(payload: Mapping[str, Any]) -> str:
    """What the request asked for, as a digest stored with the row it created."""
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True,
                                     default=str).encode()).hexdigest()


def key_from_header(value: str | None, *, prefix: str) -> str | None:
    """The `Idempotency-Key` header's key, None without the header; InvalidInput (422) for
    anything but 1–80 visible ASCII characters."""
    if value is None:
        return None
    key = value.strip()
    if not HEADER_KEY.fullmatch(key):
        raise InvalidInput("Idempotency-Key 应为 1–80 个可见 ASCII 字符。",
                           code=f"{prefix}.idempotency_key")
    return key


def new_key() -> str:
    """A key for a page's hidden field, made when the form is first shown."""
    return secrets.token_urlsafe(24)


def key_from_form(data: Mapping[str, Any]) -> str:
    """A page's hidden `idempotency_key` when it looks like one we generated, else ""."""
    value = str(data.get("idempotency_key", ""))
    return value if FORM_KEY.match(value) else ""


def replay(rows: Manager[RowT] | QuerySet[RowT], *, submitted_by: Any, key: str | None, digest: str,
           prefix: str) -> RowT | None:
    """The row an earlier request with this key created, when the request is the same; None
    when there is no key or no such row. The same key for other content is refused (422)."""
    if not key:
        return None
    if len(key) > MAX_LENGTH:
        raise InvalidInput("Idempotency-Key 过长（最多80字符）。", code=f"{prefix}.idempotency_key")
    existing = rows.filter(submitted_by=submitted_by, idempotency_key=key).first()
    # Every keyed model stores the digest of the request that created the row.
    if existing is not None and getattr(existing, "request_hash") != digest:  # noqa: B009
        raise InvalidInput("同一 Idempotency-Key 已用于内容不同的申请。",
                           code=f"{prefix}.idempotency_conflict")
    return existing


@contextmanager
def first_insert(*, prefix: str) -> Iterator[None]:
    """Around the insert of the keyed row: a concurrent request that inserted the same key
    first makes it a Conflict (409, `<prefix>.idempotency_race`). Only the insert's savepoint
    rolls back, so the caller's transaction stays usable."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise Conflict("同一 Idempotency-Key 的申请正在处理，请稍后查询。",
                       code=f"{prefix}.idempotency_race") from error


def retried_on_race(submit: Callable[[], ResultT], *, prefix: str) -> ResultT:
    """Submit; after a lost race ask once more — the winner has committed by then, so the
    second call answers its row (or 422 if the contents differ)."""
    try:
        return submit()
    except Conflict as error:
        if error.code != f"{prefix}.idempotency_race":
            raise
        return submit()
