"""The status lists as stored and published: positions allocated on issue, lists re-signed
when a licence's status changes and before their validity runs out.

- **Lists** (`StatusList`): per issuing department and purpose (`revocation`, `suspension`),
  numbered 1, 2, … and of 131,072 bits each. A list's URL is public and signed into every
  licence that has a position in it: `ZHENGWU_PUBLIC_URL` + `reverse("licences:status_list")`
  (`/licences/status/<issuer USCC>/<purpose>/<n>/`). A list is signed once when it is opened.
- **Positions** (`StatusEntry`): `entries_draw` picks the first list with room and a random
  unused position in it (`status_list.index_draw`); the unique (list, index) constraint settles
  a race, and the issuer draws again (`services._sign_and_store`). Issuing does not re-sign
  the list: a new licence's bits are 0, which the published list already says.
- **Bits** are derived from the licences' statuses, never kept apart: revocation set for a
  revoked or superseded licence, suspension set for a suspended one. `status_lists_resign_for`
  re-signs a licence's lists inside the caller's transaction (the status change and its audit
  row), so a failure to sign rolls the status change back.
- **The sweep** `licences.status_lists` re-signs every list whose validity ends within
  `REFRESH_AHEAD`, so a published list is never stale for a verifier who fetches it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from zhengwu.departments.models import Department
from zhengwu.licences.credential import STATUS_LIST_MAX_VALIDITY, SignedCredential
from zhengwu.licences.models import (
    Licence,
    LicenceStatus,
    StatusEntry,
    StatusList,
    StatusPurpose,
)
from zhengwu.licences.signing import ALGORITHM, Signer
from zhengwu.licences.status_list import MIN_LENGTH, Bitstring, index_draw, status_list_sign

logger = logging.getLogger(__name__)

FORMAT: Final = "zhengwu-status-list/1"
# The sweep re-signs a list this long before it would go stale: runs of `zhengwu sweep` a few
# hours apart never leave a gap.
REFRESH_AHEAD: Final = dt.timedelta(hours=12)
# A fetched list may be cached this long at most (and never past its validUntil): a
# revocation reaches verifiers that refetch within minutes.
CACHE_SECONDS: Final = 300
SET_WHEN: Final[dict[str, frozenset[str]]] = {
    StatusPurpose.REVOCATION: frozenset({LicenceStatus.REVOKED, LicenceStatus.SUPERSEDED}),
    StatusPurpose.SUSPENSION: frozenset({LicenceStatus.SUSPENDED}),
}
_EXACT_LOOKUPS: Final = 8  # position lookups by query before loading the list's positions


def status_list_url(issuer: str, purpose: str, number: int) -> str:
    return settings.ZHENGWU_PUBLIC_URL + reverse(
        "licences:status_list", kwargs={"issuer": issuer, "purpose": purpose, "number": number})


def _signer(department: Department) -> Signer:
    from zhengwu.licences.services import department_signer  # services imports this module

    return department_signer(department)


def set_positions(status_list: StatusList) -> list[int]:
    """The positions of the list whose bit is set: the few licences in a status that sets it
    (SET_WHEN), from the partial index on "not valid" (the repeated condition lets the
    database use it), then their positions in this list — not a lookup of every entry's
    licence (a list holds up to 131,072; docs/benchmarks.md)."""
    set_ids = Licence.objects.filter(~Q(status=LicenceStatus.VALID),
                                     status__in=SET_WHEN[status_list.purpose]).values("pk")
    return list(StatusEntry.objects.filter(
        status_list=status_list, licence_id__in=set_ids).values_list("index", flat=True))


def status_list_resign(status_list: StatusList, now: dt.datetime,
                       signer: Signer | None = None) -> StatusList:
    """Rebuild the list's bits from its licences' statuses, sign them valid from `now` for 24
    hours, and store the signed bytes. The caller holds the row (select_for_update) or has
    just created it."""
    bits = Bitstring.from_indices(set_positions(status_list), status_list.length)
    signed = status_list_sign(url=status_list.url, purpose=status_list.purpose, bits=bits,
                              issuer=status_list.issuer,
                              signer=signer or _signer(status_list.issuer_department), now=now)
    status_list.signed_data, status_list.signature, status_list.kid = (
        signed.data, signed.signature, signed.kid)
    status_list.valid_from = now
    status_list.valid_until = now.replace(microsecond=0) + STATUS_LIST_MAX_VALIDITY
    status_list.save(update_fields=["signed_data", "signature", "kid", "valid_from",
                                    "valid_until", "updated_at"])
    return status_list


class _Used(Collection[int]):
    """The taken positions of a list, looked up one by one (a draw nearly always hits a free
    one at the first try) and loaded whole only when draws keep colliding."""

    def __init__(self, status_list: StatusList) -> None:
        self._entries = StatusEntry.objects.filter(status_list=status_list)
        self._lookups = 0
        self._all: set[int] | None = None
        self._count: int | None = None

    def _loaded(self) -> set[int]:
        if self._all is None:
            self._all = set(self._entries.values_list("index", flat=True))
        return self._all

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int):
            return False
        if self._all is None and self._lookups < _EXACT_LOOKUPS:
            self._lookups += 1
            return self._entries.filter(index=index).exists()
        return index in self._loaded()

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._entries.count()
        return self._count

    def __iter__(self) -> Iterator[int]:
        return iter(self._loaded())


def _open_list(department: Department, purpose: str, now: dt.datetime) -> StatusList:
    """The next list of the department and purpose, signed at once (it is empty); a list
    opened concurrently under the same number is taken instead."""
    issuer = department.uscc
    last = (StatusList.objects.filter(issuer=issuer, purpose=purpose)
            .order_by("-number").values_list("number", flat=True).first())
    number = (last or 0) + 1
    try:
        with transaction.atomic():
            status_list = StatusList.objects.create(
                issuer_department=department, issuer=issuer, purpose=purpose, number=number,
                length=MIN_LENGTH, url=status_list_url(issuer, purpose, number))
            return status_list_resign(status_list, now)
    except IntegrityError:
        return StatusList.objects.get(issuer=issuer, purpose=purpose, number=number)


@dataclass(frozen=True, slots=True)
class Position:
    status_list: StatusList
    index: int

    @property
    def url(self) -> str:
        return self.status_list.url


def position_draw(department: Department, purpose: str, now: dt.datetime) -> Position:
    """A free random position in the department's first list of `purpose` with room."""
    for status_list in StatusList.objects.filter(issuer=department.uscc, purpose=purpose) \
            .order_by("number"):
        used = _Used(status_list)
        if len(used) < status_list.length:
            return Position(status_list, index_draw(used, status_list.length))
    status_list = _open_list(department, purpose, now)
    return Position(status_list, index_draw(_Used(status_list), status_list.length))


