"""Inserting many rows of a known shape at once, for sweeps that write thousands of rows in one
transaction (the deemed-approval sweep: notices, timeline events, failure records, outbox rows).

`rows_insert` prepares each value the way the model field does (`get_db_prep_save`, as
`bulk_create` does) and sends one `executemany`, without building a model instance per row:
about half of a bulk insert's cost in Python goes into those instances (docs/benchmarks.md,
"Process engine"). Fields not named take their model default (or NULL where allowed), so a
column added later does not break the caller; a NOT NULL column with neither is refused before
anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.constants import OnConflict

from zhengwu.core import clock


def rows_insert(model: type[models.Model], fields: Sequence[str],
                rows: Iterable[Sequence[Any]], *, ignore_conflicts: bool = False) -> int:
    """Insert `rows` (values in the order of `fields`, foreign keys as ids) into `model`'s
    table in one statement per database round (executemany). With `ignore_conflicts`, a row
    that breaks a unique constraint is skipped, as `bulk_create(ignore_conflicts=True)` does.
    Returns how many rows were sent. Model signals are not sent (nor are they by bulk_create)."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    opts = model._meta
    named: list[models.Field[Any, Any]] = []
    for name in fields:
        field = opts.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise ValueError(f"{opts.label}.{name} is not a column")
        named.append(field)
    given = {field.attname for field in named}
    filled: list[tuple[models.Field[Any, Any], Any]] = []
    for field in opts.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            filled.append((field, clock.now()))
            continue
        # The model's default; "" for a text column without one, as a model instance has.
        value = field.get_default()
        if value is None and not field.null:
            raise ValueError(f"{opts.label}.{field.name} has no value, default or NULL")
        filled.append((field, value))
    columns = [*named, *(field for field, _ in filled)]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    table = connection.ops.quote_name(opts.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    marks = ", ".join(["%s"] * len(columns))
    suffix = connection.ops.on_conflict_suffix_sql(columns, on_conflict, None, None) or ""
    sql = (f"{connection.ops.insert_statement(on_conflict=on_conflict)} {table} ({names}) "
           f"VALUES ({marks}) {suffix}").rstrip()
    constant = [field.get_db_prep_save(value, connection) for field, value in filled]
    prepared = [[field.get_db_prep_save(value, connection) for field, value in zip(
        named, row, strict=True)] + constant for row in rows]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
    return len(prepared)
