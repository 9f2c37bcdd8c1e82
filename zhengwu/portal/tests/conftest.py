"""我的空间 draws on cases and 一件事: their fixtures, here too."""

from zhengwu.bundles.tests.conftest import qykb, reviewers, submit_qykb
from zhengwu.cases.tests.conftest import food, reviewer, submit

__all__ = ["food", "qykb", "reviewer", "reviewers", "submit", "submit_qykb"]
