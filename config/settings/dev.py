"""Local settings for `make run`: DEBUG on, SQLite in var/ unless DATABASE_URL says otherwise."""

from config.env import env_bool
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", default=True)
