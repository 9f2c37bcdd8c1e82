"""The 中介超市 API: public reads without personal data, moves with JSON errors."""

from __future__ import annotations

from typing import Any

from zhengwu.accounts.models import User
from zhengwu.market.tests.helpers import listed, service_type


def _json(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def test_register_verify_and_read_publicly(client_for: Any) -> None:
    item = service_type()
    body: dict[str, Any] = {"name": "耒阳示例咨询有限公司", "staff_count": 8, "fee_description": "按标准",
            "service_types": [item.pk], "qualifications": [{
                "name": "资信", "level": "乙级", "certificate_number": "C-1",
                "valid_from": "2026-01-01", "valid_to": "2025-01-01"}]}
    canyin = client_for(User.objects.get(username="canyin"))
    bad = _json(canyin, "/api/v1/market/agencies", body)
    assert bad.status_code == 422 and bad.json()["code"] == "agency.invalid"
    body["qualifications"][0]["valid_to"] = "2028-01-01"
    assert _json(canyin, "/api/v1/market/agencies", body).status_code == 201
    uscc = "91430481MA4L00003J"
    assert _json(canyin, f"/api/v1/market/agencies/{uscc}/moves",
                 {"action": "verify"}).status_code == 403
    assert _json(client_for(User.objects.get(username="catalog")),
                 f"/api/v1/market/agencies/{uscc}/moves", {"action": "verify"}).status_code \
        == 200
    public = client_for(None).get(f"/api/v1/market/agencies/{uscc}").json()
    assert public["credit"]["score"] == "100.0" and public["projects_won"] == []
    assert "陈大厨" not in str(public)


def test_post_a_project_and_read_its_public_parts(client_for: Any, settings: Any) -> None:
    settings.ZHENGWU_NOW = "2026-12-07T09:00:00+08:00"
    item = service_type()
    listed(item, "91430481MA4L010063")
    renshe = client_for(User.objects.get(username="renshe"))
    made = _json(renshe, "/api/v1/market/projects", {
        "service_type": item.pk, "title": "示例评估项目", "budget": "30000",
        "requirements": "出具评估报告", "service_workdays": 10,
        "registration_closes": "2026-12-10", "method": "random"})
    assert made.status_code == 201
    number = made.json()["number"]
    agency = client_for(User.objects.get(uscc="91430481MA4L010063"))
    assert _json(agency, f"/api/v1/market/projects/{number}/moves",
                 {"action": "register"}).json()["registrations"] == 1
    again = _json(agency, f"/api/v1/market/projects/{number}/moves", {"action": "register"})
    assert again.status_code == 409
    public = client_for(None).get(f"/api/v1/market/projects/{number}").json()
    assert public["owner"] and "李人社" not in str(public) and public["registrations"] == 1
