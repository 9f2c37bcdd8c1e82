"""Reads of cases, always through the access-scoped queryset (cases.access)."""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case as Choose
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from zhengwu.accounts.mandates import principal_lookup
from zhengwu.accounts.models import User
from zhengwu.cases import caseclock, licence_kpis
from zhengwu.cases.access import (
    SUPERVISE,
    case_queryset_for,
    files_for_others,
    reviewer_departments,
    window_assignment_region,
    window_q,
)
from zhengwu.cases.caseclock import CaseClock
from zhengwu.cases.models import (
    GRANTED_DECISIONS,
    Card,
    Case,
    CaseAccess,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    Channel,
    Decision,
    DepartmentFailure,
    FailureKind,
    MaterialKind,
    Notice,
)
from zhengwu.core import clock
from zhengwu.core.audit import sm3_hex
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.codes import normalize_code
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.licences.models import Licence, LicenceStatus
from zhengwu.licences.selectors import licence_public, status_now
from zhengwu.regions.models import Region
from zhengwu.sharing.models import UseKind
from zhengwu.sharing.selectors import use_counts_by_month
from zhengwu.workdays.selectors import calendar_get


def case_get(*, user: User, number: str) -> Case:
    return case_queryset_for(user).select_related("applicant", "submitted_by").get(number=number)


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.order_by("id")


def notice_get(*, user: User, number: str, notice_id: int) -> Notice:
    case = case_get(user=user, number=number)
    return case.notices.get(pk=notice_id)


def notice_by_code(*, code: str) -> Notice:
    """A notice by its verification code (the QR printed on it); public, shows no PII."""
    return Notice.objects.select_related("case__department", "case__implementation__item").get(
        verify_code=code)


# case_list's card filter for "yellow or red" (电子监察's per-item figures count both).
WARNED = "warned"


@dataclass(frozen=True)
class FailureWeek:
    """A bar of 电子监察's weekly trend: the cases a department failed in one way (red card,
    deemed approval) in one week (Monday to Sunday, Beijing days, as `monitoring` counts)."""

    kind: str
    week: dt.date

    @property
    def label(self) -> str:
        return f"{FailureKind(self.kind).label}，{self.week:%Y-%m-%d} 起一周"


def failure_week(kind: str | None, week: str | None) -> FailureWeek | None:
    """The bar a link names (`?failure=overdue&week=2026-11-30`), or None for anything else; a
    date inside a week names that week."""
    if kind not in FailureKind.values or not week:
        return None
    try:
        day = dt.date.fromisoformat(week)
    except ValueError:
        return None
    return FailureWeek(kind, _week_of(day))


def case_list(*, user: User, status: str | None = None, card: str | None = None,
              department: int | None = None, q: str | None = None,
              failed: FailureWeek | None = None) -> QuerySet[Case]:
    cases = case_queryset_for(user)
    if failed is not None:
        start = dt.datetime.combine(failed.week, dt.time.min, SHANGHAI)
        cases = cases.filter(failures__kind=failed.kind, failures__recorded_at__gte=start,
                             failures__recorded_at__lt=start + dt.timedelta(weeks=1))
    if status:
        cases = cases.filter(status=status)
    if card == WARNED:
        cases = cases.filter(card__in=[Card.YELLOW, Card.RED])
    elif card:
        cases = cases.filter(card=card)
    if department:
        cases = cases.filter(department_id=department)
    if q:
        cases = cases.filter(Q(number__startswith=q) | Q(implementation__item__name__contains=q))
    return cases.order_by("-submitted_at", "-id")


def applicant_cases(*, user: User) -> QuerySet[Case]:
    return case_queryset_for(user).filter(Q(applicant=user) | Q(submitted_by=user)).order_by(
        "-submitted_at", "-id")


