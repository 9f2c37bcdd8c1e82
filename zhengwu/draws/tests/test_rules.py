"""The rule on a withheld reveal (draws.rules): the withholding role is left out of every later
draw of the same matter; the platform and the supervisor never are."""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.draws.rules import Withholding, parties_for_draw


@dataclass(frozen=True)
class Party:
    role: str
    label: str = ""


MARKET = [Party("owner", "市人社局"), Party("platform"), Party("supervisor")]


def test_nothing_withheld_keeps_every_party() -> None:
    assert parties_for_draw(MARKET, []) == (MARKET, [])


def test_the_owner_that_withheld_a_reveal_is_left_out_of_the_redraw() -> None:
    earlier = Withholding("CQ2026000007", "owner", "市人社局")
    kept, out = parties_for_draw(MARKET, [earlier])
    assert [p.role for p in kept] == ["platform", "supervisor"]
    assert out == [earlier]


def test_the_platform_and_the_supervisor_are_never_left_out() -> None:
    kept, out = parties_for_draw(MARKET, [Withholding("CQ1", "supervisor", "电子监察"),
                                          Withholding("CQ1", "platform", "平台")])
    assert kept == MARKET and out == []


def test_one_withholding_per_role_is_named_the_first() -> None:
    first, second = Withholding("CQ1", "owner", "甲"), Withholding("CQ2", "owner", "甲")
    assert parties_for_draw(MARKET, [first, second])[1] == [first]
