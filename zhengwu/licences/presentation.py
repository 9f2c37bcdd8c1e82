"""Showing a licence to someone else (issue 11 item 3): the online verification page behind the
QR code, the offline compact QR, and the holder's short-lived 亮证 code.

- **Online QR.** Every licence has a short, random `verify_token` (models.VERIFY_TOKEN_LENGTH);
  the QR holds `<ZHENGWU_PUBLIC_URL>/V/<token>` with scheme and host in upper case (they are
  case-insensitive, RFC 3986 §3.1, §3.2.2), so the whole text is in the QR alphanumeric set and
  fits version 3 at level M for a public URL of up to `QR_PUBLIC_URL_MAX` characters. The long
  address by identifier (`licences:verify`) keeps working.
- **Every look is logged and limited.** A page view from the QR or by identifier is a
  `qr_scan` row of the holder's use log (sharing.uselog), a view through a 亮证 code a
  `verification` row on basis `presented`; both count against one per-address limit
  (accounts.throttle, 429 with Retry-After).
- **亮证 code.** The signed-in holder makes a code of 8 characters (32-letter alphabet without
  0/1/I/O, 40 bits) valid for `PRESENT_SECONDS`; only its SM3 is stored; a new code of the
  same licence ends the older one. Whoever enters it sees the licence as presented: the
  holder's full name (from their verified account), the licence's fields, type, issuer,
  validity and status — the person's ID number stays masked.
- **Offline compact QR.** licences.compact, signed by the issuing department's key the first
  time it is needed and kept on the licence (it carries no status, so it does not go stale).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import segno
from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts import throttle
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.sm2 import sm3
from zhengwu.licences.compact import CompactLicence, compact_encode
from zhengwu.licences.credential import Verification, credential_verify_with
from zhengwu.licences.models import (
    HolderKind,
    Licence,
    LicencePresentation,
    LicenceStatus,
)
from zhengwu.licences.selectors import holder_refs_of, status_now
from zhengwu.licences.signing import (
    KeyFileError,
    KeyRing,
    NotConfigured,
    RemoteSignerError,
    signer_get,
)
from zhengwu.sharing.models import UseBasis, UseKind
from zhengwu.sharing.uselog import use_record

logger = logging.getLogger(__name__)

# One budget per client address for every public look at a licence (QR, identifier, 亮证
# code): a counter desk checking licences all day stays far below it; a scraper walking
# tokens or guessing codes is stopped at once.
VERIFY_RULE: Final = throttle.Rule("licences.verify", limit=60, window=600)
PRESENT_SECONDS: Final = 120
PRESENT_CODE_LENGTH: Final = 8
PRESENT_ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# The longest ZHENGWU_PUBLIC_URL (scheme and host, no path) whose QR stays at version 3, level
# M: alphanumeric capacity 61 − len("/V/") − VERIFY_TOKEN_LENGTH (tests/test_presentation.py).
QR_ERROR: Final = "m"
QR_PUBLIC_URL_MAX: Final = 46
COMPACT_QR_VERSION_MAX: Final = 15
SCAN_ACTOR_LABEL: Final = "公众扫码"
PRESENTED_ACTOR_LABEL: Final = "持证人出示（亮证码）"


class TooManyLooks(Exception):
    """The client address used up its budget; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def look_allow(address: str) -> None:
    """Count one public look from `address`, or raise TooManyLooks."""
    verdict = throttle.attempt((VERIFY_RULE, address))
    if not verdict.allowed:
        raise TooManyLooks(verdict.retry_after)


# --- the online QR ----------------------------------------------------------------------------


def verify_short_url(licence: Licence) -> str:
    """The short verification address, as people read it."""
    return settings.ZHENGWU_PUBLIC_URL + reverse("licence_verify_short",
                                                 args=[licence.verify_token])


def verify_qr_text(licence: Licence) -> str:
    """The text of the online QR: the short address with scheme and host in upper case."""
    parts = urlsplit(verify_short_url(licence))
    return urlunsplit((parts.scheme.upper(), parts.netloc.upper(), parts.path, "", ""))


def licence_by_token(token: str) -> Licence | None:
    if not token.isalnum() or len(token) > 16:
        return None
    return (Licence.objects.filter(verify_token=token.upper())
            .select_related("licence_type", "issuer_department").first())


