"""The audit trail (quality.md #6, #7): every state change writes who, in which role and
department, what, before → after, when (UTC) and from which request; the SM3 hash chain
detects an edited, deleted or reordered row.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.accounts.models import RoleAssignment
from zhengwu.catalog.guide import guide_of
from zhengwu.catalog.models import ImplementationDraft, ItemImplementation
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, audit_record, audit_verify
from zhengwu.core.models import AuditChainHead, AuditEvent

API = "/api/v1"


@pytest.fixture
def editable(db):
    return ItemImplementation.objects.filter(
        status="published", level=4, legal_limit_workdays__gt=5).order_by("pk").first()


def _payload(implementation):
    guide = guide_of(implementation).model_dump(mode="json")
    guide["place"] = "耒阳市政务服务中心审计测试窗口"
    return guide


def _reasons(problems):
    return {(p.seq, p.reason) for p in problems}


# --- every state change writes a complete row (#6) ------------------------------------------


def test_an_api_write_records_actor_role_department_object_change_time_and_request_id(
        client_for, catalog_admin, editable):
    assignment = RoleAssignment.objects.select_related("department").get(user=catalog_admin)
    started = clock.now()
    response = client_for(catalog_admin).put(
        f"{API}/catalog/implementations/{editable.code}/draft", _payload(editable),
        content_type="application/json", headers={"X-Request-ID": "audit-test-0001"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "audit-test-0001"

    event = AuditEvent.objects.get(request_id="audit-test-0001")
    draft = ImplementationDraft.objects.get(implementation=editable)
    assert event.action == "catalog.draft_save"
    assert event.actor == catalog_admin
    assert event.actor_label == str(catalog_admin)
    assert event.role == "catalog_admin"
    assert event.department_id == assignment.department.pk
    assert event.department_label == assignment.department.name
    assert (event.object_type, event.object_id) == ("catalog.ImplementationDraft", str(draft.pk))
    assert event.object_repr
    assert event.before is None  # a new draft
    assert event.after["payload"]["place"] == "耒阳市政务服务中心审计测试窗口"
    assert event.at.utcoffset() == dt.timedelta(0)  # stored and read back as UTC
    assert started - dt.timedelta(seconds=1) <= event.at <= clock.now()
    assert event.hash == AuditChainHead.objects.get(stream=event.stream).hash


def test_every_state_changing_endpoint_writes_a_row_with_its_request_id(
        client_for, catalog_admin, catalog_admin2, editable):
    author, reviewer = client_for(catalog_admin), client_for(catalog_admin2)

    def call(client, method, path, request_id, **kwargs):
        response = getattr(client, method)(API + path, headers={"X-Request-ID": request_id},
                                           **kwargs)
        assert response.status_code in (200, 202), response.content
        return response.json()

    draft = call(author, "put", f"/catalog/implementations/{editable.code}/draft", "req-save-1",
                 data=_payload(editable), content_type="application/json")
    call(author, "post", f"/catalog/drafts/{draft['id']}/submit", "req-submit-1")
    call(reviewer, "post", f"/catalog/drafts/{draft['id']}/reject", "req-reject-1",
         data={"note": "请补充依据"}, content_type="application/json")
    draft = call(author, "put", f"/catalog/implementations/{editable.code}/draft", "req-save-2",
                 data=_payload(editable), content_type="application/json")
    call(author, "post", f"/catalog/drafts/{draft['id']}/submit", "req-submit-2")
    call(reviewer, "post", f"/catalog/drafts/{draft['id']}/approve", "req-approve-1",
         data={"note": "同意"}, content_type="application/json")
    call(author, "post", "/catalog/imports", "req-import-1",
         data={"file": SimpleUploadedFile("x.csv", b"bad")})

    expected = {
        "req-save-1": {"catalog.draft_save"},
        "req-submit-1": {"catalog.draft_submit"},
        "req-reject-1": {"catalog.draft_reject"},
        "req-save-2": {"catalog.draft_save"},
        "req-submit-2": {"catalog.draft_submit"},
        "req-approve-1": {"catalog.publish"},  # the publish row records the approval
        "req-import-1": {"catalog.import_upload", "catalog.import_finish"},
    }
    for request_id, actions in expected.items():
        rows = AuditEvent.objects.filter(request_id=request_id)
        assert set(rows.values_list("action", flat=True)) >= actions, request_id
        assert all(r.actor_id in (catalog_admin.pk, catalog_admin2.pk) for r in rows), request_id
    submit = AuditEvent.objects.get(request_id="req-submit-1")
    assert (submit.before, submit.after) == ({"state": "draft"}, {"state": "submitted"})
    publish = AuditEvent.objects.get(request_id="req-approve-1", action="catalog.publish")
    assert publish.actor == catalog_admin2
    assert publish.after["version"] == publish.before["version"] + 1
    assert audit_verify() == []


def test_a_request_id_that_is_not_safe_is_replaced(client_for, catalog_admin, editable):
    response = client_for(catalog_admin).put(
        f"{API}/catalog/implementations/{editable.code}/draft", _payload(editable),
        content_type="application/json", headers={"X-Request-ID": "bad id\"<script>"})
    assert response.status_code == 200
    issued = response["X-Request-ID"]
    assert issued != "bad id\"<script>"
    assert AuditEvent.objects.filter(request_id=issued, action="catalog.draft_save").exists()


def test_audit_record_refuses_to_run_outside_a_transaction():
    # No database access in this test: the check must come before any query.
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor=SYSTEM, action="test.outside")


# --- the hash chain detects tampering (#7) --------------------------------------------------


@pytest.fixture
def chain(db):
    """The ids of the main stream's rows in order; the pack load wrote plenty of them."""
    rows = list(AuditEvent.objects.filter(stream="main").order_by("seq").values_list("pk", "seq"))
    assert len(rows) > 10
    return rows


