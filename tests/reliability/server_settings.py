"""Settings of the servers that the reliability tests start (quality.md #4, #5): the shared
production-like settings (DEBUG off, the database task queue, the file cache shared by every
process), plus the test suite's fast password hasher first, because the copied database holds
the demo users as the test settings hashed them (first, so that signing in does not rewrite
the hash: two concurrent first sign-ins would each rewrite it and end the other's session)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import PASSWORD_HASHERS

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
