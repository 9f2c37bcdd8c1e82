"""我的空间: the registry of the sections of a person's own space (issue 10 §2).

The page (/my/, portal) and the API (`GET /api/v1/me`) show whatever sections the apps have
registered, in their `order`; neither names an app. An app plugs a section in from its
AppConfig.ready() without touching the page:

    from zhengwu.core import personal_space

    personal_space.register(personal_space.Section(
        key="drafts", title="草稿", order=30, provide=drafts_section,
        template="catalog/_my_drafts.html"))

`provide(user, limit, offset)` answers the section's rows for the person (never another's:
the provider starts from a selector scoped to the user) as a `SectionData`, or None when the
section does not apply to them (the page and the API then leave it out). Rows are plain
JSON-able dicts, so the API returns exactly what the page shows; `template` renders them on
the page (default: a generic list of `title`/`meta`/`url`).

Links of other apps that belong in a section (实名认证 in the profile, say) are registered with
`register_link` — so the section's owner need not know whether that app is installed, and no
page reverses a URL name that may not exist.

The core imports no app: the user is whatever object the providers take.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import PermissionDenied

# How many rows of each section the overview shows (and `GET /api/v1/me` answers); the rest are
# a page of the section's own list away.
OVERVIEW_ROWS: Final = 5


@dataclass(frozen=True)
class Link:
    """A link shown with a section: a URL name reversed when the page is drawn, and who may
    see it (`when(user)`; everyone when None)."""

    label: str
    url_name: str
    when: Callable[[Any], bool] | None = None


@dataclass
class SectionData:
    """One section's rows for one person: `items` (a page of them) and `count` (all), as the
    API's lists answer them; `url` is the section's full list (or its page), if it has one;
    `extra` is for what a section shows besides its rows (the profile's fields)."""

    items: list[dict[str, Any]]
    count: int
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The words of the link to `url` (default: 查看全部).
    url_label: str = ""
    # The heading for this owner when it differs from the section's (企业信息 for an
    # enterprise's profile).
    title: str = ""


Provider = Callable[[Any, int, int], SectionData | None]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    provide: Provider
    template: str = "portal/_my_section.html"
    # Shown when the section has no rows.
    empty: str = "暂无。"
    # The signed-in person's own things (their drafts, their addresses): left out of a space
    # they open for an enterprise they represent (accounts.space), whose page would otherwise
    # link to the person's own.
    personal: bool = False


_SECTIONS: dict[str, Section] = {}
_LINKS: dict[str, list[Link]] = {}


def register(section: Section) -> None:
    """Add (or replace: ready() may run twice in tests) a section."""
    _SECTIONS[section.key] = section


def register_link(section_key: str, link: Link) -> None:
    """Show `link` with the section `section_key` (once, however often ready() runs)."""
    links = _LINKS.setdefault(section_key, [])
    if link not in links:
        links.append(link)


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def section(key: str) -> Section | None:
    return _SECTIONS.get(key)


def links_for(section_key: str, user: Any) -> list[Link]:
    return [link for link in _LINKS.get(section_key, [])
            if link.when is None or link.when(user)]


# 我的空间 belongs to applicants; staff reach people's data through their worklists, where
# every read is scoped and logged, never through a personal space.
STAFF_REFUSED: Final = "我的空间是办事群众和企业的个人空间，工作人员请使用工作台。"


def owner_check(user: Any) -> None:
    """Refuse staff a personal space (PermissionDenied: 403 page or JSON): the one rule for
    every page and API of 我的空间, whichever app serves it."""
    if getattr(user, "is_staff", False):
        raise PermissionDenied(STAFF_REFUSED)
