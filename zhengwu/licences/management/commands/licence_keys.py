"""`zhengwu licence-keys create NAME --issuer USCC`, `zhengwu licence-keys list`,
`zhengwu licence-keys departments`.

`departments` makes the key file of every department that has none (each signs its notices,
issue 11 item 9): an installation whose pack was loaded before notices were signed runs it once.

Development key files for signing licences (licences.signing). Production signs through the
remote signing service instead (ZHENGWU_LICENCE_SIGNING_SERVICE, docs/licences.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.departments.models import Department
from zhengwu.licences.services import department_keys_ensure
from zhengwu.licences.signing import (
    KeyFileError,
    keyfile_create,
    licence_key_path,
    public_key_file_read,
)


class Command(BaseCommand):
    help = "电子证照签名密钥（开发用密钥文件）：create 生成，list 列出公钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="生成 SM2 密钥文件（权限 0600），不覆盖已有文件")
        create.add_argument("name", help="密钥名，如颁证部门的简称或统一社会信用代码")
        create.add_argument("--issuer", required=True, help="颁证机构统一社会信用代码")
        sub.add_parser("list", help="列出密钥：名称、密钥标识、颁证机构、公钥")
        sub.add_parser("departments", help="为尚无密钥的每个部门生成密钥文件（部门以密钥签署文书）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "departments":
            self._departments()
            return
        if options["action"] == "create":
            try:
                signer = keyfile_create(licence_key_path(options["name"]),
                                        issuer=options["issuer"])
            except KeyFileError as error:
                raise CommandError(error.message) from error
            self.stdout.write(f"已生成 {signer.path}（权限 0600）\n"
                              f"kid={signer.kid}\npublic={signer.public_key.hex()}")
            return
        try:
            for path in sorted(Path(settings.ZHENGWU_LICENCE_KEY_DIR).glob("*.pub")):
                key = public_key_file_read(path)
                self.stdout.write(f"{path.stem}\t{key.kid}\t{key.issuer}\t{key.public_key.hex()}")
        except KeyFileError as error:
            raise CommandError(error.message) from error

    def _departments(self) -> None:
        if settings.ZHENGWU_LICENCE_SIGNING_SERVICE:
            raise CommandError("已配置签名服务（ZHENGWU_LICENCE_SIGNING_SERVICE）：请在签名服务中为每个"
                               "部门建立以其统一社会信用代码命名的密钥，本命令不生成密钥文件。")
        try:
            made = department_keys_ensure(list(Department.objects.order_by("pk")))
        except KeyFileError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"已为 {len(made)} 个部门生成密钥文件"
                          + (f"：{'、'.join(made[:20])}{' …' if len(made) > 20 else ''}"
                             if made else "（各部门均已有密钥）"))
