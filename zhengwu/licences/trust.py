"""The trust list in force: accepted from a file signed by the trust-list authority, kept in
one row (licences.trust_list decides what the list means).

The authority's public key is pinned by the installation — `ZHENGWU_LICENCE_TRUST_AUTHORITY`,
the path of its `.pub` file — and never taken from a list. `trust_list_accept` verifies a new
edition against it and against the sequence last accepted (a rollback is refused) and
replaces the row in the same transaction as its audit row; `trust_list_in_force` re-reads the
stored copy (verified again, `last_sequence=None`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import transaction

from zhengwu.core.audit import Actor, audit_record
from zhengwu.licences.models import AcceptedTrustList
from zhengwu.licences.signing import KeyFileError, PublicKey, public_key_file_read
from zhengwu.licences.trust_list import (
    TrustList,
    TrustListError,
    trust_list_loads,
    trust_list_verify,
)

STREAM: Final = "licences"


def trust_authority() -> PublicKey:
    """The authority's pinned public key; KeyFileError when not configured or unreadable."""
    path = settings.ZHENGWU_LICENCE_TRUST_AUTHORITY
    if not path:
        raise KeyFileError("未配置信任列表签发机构的公钥（ZHENGWU_LICENCE_TRUST_AUTHORITY）")
    try:
        return public_key_file_read(Path(path))
    except OSError as error:
        raise KeyFileError(f"无法读取信任列表签发机构的公钥 {path}：{error}") from None


@transaction.atomic
def trust_list_accept(text: bytes, *, actor: Actor, now: dt.datetime) -> TrustList:
    """Verify a trust-list file and make it the one in force; TrustListError (a rollback
    among them) or KeyFileError says why not."""
    authority = trust_authority()
    signed = trust_list_loads(text)
    current = AcceptedTrustList.objects.select_for_update().order_by("-sequence").first()
    trust = trust_list_verify(signed.data, signed.signature, authority,
                              last_sequence=current.sequence if current else None)
    if trust.stale_at(now):
        raise TrustListError("stale", f"信任列表第 {trust.sequence} 版已于 "
                                      f"{trust.next_update:%Y-%m-%d %H:%M:%S} 过期（nextUpdate），"
                                      "请取得新一版")
    before = {"sequence": current.sequence} if current else None
    AcceptedTrustList.objects.all().delete()
    row = AcceptedTrustList.objects.create(sequence=trust.sequence, signed_data=signed.data,
                                           signature=signed.signature, kid=signed.kid,
                                           accepted_at=now)
    audit_record(actor=actor, action="licences.trust_list_accept", obj=row, stream=STREAM,
                 before=before, after={"sequence": trust.sequence, "kid": signed.kid,
                                       "issuers": sorted(trust.issuers)})
    return trust


def trust_list_in_force() -> TrustList | None:
    """The accepted trust list, verified again; None when none was accepted. A stored copy
    that no longer verifies (the pinned key changed) raises TrustListError."""
    row = AcceptedTrustList.objects.order_by("-sequence").first()
    if row is None:
        return None
    return trust_list_verify(bytes(row.signed_data), bytes(row.signature), trust_authority(),
                             last_sequence=None)


def trust_list_sequence() -> int | None:
    return AcceptedTrustList.objects.order_by("-sequence").values_list(
        "sequence", flat=True).first()


__all__ = ["TrustListError", "trust_authority", "trust_list_accept", "trust_list_in_force",
           "trust_list_sequence"]
