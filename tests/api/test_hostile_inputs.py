"""Hostile request bodies (issue 8, finding 4): each was an unhandled 500 with a traceback.

- a `multipart/form-data` Content-Type without a boundary on a JSON endpoint;
- a PNG that declares 20000×20000 pixels, uploaded as a material (PIL's decompression bomb);
- a JSON `payload` nested 1,500 deep (RecursionError in the JSON decoder).

Each must answer 4xx with `{"code", "detail"}` (Chinese) on the API, and a page with a clear
Chinese message on the pages; an unexpected error never shows a traceback.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhengwu.cases.tests.conftest import FORM, pdf_bytes
from zhengwu.cases.uploads import check_upload
from zhengwu.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"
CHINESE = range(0x4E00, 0xA000)


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG whose header declares `width`×`height` pixels (no real pixel data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def assert_chinese_error(response: Any, status: range = range(400, 500)) -> dict[str, str]:
    assert response.status_code in status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, str] = response.json()
    assert set(body) == {"code", "detail"}, body
    assert any(ord(c) in CHINESE for c in body["detail"]), body
    assert "Traceback" not in response.content.decode()
    return body


def signed_in(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # sets the CSRF cookie
    return client


def csrf(client: Client) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


def required_files(impl: Any) -> tuple[list[dict[str, str]], dict[str, Any]]:
    names = list(impl.materials.filter(source__in=("applicant", "commitment"), required=True)
                 .order_by("position").values_list("name", flat=True))
    specs = [{"name": n, "kind": "upload", "file_field": f"file{i}"} for i, n in enumerate(names)]
    files = {f"file{i}": SimpleUploadedFile(f"scan{i}.pdf", pdf_bytes(), "application/pdf")
             for i in range(len(names))}
    return specs, files


# --- (a) multipart without a boundary -----------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "clerk"])
def test_multipart_without_boundary_on_a_json_endpoint_is_a_400(who, clerk, submit, food):
    case = submit(food)
    client = Client(enforce_csrf_checks=True) if who == "anonymous" else signed_in(clerk)
    headers = {} if who == "anonymous" else csrf(client)
    response = client.post(f"{API}/{case.number}/moves", data=b'{"action": "accept"}',
                           content_type="multipart/form-data", headers=headers)
    # Anonymous: refused by the CSRF check or the parser, either way a JSON 4xx.
    body = assert_chinese_error(response, range(400, 401) if who == "clerk" else range(400, 404))
    assert body["code"] in ("bad_request", "forbidden")


def test_multipart_without_boundary_on_an_upload_endpoint_is_a_400(applicant):
    client = signed_in(applicant)
    response = client.post(API, data=b"payload=x", content_type="multipart/form-data",
                           headers=csrf(client))
    assert_chinese_error(response, range(400, 401))


def test_multipart_without_boundary_on_a_page_is_a_chinese_400(applicant):
    client = signed_in(applicant)
    response = client.post("/accounts/logout/", data=b"x", content_type="multipart/form-data",
                           headers=csrf(client))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Traceback" not in text and "无法解析" in text


# --- (b) a decompression bomb as a material ---------------------------------------------


def test_a_png_declaring_400_megapixels_is_refused_by_the_upload_check():
    with pytest.raises(InvalidInput) as refused:
        check_upload("bomb.png", bomb_png())
    assert refused.value.code == "case.upload_too_many_pixels"
    assert refused.value.http_status == 422
    with pytest.raises(InvalidInput):  # above our own limit, below PIL's error threshold
        check_upload("big.png", bomb_png(10000, 10000))


def test_a_png_bomb_submitted_through_the_api_is_a_422(applicant, food):
    client = signed_in(applicant)
    specs, files = required_files(food)
    files["file0"] = SimpleUploadedFile("bomb.png", bomb_png(), "image/png")
    payload = {"implementation_id": food.pk, "form": dict(FORM), "channel": "online",
               "materials": specs}
    response = client.post(API, {"payload": json.dumps(payload, ensure_ascii=False), **files},
                           headers=csrf(client))
    body = assert_chinese_error(response, range(422, 423))
    assert body["code"] == "case.upload_too_many_pixels"


def test_a_png_bomb_in_a_bundle_application_is_a_422(applicant):
    from zhengwu.bundles.models import Bundle
    from zhengwu.bundles.selectors import bundle_guide
    from zhengwu.bundles.tests.conftest import ALL_YES, COMPANY, QYKB, item_answers_for

    bundle = Bundle.objects.get(code=QYKB)
    needed = bundle_guide(bundle, ALL_YES).materials.needed
    materials = [{"name": n.identity, "kind": "upload", "file_field": f"f{i}"}
                 for i, n in enumerate(needed)]
    files = {f"f{i}": SimpleUploadedFile(f"s{i}.pdf", pdf_bytes(), "application/pdf")
             for i in range(len(needed))}
    files["f0"] = SimpleUploadedFile("bomb.png", bomb_png(), "image/png")
    payload = {"answers": ALL_YES, "form": COMPANY, "materials": materials,
               "item_answers": item_answers_for(bundle)}
    client = signed_in(applicant)
    response = client.post(f"/api/v1/bundles/{QYKB}/applications",
                           {"payload": json.dumps(payload, ensure_ascii=False), **files},
                           headers=csrf(client))
    body = assert_chinese_error(response, range(422, 423))
    assert body["code"] == "case.upload_too_many_pixels", body


# --- (c) JSON nested 1,500 deep ---------------------------------------------------------


def test_a_payload_nested_1500_deep_is_a_4xx(applicant):
    client = signed_in(applicant)
    response = client.post(API, {"payload": nested(1500)}, headers=csrf(client))
    assert_chinese_error(response)


def test_a_json_body_nested_1500_deep_is_a_4xx(clerk, submit, food):
    case = submit(food)
    client = signed_in(clerk)
    body = '{"action": "accept", "reason": ' + nested(1500) + "}"
    response = client.post(f"{API}/{case.number}/moves", data=body,
                           content_type="application/json", headers=csrf(client))
    assert_chinese_error(response)


def test_a_bundle_payload_nested_1500_deep_is_a_4xx(applicant):
    client = signed_in(applicant)
    response = client.post("/api/v1/bundles/LY-QYKB/applications",
                           {"payload": '{"answers": ' + nested(1500) + "}"},
                           headers=csrf(client))
    assert_chinese_error(response)


# --- whatever else goes wrong: no traceback ---------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_api_error_is_a_json_500_without_internals(debug, settings, monkeypatch):
    from zhengwu.regions import selectors

    def explode(**kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    settings.DEBUG = debug  # even a developer's DEBUG=1 gets JSON from the API, not a traceback
    monkeypatch.setattr(selectors, "region_list", explode)
    response = Client(raise_request_exception=False).get("/api/v1/regions")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error" and "secret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
