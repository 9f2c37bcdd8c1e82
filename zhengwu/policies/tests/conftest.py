"""Fixtures of 惠企政策: a case to hang a credit record on (cases' fixtures)."""

from zhengwu.cases.tests.conftest import food, submit  # noqa: F401 (fixtures)
