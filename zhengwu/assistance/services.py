"""Writes of 帮代办 and 创业管家, each one transaction with its audit row (core.audit) and the
other party told (notifications): a hall manager adds a 代办员 to the roster, opens a 代办项目
(with the authorization request the enterprise confirms), closes it; assigns a 创业管家 to an
enterprise registered here and ends the assignment; the 创业管家 and the enterprise write to
each other; the 创业管家's read of the enterprise's cases is logged like any staff read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.mandates import proxy_authorization_request, speaks_for
from zhengwu.accounts.models import RoleAssignment, User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import actor_for, role_assign, role_revoke
from zhengwu.assistance import selectors
from zhengwu.assistance.models import (
    Butler,
    ButlerMessage,
    Project,
    ProjectItem,
    ProjectStatus,
)
from zhengwu.cases.models import Case
from zhengwu.cases.services import case_accesses_record
from zhengwu.catalog.models import ServiceItem
from zhengwu.core import clock
from zhengwu.core.audit import audit_record
from zhengwu.core.codes import normalize_code
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.notifications.services import Note, notify_many
from zhengwu.regions.models import Region

MAX_ITEMS: Final = 30
MESSAGE_MAX: Final = 2000
# Why a 创业管家 reads the enterprise's cases, as the enterprise's access log shows it.
BUTLER_PURPOSE: Final = "创业管家查看企业办件"
CATEGORY: Final = "assistance"


def _manager_region(manager: User, region_code: str | None = None) -> Region:
    regions = selectors.managed_regions(manager)
    if not regions:
        raise NotAllowed("只有大厅管理员可以管理帮代办和创业管家。", code="assistance.forbidden")
    if region_code:
        for region in regions:
            if region_code.startswith(region.prefix):
                found = Region.objects.filter(code=region_code).first()
                if found is not None:
                    return found
        raise NotAllowed("该区划不在您管理的范围内。", code="assistance.forbidden")
    return regions[0]


def _staff(username: str) -> User:
    user = User.objects.filter(username=username.strip(), kind=UserKind.STAFF,
                               is_active=True).first()
    if user is None:
        raise InvalidInput("未找到该工作人员账号。", code="assistance.staff_unknown")
    return user


def _enterprise(uscc: str) -> User:
    enterprise = selectors.enterprise_by_uscc(normalize_code(uscc))
    if enterprise is None:
        raise InvalidInput("未找到该统一社会信用代码的企业账号。", code="assistance.enterprise_unknown")
    return enterprise


def _tell(recipient: User, title: str, body: str, link: str, key: str) -> None:
    notify_many(notes=[Note(recipient=recipient, title=title, body=body, link=link,
                            dedupe_key=f"assistance:{key}")], category=CATEGORY)


# --- the roster -------------------------------------------------------------------------------


@transaction.atomic
def roster_add(*, manager: User, username: str) -> User:
    """Add a member of staff to the roster of 代办员: the 帮代办员 role in the manager's region
    (accounts.services.role_assign, audited there)."""
    region = _manager_region(manager)
    agent = _staff(username)
    if selectors.is_proxy_agent(agent):
        raise InvalidInput("该工作人员已是帮代办员。", code="assistance.roster_present")
    role_assign(user=agent, role=Role.PROXY_AGENT, region=region, actor=actor_for(manager))
    return agent


@transaction.atomic
def roster_remove(*, manager: User, agent_id: int) -> User:
    """Take a 代办员 off the roster: their 帮代办员 role in the manager's regions
    (accounts.services.role_revoke, audited there). Not while they have open projects: the
    manager closes or reassigns those first."""
    agent = selectors.roster(manager).filter(pk=agent_id).first()
    if agent is None:
        raise InvalidInput("该工作人员不在您管理的帮代办员名单中。", code="assistance.agent")
    if Project.objects.filter(agent=agent, status=ProjectStatus.OPEN).exists():
        raise InvalidInput("该代办员还有在办项目，请先结束这些项目。", code="assistance.agent_busy",
                           http_status=409)
    regions = selectors.managed_regions(manager)
    removed = 0
    for assignment in RoleAssignment.objects.filter(
            user=agent, role=Role.PROXY_AGENT).select_related("region", "department__region"):
        region = assignment.region or (assignment.department.region
                                       if assignment.department else None)
        if region is None or any(region.code.startswith(r.prefix) for r in regions):
            removed += role_revoke(user=agent, role=Role.PROXY_AGENT, region=assignment.region,
                                   department=assignment.department, actor=actor_for(manager))
    return agent


# --- projects ---------------------------------------------------------------------------------


@transaction.atomic
def project_create(*, manager: User, uscc: str, name: str, agent_id: int,
                   item_codes: Sequence[str], ends_on: dt.date, note: str = "") -> Project:
    """Open a 代办项目 for an enterprise, assigned to one 代办员 of the roster, and ask the
    enterprise for the authorization its items need (accounts.mandates: confirmed by the
    enterprise's legal representative on its 授权管理 page). Free of charge: no fee is
    recorded anywhere."""
    region = _manager_region(manager)
    enterprise = _enterprise(uscc)
    name = name.strip()
    if not name:
        raise InvalidInput("请填写项目名称。", code="assistance.name")
    agent = selectors.roster(manager).filter(pk=agent_id).first()
    if agent is None:
        raise InvalidInput("请从帮代办员名单中选择代办员。", code="assistance.agent")
    codes = list(dict.fromkeys(normalize_code(c) for c in item_codes if c.strip()))
    if not codes:
        raise InvalidInput("请至少填写一个事项基本编码。", code="assistance.items")
    if len(codes) > MAX_ITEMS:
        raise InvalidInput(f"一个项目最多 {MAX_ITEMS} 个事项。", code="assistance.items")
    names = dict(ServiceItem.objects.filter(basic_code__in=codes).values_list("basic_code",
                                                                                "name"))
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise InvalidInput(f"事项基本编码“{unknown[0]}”不在事项目录中。", code="assistance.items")
    authorization = proxy_authorization_request(
        manager=manager, principal=enterprise, agent=agent, item_codes=codes,
        starts_on=clock.today(), ends_on=ends_on)
    project = Project.objects.create(
        enterprise=enterprise, name=name[:200], region=region, agent=agent,
        authorization=authorization, note=note.strip()[:500], created_by=manager,
        created_at=clock.now())
    ProjectItem.objects.bulk_create([
        ProjectItem(project=project, basic_code=code, name=names[code], position=n)
        for n, code in enumerate(codes)])
    audit_record(actor=actor_for(manager), action="assistance.project_create", obj=project,
                 after={"enterprise": enterprise.pk, "agent": agent.pk, "items": codes,
                        "authorization": authorization.pk, "fee": 0})
    _tell(agent, "新的帮代办项目", f"您被指派为“{project.name}”（{enterprise}）的代办员。",
          reverse("assistance:project", args=[project.pk]), f"project:{project.pk}:agent")
    return project


@transaction.atomic
def project_close(*, manager: User, project_id: int, reason: str = "") -> Project:
    if not selectors.projects_for(manager).filter(pk=project_id).exists():
        raise InvalidInput("项目不存在。", code="assistance.unknown", http_status=404)
    if not selectors.manages(manager):
        raise NotAllowed("只有大厅管理员可以结束项目。", code="assistance.forbidden")
    project = Project.objects.select_for_update().get(pk=project_id)
    if project.status != ProjectStatus.OPEN:
        raise InvalidInput("项目已结束。", code="assistance.state", http_status=409)
    project.status, project.closed_at = ProjectStatus.CLOSED, clock.now()
    project.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor_for(manager), action="assistance.project_close", obj=project,
                 before={"status": ProjectStatus.OPEN}, after={"status": project.status},
                 reason=reason[:500])
    return project


# --- 创业管家 ---------------------------------------------------------------------------------


@transaction.atomic
def butler_assign(*, manager: User, uscc: str, username: str) -> Butler:
    """Name a 创业管家 (a member of staff) for an enterprise registered on the platform (企业开办
    granted); one at a time."""
    region = _manager_region(manager)
    enterprise = _enterprise(uscc)
    if not selectors.registered_here(enterprise):
        raise InvalidInput("创业管家只为在本平台办理企业开办（设立登记已准予）的企业指派。",
                           code="assistance.not_registered")
    staff = _staff(username)
    if Butler.objects.select_for_update().filter(enterprise=enterprise,
                                                 ended_at__isnull=True).exists():
        raise InvalidInput("该企业已有创业管家，请先结束原指派。", code="assistance.butler_present",
                           http_status=409)
    butler = Butler.objects.create(enterprise=enterprise, manager=staff, region=region,
                                   assigned_by=manager, started_at=clock.now())
    audit_record(actor=actor_for(manager), action="assistance.butler_assign", obj=butler,
                 after={"enterprise": enterprise.pk, "manager": staff.pk})
    _tell(enterprise, "您的创业管家", f"政务服务中心为您指派了创业管家{staff}，可在“我的空间”中与其联系。",
          reverse("assistance:my_butler"), f"butler:{butler.pk}:start")
    _tell(staff, "创业管家指派", f"您被指派为{enterprise}的创业管家。",
          reverse("assistance:butler", args=[butler.pk]), f"butler:{butler.pk}:staff")
    return butler


def _butler_locked(butler_id: int) -> Butler:
    butler = Butler.objects.select_for_update().filter(pk=butler_id).first()
    if butler is None:
        raise InvalidInput("指派不存在。", code="assistance.unknown", http_status=404)
    return butler


@transaction.atomic
def butler_end(*, manager: User, butler_id: int, reason: str = "") -> Butler:
    """End an assignment: from now on the 创业管家 no longer reads the enterprise's cases nor
    writes to it; the thread stays for the enterprise to read."""
    if not selectors.butlers_for(manager).filter(pk=butler_id).exists():
        raise InvalidInput("指派不存在。", code="assistance.unknown", http_status=404)
    if not selectors.manages(manager):
        raise NotAllowed("只有大厅管理员可以结束指派。", code="assistance.forbidden")
    butler = _butler_locked(butler_id)
    if butler.ended_at is not None:
        raise InvalidInput("该指派已结束。", code="assistance.state", http_status=409)
    butler.ended_at, butler.ended_by = clock.now(), manager
    butler.save(update_fields=["ended_at", "ended_by"])
    audit_record(actor=actor_for(manager), action="assistance.butler_end", obj=butler,
                 before={"active": True}, after={"active": False}, reason=reason[:500])
    return butler


def butler_cases(*, user: User, butler_id: int) -> list[Case]:
    """The enterprise's cases for its 创业管家, while the assignment lasts (NotAllowed after):
    each read logged (cases.CaseAccess), so the enterprise sees it in its access log."""
    butler = Butler.objects.select_related("enterprise").filter(pk=butler_id).first()
    if butler is None or butler.manager_id != user.pk or butler.ended_at is not None:
        raise NotAllowed("您不是该企业的创业管家（或指派已结束），不能查看其办件。",
                         code="assistance.butler_forbidden")
    cases = list(Case.objects.filter(applicant=butler.enterprise).select_related(
        "implementation__item", "department").order_by("-submitted_at", "-pk")[:200])
    case_accesses_record(cases=cases, user=user, purpose=BUTLER_PURPOSE)
    return cases


@transaction.atomic
def message_send(*, user: User, butler_id: int, body: str) -> ButlerMessage:
    """A message in the thread: from the 创业管家, or from the enterprise (its account or its
    legal representative, accounts.mandates.speaks_for); only while the assignment lasts."""
    butler = _butler_locked(butler_id)
    enterprise = User.objects.get(pk=butler.enterprise_id)
    from_enterprise = speaks_for(user, enterprise)
    if not from_enterprise and user.pk != butler.manager_id:
        raise InvalidInput("指派不存在。", code="assistance.unknown", http_status=404)
    if butler.ended_at is not None:
        raise InvalidInput("该创业管家指派已结束，不能再发送消息。", code="assistance.state",
                           http_status=409)
    body = body.strip()
    if not body:
        raise InvalidInput("请填写消息内容。", code="assistance.message")
    if len(body) > MESSAGE_MAX:
        raise InvalidInput(f"消息最多 {MESSAGE_MAX} 字。", code="assistance.message")
    message = ButlerMessage.objects.create(butler=butler, sender=user,
                                           from_enterprise=from_enterprise, body=body,
                                           at=clock.now())
    audit_record(actor=actor_for(user), action="assistance.message_send", obj=message,
                 after={"butler": butler.pk, "from_enterprise": from_enterprise,
                        "length": len(body)})
    if from_enterprise:
        _tell(User.objects.get(pk=butler.manager_id), "企业回复", f"{enterprise}回复了您的消息。",
              reverse("assistance:butler", args=[butler.pk]), f"message:{message.pk}")
    else:
        _tell(enterprise, "创业管家消息", f"您的创业管家{user}发来消息。",
              reverse("assistance:my_butler"), f"message:{message.pk}")
    return message
