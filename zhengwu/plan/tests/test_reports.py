"""Progress reports and supervisors' comments (plan.services through the API): who may write,
one audit row each, bad input refused in Chinese, and the status they lead to."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from zhengwu.accounts.models import User
from zhengwu.core.errors import InvalidInput
from zhengwu.core.models import AuditEvent
from zhengwu.plan import services
from zhengwu.plan.models import Comment, ProgressReport, Task
from zhengwu.workdays.calendar import SHANGHAI

NOW = dt.datetime(2026, 12, 8, 10, tzinfo=SHANGHAI)
URL = "/api/v1/plan"


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(URL + path, data=json.dumps(body), content_type="application/json")


def task_of(measure: int) -> Task:
    return Task.objects.get(measure__number=measure)


def status_of(client: Any, measure: int) -> dict[str, Any]:
    items: list[dict[str, Any]] = client.get(URL + "/measures").json()["items"]
    found: dict[str, Any] = next(m for m in items if m["number"] == measure)["tasks"][0]
    return found


@time_machine.travel(NOW, tick=False)
def test_a_lead_department_reports_completion_and_the_task_is_done(
        db: Any, client_for: Any) -> None:
    chief = User.objects.get(username="chief")  # 市市场监督管理局 leads measure 12
    task = task_of(12)
    assert status_of(client_for(None), 12)["status"] == "late"
    audits = AuditEvent.objects.count()
    answer = post(client_for(chief), f"/tasks/{task.pk}/reports",
                  {"month": "2026-11", "text": "企业开办一件事已上线，环节3个，材料5份。",
                   "completed": True})
    assert answer.status_code == 201, answer.content
    assert answer.json()["department"] == "市市场监督管理局"
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.order_by("-pk").first().action == "plan.report"  # type: ignore[union-attr]
    shown = status_of(client_for(None), 12)
    assert (shown["status"], shown["status_label"]) == ("done", "已完成")
    assert shown["latest_report"]["month"] == "2026-11"
    assert "author" not in shown["latest_report"]  # no personal data in the public answer


@time_machine.travel(NOW, tick=False)
def test_a_completion_a_live_figure_contradicts_is_at_risk(db: Any, client_for: Any) -> None:
    # Measure 5: 法定时限提速率 ≥ 90%, the catalogue's figure is below it.
    reporter = User.objects.get(username="catalog")  # 市审改办 leads measure 5
    assert post(client_for(reporter), f"/tasks/{task_of(5).pk}/reports",
                {"month": "2026-12", "text": "已完成", "completed": True}).status_code == 201
    shown = status_of(client_for(None), 5)
    assert shown["status"] == "at_risk"
    assert shown["status_reasons"] == ["已报告完成，但实时指标未达到目标"]


@time_machine.travel(NOW, tick=False)
def test_only_the_tasks_departments_may_report(db: Any, client_for: Any) -> None:
    police = User.objects.get(username="chief_gongan")  # 市公安局: not in measure 5
    refused = post(client_for(police), f"/tasks/{task_of(5).pk}/reports",
                   {"month": "2026-11", "text": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "plan.not_reporter"
    assert post(client_for(None), f"/tasks/{task_of(5).pk}/reports",
                {"month": "2026-11", "text": "x"}).status_code == 401
    assert not ProgressReport.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("body", "code"), [
    ({"month": "2026-13", "text": "x"}, "plan.bad_month"),
    ({"month": "2027-01", "text": "x"}, "plan.bad_month"),
    ({"month": "2026-11", "text": "   "}, "plan.text_required"),
])
def test_bad_reports_are_refused_in_chinese(db: Any, client_for: Any, body: dict[str, Any],
                                            code: str) -> None:
    chief = User.objects.get(username="chief")
    refused = post(client_for(chief), f"/tasks/{task_of(12).pk}/reports", body)
    assert refused.status_code == 422 and refused.json()["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.json()["detail"])


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_comments_with_an_audit_row(db: Any, client_for: Any) -> None:
    supervisor = User.objects.get(username="supervisor")
    answer = post(client_for(supervisor), f"/tasks/{task_of(21).pk}/comments",
                  {"text": "请于月底前补报电子证照出证率整改情况。"})
    assert answer.status_code == 201, answer.content
    assert AuditEvent.objects.order_by("-pk").first().action == "plan.comment"  # type: ignore[union-attr]
    chief = User.objects.get(username="chief")
    refused = post(client_for(chief), f"/tasks/{task_of(21).pk}/comments", {"text": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "plan.not_supervisor"
    assert Comment.objects.count() == 1
    missing = post(client_for(supervisor), "/tasks/99999999999/comments", {"text": "x"})
    assert missing.status_code in (404, 422) and set(missing.json()) == {"code", "detail"}


@time_machine.travel(NOW, tick=False)
def test_evidence_is_checked_by_its_content(db: Any) -> None:
    chief = User.objects.get(username="chief")
    with pytest.raises(InvalidInput, match="不是 PDF、JPG 或 PNG"):
        services.report_submit(task=task_of(12), user=chief, month="2026-11", text="进展",
                               evidence_name="说明.pdf", evidence=b"plain text")
    saved = services.report_submit(task=task_of(12), user=chief, month="2026-11", text="进展",
                                   evidence_name="照片.pdf", evidence=b"%PDF-1.4\n%%EOF\n")
    assert saved.evidence.name.endswith(".pdf") and saved.evidence_name == "照片.pdf"
