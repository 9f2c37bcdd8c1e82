"""The bundle case life cycle as a table (ADR 0006): who may make each move on the whole
一件事. The member cases follow cases.workflow; the bundle makes their acceptance, supplement,
refusal, withdrawal and delivery moves once for all of them.

submit → [ask_supplement → supplement] → accept | refuse → (members run in parallel) →
finished (when every member has ended) → deliver; withdraw before acceptance.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from zhengwu.accounts.models import IdentityBasis, User
from zhengwu.bundles.models import BundleCase, BundleMember, MemberState
from zhengwu.bundles.models import BundleCaseStatus as S
from zhengwu.cases.access import window_prefixes
from zhengwu.process.spec import Attempt, Move, Refusal, Table


class Role(StrEnum):
    APPLICANT = "applicant"
    WINDOW = "window"  # the 一件事 window (综合窗口) of the bundle's region
    SYSTEM = "system"


BEFORE_ACCEPT = frozenset({S.SUBMITTED, S.SUPPLEMENTED})
MEMBER_ENDED = frozenset({MemberState.DONE, MemberState.CANCELLED})


def members_running(members: Iterable[BundleMember]) -> list[BundleMember]:
    """The members that have not ended yet (neither done nor cancelled): while there are
    any, the bundle is not finished. bundles.services.bundle_advance asks the same."""
    return [m for m in members if m.state not in MEMBER_ENDED]


# --- guards: pure functions of the locked bundle case (its members loaded with it by
# bundles.services._lock) and the attempt -----------------------------------------------------


def _every_member_ended(bundle_case: BundleCase, attempt: Attempt) -> Refusal | None:
    running = members_running(bundle_case.members.all())
    if running:
        names = "、".join(m.item_name for m in running[:10])
        return Refusal("bundle.members_running",
                       f"尚有成员事项未办结（{names}），一件事不能办结。")
    return None


MOVES: dict[str, Move] = {
    "ask_supplement": Move(frozenset({S.SUBMITTED}), S.AWAITING_SUPPLEMENT,
                           frozenset({Role.WINDOW}), "一次性告知补正"),
    "supplement": Move(frozenset({S.AWAITING_SUPPLEMENT}), S.SUPPLEMENTED,
                       frozenset({Role.APPLICANT}), "补正材料"),
    "accept": Move(BEFORE_ACCEPT, S.IN_PROGRESS, frozenset({Role.WINDOW, Role.SYSTEM}), "受理"),
    "refuse": Move(BEFORE_ACCEPT, S.REFUSED, frozenset({Role.WINDOW}), "不予受理"),
    "withdraw": Move(frozenset({S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.SUPPLEMENTED}),
                     S.WITHDRAWN, frozenset({Role.APPLICANT}), "撤回"),
    "finish": Move(frozenset({S.IN_PROGRESS}), S.FINISHED, frozenset({Role.SYSTEM}), "办结",
                   guards=(_every_member_ended,)),
    "deliver": Move(frozenset({S.FINISHED}), S.DELIVERED, frozenset({Role.WINDOW, Role.SYSTEM}),
                    "送达"),
}


def roles_on(user: User | None, bundle_case: BundleCase) -> frozenset[str]:
    """The workflow roles `user` (None: the platform) holds on a bundle case: its applicant
    (or the proxy agent who filed for them), the 一件事 window of its region."""
    if user is None:
        return frozenset({Role.SYSTEM})
    roles: set[str] = set()
    if user.pk == bundle_case.applicant_id or (user.pk == bundle_case.submitted_by_id and (
            bundle_case.channel == "proxy" or bundle_case.authorization_id is not None
            or bundle_case.identity_basis == IdentityBasis.LEGAL_REPRESENTATIVE)):
        roles.add(Role.APPLICANT)
    if any(bundle_case.region_id.startswith(p) for p in window_prefixes(user)):
        roles.add(Role.WINDOW)
    return frozenset(roles)


# What may be done on a bundle case (ADR 0013): bundles.services.BUNDLE_PROCESS makes the
# moves; the applicant's page and the 一件事 window list them with engine.moves_open.
BUNDLE_TABLE: Table[BundleCase] = Table(
    name="bundle", noun="一件事", status_field="status",
    status_label=lambda status: str(S(status).label), moves=MOVES, roles_on=roles_on)
