"""Signed 一件事 notices (issue 11 item 9): each is SM2-signed by the bundle's lead department
when issued, and the public verification page checks the signature over the stored bytes."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone

from zhengwu.bundles import notices
from zhengwu.bundles.models import BundleNotice, BundleNoticeKind
from zhengwu.bundles.services import BundleMoveIn, _notice, bundle_move
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.licences.canonical import canonical_loads
from zhengwu.licences.notice_signature import notice_digest
from zhengwu.licences.signing import signer_get

pytestmark = pytest.mark.django_db


def page_of(client: Any, notice: BundleNotice) -> str:
    response = client.get(f"/bundles/notices/verify/{notice.verify_code}/")
    assert response.status_code == 200
    return str(response.content.decode())


@time_machine.travel(MORNING, tick=False)
def test_the_bundle_acceptance_is_signed_by_the_lead_department(
        submit_qykb: Any, clerk: Any, client_for: Any) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    notice = bundle_case.notices.get()
    lead = bundle_case.bundle.lead_department
    assert notice.kid == signer_get(lead.uscc).kid
    document = canonical_loads(bytes(notice.signed_data))
    assert document["subject"] == {"type": "bundle", "number": bundle_case.number,
                                   "item": bundle_case.bundle.name}
    assert document["issuer"]["id"] == lead.uscc
    assert bundle_case.applicant_id_number not in bytes(notice.signed_data).decode()
    page = page_of(client_for(None), notice)
    assert 'data-state="valid"' in page
    assert notice_digest(notice.signed_data) in page
    # One byte changed in the stored bytes: 签名无效 (scorecard row 18).
    changed = bytearray(notice.signed_data)
    changed[len(changed) // 2] ^= 0x01
    BundleNotice.objects.filter(pk=notice.pk).update(signed_data=bytes(changed))
    page = page_of(client_for(None), notice)
    assert 'data-state="invalid"' in page
    assert "签名无效" in page
    # Issued before signatures: said so, not a failure.
    BundleNotice.objects.filter(pk=notice.pk).update(signed_data=b"", signature=b"", kid="")
    page = page_of(client_for(None), notice)
    assert "此文书签发于启用电子签名之前" in page
    assert "签名无效" not in page


@pytest.mark.parametrize("kind", list(BundleNoticeKind))
@time_machine.travel(MORNING, tick=False)
def test_every_bundle_notice_kind_is_signed(submit_qykb: Any, kind: str) -> None:
    bundle_case = submit_qykb()
    notice = _notice(bundle_case, kind, {"reason": "示例", "count": 2}, timezone.now())
    notice.refresh_from_db()
    check = notices.signature_of(notice)
    assert check.state == "valid", check.reason
    document = canonical_loads(bytes(notice.signed_data))
    assert document["kind"] == kind
    assert document["content"] == {"reason": "示例", "count": "2"}
