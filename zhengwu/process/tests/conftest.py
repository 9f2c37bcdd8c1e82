from zhengwu.cases.tests.conftest import chief, food, reviewer, submit  # noqa: F401 (fixtures)
