"""Writing and reading the transparency log (issue 15 §2, ADR 0025).

- `ledger_append` adds one entry inside the caller's transaction — the credit record, the
  draw, the sanction and its log entry commit together or not at all. Appends are serialised
  by the one LedgerHead row (locked by the UPDATE that takes the index); each writes the entry, its leaf and the parents it
  completes (ledger.merkle.new_nodes: one query for the left halves, one bulk insert).
- An entry is canonical JSON (UTF-8, keys sorted, no spaces): {"v": 1, "kind", "time"
  (RFC 3339, UTC), "data"} — the exact bytes are the leaf, published as they are.
- `checkpoint_sign` signs a tree head — size, root, time — with SM2 by the log key, a file
  outside the database (ZHENGWU_LEDGER_KEY_FILE) or a remote signer (ZHENGWU_LEDGER_SIGNER),
  over `checkpoint_text`; the sweep `ledger.checkpoint` signs one when the log has grown (at
  most every CHECKPOINT_EVERY).
- Witnesses (ZHENGWU_LEDGER_WITNESSES: another county's log, the 电子监察) co-sign a
  checkpoint they checked against the last one they saw (`cosignature_add`).
- Proofs (inclusion, consistency) are read from O(log n) stored nodes in one query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

from zhengwu.core import clock, sm2
from zhengwu.core.checkpoints import FileSigner, Signer, key_id
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.ledger import merkle
from zhengwu.ledger.models import (
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
)

VERSION = 1
CHECKPOINT_HEADER = "zhengwu-ledger-checkpoint/v1"


# --- entries -------------------------------------------------------------------------------


def rfc3339(at: dt.datetime) -> str:
    """UTC, seconds, `Z`: one spelling, so the same moment always makes the same bytes."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_bytes(kind: str, data: dict[str, Any], at: dt.datetime) -> bytes:
    """The exact leaf bytes of an entry (canonical JSON)."""
    return json.dumps({"v": VERSION, "kind": kind, "time": rfc3339(at), "data": data},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def person_commitment(id_number: str) -> tuple[str, str]:
    """(commitment, salt) naming a person in a public entry without their ID number: the
    HMAC-SM3 of the number under a fresh 16-byte salt. The salt stays in the entry's private
    field; with it, the person (or an auditor they show it to) can check the entry is theirs."""
    salt = secrets.token_bytes(16)
    digest = hmac.new(salt, id_number.encode(), lambda: hashlib.new("sm3")).hexdigest()
    return digest, salt.hex()


def _hex(value: bytes) -> str:
    return value.hex()


def nodes_get(keys: Iterable[merkle.Key]) -> dict[merkle.Key, bytes]:
    """The stored nodes `keys` (one query: an OR of (level, position) pairs, each answered by
    the unique index). Written as SQL: the ORM compiled a proof's ~25 Q objects in ~1.5 ms,
    13× what this statement takes (docs/benchmarks.md, "Transparency log")."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    q = connection.ops.quote_name
    pair = f"({q('level')} = %s AND {q('position')} = %s)"
    table = q(LedgerNode._meta.db_table)
    sql = f"SELECT {q('level')}, {q('position')}, {q('hash')} FROM {table} WHERE "  # noqa: S608 — names from the model
    with connection.cursor() as cursor:
        cursor.execute(sql + " OR ".join([pair] * len(wanted)),
                       [value for key in wanted for value in key])
        return {(level, position): bytes.fromhex(value)
                for level, position, value in cursor.fetchall()}


def _next_index() -> int:
    """Take the next index: one statement that locks the head row, adds one and returns the
    new size (UPDATE … RETURNING; PostgreSQL, SQLite ≥ 3.35). It replaced a SELECT … FOR
    UPDATE and a later UPDATE (docs/benchmarks.md, "Transparency log")."""
    if connection.features.can_return_columns_from_insert:
        q = connection.ops.quote_name
        table = q(LedgerHead._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {q('size')} = {q('size')} + 1 "  # noqa: S608 — names from the model
                           f"WHERE {q('id')} = 1 RETURNING {q('size')}")
            got = cursor.fetchone()
        if got is not None:
            return int(got[0]) - 1
    head, _ = LedgerHead.objects.select_for_update().get_or_create(pk=1)
    LedgerHead.objects.filter(pk=1).update(size=head.size + 1)
    return head.size


# savepoint=False: an append is part of its caller's record and never recovered from alone —
# a failure rolls the caller's transaction back (and a savepoint was two statements an append).
@transaction.atomic(savepoint=False)
def ledger_append(*, kind: str, data: dict[str, Any], ref: str = "",
                  private: dict[str, Any] | None = None,
                  at: dt.datetime | None = None) -> LedgerEntry:
    """Append one entry (in the caller's transaction); its index is the log's size before."""
    index = _next_index()
    now = at or clock.now()
    content = entry_bytes(kind, data, now)
    leaf = merkle.leaf_hash(content)
    lefts = nodes_get(merkle.siblings_needed(index))
    made = merkle.new_nodes(index, leaf, lefts.__getitem__)
    LedgerNode.objects.bulk_create(
        LedgerNode(level=level, position=position, hash=_hex(value))
        for (level, position), value in made)
    return LedgerEntry.objects.create(index=index, kind=kind, entry=content,
                                      leaf_hash=_hex(leaf), ref=ref[:80],
                                      private=private or {}, appended_at=now)


def size() -> int:
    """The log's size (SQL: the ORM's read was a third of a consistency proof's time)."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('size')} FROM {q(LedgerHead._meta.db_table)} "  # noqa: S608 — names from the model
                       f"WHERE {q('id')} = 1")
        got = cursor.fetchone()
    return int(got[0]) if got else 0


def root(tree_size: int) -> bytes:
    return merkle.root(tree_size, nodes_get(merkle.root_keys(tree_size)))


# --- proofs --------------------------------------------------------------------------------


class OutOfRange(InvalidInput):
    code = "ledger.out_of_range"


@dataclass(frozen=True)
class Inclusion:
    index: int
    entry: bytes
    size: int
    proof: list[bytes]


def inclusion(index: int, tree_size: int | None = None) -> Inclusion:
    """Entry `index` and its inclusion proof in the tree of `tree_size` entries (default: the
    latest checkpoint's, so the proof checks against a signed root; the whole log if none)."""
    if tree_size is None:
        latest = LedgerCheckpoint.objects.order_by("-size", "-pk").first()
        tree_size = latest.size if latest and latest.size > index else size()
    log_size, content = _size_and_entry(index)
    if not 0 <= index < tree_size or tree_size > log_size or content is None:
        raise OutOfRange(f"序号 {index} 不在 {tree_size} 个条目的树中（日志现有 {log_size} 个）。")
    proof = merkle.inclusion_proof(index, tree_size,
                                   nodes_get(merkle.inclusion_keys(index, tree_size)))
    return Inclusion(index, content, tree_size, proof)


def _size_and_entry(index: int) -> tuple[int, bytes | None]:
    """The log's size and entry `index`'s bytes in one statement (two ORM reads were ~0.4 ms
    of an inclusion proof's ~0.7)."""
    q = connection.ops.quote_name
    head, entry = (q(LedgerHead._meta.db_table), q(LedgerEntry._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT {q('size')} FROM {head} WHERE {q('id')} = 1), "  # noqa: S608 — names from the model
            f"(SELECT {q('entry')} FROM {entry} WHERE {q('index')} = %s)", [index])
        got = cursor.fetchone()
    log_size, content = got if got else (None, None)
    return int(log_size or 0), (bytes(content) if content is not None else None)


def consistency(first: int, second: int) -> list[bytes]:
    log_size = size()
    if not 0 <= first <= second or second > log_size:
        raise OutOfRange(f"需 0 ≤ first ≤ second ≤ {log_size}（日志现有条目数）。")
    return merkle.consistency_proof(first, second,
                                    nodes_get(merkle.consistency_keys(first, second)))


# --- checkpoints ---------------------------------------------------------------------------


def signer_get() -> Signer:
    """The log key's signer: a key file outside the database by default, made on first use
    (ZHENGWU_LEDGER_KEY_FILE), or a remote signer (ZHENGWU_LEDGER_SIGNER, a dotted path)."""
    if settings.ZHENGWU_LEDGER_SIGNER:
        signer: Signer = import_string(settings.ZHENGWU_LEDGER_SIGNER)()
        return signer
    return FileSigner(settings.ZHENGWU_LEDGER_KEY_FILE)


def origin() -> str:
    """The log's name, the first line of what is signed: a witness co-signing two counties'
    logs cannot confuse their checkpoints."""
    return settings.ZHENGWU_LEDGER_ORIGIN


def checkpoint_text(tree_size: int, root_hex: str, time: str) -> bytes:
    """The exact bytes signed (and co-signed): header, origin, size, root (hex), time."""
    return f"{CHECKPOINT_HEADER}\n{origin()}\n{tree_size}\n{root_hex}\n{time}\n".encode()


@transaction.atomic
def checkpoint_sign(*, now: dt.datetime | None = None) -> LedgerCheckpoint:
    """Sign the tree as it stands (its size and root, now)."""
    head, _ = LedgerHead.objects.get_or_create(pk=1)
    head = LedgerHead.objects.select_for_update().get(pk=head.pk)  # no append meanwhile
    at = (now or clock.now()).replace(microsecond=0)
    root_hex = _hex(root(head.size))
    signer = signer_get()
    signature = signer.sign(checkpoint_text(head.size, root_hex, rfc3339(at)))
    return LedgerCheckpoint.objects.create(size=head.size, root=root_hex, time=at,
                                           key_id=key_id(signer.public_key()),
                                           signature=signature.hex())


# At most one checkpoint this often while the log grows (witnesses fetch each one).
CHECKPOINT_EVERY = dt.timedelta(minutes=10)


def checkpoint_sweep(now: dt.datetime) -> str:
    """Sign a checkpoint when the log has grown since the last one (or has none yet), at
    most once every CHECKPOINT_EVERY."""
    latest = LedgerCheckpoint.objects.order_by("-size", "-pk").first()
    if latest is not None and latest.size == size():
        return "透明日志无新条目"
    if latest is not None and now - latest.time < CHECKPOINT_EVERY:
        return "透明日志检查点未到间隔"
    made = checkpoint_sign(now=now)
    return f"透明日志检查点 {made.size} 条"


def checkpoint_json(row: LedgerCheckpoint) -> dict[str, Any]:
    return {"size": row.size, "root": row.root, "time": rfc3339(row.time),
            "key_id": row.key_id, "signature": row.signature,
            "cosignatures": [{"witness": c.witness, "key_id": c.key_id,
                              "signature": c.signature} for c in row.cosignatures.all()]}


def witnesses() -> dict[str, tuple[str, bytes]]:
    """key id → (witness name, public key), from ZHENGWU_LEDGER_WITNESSES ("name=hex,…")."""
    found: dict[str, tuple[str, bytes]] = {}
    for item in settings.ZHENGWU_LEDGER_WITNESSES.split(","):
        if "=" not in item:
            continue
        name, key_hex = item.split("=", 1)
        try:
            key = bytes.fromhex(key_hex.strip())
        except ValueError:
            continue
        if len(key) == 64 and sm2.on_curve(key):
            found[key_id(key)] = (name.strip(), key)
    return found


@transaction.atomic
def cosignature_add(*, tree_size: int, public_key_hex: str,
                    signature_hex: str) -> LedgerCosignature:
    """A configured witness's signature on the checkpoint of `tree_size` (the same bytes the
    log signed); anyone else is refused, and a signature that does not verify is refused."""
    try:
        public_key, signature = bytes.fromhex(public_key_hex), bytes.fromhex(signature_hex)
    except ValueError:
        raise InvalidInput("公钥和签名应为十六进制。", code="ledger.cosignature_invalid") from None
    known = witnesses().get(key_id(public_key)) if len(public_key) == 64 else None
    if known is None or known[1] != public_key:
        raise NotAllowed("该公钥不是本日志配置的见证方（ZHENGWU_LEDGER_WITNESSES）。",
                         code="ledger.not_a_witness")
    row = LedgerCheckpoint.objects.filter(size=tree_size).order_by("-pk").first()
    if row is None:
        raise LedgerCheckpoint.DoesNotExist(f"没有 {tree_size} 个条目的检查点。")
    if not sm2.verify(public_key, checkpoint_text(row.size, row.root, rfc3339(row.time)),
                      signature):
        raise InvalidInput("见证签名验证不通过：应对检查点原文签名。",
                           code="ledger.cosignature_invalid")
    made, _ = LedgerCosignature.objects.get_or_create(
        checkpoint=row, key_id=key_id(public_key),
        defaults={"witness": known[0], "public_key": public_key.hex(),
                  "signature": signature.hex(), "added_at": clock.now()})
    return made
