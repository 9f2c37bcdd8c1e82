"""Providers of shared data (共享数据提供方): who answers “what does department X hold about this
person for item Y”.

A provider is anything with `fetch(item, number, *, purpose, case_number, requester)` answering
the item's fields as a dict of text, or None when it holds nothing for that holder. Two exist:

- `LocalProvider` reads `LocalRecord` rows (loaded from the data pack; illustrative records for
  the demo people), keyed by `core.holder_ref`, so it never stores an ID number either.
- `PlatformProvider` asks the provincial sharing platform (省级数据共享交换平台) over HTTPS.
  Request: `POST {ZHENGWU_SHARING_PROVIDER_URL}` with `Authorization: Bearer <token>` and the
  JSON body `{"item": code, "subject_id": number, "purpose": …, "case_number": …,
  "requester": department}`; answer 200 `{"found": true, "data": {field: text}}` or
  `{"found": false}`; any other answer is a `ProviderUnavailable`. The real platform's
  interface differs per province and needs its own adapter with the same `fetch`; this one is
  the documented shape (docs/sharing.md).

`provider_get()` answers the platform client when ZHENGWU_SHARING_PROVIDER_URL is set, the
local provider otherwise.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Protocol

from django.conf import settings

from zhengwu.core.errors import DomainError
from zhengwu.core.holder_ref import holder_ref
from zhengwu.sharing.models import LocalRecord, SharedDataItem

TIMEOUT_SECONDS = 10


class ProviderUnavailable(DomainError):
    code = "sharing.provider_unavailable"
    http_status = 503


class Provider(Protocol):
    def fetch(self, item: SharedDataItem, number: str, *, purpose: str, case_number: str,
              requester: str) -> dict[str, str] | None: ...


class LocalProvider:
    """The demo provider: one `LocalRecord` per item and holder."""

    def fetch(self, item: SharedDataItem, number: str, *, purpose: str, case_number: str,
              requester: str) -> dict[str, str] | None:
        record = LocalRecord.objects.filter(item=item, holder_ref=holder_ref(number)).first()
        if record is None:
            return None
        return {str(k): str(v) for k, v in (record.data or {}).items()}


class PlatformProvider:
    """The provincial platform over HTTPS (http:// only to a loopback address, for tests)."""

    def __init__(self, url: str, token: str) -> None:
        if not url.startswith("https://") and not url.startswith(("http://127.0.0.1",
                                                                   "http://localhost")):
            raise ValueError("共享平台地址须为 https://")
        self.url, self.token = url, token

    def fetch(self, item: SharedDataItem, number: str, *, purpose: str, case_number: str,
              requester: str) -> dict[str, str] | None:
        body = json.dumps({"item": item.code, "subject_id": number, "purpose": purpose,
                           "case_number": case_number, "requester": requester},
                          ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                answer: Any = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise ProviderUnavailable("共享平台暂时无法访问，请稍后再试或上传材料。") from error
        if not isinstance(answer, dict) or not isinstance(answer.get("found"), bool):
            raise ProviderUnavailable("共享平台的答复格式不符。")
        if not answer["found"]:
            return None
        data = answer.get("data")
        if not isinstance(data, dict):
            raise ProviderUnavailable("共享平台的答复格式不符。")
        return {str(k): str(v) for k, v in data.items()}


def provider_get() -> Provider:
    url = str(getattr(settings, "ZHENGWU_SHARING_PROVIDER_URL", "") or "")
    if url:
        return PlatformProvider(url, str(getattr(settings, "ZHENGWU_SHARING_PROVIDER_TOKEN", "")))
    return LocalProvider()
