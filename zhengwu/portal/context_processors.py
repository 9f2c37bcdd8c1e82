"""Template context shared by every page: the deployment's name, elder-friendly mode."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhengwu.portal.models import Site


def site(request: HttpRequest) -> dict[str, Any]:
    current = Site.objects.filter(pk=1).select_related("region").first()
    return {
        "site": current,
        "site_name": f"{current.name}政务服务网" if current else "政务服务网",
        "elder_mode": request.COOKIES.get("elder") == "1",
    }
