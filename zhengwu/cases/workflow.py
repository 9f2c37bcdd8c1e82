"""The case life cycle as a table for the process engine (ADR 0006, ADR 0013): every move,
who may make it, from which states, what it does to the clock, and its guards — every
condition on whether a move may be made now, in one place. `cases.services` makes moves
through `zhengwu.process.engine.transition`; the case page and the API list what a person may
do through `engine.moves_open`, with the same guards.

submit → (ask_supplement → supplement) → accept | refuse → review (承办 → 审核 → 批准) →
[suspend ⇄ resume] → [extend once] → grant | deny | deem_approved → close → deliver;
withdraw before a decision; revoke after a decision found to rest on a false commitment.
"Ask once" is structural: only a SUBMITTED case may be asked, and no move leads back to
SUBMITTED, so a second request for supplements cannot be made (the Supplement row is
one-to-one with its case as well).
"""

from __future__ import annotations

from enum import StrEnum

from zhengwu.cases.models import Case
from zhengwu.cases.models import CaseStatus as S
from zhengwu.process.spec import Attempt, Clock, Move, Refusal

DEFAULT_CHAIN = ("承办", "审核", "批准")
BUNDLE = "bundle"  # the driver name of a bundle moving its member cases


class Role(StrEnum):
    """Who may make a move (mapped to account roles in cases.access)."""

    APPLICANT = "applicant"  # the applicant, or the proxy agent who filed for them
    WINDOW = "window"  # 综合窗口 clerk of the accepting region
    REVIEWER = "reviewer"  # back office of the responsible department
    SYSTEM = "system"  # sweeps: deemed approval, acceptance by law after 5 days


def approval_chain(case: Case) -> list[str]:
    """The item's approval steps (审批环节), e.g. 承办 → 审核 → 批准."""
    return list(case.implementation.approval_chain or DEFAULT_CHAIN)


# --- guards: pure functions of the locked case and the attempt -----------------------------


def _made_by_bundle(case: Case, attempt: Attempt) -> Refusal | None:
    if case.bundle_number and attempt.driver != BUNDLE:
        return Refusal("case.bundle_member",
                       f"该办件属于一件事（{case.bundle_number}），受理、补正、送达和撤回在一件事"
                       "窗口统一办理。")
    return None


def _before_last_step(case: Case, attempt: Attempt) -> Refusal | None:
    if case.approval_step >= len(approval_chain(case)) - 1:
        return Refusal("case.last_step", "已到最后审批环节，请作出准予或不予许可的决定。")
    return None


def _not_the_previous_step_person(case: Case, attempt: Attempt) -> Refusal | None:
    # 审批环节 are separate duties: the one who passed the previous step may not pass this one.
    if attempt.user_id is not None and case.last_pass_by_id == attempt.user_id:
        return Refusal("case.same_person", "同一人不能连续办理两个审批环节。", forbidden=True)
    return None


def _after_first_step(case: Case, attempt: Attempt) -> Refusal | None:
    if case.approval_step == 0:
        return Refusal("case.first_step", "已在第一个审批环节，不能再退回。")
    return None


def _not_extended(case: Case, attempt: Attempt) -> Refusal | None:
    if case.extended:
        return Refusal("case.second_extension", "该办件已延期一次，不能再次延期。")
    return None


def _not_overdue(case: Case, attempt: Attempt) -> Refusal | None:
    if case.due_at is not None and attempt.now > case.due_at:
        return Refusal("case.already_overdue", "期限已过，不能再延期。")
    return None


# 告知承诺: the window decides on the spot; every other decision is the back office's. As a
# filter too, so the window's queue (cases.selectors.window_queue) lists the accepted cases
# it may decide — which moves it offers on them is still the engine's predicate.
WINDOW_DECIDES = {"by_commitment": True}


def _window_decides_commitments_only(case: Case, attempt: Attempt) -> Refusal | None:
    window_decides = all(getattr(case, name) == value for name, value in WINDOW_DECIDES.items())
    if Role.REVIEWER not in attempt.roles and not window_decides:
        return Refusal("case.window_decide", "窗口人员只能对告知承诺办件当场作出决定。",
                       forbidden=True)
    return None


def _chain_complete(case: Case, attempt: Attempt) -> Refusal | None:
    chain = approval_chain(case)
    if not case.by_commitment and case.approval_step < len(chain) - 1:
        return Refusal("case.chain_incomplete",
                       f"尚未完成审批环节（当前：{chain[case.approval_step]}）。")
    return None


