"""The sequences move to core.Counter (core.numbering), keeping every value, so that no number
already printed is printed again.

文号 sequences were kept per department prefix and notice kind, in three families of scopes
(cases, bundle notices, joint-review results); core.numbering keeps one per printed prefix
(`document:{prefix}{mark}:{year}`). Each old scope is carried over to the printed prefix it
numbered; where two old scopes print alike, the new sequence goes on after the larger one.
The marks are copied here as they were printed, as a migration must not follow later code.
Case, bundle and joint-review number scopes keep their names.
"""

from django.db import migrations

DEFAULT_PREFIX = "政务"
CASE_MARKS = {"acceptance": "受", "refusal": "不受", "supplement": "补", "suspension": "特",
              "extension": "延", "grant": "许", "denial": "不许", "deemed": "默",
              "revocation": "撤"}
BUNDLE_MARKS = {"acceptance": "一件事受", "supplement": "一件事补", "refusal": "一件事不受",
                "completion": "一件事结"}
RESULT_MARK = "联审"


def new_scope(scope: str) -> str:
    family, _, rest = scope.partition(":")
    if family in ("notice", "bundle_notice"):
        prefix, kind, year = rest.rsplit(":", 2)
        marks = CASE_MARKS if family == "notice" else BUNDLE_MARKS
        if kind in marks:
            return f"document:{prefix or DEFAULT_PREFIX}{marks[kind]}:{year}"
    elif family == "jointreview-result":
        prefix, year = rest.rsplit(":", 1)
        return f"document:{prefix or DEFAULT_PREFIX}{RESULT_MARK}:{year}"
    return scope


def old_scopes(scope: str) -> list[str]:
    """The old scopes a new one continues (reverse: each gets the new value, so none can
    reissue a number)."""
    family, _, rest = scope.partition(":")
    if family != "document":
        return [scope]
    printed, year = rest.rsplit(":", 1)
    found = []
    for kind, mark in CASE_MARKS.items():
        if printed.endswith(mark) and printed != mark:
            found.append(f"notice:{printed[:-len(mark)]}:{kind}:{year}")
    for kind, mark in BUNDLE_MARKS.items():
        if printed.endswith(mark) and printed != mark:
            found.append(f"bundle_notice:{printed[:-len(mark)]}:{kind}:{year}")
    if printed.endswith(RESULT_MARK) and printed != RESULT_MARK:
        found.append(f"jointreview-result:{printed[:-len(RESULT_MARK)]}:{year}")
    return found


def carry_over(apps, schema_editor):
    Old = apps.get_model("cases", "Counter")
    New = apps.get_model("core", "Counter")
    values: dict[str, int] = {}
    for scope, value in Old.objects.values_list("scope", "value").iterator():
        key = new_scope(scope)
        values[key] = max(values.get(key, 0), value)
    New.objects.bulk_create([New(scope=k, value=v) for k, v in values.items()], batch_size=500)


def carry_back(apps, schema_editor):
    Old = apps.get_model("cases", "Counter")
    New = apps.get_model("core", "Counter")
    rows = [Old(scope=old, value=value)
            for scope, value in New.objects.values_list("scope", "value").iterator()
            for old in old_scopes(scope)]
    Old.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_audit_seal'),
        ('core', '0002_counter'),
    ]

    operations = [
        migrations.RunPython(carry_over, carry_back),
        migrations.DeleteModel(
            name='Counter',
        ),
    ]
