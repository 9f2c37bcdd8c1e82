"""Template context shared by every page: the deployment's name, elder-friendly mode.

The deployment's row (`Site`, one row the pack writes) is read on every page, so it is kept
in the process for a minute (and dropped at once when this process saves it): an edit in
the admin reaches every worker within `SITE_TTL_SECONDS`.
"""

from __future__ import annotations

import time
from typing import Any, Final

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

from zhengwu.core import public_url
from zhengwu.portal.models import Site

SITE_TTL_SECONDS: Final = 60
_cached: dict[str, Any] = {}


def current_site() -> Site | None:
    """The deployment's row with its region, at most a minute old."""
    now = time.monotonic()
    if _cached.get("until", 0.0) <= now:
        _cached["site"] = Site.objects.filter(pk=1).select_related("region").first()
        _cached["until"] = now + SITE_TTL_SECONDS
    site: Site | None = _cached["site"]
    return site


def _forget(**_kwargs: Any) -> None:
    _cached.clear()


post_save.connect(_forget, sender=Site, dispatch_uid="portal.site.forget")
post_delete.connect(_forget, sender=Site, dispatch_uid="portal.site.forget.delete")


def site(request: HttpRequest) -> dict[str, Any]:
    current = current_site()
    return {
        "site": current,
        "site_name": f"{current.name}政务服务网" if current else "政务服务网",
        "elder_mode": request.COOKIES.get("elder") == "1",
        # A callable: evaluated only where a template asks (the admin's home page).
        "public_url_problem": public_url.problem,
    }
