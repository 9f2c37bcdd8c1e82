"""Django admin for 一件事. Definitions change only through drafts reviewed by a second
administrator (/bundles/staff/definitions/), and bundle cases only through the services, so
everything here is read-only; the material identity table (一次采集) comes with the data pack
(material_identities.csv), loaded with an audit row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhengwu.bundles.models import (
    Bundle,
    BundleCase,
    BundleDraft,
    BundleMember,
    BundleVersion,
    MaterialIdentity,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "audience", "hall_level", "lead_department", "version",
                    "illustrative")
    list_filter = ("audience", "hall_level", "illustrative")
    search_fields = ("code", "name", "theme")


@admin.register(BundleVersion)
class BundleVersionAdmin(ReadOnlyAdmin):
    list_display = ("bundle", "number", "published_at", "approved_by", "note")


@admin.register(BundleDraft)
class BundleDraftAdmin(ReadOnlyAdmin):
    list_display = ("code", "state", "author", "reviewer", "published_version", "updated_at")
    list_filter = ("state",)


class MemberInline(admin.TabularInline[BundleMember, BundleCase]):
    model = BundleMember
    fields = ("position", "item_name", "department", "state", "case", "started_at", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BundleCase)
class BundleCaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "bundle", "status", "result", "submitted_at", "due_at",
                    "finished_at")
    list_filter = ("status", "result")
    search_fields = ("number",)
    exclude = ("applicant_id_number", "applicant_phone", "form_data")
    inlines = [MemberInline]


@admin.register(MaterialIdentity)
class MaterialIdentityAdmin(ReadOnlyAdmin):
    list_display = ("identity", "names")
    search_fields = ("identity",)
