"""What a party that withheld its reveal loses (issue 15 §1: "a party that withholds its
reveal aborts the draw (recorded, sanctioned by rule), it cannot steer it").

Withholding a *commitment* tells nobody anything: no secret has been revealed yet. Withholding
a *reveal* is different: the platform's secret is out first and the others' follow, so the
last party to reveal can compute the result before revealing and, by staying silent, abort a
draw whose result it dislikes — a re-roll, not a choice, but a re-roll it could repeat. The
rule: a party role that withheld a reveal in an aborted draw is **not a party of any later
draw of the same matter** (the same `ref`); the redraw is seeded by the others. The
supervisor (电子监察) is never left out — it is the institution that watches the draw, not an
interested party — nor, of course, the platform, whose secret is made and revealed by the
platform itself. Who was left out, and why, is in the redraw's `draw.open` log entry and on
its page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

KEPT_ROLES = frozenset({"platform", "supervisor"})


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


P = TypeVar("P", bound=HasRole)


@dataclass(frozen=True)
class Withholding:
    """A party of an earlier aborted draw of the same matter that committed and did not
    reveal."""

    draw: str  # its number
    role: str
    label: str


def parties_for_draw(parties: Sequence[P], withheld: Iterable[Withholding]
                     ) -> tuple[list[P], list[Withholding]]:
    """The parties a draw keeps and the withholdings that left the others out."""
    out: dict[str, Withholding] = {}
    for earlier in withheld:
        if earlier.role not in KEPT_ROLES:
            out.setdefault(earlier.role, earlier)
    kept = [p for p in parties if p.role not in out]
    return kept, [out[p.role] for p in parties if p.role in out]
