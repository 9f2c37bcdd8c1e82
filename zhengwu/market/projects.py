"""中介服务项目 (issue 15 §1) on the process engine (ADR 0013): post, 报名, selection,
contract, delivery on a working-day deadline, 验收, payment, the owner's evaluation.

- **Post**: a department's staff member (后台审批人员 or 首席代表, for their department) or an
  enterprise account (a private owner) posts a project for one 中介服务事项: budget, service
  period in working days, registration closing date, selection method.
- **报名**: while the window is open (to the closing date, inclusive), an agency selectable for
  the service type (selectors.selectable_agencies) registers.
- **随机抽取** (`draw`, after the closing date): the registered agencies still selectable that
  day are the candidates; fewer than three — refused (the owner re-opens registration or
  declares the project failed, 流标). Otherwise a verifiable draw opens
  (draws.services.draw_open) with the owner, the platform and 电子监察 as parties; this module
  listens to the draw process and, in the draw's own finishing transaction, records the winner
  (`draw_done`) — or, if the draw was aborted, puts the project back to the owner to draw
  again (`draw_aborted`).
- **最低价** (`award`, after the closing date): each agency registers with its price (at
  most the budget); the lowest price among the registrations still qualified wins; a tie is
  broken by a verifiable draw among the tied (`draw`, the same draw as above).
- **综合评分** (`panel`, after the closing date): each agency registers with its price; the
  owner draws a panel of experts (scoring.PANEL_SIZE) from the 评审专家库 by the same
  verifiable draw (experts.panel_candidates: conflicts excluded before the draw); each member
  scores every agency (`score`); when the last has scored, the scores and the ranking by the
  published rule (scoring.py) go to the transparency log (`scores_complete`) and the owner
  awards the highest total (`award`) or, on a tie, draws among the tied (`draw`).
- **直接选取** (`choose`): only with a reason from DirectReason, recorded on the project, and
  only a selectable agency.
- Then `contract` (date, amount; due date = contract date + the service period in working days
  on the official calendar), `deliver` (the agency; after the due date it counts as a delay),
  `accept` or `return_delivery` (the owner), `pay`, `evaluate` (1–5 stars for 质量, 时效,
  态度 and a text, appended to the transparency log as `market.evaluation` without the text or
  any person).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.selectors import officer_department_ids
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import Conflict, FieldsInvalid, InvalidInput, NotAllowed
from zhengwu.core.numbering import next_value
from zhengwu.core.text import TextError, check_text
from zhengwu.departments.models import Department
from zhengwu.draws.models import Draw, DrawStatus, PartyRole
from zhengwu.draws.services import PartyIn, draw_open
from zhengwu.ledger.services import ledger_append
from zhengwu.market import scoring
from zhengwu.market.experts import panel_candidates
from zhengwu.market.models import (
    Agency,
    DirectReason,
    Evaluation,
    Expert,
    Method,
    PanelMember,
    Project,
    ProjectEvent,
    Registration,
    Score,
)
from zhengwu.market.models import ProjectStatus as S
from zhengwu.market.selectors import agency_of, is_selectable, selectable_agencies, service_types
from zhengwu.process import engine
from zhengwu.process.engine import By
from zhengwu.process.spec import Attempt, FollowUp, Move, Outcome, Process, Refusal, Step, Table
from zhengwu.workdays.selectors import calendar_get

OWNER = "owner"
AGENCY = "agency"      # any enterprise account holding an agency (registers)
WINNER = "winner"      # the selected agency's account
EXPERT = "expert"      # a member of the project's 综合评分 panel
SYSTEM_ROLE = "system"
MIN_CANDIDATES = 3     # 随机抽取 needs at least three qualified registered agencies


def owner_departments(user: User | None) -> list[Department]:
    """The departments `user` may post a project for: those they act for as 后台审批人员 or
    首席代表 (accounts.selectors.OFFICER_ROLES, the one definition)."""
    return list(Department.objects.filter(pk__in=officer_department_ids(user)).order_by("name"))


def may_post(user: User | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(owner_departments(user)) or (user.kind == UserKind.ENTERPRISE
                                             and bool(user.uscc))


def roles_on(user: User | None, row: Project) -> frozenset[str]:
    if user is None:
        return frozenset({SYSTEM_ROLE})
    roles = set()
    if row.owner_id == user.pk:
        roles.add(OWNER)
    agency = agency_of(user)
    if agency is not None:
        roles.add(AGENCY)
        if row.winner_id == agency.pk:
            roles.add(WINNER)
    if row.method == Method.SCORED and PanelMember.objects.filter(
            project=row, expert__user=user).exists():
        roles.add(EXPERT)
    return frozenset(roles)


def _window_open(row: Project, attempt: Attempt) -> Refusal | None:
    if attempt.now.astimezone(clock.SHANGHAI).date() > row.registration_closes:
        return Refusal("project.registration_closed", "报名已截止。")
    return None


def _may_register(row: Project, attempt: Attempt) -> Refusal | None:
    agency = agency_of(attempt.user)
    if agency is None:
        return Refusal("project.no_agency", "本单位尚未入驻中介超市。", forbidden=True)
    if Registration.objects.filter(project=row, agency=agency).exists():
        return Refusal("project.registered", "本机构已报名该项目。")
    if not is_selectable(agency, row.service_type_id,
                         attempt.now.astimezone(clock.SHANGHAI).date()):
        return Refusal("project.not_qualified",
                       "本机构不具备该服务类型的有效资质（或未入驻、已列入黑名单），不能报名。",
                       forbidden=True)
    return None


def _window_closed(row: Project, attempt: Attempt) -> Refusal | None:
    if attempt.now.astimezone(clock.SHANGHAI).date() <= row.registration_closes:
        return Refusal("project.registration_open", "报名截止后才能选取中介机构。")
    return None


def _stage(row: Project, attempt: Attempt) -> Refusal | None:
    """综合评分 selects only once the panel has scored; the other methods from 报名中."""
    if row.method == Method.SCORED and row.status != S.SCORED:
        return Refusal("project.not_scored", "综合评分项目须先抽取评审专家并完成评分。")
    if row.method != Method.SCORED and row.status != S.OPEN:
        return Refusal("project.stage", "该项目当前不能进行此操作。")
    return None


def _not_scored(row: Project, attempt: Attempt) -> Refusal | None:
    if PanelMember.objects.filter(project=row, expert__user=attempt.user,
                                  scored_at__isnull=False).exists():
        return Refusal("project.scored", "您已提交评分，不能重复评分。")
    return None


def _method(*methods: str) -> Any:
    def guard(row: Project, attempt: Attempt) -> Refusal | None:
        if row.method not in methods:
            return Refusal("project.method", f"该项目的选取方式为“{row.get_method_display()}”。")
        return None
    return guard


PROJECT_TABLE: Table[Project] = Table(
    name="project", noun="中介服务项目", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on, moves={
        "register": Move(frozenset({S.OPEN}), None, frozenset({AGENCY}), "报名",
                         guards=(_window_open, _may_register)),
        "reopen": Move(frozenset({S.OPEN}), None, frozenset({OWNER}), "重新开放报名",
                       guards=(_window_closed,)),
        "fail": Move(frozenset({S.OPEN}), S.FAILED, frozenset({OWNER}), "流标"),
        "draw": Move(frozenset({S.OPEN, S.SCORED}), S.DRAWING, frozenset({OWNER}), "随机抽取",
                     guards=(_method(Method.RANDOM, Method.LOWEST, Method.SCORED),
                             _window_closed, _stage)),
        "award": Move(frozenset({S.OPEN, S.SCORED}), S.SELECTED, frozenset({OWNER}), "确定中选",
                      guards=(_method(Method.LOWEST, Method.SCORED), _window_closed, _stage)),
        "panel": Move(frozenset({S.OPEN}), S.PANEL, frozenset({OWNER}), "抽取评审专家",
                      guards=(_method(Method.SCORED), _window_closed)),
        "panel_done": Move(frozenset({S.PANEL}), S.SCORING, frozenset({SYSTEM_ROLE}),
                           "评审专家抽取完成"),
        "panel_aborted": Move(frozenset({S.PANEL}), S.OPEN, frozenset({SYSTEM_ROLE}),
                              "评审专家抽取中止"),
        "score": Move(frozenset({S.SCORING}), None, frozenset({EXPERT}), "专家评分",
                      guards=(_not_scored,)),
        "scores_complete": Move(frozenset({S.SCORING}), S.SCORED, frozenset({SYSTEM_ROLE}),
                                "评分完成"),
        "tie_draw_aborted": Move(frozenset({S.DRAWING}), S.SCORED, frozenset({SYSTEM_ROLE}),
                                 "抽取中止"),
        "draw_done": Move(frozenset({S.DRAWING}), S.SELECTED, frozenset({SYSTEM_ROLE}),
                          "抽取完成"),
        "draw_aborted": Move(frozenset({S.DRAWING}), S.OPEN, frozenset({SYSTEM_ROLE}),
                             "抽取中止"),
        "choose": Move(frozenset({S.OPEN}), S.SELECTED, frozenset({OWNER}), "直接选取",
                       guards=(_method(Method.DIRECT),)),
        "contract": Move(frozenset({S.SELECTED}), S.CONTRACTED, frozenset({OWNER}), "登记合同"),
        "deliver": Move(frozenset({S.CONTRACTED}), S.DELIVERED, frozenset({WINNER}),
                        "交付服务成果"),
        "accept": Move(frozenset({S.DELIVERED}), S.ACCEPTED, frozenset({OWNER}), "验收通过"),
        "return_delivery": Move(frozenset({S.DELIVERED}), S.CONTRACTED, frozenset({OWNER}),
                                "验收不通过（退回）"),
        "pay": Move(frozenset({S.ACCEPTED}), S.PAID, frozenset({OWNER}), "登记付款"),
        "evaluate": Move(frozenset({S.PAID}), S.EVALUATED, frozenset({OWNER}), "评价"),
    })

PAGE_ACTIONS = ("register", "panel", "award", "draw", "choose", "reopen", "fail", "contract", "deliver",
                "accept", "return_delivery", "pay", "evaluate")


@dataclass
class ProjectMoveIn:
    action: str
    reason: str = ""
    agency: str = ""              # choose: the agency's USCC
    on: dt.date | None = None     # contract, pay: the date; reopen: the new closing date
    amount: Decimal | None = None  # contract
    reference: str = ""           # pay
    quality: int | None = None    # evaluate
    timeliness: int | None = None
    attitude: int | None = None
    text: str = ""
    # score: agency USCC → (技术方案, 服务质量保障) as typed (None: left empty)
    marks: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


@dataclass
class ProjectIn:
    service_type_id: int | None
    title: str
    budget: Decimal | None
    requirements: str
    service_workdays: int | None
    registration_closes: dt.date | None
    method: str
    direct_reason: str = ""
    department_id: int | None = None


def _checked(problems: dict[str, str], name: str, value: str, label: str, limit: int, *,
             multiline: bool = False, required: bool = True) -> str:
    text = value.strip()
    if not text:
        if required:
            problems[name] = f"请填写{label}。"
        return text
    if len(text) > limit:
        problems[name] = f"{label}至多{limit}个字符。"
        return text
    try:
        check_text(text, label=label, multiline=multiline)
    except TextError as error:
        problems[name] = error.message + "。"
    return text


def project_validate(data: ProjectIn, today: dt.date) -> None:
    problems: dict[str, str] = {}
    data.title = _checked(problems, "title", data.title, "项目名称", 200)
    data.requirements = _checked(problems, "requirements", data.requirements, "服务要求", 4000,
                                 multiline=True)
    if data.service_type_id is None or not service_types().filter(
            pk=data.service_type_id).exists():
        problems["service_type"] = "请从中介服务事项清单中选择服务类型。"
    if data.budget is None or not Decimal("0.01") <= data.budget <= Decimal("999999999999"):
        problems["budget"] = "预算应为大于0的金额（元）。"
    if data.service_workdays is None or not 1 <= data.service_workdays <= 365:
        problems["service_workdays"] = "服务期限应为1到365个工作日。"
    if data.registration_closes is None:
        problems["registration_closes"] = "请填写报名截止日期（如 2026-12-31）。"
    elif data.registration_closes < today:
        problems["registration_closes"] = "报名截止日期不能早于今天。"
    if data.method not in Method.values:
        problems["method"] = "请选择选取方式。"
    elif data.method == Method.DIRECT and data.direct_reason not in DirectReason.values:
        problems["direct_reason"] = "直接选取须从规定情形中选择理由。"
    elif data.method != Method.DIRECT and data.direct_reason:
        problems["direct_reason"] = "只有直接选取才填写直接选取理由。"
    if problems:
        raise FieldsInvalid(problems, code="project.invalid")


@transaction.atomic
def project_post(*, user: User, data: ProjectIn) -> Project:
    """Post a project: by a department's staff member for one of their departments, or by
    an enterprise account as a private owner."""
    if not may_post(user):
        raise NotAllowed("只有部门工作人员（后台审批人员、首席代表）或企业账号可以发布中介服务项目。",
                         code="project.not_owner")
    today = clock.today()
    project_validate(data, today)
    departments = owner_departments(user)
    department = None
    if departments:
        department = next((d for d in departments if d.pk == data.department_id),
                          departments[0] if len(departments) == 1 else None)
        if department is None:
            raise FieldsInvalid({"department": "请选择以哪个部门的名义发布。"},
                                code="project.invalid")
    assert data.service_type_id is not None
    assert data.budget is not None
    assert data.service_workdays is not None
    assert data.registration_closes is not None
    now = clock.now()
    number = f"ZJ{today.year}{next_value(f'market.project.{today.year}'):05d}"
    row = Project.objects.create(
        number=number, owner=user, owner_name=department.name if department else str(user),
        department=department, service_type_id=data.service_type_id, title=data.title,
        budget=data.budget, requirements=data.requirements,
        service_workdays=data.service_workdays, registration_closes=data.registration_closes,
        method=data.method, direct_reason=data.direct_reason if data.method == Method.DIRECT
        else "", posted_at=now)
    _record(row, Step(action="post", before="", actor=_actor(user, row, OWNER, None),
                      reason="", data={"method": row.method, "budget": str(row.budget)},
                      at=now))
    return row


def _day(attempt: Attempt) -> dt.date:
    return attempt.now.astimezone(clock.SHANGHAI).date()


def _register(row: Project, move: ProjectMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    agency = agency_of(attempt.user)
    assert agency is not None  # the guard
    bid = None
    if row.method in (Method.LOWEST, Method.SCORED):
        if move.amount is None or move.amount <= 0 or move.amount > row.budget:
            raise FieldsInvalid({"amount": f"{row.get_method_display()}项目报名须报价：大于0且不超过预算"
                                           f"{row.budget}元。"},
                                code="project.bid_invalid")
        bid = move.amount
    Registration.objects.create(project=row, agency=agency, registered_at=attempt.now, bid=bid)
    # The price is not in the event or the audit row's public part before the award.
    return {"agency": agency.uscc}


def _reopen(row: Project, move: ProjectMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    if move.on is None or move.on <= _day(attempt):
        raise FieldsInvalid({"on": "新的报名截止日期应晚于今天。"}, code="project.closes_invalid")
    row.registration_closes = move.on
    return {"registration_closes": move.on.isoformat()}


def _fail(row: Project, move: ProjectMoveIn, attempt: Attempt,
          actor: Actor) -> dict[str, Any]:
    if not move.reason.strip():
        raise InvalidInput("请填写流标理由。", code="project.reason_required")
    return {}


def candidates_of(row: Project, on: dt.date) -> list[Agency]:
    """The registered agencies still selectable on `on` (资质 valid, not blacklisted)."""
    selectable = {a.pk for a in selectable_agencies(row.service_type_id, on)}
    return [r.agency for r in row.registrations.select_related("agency").order_by("agency__uscc")
            if r.agency_id in selectable]


def _dues(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Commitments within two working days, reveals two working days after (17:30)."""
    calendar, today = calendar_get(), now.astimezone(clock.SHANGHAI).date()
    commit_day = calendar.add_workdays(today, 2)[0]
    reveal_day = calendar.add_workdays(commit_day, 2)[0]

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(17, 30), tzinfo=clock.SHANGHAI)
    return at(commit_day), at(reveal_day)