def window_queue(*, user: User) -> QuerySet[Case]:
    """What the comprehensive window must act on: new and supplemented applications to
    accept, accepted 告知承诺 cases it may decide on the spot (cases.workflow.WINDOW_DECIDES),
    and decided cases to close and deliver (一窗受理、统一出件). The page offers on each what
    the engine's predicate offers (`case_actions`), nothing of its own.

    A bundle's member cases (一件事) are not listed: the bundle is accepted, asked for
    supplements, refused and delivered once, in the 一件事 window, and a member's own
    acceptance or delivery would be refused (the guards of cases.workflow.MOVES). Listing them
    read-only beside the cases the window does act on would double the queue of a busy
    window for nothing to do; the page links to the 一件事 window instead, and each member's
    case page links to its bundle."""
    served = window_q(user)
    if served is None:
        return Case.objects.none()
    from zhengwu.cases.workflow import WINDOW_DECIDES

    return case_queryset_for(user).filter(served).filter(
        Q(status__in=[CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENTED,
                      CaseStatus.AWAITING_SUPPLEMENT, CaseStatus.DECIDED, CaseStatus.CLOSED])
        | Q(status=CaseStatus.ACCEPTED, **WINDOW_DECIDES), bundle_number="").order_by(
        "submitted_at", "id")


# The comprehensive window's queue in parts, each a workbench figure and a tab of the window
# page (one rule for both: the figure counts the rows its link lists).
WINDOW_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "new": ("待受理", (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENTED)),
    "supplement": ("补正中", (CaseStatus.AWAITING_SUPPLEMENT,)),
    "deliver": ("待出件", (CaseStatus.DECIDED, CaseStatus.CLOSED)),
}


def window_part(*, user: User, part: str) -> QuerySet[Case]:
    """One part of `window_queue` (WINDOW_PARTS); an unknown part is the whole queue."""
    queue = window_queue(user=user)
    if part not in WINDOW_PARTS:
        return queue
    return queue.filter(status__in=WINDOW_PARTS[part][1])


def reviewer_todo(*, user: User, card: str = "") -> QuerySet[Case]:
    """The back office's open cases: running clocks first, the least time left first, then
    the suspended ones. The order follows the (department, status, due_at) index, so a page
    of 100,000 open cases is read without sorting them. `card` ("yellow": 即将超期, "red":
    已超期) keeps the cases under that warning, as 电子监察 reads them (monitoring_flagged)."""
    departments = reviewer_departments(user)
    cases = case_queryset_for(user).filter(
        department_id__in=departments,
        status__in=[CaseStatus.ACCEPTED, CaseStatus.SUSPENDED])
    if card in (Card.YELLOW, Card.RED):
        cases = cases.filter(card=card)
    return cases.order_by("status", "due_at", "id")


def progress_lookup(*, number: str, id_number: str) -> Case | None:
    """Public progress query by case number and the applicant's ID number (no login).
    Both must match; the page shows masked data only."""
    number = number.strip()
    if not number.isdigit() or len(number) > 32:
        return None
    return Case.objects.select_related("implementation__item", "department").filter(
        number=number, applicant_id_number=normalize_code(id_number)).first()


@dataclass(frozen=True)
class Monitoring:
    open_cases: int
    yellow: int
    red: int
    by_department: list[dict[str, object]]
    by_item: list[dict[str, object]]
    # Every week from the one holding `since` to the current one, quiet weeks included (a
    # time line, not a list of events): week start (Monday, Beijing), red cards, deemed.
    weekly: list[tuple[dt.date, int, int]]
    failures: list[dict[str, object]]  # per department since `since`: overdue, deemed
    by_person: list[dict[str, object]]  # who last handled the carded cases: yellow, red


# The alert filter of 电子监察. A supervisor opens the page to see everything under warning,
# so the default is every alert, red cards first; the red-card escalation links to "red".
MONITORING_FILTERS: list[tuple[str, str]] = [
    ("", "全部预警（红牌和黄牌）"), (Card.RED, "红牌超时"), (Card.YELLOW, "黄牌预警")]


def monitoring_filter(value: str | None) -> str:
    """The alert filter asked for, or "" (every alert) for anything else."""
    return value if value in (Card.RED, Card.YELLOW) else ""


