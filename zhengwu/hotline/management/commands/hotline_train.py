"""`zhengwu hotline_train [--pack leiyang] [--with-closed] [--out PATH] [--if-missing]
[--no-eval]`: train the 12345 routing model on a pack's labelled orders (`hotline/orders.csv`)
— and, with `--with-closed`, on the real orders closed by a department
(selectors.closed_training_rows) — and save it (with its `.sha256` sidecar) where routing loads
it (classifier.model_path()).

Before saving, a model trained on 80 % of the orders (a seeded, per-department split) is scored
on the held-out 20 %, and on the pack's hand-written `hotline/orders_unseen.csv` when there is
one; the saved model is then trained on every order. `make run` calls it with `--if-missing
--no-eval`: offline, a few seconds, only when no valid model is there yet.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.env import BASE_DIR
from zhengwu.hotline import classifier, selectors


def pack_dir(pack: str | None) -> Path:
    """A pack given by name (`leiyang`: packs/leiyang of the checkout) or by directory;
    none: settings.ZHENGWU_DEFAULT_PACK."""
    if not pack:
        return Path(settings.ZHENGWU_DEFAULT_PACK)
    candidate = Path(pack)
    if candidate.is_dir():
        return candidate
    return BASE_DIR / "packs" / pack


def rows_from_pack(pack: str | None) -> list[tuple[str, str]]:
    """The (text, department full name) pairs of a pack's labelled orders. The hook where
    retraining from real closed orders (`--with-closed`) adds its rows."""
    path = pack_dir(pack) / "hotline" / "orders.csv"
    if not path.is_file():
        raise CommandError(f"数据包中没有标注工单文件：{path}")
    return classifier.read_orders(path)


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = "用数据包中的标注工单训练 12345 派单模型，并报告留出集上的准确率。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pack", default=None,
                            help="数据包名称（如 leiyang）或目录；默认 ZHENGWU_PACK")
        parser.add_argument("--out", default=None,
                            help="模型文件路径；默认 HOTLINE_MODEL_PATH（<数据目录>/hotline/model.joblib）")
        parser.add_argument("--with-closed", action="store_true",
                            help="同时用本平台已办结的真实工单（承办部门为标签）训练")
        parser.add_argument("--if-missing", action="store_true",
                            help="已有可用（校验通过）的模型时什么也不做（make run 使用）")
        parser.add_argument("--no-eval", action="store_true",
                            help="不做留出集评估，只训练并保存")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]) if options["out"] else classifier.model_path()
        if options["if_missing"] and classifier.load(out) is not None:
            self.stdout.write(f"派单模型已存在：{out}，跳过训练。")
            return
        rows = rows_from_pack(options["pack"])
        if options["with_closed"]:
            closed = selectors.closed_training_rows()
            self.stdout.write(f"已办结的真实工单 {len(closed)} 条加入训练。")
            rows = rows + closed
        if not rows:
            raise CommandError("标注工单文件中没有可用的行。")
        departments = len({department for _, department in rows})
        self.stdout.write(f"标注工单 {len(rows)} 条，涉及 {departments} 个部门。")
        if not options["no_eval"]:
            self._evaluate(rows, options["pack"])
        started = time.perf_counter()
        model = classifier.train(rows)
        seconds = time.perf_counter() - started
        classifier.save(model, out)
        self.stdout.write(f"全部 {len(rows)} 条训练用时 {seconds:.1f} 秒；模型已保存：{out}")

    def _evaluate(self, rows: list[tuple[str, str]], pack: str | None) -> None:
        train_rows, held_out = classifier.split(rows)
        started = time.perf_counter()
        model = classifier.train(train_rows)
        seconds = time.perf_counter() - started
        result = classifier.evaluate(model, held_out)
        self.stdout.write(
            f"留出集（20%，{result.orders} 条）：top-1 {_percent(result.top1)}，"
            f"top-3 {_percent(result.top3)}，弃权 {_percent(result.abstained)}；"
            f"训练 {len(train_rows)} 条用时 {seconds:.1f} 秒，每条预测 {result.predict_us:.0f} µs")
        unseen = pack_dir(pack) / "hotline" / "orders_unseen.csv"
        if unseen.is_file():
            other = classifier.evaluate(model, classifier.read_orders(unseen))
            self.stdout.write(
                f"手写新说法（{other.orders} 条）：top-1 {_percent(other.top1)}，"
                f"top-3 {_percent(other.top3)}，弃权 {_percent(other.abstained)}")
