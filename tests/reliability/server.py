"""A real platform for the crash and concurrency tests (quality.md #4, #5): gunicorn, the task
worker and the sweep as separate processes on loopback, each test with its own data dir, and a
small HTTP client that signs in like a browser.

The data dir starts from a copy of the session's test database (the pack already loaded), so no
test loads the pack again. Processes are started in their own process group and stopped (or
killed with SIGKILL) by that group's id only.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.env import BASE_DIR

ROOT = BASE_DIR
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "ZHENGWU_", "PYTEST", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.reliability.server_settings",
        "ZHENGWU_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT), "ZHENGWU_LOG_LEVEL": "WARNING",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@dataclass
class Process:
    """One child process in its own process group, its output in a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        out = self.log.open("ab")
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        return self

    def _signal(self, signum: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """kill -9 the whole group (gunicorn's master and its workers at once)."""
        self._signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)
        if self.popen is not None:
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def gunicorn(data_dir: Path, port: int, env: dict[str, str], workers: int = 2) -> Process:
    return Process("web", [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                           "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                           "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket"],
                   env, data_dir / "web.log")


def zhengwu(data_dir: Path, env: dict[str, str], *args: str) -> Process:
    return Process(args[0], [sys.executable, "-m", "config.cli", *args], env,
                   data_dir / f"{args[0]}.log")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class Browser:
    """A signed-in (or anonymous) user agent: cookies, CSRF header, no retries of its own."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> Answer:
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers={"X-CSRFToken": self.csrf(), **(headers or {})})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers))

    def login(self, username: str, password: str = "demo-2026") -> Browser:
        self.request("GET", "/accounts/login/")
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": self.csrf()}).encode()
        answer = self.request("POST", "/accounts/login/", form,
                              {"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status == 200 and any(c.name == "sessionid" for c in self.jar), \
            f"{username} could not sign in: {answer.status}"
        return self

    def submit(self, implementation_id: int, materials: list[str], key: str | None = None,
               form: dict[str, str] | None = None, timeout: float = 30,
               answers: dict[str, object] | None = None) -> Answer:
        """POST /api/v1/cases as multipart: the JSON payload (with the answers to the item's
        own form, when it has one) plus one PDF per material."""
        payload: dict[str, object] = {"implementation_id": implementation_id, "form": form or {
            "applicant_name": "张三", "id_number": "43048119900101123X",
            "phone": "13800000001", "address": "耒阳市蔡子池街道"},
            "materials": [{"name": name, "kind": "upload", "file_field": f"f{n}"}
                          for n, name in enumerate(materials)]}
        if answers is not None:
            payload["answers"] = answers
        boundary = secrets.token_hex(12)
        parts = [(b'Content-Disposition: form-data; name="payload"\r\n\r\n'
                  + json.dumps(payload, ensure_ascii=False).encode())]
        parts += [(f'Content-Disposition: form-data; name="f{n}"; filename="scan{n}.pdf"\r\n'
                   "Content-Type: application/pdf\r\n\r\n").encode() + PDF
                  for n in range(len(materials))]
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
        body += b"--" + boundary.encode() + b"--\r\n"
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if key:
            headers["Idempotency-Key"] = key
        return self.request("POST", "/api/v1/cases", body, headers, timeout=timeout)

    def move(self, number: str, action: str, reason: str = "") -> Answer:
        return self.request("POST", f"/api/v1/cases/{number}/moves",
                            json.dumps({"action": action, "reason": reason}).encode(),
                            {"Content-Type": "application/json"})


def wait_until_up(base: str, process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen is not None and process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited:\n{process.output()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{process.name} did not answer /healthz:\n{process.output()[-3000:]}")


LOCKED = re.compile(r"database is locked|database table is locked", re.IGNORECASE)