def _beijing_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def _week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def monitoring(*, since: dt.date, department: int | None = None,
               today: dt.date | None = None) -> Monitoring:
    """电子监察 [25]: yellow and red cards per department and item, and a weekly trend."""
    today = today or clock.today()
    cases = Case.objects.filter(status__in=[CaseStatus.ACCEPTED, CaseStatus.SUSPENDED])
    failures = DepartmentFailure.objects.filter(
        recorded_at__gte=dt.datetime.combine(since, dt.time.min, SHANGHAI))
    if department:
        cases = cases.filter(department_id=department)
        failures = failures.filter(department_id=department)
    by_department = list(cases.values("department_id", "department__name").annotate(
        open=Count("id"), yellow=Count("id", filter=Q(card="yellow")),
        red=Count("id", filter=Q(card="red"))).order_by("-red", "-yellow", "department_id"))
    by_item = list(cases.filter(card__in=["yellow", "red"]).values(
        "implementation__item__name").annotate(n=Count("id")).order_by("-n")[:20])
    # Weeks of Beijing days: a failure recorded on Monday 07:00 belongs to that Monday's
    # week, though its UTC date is the Sunday before.
    weeks: Tally[tuple[dt.date, str]] = Tally()
    for recorded, kind in failures.values_list("recorded_at", "kind"):
        weeks[(_week_of(_beijing_day(recorded)), kind)] += 1
    weekly, week = [], _week_of(since)
    while week <= _week_of(max(today, since)):
        weekly.append((week, weeks[(week, "overdue")], weeks[(week, "deemed")]))
        week += dt.timedelta(weeks=1)
    totals = cases.aggregate(n=Count("id"), yellow=Count("id", filter=Q(card="yellow")),
                             red=Count("id", filter=Q(card="red")))
    # A department's failures stay on its record after the case itself is decided.
    failure_rows = list(failures.values("department_id", "department__name").annotate(
        overdue=Count("id", filter=Q(kind="overdue")),
        deemed=Count("id", filter=Q(kind="deemed"))).order_by("-deemed", "-overdue",
                                                             "department_id"))
    # "Per person": the reviewer who last moved the case (承办人), or the department's intake
    # when no reviewer has touched it yet.
    last_reviewer = CaseEvent.objects.filter(case=OuterRef("pk"), role="reviewer").order_by(
        "-id").values("actor_label")[:1]
    by_person = list(cases.filter(card__in=["yellow", "red"]).annotate(
        handler=Subquery(last_reviewer)).values("handler", "department__name").annotate(
        yellow=Count("id", filter=Q(card="yellow")), red=Count("id", filter=Q(card="red")))
        .order_by("-red", "-yellow", "department__name"))
    return Monitoring(totals["n"], totals["yellow"], totals["red"], by_department, by_item,
                      weekly, failure_rows, by_person)


def monitoring_flagged(*, user: User, card: str = "", department: int | None = None,
                       limit: int = 100) -> list[Case]:
    """The open cases under warning that the user may see: the red cards first (then the
    yellow ones), each by due date; `card` narrows to one colour."""
    cases = case_list(user=user, card=card or None, department=department).filter(
        status__in=[CaseStatus.ACCEPTED, CaseStatus.SUSPENDED], card__in=[Card.RED, Card.YELLOW])
    red_first = Choose(When(card=Card.RED, then=Value(0)), default=Value(1))
    return list(cases.select_related("department", "implementation__item").order_by(
        red_first, "due_at", "id")[:limit])


def monitoring_deemed(*, user: User, since: dt.date, department: int | None = None,
                      limit: int = 100) -> list[Case]:
    """The cases the platform decided "deemed approved" (超时默认准予) since `since`, newest
    first: each one is a department's failure to decide in time."""
    cases = case_list(user=user, department=department).filter(
        decision=Decision.DEEMED_APPROVED,
        decided_at__gte=dt.datetime.combine(since, dt.time.min, SHANGHAI))
    return list(cases.select_related("department", "implementation__item").order_by(
        "-decided_at", "-id")[:limit])


# --- for the JSON API (cases.api) ------------------------------------------------------------


