"""Actions other apps offer on a service's page, without the page's app knowing them.

The applicant's case page (cases) and bundle page (bundles) show the actions registered here
for their service — 评价 (evaluations, an app above both) today. An app registers a provider
in its AppConfig.ready(); `provide(kind, key, user)` answers the actions for that service
(kind "case" or "bundle", its number) and that person, or none. The core imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    note: str = ""


Provider = Callable[[str, str, Any], list[Action]]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace: ready() may run twice in tests) a provider."""
    _PROVIDERS[name] = provider


def actions_for(kind: str, key: str, user: Any) -> list[Action]:
    return [action for name in sorted(_PROVIDERS) for action in _PROVIDERS[name](kind, key, user)]
