"""The sharing catalogue in the admin (read-only: it comes from the data pack), and the use
log, read-only like the audit trail: rows are written by services and never edited."""

from django.contrib import admin
from django.http import HttpRequest

from zhengwu.sharing.models import DataUse, SharedDataItem


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SharedDataItem)
class SharedDataItemAdmin(_ReadOnly, admin.ModelAdmin[SharedDataItem]):
    list_display = ("code", "name", "provider", "subject_kind", "illustrative")
    list_filter = ("subject_kind", "illustrative")
    search_fields = ("code", "name")


@admin.register(DataUse)
class DataUseAdmin(_ReadOnly, admin.ModelAdmin[DataUse]):
    list_display = ("seq", "at", "kind", "actor_label", "role", "department_label",
                    "case_number", "basis", "item_code", "licence_id")
    list_filter = ("kind", "basis")
    search_fields = ("case_number", "item_code", "licence_id", "actor_label")