def filing_applicant_get(*, user: User, channel: str, applicant_id: int | None,
                         accepting_region: str | None,
                         on_behalf_of: str | None = None) -> User | None:
    """Whom an application is filed for: the caller (None), or, for window staff and proxy
    agents (帮代办) only, another applicant's account. Only they may also file through the
    window or proxy channel, where required materials may follow on paper. `on_behalf_of`
    names a principal an agent files for (the services check the authorization)."""
    if on_behalf_of is not None and applicant_id is None:
        return _principal(on_behalf_of)
    if (applicant_id is not None or channel in (Channel.WINDOW, Channel.PROXY)) \
            and not files_for_others(user):
        raise NotAllowed("只有窗口人员和帮代办员可以代他人申请，或以窗口、帮代办渠道申请。",
                         code="case.filing_forbidden")
    if accepting_region is not None and not Region.objects.filter(code=accepting_region).exists():
        raise InvalidInput("受理地区划代码不存在。", code="case.accepting_region")
    if applicant_id is None:
        return None
    applicant = User.objects.filter(pk=applicant_id, is_active=True,
                                    kind__in=["person", "enterprise"]).first()
    if applicant is None:
        raise InvalidInput("申请人账号不存在。", code="case.unknown_applicant")
    return applicant


def _principal(identifier: str) -> User:
    # An unknown principal reads as no authorization: the API does not tell which user names
    # or numbers have accounts.
    principal = principal_lookup(identifier)
    if principal is None:
        raise NotAllowed(f"您没有“{identifier}”的有效授权，不能以其名义申请。",
                         code="authorization.missing")
    return principal


# --- reads for the case pages (cases.views) -------------------------------------------------

if TYPE_CHECKING:
    from zhengwu.catalog.models import ItemImplementation

# The moves people make on the case page; deem_approved belongs to the sweep and revoke to
# post-verification.
# Listed in the order the page offers them: the usual next step first.
PAGE_ACTIONS = ("supplement", "accept", "review_pass", "grant", "close", "deliver",
                "ask_supplement", "refuse", "review_return", "suspend", "resume", "extend",
                "deny", "withdraw")


# Timeline events that are not moves of the workflow table.
EVENT_LABELS = {"submit": "提交申请", "verify": "事后核查", "red_card": "红牌督办",
                "recompute_due": "按正式日历重算期限",
                "recompute_verification_due": "按正式日历重算核查期限"}


def event_label(action: str, data: dict[str, Any] | None = None) -> str:
    """How a timeline event reads on the case page, the progress page and the API: a review
    step by its name (承办通过, 审核通过, 退回承办), a 事后核查 by its finding."""
    from zhengwu.cases import workflow

    data = data or {}
    if action == "review_pass" and data.get("step"):
        return f"{data['step']}通过"
    if action == "review_return" and data.get("step"):
        return f"退回{data['step']}"
    if action == "verify" and "truthful" in data:
        return "事后核查：承诺属实" if data["truthful"] else "事后核查：承诺不实"
    move = workflow.MOVES.get(action)
    return move.label if move is not None else EVENT_LABELS.get(action, action)


def case_actions(*, user: User, case: Case) -> list[str]:
    """The moves this user may make on this case now, in the page's order: the process
    engine's one predicate (engine.refusal over cases.access.CASE_TABLE), the same that
    `case_transition` checks, so the page never offers a move the service then refuses."""
    from zhengwu.cases.access import CASE_TABLE
    from zhengwu.process import engine

    return engine.moves_open(CASE_TABLE, case, user, actions=PAGE_ACTIONS)


def case_clock_reader(now: dt.datetime) -> Callable[[Case], CaseClock]:
    """Read the deadline clocks of cases at `now` (one calendar, one threshold for all)."""
    calendar, threshold = calendar_get(), caseclock.yellow_threshold()
    return lambda case: caseclock.read(case, calendar, now, threshold)


def case_clock(case: Case, now: dt.datetime) -> CaseClock:
    """The deadline clock of one case at `now`: working days left, paused or running, card."""
    return case_clock_reader(now)(case)


# The moves that take a case forward: someone offered one of them is the one the case waits
# for (待我办理). Suspending, extending, returning or denying are always offered to a reviewer
# and say nothing about whose turn it is.
TURN_MOVES = frozenset({"supplement", "accept", "review_pass", "grant", "close", "deliver",
                        "resume"})