def lowest_bidders(row: Project, on: dt.date) -> tuple[Decimal | None, list[Agency]]:
    """最低价: the lowest price among the qualified registrations, and who offered it."""
    qualified = {a.pk for a in candidates_of(row, on)}
    bids = [(r.bid, r.agency) for r in row.registrations.select_related("agency")
            if r.agency_id in qualified and r.bid is not None]
    if not bids:
        return None, []
    low = min(b for b, _ in bids)
    return low, sorted((a for b, a in bids if b == low), key=lambda a: a.uscc)


def _award(row: Project, move: ProjectMoveIn, attempt: Attempt,
           actor: Actor) -> dict[str, Any]:
    if row.method == Method.SCORED:
        ranked = ranking(row)
        top = scoring.leaders(ranked)
        if len(top) > 1:
            raise Conflict(f"有{len(top)}家机构并列最高分（{ranked[0].total}分）：请以随机抽取从中选定。",
                           code="project.tied_scores")
        row.winner, row.selected_at = Agency.objects.get(uscc=top[0]), attempt.now
        return {"winner": top[0], "total": str(ranked[0].total)}
    low, tied = lowest_bidders(row, _day(attempt))
    if not tied:
        raise Conflict("没有具备资质的中介机构报价：请重新开放报名，或作流标处理。",
                       code="project.no_bids")
    if len(tied) > 1:
        raise Conflict(f"有{len(tied)}家机构并列最低价（{low}元）：请以随机抽取从中选定。",
                       code="project.tied_bids")
    row.winner, row.selected_at = tied[0], attempt.now
    return {"winner": tied[0].uscc, "price": str(low)}


