"""SpiffWorkflow side of the bundle benchmark (issue 4 item 12): the 企业开办 bundle of
bench/bpmn/bundle.bpmn run by SpiffWorkflow, a BPMN engine, on this machine.

Runs in the benchmark's own virtualenv (`make bench-env` creates .venv-bench with
SpiffWorkflow); it never imports Django or Zhengwu. bench/run.py (`--bundles`) starts it as a
subprocess after the Zhengwu side, and reads the JSON it writes:

    .venv-bench/bin/python bench/bundles_spiff.py --workflows 150 --db /tmp/spiff.sqlite3 \
        --out /tmp/spiff.json

The process: start (the submission, with the company's form as task data) → 受理 at the
一件事 window → registration (承办 → 审核 → 批准) → parallel gateway → five members in
parallel, each 承办 → 审核 → 批准 → parallel join → delivery (a script task the engine runs)
→ end. 19 user tasks per workflow, as the Zhengwu side has 1 acceptance + 6 × 3 approval steps.

Three ways of running it, each over the same number of workflows:

- memory: parse once, run every workflow in memory, never serialize (the engine alone);
- save: after the start and after every user task, serialize the whole workflow with
  BpmnWorkflowSerializer (JSON) and write it to its row of a SQLite table (INSERT at the start,
  UPDATE after each step), each in its own committed transaction (BEGIN IMMEDIATE … COMMIT,
  WAL, synchronous=NORMAL: the settings Zhengwu uses on SQLite);
- reload: as save, but every step first reads the row back and deserializes it, as a
  stateless web tier (one request per step) has to.

`--process single` runs bench/bpmn/single.bpmn instead (for `make bench-engine`, bench/engine.py):
one item, start (the submission) → 受理 → 承办 → 审核 → 批准 → a script task recording the
grant → end; 4 user tasks, which with the start make Zhengwu's 5 user steps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

BPMN_DIR = Path(__file__).resolve().parent / "bpmn"
MEMBERS = ("registration", "seal", "invoice", "insurance", "fund", "bank")
STEPS = ("1", "2", "3")  # 承办, 审核, 批准
USERS = {"accept": "clerk", "1": "reviewer-a", "2": "reviewer-b", "3": "reviewer-a"}


@dataclass(frozen=True)
class Process:
    """A BPMN file, its process id, the order in which people complete its user tasks, and
    the task-data flag its last (script) task sets."""

    bpmn: Path
    process: str
    plan: tuple[str, ...]
    done_flag: str
    done_label: str


PROCESSES = {
    # The window, then registration, then each other member in turn (as bench/bundles.py
    # decides the member cases).
    "bundle": Process(BPMN_DIR / "bundle.bpmn", "qykb_bundle",
                      ("accept", *(f"{m}_{step}" for m in MEMBERS for step in STEPS)),
                      "delivered", "the delivery task"),
    "single": Process(BPMN_DIR / "single.bpmn", "single_item",
                      ("accept", *(f"item_{step}" for step in STEPS)), "granted",
                      "the grant task"),
}
# The bundle's, as before (bench/bundles.py reads PLAN's length through the JSON).
BPMN = PROCESSES["bundle"].bpmn
PROCESS = PROCESSES["bundle"].process
PLAN = PROCESSES["bundle"].plan
# The submission's form, kept as task data (what a Spiff-based application would carry).
FORM = {"applicant_name": "孙创业", "id_number": "430481199003154613", "phone": "13800000002",
        "address": "耒阳市蔡子池街道五一路8号", "company_name": "耒阳市创业科技有限公司",
        "legal_representative": "孙创业", "legal_rep_id_number": "430481199003154613",
        "registered_capital": "100", "business_scope": "软件开发；信息技术咨询服务",
        "employee_count": "5", "answers": {"need_seal": "yes", "need_invoice": "yes",
                                          "has_employees": "yes"}}


def say(message: str) -> None:
    print(message, flush=True)


def load_spec(process: Process = PROCESSES["bundle"]) -> tuple[Any, dict[str, Any]]:
    parser = BpmnParser()
    parser.add_bpmn_file(str(process.bpmn))
    return parser.get_spec(process.process), parser.get_subprocess_specs(process.process)


class Engine:
    """Starts workflows and completes their user tasks the way an application would."""

    def __init__(self, process: Process = PROCESSES["bundle"]) -> None:
        self.process = process
        self.plan = process.plan
        self.spec, self.subprocesses = load_spec(process)
        self.serializer = BpmnWorkflowSerializer()
        self.engine_tasks = 0  # tasks the engine completed itself (events, gateways, script)

    def start(self) -> BpmnWorkflow:
        workflow = BpmnWorkflow(self.spec, self.subprocesses)
        workflow.do_engine_steps()
        first = workflow.get_next_task(state=TaskState.READY, manual=True)
        if first is None or first.task_spec.name != "accept":
            raise SystemExit("the BPMN does not start with the acceptance task")
        first.data.update(FORM)
        return workflow

    def complete(self, workflow: BpmnWorkflow, name: str, number: int) -> None:
        task = workflow.get_next_task(state=TaskState.READY, manual=True, spec_name=name)
        if task is None:
            ready = [t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY)]
            raise SystemExit(f"workflow {number}: {name} is not ready (ready: {ready})")
        task.data["by"] = USERS[name] if name in USERS else USERS[name.rsplit("_", 1)[1]]
        task.data[f"{name}_done"] = True
        task.run()
        workflow.do_engine_steps()

    def check_done(self, workflow: BpmnWorkflow, number: int) -> None:
        if not workflow.is_completed():
            raise SystemExit(f"workflow {number} did not complete")
        last = workflow.last_task
        if last is None or not last.data.get(self.process.done_flag):
            raise SystemExit(f"workflow {number} ended without {self.process.done_label}")


class Store:
    """One row per workflow instance in SQLite, written in its own transaction each time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE workflow (id INTEGER PRIMARY KEY, status TEXT NOT NULL, "
                        "step INTEGER NOT NULL, state TEXT NOT NULL, updated_at REAL NOT NULL)")
        self.statements = 0
        self.bytes_written = 0

    def settings(self) -> str:
        mode = self.db.execute("PRAGMA journal_mode").fetchone()[0]
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
            self.db.execute("PRAGMA synchronous").fetchone()[0], "?")
        return f"journal_mode={mode}, synchronous={sync}"

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(sql, params)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        self.statements += 1

    def insert(self, number: int, state: str) -> None:
        self.bytes_written += len(state)
        self._write("INSERT INTO workflow (id, status, step, state, updated_at) "
                    "VALUES (?, 'running', 0, ?, ?)", (number, state, time.time()))

    def update(self, number: int, step: int, state: str, done: bool) -> None:
        self.bytes_written += len(state)
        self._write("UPDATE workflow SET status = ?, step = ?, state = ?, updated_at = ? "
                    "WHERE id = ?", ("done" if done else "running", step, state, time.time(),
                                     number))

    def read(self, number: int) -> str:
        row = self.db.execute("SELECT state FROM workflow WHERE id = ?", (number,)).fetchone()
        return str(row[0])

    def count_done(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM workflow WHERE status = 'done'")
                   .fetchone()[0])

    def close(self) -> None:
        self.db.close()


