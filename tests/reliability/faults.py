"""Fault injection for the atomicity tests (quality.md #3): every write a step makes — each SQL
INSERT/UPDATE/DELETE and each file written to upload storage — is a numbered injection point,
and the Nth can be made to fail as a real fault would (a database error, a full disk)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, connection

# SQLite spells bulk_create(ignore_conflicts=True) "INSERT OR IGNORE INTO".
WRITE = re.compile(r'^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?',
                   re.IGNORECASE)


class InjectedDatabaseFault(DatabaseError):
    """The database refused a write (disk full, connection lost, serialization failure…)."""


class InjectedStorageFault(OSError):
    """Upload storage refused a file (disk full, permissions…)."""


class Faults:
    """Counts the writes made while active; raises at write number `fail_at` (1-based), or at
    the first write labelled `fail_on` (e.g. "INSERT notifications_outboxitem")."""

    def __init__(self, fail_at: int | None = None, fail_on: str | None = None) -> None:
        self.fail_at, self.fail_on = fail_at, fail_on
        self.writes: list[str] = []
        self.fired: str | None = None

    def _point(self, label: str, fault: type[Exception]) -> None:
        self.writes.append(label)
        if len(self.writes) == self.fail_at or (label == self.fail_on and self.fired is None):
            self.fired = label
            raise fault(f"injected fault at write {self.fail_at}: {label}")

    def sql(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        match = WRITE.match(sql)
        if match:
            verb = match.group(1).split()[0].upper()
            self._point(f"{verb} {match.group(2)}", InjectedDatabaseFault)
        return execute(sql, params, many, context)

    @contextmanager
    def active(self) -> Iterator[Faults]:
        original = getattr(FileSystemStorage, "_save")  # noqa: B009 — private, patched
        faults = self

        def save(storage: FileSystemStorage, name: str, content: Any) -> str:
            faults._point("FILE upload", InjectedStorageFault)
            return str(original(storage, name, content))

        with ExitStack() as stack:
            stack.enter_context(connection.execute_wrapper(self.sql))
            setattr(FileSystemStorage, "_save", save)  # noqa: B010
            stack.callback(setattr, FileSystemStorage, "_save", original)
            yield self