def _draw(row: Project, move: ProjectMoveIn, attempt: Attempt,
          actor: Actor) -> dict[str, Any]:
    if row.method == Method.SCORED:
        ranked = ranking(row)
        top = scoring.leaders(ranked)
        if len(top) < 2:
            raise Conflict("没有并列最高分，无需随机抽取：请直接确定中选。", code="project.not_tied")
        return _open_draw(row, list(Agency.objects.filter(uscc__in=top).order_by("uscc")),
                          attempt, actor, f"并列最高分（{ranked[0].total}分）")
    if row.method == Method.LOWEST:
        low, tied = lowest_bidders(row, _day(attempt))
        if len(tied) < 2:
            raise Conflict("没有并列最低价，无需随机抽取：请直接确定最低价中选。",
                           code="project.not_tied")
        return _open_draw(row, tied, attempt, actor, f"并列最低价（{low}元）")
    candidates = candidates_of(row, _day(attempt))
    if len(candidates) < MIN_CANDIDATES:
        raise Conflict(f"报名且具备资质的中介机构只有{len(candidates)}家，不足{MIN_CANDIDATES}家，"
                       "不能随机抽取：请重新开放报名，或作流标处理。",
                       code="project.too_few_candidates")
    return _open_draw(row, candidates, attempt, actor, "")


