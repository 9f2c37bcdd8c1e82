"""Identity providers: whether a name and a citizen ID number belong together (实名核验, L2).

One interface, `IdentityProvider.verify(name, id_number) -> IdentityCheck`, with an outcome of
match, mismatch or unavailable and a Chinese message for the person. Two providers:

- `LocalIdentityProvider`, for the demo and the tests: a small registry read from the data pack
  — the demo people of people.csv and the illustrative residents of identities.csv. A number
  that is on neither, or that is listed under another name, does not match: a stranger's
  real-format number typed with one's own name is refused, as the provincial platform would.
  The registry is illustrative: none of its numbers belongs to a real person we know of.
- `ProvincialIdentityProvider`, a client for the province's 统一身份认证 over HTTPS: one JSON POST
  per check, signed with the platform's key (HMAC-SHA256). Its request and response shapes are
  documented in docs/deploy.md and are the adapter to fit to the province's real interface;
  a timeout, a transport error or an answer we cannot read is "unavailable", never a match.

`identity_provider()` returns the one chosen by the setting ZHENGWU_IDENTITY_PROVIDER
(`local`, the default, or `provincial`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Protocol

from django.conf import settings

from zhengwu.core.codes import normalize_code
from zhengwu.core.text import name_key

MATCH: Final = "match"
MISMATCH: Final = "mismatch"
UNAVAILABLE: Final = "unavailable"

MISMATCH_MESSAGE: Final = "姓名与身份证号码不一致，或查无此人，请核对后重新输入。"
UNAVAILABLE_MESSAGE: Final = "身份认证服务暂时不可用，请稍后再试，或携带居民身份证到政务服务大厅窗口核验。"


@dataclass(frozen=True)
class IdentityCheck:
    """The provider's answer: `outcome` is MATCH, MISMATCH or UNAVAILABLE. `unknown_number`:
    a MISMATCH because the provider has no such number at all (the local registry's answer
    for a number on none of its lists); any other MISMATCH means the provider knows the
    number under another name — which a window clerk is asked to re-check (accounts.identity).
    The provincial interface does not tell the two apart: its mismatch counts as the latter."""

    outcome: str
    message: str = ""
    unknown_number: bool = False

    @property
    def matched(self) -> bool:
        return self.outcome == MATCH


class IdentityProvider(Protocol):
    name: str

    def verify(self, name: str, id_number: str) -> IdentityCheck: ...


# --- the local registry (demo and tests) -------------------------------------------------------


@lru_cache(maxsize=4)
def _registry(pack: str, stamp: tuple[float, ...]) -> dict[str, str]:
    """ID number → name key, from the pack's people.csv and identities.csv. `stamp` (the files'
    modification times) makes an edited file read again."""
    entries: dict[str, str] = {}
    for file, number_column, name_column in (("people.csv", "citizen_id", "display_name"),
                                             ("identities.csv", "id_number", "name")):
        path = Path(pack) / file
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                number = normalize_code(row.get(number_column) or "")
                name = (row.get(name_column) or "").strip()
                if number and name:
                    entries[number] = name_key(name)
    return entries


class LocalIdentityProvider:
    """The demo registry (see the module docstring). `pack`: the data pack's directory
    (default: settings.ZHENGWU_DEFAULT_PACK)."""

    name = "local"

    def __init__(self, pack: str | Path | None = None) -> None:
        self.pack = str(pack or settings.ZHENGWU_DEFAULT_PACK)

    def verify(self, name: str, id_number: str) -> IdentityCheck:
        files = [Path(self.pack) / f for f in ("people.csv", "identities.csv")]
        stamp = tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files)
        known = _registry(self.pack, stamp).get(normalize_code(id_number))
        if known is not None and known == name_key(name):
            return IdentityCheck(MATCH, "身份核验通过。")
        return IdentityCheck(MISMATCH, MISMATCH_MESSAGE, unknown_number=known is None)


# --- the provincial 统一身份认证 -----------------------------------------------------------------


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def signature(key: str, body: bytes) -> str:
    """The request's signature: HMAC-SHA256 of the exact body bytes, hex."""
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class ProvincialIdentityProvider:
    """A client for the provincial 统一身份认证's 实名核验 (docs/deploy.md, "Identity provider").

    POST `url` with a JSON body {"app_id", "request_id", "timestamp", "name", "id_number"} and
    the header `X-Signature: HMAC-SHA256(key, body)`; the answer is JSON
    {"result": "match" | "mismatch", "message": "…"}. Only HTTPS, except to a loopback address
    (the tests' server). Anything else — a timeout, an HTTP error, another `result` — is
    UNAVAILABLE: the person is asked to try later or come to a window, never let through.
    """

    name = "provincial"

    def __init__(self, *, url: str, app_id: str, key: str, timeout: float = 5.0) -> None:
        if not url.startswith("https://") and not _loopback(url):
            raise ValueError("统一身份认证接口地址必须使用 HTTPS。")
        self.url, self.app_id, self.key, self.timeout = url, app_id, key, timeout

    def verify(self, name: str, id_number: str) -> IdentityCheck:
        body = json.dumps({"app_id": self.app_id, "request_id": secrets.token_hex(16),
                           "timestamp": int(time.time()), "name": name.strip(),
                           "id_number": normalize_code(id_number)},
                          ensure_ascii=False).encode()
        # The scheme was checked in __init__ (HTTPS, or http to loopback).
        request = urllib.request.Request(  # noqa: S310
            self.url, data=body, method="POST", headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-App-Id": self.app_id, "X-Signature": signature(self.key, body)})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read(65536).decode("utf-8"))
        except (OSError, ValueError, urllib.error.URLError):
            # Timeouts, refused connections, HTTP errors (HTTPError is an OSError), bad JSON.
            return IdentityCheck(UNAVAILABLE, UNAVAILABLE_MESSAGE)
        result = answer.get("result") if isinstance(answer, dict) else None
        if result == MATCH:
            return IdentityCheck(MATCH, "身份核验通过。")
        if result == MISMATCH:
            return IdentityCheck(MISMATCH, MISMATCH_MESSAGE)
        return IdentityCheck(UNAVAILABLE, UNAVAILABLE_MESSAGE)


def identity_provider() -> IdentityProvider:
    """The provider chosen by ZHENGWU_IDENTITY_PROVIDER."""
    if settings.ZHENGWU_IDENTITY_PROVIDER == "provincial":
        return ProvincialIdentityProvider(
            url=settings.ZHENGWU_IDENTITY_URL, app_id=settings.ZHENGWU_IDENTITY_APP_ID,
            key=settings.ZHENGWU_IDENTITY_KEY, timeout=settings.ZHENGWU_IDENTITY_TIMEOUT)
    return LocalIdentityProvider()
