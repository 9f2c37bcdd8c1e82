"""草稿: an application saved before it is filed, so nothing typed or uploaded is lost and the
person resumes it on any device (issue 10 §3).

One draft per account and implementation, on the server. The apply page saves it when the
person presses 保存草稿, 增加一行 or 更新下级选项 (pages without JavaScript) and, with htmx, a
couple of seconds after each change; opening the apply page again, from any browser signed in
to the same account, resumes it. The files it names (staged uploads, cases.staging) are kept
as long as the draft. A draft lives KEEP_FOR after it was last saved; the sweep
`cases.drafts` deletes older ones (and their files expire with them, swept by
`cases.staged_uploads`). Filing the case deletes the draft (cases.services.case_submit).

Other application forms keep their drafts here too, by the same rules (KEEP_FOR, MAX_BYTES,
the sweep, kept files as long as the draft): a form is named as cases.staging names it
("bundles.apply:<code>" for the 一件事 wizard, bundles.drafts), its app saves what it carries
(`form_draft_save`) and registers a `describer` for its prefix so that 我的空间 can list the
draft with its title and a link back (this app cannot know the other app's pages).

A window clerk's draft of a walk-in's application (窗口代为申请, the form "cases.window:<code>")
follows the same rules but lives only until the end of the day it was saved (`window_until`):
it holds another person's personal data, typed at the counter while that person is there, so
it is kept just long enough to survive an interruption (the next person at the counter, the
idle sign-out of staff), for the clerk who typed it alone, and is listed nowhere.

Drafts are the person's own scratch paper, not an act of the administration: saving one is
not audited (the case filed from it is).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases import staging
from zhengwu.cases.models import ApplicationDraft, Case, StagedUpload
from zhengwu.cases.uploads import MAX_FILES
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock, personal_space
from zhengwu.core.clock import SHANGHAI

# How long an unsaved-again draft is kept (documented on the apply page).
KEEP_FOR = dt.timedelta(days=30)
# A window clerk's drafts: "cases.window:<implementation code>", kept until the day ends.
WINDOW_PREFIX = "cases.window"
# A 代办员's drafts: "cases.proxy:<implementation code>:<enterprise USCC>" (KEEP_FOR).
PROXY_PREFIX = "cases.proxy"
# Bounds of what a draft holds (a draft is posted by the person: keep it small).
MAX_BYTES = 200_000
# What an oversized draft forgets first (the answers of an item's form, its rows, the raw
# inputs another form carries): its files and the short common fields stay.
BULK = ("answers", "rows", "inputs")


@dataclass(frozen=True)
class DraftRow:
    """A draft as 我的空间 lists it."""

    code: str
    item_name: str
    department: str
    updated_at: dt.datetime
    expires_at: dt.datetime
    url: str


# 放弃草稿 is confirmed by a checkbox in the same form (works without JavaScript; the browser
# also refuses the unticked box, `required`): a stray click on the button deletes nothing.
DISCARD = "discard_draft"
DISCARD_CONFIRM = "discard_confirm"
DISCARD_UNCONFIRMED = "请先勾选“确认放弃草稿”，草稿未删除。"


def discard_asked(data: Mapping[str, Any]) -> bool | None:
    """None: the POST does not ask to discard the draft; True: asked and confirmed; False:
    asked without the confirmation (the page says DISCARD_UNCONFIRMED and keeps the draft)."""
    if not data.get(DISCARD):
        return None
    return data.get(DISCARD_CONFIRM) == "1"


def draft_get(*, owner: User, implementation: ItemImplementation) -> ApplicationDraft | None:
    return ApplicationDraft.objects.filter(owner=owner, implementation=implementation,
                                           expires_at__gt=clock.now()).first()


def draft_save(*, owner: User, implementation: ItemImplementation, common: Mapping[str, Any],
               answers: Mapping[str, Any], rows: Mapping[str, int],
               kept: Iterable[str]) -> ApplicationDraft:
    """Save (or replace) the owner's draft for `implementation`; its kept files live as long
    as it, files it no longer names go back to the usual time (staging.KEEP_FOR)."""
    data = {"common": dict(common), "answers": dict(answers),
            "rows": {k: int(v) for k, v in rows.items()}}
    return _save(owner, {"implementation": implementation, "form": ""}, data, kept)


def draft_delete(*, owner: User, implementation: ItemImplementation) -> bool:
    """放弃草稿: the draft goes; its files go back to the usual time (staging.KEEP_FOR)."""
    return _delete(owner, {"implementation": implementation, "form": ""})


# --- other forms' drafts (the 一件事 wizard) ----------------------------------------------


@dataclass(frozen=True)
class DraftLabel:
    """How 我的空间 names another form's draft: its title, who handles it, where it resumes."""

    title: str
    department: str
    url: str


# Keys of one prefix's drafts (what follows "prefix:") → the labels of those still offered.
Describer = Callable[[list[str]], Mapping[str, DraftLabel]]
_DESCRIBERS: dict[str, Describer] = {}


def describer_register(prefix: str, describe: Describer) -> None:
    """How drafts of forms named "<prefix>:<key>" are listed (called from AppConfig.ready())."""
    _DESCRIBERS[prefix] = describe


def form_draft_get(*, owner: User, form: str) -> ApplicationDraft | None:
    return ApplicationDraft.objects.filter(owner=owner, form=form,
                                           expires_at__gt=clock.now()).first() if form else None


def form_draft_save(*, owner: User, form: str, data: Mapping[str, Any],
                    kept: Iterable[str]) -> ApplicationDraft:
    """Save (or replace) the owner's draft of `form` (JSON-able `data`, its files `kept`)."""
    if not form:
        raise ValueError("a draft names its form")
    until = window_until(clock.now()) if form.startswith(WINDOW_PREFIX + ":") else None
    return _save(owner, {"implementation": None, "form": form[:120]}, dict(data), kept,
                 until=until)


