"""Signed checkpoints (quality.md #7, ADR 0010): someone who holds the database but not the
signing key cannot rewrite the audit chain unnoticed — not by re-hashing it with the
project's own functions, not by cutting its tail and rewinding the head.

Each tampering below passed `audit_verify` before checkpoints existed: the chain stayed
internally consistent.
"""

import io
import json
import os
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.core import checkpoints, sm2
from zhengwu.core.audit import GENESIS, SYSTEM, _canonical, audit_record, audit_verify, sm3_hex
from zhengwu.core.models import AuditChainHead, AuditEvent


def rechain(stream, from_seq):
    """What an insider with the database would do: recompute every hash from `from_seq` on
    with the project's own functions and move the head along."""
    prev = GENESIS if from_seq == 1 else AuditEvent.objects.get(stream=stream,
                                                                seq=from_seq - 1).hash
    last = None
    for event in AuditEvent.objects.filter(stream=stream, seq__gte=from_seq).order_by("seq"):
        event.prev_hash = prev
        event.hash = prev = sm3_hex(prev.encode() + _canonical(event))
        event.save(update_fields=["prev_hash", "hash"])
        last = event
    AuditChainHead.objects.filter(stream=stream).update(seq=last.seq, hash=last.hash)


@pytest.fixture
def signed(db):
    """The pack's trail under a signed checkpoint; returns the main stream's rows (pk, seq)."""
    rows = list(AuditEvent.objects.filter(stream="main").order_by("seq").values_list("pk", "seq"))
    assert len(rows) > 10
    written = checkpoints.checkpoint_write()
    assert written is not None
    assert audit_verify() == []
    return rows


def main_head_problem(problems):
    found = [p for p in problems if p.stream == "main"]
    assert found, problems
    return found[0]


# --- the four tamperings ---------------------------------------------------------------------


