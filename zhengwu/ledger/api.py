"""The transparency log's public API (/api/v1/ledger/…, issue 15 §2): anyone may fetch the
signed checkpoint, any entry with its inclusion proof, consistency proofs between two sizes
and the log's public key, and check them with nothing but RFC 9162 §2.1, SM3 and SM2.

- `GET /checkpoint` → {"size", "root" (hex), "time" (RFC 3339), "key_id", "signature"
  (hex DER), "cosignatures": [{"witness", "key_id", "signature"}]}; the signed bytes are
  "zhengwu-ledger-checkpoint/v1\\n<origin>\\n<size>\\n<root hex>\\n<time>\\n" (`origin` in
  `GET /public-key`).
- `GET /entries/{index}[?size=n]` → {"index", "entry" (base64 of the exact leaf bytes),
  "size", "proof": [hex]}: an inclusion proof against the tree of `size` entries (default:
  the latest checkpoint's).
- `GET /proof/consistency?first=m&second=n` → {"first", "second", "proof": [hex]}.
- `GET /public-key` → {"algorithm", "key_id", "public_key" (hex x‖y), "pem", "signer_id",
  "origin", "hash"}.
- `POST /checkpoints/{size}/cosignatures` {"public_key", "signature"}: a configured witness
  co-signs a checkpoint (ZHENGWU_LEDGER_WITNESSES).
"""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from zhengwu.core import sm2
from zhengwu.core.checkpoints import key_id
from zhengwu.ledger import services
from zhengwu.ledger.models import LedgerCheckpoint

router = Router(tags=["透明日志"], auth=None)


class CosignatureOut(Schema):
    witness: str
    key_id: str
    signature: str


class CheckpointOut(Schema):
    size: int
    root: str = Field(description="树根 MTH（SM3，十六进制）")
    time: str = Field(description="RFC 3339，UTC")
    key_id: str
    signature: str = Field(description="SM2 签名（DER，十六进制）")
    cosignatures: list[CosignatureOut]


@router.get("/checkpoint", response=CheckpointOut, summary="最新的签名检查点")
def checkpoint(request: HttpRequest) -> dict[str, Any]:
    row = LedgerCheckpoint.objects.order_by("-size", "-pk").first()
    if row is None:
        raise LedgerCheckpoint.DoesNotExist("尚未签发检查点。")
    return services.checkpoint_json(row)


class EntryOut(Schema):
    index: int
    entry: str = Field(description="叶子原文（Base64）")
    size: int
    proof: list[str] = Field(description="包含证明（RFC 9162 §2.1.3，十六进制）")


@router.get("/entries/{index}", response=EntryOut, summary="条目及其包含证明")
def entry(request: HttpRequest, index: int, size: int | None = None) -> dict[str, Any]:
    found = services.inclusion(index, size)
    return {"index": found.index, "entry": base64.b64encode(found.entry).decode(),
            "size": found.size, "proof": [p.hex() for p in found.proof]}


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str] = Field(description="一致性证明（RFC 9162 §2.1.4，十六进制）")


@router.get("/proof/consistency", response=ConsistencyOut, summary="两个树大小之间的一致性证明")
def consistency(request: HttpRequest, first: int, second: int) -> dict[str, Any]:
    return {"first": first, "second": second,
            "proof": [p.hex() for p in services.consistency(first, second)]}


class PublicKeyOut(Schema):
    algorithm: str
    hash: str
    key_id: str
    public_key: str = Field(description="SM2 公钥 x‖y（十六进制）")
    pem: str
    signer_id: str
    origin: str


@router.get("/public-key", response=PublicKeyOut, summary="日志的 SM2 公钥")
def public_key(request: HttpRequest) -> dict[str, Any]:
    key = services.signer_get().public_key()
    return {"algorithm": "SM2", "hash": "SM3", "key_id": key_id(key), "public_key": key.hex(),
            "pem": sm2.public_key_pem(key), "signer_id": sm2.DEFAULT_ID.decode(),
            "origin": services.origin()}


class CosignatureIn(Schema):
    public_key: str = Field(max_length=128)
    signature: str = Field(max_length=200)


@router.post("/checkpoints/{size}/cosignatures", response={201: CosignatureOut},
             summary="见证方对检查点的签名")
def cosign(request: HttpRequest, size: int, body: CosignatureIn) -> Status[dict[str, Any]]:
    made = services.cosignature_add(tree_size=size, public_key_hex=body.public_key,
                                    signature_hex=body.signature)
    return Status(201, {"witness": made.witness, "key_id": made.key_id,
                        "signature": made.signature})