def run_memory(engine: Engine, number: int, store: Store | None) -> int:
    workflow = engine.start()
    for name in engine.plan:
        engine.complete(workflow, name, number)
    engine.check_done(workflow, number)
    return len(workflow.get_tasks(state=TaskState.COMPLETED))


def run_save(engine: Engine, number: int, store: Store | None) -> int:
    assert store is not None
    workflow = engine.start()
    store.insert(number, engine.serializer.serialize_json(workflow))
    for step, name in enumerate(engine.plan, start=1):
        engine.complete(workflow, name, number)
        store.update(number, step, engine.serializer.serialize_json(workflow),
                     workflow.is_completed())
    engine.check_done(workflow, number)
    return len(workflow.get_tasks(state=TaskState.COMPLETED))


def run_reload(engine: Engine, number: int, store: Store | None) -> int:
    assert store is not None
    store.insert(number, engine.serializer.serialize_json(engine.start()))
    workflow = None
    for step, name in enumerate(engine.plan, start=1):
        workflow = engine.serializer.deserialize_json(store.read(number))
        engine.complete(workflow, name, number)
        store.update(number, step, engine.serializer.serialize_json(workflow),
                     workflow.is_completed())
    workflow = engine.serializer.deserialize_json(store.read(number))
    engine.check_done(workflow, number)
    return len(workflow.get_tasks(state=TaskState.COMPLETED))


