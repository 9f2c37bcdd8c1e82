"""The one transition path and the one predicate of every process (ADR 0013).

`refusal` says whether a move may be made now — unknown move, wrong state, no role for it, or
a guard of the move says no — and `moves_open` lists the moves a person may make, with the
same function, so a page never offers what the service then refuses.

`transition` makes a move in one transaction: lock the row within the actor's scope, check
the move with `refusal`, refuse bad free text, run the process's handler (what is special to
the move), set the target state, save only the fields that changed, write the timeline event
and the audit row, and tell the listening processes (a bundle listens to its member cases).
Handlers queue notifications and tasks with `transaction.on_commit`, so nothing leaves the
platform for a move that rolled back. `transitions` makes several moves on one row under one
lock (a joint review's defaults and its conclusion; a department's answer and the result the
platform issues with it, `By`).

Moves never re-enter: a listener does not move anything itself, it returns follow-ups, which
the engine runs after the move that told it (and after its whole composition: a bundle's move
and the member moves it drives), one after the other, in the same transaction. A move of a
process inside a move of the same process, or a move made by a listener, raises `Reentered`;
the one nesting allowed is a composing process driving its members (`driver` named) from its
handler.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic

from django.db import models, transaction

from zhengwu.core import clock
from zhengwu.process.spec import (
    Attempt,
    FollowUp,
    InT,
    Outcome,
    Process,
    Refusal,
    RowT,
    Step,
    Table,
)


def refusal(table: Table[RowT], row: RowT, user: Any, action: str, *,
            roles: Iterable[str] | None = None, now: dt.datetime | None = None,
            driver: str = "", subject: Any = None) -> Refusal | None:
    """Why `user` (None: the platform) may not make `action` on `row` now, or None: checked
    in the order unknown move, state, scope (absent), role, guards.

    `roles`: the user's process roles on the row, when the caller has them already;
    `subject`: what within the row the move is about (Attempt.subject)."""
    name, noun = table.name, table.noun
    move = table.moves.get(action)
    if move is None:
        return Refusal(f"{name}.unknown_action", f"未知的{noun}操作“{action}”。")
    status = getattr(row, table.status_field)
    if status not in move.source:
        return Refusal(f"{name}.move_not_allowed",
                       f"{noun}当前状态为“{table.status_label(status)}”，不能{move.label}。")
    if move.scope:
        seen = Attempt(action=action, user=user, roles=frozenset(), now=now or clock.now(),
                       driver=driver, subject=subject)
        for guard in move.scope:
            refused = guard(row, seen)
            if refused is not None:
                return refused
    held = frozenset(table.roles_on(user, row) if roles is None else roles) & move.roles
    if not held:
        message = table.forbidden_message(move) if table.forbidden_message else \
            f"您无权对该{noun}执行“{move.label}”。"
        return Refusal(f"{name}.forbidden", message, forbidden=True)
    attempt = Attempt(action=action, user=user, roles=held, now=now or clock.now(),
                      driver=driver, subject=subject)
    for guard in move.guards:
        refused = guard(row, attempt)
        if refused is not None:
            return refused
    return None


def moves_open(table: Table[RowT], row: RowT, user: Any, *,
               actions: Iterable[str] | None = None, now: dt.datetime | None = None,
               subject: Any = None) -> list[str]:
    """The moves `user` may make on `row` now (about `subject`), in the order of `actions`
    (default: the table's) — what pages and the API offer."""
    roles = frozenset(table.roles_on(user, row))
    moment = now or clock.now()
    return [action for action in (table.moves if actions is None else actions)
            if refusal(table, row, user, action, roles=roles, now=moment,
                       subject=subject) is None]


def _field_values(row: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields
            if not f.primary_key}


def _acting_role(process: Process[RowT, InT], held: frozenset[str]) -> str:
    order = {role: n for n, role in enumerate(process.role_order)}
    return min(held, key=lambda role: (order.get(role, len(order)), role))


class Reentered(RuntimeError):
    """A move started inside another move of its process, or by a listener: a programming
    error (ADR 0013), never an answer to a person."""


@dataclass
class _Run:
    """What this thread is doing: the processes with a move in progress (outermost first),
    whether a listener is being told, and the follow-ups waiting for the outermost move."""

    moving: list[str] = field(default_factory=list)
    telling: bool = False
    draining: bool = False
    queue: list[FollowUp] = field(default_factory=list)


_local = threading.local()


def _run() -> _Run:
    run: _Run | None = getattr(_local, "run", None)
    if run is None:
        run = _local.run = _Run()
    return run


def _enter(run: _Run, name: str, driver: str) -> None:
    if run.telling:
        raise Reentered(f"a listener made a {name} move while being told of another: "
                        "listeners return follow-ups, which the engine runs afterwards")
    if name in run.moving:
        raise Reentered(f"a {name} move inside a {name} move")
    if run.moving and not driver:
        raise Reentered(f"a {name} move inside a {run.moving[-1]} move, driven by no process")


def _told(process: Process[RowT, InT], outcome: Outcome[RowT], run: _Run) -> None:
    run.telling = True
    try:
        for listener in process.listeners:
            run.queue.extend(listener(outcome) or ())
    finally:
        run.telling = False


def _drain(run: _Run) -> None:
    """Run the follow-ups, the ones they add included, in order; only when no move is in
    progress (a follow-up's moves are then outermost themselves, not nested)."""
    if run.moving or run.draining:
        return
    run.draining = True
    try:
        while run.queue:
            run.queue.pop(0)()
    except BaseException:
        run.queue.clear()
        raise
    finally:
        run.draining = False


def transition(process: Process[RowT, InT], key: Any, user: Any, move_in: InT, *,
               now: dt.datetime | None = None, driver: str = "") -> RowT:
    """Make one move on the row `key` as `user` (None: the platform), in one transaction.

    Of concurrent attempts on one row exactly one succeeds: the row is locked first, and the
    others see the state it left (MoveNotAllowed, 409). Raises the DomainError of the refusal,
    or whatever the handler raises for bad input; nothing is written then."""
    return transitions(process, key, user, lambda row: (move_in,), now=now, driver=driver)


@dataclass(frozen=True)
class By(Generic[InT]):
    """A move of `transitions` made by someone else than the caller, under the same lock
    (None: the platform) — the result the platform issues once a department's answer has
    completed it."""

    user: Any
    move_in: InT


def transitions(process: Process[RowT, InT], key: Any, user: Any,
                moves: Callable[[RowT], Iterable[InT | By[InT]]], *,
                now: dt.datetime | None = None, driver: str = "") -> RowT:
    """Make the moves `moves(row)` names, read from the locked row, one after the other on
    the row `key`, under one lock and in one transaction; each is checked against the row as
    the previous ones left it (an iterator is read move by move, so it can decide on the next
    move from the row as the last one left it). A move wrapped in `By` is made by its own
    user. If one is refused, none is made."""
    run = _run()
    _enter(run, process.table.name, driver)
    waiting = len(run.queue)
    with transaction.atomic():
        run.moving.append(process.table.name)
        try:
            row = process.lock(key, user)
            moment = now or clock.now()
            for item in moves(row):
                mover, move_in = (item.user, item.move_in) if isinstance(item, By) \
                    else (user, item)
                _move(process, row, mover, move_in, moment=moment, driver=driver, run=run)
        except BaseException:
            del run.queue[waiting:]  # the follow-ups of moves that are undone
            raise
        finally:
            run.moving.pop()
        _drain(run)
        return row


def _move(process: Process[RowT, InT], row: RowT, user: Any, move_in: InT, *,
          moment: dt.datetime, driver: str, run: _Run) -> None:
    table = process.table
    action = process.action_of(move_in)
    roles = frozenset(table.roles_on(user, row))
    subject = process.subject_of(move_in)
    refused = refusal(table, row, user, action, roles=roles, now=moment, driver=driver,
                      subject=subject)
    if refused is not None:
        raise refused.error()
    process.text_check(move_in)
    move = table.moves[action]
    held = roles & move.roles
    role = _acting_role(process, held)
    actor = process.actor(user, row, role, subject)
    attempt = Attempt(action=action, user=user, roles=held, now=moment, driver=driver,
                      subject=subject)
    before_values = _field_values(row)
    before = getattr(row, table.status_field)
    data = process.handlers[action](row, move_in, attempt, actor) or {}
    if move.target is not None:
        setattr(row, table.status_field, move.target)
    changed = [name for name, value in _field_values(row).items()
               if before_values[name] != value]
    if changed:
        # Timestamps kept by the model itself (auto_now) change with every save.
        changed += [f.attname for f in row._meta.concrete_fields
                    if getattr(f, "auto_now", False) and f.attname not in changed]
        row.save(update_fields=changed)
    process.record(row, Step(action=action, before=before, actor=actor,
                             reason=process.reason_of(move_in), data=data,
                             subject=subject, at=moment))
    _told(process, Outcome(process=table.name, row=row, action=action, before=before,
                           after=getattr(row, table.status_field), driver=driver), run)


def listen(process: Process[RowT, InT],
           listener: Callable[[Outcome[RowT]], Iterable[FollowUp] | None]) -> None:
    """Have `listener` told of every move of `process` (and of its bulk moves, which call
    `tell`), inside the move's transaction. What it has to move in turn it returns as
    follow-ups: the engine runs them after the move, in the same transaction. Idempotent: an
    app registering twice (tests reload apps) is told once."""
    if listener not in process.listeners:
        process.listeners.append(listener)


def tell(process: Process[RowT, InT], outcomes: Iterable[Outcome[RowT]]) -> None:
    """Tell the listeners of moves made in bulk (a sweep's set-based UPDATE), then run their
    follow-ups, inside the caller's transaction."""
    run = _run()
    waiting = len(run.queue)
    try:
        for outcome in outcomes:
            _told(process, outcome, run)
        _drain(run)
    except BaseException:
        del run.queue[waiting:]
        raise
