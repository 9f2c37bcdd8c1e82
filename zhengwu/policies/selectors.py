"""Reading 惠企政策: an enterprise's or a person's grants, measure [30]'s coverage, and the 一件事 through which
a benefit's item is also done (政策兑现一件事, measure [15])."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengwu.bundles.models import Bundle
from zhengwu.bundles.selectors import published_bundles
from zhengwu.policies.models import (
    DocumentStatus,
    Grant,
    GrantListStatus,
    PolicyDocument,
    SubjectKind,
)


def grants_received(code: str, kind: str = SubjectKind.ENTERPRISE) -> QuerySet[Grant]:
    """The confirmed grants of the enterprise (USCC) or person (ID number) `code`, the latest
    confirmed first."""
    return Grant.objects.filter(subject=code, grant_list__benefit__subject_kind=kind,
                                grant_list__status=GrantListStatus.CONFIRMED) \
        .select_related("grant_list__benefit__department").order_by(
        "-grant_list__confirmed_at", "pk")


def interpretation_coverage() -> tuple[int, int]:
    """Measure [30] (规范性文件均要配套政策解读): (documents in force with at least one 解读,
    documents in force)."""
    valid = PolicyDocument.objects.filter(status=DocumentStatus.VALID)
    return valid.filter(interpretations__isnull=False).distinct().count(), valid.count()


def bundles_offering(item_names: set[str]) -> dict[str, list[Bundle]]:
    """Item name → the published 一件事 having it as a member (e.g. 人才住房补贴申领 → 人才政策兑现
    一件事), read from each bundle's current definition; a few hundred small JSON rows, read
    only when a document has benefits with an item."""
    found: dict[str, list[Bundle]] = {}
    if not item_names:
        return found
    for bundle in published_bundles().order_by("code"):
        for member in bundle.definition.get("members", []):
            name = member.get("item_name", "")
            if name in item_names and bundle not in found.get(name, []):
                found.setdefault(name, []).append(bundle)
    return found
