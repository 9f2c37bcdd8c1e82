#!/usr/bin/env python3
"""Recompute a Zhengwu random draw from its published data, outside the platform (issue 15).

Usage: python3 verify_draw.py https://<site> CQ2026000001

Standard library only (Python ≥ 3.11 with an OpenSSL that has SM3, as Debian's does). It
fetches the draw (/api/v1/draws/<number>), the log's latest checkpoint and each of the draw's
log entries with its inclusion proof (/api/v1/ledger/…), then checks, without trusting the
site:
1. the candidates hash to the published root (RFC 9162 Merkle tree with SM3);
2. every revealed secret hashes to its party's commitment (SM3);
3. seed = SM3(secret₁ ‖ … ‖ secretₙ ‖ root), ranking by HMAC-SM3(seed, id), and the drawn
   are the first `count`;
4. every entry the draw lists is in the log: its inclusion proof reaches the checkpoint's root
   (RFC 9162 §2.1.3.2), and the entries say what the draw page says.
The checkpoint's SM2 signature is checked with openssl (see docs/ledger.md) — not here.
Exit status 0 when everything holds, 1 otherwise; each check is printed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import urllib.request
from collections.abc import Callable
from typing import Any

Fetch = Callable[[str], Any]


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 Merkle Tree Hash over the leaves' bytes."""
    if not leaves:
        return sm3(b"")
    if len(leaves) == 1:
        return sm3(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sm3(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def included(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, sm3(b"\x00" + leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sm3(b"\x01" + p + r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sm3(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify(number: str, fetch: Fetch, say: Callable[[str], None] = print) -> bool:
    draw = fetch(f"/api/v1/draws/{number}")
    ok = True

    def check(holds: bool, text: str) -> None:
        nonlocal ok
        ok = ok and holds
        say(("通过 " if holds else "不通过 ") + text)

    ids = sorted(c["id"] for c in draw["candidates"])
    root = mth([i.encode() for i in ids])
    check(root.hex() == draw["root"], f"候选名单树根 {root.hex()[:16]}…")
    parties = draw["parties"]
    for p in parties:
        if p["secret"]:
            check(hashlib.new("sm3", bytes.fromhex(p["secret"])).hexdigest() == p["commitment"],
                  f"第{p['position']}方随机数与承诺值一致")
    if draw["status"] == "drawn":
        seed = sm3(b"".join(bytes.fromhex(p["secret"]) for p in parties) + root)
        check(seed.hex() == draw["seed"], "种子")
        order = sorted(ids, key=lambda i: hmac.new(seed, i.encode(),
                                                   lambda: hashlib.new("sm3")).hexdigest())
        check(order[:draw["count"]] == draw["drawn"], f"抽中 {', '.join(draw['drawn'])}")
    head = fetch("/api/v1/ledger/checkpoint")
    for ref in draw["ledger"]:
        if ref["index"] >= head["size"]:
            say(f"待定 条目#{ref['index']} 晚于最新检查点（{head['size']}），下一个检查点后再核验")
            continue
        shown = fetch(f"/api/v1/ledger/entries/{ref['index']}?size={head['size']}")
        entry = base64.b64decode(shown["entry"])
        data = json.loads(entry)
        check(included(entry, ref["index"], head["size"],
                       [bytes.fromhex(p) for p in shown["proof"]], bytes.fromhex(head["root"]))
              and data["data"].get("draw") == number and data["kind"] == ref["kind"],
              f"条目#{ref['index']} {ref['kind']} 在日志中")
        if data["kind"] == "draw.result":
            check(data["data"]["drawn"] == draw["drawn"], "日志中的结果与公布的一致")
    return ok


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)  # noqa: T201 — a command-line tool's usage
        return 2
    base = argv[1].rstrip("/")

    def fetch(path: str) -> Any:
        with urllib.request.urlopen(base + path, timeout=30) as answer:  # noqa: S310
            return json.load(answer)

    return 0 if verify(argv[2], fetch) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
