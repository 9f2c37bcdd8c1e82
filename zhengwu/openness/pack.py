"""Loading a pack's openness/ folder (docs/pack-format.md): the 政务新媒体 register
(openness/new_media.csv), each account with its last inspection.

The file is optional. Accounts are upserted by platform and name, and an inspection is added
only when the account has none on that day, so loading twice changes nothing. The
`illustrative` column marks demo accounts (shown as 示例 on the public list). A bad row refuses
the whole file with its line number; the caller (packs.loader) runs this inside the pack's
one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.utils import timezone

from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department
from zhengwu.openness.models import AccountStatus, NewMediaAccount, NewMediaInspection, Platform
from zhengwu.openness.new_media import MAX_INTERVAL_DAYS, OFFICE_PHONE


class OpennessPackError(InvalidInput):
    code = "packs.invalid"


def _date(value: str, where: str, column: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise OpennessPackError(f"{where}：{column} 应为 YYYY-MM-DD 日期，收到“{value[:20]}”"
                                ) from None


def new_media_load(pack: Path, *, actor: Actor) -> int:
    """Load openness/new_media.csv if the pack has it; returns the accounts created or
    changed (one audit row when any)."""
    path = pack / "openness" / "new_media.csv"
    if not path.exists():
        return 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [{k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle)]
    departments = {d.short_name: d for d in Department.objects.all()}
    changed = 0
    for n, row in enumerate(rows, start=2):
        where = f"openness/new_media.csv 第{n}行"
        if row.get("platform") not in Platform.values:
            raise OpennessPackError(f"{where}：platform 应为 {'/'.join(Platform.values)}")
        if row.get("status") not in AccountStatus.values:
            raise OpennessPackError(f"{where}：status 应为 {'/'.join(AccountStatus.values)}")
        department = departments.get(row.get("department", ""))
        if department is None:
            raise OpennessPackError(f"{where}：没有部门“{row.get('department', '')[:30]}”")
        if not row.get("name") or not row.get("responsible"):
            raise OpennessPackError(f"{where}：name 和 responsible 必填")
        if not OFFICE_PHONE.match(row.get("office_phone", "")):
            raise OpennessPackError(f"{where}：office_phone 应为办公固定电话")
        registered = _date(row.get("registered_on", ""), where, "registered_on")
        closed = _date(row.get("closed_on", ""), where, "closed_on")
        inspected = _date(row.get("last_inspected_on", ""), where, "last_inspected_on")
        seen = _date(row.get("last_update_seen", ""), where, "last_update_seen")
        if registered is None:
            raise OpennessPackError(f"{where}：registered_on 必填")
        if (closed is None) != (row["status"] != AccountStatus.CLOSED):
            raise OpennessPackError(f"{where}：关停（closed）的账号须有 closed_on，其他不填")
        if (inspected is None) != (seen is None) or (
                inspected is not None and seen is not None and seen > inspected):
            raise OpennessPackError(f"{where}：last_inspected_on 与 last_update_seen 须同时填写，"
                                    "且更新日期不晚于检查日期")
        interval = int(row.get("inspection_interval_days") or 30)
        if not 1 <= interval <= MAX_INTERVAL_DAYS:
            raise OpennessPackError(f"{where}：inspection_interval_days 应为1至{MAX_INTERVAL_DAYS}")
        broken = int(row.get("broken_links") or 0)
        values = {"handle": row.get("handle", ""), "department": department,
                  "responsible": row["responsible"], "office_phone": row["office_phone"],
                  "status": row["status"], "closed_on": closed,
                  "status_reason": row.get("status_reason", "")[:200],
                  "registered_on": registered, "inspection_interval_days": interval,
                  "illustrative": row.get("illustrative", "").lower() == "yes"}
        account, created = NewMediaAccount.objects.get_or_create(
            platform=row["platform"], name=row["name"], defaults=values)
        dirty = [key for key, value in values.items() if getattr(account, key) != value]
        if dirty and not created:
            for key in dirty:
                setattr(account, key, values[key])
            account.save(update_fields=dirty)
        if inspected is not None and seen is not None and not account.inspections.filter(
                inspected_on=inspected).exists():
            NewMediaInspection.objects.create(
                account=account, inspected_on=inspected, last_update_seen=seen,
                broken_links=broken, broken_links_text=row.get("broken_links_text", ""),
                notes="数据包导入（示例）" if values["illustrative"] else "数据包导入",
                created_at=timezone.now())
            if account.last_inspected_on is None or inspected >= account.last_inspected_on:
                account.last_inspected_on, account.last_update_seen = inspected, seen
                account.broken_links = broken
                account.save(update_fields=["last_inspected_on", "last_update_seen",
                                            "broken_links"])
            dirty.append("inspection")
        changed += bool(created or dirty)
    if changed:
        audit_record(actor=actor, action="openness.new_media.load",
                     object_type="openness.NewMediaAccount", object_repr="政务新媒体名录",
                     after={"accounts": changed})
    return changed