def entries_store(licence: Licence, positions: dict[str, Position]) -> None:
    """The licence's entries; IntegrityError if a position was taken meanwhile."""
    StatusEntry.objects.bulk_create(
        StatusEntry(licence=licence, status_list=position.status_list, purpose=purpose,
                    index=position.index) for purpose, position in positions.items())


def status_lists_resign_for(licence: Licence, now: dt.datetime) -> int:
    """Re-sign the lists the licence has positions in (in the caller's transaction, rows
    locked): called by every status change. Returns how many lists were signed."""
    list_ids = StatusEntry.objects.filter(licence=licence).values_list("status_list", flat=True)
    count = 0
    for status_list in StatusList.objects.select_for_update().filter(pk__in=list_ids) \
            .select_related("issuer_department").order_by("pk"):
        status_list_resign(status_list, now)
        count += 1
    return count


def status_lists_refresh(now: dt.datetime) -> tuple[int, list[str]]:
    """The sweep: re-sign every list whose validity ends within REFRESH_AHEAD, one
    transaction each, so that a department whose key or signing service is unavailable does
    not stop the others. Returns (lists signed, the lists that could not be signed)."""
    due = list(StatusList.objects.filter(valid_until__lt=now + REFRESH_AHEAD)
               .values_list("pk", flat=True))
    done, failed = 0, []
    for pk in due:
        row: StatusList | None = None
        try:
            with transaction.atomic():
                row = StatusList.objects.select_for_update().select_related(
                    "issuer_department").get(pk=pk)
                if row.valid_until is not None and row.valid_until >= now + REFRESH_AHEAD:
                    continue  # a status change re-signed it meanwhile
                status_list_resign(row, now)
                done += 1
        except (ValueError, OSError, RuntimeError) as error:  # KeyFileError, RemoteSignerError
            logger.error("status list %s not re-signed: %s", pk, error)
            failed.append(f"{row.issuer}/{row.purpose}/{row.number}" if row else str(pk))
    return done, failed


# --- publishing ---------------------------------------------------------------------------------


def status_list_published(issuer: str, purpose: str, number: int) -> StatusList | None:
    return StatusList.objects.filter(issuer=issuer, purpose=purpose, number=number) \
        .exclude(signed_data=b"").first()


def status_list_export(status_list: StatusList) -> dict[str, Any]:
    """What the public URL serves, as the holder's licence export is shaped: the signed bytes
    verbatim (base64) with the signature."""
    return {"format": FORMAT, "id": status_list.url, "kid": status_list.kid, "alg": ALGORITHM,
            "credential": base64.b64encode(bytes(status_list.signed_data)).decode("ascii"),
            "signature": base64.b64encode(bytes(status_list.signature)).decode("ascii")}


def status_list_loads(text: bytes) -> SignedCredential:
    """Read a file served by the status list URL (not verified yet); ValueError if it is
    not one."""
    try:
        envelope = json.loads(text)
        if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
            raise ValueError(f"不是 {FORMAT} 格式的状态列表文件")
        return SignedCredential(data=base64.b64decode(envelope["credential"], validate=True),
                                signature=base64.b64decode(envelope["signature"], validate=True),
                                kid=str(envelope["kid"]))
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"状态列表文件无法读取：{error}") from None


def stored_lists() -> dict[str, SignedCredential]:
    """Every published list by URL (the server's own copy, for `zhengwu licences verify`)."""
    return {row.url: SignedCredential(data=bytes(row.signed_data),
                                      signature=bytes(row.signature), kid=row.kid)
            for row in StatusList.objects.exclude(signed_data=b"")}
