"""评审专家库 of the 中介超市 (docs/market.md): the 审改办 enters experts — an account, a
专家编号 (the public id: draw candidates and scores in the log carry the code, never the
name), the service types the expert may score (评审专业), the employer — and records their
conflict declarations (利害关系回避) against agencies.

The candidates of a project's panel draw are the active experts of the project's service type
less, before the draw: those who declared a conflict with any agency the panel will score,
those employed by the owner's department, and the owner's staff member themself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import audit_record
from zhengwu.core.errors import FieldsInvalid, NotAllowed
from zhengwu.core.text import TextError, check_text
from zhengwu.departments.models import Department
from zhengwu.market.agencies import is_admin
from zhengwu.market.models import ConflictReason, Expert, ExpertConflict, Project
from zhengwu.market.selectors import service_types

CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


@dataclass
class ExpertIn:
    username: str
    code: str
    employer: str
    department_id: int | None = None
    specialty_ids: list[int] = field(default_factory=list)


@dataclass
class ConflictIn:
    code: str
    uscc: str
    reason: str
    note: str = ""


def _admin(user: User) -> None:
    if not is_admin(user):
        raise NotAllowed("只有审改办（事项管理员）可以管理评审专家库。", code="expert.not_admin")


def _text(problems: dict[str, str], name: str, value: str, label: str, limit: int, *,
          required: bool = True) -> str:
    text = value.strip()
    if not text:
        if required:
            problems[name] = f"请填写{label}。"
    elif len(text) > limit:
        problems[name] = f"{label}至多{limit}个字符。"
    else:
        try:
            check_text(text, label=label)
        except TextError as error:
            problems[name] = error.message + "。"
    return text


@transaction.atomic
def expert_add(*, user: User, data: ExpertIn) -> Expert:
    """Enter an expert into the 评审专家库 (the 审改办)."""
    _admin(user)
    problems: dict[str, str] = {}
    code = data.code.strip().upper()
    if not code or len(code) > 20 or not set(code) <= CODE_CHARS:
        problems["code"] = "专家编号由大写字母、数字和“-”组成，至多20位（如 ZJ-0001）。"
    elif Expert.objects.filter(code=code).exists():
        problems["code"] = "该专家编号已在库中。"
    account = User.objects.filter(username=data.username.strip().replace("\x00", "?")).first() \
        if data.username.strip() else None
    if account is None:
        problems["username"] = "请填写专家已注册的平台账号（用户名）。"
    elif Expert.objects.filter(user=account).exists():
        problems["username"] = "该账号已是库中专家。"
    employer = _text(problems, "employer", data.employer, "工作单位", 200)
    department = None
    if data.department_id is not None:
        department = Department.objects.filter(pk=data.department_id).first()
        if department is None:
            problems["department"] = "请从列表中选择部门，或留空。"
    allowed = set(service_types().values_list("pk", flat=True))
    if not data.specialty_ids or not set(data.specialty_ids) <= allowed:
        problems["specialties"] = "请从中介服务事项清单中至少选择一项评审专业。"
    if problems:
        raise FieldsInvalid(problems, code="expert.invalid")
    assert account is not None
    expert = Expert.objects.create(code=code, user=account, department=department,
                                   employer=employer, registered_at=clock.now())
    expert.specialties.set(data.specialty_ids)
    audit_record(actor=actor_for(user), action="market.expert.add", obj=expert,
                 after={"code": code, "specialties": sorted(data.specialty_ids),
                        "department": department.pk if department else None})
    return expert


@transaction.atomic
def conflict_declare(*, user: User, data: ConflictIn) -> ExpertConflict:
    """Record an expert's conflict with an agency (the 审改办, from the expert's declaration)."""
    _admin(user)
    problems: dict[str, str] = {}
    expert = Expert.objects.filter(code=data.code.strip().upper().replace("\x00", "?")).first()
    if expert is None:
        problems["code"] = "库中没有这个专家编号。"
    uscc = data.uscc.strip().upper()
    if len(uscc) != 18 or not uscc.isalnum():
        problems["uscc"] = "统一社会信用代码为18位字母或数字。"
    elif expert is not None and ExpertConflict.objects.filter(expert=expert,
                                                              uscc=uscc).exists():
        problems["uscc"] = "该专家对这家机构的回避已登记。"
    if data.reason not in ConflictReason.values:
        problems["reason"] = "请选择回避事由。"
    note = _text(problems, "note", data.note, "说明", 200, required=False)
    if problems:
        raise FieldsInvalid(problems, code="expert.conflict_invalid")
    assert expert is not None
    row = ExpertConflict.objects.create(expert=expert, uscc=uscc, reason=data.reason,
                                        note=note, declared_at=clock.now(),
                                        declared_by=user)
    audit_record(actor=actor_for(user), action="market.expert.conflict", obj=expert,
                 after={"uscc": uscc, "reason": data.reason})
    return row


def panel_candidates(project: Project, usccs: list[str]) -> tuple[list[str], int]:
    """The expert codes a project's panel is drawn from, and how many experts of its service
    type were left out (a conflict with one of `usccs`, the owner's department, the owner)."""
    pool = Expert.objects.filter(active=True, specialties=project.service_type_id).distinct()
    conflicted = set(ExpertConflict.objects.filter(uscc__in=usccs).values_list(
        "expert_id", flat=True))
    kept, excluded = [], 0
    for expert in pool.order_by("code"):
        if (expert.pk in conflicted or expert.user_id == project.owner_id
                or (project.department_id is not None
                    and expert.department_id == project.department_id)):
            excluded += 1
        else:
            kept.append(expert.code)
    return kept, excluded
