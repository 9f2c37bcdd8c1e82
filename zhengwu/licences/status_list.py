"""Revocation and suspension: W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025).

Each licence carries one `BitstringStatusListEntry` per purpose (licences.credential): a list's
URL and a position in it. The issuer publishes, per purpose, a signed list credential whose
subject holds the bitstring; a set bit means revoked (for ever) or suspended (until cleared).

- **The bitstring** (`Bitstring`): at least 131,072 bits (16 KB). Index 0 is the left-most
  bit of the first byte and index length − 1 the right-most bit of the last (spec §2.2 and
  §7.1): big-endian bit order inside each byte. `encodedList` is "u" (multibase base64url)
  followed by base64url without padding of the GZIP-compressed bitstring. We write the GZIP
  header with mtime 0 and OS 3 and deflate at level 6, so that the same bits always give the
  same text; an empty list gives exactly the Recommendation's example.
- **Separate lists** for `revocation` and `suspension`: one bit per entry (statusSize 1), no
  `message` lists.
- **Random indices** (spec §2.1 "SHOULD assign indexes randomly"): `index_draw` picks an unused
  position with `secrets`, so a position tells nothing of when a licence was issued or how
  many were. Positions are never freed, so never reused: a revoked bit stays set, and a
  superseded licence keeps its positions. `index_allocate` picks the first list with room and
  says when a new list must be opened (lists do not grow: every verifier's copy of a list
  keeps its length).
- **The list credential** is our signed envelope (credential_sign: JCS bytes, SM2) with the
  shape `credential_check` knows for `BitstringStatusListCredential`: validFrom now, validUntil
  at most 24 hours later. The issuer re-signs every list at least daily, and at once when a
  bit changes.
- **The verifier** (`status_of`) checks the list's signature (the key from a KeyRing, so the
  trust list's keys work too), that it is the list the entry names, issued by the licence's
  issuer, for the entry's purpose, and fresh: a list past its validUntil is **refused**, so an
  offline verifier with an old copy fails closed instead of calling a revoked licence valid.
  `ttl` is not written: in the Recommendation it only hints when to refresh and never extends
  the validity period, which is what we check.

Pure module: the tables (lists, positions) are the caller's; see docs/licences.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
import struct
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from zhengwu.licences.credential import (
    STATUS_LIST_CREDENTIAL,
    STATUS_LIST_MAX_VALIDITY,
    STATUS_LIST_SUBJECT,
    STATUS_PURPOSES,
    VC_CONTEXT,
    CredentialError,
    SignedCredential,
    credential_sign,
    credential_verify_with,
    status_entry_check,
)
from zhengwu.licences.signing import KeyRing, Signer

MIN_LENGTH: Final = 131_072  # bits: the Recommendation's minimum, 16 KB
DECODE_LIMIT: Final = 16 * 1024 * 1024  # bytes a list may expand to (a GZIP bomb stops here)
# A verifier's clock may run a little behind the issuer's: a list signed a moment ago is not
# refused as "not yet valid" for that. Only validFrom gets this grace, never validUntil.
CLOCK_SKEW: Final = dt.timedelta(minutes=5)
CST: Final = dt.timezone(dt.timedelta(hours=8))
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"  # deflate, mtime 0, OS 3
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_DRAWS: Final = 64  # random draws before falling back to choosing among the free positions

Code = Literal["unset", "set", "bad_signature", "malformed", "wrong_key", "unknown_key",
               "wrong_issuer", "not_a_status_list", "wrong_list", "wrong_purpose",
               "not_yet_valid", "stale", "too_short", "out_of_range", "missing_list"]
_ENVELOPE_CODES: Final[dict[str, Code]] = {
    "bad_signature": "bad_signature", "malformed": "malformed", "wrong_key": "wrong_key",
    "unknown_key": "unknown_key", "wrong_issuer": "wrong_issuer"}
_PURPOSE_SET: Final = {"revocation": "证照已被撤销", "suspension": "证照已被暂停使用"}
_PURPOSE_UNSET: Final = {"revocation": "状态列表显示证照未被撤销",
                         "suspension": "状态列表显示证照未被暂停使用"}


class StatusListError(ValueError):
    """A status list that cannot be used; `code` as in `Status`, the message in Chinese."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ListFull(Exception):
    """Every position of the list is taken."""


