"""The notifications app; registers the sweep that delivers the outbox (`zhengwu sweep`) and
the SMS transport (accounts.sms) and the notice teller (accounts.notices) of accounts."""

from __future__ import annotations

import datetime as dt

from django.apps import AppConfig

# One sweep delivers at most this many batches, so that a backlog cannot hold the sweep (and,
# on SQLite, the write lock) for long; the rest goes out on the next run.
MAX_BATCHES = 50


def deliver_due(now: dt.datetime) -> str:
    """Sweep: deliver every outbox row due at `now`, batch after batch.

    Rows the earlier sweeps of this run queued are stamped with the running clock, a moment
    after the `now` the run started as of; sending is a real-world act, so whatever is due by
    the later of the two goes out in this run, not in the next one."""
    from zhengwu.core import clock
    from zhengwu.notifications.services import DEFAULT_BATCH, DeliveryReport, outbox_deliver

    moment = max(now, clock.now())
    sent = retrying = failed = 0
    for _ in range(MAX_BATCHES):
        report: DeliveryReport = outbox_deliver(now=moment)
        sent, retrying, failed = (sent + report.sent, retrying + report.retrying,
                                  failed + report.failed)
        # A row that fails is rescheduled after `now`, so a short batch means nothing is left.
        if report.claimed < DEFAULT_BATCH:
            break
    return str(DeliveryReport(sent=sent, retrying=retrying, failed=failed))


class NotificationsConfig(AppConfig):
    name = "zhengwu.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from zhengwu.accounts.notices import teller_register
        from zhengwu.accounts.sms import transport_register
        from zhengwu.core import sweeps
        from zhengwu.notifications.account_notices import AccountTeller
        from zhengwu.notifications.services import SmsTransport

        # Accounts (a layer below) send verification codes and notices through this app.
        transport_register(SmsTransport())
        teller_register(AccountTeller())

        # Last, after every sweep that queues messages: one run decides and delivers.
        sweeps.register("notifications.deliver", deliver_due, stage=sweeps.Stage.DELIVER)
