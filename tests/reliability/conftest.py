"""Fixtures of the reliability tests: a copy of the session's database for a real server."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.reliability.server import ROOT, server_env

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


@pytest.fixture(scope="session")
def prepared_sqlite(django_db_setup: None, django_db_blocker: Any,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the migrated schema and the pack, copied once from the test database
    (SQLite's online backup: only committed data, i.e. the pack loaded at session start)."""
    template = tmp_path_factory.mktemp("prepared") / "zhengwu.sqlite3"
    if ON_SQLITE:
        with django_db_blocker.unblock():
            name = connection.settings_dict["NAME"]
        source, target = sqlite3.connect(name), sqlite3.connect(template)
        with target:
            source.backup(target)
        source.close()
        loaded = target.execute("SELECT count(*) FROM catalog_itemimplementation").fetchone()[0]
        target.close()
        if loaded:
            return template
        template.unlink()
    # Another test flushed the database (or it is not SQLite): build the file from scratch.
    env = server_env(template.parent)
    for args in (["migrate", "--noinput", "-v0"], ["load-pack", settings.ZHENGWU_DEFAULT_PACK]):
        subprocess.run([sys.executable, "-m", "config.cli", *args], env=env, cwd=ROOT,
                       check=True, capture_output=True, timeout=600)
    return template


@pytest.fixture
def sqlite_data_dir(prepared_sqlite: Path, tmp_path: Path) -> Path:
    """A data dir of its own for one server, holding a copy of the prepared database."""
    source, target = sqlite3.connect(prepared_sqlite), sqlite3.connect(tmp_path / "zhengwu.sqlite3")
    with target:
        source.backup(target)
    source.close()
    target.close()
    signing_keys_copy(tmp_path)
    return tmp_path


def signing_keys_copy(data_dir: Path) -> None:
    """The departments' signing keys beside the copied database: every notice is signed
    (issue 11 item 9), and the pack's keys are files of the session, not rows."""
    keys = Path(settings.ZHENGWU_LICENCE_KEY_DIR)
    target = data_dir / "keys" / "licences"
    if keys.is_dir() and not target.exists():
        shutil.copytree(keys, target)  # modes kept: 0600 files in a 0700 folder
