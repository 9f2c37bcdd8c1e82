"""Reading 惠企政策: an enterprise's grants."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengwu.policies.models import Grant, GrantListStatus


def grants_received(uscc: str) -> QuerySet[Grant]:
    """The confirmed grants of the enterprise `uscc`, the latest confirmed first."""
    return Grant.objects.filter(subject=uscc, grant_list__status=GrantListStatus.CONFIRMED) \
        .select_related("grant_list__benefit__department").order_by(
        "-grant_list__confirmed_at", "pk")
