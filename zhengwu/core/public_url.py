"""The platform's public address, ZHENGWU_PUBLIC_URL: what QR codes on guides, notices and
licences, SMS links and the transparency log's name are built from.

Left unset it is `http://127.0.0.1:8000`, right only on the machine that runs `make run` (which
sets it from HOST and PORT). A deployment that forgot it prints QR codes nobody can open
(issue 16). One rule, asked by `zhengwu check --deploy` (a warning), by `zhengwu serve` at
start-up (also when the address differs from the one being served) and by the admin's home
page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def problem(*, served: str = "") -> str:
    """What is wrong with the public address, in Chinese for an administrator ("" if nothing):
    not set, or (given the address being served) pointing elsewhere on this machine."""
    current = settings.ZHENGWU_PUBLIC_URL
    if not settings.ZHENGWU_PUBLIC_URL_SET:
        return (f"未设置 ZHENGWU_PUBLIC_URL：办事指南、通知书和电子证照上的二维码及短信链接仍指向默认地址 "
                f"{current}，公众无法打开。请将其设为公众访问本站的地址（如 https://zwfw.example.gov.cn）后重启。")
    local = served.rstrip("/")
    if local and _is_loopback(current) and current != local:
        return (f"ZHENGWU_PUBLIC_URL 为 {current}，而本服务在 {local} 上运行：二维码和短信链接将指向前者。")
    return ""


def _is_loopback(url: str) -> bool:
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return host in {"127.0.0.1", "localhost", "[::1]", "0.0.0.0"}  # noqa: S104 — compared, not bound


def public_url_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: a production deployment names its public address."""
    if settings.ZHENGWU_PUBLIC_URL_SET:
        return []
    return [checks.Warning(
        "ZHENGWU_PUBLIC_URL is not set: QR codes, SMS links and the transparency log's name "
        f"would point at {settings.ZHENGWU_PUBLIC_URL}.",
        hint="Set ZHENGWU_PUBLIC_URL to the address the public reaches the site at "
             "(docs/deploy.md).",
        id="zhengwu.core.W001")]