def _open_draw(row: Project, candidates: list[Agency], attempt: Attempt, actor: Actor,
               among: str) -> dict[str, Any]:
    commit_due, reveal_due = _dues(attempt.now)
    draw = draw_open(
        purpose=f"中介超市项目{row.number}“{row.title}”{among}随机抽取中介机构",
        ref=f"market.Project:{row.pk}", candidates={a.uscc: a.name for a in candidates},
        count=1, parties=[PartyIn(PartyRole.OWNER, row.owner_name, row.owner),
                          PartyIn(PartyRole.PLATFORM, "中介超市平台"),
                          PartyIn(PartyRole.SUPERVISOR, "电子监察", None)],
        commit_due=commit_due, reveal_due=reveal_due, actor=actor)
    row.draw_number = draw.number
    return {"draw": draw.number, "candidates": [a.uscc for a in candidates]}


def _panel(row: Project, move: ProjectMoveIn, attempt: Attempt,
           actor: Actor) -> dict[str, Any]:
    """Draw the 综合评分 panel among the experts of the service type, conflicts excluded."""
    bidders = [a for a in candidates_of(row, _day(attempt))
               if row.registrations.filter(agency=a, bid__isnull=False).exists()]
    if len(bidders) < MIN_CANDIDATES:
        raise Conflict(f"报名且具备资质的中介机构只有{len(bidders)}家，不足{MIN_CANDIDATES}家，"
                       "不能组织综合评分：请重新开放报名，或作流标处理。",
                       code="project.too_few_candidates")
    usccs = [a.uscc for a in bidders]
    codes, excluded = panel_candidates(row, usccs)
    if len(codes) < scoring.PANEL_SIZE:
        raise Conflict(f"评审专家库中该专业可抽取的专家只有{len(codes)}名（已回避{excluded}名），"
                       f"不足{scoring.PANEL_SIZE}名：请审改办补充专家后再抽取。",
                       code="project.too_few_experts")
    commit_due, reveal_due = _dues(attempt.now)
    draw = draw_open(
        purpose=f"中介超市项目{row.number}“{row.title}”综合评分抽取评审专家",
        ref=f"market.Project:{row.pk}", candidates={c: f"评审专家{c}" for c in codes},
        count=scoring.PANEL_SIZE,
        parties=[PartyIn(PartyRole.OWNER, row.owner_name, row.owner),
                 PartyIn(PartyRole.PLATFORM, "中介超市平台"),
                 PartyIn(PartyRole.SUPERVISOR, "电子监察", None)],
        commit_due=commit_due, reveal_due=reveal_due, actor=actor)
    row.panel_draw_number, row.scored_agencies = draw.number, usccs
    PanelMember.objects.filter(project=row).delete()  # a redraw after an abort starts anew
    return {"draw": draw.number, "agencies": usccs, "experts": len(codes),
            "experts_excluded": excluded}


