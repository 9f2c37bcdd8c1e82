"""The backup and restore drill (quality.md #19, docs/deploy.md): `zhengwu backup` while the
platform runs, `zhengwu restore` into an empty data dir, and the restored platform has the
same cases, the same files and the same audit chain head, and passes `zhengwu audit-verify`.

The backup reads the database through its own connection, so what it copies must be
committed: this test commits for real (transaction=True) and builds its own small world.
The restore and the verification run as the real command line, in a fresh data dir.
"""

import os
import secrets
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from config.env import BASE_DIR
from zhengwu.accounts.models import UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, role_groups_ensure, user_create
from zhengwu.cases.models import Case, CaseAccess, CaseMaterial, MaterialKind
from zhengwu.cases.services import (
    MaterialIn,
    MoveIn,
    case_access_record,
    case_submit,
    case_transition,
)
from zhengwu.catalog.models import ItemImplementation, Material, ServiceItem
from zhengwu.core.backup import BackupError, backup_create, backup_restore
from zhengwu.core.codes import make_uscc
from zhengwu.core.models import AuditChainHead
from zhengwu.departments.models import Department
from zhengwu.licences.services import department_keys_ensure
from zhengwu.regions.models import Region

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="the SQLite drill; the PostgreSQL drill "
                                 "(pg_dump/pg_restore) is test_the_drill_on_postgresql")
postgres_only = pytest.mark.skipif(ON_SQLITE, reason="the PostgreSQL drill runs in CI's "
                                   "PostgreSQL pass (.ci/postgres.sh); the SQLite drill is above")
ROOT = BASE_DIR
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def live_case():
    role_groups_ensure()
    county, _ = Region.objects.get_or_create(code="430481000000", defaults={
        "name": "耒阳市", "level": "county", "prefix": "430481"})
    department = Department.objects.create(
        name="耒阳市备份演练局", short_name="演练局", uscc=make_uscc("1", "1", "430481", "MB4890T2"),
        region=county)
    department_keys_ensure([department])  # its notices are signed (issue 11 item 9)
    item = ServiceItem.objects.create(basic_code="430199999001", name="演练许可", item_type="01",
                                      audience=["1"], legal_basis="《演练条例》")
    impl = ItemImplementation.objects.create(
        item=item, code=department.uscc + "4" + item.basic_code, department=department,
        region=county, level=4, status="published", version=1,
        promised_limit_workdays=Decimal(5), legal_limit_workdays=Decimal(20), online_depth=4,
        trips=0, approval_chain=["批准"])
    Material.objects.create(implementation=impl, position=1, name="营业执照")
    applicant = user_create(username="drill-a", password="x-demo-2026-x", kind=UserKind.PERSON,
                            phone="13900000011", display_name="张三",
                            citizen_id="430481198808081015")
    clerk = user_create(username="drill-c", password="x-demo-2026-x", kind=UserKind.STAFF)
    role_assign(user=clerk, role=Role.WINDOW_CLERK, region=county)
    case = case_submit(implementation_id=impl.pk, submitted_by=applicant, form_data={
        "applicant_name": "张三", "id_number": "430481198808081015", "phone": "13900000011"},
        materials=[MaterialIn(name="营业执照", kind=MaterialKind.UPLOAD, file_name="licence.pdf",
                              content=PDF)]).case
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    case_access_record(case=case, user=clerk, purpose="查看办件")
    return case


