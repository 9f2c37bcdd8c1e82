"""Inserting many rows of a known shape at once, for sweeps that write thousands of rows in one
transaction (the deemed-approval sweep: notices, timeline events, failure records, outbox rows).

`rows_insert` prepares each value the way the model field does (`get_db_prep_save`, as
`bulk_create` does; see `_preparer` for how it avoids most of that cost) and sends one `executemany`, without building a model instance per row:
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
    preparers = [_preparer(field, connection) for field in named]
    prepared = [[prepare(value) for prepare, value in zip(preparers, row, strict=True)]
                + constant for row in rows]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
    return len(prepared)



# Fields whose preparation returns a value of this exact type unchanged, on every backend
# (`to_python` of a str is the str, of an int the int): exact classes only, so a subclass that
# prepares differently goes the general way.
_UNCHANGED: dict[type, type] = {models.CharField: str, models.TextField: str,
                                models.SlugField: str, models.IntegerField: int,
                                models.BigIntegerField: int, models.SmallIntegerField: int,
                                models.PositiveIntegerField: int,
                                models.PositiveSmallIntegerField: int, models.BooleanField: bool}


def _preparer(field: models.Field[Any, Any], connection: Any) -> Any:
    """`field.get_db_prep_save` for one column of many rows, without its cost where it is
    known: a sweep's 10,000 rows × 10 columns went through the field's chain of calls one value
    at a time, half the deemed-approval sweep's time. Values the field passes through unchanged
    (a str for a text column, an int for an integer or a foreign key to one) are sent as they
    are; other hashable values are prepared once per distinct value (the moment, a status);
    the rest (JSON) every time. Type and time zone are part of the memo's key, so `1` and
    `True`, or two equal instants in other zones, are never mixed up."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    unchanged = _UNCHANGED.get(type(target))
    if isinstance(target, models.AutoField | models.BigAutoField | models.SmallAutoField):
        unchanged = int
    if isinstance(field, models.ForeignKey) and type(field).get_db_prep_save is not \
            models.ForeignKey.get_db_prep_save:
        unchanged = None
    memo: dict[tuple[type, Any, Any], Any] = {}
    prepare = field.get_db_prep_save

    def prepared(value: Any) -> Any:
        kind = type(value)
        if kind is unchanged:
            return value
        try:
            key = (kind, value, getattr(value, "tzinfo", None))
            return memo[key]
        except KeyError:
            memo[key] = result = prepare(value, connection)
            return result
        except TypeError:  # unhashable: a dict or list for a JSON column
            return prepare(value, connection)

    return prepared
