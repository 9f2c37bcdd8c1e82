"""互联网+监管 services (issue 15 §3): a department keeps its supervision items and its
inspectors; an inspector (or the department for him or her) declares conflicts of interest.

Who acts for a department: staff holding 后台审批人员 or 首席代表 for it (as for 惠企政策);
电子监察 reads everything and changes nothing. Each change is one transaction with its audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.accounts.selectors import is_supervisor, officer_department_ids
from zhengwu.accounts.services import actor_for
from zhengwu.catalog.models import ServiceItem
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.core.errors import FieldsInvalid, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.inspections.models import (
    ConflictDeclaration,
    ConflictReason,
    InspectionMethod,
    Inspector,
    SupervisionItem,
)

# Taken by the app's other modules from here; defined once in accounts.selectors.
__all__ = ["is_supervisor", "officer_department_ids"]


def may_read_staff(user: User | None) -> bool:
    """Who sees the inspectors' register with names: the departments' officers, 电子监察."""
    return bool(officer_department_ids(user)) or is_supervisor(user)


def department_of(user: User) -> Department:
    """The one department `user` acts for (an officer of exactly one)."""
    ids = officer_department_ids(user)
    if len(ids) != 1:
        raise NotAllowed("只有部门的后台审批人员或首席代表可以办理监管事项和执法检查人员。",
                         code="inspections.forbidden")
    return Department.objects.get(pk=next(iter(ids)))


def officer_actor(user: User, department: Department) -> Actor:
    base = actor_for(user, department=department)
    return Actor(user=user, label=base.label, role=base.role, department_id=department.pk,
                 department_label=department.name)


# --- 监管事项清单 ---------------------------------------------------------------------------


@dataclass
class ItemIn:
    code: str
    name: str
    item_codes: list[str] = field(default_factory=list)  # ServiceItem.basic_code
    legal_basis: str = ""
    method: str = InspectionMethod.ON_SITE
    illustrative: bool = False


def _item_checked(data: ItemIn) -> list[ServiceItem]:
    problems: dict[str, str] = {}
    code, name = data.code.strip(), data.name.strip()
    if not code:
        problems["code"] = "请填写监管事项编码。"
    elif SupervisionItem.objects.filter(code=code).exists():
        problems["code"] = f"监管事项编码“{code}”已登记。"
    if not name:
        problems["name"] = "请填写监管事项名称。"
    if not data.legal_basis.strip():
        problems["legal_basis"] = "请填写监管依据（法律法规名称及条款）。"
    if data.method not in InspectionMethod.values:
        problems["method"] = "请选择检查方式。"
    codes = [c.strip() for c in data.item_codes if c.strip()]
    found = list(ServiceItem.objects.filter(basic_code__in=codes))
    missing = sorted(set(codes) - {i.basic_code for i in found})
    if not codes:
        problems["items"] = "请至少选择一项对应的政务服务事项。"
    elif missing:
        problems["items"] = f"事项目录中没有基本编码：{'、'.join(missing)}。"
    if problems:
        raise FieldsInvalid(problems, code="inspections.item_invalid")
    return found


@transaction.atomic
def item_create(*, user: User | None, data: ItemIn, department: Department | None = None,
                actor: Actor | None = None) -> SupervisionItem:
    """Register a supervision item for the user's department (or, loading a pack, for
    `department` with `actor`)."""
    if user is not None:
        department = department_of(user)
        actor = officer_actor(user, department)
    assert department is not None
    assert actor is not None
    items = _item_checked(data)
    row = SupervisionItem.objects.create(
        code=data.code.strip(), name=data.name.strip(), department=department,
        legal_basis=data.legal_basis.strip(), method=data.method,
        illustrative=data.illustrative, created_at=clock.now())
    row.items.set(items)
    audit_record(actor=actor, action="inspections.item_create", obj=row,
                 after={"code": row.code, "name": row.name, "department": department.name,
                        "items": sorted(i.basic_code for i in items), "method": row.method})
    return row


# --- 执法检查人员名录库 ------------------------------------------------------------------------


@transaction.atomic
def inspector_register(*, user: User, username: str, certificate: str) -> Inspector:
    """An officer registers a member of the department's own staff as an inspector."""
    department = department_of(user)
    problems: dict[str, str] = {}
    staff = User.objects.filter(username=username.strip(), is_staff=True,
                                role_assignments__department=department).first()
    if staff is None:
        problems["username"] = f"{department.name}没有该工作人员账号。"
    elif Inspector.objects.filter(user=staff).exists():
        problems["username"] = "该工作人员已在执法检查人员名录库中。"
    number = certificate.strip().upper()
    if not number or len(number) > 30 or not number.isalnum():
        problems["certificate"] = "执法证号应为1至30位字母或数字。"
    elif Inspector.objects.filter(certificate=number).exists():
        problems["certificate"] = f"执法证号“{number}”已登记。"
    if problems:
        raise FieldsInvalid(problems, code="inspections.inspector_invalid")
    assert staff is not None
    row = Inspector.objects.create(user=staff, department=department, certificate=number,
                                   registered_at=clock.now())
    audit_record(actor=officer_actor(user, department), action="inspections.inspector_register",
                 obj=row, after={"certificate": number, "department": department.name})
    return row


def _may_declare_for(user: User, inspector: Inspector) -> bool:
    return inspector.user_id == user.pk or inspector.department_id in officer_department_ids(
        user)


@transaction.atomic
def conflict_declare(*, user: User, certificate: str, uscc: str, reason: str,
                     note: str = "") -> ConflictDeclaration:
    """An inspector declares an enterprise he or she may not inspect (or an officer of the
    department records it for him or her)."""
    inspector = Inspector.objects.filter(certificate=certificate.strip().upper()).first()
    if inspector is None or not _may_declare_for(user, inspector):
        raise NotAllowed("只有执法检查人员本人或其所在部门可以申报回避。",
                         code="inspections.forbidden")
    problems: dict[str, str] = {}
    try:
        code = validate_uscc(uscc.strip().upper())
    except CodeError as error:
        problems["uscc"] = f"{error}。"  # the message names the code already
        code = ""
    if code and ConflictDeclaration.objects.filter(inspector=inspector, uscc=code).exists():
        problems["uscc"] = "已申报过对该企业回避。"
    if reason not in ConflictReason.values:
        problems["reason"] = "请选择回避事由。"
    if len(note) > 200:
        problems["note"] = "说明不超过200字。"
    if problems:
        raise FieldsInvalid(problems, code="inspections.conflict_invalid")
    row = ConflictDeclaration.objects.create(inspector=inspector, uscc=code, reason=reason,
                                             note=note.strip(), declared_at=clock.now(),
                                             declared_by=user)
    audit_record(actor=actor_for(user, department=inspector.department),
                 action="inspections.conflict_declare", obj=row,
                 after={"certificate": inspector.certificate, "uscc": code, "reason": reason})
    return row
