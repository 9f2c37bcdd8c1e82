"""The provincial platform's client, against a loopback server only (docs/sharing.md)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from zhengwu.sharing.models import SharedDataItem
from zhengwu.sharing.providers import PlatformProvider, ProviderUnavailable

SEEN: list[dict[str, Any]] = []


class _Platform(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        SEEN.append({"auth": self.headers["Authorization"], **body})
        if body["subject_id"] == "BROKEN":
            answer, status = b"<html>", 502
        else:
            found = body["subject_id"] == "43048119900101123X"
            answer = json.dumps({"found": found, "data": {"name": "张三"}} if found
                                else {"found": False}).encode()
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def platform() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Platform)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/share"
    server.shutdown()
    server.server_close()


def test_the_platform_client_sends_the_documented_request(db: Any, platform: str) -> None:
    item = SharedDataItem.objects.get(code="GA-HJ-001")
    client = PlatformProvider(platform, "t0ken")
    assert client.fetch(item, "43048119900101123X", purpose="核验户籍", case_number="LY1",
                        requester="市市场监督管理局") == {"name": "张三"}
    assert SEEN[-1] == {"auth": "Bearer t0ken", "item": "GA-HJ-001",
                        "subject_id": "43048119900101123X", "purpose": "核验户籍",
                        "case_number": "LY1", "requester": "市市场监督管理局"}
    assert client.fetch(item, "430481199003154613", purpose="", case_number="",
                        requester="") is None
    with pytest.raises(ProviderUnavailable):
        client.fetch(item, "BROKEN", purpose="", case_number="", requester="")


def test_the_platform_must_be_https() -> None:
    with pytest.raises(ValueError, match="https"):
        PlatformProvider("http://platform.example/share", "t")
