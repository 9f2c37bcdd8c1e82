"""The notifications side of accounts.notices.Teller (registered in apps.ready): a notice about
an account goes to the person's 站内消息 and by SMS, queued in the caller's transaction and
delivered once it commits — the same channels and delivery as a case's notices
(bundles.services._tell)."""

from __future__ import annotations

from django.db import transaction

from zhengwu.accounts.notices import Notice
from zhengwu.notifications.models import Channel
from zhengwu.notifications.services import Note, notify_many
from zhengwu.notifications.tasks import deliver_outbox


class AccountTeller:
    def tell(self, notices: list[Notice], *, category: str) -> None:
        notify_many(notes=[Note(recipient=n.recipient, title=n.title, body=n.body, link=n.link,
                                dedupe_key=n.key) for n in notices],
                    category=category, channels=(Channel.INAPP, Channel.SMS))
        transaction.on_commit(deliver_outbox.enqueue)
