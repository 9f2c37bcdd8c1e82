"""企业开办 ends with an electronic 营业执照: the registration member's grant (by a reviewer, or
deemed by the sweep while the bundle is told) registers the enterprise and issues it to the
enterprise (test_registration.py has the registration itself)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import User
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.bundles.tests.test_flow import REGISTRATION, decide, members
from zhengwu.cases import sweeps as case_sweeps
from zhengwu.cases.models import Case, Decision
from zhengwu.licences.holder import holder_ref
from zhengwu.licences.models import HolderKind, Licence
from zhengwu.licences.selectors import licences_of_holder
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db


@time_machine.travel(MORNING, tick=False)
def test_the_registration_grant_issues_the_business_licence(submit_qykb: Any, clerk: Any,
                                                            reviewers: Any,
                                                            applicant: Any) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    registration = members(bundle_case)[REGISTRATION]
    case = decide(registration, reviewers[REGISTRATION])
    licence = Licence.objects.get(source_case=case.number)
    assert licence.licence_type.name == "营业执照"
    assert licence.valid_until is None  # 长期
    enterprise = User.objects.get(uscc=Case.objects.get(pk=case.pk).registered_uscc)
    assert licence.holder_ref == holder_ref(enterprise.uscc)
    assert json.loads(licence.data)["credentialSubject"]["holder"]["kind"] == HolderKind.ENTERPRISE
    assert licence.payload["name"] not in ("", "—")
    assert list(licences_of_holder(enterprise)) == [licence]
    assert list(licences_of_holder(applicant)) == []
    # Only the registration member issues one: the seal, tax and others have no type.
    others = [m.case.number for n, m in members(bundle_case).items() if n != REGISTRATION]
    assert not Licence.objects.filter(source_case__in=others).exists()


def test_a_deemed_registration_issues_it_in_the_sweep(submit_qykb: Any, clerk: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        bundle_case = submit_qykb()
        bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    later = dt.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        case_sweeps.run(later)
    case = Case.objects.get(pk=members(bundle_case)[REGISTRATION].case_id)
    assert case.decision == Decision.DEEMED_APPROVED
    licence = Licence.objects.get(source_case=case.number)
    assert licence.licence_type.name == "营业执照"
    assert case.registered_uscc and licence.holder_ref == holder_ref(case.registered_uscc)
