"""How a process is declared: its moves as a table, each move's guards, and the hooks that are
the process's own (ADR 0013).

A guard is a pure function of the locked row and the attempt (who, with which roles, when, and
for which composing process) that returns a `Refusal` or None. Guards hold every condition on
*whether* a move may be made now; handlers hold only *what* the move does and the checks of
the input a person typed (a missing reason is an input error, not a move that is unavailable).
Because the guards read only the row and the attempt, the predicate costs no query, and the
page that lists what a person may do can call it for every move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from zhengwu.core.audit import Actor
from zhengwu.core.errors import Conflict, NotAllowed

RowT = TypeVar("RowT", bound=models.Model)
InT = TypeVar("InT")


class Clock(Enum):
    """What a move does to the process's working-day clock."""

    NONE = "none"
    START = "start"  # 受理: the clock starts; the start day is not counted
    PAUSE = "pause"  # 特别程序 (行政许可法 art. 45): the clock stops and the days do not count
    RESUME = "resume"
    STOP = "stop"


class MoveNotAllowed(Conflict):
    """A move the row's state (or a guard on it) does not allow now (409)."""

    code = "move_not_allowed"


@dataclass(frozen=True)
class Refusal:
    """Why a move may not be made now. `forbidden` refusals concern the person (403);
    `absent` ones a party the person may not see, which must look like one that does not exist
    (404, quality.md #10); the others the row's state (409)."""

    code: str
    message: str
    forbidden: bool = False
    # The model's DoesNotExist (a 404 to the API and the pages) for a party that is absent.
    absent: type[ObjectDoesNotExist] | None = None

    def error(self) -> Exception:
        if self.absent is not None:
            return self.absent(self.message)
        if self.forbidden:
            return NotAllowed(self.message, code=self.code)
        return MoveNotAllowed(self.message, code=self.code)


@dataclass(frozen=True)
class Attempt:
    """Who tries a move: the user (None: the platform itself), the process roles they hold for
    this move, when, the composing process driving it ("" when a person makes it directly;
    e.g. "bundle" when an 一件事 moves its member cases), and what within the row the move is
    about, for processes with several parties (the invited department answering a joint
    review; None otherwise)."""

    action: str
    user: Any  # accounts.User | None; the engine does not depend on accounts
    roles: frozenset[str]
    now: dt.datetime
    driver: str = ""
    subject: Any = None

    @property
    def user_id(self) -> int | None:
        return None if self.user is None else int(self.user.pk)


Guard = Callable[[Any, Attempt], Refusal | None]


@dataclass(frozen=True)
class Move:
    """One row of a process's move table. `target` None leaves the state as it is (a review
    step, an extension)."""

    source: frozenset[str]
    target: str | None
    roles: frozenset[str]
    label: str
    clock: Clock = Clock.NONE
    guards: tuple[Guard, ...] = ()
    # Checked before the roles: whether the party the move is about exists for this person
    # at all (an uninvited department), so that "not yours" answers as "absent" (404).
    scope: tuple[Guard, ...] = ()


Handler = Callable[[RowT, InT, Attempt, Actor], dict[str, Any] | None]
# What a listener asks the engine to do once the move it was told of is done (engine.listen):
# typically moves of its own process or of the one it was told about.
FollowUp = Callable[[], object]


@dataclass(frozen=True)
class Step:
    """A move made, as the process records it in its timeline and the audit trail."""

    action: str
    before: str
    actor: Actor
    reason: str
    data: dict[str, Any]
    subject: Any = None
    at: dt.datetime | None = None  # the moment the move was made as of (Attempt.now)


@dataclass(frozen=True)
class Outcome(Generic[RowT]):
    """What a move did, told to the processes that compose this one (a bundle listens to its
    member cases), inside the move's transaction."""

    process: str
    row: RowT
    action: str
    before: str
    after: str
    driver: str


@dataclass(frozen=True)
class Table(Generic[RowT]):
    """What may be done: the move table and who holds which role on a row. Enough for the
    predicate (engine.refusal), so that pages and selectors can ask it without the handlers.

    - `roles_on(user, row)`: the process roles the user holds on the row ("system" for None).
    """

    name: str  # "case": error codes are "case.forbidden", "case.move_not_allowed", …
    noun: str  # "办件": in messages
    status_field: str
    status_label: Callable[[str], str]
    moves: Mapping[str, Move]
    roles_on: Callable[[Any, RowT], frozenset[str]]
    # What a person without the role for a move is told (default: 您无权对该…执行“…”).
    forbidden_message: Callable[[Move], str] | None = None


@dataclass(frozen=True)
class Process(Generic[RowT, InT]):
    """A process: its table plus the hooks that are its own.

    - `lock(key, user)`: the row, locked (`select_for_update`; SQLite's transactions are
      IMMEDIATE), looked up within what `user` may see, so "not yours" is "absent" (404).
    - `actor(user, row, role, subject)`: the audit actor for the role the move is made in.
    - `record(row, step)`: the timeline event and the audit row of a move made.
    - `text_check(move_in)`: refuse free text staff type that the applicant will read.
    - `listeners`: told of every move (engine.listen) — the processes composing this one;
      each returns the follow-ups the engine runs after the move.
    """

    table: Table[RowT]
    handlers: Mapping[str, Handler[RowT, InT]]
    lock: Callable[[Any, Any], RowT]
    actor: Callable[[Any, RowT, str, Any], Actor]
    record: Callable[[RowT, Step], None]
    reason_of: Callable[[InT], str]
    action_of: Callable[[InT], str]
    text_check: Callable[[InT], None] = lambda move_in: None
    subject_of: Callable[[InT], Any] = lambda move_in: None
    # The order in which a person holding several roles for a move is recorded as acting.
    role_order: tuple[str, ...] = ()
    listeners: list[Callable[[Outcome[RowT]], Iterable[FollowUp] | None]] = field(
        default_factory=list)

    def __post_init__(self) -> None:
        differ = set(self.table.moves) ^ set(self.handlers)
        if differ:
            raise ValueError(f"{self.table.name}: moves and handlers differ: {sorted(differ)}")
