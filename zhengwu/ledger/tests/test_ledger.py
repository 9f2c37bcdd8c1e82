"""The transparency log as the platform keeps it (issue 15 §2): appends in the caller's
transaction, the public API's shapes and refusals, signed checkpoints from the sweep, witness
co-signatures, and `zhengwu ledger verify` finding every kind of tampering."""

from __future__ import annotations

import base64
import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from zhengwu.core import clock, sm2
from zhengwu.core.checkpoints import key_id
from zhengwu.ledger import merkle, services
from zhengwu.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode

API = "/api/v1/ledger"


def _fill(n: int) -> list[bytes]:
    return [bytes(services.ledger_append(kind="test.entry", data={"n": i, "名称": f"第{i}条"})
                  .entry) for i in range(n)]


def test_entries_are_canonical_and_the_api_proves_them(db: Any) -> None:
    entries = _fill(11)
    assert json.loads(entries[3]) == {"v": 1, "kind": "test.entry", "data": {"n": 3,
                                      "名称": "第3条"}, "time": json.loads(entries[3])["time"]}
    assert b" " not in entries[3] and "第3条".encode() in entries[3]
    services.checkpoint_sign()
    client = Client()
    head = client.get(f"{API}/checkpoint").json()
    assert head["size"] == 11
    log = merkle.MerkleLog()
    for entry in entries:
        log.append(entry)
    assert head["root"] == log.root().hex() and head["time"].endswith("Z")
    key = client.get(f"{API}/public-key").json()
    assert key["key_id"] == head["key_id"] and "BEGIN PUBLIC KEY" in key["pem"]
    text = services.checkpoint_text(11, head["root"], head["time"])
    assert sm2.verify(bytes.fromhex(key["public_key"]), text, bytes.fromhex(head["signature"]))
    one = client.get(f"{API}/entries/7").json()
    assert base64.b64decode(one["entry"]) == entries[7] and one["size"] == 11
    assert merkle.verify_inclusion(merkle.leaf_hash(entries[7]), 7, 11,
                                   [bytes.fromhex(p) for p in one["proof"]], log.root())
    proof = client.get(f"{API}/proof/consistency", {"first": 6, "second": 11}).json()
    assert merkle.verify_consistency(6, 11, log.root(6), log.root(),
                                     [bytes.fromhex(p) for p in proof["proof"]])


def test_bad_requests_are_told_plainly(db: Any) -> None:
    client = Client()
    none = client.get(f"{API}/checkpoint")
    assert none.status_code == 404 and set(none.json()) == {"code", "detail"}
    _fill(3)
    for path, params in ((f"{API}/entries/3", {}), (f"{API}/entries/0", {"size": 9}),
                         (f"{API}/proof/consistency", {"first": 2, "second": 9}),
                         (f"{API}/proof/consistency", {"first": 3, "second": 2})):
        answer = client.get(path, params)
        assert answer.status_code == 422, (path, params)
        assert answer.json()["code"] == "ledger.out_of_range"


def test_an_append_is_undone_with_its_transaction(db: Any) -> None:
    _fill(2)
    def failing_step() -> None:
        with transaction.atomic():
            services.ledger_append(kind="test.entry", data={"n": 99})
            raise RuntimeError("the caller's step failed")

    with pytest.raises(RuntimeError):
        failing_step()
    assert services.size() == 2 == LedgerEntry.objects.count()
    assert LedgerNode.objects.count() == 3  # two leaves and their parent


def test_the_sweep_signs_when_the_log_grew(db: Any) -> None:
    now = clock.now()
    assert "检查点 0 条" in services.checkpoint_sweep(now)
    assert services.checkpoint_sweep(now) == "透明日志无新条目"
    _fill(1)
    assert services.checkpoint_sweep(now + dt.timedelta(minutes=5)) == "透明日志检查点未到间隔"
    assert "检查点 1 条" in services.checkpoint_sweep(now + services.CHECKPOINT_EVERY)
    assert LedgerCheckpoint.objects.count() == 2


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("ledger", "verify", *args, stdout=out)
    return out.getvalue()


def test_verify_passes_an_intact_log_and_finds_each_tampering(db: Any) -> None:
    _fill(9)
    services.checkpoint_sign()
    assert "透明日志完整：9 个条目，1 个检查点" in _verify()
    entry = LedgerEntry.objects.get(index=4)
    original = bytes(entry.entry)
    LedgerEntry.objects.filter(pk=entry.pk).update(entry=original.replace(b"4", b"5"))
    with pytest.raises(CommandError):
        _verify()
    LedgerEntry.objects.filter(pk=entry.pk).update(entry=original)
    node = LedgerNode.objects.get(level=1, position=1)
    LedgerNode.objects.filter(pk=node.pk).update(hash="00" * 32)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("ledger", "verify", stdout=out)
    assert "节点(1,1)" in out.getvalue()
    LedgerNode.objects.filter(pk=node.pk).update(hash=node.hash)
    LedgerEntry.objects.filter(index=8).delete()  # the log truncated under a checkpoint
    LedgerHead.objects.filter(pk=1).update(size=8)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("ledger", "verify", stdout=out)
    assert "日志被截断" in out.getvalue()


def test_a_checkpoint_by_another_key_is_not_trusted(db: Any) -> None:
    _fill(2)
    services.checkpoint_sign()
    _, other = sm2.keypair_generate()
    with pytest.raises(CommandError):
        _verify("--public-key", other.hex())
    own = services.signer_get().public_key().hex()
    assert "透明日志完整" in _verify("--public-key", own)


def test_a_configured_witness_cosigns_and_nobody_else(db: Any, settings: Any) -> None:
    private, public = sm2.keypair_generate()
    settings.ZHENGWU_LEDGER_WITNESSES = f"衡阳市电子监察={public.hex()}"
    _fill(3)
    row = services.checkpoint_sign()
    text = services.checkpoint_text(row.size, row.root, services.rfc3339(row.time))
    client = Client()
    url = f"{API}/checkpoints/3/cosignatures"
    forged = client.post(url, {"public_key": public.hex(), "signature": sm2.sign(
        private, public, text + b"x").hex()}, content_type="application/json")
    assert forged.status_code == 422 and forged.json()["code"] == "ledger.cosignature_invalid"
    other_private, other_public = sm2.keypair_generate()
    stranger = client.post(url, {"public_key": other_public.hex(), "signature": sm2.sign(
        other_private, other_public, text).hex()}, content_type="application/json")
    assert stranger.status_code == 403
    made = client.post(url, {"public_key": public.hex(),
                             "signature": sm2.sign(private, public, text).hex()},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["witness"] == "衡阳市电子监察"
    head = client.get(f"{API}/checkpoint").json()
    assert head["cosignatures"] == [{"witness": "衡阳市电子监察", "key_id": key_id(public),
                                     "signature": made.json()["signature"]}]
    assert "透明日志完整" in _verify()


def test_the_public_page_lists_entries_and_says_how_to_check_them(db: Any) -> None:
    empty = Client().get("/ledger/").content.decode()
    assert "尚未签发检查点" in empty and "日志中还没有条目" in empty
    services.ledger_append(kind="credit.record", data={"case": "43048120250926000001"})
    services.checkpoint_sign()
    page = Client().get("/ledger/").content.decode()
    assert "失信记录" in page and "43048120250926000001" in page
    assert "/api/v1/ledger/entries/0" in page and "如何核验" in page
