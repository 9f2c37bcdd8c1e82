"""可验证抽取 API (/api/v1/draws/…, issue 15): a draw as anyone may read and recompute it, and
a party's commitment and reveal.

- `GET /{number}` (public): candidates (id, name), their root, count, parties in order with
  their commitments and — once revealed — their secrets, the seed, the full ranking, the
  drawn, who withheld (an aborted draw), and the draw's transparency-log entries (index,
  kind), whose inclusion anyone checks with `/api/v1/ledger/entries/{index}`.
- `POST /{number}/moves` {"action": "commit"|"reveal", "value": hex}: the signed-in person
  acting for a party (403 otherwise; 409 in the wrong stage; 422 a value that is not 64 hex
  characters, or a secret that does not hash to the commitment).
"""

from __future__ import annotations

from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.draws import services
from zhengwu.draws.models import Draw
from zhengwu.draws.selectors import draw_public

router = Router(tags=["可验证抽取"])


class CandidateOut(Schema):
    id: str
    name: str


class PartyOut(Schema):
    position: int
    role: str
    label: str
    commitment: str
    committed_at: str | None
    secret: str = Field(description="揭示后公开；揭示前为空")
    revealed_at: str | None


class EntryRef(Schema):
    index: int
    kind: str


class ExcludedOut(Schema):
    draw: str = Field(description="其未揭示的那次抽取的编号")
    role: str
    label: str


class DrawOut(Schema):
    number: str
    purpose: str
    status: str
    status_label: str
    candidates: list[CandidateOut]
    root: str = Field(description="候选名单的 Merkle 树根（RFC 9162，SM3，候选编号按码位排序）")
    count: int
    commit_due: str
    reveal_due: str
    parties: list[PartyOut]
    seed: str = Field(description="SM3(随机数₁‖…‖随机数ₙ‖树根)，抽取后公开")
    order: list[str] = Field(description="按 HMAC-SM3(种子, 编号) 升序排列的全部候选")
    drawn: list[str]
    withheld: list[int] = Field(description="中止时未按时承诺或揭示的参与方顺序号")
    excluded: list[ExcludedOut] = Field(
        description="因在同一事项的前次抽取中未揭示随机数而不参与本次抽取的一方")
    ledger: list[EntryRef]


@router.get("/{number}", response=DrawOut, auth=None, summary="抽取的公开数据（可复算）")
def one(request: HttpRequest, number: str) -> dict[str, Any]:
    return draw_public(Draw.objects.get(number=number))


class MoveIn(Schema):
    action: Literal["commit", "reveal"]
    value: str = Field(max_length=100, description="承诺值 SM3(随机数) 或随机数，64位十六进制")


@router.post("/{number}/moves", response=DrawOut, auth=django_auth, summary="提交承诺值或揭示随机数")
def move(request: HttpRequest, number: str, body: MoveIn) -> dict[str, Any]:
    row = services.draw_move(number=number, user=cast(User, request.user),
                             move=services.DrawMoveIn(action=body.action, value=body.value))
    return draw_public(Draw.objects.get(pk=row.pk))
