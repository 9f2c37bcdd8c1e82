"""The case fixtures (a published item, a ready-made submission) for the assistance tests."""

from zhengwu.cases.tests.conftest import food, submit  # noqa: F401 (fixtures)
