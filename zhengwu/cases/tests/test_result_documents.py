"""The result document follows the item's type (cases.results): 行政许可 → 准予行政许可决定书,
备案 → 备案回执, other types → 办结通知书; and no notice claims a delivery method nobody chose."""

import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string

from zhengwu.cases import notices, sweeps
from zhengwu.cases.models import NoticeKind
from zhengwu.cases.results import COMPLETION, FILING, LICENCE, result_document
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("item_type", "name", "expected"), [
    ("01", "食品经营许可证核发（新办）", LICENCE),
    ("01", "企业设立登记（公司设立登记）", LICENCE),
    ("10", "公章刻制备案（印章刻制）", FILING),
    ("10", "仅销售预包装食品经营者备案", FILING),
    ("20", "企业银行账户开立（基本存款账户）", COMPLETION),
    ("20", "企业员工社会保险参保登记", COMPLETION),
    ("07", "股权出质设立登记", COMPLETION),
])
def test_the_document_follows_the_item_type(item_type, name, expected):
    assert result_document(item_type, name) == expected


def test_the_titles_are_the_documents_names():
    assert (NoticeKind(LICENCE.grant).label, NoticeKind(LICENCE.denial).label) == (
        "准予行政许可决定书", "不予行政许可决定书")
    assert (NoticeKind(FILING.grant).label, NoticeKind(FILING.denial).label) == (
        "备案回执", "不予备案通知书")
    assert (NoticeKind(COMPLETION.grant).label, NoticeKind(COMPLETION.denial).label) == (
        "办结通知书", "不予办理通知书")


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False)
def test_a_granted_licence_says_nothing_of_a_chosen_delivery_method(food, submit, clerk,
                                                                     reviewer, staff_of):
    case = submit(food)
    case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    second = staff_of("市市场监督管理局", username="second-reviewer")
    case = case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="review_pass"))
    case = case_transition(case_id=case.pk, user=second, move=MoveIn(action="review_pass"))
    case = case_transition(case_id=case.pk, user=reviewer, move=MoveIn(action="grant"))
    notice = case.notices.get(kind=NoticeKind.GRANT)
    html = render_to_string("cases/notice_pdf.html", notices.notice_context(notice))
    assert "准予行政许可决定书" in html
    assert "选择的方式" not in html
    assert "另行告知" in html


def test_the_deemed_notice_says_nothing_of_a_chosen_delivery_method(food, submit, clerk):
    with time_machine.travel(dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI), tick=False):
        case = submit(food)
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    sweeps.run(dt.datetime(2025, 10, 17, 9, tzinfo=SHANGHAI))
    notice = case.notices.get(kind=NoticeKind.DEEMED)
    html = render_to_string("cases/notice_pdf.html", notices.notice_context(notice))
    assert "视为准予" in html
    assert "选择的方式" not in html
    assert "办件详情中下载" in html
