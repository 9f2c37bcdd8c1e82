"""`zhengwu licences verify FILE [--status-list LIST …] [--at ISO]`.

Verifies a licence exported by its holder (`/licences/<id>/credential.json`, licences.export),
or the text of its offline compact QR (a file holding `ZW1:…`, licences.compact), without
asking its issuer: the signature against our own public keys (the key folder's .pub
files) or, for another issuer, the trust list in force (licences.trust); then its status
against the status lists given with --status-list (files as the list URL serves them), or the
server's stored lists when none is given. A list past its validUntil is refused. Prints in
Chinese whether the licence is valid and why not.

Exit code: 0 valid; 1 invalid (signature, validity, revoked, suspended, or an issuer nobody
trusts: 请向颁证地区在线核验); 2 the input cannot be used (an unreadable file, or no fresh
and genuine status list for the licence: the answer is not known).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from zhengwu.core import clock
from zhengwu.licences import status, trust
from zhengwu.licences.compact import PREFIX, compact_status, compact_verify
from zhengwu.licences.credential import SignedCredential
from zhengwu.licences.export import FORMAT
from zhengwu.licences.signing import KeyFileError, KeyRing
from zhengwu.licences.status_list import Status, licence_status
from zhengwu.licences.trust_list import TrustList, TrustListError, credential_verify_any

VALID: Final = 0
INVALID: Final = 1
UNUSABLE: Final = 2
# Status codes that say something about the licence; any other means the list at hand could
# not be relied on, so the answer is unknown rather than "invalid".
_STATUS_INVALID: Final = frozenset({"set"})


class Command(BaseCommand):
    help = "离线核验电子证照：zhengwu licences verify 证照文件 [--status-list 状态列表文件]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="离线核验持证人下载的证照文件（credential.json）")
        verify.add_argument("file", help="证照文件（zhengwu-licence/1），或离线核验码文本（ZW1:…）")
        verify.add_argument("--status-list", action="append", default=[], metavar="FILE",
                            help="状态列表文件（可多次给出；不给时用本服务器保存的状态列表）")
        verify.add_argument("--at", help="按此时刻核验（ISO 8601，带时区；默认现在）")

    def handle(self, *args: Any, **options: Any) -> None:
        sys.exit(self._verify(options))

    def _say(self, text: str) -> None:
        self.stdout.write(text)

    def _verify(self, options: dict[str, Any]) -> int:
        try:
            now = _moment(options["at"])
            raw = Path(options["file"]).read_bytes()
            compact = raw.strip().decode("ascii", "replace") \
                if raw.lstrip().startswith(PREFIX.encode()) else None
            data, signature = _licence_read(raw) if compact is None else (b"", b"")
            lists = {}
            for name in options["status_list"]:
                signed = status.status_list_loads(Path(name).read_bytes())
                lists[_list_id(signed)] = signed
        except (OSError, ValueError) as error:
            self._say(f"无法核验：{error}")
            return UNUSABLE
        own = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
        try:
            trusted = _trust_in_force()
        except (KeyFileError, TrustListError) as error:
            self._say(f"无法核验：现行信任列表不可用（{error}）")
            return UNUSABLE
        if compact is not None:
            return self._verify_compact(compact, own, trusted, lists or _stored_lists(), now)
        checked = credential_verify_any(own, trusted, data, signature, at=now)
        if not checked.ok or checked.credential is None:
            self._say(f"无效：{checked.reason}")
            return INVALID
        credential = checked.credential
        if not options["status_list"]:
            lists = _stored_lists()
        keys = KeyRing([*own, *(trusted.key_ring(now) if trusted else ())])
        return self._status_said(licence_status(credential, lists, now, keys),
                                 checked.reason, credential["id"])

    def _status_said(self, result: Status, signature: str, identifier: str) -> int:
        """Print the verdict after a good signature: valid, invalid (a set bit), or unknown
        (no fresh, genuine list at hand); the exit code."""
        if not result.ok:
            if result.code in _STATUS_INVALID:
                self._say(f"无效：{result.reason}（证照 {identifier}）")
                return INVALID
            self._say(f"无法确认状态：{result.reason}")
            return UNUSABLE
        self._say(f"有效：{signature}；{result.reason}（证照 {identifier}）")
        return VALID

    def _verify_compact(self, text: str, own: KeyRing, trusted: TrustList | None,
                        lists: dict[str, SignedCredential], now: dt.datetime) -> int:
        """The offline compact QR's text (licences.compact): its signature with the public
        key alone, then its status bits against the lists, as a full licence's."""
        keys = KeyRing([*own, *(trusted.key_ring(now) if trusted else ())])
        checked = compact_verify(text, keys, at=now)
        if not checked.ok or checked.licence is None:
            self._say(f"无效：{checked.reason}")
            return INVALID
        return self._status_said(
            compact_status(checked.licence, lists, status.status_list_url, now, keys),
            "离线核验码签名有效", checked.licence.identifier)


def _moment(text: str | None) -> dt.datetime:
    if not text:
        return clock.now()
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("--at 须带时区，例如 2026-12-06T09:00:00+08:00")
    return moment


def _licence_read(text: bytes) -> tuple[bytes, bytes]:
    try:
        envelope = json.loads(text)
        if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
            raise ValueError(f"不是 {FORMAT} 格式的证照文件")
        return (base64.b64decode(envelope["credential"], validate=True),
                base64.b64decode(envelope["signature"], validate=True))
    except (KeyError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise ValueError(f"证照文件无法读取：{error}") from None


def _list_id(signed: SignedCredential) -> str:
    """The URL a list file claims (checked against its signature later, by status_of)."""
    try:
        url = json.loads(signed.data)["id"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("状态列表文件的内容不是状态列表") from None
    if not isinstance(url, str):
        raise ValueError("状态列表文件的内容不是状态列表")
    return url


def _trust_in_force() -> TrustList | None:
    """The trust list the server accepted; None off the server (no database) or when none
    was accepted: other issuers' licences are then sent online."""
    try:
        return trust.trust_list_in_force()
    except DatabaseError:
        return None


def _stored_lists() -> dict[str, SignedCredential]:
    try:
        return status.stored_lists()
    except DatabaseError:
        return {}
