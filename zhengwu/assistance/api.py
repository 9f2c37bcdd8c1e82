"""The JSON API of 帮代办 and 创业管家 (docs/assistance.md): one's projects and a project's
progress; an assignment of a 创业管家 (with the enterprise's cases for the 创业管家 only, each
read logged) and its thread; a message in the thread."""

# No `from __future__ import annotations` here: ninja resolves a view's annotations in the
# module's namespace at import time.

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.accounts.space import space_of
from zhengwu.assistance import selectors, services
from zhengwu.assistance.models import Butler, Project
from zhengwu.assistance.schemas import (
    AssistanceButlerOut,
    AssistanceMessageIn,
    AssistanceMessageOut,
    AssistanceProjectOut,
    AssistanceProjectPage,
)
from zhengwu.core import personal_space
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.schemas import MAX_ID, PathId

router = Router(tags=["assistance"], auth=django_auth)


class AssistancePageQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class SpaceQuery(Schema):
    account: int | None = Field(None, ge=1, le=MAX_ID,
                                description="企业账号 ID（法定代表人进入企业空间时；默认本人）")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment is not None else None


def _project_out(project: Project) -> dict[str, Any]:
    return {"id": project.pk, "name": project.name, "enterprise": str(project.enterprise),
            "uscc": project.enterprise.uscc, "agent": str(project.agent),
            "status": project.status, "authorization": selectors.authorization_state(project),
            "authorization_ends_on": project.authorization.ends_on.isoformat()
            if project.authorization else None, "fee": 0,
            "items": [{**row.__dict__, "due_at": _iso(row.due_at)}
                      for row in selectors.progress(project)]}


@router.get("/projects", response=AssistanceProjectPage)
def projects(request: HttpRequest, page: Query[AssistancePageQuery]) -> dict[str, Any]:
    """The projects the caller may see: a hall manager's region's, a 代办员's own, those of the
    enterprises an applicant speaks for."""
    rows = selectors.projects_for(_user(request))
    return {"items": [_project_out(p) for p in rows[page.offset:page.offset + page.limit]],
            "count": rows.count()}


def _not_found(what: str) -> InvalidInput:
    return InvalidInput(f"{what}不存在。", code="assistance.unknown", http_status=404)


@router.get("/projects/{project_id}", response=AssistanceProjectOut)
def project(request: HttpRequest, project_id: PathId) -> dict[str, Any]:
    """A project's progress: its items, each case's status and deadline, whom it waits on."""
    found = selectors.projects_for(_user(request)).filter(pk=project_id).first()
    if found is None:
        raise _not_found("项目")
    return _project_out(found)


def _butler_out(butler: Butler, user: User) -> dict[str, Any]:
    cases = services.butler_cases(user=user, butler_id=butler.pk) \
        if butler.manager_id == user.pk and butler.active else []
    return {"id": butler.pk, "enterprise": str(butler.enterprise),
            "uscc": butler.enterprise.uscc, "manager": str(butler.manager),
            "started_at": _iso(butler.started_at), "ended_at": _iso(butler.ended_at),
            "cases": [{"number": c.number, "item": c.implementation.item.name,
                       "status": c.status, "due_at": _iso(c.due_at)} for c in cases],
            "messages": [_message_out(m) for m in butler.messages.select_related("sender")]}


def _message_out(message: Any) -> dict[str, Any]:
    return {"at": _iso(message.at), "from_enterprise": message.from_enterprise,
            "sender": str(message.sender), "body": message.body}


def _butler_visible(user: User, butler_id: int) -> Butler:
    """Staff: the assignments they manage or serve; an applicant: their enterprise's own
    (accounts.space: the enterprises they speak for)."""
    found = selectors.butlers_for(user).filter(pk=butler_id).first()
    if found is None and not user.is_staff:
        candidate = Butler.objects.select_related("enterprise", "manager").filter(
            pk=butler_id).first()
        if candidate is not None:
            try:
                space_of(user, candidate.enterprise_id)
                found = candidate
            except NotAllowed:  # not theirs: absent, as an unknown one is
                found = None
    if found is None:
        raise _not_found("指派")
    return found


@router.get("/butlers/{butler_id}", response=AssistanceButlerOut)
def butler(request: HttpRequest, butler_id: PathId) -> dict[str, Any]:
    """Staff: an assignment of a 创业管家 and its thread; the enterprise's cases for the
    创业管家 in office only (each read logged in the enterprise's access log)."""
    user = _user(request)
    found = selectors.butlers_for(user).filter(pk=butler_id).first()
    if found is None:
        raise _not_found("指派")
    return _butler_out(found, user)


@router.get("/my/butler", response=AssistanceButlerOut)
def my_butler(request: HttpRequest, space: Query[SpaceQuery]) -> dict[str, Any]:
    """The enterprise's 创业管家 and the thread (its space: `account` is the enterprise the
    legal representative opened); 404 when it has none."""
    user = _user(request)
    personal_space.owner_check(user)
    found = selectors.butler_of_space(space_of(user, space.account))
    if found is None:
        raise _not_found("创业管家")
    return _butler_out(found, user)


@router.post("/butlers/{butler_id}/messages", response={201: AssistanceMessageOut})
def message(request: HttpRequest, butler_id: PathId,
            body: AssistanceMessageIn) -> Status[dict[str, Any]]:
    """Write in the thread: the 创业管家 in office, or the enterprise (its legal
    representative); 409 once the assignment has ended."""
    user = _user(request)
    _butler_visible(user, butler_id)
    return Status(201, _message_out(services.message_send(user=user, butler_id=butler_id,
                                                          body=body.body)))