def may_act_now(*, user: User, case: Case) -> bool:
    """The case waits for this person now (待我办理): the engine's predicate offers them a move
    that takes the case forward (`case_actions`; it knows the same-person rule)."""
    return bool(TURN_MOVES.intersection(case_actions(user=user, case=case)))


# 待我办理 asks may_act_now of every case, so it reads the todo list's first cases only (the
# least time left first); the page says when there are more.
MINE_SCAN = 500


def reviewer_todo_mine(*, user: User, card: str = "") -> tuple[QuerySet[Case], bool]:
    """待我办理: the reviewer's todo cases (under `card`, as reviewer_todo) that wait for this
    person now, in the todo order, and whether the todo list was longer than what was read
    (MINE_SCAN)."""
    todo = reviewer_todo(user=user, card=card)
    read = list(todo[:MINE_SCAN + 1])
    ids = [case.pk for case in read[:MINE_SCAN] if may_act_now(user=user, case=case)]
    return todo.filter(pk__in=ids), len(read) > MINE_SCAN


@dataclass(frozen=True)
class ClockRow:
    case: Case
    clock: CaseClock
    step: str = ""  # where the case stands: 承办/审核/批准 …, or 特别程序 while suspended
    turn: str = ""  # whose turn it is: the department's reviewers
    mine: bool = False  # it waits for the person reading the list (may_act_now)


def _turn(case: Case) -> tuple[str, str]:
    """The step a case under review is at and who must act (the responsible department's
    reviewers; for a commitment also the window, which may decide on the spot)."""
    from zhengwu.cases.steps import current_step

    if case.status == CaseStatus.SUSPENDED:
        return "特别程序（暂停计时）", f"{case.department.name}审批人员"
    step = current_step(case.implementation.approval_chain, case.approval_step)
    who = f"{case.department.name}审批人员"
    return step, who + ("或综合窗口" if case.by_commitment else "")


def clock_rows(*, cases: Iterable[Case], now: dt.datetime) -> list[ClockRow]:
    """A page of cases, each with its clock read at `now` (办件查询, 电子监察)."""
    read = case_clock_reader(now)
    return [ClockRow(case, read(case)) for case in cases]


def reviewer_todo_rows(*, cases: Iterable[Case], now: dt.datetime,
                       user: User | None = None) -> list[ClockRow]:
    """A page of the reviewer's open cases with their clocks (reviewer_todo's order: running
    clocks by due date, then the suspended ones), the step each is at and whose turn it is;
    with `user`, whether each waits for them (may_act_now)."""
    read = case_clock_reader(now)
    rows = []
    for case in cases:
        step, turn = _turn(case)
        mine = user is not None and may_act_now(user=user, case=case)
        rows.append(ClockRow(case, read(case), step, turn, mine))
    return rows


def window_region(*, user: User) -> str | None:
    """The region code where the user serves at the comprehensive window (the first one);
    a chief representative's window is their department's, not the comprehensive one."""
    return window_assignment_region(user)


def enterprise_by_uscc(*, uscc: str) -> User | None:
    """The active enterprise account with this 统一社会信用代码 (帮代办: for whom a 代办员 files)."""
    from zhengwu.accounts.models import UserKind

    code = normalize_code(uscc).strip()
    if not code or len(code) > 18:
        return None
    return User.objects.filter(uscc=code, is_active=True, kind=UserKind.ENTERPRISE).first()


def applicant_by_phone(*, phone: str) -> User | None:
    """The applicant account registered with this mobile number (window filing)."""
    from zhengwu.accounts.models import UserKind

    phone = normalize_code(phone).strip()
    if not phone or len(phone) > 20:
        return None
    return User.objects.filter(phone=phone, is_active=True,
                               kind__in=[UserKind.PERSON, UserKind.ENTERPRISE]).first()


