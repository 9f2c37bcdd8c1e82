from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from zhengwu.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("department", "region")


@admin.register(User)
class ZhengwuUserAdmin(UserAdmin[User]):
    list_display = ("username", "display_name", "kind", "phone", "is_staff", "totp_enabled")
    list_filter = ("kind", "is_staff", "totp_enabled")
    search_fields = ("username", "display_name", "phone")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("政务", {"fields": ("kind", "display_name", "phone", "citizen_id", "uscc",
                             "totp_enabled", "locked_until")}),
    )
    inlines = (RoleAssignmentInline,)
