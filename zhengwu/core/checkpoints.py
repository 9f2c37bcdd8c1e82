"""Seals and signed checkpoints: tampering with the audit trail is detectable by whoever holds
the database but not the signing key (quality.md #7, ADR 0010).

- **Seal.** Journals written outside the chain for speed (timeline events, staff-read logs:
  every concrete `core.models.SealedRecord`) are hashed into the chain in bulk: one
  `audit.seal` row in the stream `seal` lists, per model, the ids it covers (as ranges), their
  count and SM3 over their canonical rows. The write paths pay nothing (no statement added);
  a row is protected from the first checkpoint after it was written.
- **Checkpoint.** After sealing, the head of every stream (stream, seq, hash, time) is signed
  with SM2 (core.sm2) by a signer whose private key is outside the database (FileSigner: a key
  file under the data dir's keys/, mode 0600; a remote signer can replace it through
  ZHENGWU_AUDIT_SIGNER) and appended as one JSON line to a file under the data dir (backups
  copy it; `zhengwu audit-export` hands a copy to an auditor). Each line also carries the SM3
  of the line before it, so lines cannot be dropped from the middle unnoticed.
- **Verify.** `audit_verify` (core.audit) adds to its chain walk: every sealed row still hashes
  to its seal, and every checkpoint's signature holds and its heads are still in the chain with
  the same hash. An edited or deleted row, a truncated tail with its head rewound and a chain
  re-hashed from the start all fail one of these, as long as they touch what a checkpoint
  covers; what was written since the last checkpoint is protected only by the chain itself.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from zhengwu.core import sm2
from zhengwu.core.audit import GENESIS, SYSTEM, ChainProblem, audit_record, head_lock
from zhengwu.core.models import AuditChainHead, AuditEvent, SealedRecord

SEAL_STREAM = "seal"
SEAL_ACTION = "audit.seal"
CHECKPOINT = "checkpoint"  # the `stream` of a ChainProblem about the checkpoint file itself
_UPDATE_CHUNK = 500


# --- sealing the journals --------------------------------------------------------------------


def sealed_models() -> list[type[SealedRecord]]:
    """Every concrete journal that the seal covers, in a fixed order."""
    found = [m for m in apps.get_models() if issubclass(m, SealedRecord)]
    return sorted(found, key=lambda m: m._meta.label)


def _fields(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname != "audit_seal"]


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return str(value)


def _row_line(row: dict[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_default).encode("utf-8") + b"\n"


def _ranges(ids: list[int]) -> list[list[int]]:
    """[1, 2, 3, 7, 8] → [[1, 3], [7, 8]]: what a seal stores instead of every id."""
    spans: list[list[int]] = []
    for pk in ids:
        if spans and pk == spans[-1][1] + 1:
            spans[-1][1] = pk
        else:
            spans.append([pk, pk])
    return spans


def audit_seal_pending() -> AuditEvent | None:
    """Hash every journal row not yet sealed into one `audit.seal` row; None if there were
    none. The seal stream's head is locked first, so concurrent seals take turns and a row is
    sealed once."""
    with transaction.atomic():
        head_lock(SEAL_STREAM)
        covers: dict[str, dict[str, Any]] = {}
        ids_of: dict[type[SealedRecord], list[int]] = {}
        for model in sealed_models():
            pk_name = model._meta.pk.attname
            rows = model._default_manager.filter(audit_seal=None).order_by(pk_name).values(
                *_fields(model))
            digest, ids = hashlib.new("sm3"), []
            for row in rows.iterator(chunk_size=2000):
                digest.update(_row_line(row))
                ids.append(row[pk_name])
            if ids:
                ids_of[model] = ids
                covers[model._meta.label] = {"ids": _ranges(ids), "count": len(ids),
                                             "sm3": digest.hexdigest()}
        if not covers:
            return None
        total = sum(c["count"] for c in covers.values())
        event = audit_record(actor=SYSTEM, action=SEAL_ACTION, stream=SEAL_STREAM,
                             object_type="core.AuditSeal",
                             object_repr=f"封存时间线与查阅记录 {total} 条",
                             after={"sealed": covers})
        for model, ids in ids_of.items():
            for start in range(0, len(ids), _UPDATE_CHUNK):
                model._default_manager.filter(pk__in=ids[start:start + _UPDATE_CHUNK]).update(
                    audit_seal=event.seq)
        return event


def seals_verify() -> list[ChainProblem]:
    """Every sealed row must still be there and hash as it did when sealed; a row marked
    sealed that no seal lists was slipped in afterwards."""
    seals = list(AuditEvent.objects.filter(stream=SEAL_STREAM, action=SEAL_ACTION)
                 .order_by("seq").values_list("seq", "after"))
    problems: list[ChainProblem] = []
    for model in sealed_models():
        label, name = model._meta.label, str(model._meta.verbose_name)
        spans: list[tuple[int, int, int]] = []
        expected: dict[int, tuple[int, str]] = {}
        for seq, after in seals:
            entry = ((after or {}).get("sealed") or {}).get(label)
            if not entry:
                continue
            expected[seq] = (int(entry["count"]), str(entry["sm3"]))
            spans += [(int(a), int(b), seq) for a, b in entry["ids"]]
        spans.sort()
        starts = [span[0] for span in spans]
        digests: dict[int, Any] = {}
        counts: dict[int, int] = {}
        pk_name = model._meta.pk.attname
        rows = model._default_manager.order_by(pk_name).values(*_fields(model), "audit_seal")
        for row in rows.iterator(chunk_size=2000):
            marked = row.pop("audit_seal")
            pk = row[pk_name]
            at = bisect.bisect_right(starts, pk) - 1
            if at >= 0 and spans[at][0] <= pk <= spans[at][1]:
                seq = spans[at][2]
                digests.setdefault(seq, hashlib.new("sm3")).update(_row_line(row))
                counts[seq] = counts.get(seq, 0) + 1
            elif marked is not None:
                problems.append(ChainProblem(SEAL_STREAM, int(marked),
                                             f"{name} #{pk} 标记为已封存，却不在任何封存记录中（事后插入）"))
        for seq, (count, digest) in expected.items():
            present = counts.get(seq, 0)
            if present != count:
                problems.append(ChainProblem(SEAL_STREAM, seq,
                                             f"{name}：封存了 {count} 条，现存 {present} 条（记录被删除）"))
            elif digests[seq].hexdigest() != digest:
                problems.append(ChainProblem(SEAL_STREAM, seq, f"{name}：封存的记录内容被修改"))
    return problems


def unsealed_count() -> int:
    return sum(m._default_manager.filter(audit_seal=None).count() for m in sealed_models())


# --- the signer ------------------------------------------------------------------------------


class Signer(Protocol):
    """Who signs checkpoints. A remote signer (an HSM, a 签名服务器) implements these two
    methods and is named by ZHENGWU_AUDIT_SIGNER; the private key never enters this process."""

    def public_key(self) -> bytes:
        """The SM2 public key, 64 bytes x ‖ y."""

    def sign(self, message: bytes) -> bytes:
        """SM2-with-SM3 signature of `message` with the default ID, DER-encoded."""


def key_id(public_key: bytes) -> str:
    return sm2.sm3(public_key).hex()[:16]


class FileSigner:
    """The private key in a file outside the database (ZHENGWU_AUDIT_KEY_FILE, default
    <data dir>/keys/audit-sm2.key), made on first use with mode 0600; its public half is
    written beside it as <name>.pub. A key made while an older .pub is there (a data dir
    restored without its key) keeps the older one as <name>-<key id>.pub, still trusted."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path or settings.ZHENGWU_AUDIT_KEY_FILE)
        self._loaded: tuple[bytes, bytes] | None = None

    @property
    def public_path(self) -> Path:
        return self.path.with_suffix(".pub")

    def existing_public_key(self) -> bytes | None:
        pair = self._read()
        return pair[1] if pair else None

    def public_key(self) -> bytes:
        return self._pair()[1]

    def sign(self, message: bytes) -> bytes:
        private, public = self._pair()
        return sm2.sign(private, public, message)

    def _read(self) -> tuple[bytes, bytes] | None:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        fields = dict(line.split("=", 1) for line in text.split() if "=" in line)
        private = bytes.fromhex(fields.get("private", ""))
        public = sm2.public_key_of(private)
        if fields.get("public") and bytes.fromhex(fields["public"]) != public:
            raise sm2.InvalidKey(f"{self.path}：公钥与私钥不匹配")
        return private, public

    def _pair(self) -> tuple[bytes, bytes]:
        if self._loaded is None:  # d·G in pure Python costs milliseconds: once per signer
            self._loaded = self._read() or self._create()
        return self._loaded

    def _create(self) -> tuple[bytes, bytes]:
        private, public = sm2.keypair_generate()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pair = self._read()
            assert pair is not None
            return pair
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write("# Zhengwu audit checkpoint signing key (SM2). Keep it out of the database"
                      " and out of ordinary backups.\n"
                      f"private={private.hex()}\npublic={public.hex()}\n")
        old = _read_public(self.public_path)
        if old is not None and old != public:
            self.public_path.rename(self.path.with_name(
                f"{self.path.stem}-{key_id(old)}.pub"))
        self.public_path.write_text(public.hex() + "\n", encoding="ascii")
        return private, public


