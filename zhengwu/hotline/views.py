"""12345 热线 pages, server-rendered in Chinese, working without JavaScript (docs/hotline.md).

- the operator's desk: a new call (受理), the caller's earlier orders by phone number, the
  catalogue's 办事指南 for 咨询 (search as a service), and the orders waiting for 派单;
- the staff list: operators and 电子监察 see every order (filters), department staff their
  department's inbox (待签收 first);
- an order's page: the order (the caller unmasked only for those who may see it, each such
  showing logged), its limits with warnings and cards, the routing suggestions with a 派单
  button each, the timeline, and one form per move the user may make now (the engine's
  predicate, engine.moves_open);
- the portal: 我要反映 (signed in, with the consent to publish) and 我的诉求 (the caller's
  order page, where consent is withdrawn);
- 互动交流 (public): the published questions and answers;
- the routing rules: the active version's table and, for the hotline admin, a new version.

A refused form answers 422 with what was typed kept and each error next to its field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from zhengwu.accounts.models import User
from zhengwu.catalog import search
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.forms import mark_errors
from zhengwu.core.upload_check import ACCEPT
from zhengwu.hotline import (
    attachments,
    duplicates_selectors,
    publication,
    routing,
    selectors,
    services,
)
from zhengwu.hotline.forms import (
    AnswerForm,
    CallbackForm,
    CardForm,
    DelegateForm,
    DirectForm,
    DispatchForm,
    EscalateForm,
    ExtendApproveForm,
    ExtendRequestForm,
    ListFilterForm,
    MergeForm,
    NoteForm,
    OrderForm,
    PublishedFilterForm,
    PublishForm,
    ReasonForm,
    ReturnApproveForm,
    RulesForm,
    rules_csv,
    rules_table,
)
from zhengwu.hotline.models import Card, Channel, Publication, WorkOrder
from zhengwu.hotline.models import Status as S  # noqa: N817
from zhengwu.hotline.schemas import OrderIn, OrderMoveIn
from zhengwu.hotline.workflow import (
    ACTION_LABELS,
    CALLER_ACTIONS,
    ORDER_TABLE,
    PERSON_ACTIONS,
    ROLE_LABELS,
    department_ids,
    is_admin,
    is_operator,
)
from zhengwu.process import engine
from zhengwu.process.timeline import timeline_rows
from zhengwu.regions.models import Region
from zhengwu.regions.selectors import region_get

RULES_UPLOAD_BYTES = 1_000_000
ROLES: dict[str, str] = {str(role): label for role, label in ROLE_LABELS.items()}

# The form of each move on an order's page.
MOVE_FORMS: dict[str, type[django_forms.Form]] = {
    "dispatch": DispatchForm, "sign": NoteForm, "return": ReasonForm,
    "return_approve": ReturnApproveForm, "return_reject": ReasonForm, "answer": AnswerForm,
    "callback": CallbackForm, "close": NoteForm, "redo": ReasonForm, "reopen": ReasonForm,
    "escalate": EscalateForm, "delegate": DelegateForm, "extend_request": ExtendRequestForm,
    "extend_approve": ExtendApproveForm, "extend_deny": NoteForm, "urge": NoteForm,
    "supervise": NoteForm, "card": CardForm, "direct": DirectForm, "merge": MergeForm,
    "publish": PublishForm, "publish_decline": ReasonForm,
}


# --- who may open which page ------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    """Anyone who works 12345 orders: operators, 电子监察, the hotline admin and the
    departments' staff; other staff and the public are refused (403)."""
    user = cast(User, request.user)
    if not (selectors.sees_all(user) or is_admin(user) or department_ids(user)):
        raise PermissionDenied("12345工单页面仅供话务员、电子监察和承办部门工作人员使用。")
    return user


