"""我的空间 draws on cases and 一件事: their fixtures, here too."""

from zhengwu.bundles.tests.conftest import qykb, reviewers, submit_qykb
from zhengwu.cases.tests.conftest import food, reviewer, staff_of, submit

__all__ = ["food", "qykb", "reviewer", "reviewers", "staff_of", "submit", "submit_qykb"]
