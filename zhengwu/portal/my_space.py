"""The sections of 我的空间 that need the whole platform, so the portal (the top layer) owns
them: my cases with each 一件事's member cases grouped under it, my messages, and who looked at
my data (cases and 一件事 alike, one list). Registered in PortalConfig.ready()
(core.personal_space); accounts registers the profile and the addresses, and any later app its
own section, without editing these pages.

Every read starts from a selector scoped to the person: another's case, message or access
record is never in a row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, CharField, Count, F, Max, Min, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.bundles.models import BundleAccess, BundleCase, BundleMember
from zhengwu.bundles.selectors import bundle_cases_for
from zhengwu.cases.models import Case, CaseAccess
from zhengwu.cases.selectors import applicant_cases
from zhengwu.core import personal_space
from zhengwu.notifications.selectors import inbox_for

# --- my cases, 一件事 members under their bundle ---------------------------------------------------


def my_bundle_cases(user: User) -> QuerySet[BundleCase]:
    """The 一件事 the person applied for or filed (bundles.views.mine's list)."""
    return bundle_cases_for(user).filter(Q(applicant=user) | Q(submitted_by=user))


def case_entries(user: User) -> QuerySet[Any]:
    """One row per thing the person applied for, newest first: a case of its own, or a
    一件事 — whose member cases are not rows of their own (they are shown under it). Rows are
    (kind, id, submitted_at); `entry_rows` turns a page of them into what the page shows.
    One query, paginated by the database, however many cases there are."""
    singles = (applicant_cases(user=user).filter(bundle_number="").order_by()
               .annotate(kind=Value("case", output_field=CharField()))
               .values_list("kind", "id", "submitted_at"))
    bundles = (BundleCase.objects.filter(pk__in=my_bundle_cases(user).values("pk")).order_by()
               .annotate(kind=Value("bundle", output_field=CharField()))
               .values_list("kind", "id", "submitted_at"))
    return singles.union(bundles, all=True).order_by("-submitted_at", "-id")


def _case_row(case: Case) -> dict[str, Any]:
    return {"kind": "case", "number": case.number, "title": case.implementation.item.name,
            "department": case.department.name, "status": case.status,
            "status_label": case.get_status_display(),
            "decision_label": case.get_decision_display() if case.decision else "",
            "submitted_at": case.submitted_at, "due_at": case.due_at,
            "url": case.get_absolute_url(), "members": []}


def _bundle_row(bundle_case: BundleCase, members: list[BundleMember]) -> dict[str, Any]:
    return {"kind": "bundle", "number": bundle_case.number, "title": bundle_case.bundle.name,
            "department": "", "status": bundle_case.status,
            "status_label": bundle_case.get_status_display(),
            "decision_label": bundle_case.get_result_display() if bundle_case.result else "",
            "submitted_at": bundle_case.submitted_at, "due_at": bundle_case.due_at,
            "url": bundle_case.get_absolute_url(),
            "members": [{"number": m.case.number, "title": m.case.implementation.item.name,
                         "department": m.case.department.name,
                         "status": m.case.status, "status_label": m.case.get_status_display(),
                         "decision_label": m.case.get_decision_display()
                         if m.case.decision else ""}
                        for m in members if m.case is not None]}


def entry_rows(page: list[tuple[str, int, dt.datetime]]) -> list[dict[str, Any]]:
    """A page of `case_entries` as rows: a bundle with its member cases in position order."""
    case_ids = [pk for kind, pk, _ in page if kind == "case"]
    bundle_ids = [pk for kind, pk, _ in page if kind == "bundle"]
    cases = Case.objects.select_related("implementation__item", "department").in_bulk(case_ids)
    bundles = BundleCase.objects.select_related("bundle").in_bulk(bundle_ids)
    members: dict[int, list[BundleMember]] = {pk: [] for pk in bundle_ids}
    for member in (BundleMember.objects.filter(bundle_case_id__in=bundle_ids)
                   .select_related("case__implementation__item", "case__department")
                   .order_by("bundle_case_id", "pk")):
        members[member.bundle_case_id].append(member)
    return [_case_row(cases[pk]) if kind == "case" else _bundle_row(bundles[pk], members[pk])
            for kind, pk, _ in page]


def cases_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    entries = case_entries(user)
    return personal_space.SectionData(
        items=entry_rows(list(entries[offset:offset + limit])), count=entries.count(),
        url=reverse("portal:my_cases"))


# --- messages ----------------------------------------------------------------------------------


def messages_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    messages = inbox_for(user)
    return personal_space.SectionData(
        items=[{"id": m.pk, "title": m.title, "link": m.link, "category": m.category,
                "created_at": m.created_at, "is_read": m.is_read}
               for m in messages[offset:offset + limit]],
        count=messages.count(), url=reverse("notifications:inbox"),
        extra={"unread": inbox_for(user, unread_only=True).count()})


# --- who looked at my data ---------------------------------------------------------------------


def _grouped(accesses: QuerySet[Any], number: str, title: str) -> QuerySet[Any]:
    """core.access_log's grouping (staff member, department, purpose, day) plus what was read:
    the person sees which case each line is about."""
    day = TruncDate("at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    grouped: QuerySet[Any] = (accesses.order_by()
            .annotate(day=day, number=F(number), what=F(title),
                      who=F("user__display_name"), login=F("user__username"))
            .values("day", "number", "what", "who", "login", "user_id", "department_label",
                    "purpose", "unmasked")
            .annotate(times=Count("id"), first_at=Min("at"), last_at=Max("at")))
    return grouped


def access_entries(user: User) -> QuerySet[Any]:
    """谁查看过我的办件: every staff read of the person's own cases and 一件事 (those they are
    the applicant of, as on each case page), grouped per case, staff member, department,
    purpose and day, in one list, the most recent first."""
    cases = _grouped(CaseAccess.objects.filter(case__applicant=user),
                     "case__number", "case__implementation__item__name")
    bundles = _grouped(BundleAccess.objects.filter(bundle_case__applicant=user)
                       .annotate(unmasked=Value(False, output_field=BooleanField())),
                       "bundle_case__number", "bundle_case__bundle__name")
    return cases.union(bundles, all=True).order_by("-last_at", "purpose", "user_id")


def access_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"day": row["day"], "number": row["number"], "what": row["what"],
            "who": row["who"] or row["login"], "department": row["department_label"],
            "purpose": row["purpose"], "unmasked": bool(row["unmasked"]),
            "times": row["times"], "first_at": row["first_at"], "last_at": row["last_at"]}


def accesses_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    entries = access_entries(user)
    return personal_space.SectionData(
        items=[access_row(row) for row in entries[offset:offset + limit]],
        count=entries.count(), url=reverse("portal:my_accesses"))


def register() -> None:
    for section in (
        personal_space.Section(key="cases", title="我的办件", order=10, provide=cases_section,
                               template="portal/_my_cases.html",
                               empty="还没有办件。"),
        personal_space.Section(key="messages", title="我的消息", order=40,
                               provide=messages_section, template="portal/_my_messages.html",
                               empty="没有消息。"),
        personal_space.Section(key="accesses", title="谁查看过我的办件", order=60,
                               provide=accesses_section, template="portal/_my_accesses.html",
                               empty="还没有工作人员查看过您的办件。"),
    ):
        personal_space.register(section)