def window_form(implementation: ItemImplementation) -> str:
    """The window form of `implementation` (its clerk's draft and kept files)."""
    return f"{WINDOW_PREFIX}:{implementation.code}"


def proxy_form(implementation: ItemImplementation, enterprise: User) -> str:
    """The 帮代办 form of `implementation` for one enterprise (its 代办员's draft and kept
    files: one per enterprise, never mixed)."""
    return f"{PROXY_PREFIX}:{implementation.code}:{enterprise.uscc}"


def window_until(now: dt.datetime) -> dt.datetime:
    """The end of the day (Beijing time) of `now`: when a window draft expires."""
    day = now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


def form_draft_delete(*, owner: User, form: str) -> bool:
    """The draft of `form` goes (discarded, or its application filed)."""
    return bool(form) and _delete(owner, {"implementation": None, "form": form})


# --- one rule for every draft --------------------------------------------------------------


def _without_nul(value: Any) -> Any:
    """The draft's content without NUL characters, which PostgreSQL's JSON cannot store (the
    form itself refuses them with a clear error when it is submitted; a draft is only kept)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value


def _bounded(data: dict[str, Any]) -> dict[str, Any]:
    """A draft within MAX_BYTES: the bulk forgotten first, then everything but the files."""
    if len(repr(data).encode()) <= MAX_BYTES:
        return data
    data = {k: (type(v)() if k in BULK else v) for k, v in data.items()}
    if len(repr(data).encode()) <= MAX_BYTES:
        return data
    return {"kept": data.get("kept", [])}


@transaction.atomic
def _save(owner: User, which: dict[str, Any], data: dict[str, Any],
          kept: Iterable[str], until: dt.datetime | None = None) -> ApplicationDraft:
    now = clock.now()
    expires_at = until or now + KEEP_FOR
    tokens = [t for t in dict.fromkeys(kept) if t and len(t) <= 64][:MAX_FILES]
    data = _bounded(_without_nul({**data, "kept": tokens}))
    draft, created = ApplicationDraft.objects.select_for_update().get_or_create(
        owner=owner, **which,
        defaults={"data": data, "created_at": now, "updated_at": now,
                  "expires_at": expires_at})
    if not created:
        dropped = set(draft.data.get("kept") or []) - set(tokens)
        if dropped:
            StagedUpload.objects.filter(owner=owner, token__in=list(dropped),
                                        expires_at__gt=now).update(
                expires_at=now + staging.KEEP_FOR)
        draft.data, draft.updated_at, draft.expires_at = data, now, expires_at
        draft.save(update_fields=["data", "updated_at", "expires_at"])
    staging.keep_until(owner=owner, tokens=tokens, until=draft.expires_at)
    return draft


@transaction.atomic
def _delete(owner: User, which: dict[str, Any]) -> bool:
    draft = ApplicationDraft.objects.filter(owner=owner, **which).first()
    if draft is None:
        return False
    now = clock.now()
    StagedUpload.objects.filter(owner=owner, token__in=list(draft.data.get("kept") or []),
                                expires_at__gt=now).update(expires_at=now + staging.KEEP_FOR)
    draft.delete()
    return True


def filed_with(*, owner: User, idempotency_key: str) -> bool:
    """The page that posts an automatic save already filed its case (a save a moment after
    the last change may arrive after the submission): the draft must not come back."""
    key = idempotency_key[:80]
    return bool(key) and Case.objects.filter(submitted_by=owner, idempotency_key=key).exists()


def drafts_for(user: User) -> list[DraftRow]:
    """The person's unexpired drafts, the last saved first (我的空间 lists them); a draft of
    a form no app describes any more (its bundle withdrawn) is not listed."""
    found = list(ApplicationDraft.objects.filter(owner=user, expires_at__gt=clock.now())
                 .select_related("implementation__item", "implementation__department")
                 .order_by("-updated_at", "-pk"))
    keys: dict[str, list[str]] = {}
    for draft in found:
        if draft.form:
            prefix, _, key = draft.form.partition(":")
            keys.setdefault(prefix, []).append(key)
    labels = {prefix: dict(_DESCRIBERS[prefix](wanted)) if prefix in _DESCRIBERS else {}
              for prefix, wanted in keys.items()}
    rows = []
    for draft in found:
        if draft.implementation is not None:
            implementation = draft.implementation
            rows.append(DraftRow(implementation.code, implementation.item.name,
                                 implementation.department.name, draft.updated_at,
                                 draft.expires_at,
                                 reverse("cases:apply", args=[implementation.code])))
            continue
        prefix, _, key = draft.form.partition(":")
        label = labels.get(prefix, {}).get(key)
        if label is not None:
            rows.append(DraftRow(key, label.title, label.department, draft.updated_at,
                                 draft.expires_at, label.url))
    return rows


def sweep_expired(now: dt.datetime) -> int:
    """Delete drafts past their time (idempotent); their files expire with them."""
    return ApplicationDraft.objects.filter(expires_at__lte=now).delete()[0]


def my_space_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    """我的空间's 草稿 section: each unexpired draft, with its item and when it expires."""
    rows = drafts_for(user)
    return personal_space.SectionData(
        items=[{"title": row.item_name, "url": row.url,
                "meta": f"{row.department} · 保存于 {row.updated_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
                        f" · {row.expires_at.astimezone(SHANGHAI):%Y-%m-%d} 前有效"}
               for row in rows[offset:offset + limit]], count=len(rows))