# --- the bitstring -----------------------------------------------------------------------------


class Bitstring:
    """A status bitstring of `length` bits (a multiple of 8, at least `MIN_LENGTH`)."""

    __slots__ = ("_bytes",)

    def __init__(self, length: int = MIN_LENGTH) -> None:
        if length < MIN_LENGTH or length % 8:
            raise ValueError(f"状态列表至少 {MIN_LENGTH} 位且为 8 的倍数，收到 {length}")
        self._bytes = bytearray(length // 8)

    @classmethod
    def from_indices(cls, indices: Iterable[int], length: int = MIN_LENGTH) -> Bitstring:
        bits = cls(length)
        for index in indices:
            bits.set(index, True)
        return bits

    @property
    def length(self) -> int:
        return len(self._bytes) * 8

    def _position(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.length:
            raise IndexError(f"状态位置 {index} 超出列表（0–{self.length - 1}）")
        return index >> 3, 0x80 >> (index & 7)  # left-most bit first

    def __getitem__(self, index: int) -> bool:
        byte, mask = self._position(index)
        return bool(self._bytes[byte] & mask)

    def set(self, index: int, value: bool) -> None:
        byte, mask = self._position(index)
        if value:
            self._bytes[byte] |= mask
        else:
            self._bytes[byte] &= ~mask & 0xFF

    def set_indices(self) -> Iterator[int]:
        for byte_index, byte in enumerate(self._bytes):
            if byte:
                for bit in range(8):
                    if byte & (0x80 >> bit):
                        yield byte_index * 8 + bit

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bitstring) and self._bytes == other._bytes

    __hash__ = None  # type: ignore[assignment]  # mutable

    def encode(self) -> str:
        """The `encodedList` text: "u" + base64url (no padding) of GZIP(bitstring)."""
        data = bytes(self._bytes)
        deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = deflate.compress(data) + deflate.flush()
        gz = _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
        return "u" + base64.urlsafe_b64encode(gz).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str, *, limit: int = DECODE_LIMIT) -> Bitstring:
        """Read an `encodedList`; `StatusListError` ("malformed", "too_short") if it is not one."""
        if not encoded.startswith("u") or not _BASE64URL.fullmatch(encoded, 1):
            raise StatusListError("malformed", "encodedList 应为 u 开头、不带填充的 base64url 文本")
        text = encoded[1:]
        try:
            gz = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise StatusListError("malformed", "encodedList 不是有效的 base64url") from None
        inflate = zlib.decompressobj(wbits=31)  # GZIP framing, its CRC and length checked
        try:
            data = inflate.decompress(gz, limit + 1)
        except zlib.error as error:
            raise StatusListError("malformed", f"encodedList 不是有效的 GZIP 数据（{error}）") from None
        if len(data) > limit:
            raise StatusListError("malformed", f"状态列表解压后超过 {limit} 字节，拒绝")
        if not inflate.eof or inflate.unused_data:
            raise StatusListError("malformed", "encodedList 的 GZIP 数据不完整或有多余内容")
        if len(data) * 8 < MIN_LENGTH:
            raise StatusListError("too_short", f"状态列表只有 {len(data) * 8} 位，少于规定的 "
                                               f"{MIN_LENGTH} 位")
        bits = cls.__new__(cls)
        bits._bytes = bytearray(data)
        return bits


# --- allocation ----------------------------------------------------------------------------------


