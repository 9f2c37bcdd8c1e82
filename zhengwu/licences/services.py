"""Writes of licences: issue, supersede (a corrected new version), suspend, reinstate, revoke,
expire. One transaction each, with the audit row (stream `licences`); a caller's transaction
(a case's decision, cases.licensing) is joined, so the licence and the decision commit or roll
back together (quality.md #3).

Issuing builds the credential (VC 2.0 shape, licences.credential), signs it with the issuing
department's key — `signer_get(<department USCC>)`: a key file in development, the remote
signing service in production (licences.signing) — and stores the signed bytes verbatim. The
PDF is rendered after the commit (licences.pdf), never inside the decision's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction

from zhengwu.core import clock, numbering
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.departments.models import Department
from zhengwu.licences import status
from zhengwu.licences.credential import (
    STATUS_ENTRY,
    STATUS_PURPOSES,
    VC_CONTEXT,
    credential_sign,
)
from zhengwu.licences.fields import fields_check, payload_check
from zhengwu.licences.holder import Holder
from zhengwu.licences.identifier import licence_id_build
from zhengwu.licences.models import (
    HolderKind,
    Licence,
    LicenceStatus,
    LicenceType,
    RegistrationCategory,
)
from zhengwu.licences.pdf import licence_render_task
from zhengwu.licences.signing import (
    KeyFileSigner,
    Signer,
    keyfile_write,
    licence_key_path,
    signer_get,
)
from zhengwu.sharing.models import UseBasis, UseKind
from zhengwu.sharing.uselog import use_record

CREDENTIAL_TYPE: Final = "ElectronicLicence"
STREAM: Final = "licences"
_DRAW_ATTEMPTS: Final = 5  # a clash on a random position among 131,072 is rare


def department_signer(department: Department) -> Signer:
    """The signer of a department's licences: its key is named by its USCC (a key file
    `<USCC>.key`, or the signing service's key of that name)."""
    signer = signer_get(department.uscc)
    if isinstance(signer, KeyFileSigner) and signer.issuer != department.uscc:
        raise InvalidInput(f"密钥 {department.uscc} 登记的颁证机构为 {signer.issuer}，"
                           f"不是{department.name}", code="licences.key_issuer")
    return signer