def _panel_done(row: Project, move: ProjectMoveIn, attempt: Attempt,
                actor: Actor) -> dict[str, Any]:
    draw = Draw.objects.get(number=row.panel_draw_number)
    for position, code in enumerate(draw.drawn, start=1):
        PanelMember.objects.create(project=row, expert=Expert.objects.get(code=code),
                                   position=position)
    return {"draw": draw.number, "panel": list(draw.drawn)}


def _panel_aborted(row: Project, move: ProjectMoveIn, attempt: Attempt,
                   actor: Actor) -> dict[str, Any]:
    return {"draw": row.panel_draw_number}


def _score(row: Project, move: ProjectMoveIn, attempt: Attempt,
           actor: Actor) -> dict[str, Any]:
    """A panel member's marks for every agency scored; sealed (not shown, not logged) until
    the whole panel has scored, so that no member sees another's."""
    member = PanelMember.objects.select_related("expert").get(project=row,
                                                               expert__user=attempt.user)
    problems: dict[str, str] = {}
    marks: dict[str, scoring.Mark] = {}
    for uscc in row.scored_agencies:
        technical, quality = move.marks.get(uscc, (None, None))
        if technical is None or not 0 <= technical <= scoring.TECHNICAL_MAX:
            problems[f"{uscc}_technical"] = f"技术方案得分应为0到{scoring.TECHNICAL_MAX}的整数。"
        if quality is None or not 0 <= quality <= scoring.QUALITY_MAX:
            problems[f"{uscc}_quality"] = f"服务质量保障得分应为0到{scoring.QUALITY_MAX}的整数。"
        if technical is not None and quality is not None:
            marks[uscc] = scoring.Mark(technical, quality)
    if problems:
        raise FieldsInvalid(problems, code="project.marks_invalid")
    agencies = {a.uscc: a for a in Agency.objects.filter(uscc__in=row.scored_agencies)}
    Score.objects.bulk_create(Score(member=member, agency=agencies[uscc],
                                    technical=mark.technical, quality=mark.quality)
                              for uscc, mark in marks.items())
    member.scored_at = attempt.now
    member.save(update_fields=["scored_at"])
    return {"expert": member.expert.code}


