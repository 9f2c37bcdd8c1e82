"""Versions: draft → submitted → published by a second person, immutable history, diffs."""

from decimal import Decimal

import pytest

from zhengwu.catalog import selectors, services
from zhengwu.catalog.guide import guide_of
from zhengwu.catalog.models import DraftState, ImplementationVersion, ItemImplementation
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def impl():
    return ItemImplementation.objects.filter(level=4, legal_limit_workdays__gt=5).first()


def changed_guide(impl, promised="1.5"):
    guide = guide_of(impl)
    return guide.model_copy(update={"promised_limit_workdays": Decimal(promised),
                                    "place": "耒阳市政务服务中心二楼综合窗口"})


def test_an_approved_draft_becomes_the_next_version(impl, catalog_admin, catalog_admin2, actor_of):
    old_version = impl.version
    draft = services.draft_save(implementation_id=impl.pk, guide=changed_guide(impl),
                                actor=actor_of(catalog_admin))
    impl.refresh_from_db()
    assert impl.version == old_version  # nothing public changes before review
    services.draft_submit(draft_id=draft.pk, actor=actor_of(catalog_admin))
    version = services.draft_approve(draft_id=draft.pk, actor=actor_of(catalog_admin2), note="压缩时限")
    impl.refresh_from_db()
    assert version.number == old_version + 1 == impl.version
    assert impl.promised_limit_workdays == Decimal("1.5")
    draft.refresh_from_db()
    assert draft.state == DraftState.PUBLISHED
    lines = {line.label: (line.old, line.new) for line in selectors.version_diff(
        implementation=impl, old=old_version, new=impl.version)}
    assert lines["承诺办结时限"][1] == "1.5"
    assert "办理地点" in lines
    assert AuditEvent.objects.filter(action="catalog.publish", object_id=str(impl.pk)).count() >= 2


def test_the_author_cannot_approve_their_own_draft(impl, catalog_admin, actor_of):
    draft = services.draft_save(implementation_id=impl.pk, guide=changed_guide(impl),
                                actor=actor_of(catalog_admin))
    services.draft_submit(draft_id=draft.pk, actor=actor_of(catalog_admin))
    with pytest.raises(NotAllowed, match="双人复核"):
        services.draft_approve(draft_id=draft.pk, actor=actor_of(catalog_admin))


def test_only_catalogue_admins_edit(impl, clerk, actor_of):
    with pytest.raises(NotAllowed):
        services.draft_save(implementation_id=impl.pk, guide=changed_guide(impl), actor=actor_of(clerk))


def test_states_are_enforced(impl, catalog_admin, catalog_admin2, actor_of):
    draft = services.draft_save(implementation_id=impl.pk, guide=changed_guide(impl),
                                actor=actor_of(catalog_admin))
    with pytest.raises(Conflict):
        services.draft_approve(draft_id=draft.pk, actor=actor_of(catalog_admin2))
    services.draft_submit(draft_id=draft.pk, actor=actor_of(catalog_admin))
    with pytest.raises(Conflict, match="待审核"):
        services.draft_save(implementation_id=impl.pk, guide=changed_guide(impl, "2"),
                            actor=actor_of(catalog_admin))
    with pytest.raises(InvalidInput, match="理由"):
        services.draft_reject(draft_id=draft.pk, actor=actor_of(catalog_admin2), note=" ")
    services.draft_reject(draft_id=draft.pk, actor=actor_of(catalog_admin2), note="依据不足")
    draft.refresh_from_db()
    assert draft.state == DraftState.REJECTED


def test_published_versions_keep_their_snapshot(impl, catalog_admin, catalog_admin2, actor_of):
    first = ImplementationVersion.objects.get(implementation=impl, number=impl.version)
    snapshot = dict(first.snapshot)
    draft = services.draft_save(implementation_id=impl.pk, guide=changed_guide(impl),
                                actor=actor_of(catalog_admin))
    services.draft_submit(draft_id=draft.pk, actor=actor_of(catalog_admin))
    services.draft_approve(draft_id=draft.pk, actor=actor_of(catalog_admin2))
    first.refresh_from_db()
    assert first.snapshot == snapshot


def test_half_days_only():
    from pydantic import ValidationError

    from zhengwu.catalog.guide import GuideData

    with pytest.raises(ValidationError, match="半个工作日"):
        GuideData(promised_limit_workdays=Decimal("0.3"), online_depth=3, trips=1)
    assert GuideData(promised_limit_workdays=Decimal("1"), online_depth=3, trips=1) \
        .snapshot()["promised_limit_workdays"] == "1.0"
