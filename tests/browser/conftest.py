"""Browser tests: the real platform (`zhengwu serve`) in a subprocess, driven by Chromium.

The session starts the test OpenID Provider (tests/oidc_provider/, single sign-on) and then
the platform from a fresh ZHENGWU_DATA_DIR (SQLite, never DATABASE_URL): migrate,
collectstatic, load the Leiyang demo pack, then serve on a free local port. Playwright drives
Debian's /usr/bin/chromium (never a downloaded browser; docs/architecture.md).
No pytest-django database fixtures are used: the browser talks to the server over HTTP only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    sync_playwright,
)

from tests.oidc_provider.fixture import OpenIdProvider

REPO = Path(__file__).resolve().parents[2]
ZHENGWU = REPO / ".venv" / "bin" / "zhengwu"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Full-page screenshots for a human to look at; kept out of the repository.
SHOTS = Path(os.environ.get("ZHENGWU_SHOTS_DIR", "/tmp/zhengwu-shots"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run([str(ZHENGWU), *args], env=env, cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, timeout=300, check=False)
    if result.returncode != 0:
        pytest.fail(f"zhengwu {' '.join(args)} failed ({result.returncode}):\n"
                    + log.read_text(errors="replace")[-4000:])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"zhengwu serve exited ({proc.returncode}):\n"
                        + log.read_text(errors="replace")[-4000:])
        with (contextlib.suppress(urllib.error.URLError, OSError),
              urllib.request.urlopen(url + "/healthz", timeout=2) as response):
            if response.status == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"zhengwu serve not healthy after {timeout:.0f}s:\n"
                + log.read_text(errors="replace")[-4000:])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop `zhengwu serve` and its children (gunicorn, worker): it leads its own group."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=25)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path
    # The server's environment (data dir, settings module): a command run with it sees the
    # same SQLite file, e.g. `zhengwu sweep --now …` in the case story.
    env: dict[str, str] = field(default_factory=dict)

    def zhengwu(self, *args: str, timeout: float = 120) -> str:
        """Run `zhengwu <args>` against this server's data; its output, or fail the test."""
        result = subprocess.run([str(ZHENGWU), *args], env=self.env, cwd=REPO,
                                capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            pytest.fail(f"zhengwu {' '.join(args)} failed ({result.returncode}):\n"
                        + (result.stdout + result.stderr)[-4000:])
        return result.stdout


@pytest.fixture(scope="session")
def server(oidc_provider: OpenIdProvider) -> Iterator[Server]:
    if not ZHENGWU.exists():
        pytest.fail(f"{ZHENGWU} is missing: run `make setup` first")
    data_dir = Path(tempfile.mkdtemp(prefix="zhengwu-browser-"))
    log = data_dir / "server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # Only our own settings: no DATABASE_URL (SQLite), no frozen clock, no outside hosts.
    env = {key: value for key, value in os.environ.items()
           if key != "DATABASE_URL" and not key.startswith(("DJANGO_", "ZHENGWU_"))}
    env.update({"ZHENGWU_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                "ZHENGWU_PUBLIC_URL": url, "PYTHONUNBUFFERED": "1"})
    # Single sign-on through the suite's test OpenID Provider (tests/oidc_provider/).
    env.update(oidc_provider.rp_env())
    proc: subprocess.Popen[bytes] | None = None
    try:
        # collectstatic (brotli/gzip compression) needs no database: run it beside migrate, demo.
        static_log = data_dir / "collectstatic.log"
        with static_log.open("ab") as out:
            static = subprocess.Popen([str(ZHENGWU), "collectstatic", "--noinput", "-v0"],
                                      env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            _run(["migrate", "--noinput", "-v0"], env, log)
            _run(["demo"], env, log)
            static.wait(timeout=300)
        finally:
            if static.poll() is None:
                static.kill()
                static.wait()
        if static.returncode != 0:
            pytest.fail("zhengwu collectstatic failed:\n"
                        + static_log.read_text(errors="replace"))
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [str(ZHENGWU), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_healthy(url, proc, log, timeout=60)
        yield Server(url=url, data_dir=data_dir, log=log, env=dict(env))
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test-browser)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class ConsoleLog:
    """Console errors, CSP violations and uncaught page errors seen by one browser context."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))

    def take_expected(self, page: Page, fragment: str, status: int = 422,
                      timeout_ms: int = 10_000) -> None:
        """Remove the one console error a deliberately refused request logs.

        A refused form answers 4xx and Chromium logs it as a failed load. The console event
        can arrive after the page has already shown the refusal, so wait for it (polling the
        page's event loop) instead of reading the log once: a single read raced in CI.
        """
        needle = f"status of {status}"
        waited = 0
        while True:
            found = [p for p in self.problems if needle in p and fragment in p]
            if len(found) == 1 or waited >= timeout_ms:
                break
            page.wait_for_timeout(100)
            waited += 100
        assert len(found) == 1, self.problems
        self.problems.remove(found[0])

    def _console(self, message: ConsoleMessage) -> None:
        kind, text = message.type, message.text
        if kind == "error" or "Content Security Policy" in text:
            where = message.location.get("url", "") if message.location else ""
            self.problems.append(f"console.{kind}: {text} [{where}] on {message.page.url if message.page else '?'}")


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def context(browser: Browser, server: Server, console: ConsoleLog) -> Iterator[BrowserContext]:
    """A fresh browser context (own cookies) per test; fails the test on console errors."""
    ctx = browser.new_context(
        base_url=server.url, locale="zh-CN", accept_downloads=True,
        viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    ctx.on("page", console.watch)
    try:
        yield ctx
    finally:
        ctx.close()
    assert not console.problems, "console errors / CSP violations:\n" + "\n".join(
        console.problems)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def new_page(browser: Browser, server: Server, console: ConsoleLog, *,
             width: int = 1280) -> Page:
    """A page in a context of its own (a second person beside the `page` fixture's), at
    `width` (a phone: 390), its console watched like the fixture's."""
    context = browser.new_context(base_url=server.url, locale="zh-CN", accept_downloads=True,
                                  viewport={"width": width, "height": 844 if width < 640
                                            else 900})
    context.set_default_timeout(15_000)
    context.on("page", console.watch)
    return context.new_page()


def assert_fits(page: Page, shots: Path, name: str) -> None:
    """A full-page screenshot, and nothing on the page wider than its viewport (no sideways
    scrolling on a phone)."""
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{name}: the page is {wide}px wide at {width}px ({page.url})"


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    """http://127.0.0.1:<port> of the running platform (also its ZHENGWU_PUBLIC_URL)."""
    return server.url


DEMO_PASSWORD = "demo-2026"
# TOTP secrets of the demo users who enrolled during this session, by (server, username):
# supervisors, administrators, catalogue administrators and chief representatives must use a
# second factor and enrol at their first sign-in (ADR 0011).
TOTP_SECRETS: dict[tuple[str, str], str] = {}


# The last TOTP time step used per (server, username): each code is good once (RFC 6238
# §5.2), so a second sign-in within 30 seconds takes the next step's code, which the platform
# accepts for a phone's clock drift — or waits for it.
TOTP_STEPS: dict[tuple[str, str], int] = {}


def _fresh_code(server: str, username: str) -> str:
    totp = pyotp.TOTP(TOTP_SECRETS[server, username])
    step = max(totp.timecode(dt.datetime.now(dt.UTC)), TOTP_STEPS.get((server, username), -1) + 1)
    while step > totp.timecode(dt.datetime.now(dt.UTC)) + 1:
        time.sleep(1)
    TOTP_STEPS[server, username] = step
    return str(totp.generate_otp(step))


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real pages, with the second step (enrolment the first time) for
    the users who need it: the code comes from pyotp, as from a phone."""
    page.goto("/accounts/login/")
    server = page.url.split("/accounts/")[0]
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if "/accounts/login/totp/" in page.url:
        secret = page.locator("#totp-secret")
        if secret.count():  # first sign-in: enrol
            TOTP_SECRETS[server, username] = secret.inner_text().strip()
        page.fill("#id_code", _fresh_code(server, username))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        if page.locator("ol.recovery-codes").count():  # shown once after enrolment
            with page.expect_navigation():
                page.get_by_role("link", name="我已保存，继续").click()
    assert "/accounts/login/" not in page.url, f"login as {username} failed"


CANYIN_USCC = "91430481MA4L00003J"
RESTORE_CREDIT = """
from zhengwu.cases.models import CreditRecord
from zhengwu.core import clock
CreditRecord.objects.filter(subject_id_number="{uscc}", repaired_at__isnull=True).update(
    repaired_at=clock.now())
"""


@pytest.fixture
def credit_restored(server: Server) -> Iterator[None]:
    """The stories share one server: a story that gives the demo enterprise (`canyin`) a
    失信记录 repairs it when it ends, so the stories after it find canyin as it was (a D grade
    bars it from the 中介超市, any unrepaired record from 告知承诺)."""
    yield
    server.zhengwu("shell", "-c", RESTORE_CREDIT.format(uscc=CANYIN_USCC))