def implementations_for_filing(*, q: str, region: str,
                               limit: int = 30) -> list[ItemImplementation]:
    """The window's item chooser: the portal's search (catalog.search: words, pinyin,
    synonyms such as 开饭店 → 食品经营许可) with each item's implementation serving the
    clerk's region (a region code), then the implementations whose code starts with `q` (a clerk may type
    the 实施编码 from a paper form; the word search does not index codes)."""
    from zhengwu.catalog import search
    from zhengwu.catalog.selectors import published_implementations

    q = q.strip()[:search.MAX_QUERY_LENGTH]
    if not q:
        return []
    try:
        hits, _ = search.get_index().search(q, search.Filters(region=region), limit=limit)
    except search.QueryError:
        hits = []
    ids = [hit.impl.id for hit in hits]
    found = published_implementations().select_related("item", "department", "region")
    by_id = found.in_bulk(ids)
    ranked = [by_id[pk] for pk in ids if pk in by_id]
    by_code = found.filter(code__startswith=q).exclude(pk__in=ids).order_by("-level", "code")
    return (ranked + list(by_code[:limit]))[:limit]


def department_name(pk: int) -> str | None:
    """A department's name for a filter's note (办件查询), None when there is none."""
    from zhengwu.departments.models import Department

    return Department.objects.filter(pk=pk).values_list("name", flat=True).first()


def departments_with_open_cases() -> list[tuple[int, str]]:
    """Departments that have cases under review (the monitoring filter)."""
    rows = Case.objects.filter(status__in=[CaseStatus.ACCEPTED, CaseStatus.SUSPENDED]).values_list(
        "department_id", "department__name").distinct().order_by("department_id")
    return [(int(pk), str(name)) for pk, name in rows]


def cases_filed_per_implementation(start: dt.date, end: dt.date,
                                   implementation_ids: Collection[int]) -> dict[int, int]:
    """Cases filed per implementation on the days start…end (Beijing time, end inclusive), for
    the catalogue's 放权赋权回头看 (registered in CasesConfig.ready). Withdrawn and refused
    applications count too: the item was used."""
    if not implementation_ids:
        return {}
    since = dt.datetime.combine(start, dt.time.min, SHANGHAI)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, SHANGHAI)
    rows = (Case.objects.filter(implementation_id__in=list(implementation_ids),
                                submitted_at__gte=since, submitted_at__lt=until)
            .values("implementation_id").annotate(n=Count("id")).values_list("implementation_id", "n"))
    return {int(pk): int(n) for pk, n in rows}


def case_access_log(*, user: User, number: str) -> QuerySet[Any]:
    """谁查看过我的办件: the staff reads of one of the user's own cases, grouped (one line per
    staff member, department, purpose and day; core.access_log). Only the applicant may read
    it: a case the user cannot see is absent, another's case seen as staff is refused."""
    from zhengwu.core.access_log import access_groups

    case = case_get(user=user, number=number)
    if case.applicant_id != user.pk:
        raise NotAllowed("只有申请人本人可以查看办件的查阅记录。", code="case.access_log_forbidden")
    return access_groups(CaseAccess.objects.filter(case=case))

REPLACING_KINDS = (MaterialKind.E_LICENSE, MaterialKind.SHARED_DATA)


# A material a licence or shared data stood in for: one with a pinned reference
# (cases.material_licences), not a typed one. The one rule of every 减材料 count.
REPLACED = Q(kind__in=REPLACING_KINDS) & ~Q(reference_sm3="")


def materials_replaced(case: Case) -> int:
    """减材料 (issue 11 item 10): how many of the case's materials a licence or shared data
    stood in for (REPLACED)."""
    return case.materials.filter(REPLACED).count()


def materials_replaced_by_case(cases: QuerySet[Case]) -> dict[str, int]:
    """The same count for many cases at once, by case number (cases with none left out)."""
    rows = (CaseMaterial.objects.filter(REPLACED, case__in=cases).order_by()
            .values("case__number").annotate(n=Count("id")))
    return {row["case__number"]: row["n"] for row in rows}


def reference_states(materials: Iterable[CaseMaterial]) -> dict[int, str]:
    """What the reviewer sees of each licence a case used (by material id): its status now,
    and whether its signed bytes still have the SM3 the case kept."""
    states: dict[int, str] = {}
    for material in materials:
        if material.kind != MaterialKind.E_LICENSE or not material.reference_sm3:
            continue
        licence = licence_public(material.reference)
        if licence is None:
            states[material.pk] = "未找到该证照"
            continue
        label = LicenceStatus(status_now(licence)).label
        same = sm3_hex(licence.data) == material.reference_sm3
        states[material.pk] = f"证照状态：{label}；" + (
            "签名原文与申请时一致" if same else "签名原文与申请时不一致")
    return states


