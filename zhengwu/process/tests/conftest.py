from zhengwu.cases.tests.conftest import food, reviewer, submit  # noqa: F401 (fixtures)
