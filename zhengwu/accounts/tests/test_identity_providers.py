"""Identity providers (issue 10 §1, real-name levels): match, mismatch and unavailable.

The provincial client is tested against a real HTTP server this test starts on 127.0.0.1 (the
adapter's request and response shapes of docs/deploy.md), not a mock of the call.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from zhengwu.accounts.identity_providers import (
    MATCH,
    MISMATCH,
    UNAVAILABLE,
    LocalIdentityProvider,
    ProvincialIdentityProvider,
    identity_provider,
    signature,
)

KEY = "test-key-0123456789"
LISI = ("李四", "430481198604221012")  # packs/leiyang/identities.csv (illustrative)
ZHANGSAN = ("张三", "43048119900101123X")  # people.csv


def test_the_local_provider_knows_the_demo_people_and_the_packs_residents() -> None:
    provider = LocalIdentityProvider()
    assert provider.verify(*ZHANGSAN).outcome == MATCH
    assert provider.verify(*LISI).outcome == MATCH
    assert provider.verify(" 李 四 ", LISI[1].lower()).outcome == MATCH  # spaces, a lower x


def test_a_strangers_number_with_another_name_is_a_mismatch() -> None:
    """Someone types their own name with a real-format number that is another person's."""
    provider = LocalIdentityProvider()
    check = provider.verify("王小二", LISI[1])
    assert check.outcome == MISMATCH and "不一致" in check.message
    # A valid number nobody registered is no match either.
    assert provider.verify("王小二", "430481199501010011").outcome == MISMATCH


class _Province(BaseHTTPRequestHandler):
    """The province's 实名核验 as docs/deploy.md describes it."""

    people = {LISI[1]: LISI[0]}
    seen: list[dict[str, Any]] = []
    release = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/hang":
            self.release.wait(5)  # until the test has seen its timeout
            return
        if self.path == "/broken":
            self._answer(500, b"oops")
            return
        if self.path == "/garbled":
            self._answer(200, b"<html>not json</html>")
            return
        if self.headers["X-Signature"] != signature(KEY, body):
            self._answer(401, b'{"result": "error"}')
            return
        request = json.loads(body)
        self.seen.append({**request, "app_id_header": self.headers["X-App-Id"]})
        known = self.people.get(request["id_number"])
        result = MATCH if known == request["name"] else MISMATCH
        self._answer(200, json.dumps({"result": result, "message": "ok"}).encode())

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def province() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Province)
    server.daemon_threads = True
    _Province.seen.clear()
    _Province.release.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Province.release.set()
    server.shutdown()
    server.server_close()


def client(url: str, *, key: str = KEY, timeout: float = 2.0) -> ProvincialIdentityProvider:
    return ProvincialIdentityProvider(url=url, app_id="zhengwu-leiyang", key=key,
                                      timeout=timeout)


def test_the_provincial_client_asks_the_province_and_reads_match_and_mismatch(province):
    provider = client(f"{province}/verify")
    assert provider.verify(*LISI).outcome == MATCH
    assert provider.verify("王小二", LISI[1]).outcome == MISMATCH
    request = _Province.seen[0]
    assert request["app_id"] == request["app_id_header"] == "zhengwu-leiyang"
    assert (request["name"], request["id_number"]) == LISI
    assert request["request_id"] and isinstance(request["timestamp"], int)


def test_every_failure_of_the_province_is_unavailable_never_a_match(province):
    for path in ("/broken", "/garbled"):
        check = client(f"{province}{path}").verify(*LISI)
        assert check.outcome == UNAVAILABLE and "窗口" in check.message, path
    # A wrong key: the province refuses the signature (401).
    assert client(f"{province}/verify", key="wrong").verify(*LISI).outcome == UNAVAILABLE
    # Nobody listening.
    assert client("http://127.0.0.1:9/verify", timeout=0.5).verify(*LISI).outcome == UNAVAILABLE
    # No answer within the timeout.
    assert client(f"{province}/hang", timeout=0.2).verify(*LISI).outcome == UNAVAILABLE


def test_the_provincial_client_refuses_plain_http_to_another_host() -> None:
    with pytest.raises(ValueError, match="HTTPS"):
        client("http://sfrz.hunan.example/verify")
    client("https://sfrz.hunan.example/verify")  # fine


def test_the_setting_chooses_the_provider(province) -> None:
    assert isinstance(identity_provider(), LocalIdentityProvider)
    with override_settings(ZHENGWU_IDENTITY_PROVIDER="provincial",
                           ZHENGWU_IDENTITY_URL=f"{province}/verify",
                           ZHENGWU_IDENTITY_APP_ID="zhengwu-leiyang",
                           ZHENGWU_IDENTITY_KEY=KEY, ZHENGWU_IDENTITY_TIMEOUT=2):
        provider = identity_provider()
        assert isinstance(provider, ProvincialIdentityProvider)
        assert provider.verify(*LISI).outcome == MATCH
