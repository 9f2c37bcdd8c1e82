"""Loose ends of issue 10 §1 (accounts): one ID number per person account held by the
database, not only by the service."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from zhengwu.accounts import services
from zhengwu.accounts.models import IdentityMethod, RealNameLevel, User, UserKind
from zhengwu.accounts.services import actor_for, identity_bind, user_create
from zhengwu.core.codes import make_uscc
from zhengwu.core.errors import NotAllowed

pytestmark = pytest.mark.django_db

ZHANGSAN_ID = "43048119900101123X"
LISI = ("李四", "430481198604221012")  # packs/leiyang/identities.csv (illustrative)


def _person(username: str, phone: str) -> User:
    return user_create(username=username, password="x-demo-2026-x", kind=UserKind.PERSON,
                       phone=phone)


def test_the_database_refuses_a_second_person_account_with_one_number():
    other = _person("lisi", "13900000101")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(citizen_id=ZHANGSAN_ID)


def test_accounts_without_a_number_and_staff_are_not_held_by_it():
    # Closed accounts have their number removed (""): any number of them; a staff account's
    # field is not an identity the rule is about.
    first, second = _person("lisi", "13900000101"), _person("wangwu", "13900000102")
    User.objects.filter(pk__in=[first.pk, second.pk]).update(citizen_id="")
    staff = user_create(username="staff-x", password="x-demo-2026-x", kind=UserKind.STAFF)
    User.objects.filter(pk=staff.pk).update(citizen_id=ZHANGSAN_ID)


def test_the_database_refuses_a_second_enterprise_account_with_one_uscc():
    canyin = User.objects.get(username="canyin")
    other = user_create(username="copy", password="x-demo-2026-x", kind=UserKind.ENTERPRISE,
                        display_name="另一家", uscc=make_uscc("9", "2", "430481", "MA4L9999"))
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(uscc=canyin.uscc)


def test_a_race_past_the_service_check_is_the_same_clear_refusal(monkeypatch):
    """Two verifications of one number in the same instant: both pass the service's look-up;
    the database refuses the second, and the person gets identity.number_taken, not a 500."""
    lisi = _person("lisi", "13900000101")
    with transaction.atomic():
        identity_bind(owner=lisi, id_number=LISI[1], name=LISI[0],
                      method=IdentityMethod.PROVIDER, verified_by=None, actor=actor_for(lisi))
    twin = _person("lisi2", "13900000102")
    monkeypatch.setattr(services, "citizen_id_holder", lambda *args, **kwargs: None)
    with pytest.raises(NotAllowed) as refused, transaction.atomic():
        identity_bind(owner=twin, id_number=LISI[1], name=LISI[0],
                      method=IdentityMethod.PROVIDER, verified_by=None, actor=actor_for(twin))
    assert refused.value.code == "identity.number_taken"
    twin.refresh_from_db()
    assert twin.citizen_id == "" and twin.realname_level == RealNameLevel.MOBILE