def _operator(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not is_operator(user):
        raise PermissionDenied("12345受理台仅供话务员使用。")
    return user


def _sees_all(user: User) -> bool:
    return selectors.sees_all(user)


# --- the desk ---------------------------------------------------------------------------------


def _order_in(data: Any, *, caller_name: str = "", caller_phone: str = "") -> Any:
    """The service's input from what was typed (the service checks it)."""
    fields = {
        "kind": data.get("kind", ""), "title": data.get("title", ""),
        "content": data.get("content", ""), "category_code": data.get("category", ""),
        "region_code": data.get("region", ""), "address": data.get("address", ""),
        "caller_name": data.get("caller_name", "") or caller_name,
        "caller_phone": data.get("caller_phone", "") or caller_phone,
        "caller_email": data.get("caller_email", ""),
        "enterprise_uscc": data.get("enterprise_uscc", ""),
        "urgency": data.get("urgency", "") or "normal",
        "confidential": bool(data.get("confidential")),
        "publish_consent": bool(data.get("publish_consent")),
    }
    return OrderIn(**fields)


# Which form field an input the service refused belongs to.
FIELD_OF_INPUT = {"category_code": "category", "region_code": "region"}


def _open(form: OrderForm, user: User, channel: str, **caller: str) -> WorkOrder | None:
    """受理 from the form; on a problem, put it next to its field (the files chosen are kept
    for the next attempt: cases.staging)."""
    form.is_valid()
    files = form.files_given()  # also on a form refused already: the good files are kept
    if form.errors:
        # A refused file (or a stale kept one) must not hide what else is wrong: the typed
        # fields are checked too, so that one refusal names every problem.
        _check_typed(form, caller)
        mark_errors(form)
        form.keep_uploads()
        return None
    try:
        return services.order_open(user=user, data=_order_in(form.data, **caller),
                                   channel=channel, files=files, staged=form.staged_form)
    except ValidationError as problem:
        _place_schema(form, problem, skip=set())
    except DomainError as problem:
        _place(form, problem)
    mark_errors(form)
    form.keep_uploads()
    return None


def _check_typed(form: OrderForm, caller: dict[str, str]) -> None:
    """The service's checks of the typed fields (services.clean, which writes nothing), put
    next to each field that has no error yet."""
    skip = set(form.errors)
    try:
        services.clean(_order_in(form.data, **caller))
    except ValidationError as problem:
        _place_schema(form, problem, skip=skip)
    except DomainError as problem:
        fields: dict[str, str] = getattr(problem, "fields", {}) or {}
        for key, message in fields.items():
            name = FIELD_OF_INPUT.get(key, key)
            if name in form.fields and name not in skip:
                form.add_error(name, message)


def _place_schema(form: django_forms.Form, problem: ValidationError, *, skip: set[str]) -> None:
    for error in problem.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        field = FIELD_OF_INPUT.get(name, name)
        if field in skip:
            continue
        form.add_error(field if field in form.fields else None,
                       _message(str(error.get("msg", "")), name))


def _message(text: str, name: str) -> str:
    """A schema's message in Chinese (the services' own messages already are)."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text.removeprefix("Value error, ")
    return "请填写或更正此项。"


def _place(form: django_forms.Form, problem: DomainError) -> None:
    """Put a service's refusal next to the field it is about (services.OrderInvalid names
    each; otherwise the field its code names: order.reply_required → reply), else above the
    form."""
    fields: dict[str, str] = getattr(problem, "fields", {}) or {}
    if fields:
        for key, message in fields.items():
            name = FIELD_OF_INPUT.get(key, key)
            form.add_error(name if name in form.fields else None, message)
        return
    field = ""
    if not field:
        tail = problem.code.rsplit(".", 1)[-1]
        candidates = [tail, FIELD_OF_INPUT.get(tail, ""), tail.removesuffix("_missing"),
                      tail.removesuffix("_required"), "note" if "reason" in tail else ""]
        field = next((name for name in candidates if name in form.fields), "")
    form.add_error(field or None, problem.message)


def _knowledge(q: str) -> tuple[list[search.Hit], str]:
    """办事指南 matching the caller's question (the catalogue's search as a service)."""
    if not q.strip():
        return [], ""
    try:
        hits, _ = search.get_index().search(q, limit=8)
    except search.QueryError as problem:
        return [], str(problem)
    return hits, ""


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """受理台: the new-call form. Its 查询历史工单 and 搜索办事指南 buttons post the form back
    with what was typed kept (nothing is lost while the operator looks something up);
    ?phone= and ?q= do the same lookups from a link."""
    user = _operator(request)
    data = request.POST if request.method == "POST" else request.GET
    lookup = request.POST.get("lookup", "")
    if request.method == "POST" and not lookup:
        form = OrderForm(request.POST, desk=True)
        row = _open(form, user, request.POST.get("channel") or Channel.PHONE)
        if row is not None:
            messages.success(request, f"已受理，工单编号 {row.number}。请派单或直办。")
            return redirect("hotline:order", number=row.number)
    else:
        # A lookup: the form as typed, not judged yet.
        typed = {k: v for k, v in data.items() if k in OrderForm.base_fields or k == "channel"}
        typed.setdefault("caller_phone", data.get("phone", ""))
        form = OrderForm(initial=typed, desk=True)
    phone = (data.get("caller_phone") or data.get("phone") or "").strip()[:20]
    history = list(selectors.orders_for(user, phone=phone)[:20]) if phone else []
    q = data.get("q", "")[:50]
    hits, search_error = _knowledge(q)
    waiting = selectors.orders_for(user).filter(
        status__in=(S.DISPATCHING, S.RETURNED)).order_by("accepted_at")[:30]
    return render(request, "hotline/desk.html", {
        "form": form, "phone": phone, "history": history, "lookup": lookup,
        "q": q, "hits": hits, "search_error": search_error, "waiting": waiting},
                  status=422 if form.is_bound and form.errors else 200)


# --- the staff list ---------------------------------------------------------------------------


def _overdue(row: WorkOrder, now: Any) -> bool:
    """Past its limit: the 办理期限, or — not yet signed for — the 签收期限."""
    return selectors.is_overdue(row, now) or (
        row.status == S.SIGNING and row.sign_due_at is not None and row.sign_due_at < now)


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    sees_all = _sees_all(user)
    filters = ListFilterForm(request.GET or None)
    chosen: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    department = str(chosen.get("department") or "")
    found = selectors.orders_for(
        user, status=chosen.get("status") or "", kind=chosen.get("kind") or "",
        department_id=int(department) if sees_all and department.isdigit() else None)
    if chosen.get("business"):
        found = found.filter(business=True)
    if chosen.get("awaiting"):
        found = publication.awaiting(found)
    now = clock.now()
    if not sees_all:
        # The department's inbox: what waits for 签收 first, then by deadline.
        found = found.exclude(status__in=(S.CLOSED, S.MERGED)) if not chosen.get(
            "status") else found
        rows = sorted(found.select_related("department", "category")[:500],
                      key=lambda r: (r.status != S.SIGNING, r.due_at or r.accepted_at))
    else:
        rows = list(found.select_related("department", "category")[:500])
    listed = [(row, _overdue(row, now)) for row in rows]
    if chosen.get("overdue"):
        listed = [(row, late) for row, late in listed if late]
    return render(request, "hotline/orders.html", {
        "rows": listed[:200], "filters": filters, "sees_all": sees_all,
        "operator": is_operator(user)})


# --- an order's page --------------------------------------------------------------------------


def _bool(value: Any) -> bool | None:
    return {"yes": True, "no": False}.get(str(value or ""))


def _event_label(event: Any) -> str:
    """An event's move in the timeline; a card names its colour, since a yellow card and a
    later red one are both 亮牌 and the history must tell them apart."""
    label = ACTION_LABELS.get(event.action, event.action)
    colour = (event.data or {}).get("colour", "") if event.action == "card" else ""
    if colour and colour in Card.values:
        return f"{label}（{Card(colour).label}）"
    return str(label)


def _move_in(action: str, data: Any) -> Any:
    """The service's move input from a move form (only the fields its schema has)."""
    department = str(data.get("department", "") or "")
    days = str(data.get("days", "") or "")
    values: dict[str, Any] = {
        # Reasons (退单, 重办 …) travel as the move's note.
        "action": action, "note": data.get("reason", "") or data.get("note", ""),
        "reply": data.get("reply", ""),
        "department_id": int(department) if department.isdigit() else None,
        "by": data.get("by", "") or "manual", "resolved": _bool(data.get("resolved")),
        "satisfaction": data.get("satisfaction", ""), "days": int(days) if days.isdigit()
        else None, "into": data.get("into", "").strip(), "card": data.get("colour", ""),
        "public_title": data.get("public_title", ""),
        "public_question": data.get("public_question", ""),
        "public_answer": data.get("public_answer", ""),
    }
    known = OrderMoveIn.model_fields
    return OrderMoveIn(**{k: v for k, v in values.items() if k in known})


