"""The `zhengwu` console script: Django's manage.py with the platform's own commands.

`zhengwu serve`, `zhengwu worker`, `zhengwu demo`, `zhengwu sweep`, `zhengwu import-catalog`,
`zhengwu export-catalog` … are management commands in the apps; every Django command works too.
"""

from __future__ import annotations

import os
import sys

# Commands whose public name has a dash (architecture.md) map to Django command names.
ALIASES = {
    "import-catalog": "import_catalog",
    "export-catalog": "export_catalog",
    "load-pack": "load_pack",
    "audit-verify": "audit_verify",
    "audit-checkpoint": "audit_checkpoint",
    "audit-export": "audit_export",
    "licence-id": "licence_id",
    "licence-keys": "licence_keys",
    "licence-trust-list": "licence_trust_list",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
