"""Files people upload, once checked (core.upload_check), as the platform keeps them: under a
generated name in upload storage, in a folder of their kind and month, and never left behind
by a write step that failed (quality.md #3).

A file is written before the row that points to it; when the step fails the row is rolled
back, so the file is deleted again (`discarded_on_failure`, around the step and outside its
transaction) rather than left in storage unrecorded. A process killed between the write and
the commit still leaves an unreferenced file: the sweep `cases.orphan_uploads` removes it after
a day. core.models.StoredFile is the row every app's uploaded file is (work-order attachments,
依申请公开 answer files, policy documents' 附件); cases' materials predate it and use `stored`
directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.files.storage import Storage

from zhengwu.core import clock

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
    outer transaction rolled back later, still leaves an unreferenced file: never listed, and
    removed after a day by the sweep `cases.orphan_uploads`."""
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


def stored_file_path(instance: Any, filename: str) -> str:
    """Where a StoredFile goes: its kind's folder (`UPLOAD_DIR`), then year and month in
    Beijing time (a file uploaded at 00:30 on the 1st is filed in the new month)."""
    day: dt.datetime = clock.now().astimezone(clock.SHANGHAI)
    return f"{instance.UPLOAD_DIR}/{day:%Y/%m}/{filename}"
