"""No partial state (quality.md #3): a fault injected at every write of submit → accept →
review → decide → notify leaves nothing half done.

Every write a step makes is an injection point: each SQL INSERT/UPDATE/DELETE and each upload
written to storage (see `faults`). `WRITES` lists them in order; `test_the_census_of_writes`
fails when a step gains or loses a write, so a new write cannot escape the parametrized test.
For each point the step is run with that write failing, then:

- the step raised, and the tables it writes are exactly as before (no status without its event
  row, no decision without its audit row and notice, no case without its materials, the audit
  chain head not advanced, no notification queued for a change that did not happen);
- no upload file is left in storage for a material that was not recorded;
- run again without the fault, the step succeeds and every invariant holds: each case's status
  is its last event's, each event has its audit row, the audit chain verifies, every change the
  applicant is told about has its outbox rows, and after delivery each in-app row is in the
  inbox exactly once.

Delivery (notify) is different by design: a sender's failure is caught per row and the row is
retried later (at-least-once), so a fault inside a sender leaves the row pending with the error
recorded; a fault while marking rows sent rolls the whole batch back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from tests.reliability.faults import Faults, InjectedDatabaseFault, InjectedStorageFault
from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.cases import uploads
from zhengwu.cases.models import Case, CaseEvent, CaseMaterial, CaseStatus, Decision, Notice
from zhengwu.cases.services import MaterialIn, MoveIn, case_submit, case_transition
from zhengwu.cases.tests.conftest import sample_answers
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.audit import audit_verify
from zhengwu.core.models import AuditChainHead, AuditEvent
from zhengwu.licences.models import Licence
from zhengwu.notifications.models import Message, OutboxItem, OutboxStatus
from zhengwu.notifications.services import outbox_deliver

FOOD = "食品经营许可证核发（新办）"
FORM = {"applicant_name": "张三", "id_number": "43048119900101123X", "phone": "13800000001",
        "address": "耒阳市蔡子池街道"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

_EVENT = ["INSERT cases_caseevent", "INSERT core_auditevent", "UPDATE core_auditchainhead"]
_MATERIAL = ["FILE upload", "INSERT cases_casematerial"]
_NOTIFY = ["INSERT notifications_outboxitem"]
_NOTICE = ["INSERT core_counter", "INSERT cases_notice"]
# The food licence's grant issues its 食品经营许可证 in the same transaction (issue 11,
# scorecard row 3: no licence without a decision, no decision without its licence).
# The first licence of its issuer also opens (and signs) its revocation and suspension
# status lists; the licence's two status entries are one INSERT.
_LICENCE = ["INSERT core_counter", *["INSERT licences_statuslist",
                                     "UPDATE licences_statuslist"] * 2,
            "INSERT licences_licence", "INSERT licences_statusentry", "INSERT core_auditevent",
            "UPDATE core_auditchainhead"]
# A decision makes the case a service the applicant may rate (好差评, evaluations.events), in
# the decision's transaction.
_RATEABLE = ["INSERT evaluations_serviceevent"]
# Every write of each step, in order (the food licence: three uploaded materials, a chain of
# 承办 → 审核 → 批准, an applicant with a phone, so each notification is in-app + SMS).
WRITES: dict[str, list[str]] = {
    "submit": ["INSERT core_counter", "INSERT cases_case", *_MATERIAL * 3, *_EVENT, *_NOTIFY],
    "accept": [*_NOTICE, *_NOTIFY, "UPDATE cases_case", *_EVENT],
    "review_pass": ["UPDATE cases_case", *_EVENT],
    "grant": [*_NOTICE, *_NOTIFY, "UPDATE cases_case", *_EVENT, *_LICENCE, *_RATEABLE],
    "deny": [*_NOTICE, *_NOTIFY, "UPDATE cases_case", *_EVENT, *_RATEABLE],
    # Four changes told (submit, accept, review: none, grant), each in-app + SMS; an in-app
    # row puts a message in the inbox, then each row is marked sent.
    "notify": ["INSERT notifications_message", "UPDATE notifications_outboxitem",
               "UPDATE notifications_outboxitem"] * 3,
}
TABLES = sorted({w.split()[1] for ws in WRITES.values() for w in ws if w.startswith(
    ("INSERT", "UPDATE", "DELETE"))})
POINTS = [(step, n) for step, writes in WRITES.items() for n in range(1, len(writes) + 1)]


@dataclass
class World:
    food: ItemImplementation
    applicant: User
    clerk: User
    reviewers: list[User]

    def submit(self) -> Case:
        materials = [MaterialIn(name=m.name, kind="upload", file_name="scan.pdf", content=PDF)
                     for m in self.food.materials.filter(source="applicant", required=True)]
        assert len(materials) == 3, "WRITES assumes three required uploads"
        return case_submit(implementation_id=self.food.pk, submitted_by=self.applicant,
                           form_data=dict(FORM), materials=materials,
                           answers=sample_answers(self.food)).case

    def move(self, case: Case, action: str, user: User, reason: str = "") -> Case:
        return case_transition(case_id=case.pk, user=user,
                               move=MoveIn(action=action, reason=reason))


@pytest.fixture
def world(db, applicant, clerk) -> World:
    # The chain head of the cases stream exists once any case was ever submitted; make sure it
    # does, so the census does not depend on test order.
    AuditChainHead.objects.get_or_create(stream="cases")
    food = ItemImplementation.objects.get(item__name=FOOD, level=4)
    second = user_create(username="reviewer-b", password="x-demo-2026-x", kind=UserKind.STAFF,
                         display_name="第二审核人")
    role_assign(user=second, role=Role.REVIEWER, department=food.department)
    return World(food=food,
                 applicant=applicant, clerk=clerk,
                 reviewers=[User.objects.get(username="reviewer"), second])


# Each step: how to reach the state before it, and the step itself.
def _before(world: World, step: str) -> Case | None:
    if step == "submit":
        return None
    case = world.submit()
    if step == "accept":
        return case
    world.move(case, "accept", world.clerk)
    if step in ("review_pass", "deny"):
        return case
    world.move(case, "review_pass", world.reviewers[0])
    world.move(case, "review_pass", world.reviewers[1])
    if step == "grant":
        return case
    world.move(case, "grant", world.reviewers[0], "符合条件")
    OutboxItem.objects.exclude(dedupe_key__startswith=f"case:{case.pk}:").update(
        status=OutboxStatus.SENT)  # only this case's rows are due
    return case


def _step(world: World, step: str, case: Case | None, now: dt.datetime) -> Any:
    if step == "submit":
        return world.submit()
    assert case is not None
    if step == "accept":
        return world.move(case, "accept", world.clerk)
    if step == "review_pass":
        return world.move(case, "review_pass", world.reviewers[0])
    if step == "grant":
        return world.move(case, "grant", world.reviewers[0], "符合条件")
    if step == "deny":
        return world.move(case, "deny", world.reviewers[0], "不符合条件")
    return outbox_deliver(now=now)


# --- what "as before" and "consistent" mean -----------------------------------------------


def _fingerprint() -> dict[str, str]:
    prints = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            prints[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return prints


def _files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _assert_consistent(case_ids: list[int], baseline: set[str]) -> None:
    assert audit_verify(stream="cases") == []
    for case in Case.objects.filter(pk__in=case_ids):
        events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
        assert events, f"case {case.number} has no event"
        assert events[-1].to_status == case.status, "a status without its event row"
        audits = AuditEvent.objects.filter(object_type="cases.Case", object_id=str(case.pk))
        assert sorted(a.action for a in audits) == sorted(f"cases.{e.action}" for e in events)
        if case.decision:
            assert case.decision in (Decision.GRANTED, Decision.DENIED)
            kind = "grant" if case.decision == Decision.GRANTED else "denial"
            assert Notice.objects.filter(case=case, kind=kind).count() == 1
            assert audits.filter(action__in=["cases.grant", "cases.deny"]).count() == 1
        # No licence without a grant, and no grant of this item without its licence.
        licences = Licence.objects.filter(source_case=case.number).count()
        assert licences == (1 if case.decision == Decision.GRANTED else 0), \
            "a licence without its decision, or a grant without its licence"
        told = {e.action for e in events} & {"submit", "accept", "grant", "deny"}
        keys = set(OutboxItem.objects.filter(dedupe_key__startswith=f"case:{case.pk}:")
                   .values_list("dedupe_key", flat=True))
        assert keys == {f"case:{case.pk}:{a}:{c}:{case.applicant_id}" for a in told
                        for c in ("inapp", "sms")}, "a change told without its notification"
        materials = CaseMaterial.objects.filter(case=case)
        assert materials.count() == events[0].data["materials"], "a half-made case"
        for material in materials:
            assert material.file.storage.exists(material.file.name), "a material without file"
    # Files of earlier tests stay behind when their transaction is rolled back; compare
    # only what this test stored.
    stored = {m.file.name for m in CaseMaterial.objects.filter(case_id__in=case_ids)}
    assert _files() - baseline == stored, "an upload file stored for a material not recorded"


def test_the_census_of_writes(world):
    """Fault-free, each step makes exactly the writes listed in WRITES (the injection points)."""
    for step, writes in WRITES.items():
        case = _before(world, step)
        faults = Faults()
        with faults.active():
            _step(world, step, case, clock.now())
        assert faults.writes == writes, step


@pytest.mark.parametrize(("step", "point"), POINTS,
                         ids=[f"{s}-{n}-{WRITES[s][n - 1].replace(' ', '_')}" for s, n in POINTS])
def test_a_fault_at_any_write_leaves_no_partial_state(world, step, point):
    baseline = _files()
    case = _before(world, step)
    before, files = _fingerprint(), _files()
    now = clock.now()
    faults = Faults(fail_at=point)
    outcome: Any = None
    with faults.active():
        try:
            outcome = _step(world, step, case, now)
        except (InjectedDatabaseFault, InjectedStorageFault):
            outcome = None
    assert faults.fired == WRITES[step][point - 1]
    if outcome is None:
        assert _fingerprint() == before, "the failed step left writes behind"
        assert _files() == files, "the failed step left upload files behind"
    else:
        # Only a sender's own write is caught: that row waits for its retry, nothing is lost.
        assert step == "notify"
        assert faults.fired == "INSERT notifications_message"
        assert outcome.retrying == 1
        waiting = OutboxItem.objects.get(status=OutboxStatus.PENDING)
        assert waiting.attempts == 1 and "injected fault" in waiting.last_error
        assert not Message.objects.filter(outbox_item=waiting).exists()

    # Run again without the fault: it completes, and everything is consistent.
    later = now + dt.timedelta(hours=2)
    result = _step(world, step, case, later)
    ids = [case.pk] if case is not None else [result.pk]
    if step == "notify":
        rows = OutboxItem.objects.filter(dedupe_key__startswith=f"case:{ids[0]}:")
        assert rows.count() == 6
        assert set(rows.values_list("status", flat=True)) == {OutboxStatus.SENT}
        for row in rows.filter(channel="inapp"):
            assert Message.objects.filter(outbox_item=row).count() == 1
    else:
        expected = {"submit": CaseStatus.SUBMITTED, "accept": CaseStatus.ACCEPTED,
                    "review_pass": CaseStatus.ACCEPTED, "grant": CaseStatus.DECIDED,
                    "deny": CaseStatus.DECIDED}[step]
        assert Case.objects.get(pk=ids[0]).status == expected
    _assert_consistent(ids, baseline)


@pytest.mark.parametrize("point", ["FILE upload", "INSERT cases_casematerial",
                                   "INSERT notifications_outboxitem"])
def test_a_fault_during_an_http_submission_is_an_error_answer_and_stores_nothing(world, point):
    """Through the API: the applicant is told it failed (JSON 500, never 2xx), nothing stored."""
    client = Client(raise_request_exception=False)
    client.force_login(world.applicant)
    names = list(world.food.materials.filter(source="applicant", required=True)
                 .values_list("name", flat=True))
    payload = {"implementation_id": world.food.pk, "form": FORM,
               "answers": sample_answers(world.food),
               "materials": [{"name": n, "kind": "upload", "file_field": f"f{i}"}
                             for i, n in enumerate(names)]}

    def body() -> dict[str, Any]:
        return {"payload": json.dumps(payload, ensure_ascii=False)} | {
            f"f{i}": SimpleUploadedFile(f"scan{i}.pdf", PDF, "application/pdf")
            for i in range(len(names))}

    before, files = _fingerprint(), _files()
    faults = Faults(fail_on=point)
    with faults.active():
        response = client.post("/api/v1/cases", body(), headers={"Idempotency-Key": "fault-1"})
    assert faults.fired == point
    assert response.status_code == 500
    assert set(response.json()) == {"code", "detail"}
    assert _fingerprint() == before
    assert _files() == files
    # The client retries with the same key: the case is made once, answered 201.
    assert client.post("/api/v1/cases", body(), headers={"Idempotency-Key": "fault-1"}
                       ).status_code == 201


def test_the_points_cover_every_step_of_the_flow():
    assert len(POINTS) == sum(len(w) for w in WRITES.values())
    assert set(WRITES) == {"submit", "accept", "review_pass", "grant", "deny", "notify"}


def test_files_of_a_step_inside_another_go_when_the_enclosing_step_fails(tmp_path):
    storage = FileSystemStorage(location=tmp_path)

    def store(name: str) -> None:
        uploads.stored(storage, storage.save(name, ContentFile(b"x")))

    def enclosing() -> None:
        with uploads.discarded_on_failure():
            store("outer.pdf")
            with uploads.discarded_on_failure():
                store("inner.pdf")  # this step succeeds…
            raise RuntimeError("…and the enclosing one fails")

    with pytest.raises(RuntimeError):
        enclosing()
    assert list(tmp_path.iterdir()) == []
    with uploads.discarded_on_failure():
        store("kept.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["kept.pdf"]
