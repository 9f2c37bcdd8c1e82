"""The public 营商环境 dashboard and a task's page: the 32 measures with their live figures
and statuses, charts as inline SVG, staff forms only for those who may use them, a refused
report keeping what was typed."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import time_machine
from pypdf import PdfReader

from tests.pdfcheck import embedded_fonts
from zhengwu.accounts.models import User
from zhengwu.catalog import kpis
from zhengwu.catalog.selectors import kpi_facts
from zhengwu.plan.models import ProgressReport, Task
from zhengwu.workdays.calendar import SHANGHAI

NOW = dt.datetime(2026, 12, 8, 10, tzinfo=SHANGHAI)


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_shows_the_32_measures_with_live_figures(db: Any, client_for: Any) -> None:
    page = client_for(None).get("/plan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('id="measure-') == 32  # one anchor per measure, however many tasks
    depth = next(k for k in kpis.compute(kpi_facts()) if k.key == "depth_3_or_more")
    assert f"网上办理深度Ⅲ级以上占比 {round(depth.value * 100, 1):g}%" in html  # type: ignore[operator]
    assert "四、扎实推进工程建设项目审批制度改革" in html
    assert "已逾期" in html and "<svg" in html and "12345满意率：近6个月" in html


@time_machine.travel(NOW, tick=False)
def test_a_measure_in_several_tasks_shows_each_with_its_lead(db: Any, client_for: Any) -> None:
    html = client_for(None).get("/plan/").content.decode()
    assert "（35 项任务）" in html
    for number in (1, 2, 3, 4):
        assert f'<td data-label="序号">20-{number}</td>' in html
    second = Task.objects.get(measure__number=20, number=2)
    page = client_for(None).get(f"/plan/tasks/{second.pk}/").content.decode()
    assert "推进工程建设项目联合踏勘、联合审图、联合验收工作机制（任务2）" in page
    assert "由市自然资源局制定施工图设计方案联合审查办法" in page
    first = Task.objects.get(measure__number=20, number=1)
    assert f'href="/plan/tasks/{first.pk}/">任务1</a>：市政务服务中心' in page


@time_machine.travel(NOW, tick=False)
def test_a_task_page_offers_forms_only_to_who_may_use_them(db: Any, client_for: Any) -> None:
    task = Task.objects.get(measure__number=12)
    url = f"/plan/tasks/{task.pk}/"
    public = client_for(None).get(url).content.decode()
    assert "报送本月进展" not in public and "督办意见" not in public
    chief = client_for(User.objects.get(username="chief")).get(url).content.decode()
    assert "报送本月进展" in chief and "填写督办意见" not in chief
    supervisor = client_for(User.objects.get(username="supervisor")).get(url).content.decode()
    assert "填写督办意见" in supervisor
    assert client_for(None).get("/plan/tasks/999999/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_refused_report_keeps_what_was_typed(db: Any, client_for: Any) -> None:
    task = Task.objects.get(measure__number=12)
    client = client_for(User.objects.get(username="chief"))
    department = task.lead_departments.get(short_name="市市场监督管理局").pk
    refused = client.post(f"/plan/tasks/{task.pk}/", {
        "form": "report", "month": "2027-05", "department": department,
        "text": "窗口已设立，材料压减到5份"})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "不能报送未来月份的进展" in html and "窗口已设立，材料压减到5份" in html
    done = client.post(f"/plan/tasks/{task.pk}/", {
        "form": "report", "month": "2026-11", "department": department, "text": "已完成",
        "completed": "on"})
    assert done.status_code == 302
    assert ProgressReport.objects.get(task=task).completed


@time_machine.travel(NOW, tick=False)
def test_the_monthly_report_is_a_pdf_with_the_chinese_font(db: Any, client_for: Any) -> None:
    answer = client_for(None).get("/plan/report.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "plan-report-2026-12.pdf" in answer["Content-Disposition"]
    reader = PdfReader(io.BytesIO(answer.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "督查督办月报" in text and "企业开办" in text
    fonts = embedded_fonts(reader)
    assert any("CJK" in name for name in fonts) and all(fonts.values()), fonts


@time_machine.travel(NOW, tick=False)
def test_evidence_is_for_staff_only(db: Any, client_for: Any) -> None:
    from zhengwu.plan.services import report_submit

    task = Task.objects.get(measure__number=12)
    saved = report_submit(task=task, user=User.objects.get(username="chief"), month="2026-11",
                          text="进展", evidence_name="照片.pdf",
                          evidence=b"%PDF-1.4\n%%EOF\n")
    url = f"/plan/reports/{saved.pk}/evidence/"
    assert client_for(None).get(url).status_code == 403
    assert client_for(User.objects.get(username="zhangsan")).get(url).status_code == 403
    answer = client_for(User.objects.get(username="supervisor")).get(url)
    assert answer.status_code == 200 and b"".join(answer.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    public = client_for(None).get(f"/plan/tasks/{task.pk}/").content.decode()
    assert "进展" in public and url not in public  # the report is public, its evidence is not
    anonymous = client_for(None).post(f"/plan/tasks/{task.pk}/", {"form": "comment",
                                                                  "text": "x"})
    assert anonymous.status_code == 403