def _beijing(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def validity(licence_type: LicenceType, start: dt.datetime) -> dt.datetime | None:
    """The end of a licence issued at `start`: None (长期有效), or the day before the same
    date N years on, 23:59:59 Beijing time (29 February falls back to 28 February)."""
    if licence_type.validity_years is None:
        return None
    day = start.astimezone(SHANGHAI).date()
    try:
        end = day.replace(year=day.year + licence_type.validity_years)
    except ValueError:
        end = day.replace(year=day.year + licence_type.validity_years, day=28)
    end -= dt.timedelta(days=1)
    return dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def credential_build(*, identifier: str, kid: str, licence_type: LicenceType,
                     department: Department, holder_kind: str, holder_name: str,
                     holder_id: str, payload: Mapping[str, str], valid_from: dt.datetime,
                     valid_until: dt.datetime | None,
                     positions: Mapping[str, tuple[str, int]]) -> dict[str, Any]:
    """The credential as signed: identifier, issuer and key, the holder's display fields,
    the licence's fields, the validity in Beijing time, and the status entries (`positions`:
    purpose → (list URL, index))."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "id": identifier,
        "issuer": {"id": department.uscc, "kid": kid, "name": department.name},
        "credentialSubject": {
            "licenceType": {"code": licence_type.code, "name": licence_type.name},
            "holder": {"kind": holder_kind, "name": holder_name, "idNumber": holder_id},
            "fields": {key: str(value) for key, value in payload.items()},
        },
        "validFrom": _beijing(valid_from),
        "credentialStatus": [
            {"type": STATUS_ENTRY, "statusPurpose": purpose, "statusListIndex": str(index),
             "statusListCredential": url}
            for purpose, (url, index) in positions.items()],
    }
    if valid_until is not None:
        credential["validUntil"] = _beijing(valid_until)
    return credential


def _serial(licence_type: LicenceType, department: Department, moment: dt.datetime) -> str:
    """Year + a 7-digit sequence per type, issuer and year (20260000001), as real ones run."""
    year = moment.astimezone(SHANGHAI).year
    value = numbering.next_value(f"licence:{licence_type.code}:{department.uscc}:{year}")
    return f"{year}{value:07d}"


def _sign_and_store(*, licence_type: LicenceType, holder_kind: str, holder_ref: str,
                    holder_name: str, holder_id: str, payload: Mapping[str, str],
                    serial: str, version: int, source_case: str, moment: dt.datetime,
                    supersedes: Licence | None) -> Licence:
    department = licence_type.issuing_department
    signer = department_signer(department)
    identifier = str(licence_id_build(licence_type.code, department.uscc, serial, version))
    valid_from = moment.astimezone(SHANGHAI).replace(microsecond=0)
    valid_until = validity(licence_type, valid_from)
    # Positions are drawn before signing (they are signed into the licence); two issues that
    # draw the same position meet the unique (list, index) constraint, and the later one
    # draws again and signs again. The lists are not re-signed: the new bits are 0.
    for attempt in range(_DRAW_ATTEMPTS):
        positions = {purpose: status.position_draw(department, purpose, moment)
                     for purpose in STATUS_PURPOSES}
        credential = credential_build(
            identifier=identifier, kid=signer.kid, licence_type=licence_type,
            department=department, holder_kind=holder_kind, holder_name=holder_name,
            holder_id=holder_id, payload=payload, valid_from=valid_from,
            valid_until=valid_until,
            positions={purpose: (position.url, position.index)
                       for purpose, position in positions.items()})
        signed = credential_sign(credential, signer)
        try:
            with transaction.atomic():
                licence = Licence.objects.create(
                    identifier=identifier, licence_type=licence_type,
                    issuer_department=department, serial=serial, version=version,
                    holder_kind=holder_kind, holder_ref=holder_ref, holder_name=holder_name,
                    holder_id_display=holder_id, payload=dict(payload),
                    signed_data=signed.data, signature=signed.signature, kid=signed.kid,
                    valid_from=valid_from, valid_until=valid_until,
                    revocation_index=positions["revocation"].index,
                    suspension_index=positions["suspension"].index, supersedes=supersedes,
                    source_case=source_case, issued_at=moment)
                status.entries_store(licence, positions)
            break
        except IntegrityError:
            if attempt == _DRAW_ATTEMPTS - 1 or Licence.objects.filter(
                    identifier=identifier).exists():
                raise
    else:  # pragma: no cover - the loop either breaks or raises
        raise Conflict("状态列表位置分配失败，请重试。", code="licences.status_list_full")
    # Rendered once the issue commits (a rolled-back decision leaves no file behind); the
    # test settings turn it off, so that only tests that look at a PDF render one.
    if settings.ZHENGWU_LICENCE_PDF_PRERENDER:
        transaction.on_commit(partial(licence_render_task.enqueue, licence.pk))
    return licence


@transaction.atomic
def licence_issue(*, licence_type: LicenceType, holder: Holder, payload: Mapping[str, str],
                  actor: Actor, source_case: str = "",
                  now: dt.datetime | None = None) -> Licence:
    """Issue version 001 of a new licence to `holder`, signed by the type's issuing
    department; raises InvalidInput for a payload that does not fit the type, and whatever
    the signer raises (a missing key, the signing service down) — the caller's decision then
    rolls back with it."""
    moment = now or clock.now()
    # The holder is who receives the licence (the applicant of the case that issued it), who
    # may be a person while the type's subject is an enterprise: a founder registering a
    # company before it has an account of its own (docs/licences.md, "Holder").
    if holder.kind not in HolderKind.values:
        raise InvalidInput(f"持证主体类别“{holder.kind}”无效。", code="licences.holder_kind")
    if not holder.id_number.strip() or not holder.name.strip():
        raise InvalidInput("持证主体的名称和证件号码不能为空。", code="licences.holder_missing")
    fields = payload_check(licence_type.fields, payload)
    licence = _sign_and_store(
        licence_type=licence_type, holder_kind=holder.kind, holder_ref=holder.ref,
        holder_name=holder.name_display, holder_id=holder.id_display, payload=fields,
        serial=_serial(licence_type, licence_type.issuing_department, moment), version=1,
        source_case=source_case, moment=moment, supersedes=None)
    audit_record(actor=actor, action="licences.issue", obj=licence, stream=STREAM,
                 after={"identifier": licence.identifier, "type": licence_type.code,
                        "kid": licence.kid, "source_case": source_case,
                        "valid_until": licence.valid_until})
    return licence


def _locked(licence_id: int) -> Licence:
    return Licence.objects.select_for_update().select_related(
        "licence_type__issuing_department").get(pk=licence_id)


def _change(licence: Licence, new_status: str, *, actor: Actor, action: str, reason: str,
            moment: dt.datetime) -> None:
    before = licence.status
    licence.status, licence.status_changed_at, licence.status_reason = new_status, moment, reason
    licence.save(update_fields=["status", "status_changed_at", "status_reason", "updated_at"])
    audit_record(actor=actor, action=f"licences.{action}", obj=licence, stream=STREAM,
                 before={"status": before}, after={"status": new_status}, reason=reason)
    # The published lists say it in the same transaction: a list that cannot be signed
    # (the key or the signing service missing) rolls the status change back.
    status.status_lists_resign_for(licence, moment)


def _refuse_unless(licence: Licence, allowed: set[str], what: str) -> None:
    if licence.status not in allowed:
        raise Conflict(f"证照当前状态为“{LicenceStatus(licence.status).label}”，不能{what}。",
                       code="licences.status")


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(f"{what}证照须说明理由。", code="licences.reason_required")
    return reason[:500]


@transaction.atomic
def licence_supersede(*, licence_id: int, payload: Mapping[str, str], actor: Actor,
                      reason: str, now: dt.datetime | None = None) -> Licence:
    """A corrected licence: the next version of the same serial, for the same holder; the
    previous version becomes `superseded` and points to it (superseded_by)."""
    moment = now or clock.now()
    old = _locked(licence_id)
    _refuse_unless(old, {LicenceStatus.VALID, LicenceStatus.SUSPENDED}, "换发新版本")
    reason = _reason(reason, "换发")
    fields = payload_check(old.licence_type.fields, payload)
    _change(old, LicenceStatus.SUPERSEDED, actor=actor, action="supersede", reason=reason,
            moment=moment)
    new = _sign_and_store(
        licence_type=old.licence_type, holder_kind=old.holder_kind, holder_ref=old.holder_ref,
        holder_name=old.holder_name, holder_id=old.holder_id_display, payload=fields,
        serial=old.serial, version=old.version + 1, source_case=old.source_case,
        moment=moment, supersedes=old)
    audit_record(actor=actor, action="licences.issue", obj=new, stream=STREAM, reason=reason,
                 after={"identifier": new.identifier, "type": old.licence_type.code,
                        "kid": new.kid, "supersedes": old.identifier})
    return new


@transaction.atomic
def licence_revoke(*, licence_id: int, actor: Actor, reason: str,
                   now: dt.datetime | None = None) -> Licence:
    licence = _locked(licence_id)
    _refuse_unless(licence, {LicenceStatus.VALID, LicenceStatus.SUSPENDED}, "撤销")
    _change(licence, LicenceStatus.REVOKED, actor=actor, action="revoke",
            reason=_reason(reason, "撤销"), moment=now or clock.now())
    return licence


@transaction.atomic
def licence_suspend(*, licence_id: int, actor: Actor, reason: str,
                    now: dt.datetime | None = None) -> Licence:
    licence = _locked(licence_id)
    _refuse_unless(licence, {LicenceStatus.VALID}, "暂停")
    _change(licence, LicenceStatus.SUSPENDED, actor=actor, action="suspend",
            reason=_reason(reason, "暂停"), moment=now or clock.now())
    return licence


@transaction.atomic
def licence_reinstate(*, licence_id: int, actor: Actor, reason: str = "",
                      now: dt.datetime | None = None) -> Licence:
    licence = _locked(licence_id)
    _refuse_unless(licence, {LicenceStatus.SUSPENDED}, "恢复")
    _change(licence, LicenceStatus.VALID, actor=actor, action="reinstate",
            reason=reason.strip()[:500], moment=now or clock.now())
    return licence


def licences_expire(now: dt.datetime) -> int:
    """Mark valid licences past their end as expired (a sweep; set-based, one audit row)."""
    with transaction.atomic():
        due = Licence.objects.select_for_update().filter(
            status=LicenceStatus.VALID, valid_until__lt=now)
        identifiers = list(due.values_list("identifier", flat=True)[:10000])
        if not identifiers:
            return 0
        count = Licence.objects.filter(identifier__in=identifiers).update(
            status=LicenceStatus.EXPIRED, status_changed_at=now, status_reason="有效期届满",
            updated_at=now)
        audit_record(actor=SYSTEM, action="licences.expire_batch",
                     object_type="licences.Licence", object_repr=f"证照过期 {count} 张",
                     after={"identifiers": identifiers[:50], "count": count}, stream=STREAM)
        return count


# --- licence types and department keys (the pack loader) ---------------------------------------


@transaction.atomic
def licence_type_save(*, code: str, name: str, authority_name: str, holder_kind: str,
                      issuing_department: Department, fields: Any,
                      validity_years: int | None, actor: Actor,
                      authority_illustrative: bool = False,
                      pdf_template: str = "", source: str = "",
                      establishes_holder: bool = False,
                      registration_category: str = RegistrationCategory.ENTERPRISE,
                      ) -> tuple[LicenceType, bool]:
    """Create or update a licence type by its code; returns (type, changed)."""
    code = code.strip().upper()
    if len(code) != 21 or not code[18:].isdigit():
        raise InvalidInput(f"证照类型代码 {code} 应为定义机构的统一社会信用代码加 3 位数字。",
                           code="licences.type_code")
    try:
        validate_uscc(code[:18])
    except CodeError as error:
        raise InvalidInput(f"证照类型代码 {code} 的定义机构代码无效：{error.message}",
                           code="licences.type_code") from None
    if holder_kind not in HolderKind.values:
        raise InvalidInput(f"持证主体类别应为 person 或 enterprise，实为“{holder_kind}”。",
                           code="licences.holder_kind")
    if establishes_holder and holder_kind != HolderKind.ENTERPRISE:
        raise InvalidInput("只有持证主体为企业的证照类型可以是设立登记证照。",
                           code="licences.establishes_holder")
    if registration_category not in RegistrationCategory.values:
        raise InvalidInput(f"设立主体类别应为 {'、'.join(RegistrationCategory.values)} 之一"
                           f"（GB 32100 机构类别码），实为“{registration_category}”。",
                           code="licences.registration_category")
    if validity_years is not None and not 1 <= validity_years <= 100:
        raise InvalidInput("有效期年数应为 1–100 或留空（长期有效）。", code="licences.validity")
    values = {"name": name.strip(), "authority_name": authority_name.strip(),
              "authority_illustrative": authority_illustrative, "holder_kind": holder_kind,
              "issuing_department": issuing_department, "fields": fields_check(fields),
              "validity_years": validity_years,
              "pdf_template": pdf_template or "licences/licence_pdf.html", "source": source,
              "establishes_holder": establishes_holder,
              "registration_category": registration_category}
    existing = LicenceType.objects.filter(code=code).first()
    if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
        return existing, False
    licence_type, _ = LicenceType.objects.update_or_create(code=code, defaults=values)
    audit_record(actor=actor, action="licences.type_save", obj=licence_type, stream=STREAM,
                 after={"code": code, "name": licence_type.name,
                        "department": issuing_department.uscc})
    return licence_type, True


def department_keys_ensure(departments: list[Department]) -> list[str]:
    """Make the key files the departments lack — the issuing departments sign licences, and
    every department signs its notices (licences.notice_signature) — (development and the demo
    pack only: with
    the signing service configured nothing is made). A key is made only here and by
    `zhengwu licence-keys create`, never on first use (licences.signing); an existing key is
    kept. Returns the USCCs whose keys were made."""
    if settings.ZHENGWU_LICENCE_SIGNING_SERVICE:
        return []
    made = []
    for department in departments:
        path = licence_key_path(department.uscc)
        if not path.exists():
            keyfile_write(path, issuer=department.uscc)
            made.append(department.uscc)
    return made


# What a download gives, as the holder reads it in 谁用了我的证照/数据.
DOWNLOADS: Final = {"pdf": "下载证照文件（PDF）", "credential": "下载签名数据（JSON）"}


def licence_download_record(*, licence: Licence, actor: Actor, what: str) -> None:
    """Log the holder's download of their licence (PDF or signed JSON): an audit row, and a
    row in the holder's use log (issue 11 item 7: a download is a use the holder sees — a
    copy of the licence left the platform, and by whose hand)."""
    with transaction.atomic():
        audit_record(actor=actor, action="licences.download", obj=licence, stream=STREAM,
                     after={"identifier": licence.identifier, "what": what})
        use_record(kind=UseKind.DOWNLOAD, holder_ref=licence.holder_ref, actor=actor,
                   basis=UseBasis.HOLDER, purpose=DOWNLOADS[what],
                   licence_id=licence.identifier)
