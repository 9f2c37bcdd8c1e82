"""How much exploring the suite does, by run. `make test` (SQLite) runs every test at its
full budget; the PostgreSQL run of CI (.ci/postgres.sh) is there for what the database does,
so it sets ZHENGWU_STATEFUL_EXAMPLES to walk each state machine fewer times — the walks are
the same code on either database — and ZHENGWU_TESTS_DB_ONLY to leave out the tests that never
touch a database (conftest.py), which passed a few minutes before on SQLite."""

from __future__ import annotations

import os


def examples(default: int) -> int:
    """A state machine's number of walks: its own, or fewer where the run asks for fewer."""
    cap = os.environ.get("ZHENGWU_STATEFUL_EXAMPLES", "")
    return min(default, int(cap)) if cap.isdigit() and int(cap) > 0 else default


def db_only() -> bool:
    return os.environ.get("ZHENGWU_TESTS_DB_ONLY") == "1"
