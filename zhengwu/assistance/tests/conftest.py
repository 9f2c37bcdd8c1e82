"""The case and 企业开办 fixtures (a published item, ready-made submissions, one reviewer per
企业开办 department) for the assistance tests."""

from zhengwu.bundles.tests.conftest import qykb, reviewers, submit_qykb  # noqa: F401 (fixtures)
from zhengwu.cases.tests.conftest import food, submit  # noqa: F401 (fixtures)
