"""Running a verifiable draw on the process engine (issue 15 §1, §3; ADR 0026).

`draw_open` fixes the candidates (their Merkle root), the count, the parties in their order and
the two deadlines, and the platform commits to its own secret at once. Each other party then
**commits** (SM3 of a 32-byte secret it made itself — or, for convenience, one the page makes
in the browser) and, once every commitment is in, the platform reveals its secret and each
party **reveals** its own; the last reveal draws (draws.protocol). A deadline passed with a
commitment or a reveal missing **aborts** the draw (sweep `draws.overdue`), recording who
withheld: an abort can be caused, an outcome cannot be chosen — and a party that withheld a
reveal is left out of every later draw of the same matter (draws.rules).

Every step is one transaction with its DrawEvent, its audit row and its transparency-log entry
(`draw.open`, `draw.commit`, `draw.reveal`, `draw.result`, `draw.abort`), so the published
draw and the log are the same thing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.accounts.selectors import is_supervisor
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.core.numbering import next_value
from zhengwu.draws import protocol, rules
from zhengwu.draws.models import Draw, DrawEvent, DrawParty, DrawStatus, PartyRole
from zhengwu.draws.models import DrawStatus as S
from zhengwu.ledger.services import ledger_append, rfc3339
from zhengwu.process import engine
from zhengwu.process.engine import By
from zhengwu.process.spec import Attempt, Move, Process, Refusal, Step, Table

PARTY = "party"  # a person acting for one of the draw's parties
SYSTEM_ROLE = "system"


def party_of(row: Draw, user: User | None) -> DrawParty | None:
    """The party `user` acts for in this draw (its own, or the supervisor's for 电子监察)."""
    if user is None:
        return None
    parties: list[DrawParty] = getattr(row, "party_list", None) or list(row.parties.all())
    own = [p for p in parties if p.user_id == user.pk]
    if own:
        return own[0]
    if any(p.role == PartyRole.SUPERVISOR and p.user_id is None for p in parties) \
            and is_supervisor(user):
        return next(p for p in parties if p.role == PartyRole.SUPERVISOR and p.user_id is None)
    return None


def roles_on(user: User | None, row: Draw) -> frozenset[str]:
    if user is None:
        return frozenset({SYSTEM_ROLE})
    return frozenset({PARTY}) if party_of(row, user) is not None else frozenset()


def _not_yet(field: str, message: str) -> Any:
    def guard(row: Draw, attempt: Attempt) -> Refusal | None:
        party = party_of(row, attempt.user)
        if party is not None and getattr(party, field):
            return Refusal(f"draw.already_{field}", message)
        return None
    return guard


DRAW_TABLE: Table[Draw] = Table(
    name="draw", noun="抽取", status_field="status",
    status_label=lambda status: str(S(status).label), roles_on=roles_on, moves={
        "commit": Move(frozenset({S.COMMITTING}), None, frozenset({PARTY}), "提交承诺值",
                       guards=(_not_yet("commitment", "本方已提交承诺值。"),)),
        "start_reveal": Move(frozenset({S.COMMITTING}), S.REVEALING,
                             frozenset({SYSTEM_ROLE}), "承诺齐备，进入揭示"),
        "reveal": Move(frozenset({S.REVEALING}), None, frozenset({PARTY}), "揭示随机数",
                       guards=(_not_yet("secret", "本方已揭示随机数。"),)),
        "finish": Move(frozenset({S.REVEALING}), S.DRAWN, frozenset({SYSTEM_ROLE}), "抽取"),
        "abort": Move(frozenset({S.COMMITTING, S.REVEALING}), S.ABORTED,
                      frozenset({SYSTEM_ROLE}), "逾期中止"),
    })


@dataclass
class DrawMoveIn:
    action: str
    value: str = ""  # the commitment (commit) or the secret (reveal), hex


def _log(row: Draw, kind: str, data: dict[str, Any], at: dt.datetime) -> int:
    return ledger_append(kind=kind, data={"draw": row.number, **data},
                         ref=f"draws.Draw:{row.pk}", at=at).index


def _hex64(value: str, what: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(f"{what}应为64位十六进制字符。", code="draw.value_invalid")
    return text


def _commit(row: Draw, move: DrawMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    party = party_of(row, attempt.user)
    assert party is not None  # the table's roles
    party.commitment = _hex64(move.value, "承诺值")
    party.committed_at = attempt.now
    party.save(update_fields=["commitment", "committed_at"])
    index = _log(row, "draw.commit", {"party": party.position, "commitment": party.commitment},
                 attempt.now)
    return {"party": party.position, "ledger_index": index}


def _start_reveal(row: Draw, move: DrawMoveIn, attempt: Attempt,
                  actor: Actor) -> dict[str, Any]:
    """Every commitment is in: the platform reveals its own secret first."""
    platform = next(p for p in row.party_list if p.role == PartyRole.PLATFORM)
    platform.secret, platform.revealed_at, platform.held_secret = (
        platform.held_secret, attempt.now, "")
    platform.save(update_fields=["secret", "revealed_at", "held_secret"])
    index = _log(row, "draw.reveal", {"party": platform.position, "secret": platform.secret},
                 attempt.now)
    return {"party": platform.position, "ledger_index": index}


def _reveal(row: Draw, move: DrawMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    party = party_of(row, attempt.user)
    assert party is not None
    secret = _hex64(move.value, "随机数")
    if protocol.commitment(secret) != party.commitment:
        raise InvalidInput("揭示的随机数与本方提交的承诺值不符（SM3 不一致），请核对。",
                           code="draw.reveal_mismatch")
    party.secret, party.revealed_at = secret, attempt.now
    party.save(update_fields=["secret", "revealed_at"])
    index = _log(row, "draw.reveal", {"party": party.position, "secret": secret}, attempt.now)
    return {"party": party.position, "ledger_index": index}


def _finish(row: Draw, move: DrawMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    parties = row.party_list
    result = protocol.draw(row.candidates, [p.secret for p in parties],
                           [p.commitment for p in parties], row.count)
    row.seed, row.order, row.drawn, row.finished_at = (result.seed, result.order,
                                                       result.drawn, attempt.now)
    index = _log(row, "draw.result", {"seed": result.seed, "drawn": result.drawn}, attempt.now)
    return {"drawn": result.drawn, "ledger_index": index}


def _abort(row: Draw, move: DrawMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    field = "commitment" if row.status == S.COMMITTING else "secret"
    row.withheld = [p.position for p in row.party_list if not getattr(p, field)]
    row.finished_at = attempt.now
    for party in row.party_list:  # nothing hidden is kept once the draw is over
        if party.held_secret:
            party.held_secret = ""
            party.save(update_fields=["held_secret"])
    index = _log(row, "draw.abort", {"withheld": row.withheld,
                                     "stage": "commit" if field == "commitment" else "reveal"},
                 attempt.now)
    return {"withheld": row.withheld, "ledger_index": index}


def _lock(number: str, user: User | None) -> Draw:
    row = Draw.objects.select_for_update().get(number=number)
    row.party_list = list(
        DrawParty.objects.select_for_update().filter(draw=row).order_by("position"))
    return row


def _actor(user: User | None, row: Draw, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    party = party_of(row, user)
    base = actor_for(user)
    return Actor(user=user, label=base.label, role=party.role if party else role,
                 department_id=base.department_id, department_label=base.department_label)


def _record(row: Draw, step: Step) -> None:
    DrawEvent.of_move(draw=row, action=step.action, before=step.before, after=row.status,
                      actor=step.actor, reason=step.reason, data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"draws.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


DRAW_PROCESS: Process[Draw, DrawMoveIn] = Process(
    table=DRAW_TABLE, lock=_lock, actor=_actor, record=_record,
    handlers={"commit": _commit, "start_reveal": _start_reveal, "reveal": _reveal,
              "finish": _finish, "abort": _abort},
    reason_of=lambda move: "", action_of=lambda move: move.action)


def _then_by_platform(row: Draw) -> Iterator[By[DrawMoveIn]]:
    """The platform's moves once the parties' are complete."""
    parties = row.party_list
    if row.status == S.COMMITTING and all(p.commitment for p in parties):
        yield By(None, DrawMoveIn("start_reveal"))
    if row.status == S.REVEALING and all(p.secret for p in parties):
        yield By(None, DrawMoveIn("finish"))


@transaction.atomic
def draw_move(*, number: str, user: User, move: DrawMoveIn) -> Draw:
    """A party commits or reveals; the platform's follow-ups in the same transaction."""
    if move.action not in ("commit", "reveal"):
        raise InvalidInput("未知的操作。", code="draw.action_invalid")

    def moves(row: Draw) -> Iterator[DrawMoveIn | By[DrawMoveIn]]:
        yield move
        yield from _then_by_platform(row)

    return engine.transitions(DRAW_PROCESS, number, user, moves)


@dataclass(frozen=True)
class PartyIn:
    role: str
    label: str
    user: User | None = None  # None: the platform, or any 电子监察 for the supervisor


def withholdings(ref: str) -> list[rules.Withholding]:
    """The parties that committed and did not reveal in aborted draws of the matter `ref`,
    oldest first (draws.rules). A draw aborted before every commitment was in withheld no
    reveal: nobody had revealed anything yet."""
    if not ref:
        return []
    found = []
    for draw in Draw.objects.filter(ref=ref, status=S.ABORTED).order_by("opened_at", "pk"):
        parties = list(draw.parties.order_by("position"))
        if all(p.commitment for p in parties):
            found += [rules.Withholding(draw=draw.number, role=p.role, label=p.label)
                      for p in parties if not p.secret]
    return found


@transaction.atomic
def draw_open(*, purpose: str, ref: str, candidates: dict[str, str], count: int,
              parties: list[PartyIn], commit_due: dt.datetime, reveal_due: dt.datetime,
              actor: Actor = SYSTEM) -> Draw:
    """Open a draw: its candidate set fixed and published (root), the platform committed."""
    try:
        ids = protocol.candidates_ordered(list(candidates))
        root = protocol.set_root(ids)
    except protocol.DrawError as error:
        raise InvalidInput(str(error), code="draw.candidates_invalid") from None
    if not 1 <= count <= len(ids):
        raise InvalidInput(f"抽取数应在1到{len(ids)}之间。", code="draw.count_invalid")
    now = clock.now()
    if not now < commit_due < reveal_due:
        raise InvalidInput("应先承诺截止、后揭示截止，且都晚于现在。", code="draw.dues_invalid")
    if sum(p.role == PartyRole.PLATFORM for p in parties) != 1 or len(parties) < 2:
        raise InvalidInput("参与方应包括平台和至少一个其他方。", code="draw.parties_invalid")
    parties, left_out = rules.parties_for_draw(parties, withholdings(ref))
    if len(parties) < 2:
        raise InvalidInput("除平台外已无可参与抽取的一方。", code="draw.parties_invalid")
    number = f"CQ{now.year}{next_value(f'draws.{now.year}'):06d}"
    row = Draw.objects.create(number=number, purpose=purpose[:200], ref=ref[:80],
                              candidates=ids, labels={i: candidates[i][:120] for i in ids},
                              root=root, count=count, commit_due=commit_due,
                              reveal_due=reveal_due, opened_at=now,
                              excluded=[asdict(w) for w in left_out])
    made = []
    for position, party in enumerate(parties, start=1):
        held = secrets.token_hex(32) if party.role == PartyRole.PLATFORM else ""
        made.append(DrawParty.objects.create(
            draw=row, position=position, role=party.role, label=party.label[:120],
            user=party.user, held_secret=held,
            commitment=protocol.commitment(held) if held else "",
            committed_at=now if held else None))
    opened = _log(row, "draw.open", {
        "purpose": row.purpose, "candidates": ids, "root": root, "count": count,
        "parties": [{"position": p.position, "role": p.role, "label": p.label} for p in made],
        "commit_due": rfc3339(commit_due), "reveal_due": rfc3339(reveal_due),
        **({"excluded": row.excluded} if row.excluded else {})}, now)
    platform = next(p for p in made if p.role == PartyRole.PLATFORM)
    committed = _log(row, "draw.commit", {"party": platform.position,
                                          "commitment": platform.commitment}, now)
    _record(row, Step(action="open", before="", actor=actor, reason="",
                      data={"ledger_index": opened, "platform_commit": committed}, at=now))
    return row


def overdue_abort(now: dt.datetime) -> str:
    """Abort each draw whose commitment or reveal deadline passed with a party missing (a
    sweep: `zhengwu sweep`)."""
    late = Draw.objects.filter(status=DrawStatus.COMMITTING, commit_due__lt=now) | \
        Draw.objects.filter(status=DrawStatus.REVEALING, reveal_due__lt=now)
    aborted = 0
    for number in late.values_list("number", flat=True):
        engine.transition(DRAW_PROCESS, number, None, DrawMoveIn("abort"), now=now)
        aborted += 1
    return f"逾期中止抽取 {aborted} 次"
