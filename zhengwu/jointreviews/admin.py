"""Django admin for joint reviews: read-only, since every change is a service with its event
and audit rows (the staff pages and the API make them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhengwu.jointreviews.models import (
    JointReview,
    JointReviewAbsence,
    JointReviewEvent,
    JointReviewParticipant,
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ParticipantInline(ReadOnly, admin.TabularInline[JointReviewParticipant, JointReview]):
    model = JointReviewParticipant
    fields = ("department", "required", "attended", "opinion", "conditions", "reasons",
              "answered_at", "defaulted")
    readonly_fields = fields
    extra = 0


@admin.register(JointReview)
class JointReviewAdmin(ReadOnly, admin.ModelAdmin[JointReview]):
    list_display = ("number", "kind", "title", "lead_department", "starts_at", "answer_due_at",
                    "status", "outcome")
    list_filter = ("status", "kind", "outcome")
    search_fields = ("number", "title", "bundle_number")
    list_select_related = ("lead_department",)
    date_hierarchy = "starts_at"
    inlines = (ParticipantInline,)


@admin.register(JointReviewAbsence)
class JointReviewAbsenceAdmin(ReadOnly, admin.ModelAdmin[JointReviewAbsence]):
    list_display = ("department", "review", "kind", "due_at", "recorded_at")
    list_filter = ("kind",)
    list_select_related = ("department", "review")
    date_hierarchy = "recorded_at"


@admin.register(JointReviewEvent)
class JointReviewEventAdmin(ReadOnly, admin.ModelAdmin[JointReviewEvent]):
    list_display = ("review", "action", "actor_label", "role", "department_label", "at")
    list_filter = ("action",)
    list_select_related = ("review",)
