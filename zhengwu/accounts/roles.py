"""The roles of requirements.md (Users) and the permissions each carries.

A role is a Django group with these permissions; a RoleAssignment scopes it to a department
and/or region. Permissions not yet used by an app are added as their capability lands.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    APPLICANT_PERSON = "applicant_person", "办事群众"
    APPLICANT_ENTERPRISE = "applicant_enterprise", "办事企业"
    WINDOW_CLERK = "window_clerk", "窗口人员"
    REVIEWER = "reviewer", "后台审批人员"
    CHIEF_REPRESENTATIVE = "chief_representative", "窗口首席代表"
    PROXY_AGENT = "proxy_agent", "帮代办员"
    CATALOG_ADMIN = "catalog_admin", "事项管理员(审改办)"
    SUPERVISOR = "supervisor", "电子监察"
    HOTLINE_OPERATOR = "hotline_operator", "12345话务员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    HALL_MANAGER = "hall_manager", "大厅管理员"


APPLICANT_ROLES = frozenset({Role.APPLICANT_PERSON, Role.APPLICANT_ENTERPRISE})

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.APPLICANT_PERSON: (),
    Role.APPLICANT_ENTERPRISE: (),
    # The window checks the applicant's identity in person: it may show the full ID number
    # and phone, each look logged and audited (quality.md #8).
    Role.WINDOW_CLERK: ("catalog.view_itemimplementation", "cases.unmask_personal_data"),
    Role.REVIEWER: ("catalog.view_itemimplementation",),
    Role.CHIEF_REPRESENTATIVE: ("catalog.view_itemimplementation", "cases.unmask_personal_data"),
    Role.PROXY_AGENT: ("catalog.view_itemimplementation",),
    Role.CATALOG_ADMIN: (
        "catalog.view_itemimplementation", "catalog.edit_catalog", "catalog.publish_catalog",
        "catalog.import_catalog", "catalog.change_synonym", "catalog.add_synonym",
        "catalog.delete_synonym", "catalog.view_synonym", "catalog.view_quality",
    ),
    Role.SUPERVISOR: (
        "catalog.view_itemimplementation", "catalog.view_quality", "core.view_auditevent",
        "cases.view_all_cases",
    ),
    Role.HOTLINE_OPERATOR: ("catalog.view_itemimplementation",),
    Role.SYSTEM_ADMIN: ("core.view_auditevent",),
    # Edits the halls of its region (windows, hours, duty, 进驻) and books for callers
    # (zhengwu/hall, ADR 0018).
    Role.HALL_MANAGER: ("catalog.view_itemimplementation",),
}

# Roles whose holders must pass a second factor (TOTP or a recovery code) at every sign-in
# and enrol on their first (issue 8 finding 3). Other staff may turn TOTP on themselves.
SECOND_FACTOR_ROLES = frozenset({
    Role.SUPERVISOR, Role.SYSTEM_ADMIN, Role.CATALOG_ADMIN, Role.CHIEF_REPRESENTATIVE,
})