def panel_marks(row: Project) -> tuple[list[str], list[dict[str, scoring.Mark]]]:
    """The panel's codes in draw order and each member's marks (all members scored)."""
    members = list(PanelMember.objects.filter(project=row).select_related("expert").order_by(
        "position"))
    marks = []
    for member in members:
        marks.append({s.agency.uscc: scoring.Mark(s.technical, s.quality)
                      for s in member.scores.select_related("agency")})
    return [m.expert.code for m in members], marks


def ranking(row: Project) -> list[scoring.Ranked]:
    """The agencies scored, ranked by the published rule (scoring.rank)."""
    prices = {r.agency.uscc: r.bid for r in row.registrations.select_related("agency")
              if r.agency.uscc in row.scored_agencies and r.bid is not None}
    return scoring.rank(prices, panel_marks(row)[1])


def _scores_complete(row: Project, move: ProjectMoveIn, attempt: Attempt,
                     actor: Actor) -> dict[str, Any]:
    """The whole panel has scored: each member's marks and the ranking go to the log (public
    forever: expert codes, agencies' USCCs, prices and marks — no names)."""
    codes, marks = panel_marks(row)
    for code, given in zip(codes, marks, strict=True):
        ledger_append(kind="market.score", data={
            "project": row.number, "expert": code,
            "marks": {u: [m.technical, m.quality] for u, m in sorted(given.items())}},
            ref=f"market.Project:{row.pk}", at=attempt.now)
    ranked = ranking(row)
    entry = ledger_append(kind="market.score_result", data={
        "project": row.number, "panel": codes, "rule": "scoring.v1",
        "ranking": [{"agency": r.agency, "price": str(r.price),
                     "price_score": str(r.price_score), "marks": list(r.marks),
                     "panel_score": str(r.panel_score), "total": str(r.total)}
                    for r in ranked],
        "leaders": scoring.leaders(ranked)}, ref=f"market.Project:{row.pk}", at=attempt.now)
    row.scores_ledger_index = entry.index
    return {"ledger_index": entry.index, "leaders": scoring.leaders(ranked)}


