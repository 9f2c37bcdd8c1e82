"""The numbers the platform prints, all from one sequence table (core.Counter), numbered
inside the caller's transaction so that a rolled-back move gives its number back:

- 办件编号 `case_number`: county (6) + date (8) + the county's daily sequence (6),
  e.g. 43048120261127000123. GB/T 39046 only bounds it (an..50); no national format exists
  (standards-notes §2).
- 一件事编号 `bundle_number`: YJ + county (6) + date (8) + daily sequence (6).
- 联合审查编号 `joint_review_number`: LS + year + the year's sequence (6), e.g. LS2026000012.
- 文号 `document_number`: printed prefix + kind mark + 〔year〕 + sequence + 号, e.g.
  耒政服受〔2026〕123号. One sequence per printed prefix and year (`{prefix}{mark}`), whoever
  prints it: departments sharing a document prefix, or a case and a bundle notice whose marks
  print alike, can never print the same 文号.

`next_value` is one statement (an upsert with RETURNING: SQLite ≥ 3.35 and PostgreSQL); the
row stays locked until the caller's transaction ends, so concurrent callers get consecutive,
distinct numbers.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from zhengwu.core.models import Counter

# Printed where a department has no document prefix of its own.
DEFAULT_DOCUMENT_PREFIX = "政务"


def next_value(scope: str, amount: int = 1) -> int:
    """Reserve `amount` numbers of the sequence `scope` and return the last one."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, value) VALUES (%s, %s) "  # noqa: S608 — table name is ours
            f"ON CONFLICT (scope) DO UPDATE SET value = {table}.value + EXCLUDED.value "
            "RETURNING value", [scope, amount])
        row = cursor.fetchone()
    return int(row[0])


def case_number(region_code: str, day: dt.date) -> str:
    """办件编号 of the county of `region_code`, filed on `day` (local date)."""
    county = region_code[:6]
    return f"{county}{day:%Y%m%d}{next_value(f'case:{county}:{day:%Y%m%d}'):06d}"


def bundle_number(region_code: str, day: dt.date) -> str:
    """一件事编号 of the county of `region_code`, filed on `day` (local date)."""
    county = region_code[:6]
    return f"YJ{county}{day:%Y%m%d}{next_value(f'bundle:{county}:{day:%Y%m%d}'):06d}"


def joint_review_number(year: int) -> str:
    """联合审查编号 of a session scheduled in `year` (local year)."""
    return f"LS{year}{next_value(f'jointreview:{year}'):06d}"


def document_scope(prefix: str, mark: str, year: int) -> str:
    """The sequence of one printed prefix, e.g. 耒政服受 in 2026 → document:耒政服受:2026."""
    return f"document:{prefix or DEFAULT_DOCUMENT_PREFIX}{mark}:{year}"


def _document(prefix: str, mark: str, year: int, sequence: int) -> str:
    return f"{prefix or DEFAULT_DOCUMENT_PREFIX}{mark}〔{year}〕{sequence}号"


def document_number(prefix: str, mark: str, year: int) -> str:
    """The next 文号 of `prefix` (a department's document prefix; 政务 when it has none) and
    `mark` (the kind: 受, 不许, 一件事结, 联审 …) in `year` (local year)."""
    return _document(prefix, mark, year, next_value(document_scope(prefix, mark, year)))


def document_numbers(prefix: str, mark: str, year: int, count: int) -> list[str]:
    """`count` consecutive 文号 in one statement (a sweep numbering a batch)."""
    if count <= 0:
        return []
    last = next_value(document_scope(prefix, mark, year), count)
    return [_document(prefix, mark, year, n) for n in range(last - count + 1, last + 1)]
