"""Bundle (一件事) benchmarks (issue 4 item 12), run by bench/run.py (`make bench`, or
`bench/run.py --bundles` for these alone), in one phase process like bench/cases.py's (its own
throw-away database, the pack loaded, DEBUG off):

- Zhengwu, through the real services with the clock at a working-day morning (Tuesday
  2026-12-01 09:00 Beijing time, ticking):
  the 企业开办 bundle (LY-QYKB) answered so that it has 6 member cases — bundle_submit (the
  applicant, online, the form once, every needed material once as a small PDF) →
  bundle_move("accept") by the 一件事 window → the registration member decided
  (review_pass, review_pass by a second reviewer, grant) → the five others, started by that
  grant, decided the same way → the last grant finishes the bundle and delivers it (join);
  bundles/s and member cases/s, time and SQL per step. The answers are read from the pack
  (choose_answers); when some answers give more than 6 members, that bundle runs too, for
  information.
  Baselines in the same process and database: (a) a single-item case submit → accept → grant
  on an implementation whose chain is ["批准"] (as bench/cases.py), (b) the registration item
  alone as a single case through the same chain and to the same end (submit → accept →
  2 × review_pass → grant → close → deliver).
- SpiffWorkflow: the same process in BPMN (bench/bpmn/bundle.bpmn) run in memory, saving the
  serialized workflow to SQLite after every step, and reloading it before every step:
  bench/bundles_spiff.py in the separate .venv-bench (`make bench-env`, no Django there),
  started as a subprocess (Spiff stays on SQLite with --database-url too). Reported as not
  installed when that venv is absent.

Everything runs in 5 blocks, one after the other (never two at once): in each block a share of
the single cases, the bundles and the Spiff workflows, so that the machine's changing load
(it is shared) falls on every side alike.

The table goes to bench/results/latest-bundles.md, the figures to latest-bundles.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("bundles",)
SPIFF_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
SPIFF_SCRIPT = ROOT / "bench" / "bundles_spiff.py"
SPIFF_MISSING = ("not installed: `make bench-env` creates .venv-bench with SpiffWorkflow (PyPI, "
                 "once), then run the benchmark again")

# Tuesday 2026-12-01, 09:00 Beijing time: a working day (as zhengwu/bundles/tests/conftest.py).
MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
QYKB = "LY-QYKB"
# Six member cases, as the issue (and the plan's "企业开办六个联办事项") counts them. The
# answers are read from the pack's questions: the first combination (in the order the pack
# lists each question's answers, "yes" first) that gives exactly MEMBERS members; the
# combination with the most members is run too when it has more (an earlier pack had social
# and medical insurance as two members, seven with every answer yes).
MEMBERS = 6
# Online, an applicant applies only under the name and ID number recorded on the account:
# the bundle is filed by the demo founder 孙创业 (chuangye), the single cases by 张三.
FOUNDER = "chuangye"
COMPANY = {"applicant_name": "孙创业", "id_number": "430481199003154613",
           "phone": "13800000002", "address": "耒阳市蔡子池街道五一路8号",
           "company_name": "耒阳市创业科技有限公司", "legal_representative": "孙创业",
           "legal_rep_id_number": "430481199003154613", "registered_capital": "100",
           "business_scope": "软件开发；信息技术咨询服务", "employee_count": "5"}
FORM = {"applicant_name": "张三", "id_number": "43048119900101123X", "phone": "13800000001",
        "address": "耒阳市蔡子池街道"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MARKET = "市市场监督管理局"
DEFAULT_CHAIN = ["承办", "审核", "批准"]

# Full / --quick scale.
BUNDLES = (60, 20)
BUNDLES_MOST = (15, 5)
SINGLES = (150, 40)
SINGLES_SAME = (60, 20)
SPIFF_WORKFLOWS = (100, 25)
BLOCKS = 5
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

GRANT_NOTE = {"registration": " (starts the others)", "last member": " (join, finish, deliver)"}
Timings = dict[str, list[float]]  # step label → seconds of each call
Capture = dict[str, list[list[str]]]  # step label → the statements of each call


def say(message: str) -> None:
    print(message, flush=True)


def _scale(pair: tuple[int, int], args: argparse.Namespace) -> int:
    return pair[1] if args.quick else pair[0]


def pack_path(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "pack", "") or os.environ.get("ZHENGWU_PACK")
                or ROOT / "packs" / "leiyang")


def _one_line(sql: str, width: int = 220) -> str:
    line = " ".join(sql.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def choose_answers(definition: Any) -> tuple[dict[str, str], int, dict[str, str], int]:
    """(answers giving MEMBERS members, that count, answers giving the most members, that
    count) among every valid combination of the definition's answers."""
    import itertools

    from zhengwu.bundles import definition as d

    found: dict[tuple[tuple[str, str], ...], tuple[tuple[int, ...], int]] = {}
    choices = [list(enumerate(a.value for a in q.answers)) for q in definition.questions]
    for values in itertools.product(*choices):
        answers = {q.key: value for q, (_, value) in zip(definition.questions, values,
                                                           strict=True)}
        check = d.check_answers(definition, answers)
        if check.errors:
            continue
        key = tuple(sorted(check.answers.items()))
        rank = tuple(index for index, _ in values)
        if key not in found or rank < found[key][0]:
            found[key] = (rank, len(d.applicable(definition, check.answers)))
    if not found:
        raise SystemExit("the bundle's questions have no valid combination of answers")
    ranked = sorted(found.items(), key=lambda kv: kv[1][0])
    most_key, (_, most) = max(ranked, key=lambda kv: kv[1][1])  # first of the largest
    exact = [(key, count) for key, (_, count) in ranked if count == MEMBERS]
    # No combination with exactly MEMBERS members: the largest, and the table says so.
    six_key, six = exact[0] if exact else (most_key, most)
    return dict(six_key), six, dict(most_key), most


