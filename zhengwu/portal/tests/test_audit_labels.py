"""The audit log in plain Chinese (issue 16): a census of every action code the source writes
(each `audit_record` call, and each call of a function that builds its code from an
`action` argument), every role of every move table, and the before → after in words."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from zhengwu.core.checkpoints import SEAL_ACTION
from zhengwu.portal import audit_labels
from zhengwu.sharing.uselog import ANCHOR_ACTION

SOURCE = Path(audit_labels.__file__).resolve().parents[1]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in SOURCE.rglob("*.py")
            if "tests" not in p.parts and "migrations" not in p.parts}


def _census() -> tuple[set[str], set[str]]:
    """(every literal action code written, the prefixes of codes built from a move's action)."""
    trees = _trees()
    codes: set[str] = set()
    prefixes: set[str] = set()
    wrappers: dict[str, str] = {}  # function → prefix of f"<prefix>.{action}"
    for tree in trees.values():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and _name(call) == "audit_record"):
                    continue
                for keyword in call.keywords:
                    if keyword.arg != "action":
                        continue
                    value = keyword.value
                    if isinstance(value, ast.Constant):
                        codes.add(str(value.value))
                    elif isinstance(value, ast.JoinedStr):
                        first = value.values[0]
                        assert isinstance(first, ast.Constant), ast.unparse(value)
                        prefix = str(first.value).rstrip(".")
                        last = value.values[-1]
                        if isinstance(last, ast.FormattedValue) and \
                                isinstance(last.value, ast.Name) and last.value.id == "action":
                            wrappers[function.name] = prefix
                        else:
                            prefixes.add(prefix)
    for tree in trees.values():
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _name(call) in wrappers:
                for keyword in call.keywords:
                    if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                        codes.add(f"{wrappers[_name(call)]}.{keyword.value.value!s}")
    return codes, prefixes


def test_the_census_finds_the_codes() -> None:
    """The scan is not vacuous: it sees the literal codes and the move-built ones."""
    codes, prefixes = _census()
    assert {"accounts.role_assign", "cases.unmask", "licences.revoke", "cases.submit"} <= codes
    assert {"market.project", "hotline.order", "draws"} <= prefixes
    assert len(codes) > 140


def test_every_action_code_in_the_source_has_a_label() -> None:
    codes, _ = _census()
    codes |= {SEAL_ACTION, ANCHOR_ACTION}
    missing = sorted(c for c in codes if not audit_labels.labelled(c))
    assert not missing, f"action codes with no Chinese label (portal/audit_labels.py): {missing}"


def test_every_process_that_audits_its_moves_is_known() -> None:
    _, prefixes = _census()
    missing = sorted(prefixes - set(audit_labels.PROCESSES))
    assert not missing, f"processes missing from audit_labels.PROCESSES: {missing}"
    for prefix, process in audit_labels.PROCESSES.items():
        for move in process.table.moves:
            assert audit_labels.labelled(f"{prefix}.{move}"), (prefix, move)


def test_every_role_of_every_move_table_has_a_label() -> None:
    roles = {str(r) for p in audit_labels.PROCESSES.values()
             for move in p.table.moves.values() for r in move.roles}
    missing = sorted(r for r in roles if audit_labels.role_label(r) == r)
    assert not missing, missing
    assert audit_labels.role_label("system") == "系统"
    assert audit_labels.role_label("window_clerk") == "窗口人员"


def test_a_move_is_named_by_its_process() -> None:
    assert audit_labels.action_label("cases.accept") == "办件：受理"
    assert audit_labels.action_label("bundles.deliver") == "一件事：送达"
    assert audit_labels.action_label("market.project.award") == "中介服务项目：确定中选"
    assert audit_labels.action_label("no.such.code") == "no.such.code"  # shown, not hidden


@pytest.mark.django_db
def test_before_and_after_read_as_words() -> None:
    rows = audit_labels.changes("cases.Case", {"status": "accepted"},
                                {"status": "decided", "due_at": "2026-12-01T01:00:00+00:00",
                                 "by_commitment": True, "channel": "online"})
    shown = [(r.label, r.before, r.after) for r in rows]
    assert shown[0] == ("状态", "审查中", "已决定")
    assert shown[2][1:] == ("", "是") and shown[1][2] == "2026-12-01 09:00"  # Beijing time
    assert shown[3][2] not in ("online", "")  # a choice by its label
    assert all(label.isascii() is False for label, _, _ in shown)
    # A model the log does not know keeps its keys, and nothing is lost.
    assert [(r.label, r.after) for r in audit_labels.changes("x.Y", None, {"k": [1, 2]})] == [
        ("k", "1、2")]


def test_a_moves_data_reads_as_words_not_keys_or_json() -> None:
    """Issue 16 walk-through: 受理 showed "provisional：否 notice：… by_law：否" and 补正告知
    a JSON object."""
    rows = audit_labels.changes("x.Y", None, {
        "provisional": False, "notice": "SL-1", "by_law": False, "missing": [],
        "items": [{"material": "申请书", "reason": "未签字"}]})
    assert all(not r.label.isascii() for r in rows), [r.label for r in rows]
    assert rows[-1].after == "材料：申请书，理由：未签字"


def test_every_literal_key_of_an_audit_row_has_a_label() -> None:
    """Each key written as `before={…}`/`after={…}` in the source reads in Chinese: a label
    here, or a field of some model (named by its verbose name there)."""
    from django.apps import apps

    fields = {f.name for m in apps.get_models() for f in m._meta.get_fields()}
    unlabelled = set()
    for path in Path(audit_labels.__file__).resolve().parents[1].rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in ("after", "before") and isinstance(keyword.value, ast.Dict):
                        unlabelled |= {k.value for k in keyword.value.keys
                                       if isinstance(k, ast.Constant) and isinstance(k.value, str)
                                       and k.value not in audit_labels.KEY_LABELS
                                       and k.value not in fields}
    assert not unlabelled, sorted(unlabelled)
