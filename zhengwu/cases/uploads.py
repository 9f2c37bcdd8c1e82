"""Checking uploaded materials: size, count, type by magic bytes, no polyglots (quality.md #13;
the check of one file is zhengwu.core.upload_check, shared with accounts' 授权委托书).

Files are stored under generated names in upload storage and served only as attachments. A file
is written before the row that points to it; when the step fails the row is rolled back, so the
file is deleted again (`discarded_on_failure`) rather than left in storage unrecorded (#3).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.storage import Storage

# The check itself is the core's (one rule for every upload, accounts' letters too); its
# names stay importable from here, where the apps' upload code has always found them.
from zhengwu.core.upload_check import (
    ACCEPT,
    MAX_BYTES,
    MAX_PIXELS,
    SIGNATURES,
    SUSPICIOUS,
    CheckedFile,
    check_upload,
)

__all__ = ["ACCEPT", "MAX_BYTES", "MAX_FILES", "MAX_PIXELS", "SIGNATURES", "SUSPICIOUS",
           "CheckedFile", "check_upload", "discarded_on_failure", "stored"]

MAX_FILES = 50


_STORED: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("stored_uploads", default=None)


def stored(storage: Storage, name: str) -> None:
    """Note a file just written to storage by the running write step."""
    files = _STORED.get()
    if files is not None:
        files.append((storage, name))


@contextmanager
def discarded_on_failure() -> Iterator[None]:
    """Around a write step (outside its transaction): if the step raises, every file it wrote
    to storage is deleted, since the rolled-back rows that pointed to them never existed.
    Usable as a decorator. A process killed between the write and the commit, or a caller's
    outer transaction rolled back later, still leaves an unreferenced file: never listed as a
    material, and removed after a day by the sweep `cases.orphan_uploads`."""
    outer = _STORED.get()
    files: list[tuple[Storage, str]] = []
    token = _STORED.set(files)
    try:
        yield
    except BaseException:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:  # the step's own error matters more than a leftover file
                continue
        raise
    else:
        if outer is not None:  # a step inside another: the enclosing one may still fail
            outer.extend(files)
    finally:
        _STORED.reset(token)