def _data(statements: list[str]) -> int:
    return sum(1 for sql in statements if not sql.upper().startswith(CONTROL))


def _writes(statements: list[str]) -> int:
    return sum(1 for sql in statements if sql.upper().startswith(("INSERT", "UPDATE", "DELETE")))


# --- phase: the Zhengwu side -----------------------------------------------------------------


def phase_bundles(args: argparse.Namespace) -> dict[str, Any]:
    import time_machine

    traveller = time_machine.travel(MORNING, tick=True)
    traveller.start()
    try:
        return _bundles_flow(args)
    finally:
        traveller.stop()


def _bundles_flow(args: argparse.Namespace) -> dict[str, Any]:
    from run import _database_facts, _django_setup, summary_ms

    _django_setup()
    from zhengwu.catalog.models import ItemImplementation
    from zhengwu.packs.loader import pack_load

    pack = pack_path(args)
    started = time.perf_counter()
    if ItemImplementation.objects.exists():  # a copy of a loaded database (bench/engine.py)
        say(f"  pack {pack} already loaded")
    else:
        pack_load(pack)
        say(f"  pack {pack} loaded in {time.perf_counter() - started:.1f}s")
    result: dict[str, Any] = {"facts": _database_facts(), "pack": str(pack)}

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengwu.accounts.models import User, UserKind
    from zhengwu.accounts.roles import Role
    from zhengwu.accounts.services import role_assign, user_create
    from zhengwu.bundles.models import (
        Bundle,
        BundleCase,
        BundleCaseStatus,
        BundleMember,
        BundleNotice,
        BundleResult,
    )
    from zhengwu.bundles.selectors import bundle_guide
    from zhengwu.bundles.services import BundleMoveIn, SubmitIn, bundle_move, bundle_submit
    from zhengwu.bundles.services import MaterialIn as BundleMaterialIn
    from zhengwu.bundles.tests.conftest import item_answers_for
    from zhengwu.cases.models import Case, CaseStatus, MaterialKind
    from zhengwu.cases.services import MaterialIn, MoveIn, case_submit, case_transition

    # Valid answers to the item's own form, made as the tests make them (issue 10).
    from zhengwu.cases.tests.conftest import sample_answers
    from zhengwu.catalog.models import ItemImplementation, MaterialSource
    from zhengwu.core import clock
    from zhengwu.departments.models import Department

    say(f"  clock: {clock.now().astimezone(MORNING.tzinfo):%Y-%m-%d %H:%M:%S %Z} (ticking)")
    applicant, clerk = User.objects.get(username="zhangsan"), User.objects.get(username="clerk")
    founder = User.objects.get(username=FOUNDER)
    bundle = Bundle.objects.get(code=QYKB)

    # Two reviewers per member department (consecutive review steps need different people).
    reviewers: dict[str, tuple[Any, Any]] = {}
    departments = sorted({m["department"] for m in bundle.definition["members"]})
    for number, short_name in enumerate(departments):
        department = Department.objects.get(short_name=short_name)
        pair = []
        for suffix in ("a", "b"):
            user = user_create(username=f"bench-reviewer-{number}-{suffix}",
                               password="x-bench-2026-x", kind=UserKind.STAFF,
                               display_name=f"{short_name}审查员{suffix}")
            role_assign(user=user, role=Role.REVIEWER, department=department)
            pair.append(user)
        reviewers[short_name] = (pair[0], pair[1])

    def uploads(answers: dict[str, str]) -> list[BundleMaterialIn]:
        guide = bundle_guide(bundle, answers)
        return [BundleMaterialIn(identity=n.identity, file_name="scan.pdf", content=PDF)
                for n in guide.materials.needed]

    from zhengwu.bundles.selectors import bundle_definition

    six_answers, six_count, most_answers, most_count = choose_answers(bundle_definition(bundle))
    plans = {"six": (six_answers, uploads(six_answers))}
    if most_count > six_count:
        plans["most"] = (most_answers, uploads(most_answers))
    result["answers"] = {"six": six_answers, "six_members": six_count,
                         "most": most_answers, "most_members": most_count}
    say(f"  answers {six_answers} → {six_count} members; the most: {most_answers} → "
        f"{most_count}")

    def step(label: str, call: Callable[[], Any], timings: Timings | None,
             capture: Capture | None) -> Any:
        began = time.perf_counter()
        if capture is not None:
            with CaptureQueriesContext(connection) as queries:
                value = call()
            capture.setdefault(label, []).append(
                [_one_line(q["sql"]) for q in queries.captured_queries])
        else:
            value = call()
        if timings is not None:
            timings.setdefault(label, []).append(time.perf_counter() - began)
        return value

    def decide(case_id: int, chain: list[str], pair: tuple[Any, Any], what: str, *,
               timings: Timings | None, capture: Capture | None) -> None:
        """As test_flow.decide: review_pass by alternating reviewers, then grant."""
        for index in range(len(chain) - 1):
            user = pair[index % 2]
            step(f"{what}: review_pass", lambda u=user: case_transition(
                case_id=case_id, user=u, move=MoveIn(action="review_pass")), timings, capture)
        last = pair[(len(chain) - 1) % 2]
        step(f"{what}: grant{GRANT_NOTE.get(what, '')}", lambda: case_transition(
            case_id=case_id, user=last, move=MoveIn(action="grant")), timings, capture)

    def one_bundle(plan: str, timings: Timings | None = None,
                   capture: Capture | None = None) -> int:
        answers, materials = plans[plan]
        # The members' one form, answered as the tests answer it (required since issue 10).
        item_answers = item_answers_for(bundle, answers)
        bundle_case = step("bundle_submit (fan-out)", lambda: bundle_submit(
            submitted_by=founder, submission=SubmitIn(
                code=QYKB, answers=dict(answers), form=dict(COMPANY),
                materials=materials, item_answers=item_answers)).bundle_case, timings, capture)
        step("bundle_move accept (window)", lambda: bundle_move(
            number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept")),
            timings, capture)
        members = list(BundleMember.objects.filter(bundle_case=bundle_case).order_by(
            "position").values_list("case_id", "department__short_name",
                                    "implementation__approval_chain"))
        for index, (case_id, short_name, chain) in enumerate(members):
            if index == 0:
                what = "registration"
            elif index < len(members) - 1:
                what = "member"
            else:
                what = "last member"
            decide(case_id, chain or DEFAULT_CHAIN, reviewers[short_name], what,
                   timings=timings, capture=capture)
        return len(members)

    # -- baselines: single-item cases -------------------------------------------------------
    guide = bundle_guide(bundle, six_answers)
    member_impls = [impl for _, impl in guide.members]
    registration = member_impls[0]  # position 1: the others depend on it
    if registration is None or None in member_impls:
        raise SystemExit(f"{QYKB} with {six_answers}: a member has no implementation "
                         f"({member_impls})")
    # The single-case implementation as bench/cases.py picks it, but not a bundle member
    # (its chain is changed to 批准 below).
    short = ItemImplementation.objects.filter(
        department__short_name=MARKET, status="published", online_depth__gte=2,
        commitment_allowed=False).exclude(
        item__basic_code__in=[m["item"] for m in bundle.definition["members"]]).order_by(
        "code").select_related("item").first()
    if short is None:
        raise SystemExit(f"no online implementation of {MARKET} for the single-case baseline")
    ItemImplementation.objects.filter(pk=short.pk).update(approval_chain=["批准"])
    registration_chain = list(registration.approval_chain or DEFAULT_CHAIN)
    market = reviewers[MARKET]

    def single_uploads(impl: Any) -> list[MaterialIn]:
        return [MaterialIn(name=m.name, kind=MaterialKind.UPLOAD, file_name="scan.pdf",
                           content=PDF)
                for m in impl.materials.filter(source=MaterialSource.APPLICANT, required=True)]

    single_materials = {"short": single_uploads(short), "same": single_uploads(registration)}

    def one_single(kind: str, timings: Timings | None = None,
                   capture: Capture | None = None) -> None:
        impl = short if kind == "short" else registration
        case = step("submit", lambda: case_submit(
            implementation_id=impl.pk, submitted_by=applicant, form_data=dict(FORM),
            materials=single_materials[kind], answers=sample_answers(impl)).case, timings,
            capture)
        step("accept", lambda: case_transition(case_id=case.pk, user=clerk,
                                               move=MoveIn(action="accept")), timings, capture)
        if kind == "short":
            step("grant", lambda: case_transition(
                case_id=case.pk, user=market[0], move=MoveIn(action="grant")), timings, capture)
            return
        decide(case.pk, registration_chain, market, "case", timings=timings, capture=capture)
        step("close", lambda: case_transition(case_id=case.pk, user=clerk,
                                              move=MoveIn(action="close")), timings, capture)
        step("deliver", lambda: case_transition(case_id=case.pk, user=clerk, move=MoveIn(
            action="deliver", delivery_method="electronic")), timings, capture)

    # -- warm up, then the SQL of one of each --------------------------------------------------
    for _ in range(3):
        one_bundle("six")
        one_single("short")
        one_single("same")
    if "most" in plans:
        one_bundle("most")
    sql: dict[str, Capture] = {"bundle": {}, "single": {}, "single_same": {}}
    members_six = one_bundle("six", capture=sql["bundle"])
    one_single("short", capture=sql["single"])
    one_single("same", capture=sql["single_same"])
    result["sql"] = sql
    result["sql_totals"] = {
        name: {"statements": sum(len(c) for calls in steps.values() for c in calls),
               "data": sum(_data(c) for calls in steps.values() for c in calls),
               "writes": sum(_writes(c) for calls in steps.values() for c in calls)}
        for name, steps in sql.items()}
    say(f"  SQL of one bundle ({members_six} members): " + ", ".join(
        f"{k} {'/'.join(str(_data(c)) for c in v)}" for k, v in sql["bundle"].items()))
    result["members"] = {"six": members_six}
    result["implementations"] = {
        "short": {"code": short.code, "name": short.item.name, "chain": ["批准"],
                  "materials": len(single_materials["short"])},
        "same": {"code": registration.code, "name": registration.item.name,
                 "chain": registration_chain, "materials": len(single_materials["same"])},
        "bundle_materials": {k: len(v[1]) for k, v in plans.items()}}

    # -- timed runs, interleaved in blocks so that load changes hit every side alike --------
    runs: dict[str, Any] = {}
    counts = {"single": _scale(SINGLES, args), "single_same": _scale(SINGLES_SAME, args),
              "bundle": _scale(BUNDLES, args)}
    if "most" in plans:
        counts["bundle_most"] = _scale(BUNDLES_MOST, args)
    timings: dict[str, Timings] = {name: {} for name in counts}
    seconds = dict.fromkeys(counts, 0.0)
    members_done = dict.fromkeys(counts, 0)
    spiff = Spiff(_scale(SPIFF_WORKFLOWS, args))

    def single_short(t: Timings) -> int:
        one_single("short", t)
        return 1

    def single_same(t: Timings) -> int:
        one_single("same", t)
        return 1

    work: dict[str, Callable[[Timings], int]] = {
        "single": single_short, "single_same": single_same,
        "bundle": lambda t: one_bundle("six", t),
        "bundle_most": lambda t: one_bundle("most", t),
    }
    for block in range(BLOCKS):
        for name, total in counts.items():
            began = time.perf_counter()
            for _ in range(_share(total, block)):
                members_done[name] += work[name](timings[name])
            seconds[name] += time.perf_counter() - began
        spiff.block(block)
        say(f"  block {block + 1}/{BLOCKS} done")
    user_steps = {"single": 3, "single_same": 4 + len(registration_chain),
                  "bundle": 2 + len(registration_chain) * members_six,
                  "bundle_most": 2 + len(registration_chain) * most_count}
    for name, total in counts.items():
        runs[name] = {
            "count": total, "seconds": seconds[name], "per_s": total / seconds[name],
            "member_cases": members_done[name],
            "cases_per_s": members_done[name] / seconds[name],
            "user_steps_per_item": user_steps[name],
            "user_steps_per_s": total * user_steps[name] / seconds[name],
            "steps": {label: summary_ms(samples) for label, samples in timings[name].items()},
        }
        say(f"  {name}: {total} in {seconds[name]:.1f}s = {total / seconds[name]:,.2f}/s, "
            f"{members_done[name] / seconds[name]:,.1f} cases/s")
    result["runs"] = runs
    result["spiff"] = spiff.result()

    # -- verification ----------------------------------------------------------------------
    made_bundles = BundleCase.objects.count()
    delivered = BundleCase.objects.filter(status=BundleCaseStatus.DELIVERED,
                                          result=BundleResult.ALL_GRANTED).count()
    bundle_cases = Case.objects.exclude(bundle_number="")
    check = {
        "bundles": made_bundles, "bundles_delivered_all_granted": delivered,
        "member_cases": bundle_cases.count(),
        "member_cases_delivered": bundle_cases.filter(status=CaseStatus.DELIVERED).count(),
        "members_rows": BundleMember.objects.count(),
        "members_done": BundleMember.objects.filter(state="done").count(),
        "bundle_notices": BundleNotice.objects.count(),
        "single_cases_granted_or_delivered": Case.objects.filter(bundle_number="").filter(
            status__in=[CaseStatus.DECIDED, CaseStatus.DELIVERED]).count(),
        "singles": Case.objects.filter(bundle_number="").count(),
    }
    wanted_bundles = 3 + 1 + sum(v for k, v in counts.items() if k.startswith("bundle")) + (
        1 if "most" in plans else 0)
    wrong = []
    if made_bundles != wanted_bundles or delivered != made_bundles:
        wrong.append(f"{delivered} of {made_bundles} bundles delivered, {wanted_bundles} made")
    if not (check["member_cases"] == check["member_cases_delivered"] == check["members_rows"]
            == check["members_done"]):
        wrong.append("member cases not all delivered")
    if check["bundle_notices"] != 2 * made_bundles:
        wrong.append(f"{check['bundle_notices']} bundle notices for {made_bundles} bundles")
    if check["singles"] != check["single_cases_granted_or_delivered"]:
        wrong.append("single cases not all decided")
    check["ok"] = not wrong
    result["check"] = check
    say(f"  check: {check}" + (f"  WRONG: {wrong}" if wrong else "  (all as expected)"))
    if wrong:
        raise SystemExit("bundle benchmark verification failed: " + "; ".join(wrong))
    result["clock_end"] = clock.now().isoformat()
    return result


# --- the SpiffWorkflow side (a subprocess in .venv-bench, no Django) ---------------------------


def _share(total: int, block: int) -> int:
    """How many of `total` runs fall in block number `block` of BLOCKS."""
    return total // BLOCKS + (1 if block < total % BLOCKS else 0)


class Spiff:
    """Runs bench/bundles_spiff.py with .venv-bench's Python, a share of the workflows per
    block, and adds the blocks up. Each block is a fresh process (and warms up first).
    `process` names the BPMN (bundles_spiff.PROCESSES: "bundle", or "single" for
    bench/engine.py)."""

    MODES = ("memory", "save", "reload")

    def __init__(self, workflows: int, process: str = "bundle") -> None:
        self.workflows = workflows
        self.process = process
        self.installed = SPIFF_PYTHON.exists() and subprocess.run(
            [str(SPIFF_PYTHON), "-c", "import SpiffWorkflow"], capture_output=True,
            check=False).returncode == 0
        self.blocks: list[dict[str, Any]] = []
        self.workdir = Path(os.environ.get("ZHENGWU_DATA_DIR") or "/tmp") / f"spiff-{process}"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("DJANGO", "ZHENGWU", "DATABASE"))}
        if not self.installed:
            say(f"  SpiffWorkflow: {SPIFF_MISSING}")

    def block(self, number: int) -> None:
        if not self.installed:
            return
        out = self.workdir / f"block-{number}.json"
        subprocess.run([str(SPIFF_PYTHON), str(SPIFF_SCRIPT), "--process", self.process,
                        "--workflows", str(_share(self.workflows, number)), "--db-dir",
                        str(self.workdir), "--out", str(out)], env=self.env, cwd=ROOT,
                       check=True)
        self.blocks.append(json.loads(out.read_text(encoding="utf-8")))

    def result(self) -> dict[str, Any]:
        if not self.installed:
            return {"installed": False, "message": SPIFF_MISSING}
        first = self.blocks[0]
        modes: dict[str, Any] = {}
        for mode in self.MODES:
            parts = [b["modes"][mode] for b in self.blocks]
            workflows = sum(p["workflows"] for p in parts)
            seconds = sum(p["seconds"] for p in parts)
            user_tasks = parts[0]["user_tasks_per_workflow"]
            modes[mode] = {
                "workflows": workflows, "seconds": seconds,
                "workflows_per_s": workflows / seconds,
                "user_tasks_per_workflow": user_tasks,
                "user_tasks_per_s": workflows * user_tasks / seconds,
                "tasks_completed_per_workflow": parts[0]["tasks_completed_per_workflow"],
                "blocks_workflows_per_s": [p["workflows_per_s"] for p in parts]}
            for key in ("writes_per_workflow", "json_kib_per_write", "json_kib_final",
                        "sqlite", "sqlite_version"):
                if key in parts[0]:
                    modes[mode][key] = parts[0][key]
        return {"installed": True, "spiffworkflow": first["spiffworkflow"],
                "lxml": first["lxml"], "python": first["python"], "bpmn": first["bpmn"],
                "plan": first["plan"], "parse_ms": first["parse_ms"], "modes": modes}


