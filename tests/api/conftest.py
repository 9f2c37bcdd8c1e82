"""The case and bundle fixtures (a published item, ready-made submissions) for the cross-app
API tests."""

from zhengwu.bundles.tests.conftest import qykb, submit_qykb  # noqa: F401 (fixtures)
from zhengwu.cases.tests.conftest import food, submit  # noqa: F401 (fixtures)