def _ids(action: str) -> str:
    """Each move form's own element ids (several forms on one page share field names)."""
    return f"id_{action}_%s"


def _suggestions(row: WorkOrder) -> list[Any]:
    """routing.suggest for the order (rules first, then the model; none when it abstains)."""
    return list(routing.suggest(f"{row.title}\n{row.content}", row.region_code,
                                row.category.code if row.category else ""))


def _region_name(code: str) -> str:
    """Where the order is, in words (the township's name and its county's)."""
    if not code:
        return ""
    try:
        region = region_get(code=code)
    except Region.DoesNotExist:
        return code
    return region.name if region.parent is None else f"{region.parent.name}{region.name}"


def _move_label(action: str, row: WorkOrder) -> str:
    """A move's label on the order page; publishing an order already public edits it."""
    if action == "publish" and row.publication == Publication.PUBLISHED:
        return "修改公开内容"
    return ORDER_TABLE.moves[action].label


def _progress(request: HttpRequest, row: WorkOrder) -> HttpResponse:
    """The caller's own view: state, limits and the reply; no staff names. Its one form:
    撤回公开同意 (consent_withdraw), posted back here."""
    user = cast(User, request.user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in CALLER_ACTIONS:
            raise PermissionDenied("您不能办理此操作。")
        try:
            services.order_move(number=row.number, user=user,
                                move=OrderMoveIn(action=action))
        except DomainError as problem:
            messages.error(request, problem.message)
        else:
            row.refresh_from_db()
            messages.success(request, "已撤回公开同意，已从互动交流撤下。"
                             if row.publication == Publication.WITHDRAWN
                             else "已撤回公开同意，您的诉求和答复不会公开。")
        return redirect("hotline:order", number=row.number)
    return render(request, "hotline/progress.html", {
        "row": row, "region_name": _region_name(row.region_code),
        **_attachments(row, cast(User, request.user)), "timeline": timeline_rows(
            row.events.all(), label=_event_label,
            status=lambda s: str(S(s).label) if s else "", roles=ROLES, with_staff=False)})


@login_required
def order(request: HttpRequest, number: str) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_staff:
        # The caller's own order; another's looks like none (404).
        found = selectors.mine(user).filter(number=number).first()
        if found is None:
            raise Http404("没有这个工单。")
        return _progress(request, found)
    _staff(request)
    try:
        row = selectors.order_get(number, user)
    except WorkOrder.DoesNotExist:
        raise Http404("没有这个工单。") from None
    forms: dict[str, django_forms.Form] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        kind = MOVE_FORMS.get(action, NoteForm)
        bound = kind(request.POST, auto_id=_ids(action))
        try:
            if not bound.is_valid():
                raise _Unfit
            services.order_move(number=number, user=user, move=_move_in(action, request.POST))
        except _Unfit:
            status = 422
            forms[action] = bound
        except ValidationError as problem:
            status = 422
            for error in problem.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                name = "department" if name == "department_id" else name
                bound.add_error(name if name in bound.fields else None,
                                _message(str(error.get("msg", "")), name))
            mark_errors(bound)
            forms[action] = bound
        except DomainError as problem:
            status = problem.http_status if 400 <= problem.http_status < 500 else 409
            if action in MOVE_FORMS:
                _place(bound, problem)
                mark_errors(bound)
                forms[action] = bound
            else:
                messages.error(request, problem.message)
        else:
            label = ORDER_TABLE.moves[action].label if action in ORDER_TABLE.moves else "办理"
            messages.success(request, f"已{label}。")
            return redirect("hotline:order", number=number)
        row = selectors.order_get(number, user)
    moves = engine.moves_open(ORDER_TABLE, row, user, actions=PERSON_ACTIONS)
    shown = [(action, _move_label(action, row),
              forms.get(action) or MOVE_FORMS.get(action, NoteForm)(
                  auto_id=_ids(action), initial=_initial(action, row)))
             for action in moves if action in MOVE_FORMS]
    caller = selectors.caller_view(row, user)
    if caller.unmasked:
        # The page shows the caller's name and phone: every showing is a logged read.
        services.order_read(row=row, user=user)
    now = clock.now()
    return render(request, "hotline/order.html", {
        "row": row, "caller": caller, "overdue": _overdue(row, now),
        "region_name": _region_name(row.region_code),
        "suggestions": _suggestions(row) if "dispatch" in moves else [],
        "moves": shown, "failed": next(iter(forms), ""),
        "merged": list(row.merged.all()) if hasattr(row, "merged") else [],
        "duplicates": _duplicates(row, user), **_attachments(row, user),
        "timeline": timeline_rows(
            row.events.all(), label=_event_label,
            status=lambda s: str(S(s).label) if s else "", roles=ROLES)}, status=status)


def _initial(action: str, row: WorkOrder) -> dict[str, str]:
    """A move form's starting values: 公开答复 starts from the order's texts, masked."""
    return publication.draft(row) if action == "publish" else {}


def _duplicates(row: WorkOrder, user: User) -> list[dict[str, Any]]:
    """可能重复的工单 for an operator while the order is open; `mergeable`: the candidate's
    state allows the merge move (it is merged INTO this order)."""
    if not is_operator(user) or row.status not in selectors.OPEN:
        return []
    sources = ORDER_TABLE.moves["merge"].source
    return [{"number": c.number, "title": c.title, "score": c.score,
             "mergeable": c.status in sources}
            for c in duplicates_selectors.candidates_for(row)]


def _visible(user: User, number: str) -> WorkOrder:
    """The order as the page's user may see it: staff by their part, a caller their own."""
    found = (selectors.order_get(number, user) if user.is_staff
             else selectors.mine(user).filter(number=number).first())
    if found is None:
        raise Http404("没有这个工单。")
    return found


@dataclass(frozen=True)
class FileShown:
    """One attachment as the 附件 list shows it."""

    pk: int
    name: str
    pieces: list[str]  # the name in pieces a line may break between (<wbr>)
    part: str
    size: int
    added_at: dt.datetime


# A phone names its photos with one long word (IMG_20261207_103015_HDR….jpg): without a
# place to break, the name alone would widen a 390 px page.
NAME_RUN = 12


LONG_WORD = re.compile(rf"[^\s\u2e80-\u9fff\uff00-\uffef]{{{NAME_RUN + 1},}}")


def _breakable(name: str) -> list[str]:
    """`name` in pieces: whole when it has no long word (Chinese breaks anywhere), else
    after each _ - . and at most NAME_RUN characters each."""
    if not LONG_WORD.search(name):
        return [name]
    pieces, run = [], ""
    for ch in name:
        run += ch
        if ch in "_-." or len(run) >= NAME_RUN:
            pieces.append(run)
            run = ""
    return [*pieces, run] if run else pieces


def _attachments(row: WorkOrder, user: User) -> dict[str, Any]:
    """The 附件 section of an order's page: the files `user` may open, how many a
    confidential order keeps from them, and whether they may add some."""
    files = [FileShown(pk=a.pk, name=a.original_name, pieces=_breakable(a.original_name),
                       part=a.get_part_display(), size=a.size, added_at=a.added_at)
             for a in attachments.shown_to(row, user)]
    return {"files": files,
            "files_hidden": attachments.hidden_count(row, user),
            "may_attach": row.status not in attachments.ENDED
            and attachments.part_for(row, user) is not None,
            "accept": ACCEPT, "most": attachments.MAX_PER_ORDER, "attach_tag": ATTACH_TAG}


# The upload's outcome is said in the 附件 section (_attachments.html), where the page opens
# after it (#attachments), not at the top of a long order page, out of sight.
ATTACH_TAG = "attachments"


@login_required
@require_POST
def attach(request: HttpRequest, number: str) -> HttpResponse:
    """上传附件 from the order's page (the caller's or staff's); a refused file is said in a
    message naming it — nothing else was typed, so nothing else is lost."""
    user = cast(User, request.user)
    try:
        _visible(user, number)
    except WorkOrder.DoesNotExist:
        raise Http404("没有这个工单。") from None
    try:
        given = attachments.read_uploads(request.FILES.getlist("files"))
        services.order_attach(number=number, user=user, files=given)
    except DomainError as problem:
        messages.error(request, f"附件未上传：{problem.message}", extra_tags=ATTACH_TAG)
    else:
        messages.success(request, f"已上传 {len(given)} 个附件。", extra_tags=ATTACH_TAG)
    return redirect(reverse("hotline:order", args=[number]) + "#attachments")


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """One attachment, always as a download, for whoever may open it (attachments.shown_to);
    a member of staff opening it is a logged read (it may show the caller)."""
    user = cast(User, request.user)
    try:
        row = _visible(user, number)
    except WorkOrder.DoesNotExist:
        raise Http404("没有这个工单。") from None
    found = next((a for a in attachments.shown_to(row, user) if a.pk == pk), None)
    if found is None:
        raise Http404("没有这个附件。")
    if user.is_staff and row.caller_id != user.pk:
        services.order_read(row=row, user=user, purpose=f"查看12345工单附件“{found.original_name}”")
    response = FileResponse(found.file.open("rb"), as_attachment=True,
                            filename=found.original_name, content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


class _Unfit(Exception):
    """A move form that did not validate (a number that is not one): shown as typed."""


# --- the portal -------------------------------------------------------------------------------


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """我要反映 for a signed-in person or enterprise: name and phone from the account."""
    user = cast(User, request.user)
    if user.is_staff:
        if is_operator(user):
            return redirect("hotline:desk")
        raise PermissionDenied("工作人员请通过12345受理台登记工单。")
    # An enterprise's account speaks for the enterprise: its matter is a 营商环境 one.
    form = OrderForm(request.POST or None, request.FILES or None, desk=False,
                     initial={"enterprise_uscc": user.uscc, "caller_phone": user.phone or ""},
                     owner=user, keep_as="hotline.new")
    if request.method == "POST":
        name = user.display_name or user.get_full_name() or user.username
        row = _open(form, user, Channel.WEB, caller_name=name, caller_phone=user.phone or "")
        if row is not None:
            return render(request, "hotline/opened.html", {"row": row})
    return render(request, "hotline/new.html", {"form": form},
                  status=422 if form.errors else 200)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return render(request, "hotline/mine.html", {"rows": selectors.mine(user)})


# --- 互动交流 (public) -------------------------------------------------------------------------


def published(request: HttpRequest) -> HttpResponse:
    """互动交流: the published questions and answers, newest first, by kind, department and
    keyword; public, personal data never on it (publication.PUBLIC_FIELDS)."""
    found = publication.departments()
    filters = PublishedFilterForm(request.GET or None, departments=found)
    chosen: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    department = str(chosen.get("department") or "")
    rows = publication.published(kind=chosen.get("kind") or "",
                                 department_id=int(department) if department.isdigit() else None,
                                 q=chosen.get("q") or "")
    page = Paginator(publication.public_values(rows), publication.PAGE_SIZE).get_page(
        request.GET.get("page"))
    kept = {k: v for k in ("kind", "department") if (v := str(chosen.get(k) or ""))}
    return render(request, "hotline/published.html", {
        "filters": filters, "page": page, "items": [publication.public_row(r) for r in page],
        "q": chosen.get("q") or "", "extra": urlencode(kept) + "&" if kept else ""})


# --- routing rules ----------------------------------------------------------------------------


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not _sees_all(user):
        raise PermissionDenied("派单规则由12345热线管理员维护。")
    admin = is_admin(user)
    version = routing.active_version()
    rules_in_force = (list(version.rules.select_related("category", "department"))
                      if version else [])
    # A new version replaces the whole table: the box starts from the one in force (an
    # empty box would invite publishing the one new rule alone, dropping all the others).
    form = RulesForm(request.POST or None, request.FILES or None,
                     initial={"rows": rules_csv(rules_in_force)} if admin else None)
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("只有12345热线管理员可以发布新的派单规则。")
        if form.is_valid():
            text = form.cleaned_data["rows"] or ""
            upload = form.cleaned_data.get("upload")
            if upload is not None:
                if upload.size > RULES_UPLOAD_BYTES:
                    form.add_error("upload", "文件过大：规则表最多 1 MB。")
                else:
                    try:
                        text = upload.read().decode("utf-8-sig")
                    except UnicodeDecodeError:
                        form.add_error("upload", "文件须为 UTF-8 编码的 CSV。")
            parsed, shape, lines = rules_table(text) if not form.errors else ([], [], [])
            for error in shape:
                form.add_error("rows", error)
            if not form.errors:
                try:
                    made = services.routing_version_create(
                        rows=parsed, user=user, note=form.cleaned_data["note"])
                except services.ImportInvalid as problem:
                    for error in problem.errors:
                        form.add_error("rows", _on_line(error, lines))
                except DomainError as problem:
                    form.add_error("rows", problem.message)
                else:
                    messages.success(request, f"已发布派单规则第{made.number}版。")
                    # The page's top (with this message), not the #publish the form posted
                    # to: a redirect without a fragment would keep that one.
                    return redirect(reverse("hotline:rules") + "#main")
        mark_errors(form)
    return render(request, "hotline/rules.html", {
        "form": form, "admin": admin, "version": version, "rows": rules_in_force},
                  status=422 if form.errors else 200)


def _on_line(error: str, lines: list[int]) -> str:
    """The service's "第n行" (its n-th rule) as the line of the text the rule is on."""
    found = re.match(r"第(\d+)行", error)
    if found is None or not 1 <= int(found.group(1)) <= len(lines):
        return error
    return f"第{lines[int(found.group(1)) - 1]}行" + error[found.end():]