def index_draw(used: Collection[int], length: int = MIN_LENGTH) -> int:
    """A random position in a list of `length` bits that is not in `used`; `ListFull` if none.

    Drawn with `secrets` (the position must not be predictable from earlier ones). When the
    list is nearly full and draws keep hitting used positions, one of the free positions is
    chosen instead, still uniformly."""
    if len(used) >= length:
        raise ListFull(f"状态列表的 {length} 个位置已全部分配")
    for _ in range(_DRAWS):
        index = secrets.randbelow(length)
        if index not in used:
            return index
    free = [index for index in range(length) if index not in used]
    if not free:
        raise ListFull(f"状态列表的 {length} 个位置已全部分配")
    return secrets.choice(free)


@dataclass(frozen=True, slots=True)
class ListFill:
    """One list of a purpose as the caller keeps it: its key, length and taken positions."""

    key: str
    length: int
    used: Collection[int]


@dataclass(frozen=True, slots=True)
class Allocation:
    """Where a new licence's entry goes: `key` None means open a new list (of MIN_LENGTH)."""

    key: str | None
    index: int


def index_allocate(lists: Iterable[ListFill]) -> Allocation:
    """A free random position in the first list with room, or in a new list."""
    for fill in lists:
        if len(fill.used) < fill.length:
            try:
                return Allocation(fill.key, index_draw(fill.used, fill.length))
            except ListFull:  # `used` held positions outside the list
                continue
    return Allocation(None, index_draw((), MIN_LENGTH))


# --- the list credential -------------------------------------------------------------------------


def _beijing(moment: dt.datetime) -> str:
    return moment.astimezone(CST).replace(microsecond=0).isoformat()


