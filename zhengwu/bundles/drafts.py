"""草稿 of the 一件事 wizard (issue 10 §3): what a person answered and typed, saved per account
and bundle so they can leave and resume later on any device, at the step they had reached.

The drafts themselves are cases.drafts' (one table, one rule: KEEP_FOR after the last save,
MAX_BYTES, the sweep `cases.drafts`, the kept files living as long as the draft); this module
says what a wizard draft holds and names it like the files the wizard keeps (cases.staging):
"bundles.apply:<code>". It holds

    {"step": 1–3, "situation": {question: answer}, "common": {field: value},
     "inputs": [[name, value], …] (the members' one form as posted, bundles.item_forms),
     "kept": [tokens of the files kept at step 3],
     "as": the account filed for (an enterprise, a principal: accounts.mandates) or None}

The wizard saves it at every step it shows after a POST, on 保存草稿 (without JavaScript) and a
moment after a change (htmx); bundle_submit deletes it (bundles.services). 我的空间 lists it
through the describer registered in BundlesConfig.ready().
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.bundles.models import Bundle, BundleCase
from zhengwu.cases import drafts
from zhengwu.cases.models import ApplicationDraft

PREFIX = "bundles.apply"
STEPS = (1, 2, 3)


def form_of(code: str) -> str:
    """The wizard's form name for bundle `code` (its drafts and its kept files)."""
    return f"{PREFIX}:{code}"


def draft_get(*, owner: User, bundle: Bundle) -> ApplicationDraft | None:
    return drafts.form_draft_get(owner=owner, form=form_of(bundle.code))


def draft_save(*, owner: User, bundle: Bundle, step: int, situation: Mapping[str, str],
               common: Mapping[str, str] | None, inputs: Sequence[tuple[str, str]],
               kept: Iterable[str], on_behalf: int | None = None) -> ApplicationDraft:
    """Save the owner's wizard draft of `bundle` at `step` (filing for `on_behalf`, an
    account id whose authorization is checked again when the draft is resumed)."""
    data: dict[str, Any] = {
        "step": step if step in STEPS else 1, "situation": dict(situation),
        "common": dict(common or {}), "inputs": [[k, v] for k, v in inputs],
        "as": on_behalf}
    return drafts.form_draft_save(owner=owner, form=form_of(bundle.code), data=data, kept=kept)


def draft_delete(*, owner: User, code: str) -> bool:
    return drafts.form_draft_delete(owner=owner, form=form_of(code))


def filed_with(*, owner: User, idempotency_key: str) -> bool:
    """The page that posts an automatic save already filed its bundle (a save a moment after
    the last change may arrive after the submission): the draft must not come back."""
    key = idempotency_key[:80]
    return bool(key) and BundleCase.objects.filter(submitted_by=owner,
                                                   idempotency_key=key).exists()


def describe(codes: list[str]) -> dict[str, drafts.DraftLabel]:
    """我的空间's label of each wizard draft whose bundle is still published."""
    found = Bundle.objects.filter(code__in=codes, version__gt=0).select_related(
        "lead_department")
    return {b.code: drafts.DraftLabel(f"一件事：{b.name}", b.lead_department.name,
                                      reverse("bundles:apply", args=[b.code])) for b in found}
