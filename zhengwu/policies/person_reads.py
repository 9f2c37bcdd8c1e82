"""Persons on staff pages and in the API (quality.md #8): a benefit for persons (人才住房补贴 …)
lists people by name and 公民身份号码. The number is shown masked (core.masking) unless an
officer of the benefit's department asks for it whole — to pay, say — and every showing of a
person, masked or whole, is a SubjectRead the person reads in 我能享受的政策: who, which
department, why, when, how often (core.access_log groups them).

One rule in one place: the views and the API call `shown` for what to display and `log` for
what they displayed; nothing else decides whether a person's number is masked.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.access_log import AccessGroup, access_group, access_groups
from zhengwu.core.audit import audit_record
from zhengwu.core.masking import mask_citizen_id
from zhengwu.policies import services
from zhengwu.policies.models import Benefit, SubjectKind, SubjectRead

LIST_PURPOSE = "核定免申即享名单"
API_PURPOSE = "核定免申即享名单（接口）"
UNMASK_PURPOSE = "查看完整身份证号码（兑现拨付）"


def is_person(benefit: Benefit) -> bool:
    return benefit.subject_kind == SubjectKind.PERSON


def may_unmask(user: User, benefit: Benefit) -> bool:
    """Only the officers of the benefit's department, who pay it; 电子监察 reads it masked."""
    return is_person(benefit) and benefit.department_id in services.officer_department_ids(user)


def shown(benefit: Benefit, code: str, *, unmasked: bool = False) -> str:
    """The subject's number as a staff page or the API shows it: a USCC whole, a person's
    ID number masked unless `unmasked` (may_unmask checked by the caller)."""
    return code if not is_person(benefit) or unmasked else mask_citizen_id(code)


@transaction.atomic
def log(*, user: User, benefit: Benefit, codes: Iterable[str], purpose: str,
        unmasked: bool = False) -> int:
    """Record that `user` was shown the persons `codes` of `benefit` (each once per showing)
    with one audit row; nothing for an enterprise's benefit."""
    if not is_person(benefit):
        return 0
    people = sorted(set(codes))
    if not people:
        return 0
    actor = (services.officer_actor(user, benefit.department)
             if benefit.department_id in services.officer_department_ids(user)
             else actor_for(user))  # 电子监察
    now = clock.now()
    SubjectRead.objects.bulk_create(
        SubjectRead(id_number=code, benefit=benefit, unmasked=unmasked, user=user,
                    department_label=actor.department_label, purpose=purpose[:40], at=now)
        for code in people)
    audit_record(actor=actor, action="policies.persons_read", obj=benefit,
                 after={"persons": len(people), "unmasked": unmasked}, reason=purpose)
    return len(people)


def reads_of(id_number: str) -> list[AccessGroup]:
    """Who was shown the person `id_number` on a benefit's lists, grouped by day, staff
    member, department and purpose."""
    return [access_group(row) for row in
            access_groups(SubjectRead.objects.filter(id_number=id_number))]
