"""Open cases at scale for the case-engine benchmarks (bench/cases.py), written with one
multi-row `INSERT … SELECT` per 100,000 rows straight into `cases_case` (no services, no
events): SQLite counts with a recursive CTE, PostgreSQL with `generate_series`.

Every foreign key is real (implementations, their departments and regions, applicant
accounts), so the rows look like what `case_submit` + `accept` leave behind. Deterministic:
the same arguments give the same rows.

- `due_at`: exactly `overdue` rows (every (total // overdue)-th id) are due 1 minute to 30 days
  before `now`; every other row is due 1 minute to 40 days after it.
- `deemed_eligible`: true on every overdue row and on two rows in three of the others.
- `suspended_every`: every n-th row is `suspended` (clock paused), the rest `accepted`.

The column list is read from the Case model, not written out: the columns this module sets
are the expressions of `_expressions`; every other concrete column gets its model default
(bound as a parameter), or NULL where it is nullable. A NOT NULL column without a default is
refused by name before anything is inserted, so a migration that adds one (as 0003 added
`bundle_number`) cannot break the benchmark with an IntegrityError halfway through.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

CHUNK = 100_000
ID_NUMBER = "43048119900101123X"  # a valid GB 11643 number (the test suite's 张三)

@dataclass(frozen=True)
class Slot:
    """One implementation the generated cases are filed under."""

    implementation_id: int
    department_id: int
    region_id: str
    promised: str
    version: int


def _expressions(vendor: str) -> dict[str, str]:
    """SQL expression per column of cases_case that the generated rows set (over g(i), the
    slot table s and the applicant table a)."""
    if vendor == "sqlite":
        at = "datetime({t}, 'unixepoch')"
        number = "printf('9%%019d', g.i)"
        json = "'{{}}'"
    else:
        at = "to_timestamp({t})"
        number = "'9' || lpad(g.i::text, 19, '0')"
        json = "'{{}}'::jsonb"
    # %(…)s parameters are substituted in Python below (integers only), the rest are %s.
    due = ("(CASE WHEN g.i %% {step} = 0 THEN {base} - 60 - ((g.i / {step}) * 257) %% 2592000 "
           "ELSE {base} + 60 + (g.i * 7919) %% 3456000 END)")
    accepted = f"({due} - 1209600)"
    submitted = f"({due} - 1296000)"
    suspended = "(g.i %% {every} = 0)"
    return {
        "created_at": at.format(t=submitted), "updated_at": at.format(t=submitted),
        "number": number, "item_version": "s.version", "applicant_kind": "'person'",
        "applicant_name": "'申请人' || (g.i %% 1000)", "applicant_id_number": f"'{ID_NUMBER}'",
        "applicant_phone": "a.phone", "channel": "'online'", "form_data": json,
        "status": f"CASE WHEN {suspended} THEN 'suspended' ELSE 'accepted' END",
        "decision": "''", "by_commitment": "(1 = 0)",
        "deemed_eligible": "(g.i %% {step} = 0 OR g.i %% 3 <> 0)",
        "promised_workdays": "s.promised", "legal_workdays": "NULL", "approval_step": "0",
        "submitted_at": at.format(t=submitted), "accepted_at": at.format(t=accepted),
        "due_at": at.format(t=due), "due_provisional": "(1 = 0)",
        "suspended_at": f"CASE WHEN {suspended} THEN {at.format(t=accepted)} ELSE NULL END",
        "decided_at": "NULL", "closed_at": "NULL", "delivered_at": "NULL",
        "delivery_method": "''", "tracking_number": "''", "card": "''",
        "idempotency_key": "NULL", "request_hash": "''",
        "accepting_region_id": "s.region_id", "applicant_id": "a.user_id",
        "department_id": "s.department_id", "implementation_id": "s.implementation_id",
        "region_id": "s.region_id", "submitted_by_id": "a.user_id",
    }


def _series(vendor: str) -> str:
    if vendor == "sqlite":
        return ("(WITH RECURSIVE seq(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM seq "
                "WHERE i < %s) SELECT i FROM seq) AS g")
    return "generate_series(%s::bigint, %s::bigint) AS g(i)"


def insert_columns(model: Any, expressions: dict[str, str],
                   connection: Any) -> tuple[list[str], list[str], list[Any]]:
    """(columns, SQL expressions, parameters of those expressions in order) for an
    `INSERT INTO table (columns) SELECT expressions …` of `model`: every concrete column but
    an auto primary key; `expressions` where given, else the field's default as a bound
    parameter (NULL where the field is nullable and has none). A NOT NULL column with
    neither is a ValueError naming it."""
    from django.db import models

    columns: list[str] = []
    selected: list[str] = []
    params: list[Any] = []
    missing: list[str] = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField):
            continue
        columns.append(field.column)
        if field.column in expressions:
            selected.append(expressions[field.column])
        elif field.has_default() or (field.empty_strings_allowed and not field.null):
            # get_default: the declared default, or "" for a text column without one.
            selected.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            selected.append("NULL")
        else:
            missing.append(field.column)
    unknown = sorted(set(expressions) - set(columns))
    if missing or unknown:
        raise ValueError(
            f"{model._meta.db_table}: "
            + (f"NOT NULL without a default, say what to put in: {', '.join(missing)}; "
               if missing else "")
            + (f"no such columns any more: {', '.join(unknown)}" if unknown else ""))
    return columns, selected, params


def generate_open_cases(*, total: int, overdue: int, now_epoch: int, slots: Sequence[Slot],
                        applicants: Sequence[tuple[int, str]], suspended_every: int = 0,
                        say: Callable[[str], None] = print) -> dict[str, Any]:
    """Insert `total` open cases, exactly `overdue` of them due before `now_epoch`."""
    from django.db import connection, transaction

    from zhengwu.cases.models import Case, CaseStatus

    if total % overdue:
        raise ValueError("total must be a multiple of overdue (every n-th row is overdue)")
    if Case.objects.exists():
        raise RuntimeError("bench/cases_data.py fills an empty, throw-away database only")
    step = total // overdue
    every = suspended_every or total + 1  # never
    vendor = connection.vendor
    columns, selected, defaults = insert_columns(Case, _expressions(vendor), connection)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_case_slot (k integer PRIMARY KEY, implementation_id "
                       "bigint, department_id bigint, region_id varchar(12), promised "
                       "numeric(5,1), version integer)")
        cursor.execute("CREATE TABLE bench_case_applicant (k integer PRIMARY KEY, user_id "
                       "bigint, phone varchar(20))")
        cursor.executemany("INSERT INTO bench_case_slot VALUES (%s, %s, %s, %s, %s, %s)",
                           [(k, s.implementation_id, s.department_id, s.region_id, s.promised,
                             s.version) for k, s in enumerate(slots)])
        cursor.executemany("INSERT INTO bench_case_applicant VALUES (%s, %s, %s)",
                           [(k, user_id, phone) for k, (user_id, phone) in enumerate(applicants)])
        if vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")  # generation only; NORMAL again below
        else:
            cursor.execute("SET synchronous_commit = off")
    sql = (f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) SELECT "
           + ", ".join(selected).format(step=step, base=now_epoch, every=every)
           + f" FROM {_series(vendor)} "
           f"JOIN bench_case_slot s ON s.k = (g.i / 7 + g.i) %% {len(slots)} "
           f"JOIN bench_case_applicant a ON a.k = g.i %% {len(applicants)}")
    try:
        for first in range(1, total + 1, CHUNK):
            last = min(total, first + CHUNK - 1)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [*defaults, first, last])
            if last % 200_000 == 0 or last == total:
                say(f"  cases {last:,}  ({time.perf_counter() - started:.1f}s)")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_case_slot")
            cursor.execute("DROP TABLE bench_case_applicant")
            if vendor == "sqlite":
                cursor.execute("PRAGMA synchronous=NORMAL")
            else:
                cursor.execute("SET synchronous_commit = on")
    seconds = time.perf_counter() - started
    analyse = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if vendor == "sqlite" else "VACUUM ANALYZE cases_case")
    counts = {"total": Case.objects.count(), "overdue": overdue,
              "suspended": Case.objects.filter(status=CaseStatus.SUSPENDED).count(),
              "seconds": seconds, "rows_per_s": total / seconds,
              "analyze_s": time.perf_counter() - analyse}
    say(f"  {counts['total']:,} open cases in {seconds:.1f}s ({counts['rows_per_s']:,.0f} rows/s), "
        f"ANALYZE {counts['analyze_s']:.1f}s")
    return counts


def applicant_accounts(count: int) -> list[tuple[int, str]]:
    """`count` applicant accounts (person, unique phone), bulk-created: (id, phone)."""
    from django.contrib.auth.hashers import make_password

    from zhengwu.accounts.models import User, UserKind
    from zhengwu.core.codes import citizen_id_check_char

    def citizen_id(n: int) -> str:
        # Each account its own number (citizen_id is unique, accounts/0009): 耒阳's 地址码, a
        # fixed birth date and the account's number as 顺序码 prefix, then the real check char.
        first17 = f"43048119850615{n % 1000:03d}"
        return first17 + citizen_id_check_char(first17)

    password = make_password(None)
    if count > 1000:
        raise ValueError("at most 1000 bench applicants: the 顺序码 has three digits")
    User.objects.bulk_create([
        User(username=f"bench-applicant-{n}", kind=UserKind.PERSON, password=password,
             display_name=f"申请人{n}", phone=f"139{n:08d}", citizen_id=citizen_id(n))
        for n in range(count)], batch_size=1000)
    return [(pk, phone or "") for pk, phone in User.objects.filter(
        username__startswith="bench-applicant-").order_by("id").values_list("id", "phone")]


def slots_for(implementations: Sequence[Any]) -> list[Slot]:
    return [Slot(i.pk, i.department_id, i.region_id, str(i.promised_limit_workdays), i.version)
            for i in implementations]
