"""惠企政策 API (/api/v1/policies/…, issue 14 §1).

- `GET /benefits`: the published benefits (public).
- `GET /benefits/{code}/eligibility?enterprise=<USCC>[&on=YYYY-MM-DD]`: eligible or not, with
  the per-condition explanation, the amount, what is missing and the facts used (source,
  as-of). An enterprise's facts (营收, 纳税 …) are its business data: answered to the
  enterprise itself, to the staff of the benefit's department and to 电子监察; anyone else
  is told 403.
- `GET /benefits/{code}/eligible`: the department's list of eligible enterprises (or persons)
  today.

A benefit is for enterprises or for persons (`subject_kind`). Lists of persons carry the name
and the ID number **masked** in `subject` (`enterprise` is then empty), and every person so
listed is a logged read the person sees (person_reads); the whole number is shown only on the
department's page, on an officer's request, logged as such. A person's own eligibility is on
their page 我能享受的政策, not in a URL: an ID number is not put in a query string (it would
sit in every proxy's and server's access log).
- `POST /benefits/{code}/grant-lists`: 拟定 a 免申即享 list; `POST /grant-lists/{number}/moves`
  {"action": "confirm"|"withdraw", "note"}: the second member of staff confirms (four-eyes).
- `POST /grants/{id}/payment` {"reference", "paid_on"}: the payment of a confirmed grant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from zhengwu.accounts.models import User, UserKind
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.schemas import PathId
from zhengwu.policies import grants, person_reads, services
from zhengwu.policies.kpis import application_share, benefit_figures
from zhengwu.policies.models import Benefit, Grant, GrantList
from zhengwu.workdays.selectors import calendar_get

router = Router(tags=["惠企政策"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class BenefitOut(Schema):
    code: str
    name: str
    kind: str
    mode: str
    subject_kind: Literal["enterprise", "person"] = Field(description="适用对象：企业或个人")
    department: str
    document_title: str
    doc_number: str
    description: str
    illustrative: bool


def _benefit_out(benefit: Benefit) -> dict[str, Any]:
    return {"code": benefit.code, "name": benefit.name, "kind": benefit.kind,
            "mode": benefit.mode, "subject_kind": benefit.subject_kind,
            "department": benefit.department.name,
            "document_title": benefit.document.title, "doc_number": benefit.document.doc_number,
            "description": benefit.description, "illustrative": benefit.document.illustrative}


@router.get("/benefits", response=list[BenefitOut], auth=None, summary="惠企政策事项")
def benefits(request: HttpRequest) -> list[dict[str, Any]]:
    rows = Benefit.objects.filter(published=True).select_related("department", "document")
    return [_benefit_out(b) for b in rows]


class ConditionOut(Schema):
    label: str
    met: bool | None = Field(description="true 符合，false 不符合，null 需补充")
    text: str


class FactUsedOut(Schema):
    key: str
    label: str
    source: str
    as_of: str


class EligibilityOut(Schema):
    benefit: str
    enterprise: str
    enterprise_name: str
    on: dt.date
    eligible: bool
    status: Literal["eligible", "not_eligible", "needs_facts", "no_rule"]
    version: int | None
    amount: str | None = Field(description="金额（元），符合时按公式计算")
    conditions: list[ConditionOut]
    missing: list[str] = Field(description="需补充的信息")
    facts: list[FactUsedOut] = Field(description="判定所用信息的来源与截至日期")


def _published(code: str) -> Benefit:
    return Benefit.objects.select_related("department", "document").get(
        code=code.upper(), published=True)


def _may_read(user: User, benefit: Benefit, uscc: str) -> bool:
    if user.kind == UserKind.ENTERPRISE and user.uscc == uscc:
        return True
    return (benefit.department_id in services.officer_department_ids(user)
            or services.is_supervisor(user))


@router.get("/benefits/{code}/eligibility", response=EligibilityOut, auth=django_auth,
            summary="某企业是否符合享受条件（逐项说明）")
def eligibility(request: HttpRequest, code: str, enterprise: str,
                on: dt.date | None = None) -> dict[str, Any]:
    benefit = _published(code)
    if person_reads.is_person(benefit):
        raise InvalidInput("该事项适用于个人，个人可在“我能享受的政策”中查看判定结果。",
                           code="policies.person_benefit")
    try:
        uscc = validate_uscc(enterprise)
    except CodeError as error:
        raise InvalidInput(f"{error}。", code="policies.enterprise_invalid") from None
    if not _may_read(_user(request), benefit, uscc):
        raise NotAllowed("只有企业本身、兑现部门和电子监察可以查看企业的判定结果。",
                         code="policies.forbidden")
    answer = services.eligibility(benefit=benefit, code=uscc, on=on)
    if answer is None:
        raise Benefit.DoesNotExist("平台上没有这家企业的任何信息。")
    verdict = services.verdict_json(answer.verdict)
    return {"benefit": benefit.code, "enterprise": uscc, "enterprise_name": answer.subject.name,
            "on": answer.on, "eligible": verdict["status"] == "eligible", **verdict}


class SubjectOut(Schema):
    enterprise: str = Field(description="统一社会信用代码（适用于个人的事项为空）")
    enterprise_name: str = Field(description="企业名称（适用于个人的事项为空）")
    subject_kind: Literal["enterprise", "person"]
    subject: str = Field(description="统一社会信用代码，或隐去中间位数的公民身份号码")
    subject_name: str = Field(description="企业名称或个人姓名")


class EligibleOut(SubjectOut):
    amount: str | None
    conditions: list[ConditionOut]


def _subject(benefit: Benefit, code: str, name: str) -> dict[str, Any]:
    person = person_reads.is_person(benefit)
    return {"enterprise": "" if person else code, "enterprise_name": "" if person else name,
            "subject_kind": benefit.subject_kind, "subject": person_reads.shown(benefit, code),
            "subject_name": name}


@router.get("/benefits/{code}/eligible", response=list[EligibleOut], auth=django_auth,
            summary="符合条件的企业名单（兑现部门）")
def eligible(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    benefit = _published(code)
    user = _user(request)
    if not (benefit.department_id in services.officer_department_ids(user)
            or services.is_supervisor(user)):
        raise NotAllowed("只有兑现部门和电子监察可以查看名单。", code="policies.forbidden")
    answers = services.eligible_answers(benefit=benefit)
    person_reads.log(user=user, benefit=benefit, codes=[a.subject.code for a in answers],
                     purpose=person_reads.API_PURPOSE)
    return [{**_subject(benefit, a.subject.code, a.subject.name),
             **services.verdict_json(a.verdict)} for a in answers]


class GrantOut(SubjectOut):
    id: int
    amount: str | None
    eligible_since: dt.date
    payment_reference: str
    paid_on: dt.date | None


class GrantListOut(Schema):
    number: str
    benefit: str
    status: str
    status_label: str
    as_of: dt.date
    rule_version: int
    prepared_by: str
    confirmed_by: str
    grants: list[GrantOut]


def _grant_out(benefit: Benefit, grant: Grant) -> dict[str, Any]:
    return {"id": grant.pk, **_subject(benefit, grant.subject, grant.subject_name),
            "amount": None if grant.amount is None else str(grant.amount),
            "eligible_since": grant.eligible_since,
            "payment_reference": grant.payment_reference, "paid_on": grant.paid_on}


def _list_out(row: GrantList, user: User) -> dict[str, Any]:
    grants_shown = list(row.grants.all())
    person_reads.log(user=user, benefit=row.benefit, codes=[g.subject for g in grants_shown],
                     purpose=person_reads.API_PURPOSE)
    return {"number": row.number, "benefit": row.benefit.code, "status": row.status,
            "status_label": row.get_status_display(), "as_of": row.as_of,
            "rule_version": row.rule.version, "prepared_by": str(row.prepared_by),
            "confirmed_by": str(row.confirmed_by or ""),
            "grants": [_grant_out(row.benefit, g) for g in grants_shown]}


@router.post("/benefits/{code}/grant-lists", response={201: GrantListOut}, auth=django_auth,
             summary="拟定免申即享名单")
def grant_list_prepare(request: HttpRequest, code: str) -> Status[dict[str, Any]]:
    benefit = _published(code)
    row = grants.grant_list_prepare(user=_user(request), benefit_id=benefit.pk)
    return Status(201, _list_out(row, _user(request)))


class ListMoveIn(Schema):
    action: Literal["confirm", "withdraw"]
    note: str = Field("", max_length=500)


@router.post("/grant-lists/{number}/moves", response=GrantListOut, auth=django_auth,
             summary="复核确认或撤回名单")
def grant_list_move(request: HttpRequest, number: str, body: ListMoveIn) -> dict[str, Any]:
    row = grants.grant_list_move(number=number, user=_user(request),
                                 move=grants.ListMoveIn(action=body.action, note=body.note))
    return _list_out(row, _user(request))


class PaymentIn(Schema):
    reference: str = Field(max_length=60, description="支付凭证号")
    paid_on: dt.date


@router.post("/grants/{grant_id}/payment", response=GrantOut, auth=django_auth,
             summary="登记拨付")
def grant_payment(request: HttpRequest, grant_id: PathId, body: PaymentIn) -> dict[str, Any]:
    grant = grants.grant_paid(user=_user(request), grant_id=grant_id, reference=body.reference,
                              paid_on=body.paid_on)
    benefit = grant.grant_list.benefit
    person_reads.log(user=_user(request), benefit=benefit, codes=[grant.subject],
                     purpose=person_reads.API_PURPOSE)
    return _grant_out(benefit, grant)


class BenefitFiguresOut(Schema):
    code: str
    name: str
    department: str
    granted: int = Field(description="免申即享兑现企业数（已确认名单）")
    amount: str = Field(description="兑现金额（元）")
    paid: int
    paid_amount: str
    median_workdays: float | None = Field(description="从符合条件到复核确认的工作日数（中位数）")
    max_workdays: int | None
    on_application: int = Field(description="申请后准予的办件数（即申即享或依申请，该事项的申请事项，"
                                            "自第1版享受条件生效起）")
    share_without_application: float | None = Field(
        description="免申即享占比：granted / (granted + on_application)；两者皆无时为空")


class ApplicationShareOut(Schema):
    without_application: int = Field(description="免申即享兑现企业数（已确认名单）")
    on_application: int = Field(description="申请后准予的办件数（各事项去重）")
    share: float | None = Field(description="免申即享占比（0–1）；两者皆无时为空")


@router.get("/kpis/share", response=ApplicationShareOut, auth=None,
            summary="免申即享占比（全部惠企政策事项）")
def kpis_share(request: HttpRequest) -> dict[str, Any]:
    return application_share().__dict__


@router.get("/kpis", response=list[BenefitFiguresOut], auth=None, summary="惠企政策兑现指标")
def kpis(request: HttpRequest) -> list[dict[str, Any]]:
    return [{**figures.__dict__, "amount": str(figures.amount),
             "paid_amount": str(figures.paid_amount)}
            for figures in benefit_figures(calendar_get())]