# --- electronic-licence KPIs (issue 11 item 10) -----------------------------------------------

def may_view_licence_kpis(user: User) -> bool:
    """电子证照指标 are for 电子监察 and the catalogue administrators (审改办, who answer for
    减材料), page and API alike — as the 一件事 KPIs."""
    return user.has_perm(SUPERVISE) or user.has_perm("catalog.edit_catalog")


LICENCE_KPIS_REFUSED = "仅电子监察和事项管理员可以查看电子证照指标。"


def _impl(row: dict[str, Any], prefix: str) -> licence_kpis.ImplRef:
    return licence_kpis.ImplRef(
        id=row[f"{prefix}implementation_id"], code=row[f"{prefix}implementation__code"],
        item=row[f"{prefix}implementation__item__name"],
        department=row[f"{prefix}implementation__department__name"])


def licence_kpi_grant_facts(period: licence_kpis.MonthPeriod) -> list[licence_kpis.GrantFacts]:
    """Per item: the cases granted in the period and those of them a licence was issued from
    (any licence whose source is the case, whatever its status now). One query."""
    start, end = period.bounds()
    issued = Exists(Licence.objects.filter(source_case=OuterRef("number")))
    rows = (Case.objects.filter(decision__in=GRANTED_DECISIONS, decided_at__gte=start, decided_at__lt=end)
            .order_by()
            .values("implementation_id", "implementation__code", "implementation__item__name",
                    "implementation__department__name", "implementation__licence_type_id")
            .annotate(granted=Count("pk"), electronic=Count("pk", filter=Q(issued))))
    return [licence_kpis.GrantFacts(
        _impl(row, ""), names_licence_type=row["implementation__licence_type_id"] is not None,
        granted=row["granted"], electronic=row["electronic"]) for row in rows]


def licence_kpi_material_facts(
        period: licence_kpis.MonthPeriod) -> list[licence_kpis.MaterialFacts]:
    """Per item: the materials of the cases submitted in the period, and those a licence or
    shared data stood in for (REPLACED). One query."""
    start, end = period.bounds()
    prefix = "case__"
    rows = (CaseMaterial.objects.filter(case__submitted_at__gte=start, case__submitted_at__lt=end)
            .order_by()
            .values(f"{prefix}implementation_id", f"{prefix}implementation__code",
                    f"{prefix}implementation__item__name",
                    f"{prefix}implementation__department__name")
            .annotate(total=Count("pk"),
                      by_licence=Count("pk", filter=REPLACED & Q(kind=MaterialKind.E_LICENSE)),
                      by_shared=Count("pk", filter=REPLACED & Q(kind=MaterialKind.SHARED_DATA))))
    return [licence_kpis.MaterialFacts(_impl(row, prefix), total=row["total"],
                                       by_licence=row["by_licence"],
                                       by_shared_data=row["by_shared"]) for row in rows]


@dataclass(frozen=True)
class LicenceKpiReport:
    period: licence_kpis.MonthPeriod
    electronic: licence_kpis.ElectronicResults
    materials: licence_kpis.MaterialsReplaced
    uses: licence_kpis.UsesByMonth


def licence_kpi_report(period: licence_kpis.MonthPeriod) -> LicenceKpiReport:
    """The electronic-licence KPIs of a period, in three queries whatever the data."""
    start, end = period.bounds()
    counts = [licence_kpis.UseCount(month, kind, licence_kpis.LICENCE if is_licence
                                    else licence_kpis.SHARED_DATA, n)
              for month, kind, is_licence, n in use_counts_by_month(since=start, until=end)]
    return LicenceKpiReport(
        period=period,
        electronic=licence_kpis.electronic_results(licence_kpi_grant_facts(period)),
        materials=licence_kpis.materials_replaced(licence_kpi_material_facts(period)),
        uses=licence_kpis.uses_by_month(counts, period, UseKind.values))


USE_KIND_LABELS = dict(UseKind.choices)
