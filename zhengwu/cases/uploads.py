"""Checking uploaded materials: size, count, type by magic bytes, no polyglots (quality.md #13).

Files are stored under generated names in upload storage and served only as attachments. A file
is written before the row that points to it; when the step fails the row is rolled back, so the
file is deleted again (`discarded_on_failure`) rather than left in storage unrecorded (#3).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.files.storage import Storage

from zhengwu.core.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
# What a file input offers to pick: the types SIGNATURES lets through.
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
MAX_FILES = 50
# A scan of an A4 page at 600 dpi is about 35 million pixels. Decoding is what costs memory
# (4 bytes a pixel), so a header declaring more is refused before any pixel is read.
MAX_PIXELS = 60_000_000
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}
# Markup or archive content hidden inside an allowed type makes a polyglot.
SUSPICIOUS = (b"<script", b"<html", b"<svg", b"<?php", b"PK\x03\x04", b"MZ\x90\x00")


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str


def check_upload(name: str, content: bytes) -> CheckedFile:
    label = name[:60] or "文件"
    if not content:
        raise InvalidInput(f"材料“{label}”是空文件。", code="case.upload_empty")
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"材料“{label}”超过 10MB。", code="case.upload_too_large",
                           http_status=413)
    kind = next((v for sig, v in SIGNATURES.items() if content.startswith(sig)), None)
    if kind is None:
        raise InvalidInput(f"材料“{label}”不是 PDF、JPG 或 PNG 文件（按文件内容判断）。",
                           code="case.upload_type")
    lowered = content.lower()
    if any(marker.lower() in lowered for marker in SUSPICIOUS):
        raise InvalidInput(f"材料“{label}”含有不允许的内容（可执行或网页代码）。",
                           code="case.upload_polyglot")
    if kind[1] in ("png", "jpg"):
        from PIL import Image, UnidentifiedImageError

        too_many = InvalidInput(
            f"材料“{label}”图片像素过多（最多 {MAX_PIXELS // 10_000} 万像素），请降低分辨率后重新上传。",
            code="case.upload_too_many_pixels")
        try:
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise too_many
                image.verify()
        except Image.DecompressionBombError as error:  # PIL's own limit, checked at open
            raise too_many from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise InvalidInput(f"材料“{label}”图片已损坏。", code="case.upload_corrupt") from error
    elif b"%%EOF" not in content[-1024:]:
        raise InvalidInput(f"材料“{label}”PDF 文件不完整。", code="case.upload_corrupt")
    return CheckedFile(content, kind[0], kind[1], hashlib.sha256(content).hexdigest())


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
