"""Verifiable random draws by commit–reveal (issue 15 §1 and §3: 中介超市 随机抽取, the panel of
综合评分, ties of 最低价, 双随机 targets and inspectors). Pure: no Django, no database.

1. Before the draw, the **candidate set** is fixed and published as its Merkle root (RFC 9162
   MTH with SM3 over the candidates' ids in code-point order, ledger.merkle), with the method
   and how many are drawn.
2. Each party (the owner, the platform, the supervisor …) **commits** to a secret it alone
   knows: commitment = SM3(secret) (hex). A commitment fixes the secret without showing it.
3. After every party has committed, each **reveals** its secret; a reveal that does not hash
   to its commitment is refused.
4. seed = SM3(secret₁ ‖ secret₂ ‖ … ‖ root), the secrets in the parties' published order; every
   candidate is ranked by HMAC-SM3(seed, id) (hex, ascending), and the first `count` are drawn.

No party can steer the result: each secret is fixed before any is known, and one unknown
secret makes the seed unpredictable. A party that withholds its reveal can only abort the draw
(recorded with who withheld; the rules sanction it), never choose among outcomes. Anyone can
recompute the draw from the published candidates, commitments and secrets (`verify`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from zhengwu.ledger import merkle

__all__ = ["DrawError", "Result", "commitment", "draw", "rank", "seed", "set_root", "verify"]

SECRET_BYTES = 32


class DrawError(ValueError):
    """A draw that cannot be made or checked; the message is for people."""


def _sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def secret_bytes(secret: str) -> bytes:
    """A secret is 64 hex characters (32 random bytes); case is ignored."""
    try:
        raw = bytes.fromhex(secret.strip())
    except ValueError:
        raise DrawError("随机数应为64位十六进制字符。") from None
    if len(raw) != SECRET_BYTES:
        raise DrawError("随机数应为64位十六进制字符（32字节）。")
    return raw


def commitment(secret: str) -> str:
    """SM3 of the secret's 32 bytes, hex: what a party publishes first."""
    return _sm3_hex(secret_bytes(secret))


def candidates_ordered(ids: Sequence[str]) -> list[str]:
    ordered = sorted(set(ids))
    if len(ordered) != len(ids):
        raise DrawError("候选名单中有重复。")
    if any(not i or "\n" in i for i in ordered):
        raise DrawError("候选编号不能为空或含换行。")
    return ordered


def set_root(ids: Sequence[str]) -> str:
    """The Merkle root of the candidate set (ids sorted by code point, each leaf its UTF-8)."""
    log = merkle.MerkleLog()
    for i in candidates_ordered(ids):
        log.append(i.encode())
    return log.root().hex()


def seed(secrets: Sequence[str], root: str) -> bytes:
    """SM3(secret₁ ‖ … ‖ secretₙ ‖ root), the secrets as bytes in the parties' order."""
    return hashlib.new("sm3", b"".join(secret_bytes(s) for s in secrets)
                       + bytes.fromhex(root)).digest()


def rank(seed_value: bytes, ids: Sequence[str]) -> list[str]:
    """The candidates in draw order: ascending HMAC-SM3(seed, id)."""
    return sorted(candidates_ordered(ids), key=lambda i: hmac.new(
        seed_value, i.encode(), lambda: hashlib.new("sm3")).hexdigest())


@dataclass(frozen=True)
class Result:
    root: str
    seed: str
    order: list[str]  # every candidate, in draw order
    drawn: list[str]  # the first `count`


def draw(ids: Sequence[str], secrets: Sequence[str], commitments: Sequence[str],
         count: int) -> Result:
    """The draw from the revealed `secrets`, each checked against its commitment."""
    if len(secrets) != len(commitments) or not secrets:
        raise DrawError("每一方都应先承诺、再揭示。")
    for number, (secret, committed) in enumerate(zip(secrets, commitments, strict=True), 1):
        if commitment(secret) != committed.lower():
            raise DrawError(f"第{number}方揭示的随机数与其承诺不符。")
    if not 1 <= count <= len(ids):
        raise DrawError(f"抽取数应在1到{len(ids)}之间。")
    root = set_root(ids)
    value = seed(secrets, root)
    order = rank(value, ids)
    return Result(root, value.hex(), order, order[:count])


def verify(ids: Sequence[str], root: str, secrets: Sequence[str], commitments: Sequence[str],
           *, count: int, drawn: Sequence[str]) -> bool:
    """Whether a published draw recomputes: the candidates hash to the published root, every
    secret to its commitment, and the drawn are the first `count` of the ranking."""
    try:
        result = draw(ids, secrets, commitments, count)
    except DrawError:
        return False
    return result.root == root.lower() and result.drawn == list(drawn)