def _draw_done(row: Project, move: ProjectMoveIn, attempt: Attempt,
               actor: Actor) -> dict[str, Any]:
    draw = Draw.objects.get(number=row.draw_number)
    row.winner = Agency.objects.get(uscc=draw.drawn[0])
    row.selected_at = attempt.now
    return {"draw": draw.number, "winner": row.winner.uscc}


def _draw_aborted(row: Project, move: ProjectMoveIn, attempt: Attempt,
                  actor: Actor) -> dict[str, Any]:
    return {"draw": row.draw_number}


def _choose(row: Project, move: ProjectMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    agency = Agency.objects.filter(uscc=move.agency.strip().replace("\x00", "?")).first()
    if agency is None or not is_selectable(agency, row.service_type_id, _day(attempt)):
        raise FieldsInvalid({"agency": "请填写一家已入驻且具备该服务类型有效资质的中介机构的统一社会信用代码。"},
                            code="project.agency_invalid")
    row.winner, row.selected_at = agency, attempt.now
    return {"winner": agency.uscc, "direct_reason": row.direct_reason}


def delivery_due(contract_on: dt.date, workdays: int) -> tuple[dt.date, bool]:
    """The service's due date: `workdays` working days after the contract date on the
    official calendar (and whether a year without a published schedule was counted)."""
    return calendar_get().add_workdays(contract_on, workdays)


def _contract(row: Project, move: ProjectMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    problems = {}
    if move.on is None or move.on > _day(attempt) or (
            row.selected_at and move.on < row.selected_at.astimezone(clock.SHANGHAI).date()):
        problems["on"] = "签约日期应在选定之日与今天之间。"
    if move.amount is None or move.amount <= 0 or move.amount > row.budget:
        problems["amount"] = f"合同金额应大于0且不超过预算{row.budget}元。"
    if problems:
        raise FieldsInvalid(problems, code="project.contract_invalid")
    assert move.on is not None
    row.contract_on, row.contract_amount = move.on, move.amount
    row.due_on, row.due_provisional = delivery_due(move.on, row.service_workdays)
    return {"contract_on": move.on.isoformat(), "amount": str(move.amount),
            "due_on": row.due_on.isoformat()}


def _deliver(row: Project, move: ProjectMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    today = _day(attempt)
    row.delivered_on = today
    row.delayed = row.delayed or (row.due_on is not None and today > row.due_on)
    return {"delivered_on": today.isoformat(), "delayed": row.delayed}


def _accept(row: Project, move: ProjectMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    row.accepted_on = _day(attempt)
    return {}


def _return_delivery(row: Project, move: ProjectMoveIn, attempt: Attempt,
                     actor: Actor) -> dict[str, Any]:
    if not move.reason.strip():
        raise InvalidInput("请填写退回理由（需整改的内容）。", code="project.reason_required")
    row.delivered_on = None
    return {}


def _pay(row: Project, move: ProjectMoveIn, attempt: Attempt,
         actor: Actor) -> dict[str, Any]:
    problems = {}
    reference = move.reference.strip()
    if not reference or len(reference) > 60:
        problems["reference"] = "请填写付款凭证号（至多60个字符）。"
    else:
        try:
            check_text(reference, label="付款凭证号")
        except TextError as error:
            problems["reference"] = error.message + "。"
    if move.on is None or move.on > _day(attempt) or (row.accepted_on and move.on < row.accepted_on):
        problems["on"] = "付款日期应在验收日期与今天之间。"
    if problems:
        raise FieldsInvalid(problems, code="project.payment_invalid")
    row.paid_on, row.payment_reference = move.on, reference
    return {"paid_on": move.on.isoformat() if move.on else ""}


def _evaluate(row: Project, move: ProjectMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    problems = {}
    for name, label in (("quality", "服务质量"), ("timeliness", "服务时效"),
                        ("attitude", "服务态度")):
        value = getattr(move, name)
        if value is None or not 1 <= value <= 5:
            problems[name] = f"请为{label}评1到5星。"
    text = move.text.strip()
    if len(text) > 1000:
        problems["text"] = "评价内容至多1000个字符。"
    if problems:
        raise FieldsInvalid(problems, code="project.evaluation_invalid")
    assert row.winner is not None
    assert move.quality is not None
    assert move.timeliness is not None
    assert move.attitude is not None
    evaluation = Evaluation.objects.create(
        project=row, agency=row.winner, quality=move.quality, timeliness=move.timeliness,
        attitude=move.attitude, text=text, at=attempt.now, ledger_index=0)
    # Public forever: the agency (an enterprise), the project and the stars — the text is not
    # logged (it may name people), nor is the owner's staff member.
    entry = ledger_append(kind="market.evaluation", data={
        "agency": row.winner.uscc, "project": row.number, "quality": move.quality,
        "timeliness": move.timeliness, "attitude": move.attitude, "delayed": row.delayed},
        ref=f"market.Evaluation:{evaluation.pk}", at=attempt.now)
    evaluation.ledger_index = entry.index
    evaluation.save(update_fields=["ledger_index"])
    return {"ledger_index": entry.index}


def _lock(number: str, user: User | None) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related(
        "service_type", "winner", "owner").get(number=number.replace("\x00", "?"))


def _actor(user: User | None, row: Project, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    department = row.department if role == OWNER else None
    base = actor_for(user, department=department)
    return Actor(user=user, label=base.label, role=role,
                 department_id=department.pk if department else None,
                 department_label=department.name if department else "")


def _record(row: Project, step: Step) -> None:
    ProjectEvent.of_move(project=row, action=step.action, before=step.before, after=row.status,
                         actor=step.actor, reason=step.reason, data=step.data,
                         at=step.at).save()
    audit_record(actor=step.actor, action=f"market.project.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: ProjectMoveIn) -> None:
    for label, value in (("理由", move.reason), ("评价内容", move.text)):
        try:
            check_text(value, label=label, multiline=True)
        except TextError as error:
            raise InvalidInput(error.message + "。", code="project.text") from error


PROJECT_PROCESS: Process[Project, ProjectMoveIn] = Process(
    table=PROJECT_TABLE, lock=_lock, actor=_actor, record=_record, text_check=_text_check,
    handlers={"register": _register, "reopen": _reopen, "fail": _fail, "draw": _draw,
              "award": _award, "panel": _panel, "panel_done": _panel_done,
              "panel_aborted": _panel_aborted, "score": _score,
              "scores_complete": _scores_complete, "tie_draw_aborted": _draw_aborted,
              "draw_done": _draw_done, "draw_aborted": _draw_aborted, "choose": _choose,
              "contract": _contract, "deliver": _deliver, "accept": _accept,
              "return_delivery": _return_delivery, "pay": _pay, "evaluate": _evaluate},
    reason_of=lambda move: move.reason.strip(), action_of=lambda move: move.action,
    role_order=(OWNER, WINNER, AGENCY, EXPERT))


@transaction.atomic
def project_move(*, number: str, user: User, move: ProjectMoveIn) -> Project:
    if move.action not in PAGE_ACTIONS:
        raise InvalidInput("未知的操作。", code="project.action_invalid")
    return engine.transition(PROJECT_PROCESS, number, user, move)


@transaction.atomic
def score_submit(*, number: str, user: User,
                 marks: dict[str, tuple[int | None, int | None]]) -> Project:
    """A panel member scores every agency; the last member's scores complete the panel's
    work in the same transaction (the scores and the ranking to the log)."""
    def moves(row: Project) -> Iterable[ProjectMoveIn | By[ProjectMoveIn]]:
        yield ProjectMoveIn("score", marks=marks)
        if not PanelMember.objects.filter(project=row, scored_at__isnull=True).exists():
            yield By(None, ProjectMoveIn("scores_complete"))
    return engine.transitions(PROJECT_PROCESS, number, user, moves)


def draw_moved(outcome: Outcome[Draw]) -> Iterable[FollowUp]:
    """Told of every draw move (MarketConfig.ready), inside its transaction: a project's draw
    finished (record the winner) or aborted (back to the owner)."""
    draw = outcome.row
    if not draw.ref.startswith("market.Project:") or outcome.action not in ("finish", "abort"):
        return []
    number = Project.objects.filter(pk=int(draw.ref.split(":", 1)[1])).values_list(
        "number", flat=True).first()
    if number is None:
        return []
    row = Project.objects.get(number=number)
    done = draw.status == DrawStatus.DRAWN
    if row.panel_draw_number and draw.number == row.panel_draw_number:
        action = "panel_done" if done else "panel_aborted"
    elif row.method == Method.SCORED:
        action = "draw_done" if done else "tie_draw_aborted"
    else:
        action = "draw_done" if done else "draw_aborted"
    return [lambda: engine.transition(PROJECT_PROCESS, number, None, ProjectMoveIn(action))]
