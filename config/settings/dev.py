"""Local settings for `make run`: SQLite in var/ unless DATABASE_URL says otherwise.

DEBUG stays off unless a developer asks for it with ZHENGWU_DEBUG=1 (config.env): a browser
pointed at `make run` gets the platform's own error pages, never a traceback. Static files are
served by WhiteNoise from STATIC_ROOT (`make run` runs collectstatic), with or without DEBUG.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import ZHENGWU_NOTIFY_SENDERS

# SMS (verification codes included) printed in the console, so that sign-up works without a
# gateway; ZHENGWU_SMS_SENDER names a real one (zhengwu/notifications/senders.py).
ZHENGWU_NOTIFY_SENDERS = {"sms": "zhengwu.notifications.senders.ConsoleSmsSender",
                          **ZHENGWU_NOTIFY_SENDERS}
