"""cases.access.visible_q and reach_q: one condition for "which rows of a process may this
person see" — the reach table (access_matrix.ACTS_AS) read once, and each process naming only
the fields its rows keep the region, the department and the applicant in (cases, bundles,
joint reviews, 事后核查 and 失信记录)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from zhengwu.accounts.models import User
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.cases import access
from zhengwu.cases.access import case_queryset_for, reach_q, reached, visible_q
from zhengwu.cases.models import Case
from zhengwu.cases.workflow import Role
from zhengwu.departments.models import Department

CASE_FIELDS = {"region": "accepting_region__code", "department": "department_id",
               "own": ("applicant", "submitted_by")}


def _seen(user: User, **fields: object) -> set[int]:
    condition = visible_q(user, **fields)  # type: ignore[arg-type]
    if condition is None:
        return set()
    return set(Case.objects.filter(condition).values_list("pk", flat=True))


def test_nobody_anonymous_everything_for_a_supervisor(food, submit, supervisor):
    submit(food)
    assert visible_q(AnonymousUser(), **CASE_FIELDS) is None  # type: ignore[arg-type]
    assert visible_q(supervisor, **CASE_FIELDS) == Q()
    assert _seen(supervisor, **CASE_FIELDS) == set(Case.objects.values_list("pk", flat=True))


def test_the_applicant_the_window_of_the_region_and_the_department_see_a_case(
        food, submit, applicant, clerk, reviewer, staff_of):
    case = submit(food)
    other = Department.objects.exclude(pk=case.department_id).exclude(
        short_name="").first()
    assert other is not None
    stranger = staff_of(other.short_name, username="scope-stranger")
    chief = staff_of(case.department.short_name, AccountRole.CHIEF_REPRESENTATIVE,
                     username="scope-chief")
    for who in (applicant, clerk, reviewer, chief):
        assert case.pk in _seen(who, **CASE_FIELDS), who
    assert case.pk not in _seen(stranger, **CASE_FIELDS)
    # Without the applicant's fields the applicant sees nothing of it.
    assert case.pk not in _seen(applicant, region="accepting_region__code",
                                department="department_id")


def test_each_process_names_only_its_fields(food, submit, clerk, reviewer):
    case = submit(food)
    assert case.department_id in reached(reviewer).departments
    assert reached(reviewer).prefixes == ()
    assert reached(clerk).prefixes and reached(clerk).departments == ()
    # A process without a region field: the window's region reach does not count.
    assert reach_q(clerk, department="department_id") is None
    # Department-scoped reaches alone, by a condition of the process's own (no join).
    by_function = reach_q(reviewer, department=lambda ids: Q(department_id__in=ids))
    assert by_function is not None
    assert Case.objects.filter(by_function).filter(pk=case.pk).exists()
    # Only the window's reaches.
    assert reach_q(reviewer, region="accepting_region__code", department="department_id",
                   roles={Role.WINDOW}) is None


def test_case_reads_start_from_the_one_condition(food, submit, applicant, clerk, reviewer,
                                                 supervisor):
    submit(food)
    for who in (applicant, clerk, reviewer, supervisor):
        assert set(case_queryset_for(who).values_list("pk", flat=True)) == \
            _seen(who, **CASE_FIELDS), who
    assert access.window_prefixes(clerk) == list(reached(clerk, {Role.WINDOW}).prefixes)
    assert access.reviewer_departments(reviewer) == list(reached(reviewer).departments)