def test_an_edited_row_with_the_rest_of_the_chain_rehashed_is_detected(signed):
    pk, seq = signed[len(signed) // 2]
    AuditEvent.objects.filter(pk=pk).update(after={"status": "forged"})
    rechain("main", seq)
    assert audit_verify(stream="main") == []  # the chain walk alone: what passed before
    problem = main_head_problem(audit_verify())
    assert problem.seq == signed[-1][1]
    assert "哈希与签名检查点" in problem.reason


def test_a_deleted_middle_row_with_the_chain_renumbered_and_rehashed_is_detected(signed):
    pk, seq = signed[len(signed) // 2]
    AuditEvent.objects.filter(pk=pk).delete()
    for later_pk, later_seq in signed[len(signed) // 2 + 1:]:
        AuditEvent.objects.filter(pk=later_pk).update(seq=later_seq - 1)
    rechain("main", seq)
    assert audit_verify(stream="main") == []  # internally consistent again
    problem = main_head_problem(audit_verify())
    assert "链尾被截断" in problem.reason  # the signed head's seq no longer exists


def test_tail_truncation_with_the_head_rewound_is_detected(signed):
    kept_pk, kept_seq = signed[-4]
    AuditEvent.objects.filter(stream="main", seq__gt=kept_seq).delete()
    kept = AuditEvent.objects.get(pk=kept_pk)
    AuditChainHead.objects.filter(stream="main").update(seq=kept.seq, hash=kept.hash)
    assert audit_verify(stream="main") == []  # what audit-verify saw before checkpoints
    problem = main_head_problem(audit_verify())
    assert problem.seq == signed[-1][1]
    assert f"现链头为第 {kept_seq} 条" in problem.reason


def test_a_chain_rehashed_from_its_first_row_is_detected(signed):
    first_pk, _ = signed[0]
    AuditEvent.objects.filter(pk=first_pk).update(actor_label="别人")
    rechain("main", 1)
    assert audit_verify(stream="main") == []
    assert "哈希与签名检查点" in main_head_problem(audit_verify()).reason


# --- what stays valid ------------------------------------------------------------------------


def test_rows_appended_after_a_checkpoint_verify_and_the_next_checkpoint_covers_them(signed):
    from django.db import transaction

    with transaction.atomic():
        audit_record(actor=SYSTEM, action="test.after_checkpoint", object_type="x", object_id="1")
    assert audit_verify() == []
    assert checkpoints.checkpoint_write() is not None
    assert checkpoints.checkpoint_write() is None  # nothing new: no line
    assert len(Path(checkpoints.checkpoints_path()).read_bytes().splitlines()) == 2
    assert audit_verify() == []


def test_truncating_only_what_no_checkpoint_covers_is_not_detectable(signed):
    """The window of ADR 0010: rows since the last checkpoint are protected by the chain only."""
    from django.db import transaction

    with transaction.atomic():
        audit_record(actor=SYSTEM, action="test.after_checkpoint", object_type="x", object_id="1")
    newest = AuditEvent.objects.get(stream="main", seq=signed[-1][1] + 1)
    newest.delete()
    AuditChainHead.objects.filter(stream="main").update(
        seq=signed[-1][1], hash=AuditEvent.objects.get(pk=signed[-1][0]).hash)
    assert audit_verify() == []


# --- the checkpoint file itself --------------------------------------------------------------


def _rewrite(path, change):
    lines = Path(path).read_bytes().splitlines()
    lines = change(lines)
    Path(path).write_bytes(b"".join(line + b"\n" for line in lines))


def test_an_edited_checkpoint_fails_its_signature(signed):
    def forge(lines):
        body = json.loads(lines[-1])
        body["heads"][0]["seq"] -= 1
        return [*lines[:-1], json.dumps(body).encode()]

    _rewrite(checkpoints.checkpoints_path(), forge)
    assert any("签名无效" in p.reason for p in audit_verify())


def test_a_checkpoint_signed_with_another_key_is_not_trusted(signed, settings, tmp_path):
    (real,) = checkpoints.trusted_public_keys().values()
    settings.ZHENGWU_AUDIT_KEY_FILE = str(tmp_path / "forger" / "audit-sm2.key")
    forged = checkpoints.checkpoint_write(path=tmp_path / "forged.jsonl", force=True)
    assert forged is not None
    assert forged.body["key_id"] != checkpoints.key_id(real)
    problems = audit_verify(checkpoints=str(tmp_path / "forged.jsonl"), public_keys=[real.hex()])
    assert any("不受信任" in p.reason for p in problems)


def test_a_line_removed_from_the_middle_of_the_file_is_detected(signed):
    from django.db import transaction

    for n in range(2):
        with transaction.atomic():
            audit_record(actor=SYSTEM, action=f"test.more{n}", object_type="x", object_id="1")
        assert checkpoints.checkpoint_write() is not None
    _rewrite(checkpoints.checkpoints_path(), lambda lines: [lines[0], lines[2]])
    assert any("不连续" in p.reason for p in audit_verify())


# --- key, sweep and commands -----------------------------------------------------------------


def test_the_key_file_is_made_once_with_mode_600_and_its_public_half_beside_it(tmp_path):
    signer = checkpoints.FileSigner(tmp_path / "keys" / "audit-sm2.key")
    public = signer.public_key()
    assert stat.S_IMODE(os.stat(signer.path).st_mode) == 0o600
    assert signer.public_path.read_text().strip() == public.hex()
    assert checkpoints.FileSigner(signer.path).public_key() == public
    assert sm2.verify(public, b"x", signer.sign(b"x"))


def test_a_new_key_keeps_the_old_public_key_trusted(tmp_path):
    signer = checkpoints.FileSigner(tmp_path / "audit-sm2.key")
    old = signer.public_key()
    os.remove(signer.path)  # a data dir restored without its private key
    new = checkpoints.FileSigner(signer.path).public_key()
    assert new != old
    retired = tmp_path / f"audit-sm2-{checkpoints.key_id(old)}.pub"
    assert retired.read_text().strip() == old.hex()


def test_the_sweep_writes_a_checkpoint_when_due(db, settings):
    first = checkpoints.checkpoint_due()
    assert first.startswith("签名检查点 #1")
    assert "未到间隔" in checkpoints.checkpoint_due()
    settings.ZHENGWU_AUDIT_CHECKPOINT_SECONDS = 0
    assert "无变化" in checkpoints.checkpoint_due()


def test_the_sweep_is_registered():
    from zhengwu.core import sweeps

    assert "core.audit_checkpoint" in sweeps.SWEEPS


def test_commands_checkpoint_verify_and_export(db, tmp_path, capsys):
    call_command("audit_checkpoint")
    assert "签名检查点 #1" in capsys.readouterr().out
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "审计链完整" in out
    assert "检查点 #1" in out
    call_command("audit_export", str(tmp_path / "export"))
    exported = sorted(p.name for p in (tmp_path / "export").iterdir())
    assert "checkpoints.jsonl" in exported
    public = next(p for p in (tmp_path / "export").iterdir() if p.suffix == ".pub")
    call_command("audit_verify", "--checkpoints", str(tmp_path / "export" / "checkpoints.jsonl"),
                 "--public-key", public.read_text().strip())
    AuditChainHead.objects.filter(stream="main").update(seq=1)
    AuditEvent.objects.filter(stream="main", seq__gt=1).delete()
    with pytest.raises(CommandError, match="审计链校验失败"):
        call_command("audit_verify", stdout=io.StringIO())