@functools.lru_cache(maxsize=4)
def _keys_read(directory: str, state: tuple[tuple[str, int], ...]) -> KeyRing:
    return KeyRing.from_directory(directory)


# A .pub file edited in place (not replaced: that changes the folder) is seen within this.
_KEYS_RECHECK_SECONDS: Final = 60


def _keys() -> KeyRing:
    """The key folder's public keys, read again when the folder changes (a key made, removed
    or replaced changes its modification time) and at least once a minute. Every look checks
    a signature; listing and stat-ing ~460 files on each look cost 2 of its 7 ms
    (docs/benchmarks.md, "Electronic licences"), one stat of the folder costs microseconds."""
    directory = str(settings.ZHENGWU_LICENCE_KEY_DIR)
    try:
        changed = os.stat(directory).st_mtime_ns
    except OSError:
        changed = 0
    return _keys_read(directory, ((directory, changed),
                                  (".", int(time.monotonic() // _KEYS_RECHECK_SECONDS))))


def signature_check(licence: Licence) -> Verification:
    """The stored signature checked with the issuer's registered public key."""
    return credential_verify_with(_keys(), licence.data, bytes(licence.signature))


@dataclass(frozen=True)
class Look:
    """What the public page shows of one licence."""

    licence: Licence
    status: str
    status_label: str
    signature: Verification
    valid: bool
    holder_name: str  # masked, or the full name through a 亮证 code
    presented: bool = False


def _look(licence: Licence, *, holder_name: str = "", presented: bool = False) -> Look:
    status = status_now(licence)
    checked = signature_check(licence)
    return Look(licence=licence, status=status, status_label=LicenceStatus(status).label,
                signature=checked, valid=checked.ok and status == LicenceStatus.VALID,
                holder_name=holder_name or licence.holder_name, presented=presented)


@transaction.atomic
def licence_scan(licence: Licence) -> Look:
    """A public look by QR or identifier: the masked licence, logged as `qr_scan`."""
    use_record(kind=UseKind.QR_SCAN, holder_ref=licence.holder_ref,
               actor=Actor(label=SCAN_ACTOR_LABEL, role="public"), basis=UseBasis.PRESENTED,
               purpose="扫码核验证照", licence_id=licence.identifier)
    return _look(licence)


# --- 亮证 ---------------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return sm3(("licence-present:v1\0" + code).encode()).hex()


def present_code_normalize(code: str) -> str:
    """Upper case, spaces and dashes dropped (a code read aloud or typed in groups)."""
    return "".join(c for c in code.upper() if c not in " -")


@dataclass(frozen=True)
class PresentCode:
    code: str
    expires_at: dt.datetime
    presentation: LicencePresentation


def _holder_full_name(user: Any, licence: Licence) -> str:
    if licence.holder_kind == HolderKind.ENTERPRISE:
        return licence.holder_name  # an enterprise's name is public and kept whole
    return str(getattr(user, "display_name", "") or "") or licence.holder_name


@transaction.atomic
def present_code_create(*, user: Any, licence: Licence, actor: Actor) -> PresentCode:
    """A new 亮证 code for the holder's own licence (the caller found it by the account's
    holder reference; checked again here). Ends the licence's earlier codes."""
    if licence.holder_ref not in holder_refs_of(user):
        raise PermissionError("只有持证人本人可以出示证照")
    now = timezone.now()  # the real clock: a frozen demo clock would never expire a code
    LicencePresentation.objects.filter(licence=licence, ended=False).update(ended=True)
    code = "".join(secrets.choice(PRESENT_ALPHABET) for _ in range(PRESENT_CODE_LENGTH))
    presentation = LicencePresentation.objects.create(
        licence=licence, code_hash=_code_hash(code),
        holder_name=_holder_full_name(user, licence)[:200],
        expires_at=now + dt.timedelta(seconds=PRESENT_SECONDS))
    audit_record(actor=actor, action="licences.present", obj=licence, stream="licences",
                 after={"identifier": licence.identifier,
                        "expires_at": presentation.expires_at.isoformat()})
    return PresentCode(code=code, expires_at=presentation.expires_at, presentation=presentation)


def presentations_purge() -> int:
    """Delete the 亮证 codes that can no longer be used (the sweep `licences.presentations`):
    the holder's full name they carry is kept no longer than the code lives. Real clock, as
    the codes' expiry."""
    deleted, _ = LicencePresentation.objects.filter(
        models.Q(ended=True) | models.Q(expires_at__lte=timezone.now())).delete()
    return deleted


def present_url(code: str) -> str:
    """The address in the 亮证 QR (the verification page with the code filled in)."""
    return settings.ZHENGWU_PUBLIC_URL + reverse("licences:presented", args=[code])


@transaction.atomic
def present_code_use(code: str) -> Look | None:
    """The licence behind a live 亮证 code, as presented, logged as `verification` on basis
    `presented`; None for an unknown, ended or expired code (the same answer for each)."""
    code = present_code_normalize(code)
    if len(code) != PRESENT_CODE_LENGTH or any(c not in PRESENT_ALPHABET for c in code):
        return None
    presentation = (LicencePresentation.objects.select_related(
        "licence__licence_type", "licence__issuer_department")
        .filter(code_hash=_code_hash(code), ended=False, expires_at__gt=timezone.now())
        .first())
    if presentation is None:
        return None
    licence = presentation.licence
    use_record(kind=UseKind.VERIFICATION, holder_ref=licence.holder_ref,
               actor=Actor(label=PRESENTED_ACTOR_LABEL, role="public"),
               basis=UseBasis.PRESENTED, purpose="持证人亮证核验",
               licence_id=licence.identifier)
    return _look(licence, holder_name=presentation.holder_name, presented=True)


# --- the offline compact QR -------------------------------------------------------------------


def compact_of(licence: Licence) -> CompactLicence:
    """What the offline code says of `licence`, with the numbers of its status lists (0 for a
    licence issued before it had positions: its code then says "verify online")."""
    numbers = dict(licence.status_entries.values_list("purpose", "status_list__number"))
    return CompactLicence(
        identifier=licence.identifier, type_code=licence.licence_type.code,
        type_name=licence.licence_type.name, issuer=licence.issuer_department.uscc,
        kid=licence.kid,
        holder_kind=licence.holder_kind, holder_name=licence.holder_name,
        holder_id=licence.holder_id_display, valid_from=licence.valid_from,
        valid_until=licence.valid_until, revocation_index=licence.revocation_index,
        suspension_index=licence.suspension_index,
        revocation_list=numbers.get("revocation", 0), suspension_list=numbers.get("suspension", 0))


def qr_inline(text: str, title: str) -> str:
    """An inline SVG QR at level QR_ERROR, named for screen readers by `title`."""
    return str(segno.make(text, error=QR_ERROR, micro=False).svg_inline(scale=3, title=title))


def compact_qr(text: str) -> Any:
    """The offline code's QR (a segno.QRCode): level M while it fits version 15 — a person's
    licence takes about version 13, an enterprise's name of up to about 36 characters fits —
    else level L (about 70 characters more)."""
    qr = segno.make(text, error="m", boost_error=False, micro=False)
    if int(qr.version) > COMPACT_QR_VERSION_MAX:
        qr = segno.make(text, error="l", boost_error=False, micro=False)
    return qr


def licence_compact_code(licence: Licence) -> str:
    """The licence's offline QR text, signed by its issuer's key on first use and kept. A key
    that has since rotated away from the licence's kid cannot sign it: '' then (the page
    shows the online QR only)."""
    if licence.compact_code:
        return licence.compact_code
    try:
        signer = signer_get(licence.issuer_department.uscc)
    except (NotConfigured, KeyFileError, RemoteSignerError, OSError):
        # The page and the PDF still show the online QR; the next look tries again.
        logger.warning("licence %s: no signer for the offline code", licence.pk, exc_info=True)
        return ""
    if signer.kid != licence.kid:
        return ""
    text = compact_encode(compact_of(licence), signer)
    # The first of two concurrent signers wins; both texts are valid.
    Licence.objects.filter(pk=licence.pk, compact_code="").update(compact_code=text)
    licence.refresh_from_db(fields=["compact_code"])
    return licence.compact_code