def test_the_chain_is_clean_after_the_pack_load(chain):
    assert audit_verify() == []
    assert audit_verify(stream="main") == []
    head = AuditChainHead.objects.get(stream="main")
    assert head.seq == chain[-1][1] == len(chain)


def test_editing_after_is_detected(chain):
    pk, seq = chain[len(chain) // 2]
    AuditEvent.objects.filter(pk=pk).update(after={"status": "forged"})
    assert _reasons(audit_verify()) == {(seq, "内容哈希不符（记录被篡改）")}


def test_editing_before_is_detected(chain):
    pk, seq = chain[3]
    AuditEvent.objects.filter(pk=pk).update(before={"state": "forged"})
    assert (seq, "内容哈希不符（记录被篡改）") in _reasons(audit_verify())


def test_editing_the_actor_label_is_detected(chain):
    pk, seq = chain[5]
    AuditEvent.objects.filter(pk=pk).update(actor_label="别人")
    assert [p.seq for p in audit_verify()] == [seq]


def test_recomputing_the_edited_rows_own_hash_still_breaks_the_next_link(chain):
    from zhengwu.core.audit import _canonical, sm3_hex

    pk, seq = chain[len(chain) // 2]
    event = AuditEvent.objects.get(pk=pk)
    event.after = {"status": "forged"}
    event.hash = sm3_hex(event.prev_hash.encode() + _canonical(event))
    event.save()
    problems = audit_verify()
    assert problems
    assert {p.seq for p in problems} == {seq + 1}


def test_deleting_a_middle_row_is_detected(chain):
    pk, seq = chain[len(chain) // 2]
    AuditEvent.objects.filter(pk=pk).delete()
    reasons = _reasons(audit_verify())
    assert (seq, f"缺少序号 {seq}（被删除或重排）") in reasons
    assert (seq + 1, "前一哈希不符（记录被删除或重排）") in reasons


def test_deleting_the_last_row_is_detected(chain):
    pk, seq = chain[-1]
    AuditEvent.objects.filter(pk=pk).delete()
    assert _reasons(audit_verify()) == {(seq, "链头与最后一条记录不符（末尾记录被删除）")}


def test_swapping_two_rows_seq_is_detected(chain):
    (pk_a, seq_a), (pk_b, seq_b) = chain[4], chain[7]
    AuditEvent.objects.filter(pk=pk_a).update(seq=10**12)
    AuditEvent.objects.filter(pk=pk_b).update(seq=seq_a)
    AuditEvent.objects.filter(pk=pk_a).update(seq=seq_b)
    problems = audit_verify()
    assert problems
    assert {seq_a, seq_b} <= {p.seq for p in problems}


def test_the_command_passes_a_clean_chain_and_fails_a_tampered_one(chain, capsys):
    call_command("audit_verify")
    assert "审计链完整" in capsys.readouterr().out
    pk, seq = chain[2]
    AuditEvent.objects.filter(pk=pk).update(object_repr="改过的")
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("audit_verify")
    assert f"main#{seq}" in capsys.readouterr().out


# --- the audit API --------------------------------------------------------------------------


def test_audit_events_are_for_supervisors_only(client_for, clerk, applicant, catalog_admin):
    for user, status, code in [(None, 401, "unauthenticated"), (clerk, 403, "forbidden"),
                               (applicant, 403, "forbidden"), (catalog_admin, 403, "forbidden")]:
        response = client_for(user).get(f"{API}/audit/events")
        assert response.status_code == status
        assert response.json()["code"] == code
        assert set(response.json()) == {"code", "detail"}


def test_audit_events_list_newest_first_with_filters(client_for, supervisor, catalog_admin,
                                                     editable):
    client_for(catalog_admin).put(f"{API}/catalog/implementations/{editable.code}/draft",
                                  _payload(editable), content_type="application/json",
                                  headers={"X-Request-ID": "audit-newest-1"})
    response = client_for(supervisor).get(f"{API}/audit/events", {"limit": 50})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == AuditEvent.objects.count()
    newest = body["items"][0]
    assert newest["request_id"] == "audit-newest-1"
    assert newest["action"] == "catalog.draft_save"
    assert newest["role"] == "catalog_admin"
    keys = [(item["at"], item["seq"]) for item in body["items"]]
    assert keys == sorted(keys, reverse=True)

    filtered = client_for(supervisor).get(
        f"{API}/audit/events", {"action": "catalog.draft_save",
                                "object_type": "catalog.ImplementationDraft"}).json()
    assert filtered["count"] == 1
    assert filtered["items"][0]["object_id"] == newest["object_id"]