def _read_public(path: Path) -> bytes | None:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None
    return key if len(key) == 64 and sm2.on_curve(key) else None


def signer_get() -> Signer:
    signer: Signer = import_string(settings.ZHENGWU_AUDIT_SIGNER)()
    return signer


def trusted_public_keys(public_keys: list[str] | None = None) -> dict[str, bytes]:
    """The keys checkpoints are verified with, by key id: those given (or pinned in
    ZHENGWU_AUDIT_PUBLIC_KEYS) alone; else the signer's and every .pub in the key folder."""
    pinned = public_keys if public_keys is not None else settings.ZHENGWU_AUDIT_PUBLIC_KEYS
    keys: list[bytes] = []
    if pinned:
        keys = [bytes.fromhex(k.strip()) for k in pinned if k.strip()]
    else:
        signer = signer_get()
        existing = getattr(signer, "existing_public_key", None)
        current = existing() if callable(existing) else signer.public_key()
        if current:
            keys.append(current)
        folder = Path(settings.ZHENGWU_AUDIT_KEY_FILE).parent
        keys += [k for k in map(_read_public, sorted(folder.glob("*.pub"))) if k]
    return {key_id(k): k for k in keys if len(k) == 64 and sm2.on_curve(k)}


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    body: dict[str, Any]
    raw: bytes

    @property
    def number(self) -> int:
        return int(self.body.get("n", 0))

    @property
    def signed_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.body["signed_at"])

    @property
    def heads(self) -> list[dict[str, Any]]:
        return list(self.body.get("heads", []))


