"""A grant issues the item's electronic licence in the decision's transaction (scorecard row
3): by a person, by 超时默认 in the sweep's bulk move; a failure while issuing rolls the
decision back; a revoked grant revokes the licence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings

from zhengwu.cases import sweeps
from zhengwu.cases.models import Case, CaseStatus, Decision, NoticeKind
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.licences import services as licence_services
from zhengwu.licences.credential import credential_verify_with
from zhengwu.licences.holder import holder_ref
from zhengwu.licences.models import Licence, LicenceStatus
from zhengwu.licences.signing import KeyRing
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


def move(case: Case, user: Any, action: str, **kwargs: Any) -> Case:
    return case_transition(case_id=case.pk, user=user, move=MoveIn(action=action, **kwargs))


def _reviewed(food: Any, submit: Any, clerk: Any, reviewer: Any, chief: Any) -> Case:
    case = move(submit(food), clerk, "accept")
    case = move(case, reviewer, "review_pass")
    return move(case, chief, "review_pass")


class SigningDown(RuntimeError):
    pass


def _fail_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(department: Any) -> Any:
        raise SigningDown("签名服务不可用")

    monkeypatch.setattr(licence_services, "department_signer", down)


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_a_grant_issues_the_signed_licence_with_the_decision(food, submit, clerk, reviewer,
                                                             chief, applicant):
    case = move(_reviewed(food, submit, clerk, reviewer, chief), reviewer, "grant")
    assert case.decision == Decision.GRANTED
    licence = Licence.objects.get(source_case=case.number)
    assert licence.licence_type.name == "食品经营许可证"
    assert licence.holder_ref == holder_ref(applicant.citizen_id)
    assert (licence.holder_name, licence.holder_id_display) == ("张*", "430***********123X")
    assert licence.valid_from == case.decided_at.replace(microsecond=0)
    assert licence.valid_until.astimezone(SHANGHAI).date() == dt.date(2030, 9, 25)
    answers = case.form_data["answers"]
    assert licence.payload["legalRepresentative"] == answers["legal_rep_name"]
    assert licence.payload["issuedOn"] == "2025年9月26日"
    keys = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
    assert credential_verify_with(keys, licence.data, bytes(licence.signature)).ok
    # Deciding again is refused by the case; the licence is issued once.
    assert Licence.objects.filter(source_case=case.number).count() == 1


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_a_failure_while_issuing_rolls_the_decision_back(food, submit, clerk, reviewer, chief,
                                                         monkeypatch):
    case = _reviewed(food, submit, clerk, reviewer, chief)
    _fail_signing(monkeypatch)
    with pytest.raises(SigningDown):
        move(case, reviewer, "grant")
    case.refresh_from_db()
    assert (case.status, case.decision, case.decided_at) == (CaseStatus.ACCEPTED, "", None)
    assert not case.notices.filter(kind=NoticeKind.GRANT).exists()
    assert not case.events.filter(action="grant").exists()
    assert not Licence.objects.filter(source_case=case.number).exists()
    monkeypatch.undo()
    case = move(case, reviewer, "grant")  # once signing works again, the grant goes through
    assert Licence.objects.filter(source_case=case.number).count() == 1


def test_a_deemed_approval_in_the_sweep_issues_the_licence(food, submit, clerk):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = move(submit(food), clerk, "accept")
    assert sweeps.run(at(2025, 10, 17, 9)).deemed >= 1
    case.refresh_from_db()
    assert case.decision == Decision.DEEMED_APPROVED
    licence = Licence.objects.get(source_case=case.number)
    assert licence.status == LicenceStatus.VALID
    assert licence.valid_from == at(2025, 10, 17, 9)
    assert sweeps.run(at(2025, 10, 20, 9)).deemed == 0
    assert Licence.objects.filter(source_case=case.number).count() == 1


def test_a_failure_while_issuing_rolls_back_the_sweeps_batch(food, submit, clerk, monkeypatch):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = move(submit(food), clerk, "accept")
    _fail_signing(monkeypatch)
    with pytest.raises(SigningDown):
        sweeps.deem_overdue(at(2025, 10, 17, 9))
    case.refresh_from_db()
    assert (case.status, case.decision) == (CaseStatus.ACCEPTED, "")
    assert not case.notices.filter(kind=NoticeKind.DEEMED).exists()
    assert not Licence.objects.filter(source_case=case.number).exists()
    monkeypatch.undo()
    sweeps.deem_overdue(at(2025, 10, 17, 9))  # the rerun decides and issues, once
    assert Licence.objects.filter(source_case=case.number).count() == 1


def test_one_sweep_batch_issues_every_licence_with_one_lookup(food, submit, clerk,
                                                              django_assert_max_num_queries):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        cases = [move(submit(food), clerk, "accept") for _ in range(3)]
    with django_assert_max_num_queries(200) as counted:
        sweeps.deem_overdue(at(2025, 10, 17, 9))
    numbers = [c.number for c in cases]
    assert Licence.objects.filter(source_case__in=numbers).count() == 3
    lookups = [q["sql"] for q in counted.captured_queries
               if 'FROM "cases_case" INNER JOIN "catalog_itemimplementation"' in q["sql"]]
    assert len(lookups) == 1


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_revoking_the_grant_revokes_its_licence(food, submit, clerk, reviewer, chief):
    case = move(_reviewed(food, submit, clerk, reviewer, chief), reviewer, "grant")
    chief_user = chief
    case = move(case, chief_user, "revoke", reason="申请人以欺骗手段取得许可")
    licence = Licence.objects.get(source_case=case.number)
    assert licence.status == LicenceStatus.REVOKED
    assert case.number in licence.status_reason


def test_an_item_without_a_licence_type_issues_none(submit, clerk):
    from zhengwu.catalog.models import ItemImplementation

    impl = ItemImplementation.objects.filter(level=4, licence_type__isnull=True,
                                             deemed_approval=True).first()
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = move(submit(impl), clerk, "accept")
    sweeps.run(case.due_at + dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.decision == Decision.DEEMED_APPROVED
    assert not Licence.objects.filter(source_case=case.number).exists()


@pytest.mark.parametrize(("given", "printed"), [
    ("1000000.00", "100万元"), ("1234567.5", "123.45675万元"), ("500", "0.05万元"),
    ("一百万", "一百万"),  # not a number: printed as the application said it
])
def test_an_amount_in_yuan_is_printed_in_wan_yuan(given, printed):
    """注册资本 is asked in 元 and printed as the licence shows it (万元): `@万元`."""
    from zhengwu.cases.licensing import licence_payload
    from zhengwu.cases.models import Case

    case = Case(form_data={"answers": {"registered_capital": given}})
    fields = [{"key": "registeredCapital", "label": "注册资本",
               "source": "answers:registered_capital@万元"}]
    assert licence_payload(fields, case) == {"registeredCapital": printed}


def test_a_case_whose_licence_cannot_be_issued_does_not_hold_up_the_others(
        food, submit, clerk, monkeypatch):
    """A deemed approval whose licence is refused (a 设立登记 without its name, say) is held
    with its reason; the batch's other cases are decided; the next run tries it again."""
    from zhengwu.cases import licensing
    from zhengwu.core.errors import InvalidInput
    from zhengwu.core.models import AuditEvent

    with time_machine.travel(at(2025, 9, 26), tick=False):
        bad = move(submit(food), clerk, "accept")
        good = move(submit(food), clerk, "accept")
    real = licensing.licence_payload

    def refuse(fields, case):
        if case.pk == bad.pk:
            raise InvalidInput("设立登记的申请未写明企业名称，不能赋码登记。")
        return real(fields, case)

    monkeypatch.setattr(licensing, "licence_payload", refuse)
    report = sweeps.run(at(2025, 10, 17, 9))
    assert (report.deemed, report.held) == (1, 1)
    bad.refresh_from_db(), good.refresh_from_db()
    assert (good.decision, bad.status) == (Decision.DEEMED_APPROVED, CaseStatus.ACCEPTED)
    assert Licence.objects.filter(source_case=good.number).count() == 1
    held = AuditEvent.objects.filter(action="cases.deem_held").latest("id")
    assert held.after["cases"] == [{"case": bad.number,
                                    "reason": "设立登记的申请未写明企业名称，不能赋码登记。"}]
    monkeypatch.undo()
    assert sweeps.deem_overdue(at(2025, 10, 17, 9)) == 1  # decided once it can be
