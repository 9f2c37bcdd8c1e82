"""Reading 惠企政策: an enterprise's grants."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengwu.policies.models import DocumentStatus, Grant, GrantListStatus, PolicyDocument


def grants_received(uscc: str) -> QuerySet[Grant]:
    """The confirmed grants of the enterprise `uscc`, the latest confirmed first."""
    return Grant.objects.filter(subject=uscc, grant_list__status=GrantListStatus.CONFIRMED) \
        .select_related("grant_list__benefit__department").order_by(
        "-grant_list__confirmed_at", "pk")


def interpretation_coverage() -> tuple[int, int]:
    """Measure [30] (规范性文件均要配套政策解读): (documents in force with at least one 解读,
    documents in force)."""
    valid = PolicyDocument.objects.filter(status=DocumentStatus.VALID)
    return valid.filter(interpretations__isnull=False).distinct().count(), valid.count()
