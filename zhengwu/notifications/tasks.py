"""Background delivery of the notification outbox (Django Tasks API).

The sweep ``notifications.deliver`` (`zhengwu sweep`) delivers whatever is due. For prompt
delivery, a caller enqueues this task once its transaction has committed::

    transaction.on_commit(deliver_outbox.enqueue)

It takes no arguments: it delivers every due row, whichever transaction queued it.
"""

from __future__ import annotations

from django_tasks import task

from zhengwu.core import clock
from zhengwu.notifications.services import outbox_deliver


@task()
def deliver_outbox() -> str:
    return str(outbox_deliver(now=clock.now()))
