"""Backup and restore of one Zhengwu installation (quality.md #19, docs/deploy.md).

A backup is a folder:

    manifest.json           what was copied: engine, row counts per table, audit chain heads
    zhengwu.sqlite3         SQLite's online backup API (a consistent copy while the platform
                            runs) — or zhengwu.pgdump (pg_dump -Fc) on PostgreSQL
    uploads/                the applicants' files (MEDIA_ROOT)
    audit/checkpoints.jsonl the signed audit checkpoints (ADR 0010)
    keys/*.pub              the public keys that verify them
    keys/audit-sm2.key, secret_key   only with --include-secrets

The order is what makes the copy consistent without stopping the platform: first a fresh
checkpoint, then the checkpoint file (so every checkpoint in the backup covers at most what
the database copy holds), then the database, then the uploads (so every file the database
copy refers to is there). The signing key stays out by default: whoever holds a backup
should not be able to sign checkpoints; keep the key in escrow instead.

A restore goes into an empty data dir (no tables, no uploads, no checkpoints) unless forced.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from zhengwu.core import checkpoints
from zhengwu.core.errors import DomainError

FORMAT = 1
SQLITE_FILE = "zhengwu.sqlite3"
PG_FILE = "zhengwu.pgdump"
MANIFEST = "manifest.json"


class BackupError(DomainError):
    code = "backup"


def _tables() -> list[str]:
    return sorted({m._meta.db_table for m in apps.get_models() if m._meta.managed})


def _snapshot(cursor: Any) -> dict[str, Any]:
    """Row counts of every table and the audit heads, as read through `cursor`."""
    counts = {}
    for table in _tables():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 — names from the models
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT stream, seq, hash FROM core_auditchainhead ORDER BY stream")
    heads = [{"stream": s, "seq": q, "hash": h} for s, q, h in cursor.fetchall()]
    return {"counts": counts, "heads": heads}


def _files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _pg_env_args(settings_dict: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return env, args


def _pg_tool(argv: list[str], env: dict[str, str]) -> None:
    """Run pg_dump or pg_restore; a missing program or its failure is a BackupError with what
    it said, never a traceback."""
    try:
        subprocess.run(argv, env=env, check=True, capture_output=True,  # noqa: S603 — fixed program, argv from the settings, no shell
                       text=True)
    except FileNotFoundError as error:
        raise BackupError(f"找不到 {argv[0]}：请安装与数据库服务器同版本的 PostgreSQL 客户端。",
                          code="backup.pg_tool_missing") from error
    except subprocess.CalledProcessError as error:
        said = (error.stderr or "").strip().splitlines()[-3:]
        raise BackupError(f"{argv[0]} 失败（退出码 {error.returncode}）：" + " ".join(said),
                          code="backup.pg_tool_failed") from error


def backup_create(destination: str | Path, *, include_secrets: bool = False) -> dict[str, Any]:
    target = Path(destination)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空的。", code="backup.not_empty")
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # personal data: readable by the platform's user only

    checkpoints.checkpoint_write()
    (target / "audit").mkdir()
    source = checkpoints.checkpoints_path()
    if source.exists():
        shutil.copy2(source, target / "audit" / "checkpoints.jsonl")
    keys = target / "keys"
    keys.mkdir(mode=0o700)
    for key_id, public in checkpoints.trusted_public_keys().items():
        (keys / f"audit-sm2-{key_id}.pub").write_text(public.hex() + "\n", encoding="ascii")
    if include_secrets:
        key_file = Path(settings.ZHENGWU_AUDIT_KEY_FILE)
        if key_file.exists():
            shutil.copy2(key_file, keys / key_file.name)
        secret = Path(settings.DATA_DIR) / "secret_key"
        if secret.exists():
            shutil.copy2(secret, keys / "secret_key")

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = target / SQLITE_FILE
        with sqlite3.connect(settings_dict["NAME"]) as live, sqlite3.connect(copy) as out:
            live.backup(out)
        with sqlite3.connect(copy) as out:
            snapshot = _snapshot(out.cursor())
        out.close()
        live.close()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            snapshot = _snapshot(cursor)
        env, args = _pg_env_args(settings_dict)
        _pg_tool(["pg_dump", "-Fc", "--no-owner", "-f", str(target / PG_FILE), *args,
                  settings_dict["NAME"]], env)
    else:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库。", code="backup.engine")

    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.copytree(media, target / "uploads")
    else:
        (target / "uploads").mkdir()
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(),
                "engine": connection.vendor, "secrets_included": include_secrets,
                "files": _files(target / "uploads"), **snapshot}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return manifest


def _database_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore_problems() -> list[str]:
    """Why the current data dir is not empty (nothing = a restore may go ahead)."""
    found = []
    if not _database_empty():
        found.append("数据库已有数据表")
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(media.iterdir()):
        found.append(f"上传目录 {media} 不是空的")
    if checkpoints.checkpoints_path().exists():
        found.append(f"已有审计检查点文件 {checkpoints.checkpoints_path()}")
    return found


def backup_restore(source: str | Path, *, force: bool = False) -> dict[str, Any]:
    origin = Path(source)
    try:
        manifest: dict[str, Any] = json.loads((origin / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{origin} 不是 Zhengwu 备份（缺少 {MANIFEST}）。",
                          code="backup.invalid") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("备份格式版本不符。", code="backup.invalid")
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['engine']}，当前数据库是 {connection.vendor}。",
                          code="backup.engine")
    problems = restore_problems()
    if problems and not force:
        raise BackupError("数据目录不是空的：" + "；".join(problems) + "。确认覆盖请加 --force。",
                          code="backup.target_not_empty")

    settings_dict = dict(connection.settings_dict)
    connections.close_all()
    if manifest["engine"] == "sqlite":
        name = Path(settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        name.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(f"file:{origin / SQLITE_FILE}?mode=ro", uri=True) as copy, \
                sqlite3.connect(name) as live:
            copy.backup(live)
        copy.close()
        live.close()
    else:
        env, args = _pg_env_args(settings_dict)
        clean = ["--clean", "--if-exists"] if force else []
        _pg_tool(["pg_restore", "--no-owner", *clean, *args, "-d", settings_dict["NAME"],
                  str(origin / PG_FILE)], env)

    media = Path(settings.MEDIA_ROOT)
    if force and media.exists():
        shutil.rmtree(media)
    shutil.copytree(origin / "uploads", media, dirs_exist_ok=True)
    target = checkpoints.checkpoints_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    saved = origin / "audit" / "checkpoints.jsonl"
    if saved.exists():
        shutil.copy2(saved, target)
    key_file = Path(settings.ZHENGWU_AUDIT_KEY_FILE)
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for public in (origin / "keys").glob("*.pub"):
        shutil.copy2(public, key_file.parent / public.name)
    if (origin / "keys" / key_file.name).exists():
        shutil.copy2(origin / "keys" / key_file.name, key_file)
        key_file.chmod(0o600)
    if (origin / "keys" / "secret_key").exists():
        secret = Path(settings.DATA_DIR) / "secret_key"
        shutil.copy2(origin / "keys" / "secret_key", secret)
        secret.chmod(0o600)
    return manifest
