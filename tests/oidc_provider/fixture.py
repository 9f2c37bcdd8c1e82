"""The `oidc_provider` fixture: the test OpenID Provider (this package) running on loopback.

Started once per test session with the same Python, as a subprocess serving 127.0.0.1 on a
free port with its SQLite file in a temporary folder; ready once its discovery document
answers; stopped at the end. Loaded by the root conftest.py, so the regular tests and
tests/browser both use it. No HTTP call is mocked: the platform (the relying party) fetches
discovery, JWKS, token and userinfo from it over loopback.

    def test_something(oidc_provider, settings):
        settings.__dict__.update(oidc_provider.rp_settings())   # or: the server's env from
        ...                                                       # oidc_provider.rp_env()
        op = oidc_provider.sign_in("zhangsan")                    # a requests.Session at the OP
        callback = oidc_provider.consent(op, authorize_url)       # the redirect back to the RP
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.oidc_provider.people import OP_PASSWORD

REPO = Path(__file__).resolve().parents[2]
CALLBACK_PATH = "/accounts/sso/callback/"
DISPLAY_NAME = "测试省统一身份认证"
# The platform under Django's test client is http://testserver; a served platform is on
# 127.0.0.1 at some port, which a loopback redirect URI may vary (RFC 8252 §7.3).
REDIRECT_URIS = [f"http://testserver{CALLBACK_PATH}", f"http://127.0.0.1{CALLBACK_PATH}"]


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""


def _hidden_inputs(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.fields


@dataclass(frozen=True)
class OpenIdProvider:
    url: str
    issuer: str
    client_id: str
    client_secret: str
    password: str
    log: Path

    def rp_settings(self) -> dict[str, Any]:
        """The platform's Django settings that point it at this provider."""
        return {"ZHENGWU_OIDC_ISSUER": self.issuer, "ZHENGWU_OIDC_CLIENT_ID": self.client_id,
                "ZHENGWU_OIDC_CLIENT_SECRET": self.client_secret,
                "ZHENGWU_OIDC_DISPLAY_NAME": DISPLAY_NAME}

    def rp_env(self) -> dict[str, str]:
        """The same as environment variables, for a platform run as a server."""
        return {key: str(value) for key, value in self.rp_settings().items()}

    def sign_in(self, username: str) -> requests.Session:
        """A browser-like session signed in at the provider's own login page."""
        session = requests.Session()
        page = session.get(f"{self.url}/accounts/login/", timeout=10)
        page.raise_for_status()
        fields = _hidden_inputs(page.text)
        answer = session.post(f"{self.url}/accounts/login/", timeout=10, allow_redirects=False,
                              data={**fields, "username": username, "password": self.password})
        assert answer.status_code == 302, f"OP sign-in of {username} failed: {answer.status_code}"
        return session

    def consent(self, session: requests.Session, authorize_url: str, *, allow: bool = True) -> str:
        """Open the authorization request as the signed-in person and press 授权 (allow) or
        取消; returns where the provider sends the browser back (the platform's callback URL)."""
        page = session.get(authorize_url, timeout=10, allow_redirects=False)
        if page.status_code == 302:  # an error sent back to the client, or no consent needed
            return str(page.headers["Location"])
        assert page.status_code == 200, f"authorize answered {page.status_code}: {page.text[:500]}"
        fields = _hidden_inputs(page.text)
        assert fields.get("client_id"), f"no consent form at the provider: {page.text[:500]}"
        if allow:
            fields["allow"] = "授权"
        answer = session.post(authorize_url, data=fields, timeout=10, allow_redirects=False)
        assert answer.status_code == 302, f"consent answered {answer.status_code}: {answer.text[:500]}"
        return str(answer.headers["Location"])

    NONCE: ClassVar[str] = "nonce-of-a-test-client"

    def id_token(self, username: str, *, redirect_uri: str) -> str:
        """A genuine ID token for `username`, fetched as the registered client would (code
        flow, PKCE S256, nonce NONCE): for tests of the platform's token checks."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({"response_type": "code", "client_id": self.client_id,
                           "redirect_uri": redirect_uri, "scope": "openid profile",
                           "state": secrets.token_urlsafe(16), "nonce": self.NONCE,
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        callback = self.consent(self.sign_in(username), f"{self.issuer}/authorize/?{query}")
        code = parse_qs(urlsplit(callback).query)["code"][0]
        answer = requests.post(f"{self.issuer}/token/", timeout=10, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": self.client_id, "client_secret": self.client_secret,
            "code_verifier": verifier})
        answer.raise_for_status()
        return str(answer.json()["id_token"])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"test OpenID Provider exited ({proc.returncode}):\n"
                        + log.read_text(errors="replace")[-4000:])
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"test OpenID Provider not ready after {timeout:.0f}s:\n"
                + log.read_text(errors="replace")[-4000:])


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OpenIdProvider]:
    folder = Path(tempfile.mkdtemp(prefix="zhengwu-test-op-"))
    log = folder / "op.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    provider = OpenIdProvider(url=url, issuer=f"{url}/o", client_id="zhengwu-test",
                              client_secret=secrets.token_urlsafe(32),
                              password=OP_PASSWORD, log=log)
    # Nothing of the platform's own configuration: the provider is another system.
    env = {key: value for key, value in os.environ.items()
           if key != "DATABASE_URL" and not key.startswith(("DJANGO_", "ZHENGWU_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
                "ZHENGWU_TEST_OP_DIR": str(folder), "ZHENGWU_TEST_OP_ISSUER": provider.issuer,
                "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"})
    # `--option=value`: a random secret may begin with "-", which argparse would take for an
    # option of its own (seen once in CI-like runs: "expected one argument").
    command = [sys.executable, "-m", "django", "op_serve", f"--port={port}",
               f"--client-id={provider.client_id}",
               f"--client-secret={provider.client_secret}"]
    for uri in REDIRECT_URIS:
        command += [f"--redirect-uri={uri}"]
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(f"{provider.issuer}/.well-known/openid-configuration", proc, log, 60)
        yield provider
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
