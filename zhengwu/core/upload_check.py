"""What an uploaded file is, judged by its content (quality.md #13): PDF, JPEG or PNG by magic
bytes, at most 10 MB, no polyglots, images no larger than MAX_PIXELS and not corrupt.

One rule for every upload of the platform — an application's materials (cases.uploads,
bundles) and a signed 授权委托书 (accounts.mandates) — so it lives here, at the bottom of the
layers, where every app may import it. A file's name is never trusted: "委托书.pdf" holding
text is refused, and a file is stored and served with the type its content has (`sniff`).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from zhengwu.core.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
# What a file input offers to pick: the types SIGNATURES lets through.
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
# A scan of an A4 page at 600 dpi is about 35 million pixels. Decoding is what costs memory
# (4 bytes a pixel), so a header declaring more is refused before any pixel is read.
MAX_PIXELS = 60_000_000
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}
# The longest signature: how many leading bytes `sniff` needs.
SNIFF_BYTES = max(len(signature) for signature in SIGNATURES)
# Markup or archive content hidden inside an allowed type makes a polyglot.
SUSPICIOUS = (b"<script", b"<html", b"<svg", b"<?php", b"PK\x03\x04", b"MZ\x90\x00")


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file's content from its first bytes, or None when it is
    not PDF, PNG or JPEG."""
    return next((kind for signature, kind in SIGNATURES.items()
                 if content.startswith(signature)), None)


def check_upload(name: str, content: bytes, *, what: str = "材料") -> CheckedFile:
    """The checked file, or InvalidInput (code case.upload_*) naming `what` and the file."""
    label = name[:60] or "文件"
    if not content:
        raise InvalidInput(f"{what}“{label}”是空文件。", code="case.upload_empty")
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"{what}“{label}”超过 10MB。", code="case.upload_too_large",
                           http_status=413)
    kind = sniff(content)
    if kind is None:
        raise InvalidInput(f"{what}“{label}”不是 PDF、JPG 或 PNG 文件（按文件内容判断）。",
                           code="case.upload_type")
    lowered = content.lower()
    if any(marker.lower() in lowered for marker in SUSPICIOUS):
        raise InvalidInput(f"{what}“{label}”含有不允许的内容（可执行或网页代码）。",
                           code="case.upload_polyglot")
    if kind[1] in ("png", "jpg"):
        from PIL import Image, UnidentifiedImageError

        too_many = InvalidInput(
            f"{what}“{label}”图片像素过多（最多 {MAX_PIXELS // 10_000} 万像素），请降低分辨率后重新上传。",
            code="case.upload_too_many_pixels")
        try:
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise too_many
                image.verify()
        except Image.DecompressionBombError as error:  # PIL's own limit, checked at open
            raise too_many from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise InvalidInput(f"{what}“{label}”图片已损坏。", code="case.upload_corrupt") from error
    elif b"%%EOF" not in content[-1024:]:
        raise InvalidInput(f"{what}“{label}”PDF 文件不完整。", code="case.upload_corrupt")
    return CheckedFile(content, kind[0], kind[1], hashlib.sha256(content).hexdigest())
