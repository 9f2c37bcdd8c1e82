"""Settings for the test suite: fast hashing, in-memory e-mail, the same database code paths."""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = DATA_DIR / "test-uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ZHENGWU_ALLOW_FROZEN_CLOCK = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Static files come from the apps' folders in tests; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
(DATA_DIR / "static").mkdir(exist_ok=True)
# SQLite tests run on a real file (WAL, IMMEDIATE transactions), not the shared in-memory
# database, so that concurrency tests see the same locking as production (quality.md #1, #5).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-zhengwu.sqlite3")}  # noqa: F405
# Audit checkpoints and their key in a folder of this session: checkpoints written by one run
# must not meet the next run's fresh database (conftest.py also empties the file per test).
_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="zhengwu-test-audit-"))
ZHENGWU_AUDIT_KEY_FILE = str(_AUDIT_DIR / "keys" / "audit-sm2.key")
ZHENGWU_AUDIT_CHECKPOINTS = str(_AUDIT_DIR / "checkpoints.jsonl")
ZHENGWU_LICENCE_KEY_DIR = str(_AUDIT_DIR / "keys" / "licences")
# Its own folder: audit-verify trusts every .pub beside the audit key.
ZHENGWU_LEDGER_KEY_FILE = str(_AUDIT_DIR / "keys" / "ledger" / "ledger-sm2.key")
# Licence PDFs only where a test looks at one (CI budget): on download, or a test turning it on.
ZHENGWU_LICENCE_PDF_PRERENDER = False
# Tests expect a catalogue change to show in the very next search.
ZHENGWU_SEARCH_BACKGROUND_REBUILD = False
