"""The pack's routing table (loaded as version 1) and suggest(): the most specific rule wins,
a township's own rule beats the county's, the classifier is optional and its suggestions
follow the rule's; new versions are all-or-nothing and for hotline admins only."""

from __future__ import annotations

import pytest

from zhengwu.core.errors import NotAllowed
from zhengwu.hotline import routing, services
from zhengwu.hotline.models import Category, RoutingVersion
from zhengwu.hotline.pack import hotline_load

pytestmark = pytest.mark.django_db

XIAOSHUI = "430481101203"  # a village of 小水镇 (prefix 430481101)


def test_pack_loaded_version_one():
    version = RoutingVersion.objects.get(active=True)
    assert version.number == 1 and version.rules.count() > 100
    assert Category.objects.filter(level=1).count() >= 12
    assert Category.objects.filter(level=3).exists()
    assert Category.objects.get(code="13").business


def test_reloading_the_pack_changes_nothing(settings):
    from pathlib import Path

    from zhengwu.core.audit import SYSTEM

    report = hotline_load(Path(settings.ZHENGWU_DEFAULT_PACK), actor=SYSTEM)
    assert (report.categories, report.rules) == (0, 0)
    assert RoutingVersion.objects.count() == 1


def test_most_specific_category_wins():
    [food] = routing.suggest("", "430481001001", "030101")
    assert (food.department, food.by, food.score) == ("耒阳市市场监督管理局", "rule", 1.0)
    [insurance] = routing.suggest("", "430481001001", "0603")
    assert insurance.department == "耒阳市医疗保障局"  # beats 卫生健康 (06)


def test_township_rule_beats_the_county():
    [mine] = routing.suggest("", XIAOSHUI, "1401")
    assert mine.department == "耒阳市小水镇人民政府"
    [county] = routing.suggest("", "", "1401")  # no region: the county's rule
    assert county.department == "各乡镇人民政府、街道办事处"


def test_fallback_rule_without_category():
    [any_] = routing.suggest("不知道找谁", "430481001001")
    assert (any_.department, any_.by, any_.score) == ("耒阳市人民政府办公室", "rule", 0.0)


class FakeModel:
    def __init__(self, scores):
        self.scores = scores

    def top(self, text, k=3):
        return self.scores[:k]

    def abstains(self, scores):
        return scores[0][1] < 0.3


def test_model_suggestions_follow_the_rule(monkeypatch):
    monkeypatch.setattr(routing, "model", lambda: FakeModel([
        ("耒阳市市场监督管理局", 0.7), ("耒阳市城市管理和综合执法局", 0.2),
        ("不存在的部门", 0.05)]))
    found = routing.suggest("超市卖过期牛奶", "430481001001", "0301")
    assert [(s.department, s.by) for s in found] == [
        ("耒阳市市场监督管理局", "rule"), ("耒阳市城市管理和综合执法局", "model")]
    monkeypatch.setattr(routing, "model", lambda: FakeModel([("耒阳市教育局", 0.1)]))
    assert [s.by for s in routing.suggest("？", "430481001001", "0301")] == ["rule"]


def test_the_fallback_rule_comes_after_a_confident_model(monkeypatch):
    monkeypatch.setattr(routing, "model", lambda: FakeModel([
        ("耒阳市教育局", 0.76), ("耒阳市人民政府办公室", 0.1), ("耒阳市民政局", 0.05)]))
    found = routing.suggest("学校门口有人乱收费", "430481001001")
    assert [(s.department, s.by, s.score) for s in found] == [
        ("耒阳市教育局", "model", 0.76), ("耒阳市民政局", "model", 0.05),
        ("耒阳市人民政府办公室", "rule", 0.0)]


def test_no_classifier_means_no_model_suggestions(monkeypatch):
    monkeypatch.setattr(routing, "_classifier", lambda: None)
    assert routing.model() is None
    assert all(s.by == "rule" for s in routing.suggest("超市卖过期牛奶"))


def test_new_version_is_all_or_nothing_and_admin_only(django_user_model):
    from zhengwu.accounts.models import User

    operator = User.objects.get(username="hotline")
    admin = User.objects.get(username="admin")
    rows = [services.RuleRow("", "03", "耒阳市市场监督管理局", 0)]
    with pytest.raises(NotAllowed):
        services.routing_version_create(rows=rows, user=operator)
    with pytest.raises(services.ImportInvalid) as caught:
        services.routing_version_create(
            rows=[*rows, services.RuleRow("43x", "99", "无此部门", 0)], user=admin)
    assert caught.value.errors[0].startswith("第2行")
    assert RoutingVersion.objects.get(active=True).number == 1
    version = services.routing_version_create(rows=rows, user=admin, note="测试")
    assert version.number == 2 and version.active
    assert RoutingVersion.objects.filter(active=True).count() == 1
    rules_only = [s for s in routing.suggest("", "", "030101") if s.by == "rule"]
    assert [s.department for s in rules_only] == ["耒阳市市场监督管理局"]  # 03 covers 0603
    assert [s for s in routing.suggest("", "", "0101") if s.by == "rule"] == []


def test_a_trained_model_on_disk_is_used_and_reloaded_when_it_changes(tmp_path, settings):
    classifier = pytest.importorskip("zhengwu.hotline.classifier")
    rows = [(f"超市销售过期食品{n}", "耒阳市市场监督管理局") for n in range(12)] + [
        (f"路灯不亮晚上很黑{n}", "耒阳市城市管理和综合执法局") for n in range(12)]
    path = tmp_path / "model.joblib"
    settings.HOTLINE_MODEL_PATH = str(path)
    settings.HOTLINE_MODEL_THRESHOLD = 0.0
    assert routing.model() is None  # no file yet
    classifier.save(classifier.train(rows), path)
    found = [s for s in routing.suggest("超市销售过期食品") if s.by == "model"]
    assert found and found[0].department == "耒阳市市场监督管理局"
    assert routing.model() is routing.model()  # cached while the file is unchanged
