"""SQLite with several writer processes (quality.md #5): two gunicorn workers, the task worker
and the sweep write to one SQLite file at once, while applicants submit and staff accept and
decide over HTTP. No "database is locked" may reach a user: 0 answers ≥ 500, and the phrase
appears in no answer and in no process's log.

Every write transaction starts with BEGIN IMMEDIATE and waits up to the busy timeout for the
write lock (config/settings/base.py), so writers queue instead of failing halfway.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter

import pytest

from tests.reliability.conftest import ON_SQLITE
from tests.reliability.server import (
    LOCKED,
    Answer,
    Browser,
    free_port,
    gunicorn,
    server_env,
    wait_until_up,
    zhengwu,
)
from zhengwu.catalog.models import ItemImplementation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ON_SQLITE, reason="quality.md #5 is about SQLite's single write "
                       "lock; on PostgreSQL rows are locked one by one (#1, #4 run there)"),
]

FOOD = "食品经营许可证核发（新办）"
SUBMITTERS = 3
PER_SUBMITTER = 12


def test_several_writer_processes_never_show_database_is_locked(sqlite_data_dir):
    food = ItemImplementation.objects.get(item__name=FOOD, level=4)
    materials = list(food.materials.filter(source="applicant", required=True)
                     .values_list("name", flat=True))
    from zhengwu.cases.tests.conftest import sample_answers

    form_answers = sample_answers(food)  # to the item's own form (issue 10)
    env = server_env(sqlite_data_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = gunicorn(sqlite_data_dir, port, env, workers=2).start()
    worker = zhengwu(sqlite_data_dir, env, "worker").start()
    sweep = zhengwu(sqlite_data_dir, env, "sweep", "--every", "1").start()
    processes = [web, worker, sweep]
    answers: list[tuple[str, Answer]] = []
    lock = threading.Lock()
    to_accept: queue.Queue[str | None] = queue.Queue()
    to_decide: queue.Queue[str | None] = queue.Queue()
    started = time.monotonic()
    try:
        wait_until_up(base, web)

        def record(what: str, answer: Answer) -> Answer:
            with lock:
                answers.append((what, answer))
            return answer

        def submitter(n: int) -> None:
            browser = Browser(base).login("zhangsan")
            for i in range(PER_SUBMITTER):
                answer = record("submit", browser.submit(food.pk, materials, key=f"w{n}-{i}",
                                                         answers=form_answers))
                if answer.status == 201:
                    to_accept.put(answer.json()["number"])
                record("list", browser.request("GET", "/api/v1/cases/mine"))

        def clerk() -> None:
            browser = Browser(base).login("clerk")
            while (number := to_accept.get()) is not None:
                if record("accept", browser.move(number, "accept")).status == 200:
                    to_decide.put(number)
                record("queue", browser.request("GET", "/api/v1/cases/queue"))
            to_decide.put(None)

        def reviewer() -> None:
            browser = Browser(base).login("reviewer")
            n = 0
            while (number := to_decide.get()) is not None:
                n += 1
                if n % 2:
                    record("deny", browser.move(number, "deny", "材料不符合要求"))
                else:
                    record("review_pass", browser.move(number, "review_pass"))
                record("todo", browser.request("GET", "/api/v1/cases/todo"))

        threads = [threading.Thread(target=submitter, args=(n,)) for n in range(SUBMITTERS)]
        staff = [threading.Thread(target=clerk), threading.Thread(target=reviewer)]
        for thread in threads + staff:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        to_accept.put(None)
        for thread in staff:
            thread.join(timeout=120)
        assert all(processes_alive := [p.popen.poll() is None for p in processes]), \
            processes_alive
    finally:
        for process in processes:
            process.stop()
    elapsed = time.monotonic() - started

    statuses = Counter((what, a.status) for what, a in answers)
    print(f"\n#5: {len(answers)} requests in {elapsed:.1f} s over 2 gunicorn workers + worker + "
          f"sweep: {dict(sorted(statuses.items()))}")
    assert [(w, a.status) for w, a in answers if a.status >= 500] == []
    assert [(w, a.body[:200]) for w, a in answers if LOCKED.search(a.body.decode(
        "utf-8", "replace"))] == []
    expected = {("submit", 201): SUBMITTERS * PER_SUBMITTER,
                ("accept", 200): SUBMITTERS * PER_SUBMITTER,
                ("deny", 200): (SUBMITTERS * PER_SUBMITTER + 1) // 2,
                ("review_pass", 200): SUBMITTERS * PER_SUBMITTER // 2}
    assert {k: statuses[k] for k in expected} == expected
    for process in processes:
        log = process.output()
        assert not LOCKED.search(log), f"{process.name}: {LOCKED.search(log)}\n{log[-3000:]}"
        assert "Traceback" not in log, f"{process.name}:\n{log[-3000:]}"
