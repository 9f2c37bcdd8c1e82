"""`zhengwu licence-id check ID`, `zhengwu licence-id build TYPE ISSUER SERIAL [--version N]`.

`check` prints `ok` (exit 0), or the expected check character on stdout with the reason on
stderr (exit 1); a malformed identifier prints only the reason (exit 2). Scripts can thus test
the exit status or read the right character.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.licences.identifier import (
    LicenceIdCheckError,
    LicenceIdError,
    licence_id_build,
    licence_id_parse,
)


class Command(BaseCommand):
    help = "电子证照标识（GB/T 36904）：check 校验，build 生成带校验位的标识。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="校验证照标识：正确输出 ok，否则输出应有的校验位")
        check.add_argument("identifier")
        build = sub.add_parser("build", help="由类型代码、颁证机构代码、流水号生成证照标识")
        build.add_argument("type_code", help="证照类型代码（21 位）")
        build.add_argument("issuer_code", help="颁证机构统一社会信用代码")
        build.add_argument("serial", help="流水号")
        build.add_argument("--version", dest="licence_version", default="1", help="版本号，默认 1")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "build":
            try:
                version = int(options["licence_version"])
                built = licence_id_build(options["type_code"], options["issuer_code"],
                                         options["serial"], version)
            except ValueError as error:  # LicenceIdError is a ValueError too
                message = getattr(error, "message", f"版本号“{options['licence_version']}”无效")
                raise CommandError(message) from error
            self.stdout.write(str(built))
            return
        try:
            licence_id_parse(options["identifier"])
        except LicenceIdCheckError as error:
            self.stdout.write(error.expected)
            self.stderr.write(error.message)
            sys.exit(1)
        except LicenceIdError as error:
            self.stderr.write(error.message)
            sys.exit(2)
        self.stdout.write("ok")
