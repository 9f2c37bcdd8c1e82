"""Reads of the sharing app, each scoped to the person who asks: a holder sees only the uses
of their own licences and data, an applicant only their own shared-data requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse

from zhengwu.accounts.models import RealNameLevel, User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.holder_ref import holder_ref
from zhengwu.sharing.models import DataUse, SharedDataItem, SharingRequest, SubjectKind, UseKind

# Whom the holder is shown as the user of their data when no staff member acted.
PUBLIC_LABEL = "公众（扫码或出示核验）"


def holder_number(user: User) -> str:
    """The number an account holds its licences and data under: the citizen ID of a person,
    the USCC of an enterprise; empty for staff."""
    if user.kind == UserKind.ENTERPRISE:
        return user.uscc
    if user.kind == UserKind.PERSON:
        return user.citizen_id
    return ""


def verified_holder_number(user: User) -> str:
    """The account's number only when the platform verified it (L2): nobody reads another's
    data or log by typing their number into an unverified account. Empty otherwise."""
    if user.realname_level < RealNameLevel.IDENTITY:
        return ""
    return holder_number(user)


def holder_refs_of(user: User) -> list[str]:
    """The holder references the account may read the uses of (its own verified number)."""
    number = verified_holder_number(user)
    return [holder_ref(number)] if number else []


def uses_for(user: User) -> QuerySet[DataUse]:
    """谁用了我的证照/数据: the uses of the person's own licences and data, newest first."""
    return DataUse.objects.filter(holder_ref__in=holder_refs_of(user)).order_by("-seq")


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return ""


# Licences sit above sharing: their app registers how to name licences by identifier
# (identifier → the licence type's name, e.g. 营业执照), so the holder reads what was used.
LicenceNamer = Callable[[set[str]], dict[str, str]]
_NAMERS: dict[str, LicenceNamer] = {}


def licence_namer_register(namer: LicenceNamer) -> None:
    """Register (or replace) how licences are named; called in the licences app's ready."""
    _NAMERS["licences"] = namer


def use_row(use: DataUse, items: dict[str, str], url: str = "",
            licences: dict[str, str] | None = None) -> dict[str, Any]:
    """What the holder sees of one use. Like 谁查看过我的办件 (portal.my_space), staff are
    named with their role and department; the holder's own preview reads 本人; `url` is the
    shared data fetched for the case, when the use is such a request."""
    role = _role_label(use.role)
    if use.actor_id is None:
        who = use.actor_label if use.actor_label and use.actor_label != "系统" else PUBLIC_LABEL
    elif use.kind == UseKind.PREVIEW:
        who, role = "本人", ""
    else:
        who = use.actor_label
    what = items.get(use.item_code, use.item_code) if use.item_code else \
        (licences or {}).get(use.licence_id, "电子证照")
    return {"seq": use.seq, "at": use.at, "kind": use.kind, "kind_label": use.get_kind_display(),
            "who": who, "role": role, "department": use.department_label, "url": url,
            "case_number": use.case_number, "basis": use.basis,
            "basis_label": use.get_basis_display(), "basis_text": use.basis_text,
            "purpose": use.purpose, "what": what, "licence_id": use.licence_id,
            "item_code": use.item_code}


def use_rows(uses: list[DataUse]) -> list[dict[str, Any]]:
    codes = {u.item_code for u in uses if u.item_code}
    items = dict(SharedDataItem.objects.filter(code__in=codes).values_list("code", "name"))
    requests = dict(SharingRequest.objects.filter(
        use_id__in=[u.pk for u in uses if u.kind in {UseKind.SHARED_DATA_QUERY,
                                                       UseKind.EX_OFFICIO_CHECK}])
        .values_list("use_id", "pk"))
    identifiers = {u.licence_id for u in uses if u.licence_id}
    namer = _NAMERS.get("licences")
    licences = namer(identifiers) if namer and identifiers else {}
    return [use_row(u, items, reverse("sharing:request", args=[requests[u.pk]])
                    if u.pk in requests else "", licences) for u in uses]


def catalogue() -> QuerySet[SharedDataItem]:
    return SharedDataItem.objects.select_related("provider").order_by("code")


def items_for(user: User) -> QuerySet[SharedDataItem]:
    """The items about the kind of holder the account is (person or enterprise)."""
    kind = SubjectKind.ENTERPRISE if user.kind == UserKind.ENTERPRISE else SubjectKind.PERSON
    return catalogue().filter(subject_kind=kind)


def request_for_applicant(user: User, pk: int) -> SharingRequest:
    """One shared-data request of the applicant's own; another's raises DoesNotExist (404)."""
    return SharingRequest.objects.select_related("item__provider", "use").get(
        pk=pk, applicant=user)


def requests_for_case(user: User, case_number: str) -> QuerySet[SharingRequest]:
    return (SharingRequest.objects.select_related("item__provider")
            .filter(applicant=user, case_number=case_number).order_by("pk"))


def use_counts_by_month(*, since: dt.datetime,
                        until: dt.datetime) -> list[tuple[dt.date, str, bool, int]]:
    """The data-use log counted per month (Beijing time) of its rows' time, per kind, and per
    subject — True for a licence (the row names one), False for shared data — for the
    electronic-licence KPIs (cases.licence_kpis): rows with `since` ≤ time < `until`, in one
    query. Rows are (first day of the month, kind, is a licence, count)."""
    rows = (DataUse.objects.filter(at__gte=since, at__lt=until).order_by()
            .values("kind", month=TruncMonth("at", tzinfo=SHANGHAI),
                    is_licence=ExpressionWrapper(~Q(licence_id=""), output_field=BooleanField()))
            .annotate(n=Count("pk")))
    return [(row["month"].astimezone(SHANGHAI).date(), row["kind"], bool(row["is_licence"]),
             row["n"]) for row in rows]
