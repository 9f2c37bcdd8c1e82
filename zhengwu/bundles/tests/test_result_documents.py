"""Every member of the 企业开办 bundle gets the result document of its own item: the
business licence decision, a filing receipt for the seal, completion notices for the bank
account, tax, social insurance and housing fund (cases.results)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from zhengwu.bundles.models import BundleCase
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.bundles.tests.test_flow import REGISTRATION, decide, members
from zhengwu.cases import notices

pytestmark = pytest.mark.django_db

EXPECTED = {
    "市市场监督管理局": "准予行政许可决定书",
    "市公安局": "备案回执",
    "市税务局": "办结通知书",
    "市人社局": "办结通知书",
    "公积金耒阳管理部": "办结通知书",
    "人民银行耒阳支行": "办结通知书",
}


@time_machine.travel(MORNING, tick=False)
def test_each_member_gets_the_document_of_its_item(
    submit_qykb: Any, clerk: Any, reviewers: Any, client_for: Any
) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    decide(members(bundle_case)[REGISTRATION], reviewers[REGISTRATION])
    seal = members(bundle_case)["市公安局"].case
    # The page offers the decisions under the filing's own names.
    page = client_for(reviewers["市公安局"]).get(reverse("cases:detail", args=[seal.number]))
    assert "作出不予备案决定" in page.content.decode()
    assert "不予许可" not in page.content.decode()
    for name, member in members(bundle_case).items():
        if name != REGISTRATION:
            decide(member, reviewers[name])
    for name, member in members(BundleCase.objects.get(pk=bundle_case.pk)).items():
        titles = [n.get_kind_display() for n in member.case.notices.exclude(
            kind__in=["acceptance", "supplement"])]
        assert titles == [EXPECTED[name]], name
        notice = member.case.notices.exclude(kind__in=["acceptance", "supplement"]).get()
        html = render_to_string("cases/notice_pdf.html", notices.notice_context(notice))
        assert EXPECTED[name] in html
        assert "选择的方式" not in html
        if name != REGISTRATION:
            assert "行政许可法》第三十八条" not in html
