"""Checking uploaded materials: size, count, type by magic bytes, no polyglots (quality.md #13;
the check of one file is zhengwu.core.upload_check, shared with accounts' 授权委托书).

Files are stored under generated names in upload storage and served only as attachments. A file
is written before the row that points to it; when the step fails the row is rolled back, so the
file is deleted again (`discarded_on_failure`, core.stored_files, shared with every app's
uploaded files) rather than left in storage unrecorded (#3).
"""

from __future__ import annotations

# The check itself is the core's (one rule for every upload, accounts' letters too); its
# names stay importable from here, where the apps' upload code has always found them.
from zhengwu.core.stored_files import discarded_on_failure, stored
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
