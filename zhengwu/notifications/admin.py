"""Django admin for the outbox: read-only, so delivery history cannot be edited, with one
action, "retry now", for rows that failed or wait for their next attempt.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from zhengwu.accounts.services import actor_for
from zhengwu.notifications import services
from zhengwu.notifications.models import OutboxItem
from zhengwu.notifications.senders import mask_address
from zhengwu.notifications.tasks import deliver_outbox


@admin.register(OutboxItem)
class OutboxItemAdmin(admin.ModelAdmin[OutboxItem]):
    list_display = ("id", "channel", "recipient", "masked_address", "subject", "status",
                    "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "category")
    search_fields = ("subject", "dedupe_key")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    # The address is personal data: shown masked, here as in the logs.
    fields = ("channel", "recipient", "masked_address", "subject", "body", "link", "category",
              "status", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at",
              "dedupe_key")
    readonly_fields = fields
    actions = ("retry_now",)

    @admin.display(description="地址")
    def masked_address(self, obj: OutboxItem) -> str:
        return mask_address(obj.address)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_outboxitem")

    @admin.action(description="立即重试所选通知", permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxItem]) -> None:
        count = services.outbox_retry(item_ids=list(queryset.values_list("pk", flat=True)),
                                      actor=actor_for(request.user))  # type: ignore[arg-type]
        transaction.on_commit(deliver_outbox.enqueue)
        self.message_user(request, f"已安排 {count} 条通知立即重试（已发送的不会重发）。")