def status_list_credential(*, url: str, purpose: str, bits: Bitstring, issuer: str, kid: str,
                           now: dt.datetime,
                           validity: dt.timedelta = STATUS_LIST_MAX_VALIDITY) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for `bits`, valid from `now` for `validity`."""
    if now.tzinfo is None:
        raise ValueError("now 须带时区")
    start = now.astimezone(CST).replace(microsecond=0)
    return {
        "@context": [VC_CONTEXT],
        "type": ["VerifiableCredential", STATUS_LIST_CREDENTIAL],
        "id": url,
        "issuer": {"id": issuer, "kid": kid},
        "validFrom": _beijing(start),
        "validUntil": _beijing(start + validity),
        "credentialSubject": {"id": url + "#list", "type": STATUS_LIST_SUBJECT,
                              "statusPurpose": purpose, "encodedList": bits.encode()},
    }


def status_list_sign(*, url: str, purpose: str, bits: Bitstring, issuer: str, signer: Signer,
                     now: dt.datetime,
                     validity: dt.timedelta = STATUS_LIST_MAX_VALIDITY) -> SignedCredential:
    """Build and sign a list credential (credential_sign checks its shape and the 24 hours)."""
    return credential_sign(status_list_credential(url=url, purpose=purpose, bits=bits,
                                                  issuer=issuer, kid=signer.kid, now=now,
                                                  validity=validity), signer)


# --- the verifier --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifiedStatusList:
    """A list whose signature and shape held: what a verifier may keep in memory. Freshness
    is not part of it; `status_of` checks it against the time of each check."""

    url: str
    issuer: str
    purpose: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    bits: Bitstring


@dataclass(frozen=True, slots=True)
class Status:
    ok: bool  # the list could be relied on and the licence's bit is not set
    code: Code
    reason: str  # for people, in Chinese
    purpose: str | None = None


def status_list_verify(signed: SignedCredential, keys: KeyRing) -> VerifiedStatusList:
    """Check a list credential's signature (key by kid from `keys`, registered for the list's
    issuer), its shape and its bitstring; `StatusListError` says why not."""
    verification = credential_verify_with(keys, signed.data, signed.signature)
    if not verification.ok or verification.credential is None:
        raise StatusListError(_ENVELOPE_CODES.get(verification.code, "malformed"),
                              f"状态列表无效：{verification.reason}")
    credential = verification.credential
    if STATUS_LIST_CREDENTIAL not in credential["type"]:
        raise StatusListError("not_a_status_list",
                              f"所给文件不是状态列表（type 中没有 {STATUS_LIST_CREDENTIAL}）")
    subject = credential["credentialSubject"]
    return VerifiedStatusList(
        url=credential["id"], issuer=credential["issuer"]["id"],
        purpose=subject["statusPurpose"],
        valid_from=dt.datetime.fromisoformat(credential["validFrom"]),
        valid_until=dt.datetime.fromisoformat(credential["validUntil"]),
        bits=Bitstring.decode(subject["encodedList"]))


def status_of(entry: Mapping[str, Any], status_list: SignedCredential | VerifiedStatusList,
              now: dt.datetime, keys: KeyRing, *, issuer: str | None = None) -> Status:
    """The status a licence's `credentialStatus` entry has in `status_list` at `now`.

    Fails closed: `ok` is True only when the list verifies, is the one the entry names (and,
    with `issuer`, was issued by the licence's issuer), has the entry's purpose, is valid at
    `now`, and the bit is 0. A stale list gives code "stale"."""
    if now.tzinfo is None:
        raise ValueError("now 须带时区")
    try:
        status_entry_check(entry)
    except CredentialError as error:
        return Status(False, "malformed", f"证照的状态条目格式不符：{error.message}")
    purpose = entry["statusPurpose"]
    if isinstance(status_list, SignedCredential):
        try:
            status_list = status_list_verify(status_list, keys)
        except StatusListError as error:
            return Status(False, error.code, error.message, purpose)
    if status_list.url != entry["statusListCredential"]:
        return Status(False, "wrong_list", f"所给状态列表是 {status_list.url}，证照的状态在 "
                                           f"{entry['statusListCredential']}", purpose)
    if issuer is not None and status_list.issuer != issuer:
        return Status(False, "wrong_issuer", f"状态列表由 {status_list.issuer} 签发，不是证照的"
                                             f"颁证机构 {issuer}", purpose)
    if status_list.purpose != purpose:
        return Status(False, "wrong_purpose", f"状态列表的用途是 {status_list.purpose}，证照的"
                                              f"状态条目要求 {purpose}", purpose)
    if now + CLOCK_SKEW < status_list.valid_from:
        return Status(False, "not_yet_valid",
                      f"状态列表自 {_shown(status_list.valid_from)} 起生效，请检查本机时间", purpose)
    if now > status_list.valid_until:
        return Status(False, "stale",
                      f"状态列表已于 {_shown(status_list.valid_until)} 过期，不能据此确认证照"
                      "未被撤销或暂停；请更新状态列表后重新核验，或在线核验", purpose)
    index = int(entry["statusListIndex"])
    if index >= status_list.bits.length:
        return Status(False, "out_of_range", f"状态位置 {index} 超出状态列表（共 "
                                             f"{status_list.bits.length} 位）", purpose)
    if status_list.bits[index]:
        return Status(False, "set", _PURPOSE_SET[purpose], purpose)
    return Status(True, "unset", _PURPOSE_UNSET[purpose], purpose)


def licence_status(credential: Mapping[str, Any],
                   lists: Mapping[str, SignedCredential | VerifiedStatusList],
                   now: dt.datetime, keys: KeyRing) -> Status:
    """Every status entry of a (verified) licence against the lists at hand, by URL: the first
    failure, or ok when all of them hold. A list not at hand fails (closed)."""
    status = credential.get("credentialStatus")
    entries = [status] if isinstance(status, Mapping) else status
    if not isinstance(entries, list) or not entries:
        return Status(False, "malformed", "证照没有状态条目")
    results = []
    for entry in entries:
        url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
        if not isinstance(url, str) or url not in lists:
            purpose = entry.get("statusPurpose") if isinstance(entry, Mapping) else None
            return Status(False, "missing_list", f"没有状态列表 {url}，无法确认证照未被撤销或"
                                                 "暂停；请先更新状态列表，或在线核验",
                          purpose if purpose in STATUS_PURPOSES else None)
        result = status_of(entry, lists[url], now, keys, issuer=credential["issuer"]["id"])
        if not result.ok:
            return result
        results.append(result.reason)
    return Status(True, "unset", "；".join(results))


def _shown(moment: dt.datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
