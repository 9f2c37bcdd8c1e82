"""The approval steps as people did them (cases.steps), from events alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhengwu.cases.steps import approval_steps, current_step

AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


@dataclass
class Event:
    action: str
    actor_label: str = "王审核"
    role: str = "reviewer"
    department_label: str = "市场监管局"
    at: dt.datetime = AT


def states(steps):
    return [(s.name, s.state, s.who) for s in steps.steps]


def test_a_return_reopens_the_step_it_returns_to():
    events = [Event("submit", role="applicant"), Event("accept", role="window_clerk"),
              Event("review_pass", "甲"), Event("review_return", "乙"), Event("review_pass", "丙")]
    steps = approval_steps(None, events, running=True)
    assert states(steps) == [("承办", "done", "丙"), ("审核", "current", ""), ("批准", "", "")]
    assert steps.by_system is None


def test_a_person_decision_completes_its_step_a_deemed_one_does_not():
    decided = approval_steps(["承办", "批准"], [Event("accept"), Event("review_pass", "甲"),
                                                 Event("grant", "乙")], running=False)
    assert states(decided) == [("承办", "done", "甲"), ("批准", "done", "乙")]
    deemed = approval_steps(None, [Event("accept"), Event("deem_approved", "系统",
                                                          role="system")], running=False)
    assert [s.state for s in deemed.steps] == ["", "", ""]
    assert deemed.by_system is not None and deemed.by_system.label == "超时默认准予"


def test_the_current_step_stays_inside_the_chain():
    assert current_step(None, 0) == "承办"
    assert current_step(["受理审查", "决定"], 5) == "决定"


def test_a_commitment_granted_at_the_window_waives_the_steps_it_did_not_need():
    """告知承诺: the window accepted and granted on the spot; 承办/审核/批准 were not skipped
    by a failure but waived by the commitment system, and the decision was a person's."""
    events = [Event("submit", role="applicant"),
              Event("accept", "李窗口", role="window_clerk", department_label="政务服务中心"),
              Event("grant", "李窗口", role="window_clerk", department_label="政务服务中心")]
    steps = approval_steps(None, events, running=False, by_commitment=True)
    assert [s.state for s in steps.steps] == ["waived", "waived", "waived"]
    assert steps.by_system is None
    decision = steps.on_commitment
    assert decision is not None and decision.label == "当场准予（告知承诺）"
    assert (decision.who, decision.department) == ("李窗口", "政务服务中心")


def test_a_commitment_granted_in_the_back_office_keeps_the_steps_people_did():
    events = [Event("accept", role="window_clerk"), Event("review_pass", "甲"),
              Event("grant", "乙")]
    steps = approval_steps(None, events, running=False, by_commitment=True)
    assert states(steps) == [("承办", "done", "甲"), ("审核", "waived", ""),
                             ("批准", "waived", "")]
    assert steps.on_commitment is not None
    assert steps.on_commitment.label == "准予（告知承诺）"
    # At the end of the chain a commitment grant is an ordinary last step.
    full = approval_steps(["承办", "批准"], [Event("accept"), Event("review_pass", "甲"),
                                              Event("grant", "乙")],
                          running=False, by_commitment=True)
    assert states(full) == [("承办", "done", "甲"), ("批准", "done", "乙")]
    assert full.on_commitment is None
