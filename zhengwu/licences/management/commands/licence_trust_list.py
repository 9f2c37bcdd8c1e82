"""`zhengwu licence-trust-list build SPEC --key NAME`, `… verify FILE --authority PUB`,
`… accept FILE`.

The trust list of other issuers (licences.trust_list). `build` signs a document written by
hand (JSON; `issued`, `nextUpdate` — `--valid-days` after issued, 30 by default — and
`authority.kid` are filled in when absent) with the authority's key
and writes the file that travels; `verify` checks such a file against the authority's public
key file (<name>.pub) and, with --last-sequence, refuses a rollback; `accept FILE` verifies a
file against the pinned authority key (ZHENGWU_LICENCE_TRUST_AUTHORITY) and the sequence last
accepted, and makes it the trust list in force (licences.trust).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM
from zhengwu.licences.signing import KeyFileError, public_key_file_read, signer_get
from zhengwu.licences.trust import trust_list_accept
from zhengwu.licences.trust_list import (
    TrustListError,
    trust_list_dumps,
    trust_list_loads,
    trust_list_sign,
    trust_list_verify,
)

CST = dt.timezone(dt.timedelta(hours=8))

# An edition's life when the spec does not say (a monthly edition, renewed before it ends).
VALID_DAYS = 30


class Command(BaseCommand):
    help = "电子证照信任列表（跨域互认）：build 签发，verify 核验，accept 接受为现行列表。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="用信任列表签发机构的密钥签发信任列表文件")
        build.add_argument("spec", help="信任列表内容（JSON，未签名）")
        build.add_argument("--key", required=True, help="签发机构的密钥名（licence-keys）")
        build.add_argument("--out", help="输出文件（默认标准输出）")
        build.add_argument("--valid-days", type=int, default=VALID_DAYS,
                           help=f"未写 nextUpdate 时，自签发起多少天后过期（默认 {VALID_DAYS}）")
        verify = sub.add_parser("verify", help="核验信任列表文件")
        verify.add_argument("file", help="信任列表文件")
        verify.add_argument("--authority", required=True, help="签发机构的公钥文件（.pub）")
        verify.add_argument("--last-sequence", type=int, default=None,
                            help="上次接受的序号：不大于它的列表被拒绝")

        accept = sub.add_parser("accept", help="核验信任列表文件并作为现行信任列表保存")
        accept.add_argument("file", help="信任列表文件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "build":
            self._build(options)
        elif options["action"] == "accept":
            self._accept(options)
        else:
            self._verify(options)

    def _accept(self, options: dict[str, Any]) -> None:
        try:
            trust = trust_list_accept(Path(options["file"]).read_bytes(), actor=SYSTEM,
                                      now=clock.now())
        except (KeyFileError, TrustListError) as error:
            raise CommandError(error.message) from error
        except OSError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"ok：已接受信任列表第 {trust.sequence} 版（{len(trust.issuers)} 个"
                          f"颁证机构），签发机构 {trust.authority}")

    def _build(self, options: dict[str, Any]) -> None:
        try:
            document = json.loads(Path(options["spec"]).read_text(encoding="utf-8"))
            signer = signer_get(options["key"])
            if isinstance(document, dict):
                document.setdefault("issued", dt.datetime.now(CST).replace(
                    microsecond=0).isoformat())
                if isinstance(document["issued"], str) and "nextUpdate" not in document:
                    document["nextUpdate"] = (dt.datetime.fromisoformat(document["issued"])
                                              + dt.timedelta(days=options["valid_days"])
                                              ).isoformat()
                if isinstance(document.get("authority"), dict):
                    document["authority"].setdefault("kid", signer.kid)
            signed = trust_list_sign(document, signer)
        except (OSError, ValueError) as error:  # TrustListError, KeyFileError, JSON errors
            raise CommandError(getattr(error, "message", str(error))) from error
        if options["out"]:
            Path(options["out"]).write_bytes(trust_list_dumps(signed))
            self.stdout.write(f"已写入 {options['out']}（kid={signed.kid}）")
        else:
            sys.stdout.buffer.write(trust_list_dumps(signed))

    def _verify(self, options: dict[str, Any]) -> None:
        try:
            authority = public_key_file_read(Path(options["authority"]))
            signed = trust_list_loads(Path(options["file"]).read_bytes())
            trust = trust_list_verify(signed.data, signed.signature, authority,
                                      last_sequence=options["last_sequence"])
        except (KeyFileError, TrustListError) as error:
            raise CommandError(error.message) from error
        except OSError as error:
            raise CommandError(str(error)) from error
        now = dt.datetime.now(CST)
        self.stdout.write(f"ok：信任列表第 {trust.sequence} 版，签发机构 {trust.authority}，"
                          f"签发于 {trust.issued:%Y-%m-%d %H:%M:%S}")
        for issuer in trust.issuers.values():
            keys = "、".join(f"{key.kid}{'' if key.valid_at(now) else '（当前不在有效期）'}"
                            for key in issuer.keys)
            self.stdout.write(f"{issuer.id}\t{issuer.name}\t{issuer.region}\t密钥 {keys}\t"
                              f"证照类型 {'、'.join(sorted(issuer.licence_types))}")