def zhengwu(data_dir, *args, database_url=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZHENGWU_", "DATABASE_URL", "DJANGO_"))}
    env.update(ZHENGWU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings.dev")
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "config.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_data_dir_gives_the_same_platform(live_case, tmp_path):
    manifest = backup_create(tmp_path / "backup")
    key = Path(settings.ZHENGWU_AUDIT_KEY_FILE).name
    assert not (tmp_path / "backup" / "keys" / key).exists()  # not unless asked
    assert list((tmp_path / "backup" / "keys").glob("*.pub"))
    material = CaseMaterial.objects.get(case=live_case)

    restored = tmp_path / "restored"
    done = zhengwu(restored, "restore", str(tmp_path / "backup"))
    assert done.returncode == 0, done.stderr
    verified = zhengwu(restored, "audit-verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "审计链完整" in verified.stdout
    assert "签名检查点 #" in verified.stdout

    with sqlite3.connect(restored / "zhengwu.sqlite3") as db:
        cases = db.execute("SELECT COUNT(*) FROM cases_case").fetchone()[0]
        accesses = db.execute("SELECT COUNT(*) FROM cases_caseaccess").fetchone()[0]
        heads = dict(db.execute("SELECT stream, hash FROM core_auditchainhead").fetchall())
    db.close()
    assert cases == Case.objects.count() == manifest["counts"]["cases_case"] >= 1
    assert accesses == CaseAccess.objects.count()
    assert heads == dict(AuditChainHead.objects.values_list("stream", "hash"))
    assert (restored / "uploads" / material.file.name).read_bytes() == PDF
    source_files = {str(p.relative_to(settings.MEDIA_ROOT))
                    for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    assert source_files <= {str(p.relative_to(restored / "uploads"))
                            for p in (restored / "uploads").rglob("*") if p.is_file()}

    again = zhengwu(restored, "restore", str(tmp_path / "backup"))
    assert again.returncode != 0
    assert "数据目录不是空的" in again.stderr


    # The live database is not empty: restoring over it is refused and changes nothing.
    with pytest.raises(BackupError, match="数据目录不是空的"):
        backup_restore(tmp_path / "backup")
    assert Case.objects.filter(pk=live_case.pk).exists()
    backup_create(tmp_path / "with-secrets", include_secrets=True)
    assert (tmp_path / "with-secrets" / "keys" / key).exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_drill_on_postgresql(live_case, tmp_path):
    """pg_dump -Fc of the live database, pg_restore into a new, empty database on the same
    server: the same cases, staff reads, audit heads and files, and audit-verify passes."""
    import psycopg
    from django.db import connection

    manifest = backup_create(tmp_path / "backup")
    assert manifest["engine"] == "postgresql"
    material = CaseMaterial.objects.get(case=live_case)
    live = connection.settings_dict
    name = f"zhengwu_drill_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = (f"postgres://{live['USER']}:{live['PASSWORD'] or ''}@{live['HOST']}:{live['PORT']}"
           f"/{name}")
    restored = tmp_path / "restored"
    try:
        done = zhengwu(restored, "restore", str(tmp_path / "backup"), database_url=url)
        assert done.returncode == 0, done.stderr
        verified = zhengwu(restored, "audit-verify", database_url=url)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "审计链完整" in verified.stdout
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
            cases = db.execute("SELECT COUNT(*) FROM cases_case").fetchone()[0]
            accesses = db.execute("SELECT COUNT(*) FROM cases_caseaccess").fetchone()[0]
            heads = dict(db.execute("SELECT stream, hash FROM core_auditchainhead").fetchall())
        assert cases == Case.objects.count() == manifest["counts"]["cases_case"] >= 1
        assert accesses == CaseAccess.objects.count()
        assert heads == dict(AuditChainHead.objects.values_list("stream", "hash"))
        assert (restored / "uploads" / material.file.name).read_bytes() == PDF
        again = zhengwu(restored, "restore", str(tmp_path / "backup"), database_url=url)
        assert again.returncode != 0
        assert "数据目录不是空的" in again.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("x")
    with pytest.raises(BackupError, match="不是空的"):
        backup_create(tmp_path / "x")


def test_a_missing_or_failing_pg_tool_is_a_clear_error_not_a_traceback():
    from zhengwu.core.backup import _pg_tool

    with pytest.raises(BackupError, match="找不到 pg_dump-absent") as missing:
        _pg_tool(["pg_dump-absent", "--version"], dict(os.environ))
    assert missing.value.code == "backup.pg_tool_missing"
    with pytest.raises(BackupError, match="退出码 3") as failed:
        _pg_tool(["sh", "-c", "echo 'pg_dump: error: connection refused' >&2; exit 3"],
                 dict(os.environ))
    assert "connection refused" in failed.value.message
