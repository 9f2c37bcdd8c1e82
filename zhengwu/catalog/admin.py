"""Django admin for the catalogue. Published guides change only through drafts and review
(/staff/catalog/…), so implementations and versions are read-only here; synonyms are edited
here and every save refreshes the search index.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhengwu.accounts.services import actor_for
from zhengwu.catalog import services
from zhengwu.catalog.models import (
    ImplementationVersion,
    ItemImplementation,
    ServiceItem,
    Synonym,
    Theme,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyAdmin):
    list_display = ("basic_code", "name", "item_type", "is_intermediary", "illustrative")
    list_filter = ("item_type", "is_intermediary", "illustrative")
    search_fields = ("basic_code", "name", "keywords")


@admin.register(ItemImplementation)
class ItemImplementationAdmin(ReadOnlyAdmin):
    list_display = ("code", "item", "department", "region", "level", "version", "status")
    list_filter = ("level", "status", "deemed_approval", "commitment_allowed", "delegated")
    search_fields = ("code", "item__name")
    list_select_related = ("item", "department", "region")


@admin.register(ImplementationVersion)
class ImplementationVersionAdmin(ReadOnlyAdmin):
    list_display = ("implementation", "number", "published_at", "approved_by")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin[Theme]):
    list_display = ("name", "audience", "kind")


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin[Synonym]):
    list_display = ("term", "targets")
    search_fields = ("term", "targets")

    def save_model(self, request: HttpRequest, obj: Synonym, form: Any, change: bool) -> None:
        saved = services.synonym_save(term=obj.term, targets=obj.targets,
                                      synonym_id=obj.pk if change else None,
                                      actor=actor_for(request.user))  # type: ignore[arg-type]
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Synonym) -> None:
        services.synonym_delete(synonym_id=obj.pk,
                                actor=actor_for(request.user))  # type: ignore[arg-type]
