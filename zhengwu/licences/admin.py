"""Licence types and licences in the admin, read-only: types come from the pack, licences only
from the services (a signed row edited by hand would no longer match its signature)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhengwu.licences.models import Licence, LicenceType


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LicenceType)
class LicenceTypeAdmin(_ReadOnly):
    list_display = ("name", "code", "issuing_department", "holder_kind", "validity_years")


@admin.register(Licence)
class LicenceAdmin(_ReadOnly):
    list_display = ("identifier", "licence_type", "status", "holder_name", "issued_at")
    list_filter = ("status", "licence_type")
    search_fields = ("identifier", "source_case")
    exclude = ("signed_data", "signature", "holder_ref")
