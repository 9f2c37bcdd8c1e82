"""The 12345 routing model (zhengwu/hotline/classifier.py) and `zhengwu hotline_train`: what it
predicts on a tiny corpus, its top-3 and threshold, the hash-checked model file, corpora of one
and two departments, the pack's labelled orders, and its accuracy on their held-out split."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from config.env import BASE_DIR
from zhengwu.hotline import classifier

PACK = BASE_DIR / "packs" / "leiyang"
WATER = "耒阳市城市供水企业（名称待核实）"
POWER = "国网湖南省电力有限公司耒阳市供电分公司"
POLICE = "耒阳市公安局"

TINY = [
    ("家里停水了一整天", WATER), ("自来水发黄有异味", WATER), ("水管爆裂漏水", WATER),
    ("水压太低楼上没水", WATER), ("水费收得太多了", WATER),
    ("停电了没有通知", POWER), ("电压不稳烧坏电器", POWER), ("电表走得太快电费太高", POWER),
    ("电线杆倾斜很危险", POWER), ("新房申请装电表", POWER),
    ("身份证丢了怎么补办", POLICE), ("楼上深夜吵闹扰民", POLICE), ("电动车被偷了", POLICE),
    ("接到诈骗电话被骗钱", POLICE), ("新生儿落户要什么材料", POLICE),
]


@pytest.fixture(scope="module")
def tiny() -> classifier.Model:
    return classifier.train(TINY)


def test_a_tiny_corpus_predicts_the_right_department(tiny):
    assert tiny.top("我家又停水了，水龙头一滴水都没有", 1)[0][0] == WATER
    assert tiny.top("小区停电两个小时了", 1)[0][0] == POWER
    assert tiny.top("我的身份证不见了", 1)[0][0] == POLICE


def test_top_three_is_ordered_and_probabilities(tiny):
    scores = tiny.top("停水停电", 3)
    assert len(scores) == 3
    assert {name for name, _ in scores} == {WATER, POWER, POLICE}
    values = [p for _, p in scores]
    assert values == sorted(values, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in values)
    assert sum(values) == pytest.approx(1.0)  # every department is in the top 3 here
    assert [name for name, _ in tiny.top("停水停电", 2)] == [name for name, _ in scores[:2]]
    assert len(tiny.top("停水", 10)) == 3
    assert tiny.top("停水", 0) == []


def test_the_fast_path_equals_scikit_learns_probabilities(tiny):
    for text in ("水管爆了", "电费太高", "完全无关的一句话", ""):
        expected = tiny.estimator.predict_proba(tiny.vectorizer.transform([text]))[0]
        got = dict(tiny.top(text, 3))
        assert np.allclose([got[c] for c in tiny.classes], expected, atol=1e-6)


def test_abstains_below_the_threshold(tiny, settings):
    scores = tiny.top("停水", 3)
    best = scores[0][1]
    settings.HOTLINE_MODEL_THRESHOLD = best + 0.01
    assert tiny.abstains(scores)
    settings.HOTLINE_MODEL_THRESHOLD = best - 0.01
    assert not tiny.abstains(scores)
    assert tiny.abstains([])


def test_the_default_threshold_is_0_30(tiny, settings):
    del settings.HOTLINE_MODEL_THRESHOLD
    assert classifier.threshold() == 0.30
    assert tiny.abstains([(WATER, 0.29)])
    assert not tiny.abstains([(WATER, 0.30)])


def test_two_departments(tmp_path):
    model = classifier.train([row for row in TINY if row[1] != POLICE])
    scores = model.top("家里停水了", 3)
    assert [name for name, _ in scores] == [WATER, POWER]
    assert sum(p for _, p in scores) == pytest.approx(1.0)
    assert model.top("电表坏了", 1)[0][0] == POWER
    path = classifier.save(model, tmp_path / "m.joblib")
    loaded = classifier.load(path)
    assert loaded is not None and loaded.top("家里停水了", 3) == scores


def test_one_department(tmp_path):
    model = classifier.train([("停水了", WATER), ("水管爆了", WATER)])
    assert model.top("随便什么", 3) == [(WATER, 1.0)]
    assert not model.abstains(model.top("随便什么"))
    loaded = classifier.load(classifier.save(model, tmp_path / "one.joblib"))
    assert loaded is not None and loaded.top("x") == [(WATER, 1.0)]


def test_no_rows_is_refused():
    with pytest.raises(ValueError, match="没有可用于训练的工单"):
        classifier.train([])


def test_save_and_load_round_trip(tiny, tmp_path):
    path = classifier.save(tiny, tmp_path / "sub" / "model.joblib")
    assert (tmp_path / "sub" / "model.joblib.sha256").read_text().strip()
    loaded = classifier.load(path)
    assert loaded is not None
    assert loaded.top("停水了", 3) == tiny.top("停水了", 3)


def test_a_tampered_model_is_refused_and_never_unpickled(tiny, tmp_path, monkeypatch):
    path = classifier.save(tiny, tmp_path / "model.joblib")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    def boom(*args, **kwargs):
        raise AssertionError("an unverified file was unpickled")

    monkeypatch.setattr(classifier.joblib, "load", boom)
    assert classifier.load(path) is None


def test_a_replaced_model_without_a_matching_sidecar_is_refused(tiny, tmp_path):
    path = classifier.save(tiny, tmp_path / "model.joblib")
    other = classifier.save(classifier.train(TINY[:10]), tmp_path / "other.joblib")
    path.write_bytes(other.read_bytes())
    assert classifier.load(path) is None


def test_missing_files(tiny, tmp_path):
    assert classifier.load(tmp_path / "none.joblib") is None
    path = classifier.save(tiny, tmp_path / "model.joblib")
    (tmp_path / "model.joblib.sha256").unlink()
    assert classifier.load(path) is None


def test_model_path(settings, tmp_path):
    settings.HOTLINE_MODEL_PATH = ""
    assert classifier.model_path() == Path(settings.DATA_DIR) / "hotline" / "model.joblib"
    settings.HOTLINE_MODEL_PATH = str(tmp_path / "x.joblib")
    assert classifier.model_path() == tmp_path / "x.joblib"


def test_split_is_seeded_and_stratified():
    rows = [(f"{d}{i}", d) for d in "ABC" for i in range(10)] + [("single", "D")]
    train_rows, held_out = classifier.split(rows)
    assert classifier.split(rows) == (train_rows, held_out)
    assert Counter(d for _, d in held_out) == {"A": 2, "B": 2, "C": 2}
    assert sorted(train_rows + held_out) == sorted(rows)


# The pack's labelled orders (packs/leiyang/hotline/orders.csv).

def _orders(name: str) -> list[dict[str, str]]:
    with (PACK / "hotline" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_pack_orders_cover_every_department_and_are_illustrative():
    orders = _orders("orders.csv")
    with (PACK / "departments.csv").open(encoding="utf-8", newline="") as handle:
        departments = list(csv.DictReader(handle))
    expected = {d["name"] for d in departments
                if (d["region_code"] == "430481000000" and not d["short_name"].startswith("各乡镇"))
                or d["kind"] in ("乡镇人民政府", "街道办事处")}
    per = Counter(o["department"] for o in orders)
    assert len(orders) >= 2000
    assert set(per) == expected
    assert min(per.values()) >= 30
    assert len({o["text"] for o in orders}) == len(orders)
    assert {o["illustrative"] for o in orders} == {"true"}
    assert {o["kind"] for o in orders} == {"consult", "help", "complaint", "report",
                                           "suggestion", "praise"}
    unseen = _orders("orders_unseen.csv")
    assert len(unseen) >= 50 and {o["department"] for o in unseen} <= expected
    assert not {o["text"] for o in unseen} & {o["text"] for o in orders}


def test_the_generator_writes_the_shipped_file():
    script = PACK / "tools" / "build_hotline_orders.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_held_out_accuracy_on_the_pack_meets_the_goals():
    train_rows, held_out = classifier.split(classifier.read_orders(PACK / "hotline" / "orders.csv"))
    result = classifier.evaluate(classifier.train(train_rows), held_out)
    assert result.orders >= 400
    assert result.top1 >= 0.85
    assert result.top3 >= 0.95


# The command.

def _tiny_pack(tmp_path: Path) -> Path:
    (tmp_path / "hotline").mkdir(parents=True)
    with (tmp_path / "hotline" / "orders.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "department", "kind", "category_code", "region_code",
                         "illustrative"])
        for text, department in TINY:
            writer.writerow([text, department, "complaint", "", "", "true"])
    return tmp_path


def test_the_command_trains_saves_and_skips_a_valid_model(tmp_path, capsys):
    pack = _tiny_pack(tmp_path / "pack")
    out = tmp_path / "model" / "model.joblib"
    call_command("hotline_train", "--pack", str(pack), "--out", str(out))
    printed = capsys.readouterr().out
    assert "top-1" in printed and "top-3" in printed and "模型已保存" in printed
    model = classifier.load(out)
    assert model is not None and model.top("停水了", 1)[0][0] == WATER
    call_command("hotline_train", "--pack", str(pack), "--out", str(out), "--if-missing")
    assert "跳过训练" in capsys.readouterr().out
    out.write_bytes(b"not a model")  # damaged: --if-missing trains again
    call_command("hotline_train", "--pack", str(pack), "--out", str(out), "--if-missing",
                 "--no-eval")
    assert classifier.load(out) is not None


def test_the_command_names_a_missing_orders_file(tmp_path):
    with pytest.raises(CommandError, match="没有标注工单文件"):
        call_command("hotline_train", "--pack", str(tmp_path), "--out", str(tmp_path / "m"))


def test_a_verified_file_that_is_not_a_model_is_refused(tmp_path):
    import hashlib
    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump({"not": "a model"}, buffer)
    for name, data in (("garbage", b"not a pickle at all"), ("other", buffer.getvalue())):
        path = tmp_path / f"{name}.joblib"
        path.write_bytes(data)
        (tmp_path / f"{name}.joblib.sha256").write_text(hashlib.sha256(data).hexdigest())
        assert classifier.load(path) is None
