"""Senders for tests: one that fails a set number of times first, one that always fails."""

from zhengwu.notifications.senders import InAppSender


class FlakySender(InAppSender):
    """Writes the message, then raises, for the first `failures` calls; then succeeds."""

    failures = 2
    calls = 0

    def send(self, item):
        type(self).calls += 1
        super().send(item)  # a partial write that the failure must roll back
        if type(self).calls <= type(self).failures:
            raise ConnectionError("网关超时")


class BrokenSender:
    def send(self, item):
        raise ConnectionError("网关拒绝连接")
