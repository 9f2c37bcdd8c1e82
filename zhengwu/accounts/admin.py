"""Admin for users and their roles; the admin signs in through the platform's own sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from zhengwu.accounts.models import (
    Authorization,
    ExternalIdentity,
    PrivacyConsent,
    PrivacyNotice,
    RoleAssignment,
    User,
)


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("department", "region")


class ExternalIdentityInline(admin.TabularInline[ExternalIdentity, User]):
    """Single sign-on links: made only by the sign-in itself (accounts.services); an
    administrator may remove one (e.g. a staff member's, when they leave)."""

    model = ExternalIdentity
    extra = 0
    max_num = 0
    readonly_fields = ("issuer", "subject", "linked_at")
    can_delete = True


@admin.register(User)
class ZhengwuUserAdmin(UserAdmin[User]):
    list_display = ("username", "display_name", "kind", "phone", "is_staff", "totp_enabled")
    list_filter = ("kind", "is_staff", "totp_enabled")
    search_fields = ("username", "display_name", "phone")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("政务", {"fields": ("kind", "display_name", "phone", "citizen_id", "uscc",
                             "legal_representative_name", "legal_representative_id",
                             "totp_enabled")}),
    )
    inlines = (RoleAssignmentInline, ExternalIdentityInline)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change and "totp_enabled" in form.changed_data and not obj.totp_enabled:
            # TOTP reset (a lost phone): the old secret and codes must not come back at the
            # next enrolment.
            obj.totp_secret = ""
            obj.recovery_codes.all().delete()
        super().save_model(request, obj, form, change)


class _ReadOnly:
    """Records nobody edits in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Authorization)
class AuthorizationAdmin(_ReadOnly, admin.ModelAdmin[Authorization]):
    """Read only: authorizations are granted, confirmed and revoked through accounts.mandates,
    each with its audit row."""

    list_display = ("principal", "agent", "kind", "scope_all", "starts_on", "ends_on",
                    "confirmation", "revoked_at")
    list_filter = ("kind", "confirmation")
    search_fields = ("principal__display_name", "agent__display_name")


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(_ReadOnly, admin.ModelAdmin[PrivacyNotice]):
    """Versions of the privacy notice: published from the data pack (privacy.md), never
    edited, because people agreed to their exact text."""

    list_display = ("version", "title", "published_at")


@admin.register(PrivacyConsent)
class PrivacyConsentAdmin(_ReadOnly, admin.ModelAdmin[PrivacyConsent]):
    """Consents: the evidence that consent was given (PIPL art. 14), and how: online, on paper
    at a window (recorded by the clerk), or demo data from the pack."""

    list_display = ("user", "notice", "at", "method", "recorded_by")
    list_filter = ("method",)
    list_select_related = ("user", "notice", "recorded_by")


def _admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's own login form would sign in with the password alone, past the throttle and
    the second factor: it sends people to the platform's sign-in instead."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


admin.site.login = _admin_login  # type: ignore[method-assign]
