"""Where an order should go: the active rule table first, then the trained text classifier.

Rules (RoutingRule of the active RoutingVersion): a rule matches an order when the order's
region code starts with the rule's prefix (blank: anywhere) and the order's category is the
rule's category or below it (none: any category). Of the matching rules the most specific
wins: the longest region prefix, then the deepest category, then the highest priority. So a
township's own rule (9-digit prefix) beats the county's (6-digit) for the same category, and
"食品安全 · 餐饮服务" beats "市场监管".

The classifier (zhengwu.hotline.classifier, written by another part of the app) is optional:
when it cannot be imported or no model file exists, there are no model suggestions. The
loaded model is cached per file modification time, so a retrained model is picked up without
a restart.

suggest() returns at most three Suggestions, best first: the rule's department (score 1.0,
by "rule"), then the model's departments (their probabilities, by "model") unless it abstains.
The 兜底 rule (any region, any category) is not a match but the default owner: it comes last,
after the model's suggestions, with score 0.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from zhengwu.departments.models import Department
from zhengwu.hotline.models import Category, RoutingRule, RoutingVersion

logger = logging.getLogger("zhengwu.hotline")
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Suggestion:
    department_id: int
    department: str  # the full name
    score: float
    by: str  # "rule" | "model"


def active_version() -> RoutingVersion | None:
    return RoutingVersion.objects.filter(active=True).first()


def _depth(category: Category | None) -> int:
    return 0 if category is None else int(category.level)


def _lineage(category: Category | None) -> list[int]:
    """The category's id and its ancestors' (nearest first)."""
    found: list[int] = []
    while category is not None:
        found.append(category.pk)
        category = category.parent
    return found


# A version's rules never change once published (a change is a new version), so they are
# read once per process and version: the benchmark found the per-call query of every rule to
# be nearly all of routing's cost (docs/benchmarks.md, "12345 work orders").
_rules_lock = threading.Lock()
_rules_cache: dict[int, list[RoutingRule]] = {}


def _rules_of(version: RoutingVersion) -> list[RoutingRule]:
    with _rules_lock:
        found = _rules_cache.get(version.pk)
        if found is None:
            found = list(version.rules.select_related("category", "department"))
            _rules_cache.clear()  # only the version in force is worth keeping
            _rules_cache[version.pk] = found
        return found


def forget_rules() -> None:
    """Drop the cached rules: called when a version is published (a rolled-back test
    transaction on SQLite can hand a later version the same id)."""
    with _rules_lock:
        _rules_cache.clear()


def rule_for(region_code: str = "", category: Category | None = None,
             version: RoutingVersion | None = None) -> RoutingRule | None:
    """The most specific rule of `version` (default: the active one) for an order."""
    version = version or active_version()
    if version is None:
        return None
    lineage = _lineage(category)
    best: tuple[tuple[int, int, int], RoutingRule] | None = None
    for rule in _rules_of(version):
        if rule.region_code and not region_code.startswith(rule.region_code):
            continue
        if rule.category_id is not None and rule.category_id not in lineage:
            continue
        rank = (len(rule.region_code), _depth(rule.category), rule.priority)
        if best is None or rank > best[0]:
            best = (rank, rule)
    return best[1] if best is not None else None


# --- the classifier -------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _classifier() -> Any:
    try:
        from zhengwu.hotline import classifier  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return classifier


def model() -> Any:
    """The trained model, or None (no classifier module, no model file, or a tampered one)."""
    classifier = _classifier()
    if classifier is None:
        return None
    try:
        path = classifier.model_path()
        stamp = path.stat().st_mtime_ns
    except (OSError, AttributeError):
        return None
    with _lock:
        if _cache.get("path") == str(path) and _cache.get("stamp") == stamp:
            return _cache.get("model")
        try:
            loaded = classifier.load(path)
        except Exception:  # a broken model file must not break dispatch
            logger.exception("hotline model %s could not be loaded", path)
            loaded = None
        _cache.update(path=str(path), stamp=stamp, model=loaded)
        return loaded


def _model_suggestions(text: str) -> list[tuple[str, float]]:
    found = model()
    if found is None or not text.strip():
        return []
    try:
        scores = list(found.top(text, MAX_SUGGESTIONS))
        if not scores or found.abstains(scores):
            return []
    except Exception:  # suggestions are advice: dispatch goes on without them
        logger.exception("hotline model failed on a text")
        return []
    return [(str(name), float(score)) for name, score in scores]


def suggest(text: str, region_code: str = "", category_code: str = "") -> list[Suggestion]:
    """At most three departments for an order, best first (module docstring)."""
    found: list[Suggestion] = []
    category = Category.objects.select_related("parent__parent").filter(
        code=category_code).first() if category_code else None
    rule = rule_for(region_code, category)
    # A rule for any region and any category is the 兜底 owner (the Beijing standard's
    # "no clear owner goes to the government", standards-notes §7), not a match: it must not
    # outrank a confident model, so it comes after the model's suggestions, scored 0.
    fallback = rule is not None and not rule.region_code and rule.category_id is None
    if rule is not None and not fallback:
        found.append(Suggestion(rule.department_id, rule.department.name, 1.0, "rule"))
    named = _model_suggestions(text)
    if named:
        departments = {d.name: d for d in Department.objects.filter(
            name__in=[name for name, _ in named])}
        for name, score in named:
            department = departments.get(name)
            if department is None or any(s.department_id == department.pk for s in found):
                continue
            found.append(Suggestion(department.pk, department.name, round(score, 4), "model"))
    if rule is not None and fallback:
        found = [s for s in found if s.department_id != rule.department_id][:MAX_SUGGESTIONS - 1]
        found.append(Suggestion(rule.department_id, rule.department.name, 0.0, "rule"))
    return found[:MAX_SUGGESTIONS]
