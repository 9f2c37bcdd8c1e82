from django.contrib import admin
from django.http import HttpRequest

from zhengwu.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit trail is written by services, never edited by hand."""

    list_display = ("stream", "seq", "at", "actor_label", "role", "action", "object_repr")
    list_filter = ("action", "role", "object_type")
    search_fields = ("object_repr", "actor_label", "request_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
