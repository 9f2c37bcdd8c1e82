"""Staged uploads: the checked files of a page form that was refused, kept on the server
until the next attempt, so that a mistake in one field never costs the applicant the files
they chose (architecture.md: bad input loses nothing).

A browser cannot refill a file input. So when a form with files is refused, every file that
passed `uploads.check_upload` is stored here, owned by the signed-in account and named by the
form it came from and its slot there (the material), under a random token that the re-rendered
form carries in hidden fields. The next submission uses the kept file unless the applicant
chose another (which wins) or removed it. A token is honoured only for its owner and its form:
anyone else's token, or an expired one, reads as nothing (never whose or what it was).

The write that files the application consumes the owner's staged rows of that form in its own
transaction (`consume`), and their files are deleted once it commits; a failed write leaves
them kept.
What nobody comes back for expires after KEEP_FOR and is deleted by the sweep
`cases.staged_uploads` (`sweep_expired`); a file written without its row (a process killed in
between) is an orphan the sweep `cases.orphan_uploads` removes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet

from zhengwu.accounts.models import User
from zhengwu.cases import uploads
from zhengwu.cases.models import StagedUpload
from zhengwu.cases.uploads import MAX_FILES, CheckedFile
from zhengwu.core import clock

# How long a kept file waits for the next attempt: a working day and a night.
KEEP_FOR = dt.timedelta(hours=24)
# At most this many files kept per account (the oldest go first): refusing a form on purpose
# must not fill the disk.
MAX_KEPT = MAX_FILES


@dataclass(frozen=True)
class KeptFile:
    """What a re-rendered form shows of a kept file, and the token it carries."""

    token: str
    slot: str
    name: str
    size: int

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"


def kept_file(row: StagedUpload) -> KeptFile:
    return KeptFile(row.token, row.slot, row.original_name, row.size)


def keep(*, owner: User, form: str, slot: str, file_name: str,
         checked: CheckedFile) -> StagedUpload:
    """Store one checked file for the owner's next attempt at `form`. The file is written
    before its row; if the row is not written the file is deleted again."""
    now = clock.now()
    with uploads.discarded_on_failure(), transaction.atomic():
        row = StagedUpload(
            token=secrets.token_urlsafe(32), owner=owner, form=form[:120], slot=slot[:200],
            original_name=(file_name or slot)[-200:], content_type=checked.content_type,
            size=len(checked.content), sha256=checked.sha256, created_at=now,
            expires_at=now + KEEP_FOR)
        row.file.save(f"{secrets.token_hex(16)}.{checked.extension}",
                      ContentFile(checked.content), save=False)
        uploads.stored(row.file.storage, row.file.name)
        row.save()
    # Files a draft keeps (their time extended to the draft's: cases.drafts) do not count.
    surplus = list(StagedUpload.objects.filter(owner=owner, expires_at__lte=now + KEEP_FOR)
                   .order_by("-created_at", "-pk").values_list("pk", flat=True)[MAX_KEPT:])
    if surplus:
        _delete(StagedUpload.objects.filter(pk__in=surplus))
    return row


def kept_rows(*, owner: User | None, form: str, tokens: Sequence[str]) -> list[StagedUpload]:
    """The owner's unexpired files kept for `form` among the tokens posted; a token of
    another account or form, or an expired one, is simply not among them."""
    wanted = [t for t in dict.fromkeys(tokens) if t and len(t) <= 64][:MAX_FILES]
    if owner is None or not wanted:
        return []
    return list(StagedUpload.objects.filter(owner=owner, form=form[:120], token__in=wanted,
                                            expires_at__gt=clock.now()).order_by("pk"))


def owned(*, owner: User | None, token: str) -> StagedUpload | None:
    """The owner's unexpired staged file with this token, of any form (an item form's file
    answer names its file by token), or None."""
    if owner is None or not token or len(token) > 64:
        return None
    return StagedUpload.objects.filter(owner=owner, token=token,
                                       expires_at__gt=clock.now()).first()


def keep_until(*, owner: User, tokens: Iterable[str], until: dt.datetime) -> int:
    """Keep the owner's staged files `tokens` until `until` (a draft keeps its files as long
    as itself: cases.drafts); tokens of anyone else are left alone."""
    wanted = [t for t in dict.fromkeys(tokens) if t and len(t) <= 64][:MAX_FILES]
    if not wanted:
        return 0
    return StagedUpload.objects.filter(owner=owner, token__in=wanted,
                                       expires_at__gt=clock.now()).update(expires_at=until)


def content(row: StagedUpload) -> bytes | None:
    """The kept file's bytes, or None when the file is gone from storage."""
    try:
        with row.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return bytes(data)


def _delete_files(names: list[str]) -> None:
    storage = StagedUpload._meta.get_field("file").storage  # type: ignore[attr-defined]
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # a leftover is an orphan for the sweep cases.orphan_uploads
            continue


def _delete(rows: QuerySet[StagedUpload]) -> int:
    """Delete staged rows in the caller's transaction and their files once it commits (so a
    rollback keeps both)."""
    found = list(rows.values_list("pk", "file"))
    if not found:  # the usual filing: one read, nothing kept
        return 0
    count, _ = StagedUpload.objects.filter(pk__in=[pk for pk, _ in found]).delete()
    transaction.on_commit(partial(_delete_files, [name for _, name in found if name]))
    return count


def consume(*, owner: User | None, form: str) -> int:
    """The write that files `form` used up the owner's files kept for it: every one, also
    those of an attempt whose tokens were not posted again (a reloaded page)."""
    if owner is None or not form:
        return 0
    return _delete(StagedUpload.objects.filter(owner=owner, form=form[:120]))


def discard(*, owner: User | None, tokens: Iterable[str]) -> int:
    """Kept files the owner removed or replaced; tokens of anyone else are left alone."""
    wanted = [t for t in dict.fromkeys(tokens) if t]
    if owner is None or not wanted:
        return 0
    return _delete(StagedUpload.objects.filter(owner=owner, token__in=wanted))


def sweep_expired(now: dt.datetime) -> int:
    """Delete the files and rows of staged uploads past their time (idempotent)."""
    expired = StagedUpload.objects.filter(expires_at__lte=now)
    removed = 0
    while True:
        batch = list(expired.values_list("pk", "file")[:500])
        if not batch:
            return removed
        with transaction.atomic():
            removed += StagedUpload.objects.filter(pk__in=[pk for pk, _ in batch]).delete()[0]
            names = [name for _, name in batch if name]
            transaction.on_commit(partial(_delete_files, names))