MODES: dict[str, Callable[[Engine, int, Store | None], int]] = {
    "memory": run_memory, "save": run_save, "reload": run_reload}


def measure(mode: str, workflows: int, db_dir: Path, warm: int = 3,
            process: Process = PROCESSES["bundle"]) -> dict[str, Any]:
    engine = Engine(process)
    store = None if mode == "memory" else Store(db_dir / f"spiff-{process.process}-{mode}.sqlite3")
    run = MODES[mode]
    for number in range(1, warm + 1):
        run(engine, -number, store)
    statements = store.statements if store else 0
    written = store.bytes_written if store else 0
    per_workflow: list[float] = []
    completed = 0
    started = time.perf_counter()
    for number in range(1, workflows + 1):
        began = time.perf_counter()
        completed = run(engine, number, store)
        per_workflow.append(time.perf_counter() - began)
    seconds = time.perf_counter() - started
    user_tasks = len(engine.plan)
    result = {
        "mode": mode, "workflows": workflows, "seconds": seconds,
        "workflows_per_s": workflows / seconds,
        "user_tasks_per_workflow": user_tasks,
        "user_tasks_per_s": workflows * user_tasks / seconds,
        "tasks_completed_per_workflow": completed,
        "tasks_per_s": workflows * completed / seconds,
        "workflow_ms_median": statistics.median(per_workflow) * 1000,
        "workflow_ms_max": max(per_workflow) * 1000,
    }
    if store is not None:
        done = store.count_done()
        if done != workflows + warm:
            raise SystemExit(f"{mode}: {done} workflows stored as done, expected "
                             f"{workflows + warm}")
        result.update(
            writes_per_workflow=(store.statements - statements) / workflows,
            json_kib_per_write=(store.bytes_written - written)
            / (store.statements - statements) / 1024,
            json_kib_final=len(store.read(workflows)) / 1024,
            sqlite=store.settings(), sqlite_version=sqlite3.sqlite_version)
        store.close()
    say(f"  spiff {mode:6}: {workflows} workflows in {seconds:.1f}s = "
        f"{workflows / seconds:,.1f} workflows/s, {workflows * user_tasks / seconds:,.0f} "
        f"user tasks/s" + (f", {result['json_kib_per_write']:.0f} KiB JSON per write"
                           if store is not None else ""))
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=150)
    parser.add_argument("--modes", default="memory,save,reload")
    parser.add_argument("--db-dir", default="", help="where the SQLite files go (a temp dir)")
    parser.add_argument("--out", default="", help="write the figures as JSON here")
    parser.add_argument("--process", choices=sorted(PROCESSES), default="bundle")
    args = parser.parse_args(argv)
    if not args.db_dir:
        import tempfile

        args.db_dir = tempfile.mkdtemp(prefix="spiff-bench-")
    db_dir = Path(args.db_dir)
    db_dir.mkdir(parents=True, exist_ok=True)
    process = PROCESSES[args.process]
    result: dict[str, Any] = {
        "spiffworkflow": metadata.version("SpiffWorkflow"), "lxml": metadata.version("lxml"),
        "python": platform.python_version(), "executable": sys.executable,
        "bpmn": str(process.bpmn.relative_to(BPMN_DIR.parent.parent)),
        "process": process.process, "plan": list(process.plan),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    started = time.perf_counter()
    load_spec(process)
    result["parse_ms"] = (time.perf_counter() - started) * 1000
    result["modes"] = {mode: measure(mode, args.workflows, db_dir, process=process)
                       for mode in args.modes.split(",")}
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                  encoding="utf-8")
    else:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
