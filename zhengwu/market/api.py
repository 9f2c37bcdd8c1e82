"""中介超市 API (/api/v1/market/…, issue 15 §1, docs/market.md).

Public (no sign-in; no personal data — no staff names or phones):
- `GET /agencies`: the listed agencies (已入驻) with their service types, 资质, credit score
  and whether each is selectable today.
- `GET /agencies/{uscc}`: one listed agency with its credit components and projects won.
- `GET /projects/{number}`: a project's public parts (owner as department or enterprise
  name, never the staff member; the number of registrations, not who, while open).

Moves (signed in; 403 without the right, 409 in the wrong state, 422 bad input):
- `POST /agencies` (an enterprise account registers its agency, or re-submits when returned);
- `POST /agencies/{uscc}/moves` {"action": "verify"|"return"|"sanction", "reason",
  "blacklist"} (审改办);
- `POST /projects` (an owner posts); `POST /projects/{number}/moves` {"action", …};
- `POST /projects/{number}/scores` {"marks": [{"agency", "technical", "quality"}, …]} (a
  member of the project's 综合评分 panel, once);
- `POST /complaints` {"project", "agency", "text"} (anyone signed in);
  `POST /complaints/{number}/moves` {"action": "uphold"|"dismiss", "reason"} (审改办);
  `GET /complaints/{number}` (the complainant, the 审改办, 电子监察; 404 to others).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.schemas import MAX_ID, PathId
from zhengwu.market import agencies, complaints, projects
from zhengwu.market.models import Agency, Complaint, PanelMember, Project
from zhengwu.market.selectors import (
    agency_credit,
    listed_agencies,
    projects_won,
    selectable_agencies,
)

router = Router(tags=["中介超市"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class QualificationOut(Schema):
    name: str
    level: str
    certificate_number: str
    valid_from: dt.date
    valid_to: dt.date
    valid_today: bool


class ServiceTypeOut(Schema):
    id: int
    name: str


class CreditOut(Schema):
    score: str = Field(description="信用分（公式见 /market/credit-rules/）")
    evaluations: str
    delays: str
    complaints: str
    sanctions: str
    blacklisted: bool


class AgencyOut(Schema):
    uscc: str
    name: str
    status: str
    status_label: str
    staff_count: int
    fee_description: str
    service_types: list[ServiceTypeOut]
    qualifications: list[QualificationOut]
    credit: CreditOut
    illustrative: bool


class ProjectWonOut(Schema):
    number: str
    title: str
    status_label: str


class AgencyDetailOut(AgencyOut):
    projects_won: list[ProjectWonOut]


def _credit(agency: Agency) -> dict[str, Any]:
    c = agency_credit(agency)
    return {"score": str(c.score), "evaluations": str(c.evaluations), "delays": str(c.delays),
            "complaints": str(c.complaints), "sanctions": str(c.sanctions),
            "blacklisted": c.blacklisted}


def agency_out(agency: Agency) -> dict[str, Any]:
    today = clock.today()
    return {"uscc": agency.uscc, "name": agency.name, "status": agency.status,
            "status_label": agency.get_status_display(), "staff_count": agency.staff_count,
            "fee_description": agency.fee_description,
            "service_types": [{"id": s.pk, "name": s.name} for s in agency.service_types.all()],
            "qualifications": [{"name": q.name, "level": q.level,
                                "certificate_number": q.certificate_number,
                                "valid_from": q.valid_from, "valid_to": q.valid_to,
                                "valid_today": q.valid_from <= today <= q.valid_to}
                               for q in agency.qualifications.all()],
            "credit": _credit(agency), "illustrative": agency.illustrative}


@router.get("/agencies", response=list[AgencyOut], auth=None, summary="已入驻中介机构")
def agency_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [agency_out(a) for a in listed_agencies()]


@router.get("/agencies/{uscc}", response=AgencyDetailOut, auth=None, summary="中介机构公开信息")
def agency_get(request: HttpRequest, uscc: str) -> dict[str, Any]:
    agency = listed_agencies().get(uscc=uscc.replace("\x00", "?"))
    return {**agency_out(agency), "projects_won": [
        {"number": p.number, "title": p.title, "status_label": p.get_status_display()}
        for p in projects_won(agency)]}


class QualificationIn(Schema):
    name: str = Field(max_length=120)
    level: str = Field(max_length=40)
    certificate_number: str = Field(max_length=60)
    valid_from: dt.date
    valid_to: dt.date


class AgencyIn(Schema):
    name: str = Field(max_length=120)
    staff_count: int = Field(ge=1, le=100000)
    fee_description: str = Field(max_length=2000)
    service_types: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(max_length=50)
    qualifications: list[QualificationIn] = Field(min_length=1, max_length=10)


@router.post("/agencies", response={201: AgencyOut}, auth=django_auth, summary="申请入驻")
def agency_register(request: HttpRequest, body: AgencyIn) -> Status[dict[str, Any]]:
    agency = agencies.agency_register(user=_user(request), data=agencies.AgencyIn(
        name=body.name, staff_count=body.staff_count, fee_description=body.fee_description,
        service_type_ids=body.service_types, qualifications=[
            agencies.QualificationIn(q.name, q.level, q.certificate_number, q.valid_from,
                                     q.valid_to) for q in body.qualifications]))
    return Status(201, agency_out(agency))


class AgencyMoveIn(Schema):
    action: Literal["verify", "return", "sanction"]
    reason: str = Field("", max_length=1000)
    blacklist: bool = False


@router.post("/agencies/{uscc}/moves", response=AgencyOut, auth=django_auth,
             summary="审核入驻、退回或处罚（审改办）")
def agency_move(request: HttpRequest, uscc: str, body: AgencyMoveIn) -> dict[str, Any]:
    agency = agencies.agency_move(uscc=uscc, user=_user(request), move=agencies.AgencyMoveIn(
        body.action, body.reason, body.blacklist))
    return agency_out(agency)


class RankedOut(Schema):
    agency: str
    price: str
    price_score: str
    marks: list[int] = Field(description="各评审专家的专家分（与 panel 顺序一致）")
    panel_score: str
    total: str


class ProjectOut(Schema):
    number: str
    title: str
    owner: str = Field(description="项目业主（部门或企业名称）")
    service_type: str
    budget: str
    requirements: str
    service_workdays: int
    registration_closes: dt.date
    method: str
    method_label: str
    direct_reason: str
    status: str
    status_label: str
    registrations: int
    draw_number: str
    winner_uscc: str
    winner_name: str
    contract_on: dt.date | None
    due_on: dt.date | None
    delivered_on: dt.date | None
    delayed: bool
    panel: list[str] = Field(description="综合评分：抽中的评审专家编号（不含姓名）")
    ranking: list[RankedOut] = Field(description="综合评分：全部专家评分后公开的评分结果")
    illustrative: bool


def project_out(row: Project) -> dict[str, Any]:
    return {"number": row.number, "title": row.title, "owner": row.owner_name,
            "service_type": row.service_type.name, "budget": str(row.budget),
            "requirements": row.requirements, "service_workdays": row.service_workdays,
            "registration_closes": row.registration_closes, "method": row.method,
            "method_label": row.get_method_display(),
            "direct_reason": row.get_direct_reason_display() if row.direct_reason else "",
            "status": row.status, "status_label": row.get_status_display(),
            "registrations": row.registrations.count(), "draw_number": row.draw_number,
            "winner_uscc": row.winner.uscc if row.winner else "",
            "winner_name": row.winner.name if row.winner else "",
            "contract_on": row.contract_on, "due_on": row.due_on,
            "delivered_on": row.delivered_on, "delayed": row.delayed,
            "panel": list(PanelMember.objects.filter(project=row).order_by(
                "position").values_list("expert__code", flat=True)),
            "ranking": [{"agency": r.agency, "price": str(r.price),
                         "price_score": str(r.price_score), "marks": list(r.marks),
                         "panel_score": str(r.panel_score), "total": str(r.total)}
                        for r in projects.ranking(row)]
            if row.scores_ledger_index is not None else [],
            "illustrative": row.illustrative}


@router.get("/projects/{number}", response=ProjectOut, auth=None, summary="中介服务项目公开信息")
def project_get(request: HttpRequest, number: str) -> dict[str, Any]:
    return project_out(Project.objects.select_related("service_type", "winner").get(
        number=number.replace("\x00", "?")))


class ProjectIn(Schema):
    service_type: int = Field(ge=1, le=MAX_ID)
    title: str = Field(max_length=200)
    budget: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    requirements: str = Field(max_length=4000)
    service_workdays: int = Field(ge=1, le=365)
    registration_closes: dt.date
    method: Literal["random", "lowest", "scored", "direct"]
    direct_reason: Literal["", "secret", "emergency", "sole", "follow_up"] = ""
    department: int | None = Field(None, ge=1, le=MAX_ID)


@router.post("/projects", response={201: ProjectOut}, auth=django_auth, summary="发布中介服务项目")
def project_post(request: HttpRequest, body: ProjectIn) -> Status[dict[str, Any]]:
    row = projects.project_post(user=_user(request), data=projects.ProjectIn(
        service_type_id=body.service_type, title=body.title, budget=body.budget,
        requirements=body.requirements, service_workdays=body.service_workdays,
        registration_closes=body.registration_closes, method=body.method,
        direct_reason=body.direct_reason, department_id=body.department))
    return Status(201, project_out(row))


class ProjectMoveIn(Schema):
    action: Literal["register", "panel", "award", "draw", "choose", "reopen", "fail", "contract", "deliver",
                    "accept", "return_delivery", "pay", "evaluate"]
    reason: str = Field("", max_length=1000)
    agency: str = Field("", max_length=18, description="直接选取：机构统一社会信用代码")
    on: dt.date | None = Field(None, description="签约、付款日期；重新开放报名的新截止日期")
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2,
                                   description="签约金额；最低价项目报名时的报价")
    reference: str = Field("", max_length=60)
    quality: int | None = Field(None, ge=1, le=5)
    timeliness: int | None = Field(None, ge=1, le=5)
    attitude: int | None = Field(None, ge=1, le=5)
    text: str = Field("", max_length=1000)


@router.post("/projects/{number}/moves", response=ProjectOut, auth=django_auth,
             summary="项目操作（报名、选取、签约、交付、验收、付款、评价）")
def project_move(request: HttpRequest, number: str, body: ProjectMoveIn) -> dict[str, Any]:
    row = projects.project_move(number=number, user=_user(request), move=projects.ProjectMoveIn(
        **body.dict()))
    return project_out(row)


class SelectableOut(Schema):
    uscc: str
    name: str


@router.get("/service-types/{item_id}/selectable", response=list[SelectableOut], auth=None,
            summary="今日可选取的中介机构（某服务类型）")
def selectable(request: HttpRequest, item_id: PathId) -> list[dict[str, Any]]:
    return [{"uscc": a.uscc, "name": a.name}
            for a in selectable_agencies(item_id, clock.today())]




class MarkIn(Schema):
    agency: str = Field(max_length=18)
    technical: int = Field(ge=0, le=40)
    quality: int = Field(ge=0, le=30)


class ScoresIn(Schema):
    marks: list[MarkIn] = Field(max_length=50)


@router.post("/projects/{number}/scores", response=ProjectOut, auth=django_auth,
             summary="评审专家评分（综合评分）")
def project_scores(request: HttpRequest, number: str, body: ScoresIn) -> dict[str, Any]:
    row = projects.score_submit(number=number, user=_user(request), marks={
        m.agency: (m.technical, m.quality) for m in body.marks})
    return project_out(row)


class ComplaintIn(Schema):
    project: str = Field("", max_length=24, description="所涉项目编号")
    agency: str = Field("", max_length=18, description="被投诉机构统一社会信用代码")
    text: str = Field(max_length=2000)


class ComplaintOut(Schema):
    number: str
    status: str
    status_label: str
    complainant_role: str
    project: str
    agency: str
    text: str
    filed_at: dt.datetime
    due_on: dt.date
    decided_at: dt.datetime | None
    decision_reason: str
    ledger_index: int | None


def complaint_out(row: Complaint) -> dict[str, Any]:
    return {"number": row.number, "status": row.status,
            "status_label": row.get_status_display(),
            "complainant_role": row.complainant_role,
            "project": row.project.number if row.project else "",
            "agency": row.agency.uscc if row.agency else "", "text": row.text,
            "filed_at": row.filed_at, "due_on": row.due_on, "decided_at": row.decided_at,
            "decision_reason": row.decision_reason, "ledger_index": row.ledger_index}


@router.post("/complaints", response={201: ComplaintOut}, auth=django_auth, summary="投诉")
def complaint_file(request: HttpRequest, body: ComplaintIn) -> Status[dict[str, Any]]:
    row = complaints.complaint_file(user=_user(request), data=complaints.ComplaintIn(
        text=body.text, project=body.project, agency=body.agency))
    return Status(201, complaint_out(row))


@router.get("/complaints/{number}", response=ComplaintOut, auth=django_auth,
            summary="投诉（投诉人、审改办、电子监察）")
def complaint_get(request: HttpRequest, number: str) -> dict[str, Any]:
    row = Complaint.objects.select_related("project", "agency").filter(
        number=number.replace("\x00", "?")).first()
    if row is None or not complaints.may_read(_user(request), row):
        raise Complaint.DoesNotExist  # 404, as for a number that names none
    return complaint_out(row)


class ComplaintMoveIn(Schema):
    action: Literal["uphold", "dismiss"]
    reason: str = Field("", max_length=1000)


@router.post("/complaints/{number}/moves", response=ComplaintOut, auth=django_auth,
             summary="投诉处理：成立或不成立（审改办）")
def complaint_move(request: HttpRequest, number: str, body: ComplaintMoveIn) -> dict[str, Any]:
    row = complaints.complaint_move(number=number, user=_user(request),
                                    move=complaints.ComplaintMoveIn(body.action, body.reason))
    return complaint_out(row)