def _on_the_list_and_overdue(case: Case, attempt: Attempt) -> Refusal | None:
    if not case.deemed_eligible:
        return Refusal("case.not_deemed_eligible", "该事项未列入超时默认清单。")
    if case.due_at is None or case.due_at >= attempt.now:
        return Refusal("case.not_overdue", "办件尚未超过办结期限。")
    return None


def _only_by_bundle(case: Case, attempt: Attempt) -> Refusal | None:
    if attempt.driver != BUNDLE:
        return Refusal("case.cancel_forbidden", "只有一件事可以终止其成员办件。")
    return None


# --- the table ------------------------------------------------------------------------------

OPEN = frozenset({S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.SUPPLEMENTED, S.ACCEPTED, S.SUSPENDED})
BEFORE_ACCEPT = frozenset({S.SUBMITTED, S.SUPPLEMENTED})
DECIDED_OR_LATER = frozenset({S.DECIDED, S.CLOSED, S.DELIVERED})
ACCEPTED = frozenset({S.ACCEPTED})
# A bundle's member case is accepted, asked, refused, delivered and withdrawn once for the
# whole 一件事, by the bundle (bundles app).
BUNDLE_MADE = (_made_by_bundle,)

MOVES: dict[str, Move] = {
    "ask_supplement": Move(frozenset({S.SUBMITTED}), S.AWAITING_SUPPLEMENT,
                           frozenset({Role.WINDOW}), "一次性告知补正", guards=BUNDLE_MADE),
    "supplement": Move(frozenset({S.AWAITING_SUPPLEMENT}), S.SUPPLEMENTED,
                       frozenset({Role.APPLICANT}), "补正材料", guards=BUNDLE_MADE),
    "accept": Move(BEFORE_ACCEPT, S.ACCEPTED, frozenset({Role.WINDOW, Role.SYSTEM}), "受理",
                   Clock.START, guards=BUNDLE_MADE),
    "refuse": Move(BEFORE_ACCEPT, S.REFUSED, frozenset({Role.WINDOW}), "不予受理", Clock.STOP,
                   guards=BUNDLE_MADE),
    "review_pass": Move(ACCEPTED, None, frozenset({Role.REVIEWER}), "审查通过",
                        guards=(_before_last_step, _not_the_previous_step_person)),
    "review_return": Move(ACCEPTED, None, frozenset({Role.REVIEWER}), "退回上一环节",
                          guards=(_after_first_step,)),
    "suspend": Move(ACCEPTED, S.SUSPENDED, frozenset({Role.REVIEWER}), "启动特别程序",
                    Clock.PAUSE),
    "resume": Move(frozenset({S.SUSPENDED}), S.ACCEPTED, frozenset({Role.REVIEWER}),
                   "特别程序结束", Clock.RESUME),
    "extend": Move(ACCEPTED, None, frozenset({Role.REVIEWER}), "延期",
                   guards=(_not_extended, _not_overdue)),
    # A decision is the step the case stands at (批准 at the end of the chain): the one who
    # passed the previous step may not make it either.
    "grant": Move(ACCEPTED, S.DECIDED, frozenset({Role.REVIEWER, Role.WINDOW}), "准予",
                  Clock.STOP, guards=(_window_decides_commitments_only, _chain_complete,
                                      _not_the_previous_step_person)),
    "deny": Move(ACCEPTED, S.DECIDED, frozenset({Role.REVIEWER}), "不予许可", Clock.STOP,
                 guards=(_not_the_previous_step_person,)),
    "deem_approved": Move(ACCEPTED, S.DECIDED, frozenset({Role.SYSTEM}), "超时默认准予",
                          Clock.STOP, guards=(_on_the_list_and_overdue,)),
    "close": Move(frozenset({S.DECIDED}), S.CLOSED, frozenset({Role.WINDOW, Role.REVIEWER,
                                                              Role.SYSTEM}), "办结"),
    "deliver": Move(frozenset({S.CLOSED}), S.DELIVERED, frozenset({Role.WINDOW, Role.SYSTEM}),
                    "送达", guards=BUNDLE_MADE),
    "withdraw": Move(OPEN, S.WITHDRAWN, frozenset({Role.APPLICANT}), "撤回", Clock.STOP,
                     guards=BUNDLE_MADE),
    # A bundle's member case whose prerequisite member was not granted (bundles app).
    "cancel": Move(OPEN, S.WITHDRAWN, frozenset({Role.SYSTEM}), "前置事项未获准予，终止办理",
                   Clock.STOP, guards=(_only_by_bundle,)),
    "revoke": Move(DECIDED_OR_LATER, S.REVOKED, frozenset({Role.REVIEWER}), "撤销"),
}
