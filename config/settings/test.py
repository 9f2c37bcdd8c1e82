"""Settings for the test suite: fast hashing, in-memory e-mail, the same database code paths."""

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
# Tests expect a catalogue change to show in the very next search.
ZHENGWU_SEARCH_BACKGROUND_REBUILD = False