PHASE_FUNCTIONS = {"bundles": phase_bundles}


# --- the table ---------------------------------------------------------------------------------


SPIFF_GOAL = 3.0  # quality.md: the case engine ≥ 3× SpiffWorkflow's reload-and-save rate
SHOWN = ("bundle_submit (fan-out)", "bundle_move accept (window)",
         "registration: grant (starts the others)", "member: grant",
         "last member: grant (join, finish, deliver)")


def render(facts: dict[str, Any], results: dict[str, dict[str, Any]],
           args: argparse.Namespace) -> str:
    flow = results["bundles"]
    spiff = flow["spiff"]
    runs = flow["runs"]
    bundle, single, same = runs["bundle"], runs["single"], runs["single_same"]
    most = runs.get("bundle_most")
    members = flow["members"]["six"]
    answers = "、".join(f"{k}={v}" for k, v in flow["answers"]["six"].items())
    totals = flow["sql_totals"]
    impls = flow["implementations"]
    chain = " → ".join(impls["same"]["chain"])
    lines = [
        f"# Bundle (一件事) benchmarks — {time.strftime('%Y-%m-%d %H:%M')}"
        f"{' (--quick)' if args.quick else ''}",
        "",
        f"Machine: {facts['cpus']} CPUs ({facts['cpus_usable']} usable, {facts['cpu_model']}), "
        f"{facts['memory']} RAM, load average at start {facts['load_average']}; "
        f"Python {facts['python']}, Django {facts['django']}; "
        f"{flow['facts']['database']} ({flow['facts']['database_settings']}); {facts['os']}.",
        "",
        f"Pack `{flow['pack']}`; clock {MORNING:%Y-%m-%d %H:%M} Beijing time (a working day), "
        f"ticking. Bundle {QYKB} 企业开办 with answers {answers}: {members} member cases"
        f"{'' if members == MEMBERS else f' (no answers give {MEMBERS})'}, "
        f"{impls['bundle_materials']['six']} materials uploaded once; each member through "
        f"{chain} (review_pass, review_pass by a second reviewer, grant); "
        f"{bundle['user_steps_per_item']} user steps per bundle. Single (a): "
        f"{impls['short']['name']} ({impls['short']['code']}), chain 批准, submit → accept → "
        f"grant, {impls['short']['materials']} materials. Single (b): {impls['same']['name']} "
        f"alone, submit → accept → {chain} → close → deliver, {impls['same']['materials']} "
        f"materials. Everything in {BLOCKS} interleaved blocks.",
        "",
        "| benchmark | result | baseline (same run) | ratio | goal | verdict |",
        "|---|---|---|---|---|---|",
        f"| bundle, {members} members: submit → accept → {members} × ({chain}) → join → "
        f"deliver | {bundle['per_s']:,.2f} bundles/s = {bundle['cases_per_s']:,.1f} member "
        f"cases/s ({bundle['count']} bundles in {bundle['seconds']:.1f} s) | (a) single "
        f"submit → accept → grant: {single['per_s']:,.1f} cases/s | member cases "
        f"{bundle['cases_per_s'] / single['per_s']:.2f}×; bundles "
        f"{bundle['per_s'] / single['per_s']:.3f}× | — | info |",
        f"| the same, like for like | {bundle['cases_per_s']:,.1f} member cases/s | (b) the "
        f"registration item alone, same chain, to delivered: {same['per_s']:,.1f} cases/s | "
        f"{bundle['cases_per_s'] / same['per_s']:.2f}× | — | info |",
        f"| user steps/s | bundle {bundle['user_steps_per_s']:,.0f} | (a) "
        f"{single['user_steps_per_s']:,.0f}, (b) {same['user_steps_per_s']:,.0f} | "
        f"{bundle['user_steps_per_s'] / single['user_steps_per_s']:.2f}×, "
        f"{bundle['user_steps_per_s'] / same['user_steps_per_s']:.2f}× | — | info |",
        f"| SQL statements (without BEGIN/COMMIT/SAVEPOINT) | one bundle "
        f"{totals['bundle']['data']:,} ({totals['bundle']['writes']:,} writes), "
        f"{totals['bundle']['data'] / members:.0f} per member case | (a) "
        f"{totals['single']['data']} ({totals['single']['writes']} writes), (b) "
        f"{totals['single_same']['data']} ({totals['single_same']['writes']} writes) per case "
        f"| {totals['bundle']['data'] / members / totals['single_same']['data']:.2f}× (b) "
        f"| — | info |",
    ]
    if most is not None:
        lines.insert(-1, (
            f"| bundle, the answers with the most members "
            f"({flow['answers']['most_members']}) | {most['per_s']:,.2f} bundles/s = "
            f"{most['cases_per_s']:,.1f} member cases/s ({most['count']} bundles) | (a) "
            f"{single['per_s']:,.1f}, (b) {same['per_s']:,.1f} cases/s | "
            f"{most['cases_per_s'] / single['per_s']:.2f}×, "
            f"{most['cases_per_s'] / same['per_s']:.2f}× | — | info |"))
    if spiff.get("installed"):
        modes = spiff["modes"]
        if len(spiff["plan"]) + 1 != bundle["user_steps_per_item"]:
            lines.append(f"| **the BPMN does not match**: {len(spiff['plan'])} user tasks + "
                         f"the start against {bundle['user_steps_per_item']} user steps per "
                         f"bundle | — | — | — | — | **check** |")
        for mode, title in (("save", "saving after every step"),
                            ("reload", "reloading and saving at every step"),
                            ("memory", "in memory, never saved")):
            figures = modes[mode]
            extra = (f"; {figures['writes_per_workflow']:.0f} writes of "
                     f"{figures['json_kib_per_write']:.0f} KiB JSON each"
                     if "writes_per_workflow" in figures else "")
            ratio = bundle["per_s"] / figures["workflows_per_s"]
            goal, verdict = "—", "info"
            if mode == "reload":
                goal = f"(≥ {SPIFF_GOAL:.0f}×, the case engine's goal)"
                verdict = "met" if ratio >= SPIFF_GOAL else "**missed**"
            lines.append(
                f"| Zhengwu bundle vs SpiffWorkflow {spiff['spiffworkflow']}, {title} | "
                f"{bundle['per_s']:,.2f} bundles/s, {bundle['user_steps_per_s']:,.0f} user "
                f"steps/s | Spiff {figures['workflows_per_s']:,.1f} workflows/s, "
                f"{figures['user_tasks_per_s']:,.0f} user tasks/s ({figures['workflows']} "
                f"workflows{extra}) | {ratio:.2f}× (bundles), "
                f"{bundle['user_steps_per_s'] / figures['user_tasks_per_s']:.2f}× (steps) | "
                f"{goal} | {verdict} |")
    else:
        lines.append(f"| SpiffWorkflow | {spiff['message']} | — | — | — | — |")
    lines += ["", "Time per step (ms):", "",
              "| run | step | calls | median | p99 | SQL per call (data / all) |",
              "|---|---|---|---|---|---|"]
    for name in ("bundle", "single", "single_same"):
        captured = flow["sql"][name]
        for label, figures in runs[name]["steps"].items():
            calls = captured.get(label, [])
            counts = sorted({f"{_data(c)} / {len(c)}" for c in calls})
            lines.append(f"| {name} | {label} | {figures['n']} | {figures['median_ms']:.1f} | "
                         f"{figures['p99_ms']:.1f} | {', '.join(counts)} |")
    check = flow["check"]
    lines += ["", f"Verification: {check['bundles_delivered_all_granted']} of {check['bundles']} "
              f"bundles delivered, all granted; {check['member_cases_delivered']} of "
              f"{check['member_cases']} member cases delivered; {check['bundle_notices']} "
              f"bundle notices; {check['single_cases_granted_or_delivered']} of "
              f"{check['singles']} single cases decided: "
              f"{'all as expected' if check['ok'] else '**WRONG**'}."]
    if spiff.get("installed"):
        blocks = "; ".join(f"{mode} " + ", ".join(f"{x:,.1f}" for x in figures[
            "blocks_workflows_per_s"]) for mode, figures in spiff["modes"].items())
        lines += ["", f"SpiffWorkflow {spiff['spiffworkflow']} (lxml {spiff['lxml']}, Python "
                  f"{spiff['python']}, `{spiff['bpmn']}`, parsed in {spiff['parse_ms']:.0f} ms; "
                  f"{spiff['modes']['save'].get('sqlite', '')}, SQLite "
                  f"{spiff['modes']['save'].get('sqlite_version', '')}). Per workflow "
                  f"{len(spiff['plan'])} user tasks and "
                  f"{spiff['modes']['save']['tasks_completed_per_workflow']} tasks completed in "
                  f"all (with the events, gateways and the delivery script): "
                  + ", ".join(f"{mode} {figures['tasks_completed_per_workflow'] * figures['workflows_per_s']:,.0f}"
                              for mode, figures in spiff["modes"].items())
                  + f" tasks/s. Workflows/s per block: {blocks}."]
    lines += ["", "The statements of the bundle's costly calls (first call of each):", ""]
    for label in SHOWN:
        statements = flow["sql"]["bundle"].get(label, [[]])[0]
        lines.append(f"- **{label}** ({_data(statements)} / {len(statements)}):")
        lines += [f"  {n}. `{sql.replace('`', chr(39))}`"
                  for n, sql in enumerate(statements, start=1)]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit("run the bundle benchmarks with bench/run.py --bundles")