def checkpoints_path(path: str | Path | None = None) -> Path:
    return Path(path or settings.ZHENGWU_AUDIT_CHECKPOINTS)


def _canonical(body: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in body.items() if k != "sig"}
    return json.dumps(unsigned, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def chain_heads() -> list[dict[str, Any]]:
    """(stream, seq, hash, time of that row) of every stream with at least one row."""
    heads = [h for h in AuditChainHead.objects.order_by("stream") if h.seq > 0]
    condition = models.Q(pk__in=[])
    for head in heads:
        condition |= models.Q(stream=head.stream, seq=head.seq)
    at = {(s, q): t for s, q, t in AuditEvent.objects.filter(condition)
          .values_list("stream", "seq", "at")}
    return [{"stream": h.stream, "seq": h.seq, "hash": h.hash,
             "at": _json_default(at[(h.stream, h.seq)]) if (h.stream, h.seq) in at else None}
            for h in heads]


def _lines(path: Path) -> list[bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return [line for line in data.split(b"\n") if line.strip()]


def checkpoint_last(path: str | Path | None = None) -> Checkpoint | None:
    """The newest checkpoint in the file (read from its end), or None."""
    target = checkpoints_path(path)
    try:
        with target.open("rb") as source:
            source.seek(0, os.SEEK_END)
            end, block, tail = source.tell(), 4096, b""
            while end > 0 and tail.strip().count(b"\n") < 1:
                start = max(0, end - block)
                source.seek(start)
                tail = source.read(end - start) + tail
                end = start
    except FileNotFoundError:
        return None
    lines = [line for line in tail.split(b"\n") if line.strip()]
    if not lines:
        return None
    return Checkpoint(json.loads(lines[-1]), lines[-1])


@contextlib.contextmanager
def _appending(path: Path) -> Iterator[int]:
    """The file opened for appending and locked against other writers on this host."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def checkpoint_write(*, path: str | Path | None = None, force: bool = False) -> Checkpoint | None:
    """Seal what is pending, sign the heads of every stream and append the checkpoint.
    Nothing is written when nothing changed since the last one, unless `force`."""
    target = checkpoints_path(path)
    with _appending(target) as fd:
        audit_seal_pending()
        heads = chain_heads()
        last = checkpoint_last(target)
        if heads == (last.heads if last else []) and not force:
            return None  # nothing new (or still nothing at all) to sign
        signer = signer_get()
        body: dict[str, Any] = {
            "v": 1, "n": (last.number if last else 0) + 1,
            "signed_at": timezone.now().astimezone(dt.UTC).isoformat(),
            "heads": heads, "prev": sm2.sm3(last.raw).hex() if last else GENESIS,
            "key_id": key_id(signer.public_key()),
        }
        body["sig"] = signer.sign(_canonical(body)).hex()
        line = json.dumps(body, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode("utf-8")
        os.write(fd, line + b"\n")
        os.fsync(fd)
        return Checkpoint(body, line)


def checkpoint_due(now: dt.datetime | None = None) -> str:
    """The periodic sweep: a checkpoint when the last is older than
    ZHENGWU_AUDIT_CHECKPOINT_SECONDS (wall-clock time: a frozen demo clock does not stop it)."""
    last = checkpoint_last()
    interval = dt.timedelta(seconds=settings.ZHENGWU_AUDIT_CHECKPOINT_SECONDS)
    if last is not None and timezone.now() - last.signed_at < interval:
        return f"上一个签名检查点 #{last.number} 未到间隔"
    written = checkpoint_write()
    if written is None:
        return "审计链无变化，未写检查点"
    return f"签名检查点 #{written.number}：" + "，".join(
        f"{h['stream']}@{h['seq']}" for h in written.heads)


def checkpoints_verify(*, path: str | Path | None = None,
                       public_keys: list[str] | None = None) -> list[ChainProblem]:
    """Each line's signature with a trusted key and its link to the line before; then every
    signed head must still be in the chain with the same hash."""
    lines = _lines(checkpoints_path(path))
    problems: list[ChainProblem] = []
    if not lines:
        if AuditEvent.objects.filter(stream=SEAL_STREAM).exists():
            problems.append(ChainProblem(CHECKPOINT, 0,
                                         "库中有封存记录，却找不到签名检查点文件（被删除或未随数据恢复）"))
        return problems
    trusted = trusted_public_keys(public_keys)
    if not trusted:
        return [ChainProblem(CHECKPOINT, 0, "没有可用于验签的公钥（ZHENGWU_AUDIT_PUBLIC_KEYS 或密钥目录）")]
    signed: list[Checkpoint] = []
    previous: bytes | None = None
    for number, raw in enumerate(lines, start=1):
        try:
            body = json.loads(raw)
            signature = bytes.fromhex(body["sig"])
        except (ValueError, KeyError, TypeError):
            problems.append(ChainProblem(CHECKPOINT, number, f"第 {number} 行不是有效的检查点"))
            previous = raw
            continue
        expected_prev = sm2.sm3(previous).hex() if previous is not None else GENESIS
        if body.get("prev") != expected_prev or body.get("n") != number:
            problems.append(ChainProblem(CHECKPOINT, number,
                                         f"检查点文件不连续：第 {number} 行之前有行被删除、插入或改动"))
        key = trusted.get(str(body.get("key_id")))
        if key is None:
            problems.append(ChainProblem(CHECKPOINT, number, f"检查点 #{number} 的签名公钥不受信任"))
        elif not sm2.verify(key, _canonical(body), signature):
            problems.append(ChainProblem(CHECKPOINT, number, f"检查点 #{number} 的签名无效（内容被改动）"))
        else:
            signed.append(Checkpoint(body, raw))
        previous = raw
    return problems + _heads_verify(signed)


def _heads_verify(signed: list[Checkpoint]) -> list[ChainProblem]:
    """Per stream, the first signed head that no longer matches (from there on the chain was
    rewritten or cut), and how many later checkpoints disagree too."""
    wanted: dict[str, dict[int, tuple[str, int]]] = {}
    for checkpoint in signed:
        for head in checkpoint.heads:
            wanted.setdefault(head["stream"], {})[int(head["seq"])] = (
                str(head["hash"]), checkpoint.number)
    db_heads = dict(AuditChainHead.objects.values_list("stream", "seq"))
    problems: list[ChainProblem] = []
    for stream, by_seq in sorted(wanted.items()):
        seqs = sorted(by_seq)
        found: dict[int, str] = {}
        for start in range(0, len(seqs), _UPDATE_CHUNK):
            found.update(AuditEvent.objects.filter(
                stream=stream, seq__in=seqs[start:start + _UPDATE_CHUNK]).values_list(
                "seq", "hash"))
        bad = [seq for seq in seqs if found.get(seq) != by_seq[seq][0]]
        if not bad:
            continue
        first = bad[0]
        more = f"（其后另有 {len(bad) - 1} 个检查点不符）" if len(bad) > 1 else ""
        number = by_seq[first][1]
        if first not in found:
            reason = (f"签名检查点 #{number} 记录到第 {first} 条，库中已没有这一条（链尾被截断，"
                      f"现链头为第 {db_heads.get(stream, 0)} 条）{more}")
        else:
            reason = f"第 {first} 条的哈希与签名检查点 #{number} 不符（链被改写或重算）{more}"
        problems.append(ChainProblem(stream, first, reason))
    return problems


def checkpoints_export(destination: str | Path) -> list[Path]:
    """Copy the checkpoint file and the trusted public keys into a folder for an auditor."""
    folder = Path(destination)
    folder.mkdir(parents=True, exist_ok=True)
    source = checkpoints_path()
    written = []
    target = folder / source.name
    target.write_bytes(source.read_bytes() if source.exists() else b"")
    written.append(target)
    for kid, key in trusted_public_keys().items():
        pub = folder / f"audit-sm2-{kid}.pub"
        pub.write_text(key.hex() + "\n", encoding="ascii")
        written.append(pub)
    return written
