"""The commit–reveal draw (draws.protocol), tests first where the rule is numeric: a golden
draw anyone can redo by hand with SM3, refusals of reveals that do not match, verification
that fails on any change, and draws that are fair over many seeds."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter

import pytest

from zhengwu.draws import protocol

IDS = ["91430481MA4L01014X", "91430481MA4L010063", "91430481MA4L00003J", "91430481MA4L01022Q"]
SECRETS = ["11" * 32, "22" * 32, "33" * 32]


def test_a_golden_draw_is_sm3_and_hmac_sm3_as_documented() -> None:
    commitments = [protocol.commitment(s) for s in SECRETS]
    assert commitments[0] == hashlib.new("sm3", bytes.fromhex("11" * 32)).hexdigest()
    result = protocol.draw(IDS, SECRETS, commitments, 2)
    # By hand: the root over the sorted ids, the seed, the ranking.
    leaves = [hashlib.new("sm3", b"\x00" + i.encode()).digest() for i in sorted(IDS)]

    def node(a: bytes, b: bytes) -> bytes:
        return hashlib.new("sm3", b"\x01" + a + b).digest()

    root = node(node(leaves[0], leaves[1]), node(leaves[2], leaves[3]))
    assert result.root == root.hex()
    seed = hashlib.new("sm3", b"".join(bytes.fromhex(s) for s in SECRETS) + root).digest()
    assert result.seed == seed.hex()
    expected = sorted(IDS, key=lambda i: hmac.new(seed, i.encode(),
                                                   lambda: hashlib.new("sm3")).hexdigest())
    assert result.order == expected and result.drawn == expected[:2]
    assert protocol.verify(IDS, result.root, SECRETS, commitments, count=2, drawn=result.drawn)


def test_what_does_not_match_is_refused_and_does_not_verify() -> None:
    commitments = [protocol.commitment(s) for s in SECRETS]
    with pytest.raises(protocol.DrawError, match="第2方"):
        protocol.draw(IDS, [SECRETS[0], "44" * 32, SECRETS[2]], commitments, 1)
    with pytest.raises(protocol.DrawError, match="64位"):
        protocol.commitment("xyz")
    with pytest.raises(protocol.DrawError, match="重复"):
        protocol.set_root([IDS[0], IDS[0]])
    result = protocol.draw(IDS, SECRETS, commitments, 2)
    assert not protocol.verify(IDS, result.root, SECRETS, commitments, count=2,
                           drawn=result.drawn[::-1])
    assert not protocol.verify(IDS[:3], result.root, SECRETS, commitments, count=2,
                           drawn=result.drawn)
    assert not protocol.verify(IDS, "00" * 32, SECRETS, commitments, count=2, drawn=result.drawn)
    # Changing one party's secret (with its commitment) changes the seed.
    other = ["55" * 32, *SECRETS[1:]]
    assert protocol.draw(IDS, other, [protocol.commitment(s) for s in other], 4).seed \
        != result.seed


def test_every_candidate_is_drawn_about_as_often() -> None:
    ids = [f"A{n:02d}" for n in range(10)]
    wins: Counter[str] = Counter()
    for n in range(3000):
        secret = hashlib.new("sm3", n.to_bytes(4, "big")).hexdigest()
        wins.update(protocol.rank(protocol.seed([secret], protocol.set_root(ids)), ids)[:1])
    assert set(wins) == set(ids)
    assert all(230 <= count <= 370 for count in wins.values()), wins  # 300 expected, ±4σ
