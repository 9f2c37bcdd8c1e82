"""The 12345 department classifier (issue 13 §2): which department should handle a work order,
learnt from labelled orders (the pack's illustrative `hotline/orders.csv`, later real closed
orders).

Character n-grams (1–3) weighted by TF-IDF feed a multinomial logistic regression, whose class
probabilities are the confidence routing shows dispatchers. Characters rather than words: no
segmenter to ship or tune, and Chinese place names, misspellings and colloquial phrasings still
share most of their characters with the training orders.

Pure: scikit-learn and joblib only, no Django models; settings are read lazily (threshold, model
path) and only when Django is configured, so the module trains and predicts in a bare script too
(bench/hotline.py, the pack's tools).

A saved model is a joblib pickle with a sidecar `<file>.sha256`. `load` hashes the bytes it read
and unpickles them only when they match: a truncated or altered file is refused (None), never
unpickled. The sidecar is not a signature — whoever can write both files can replace both — so
the data dir must stay writable only by the platform (docs/deploy.md).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

DEFAULT_THRESHOLD = 0.30
# Regularisation: a larger C gives sharper probabilities, so a clear order's best department
# is well above the abstain threshold; 20 was the best on the pack's held-out split.
C = 20.0


class Model:
    """A trained classifier: `top(text, k)` ranks departments (full names) by probability."""

    def __init__(self, vectorizer: TfidfVectorizer | None, estimator: LogisticRegression | None,
                 classes: list[str], trained_on: int) -> None:
        self.vectorizer = vectorizer
        self.estimator = estimator
        self.classes = classes
        self.trained_on = trained_on
        self.sklearn_version = sklearn.__version__
        # Transposed once, C-contiguous: the per-order product is then one sparse·dense pass.
        self._weights = (np.ascontiguousarray(estimator.coef_.T)
                         if estimator is not None else None)

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k most probable departments, best first, with their probabilities (sum ≤ 1)."""
        if k <= 0:
            return []
        if self.estimator is None or self.vectorizer is None:
            # One department only: nothing to choose between; it is certain.
            return [(self.classes[0], 1.0)]
        # The multinomial model's own formula (softmax of the linear scores), computed here on
        # the one sparse row: predict_proba's input checks cost more than the arithmetic.
        assert self._weights is not None
        indices, values = self._features(text or "")
        scores = values @ self._weights[indices] + self.estimator.intercept_
        if scores.size == 1:  # two departments: one score, for the second class
            scores = np.array([-scores[0], scores[0]]) / 2
        scores -= scores.max()
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum()
        order = np.argsort(-probabilities, kind="stable")[:k]
        return [(self.classes[i], float(probabilities[i])) for i in order]

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The TF-IDF row of one text as (column indices, values): what
        `vectorizer.transform([text])` computes (sublinear tf × idf, L2-normalised), without
        building a sparse matrix for a single row (tested equal)."""
        assert self.vectorizer is not None
        analyzer = self.__dict__.get("_analyzer")
        if analyzer is None:
            analyzer = self.__dict__["_analyzer"] = self.vectorizer.build_analyzer()
        vocabulary = self.vectorizer.vocabulary_
        counts: dict[int, int] = {}
        for gram in analyzer(text):
            column = vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (1.0 + np.log(values)) * self.vectorizer.idf_[indices]
        norm = np.sqrt(values @ values)
        if norm > 0:
            values /= norm
        return indices, values

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_analyzer", None)  # a closure, rebuilt on first use
        return state

    def abstains(self, scores: list[tuple[str, float]]) -> bool:
        """True when the best score is below the threshold: a dispatcher chooses instead."""
        return not scores or scores[0][1] < threshold()


def threshold() -> float:
    """settings.HOTLINE_MODEL_THRESHOLD, else 0.30 (also outside a configured Django)."""
    value = _setting("HOTLINE_MODEL_THRESHOLD", DEFAULT_THRESHOLD)
    return DEFAULT_THRESHOLD if value is None else float(str(value))


def train(rows: Iterable[tuple[str, str]]) -> Model:
    """Train on (text, department full name) pairs. Raises ValueError when there is no row."""
    texts: list[str] = []
    labels: list[str] = []
    for text, department in rows:
        texts.append(text or "")
        labels.append(department)
    if not texts:
        raise ValueError("没有可用于训练的工单。")
    classes = sorted(set(labels))
    if len(classes) == 1:
        return Model(None, None, classes, len(texts))
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                                 min_df=1, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    estimator = LogisticRegression(C=C, max_iter=1000, tol=1e-3)
    estimator.fit(matrix, labels)
    # The estimator's classes_ are sorted too; keep them as the one source of the order.
    return Model(vectorizer, estimator, [str(c) for c in estimator.classes_], len(texts))


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def save(model: Model, path: str | os.PathLike[str]) -> Path:
    """Write the model and its `.sha256` sidecar (each via a temporary file and a rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    for destination, content in ((target, data), (_sidecar(target), f"{digest}\n".encode())):
        temporary = destination.with_name(destination.name + ".tmp")
        temporary.write_bytes(content)
        temporary.replace(destination)
    return target


def load(path: str | os.PathLike[str]) -> Model | None:
    """The saved model, or None when it or its sidecar is missing, the hash does not match
    (never unpickled then), it was saved by another scikit-learn version, or it is not a Model."""
    target = Path(path)
    try:
        data = target.read_bytes()
        expected = _sidecar(target).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), expected):
        return None
    # The bytes are the verified ones: unpickle them, not the file again (it may have changed).
    try:
        model = joblib.load(io.BytesIO(data))
    except Exception:  # a verified file that still fails (e.g. a missing class): retrain
        return None
    if not isinstance(model, Model) or model.sklearn_version != sklearn.__version__:
        return None
    return model


def model_path() -> Path:
    """settings.HOTLINE_MODEL_PATH, else <ZHENGWU_DATA_DIR>/hotline/model.joblib."""
    explicit = _setting("HOTLINE_MODEL_PATH", "") or ""
    if explicit:
        return Path(str(explicit))
    data_dir = _setting("DATA_DIR", None)
    if data_dir is None:
        from config.env import data_dir as env_data_dir

        data_dir = env_data_dir()
    return Path(str(data_dir)) / "hotline" / "model.joblib"


def _setting(name: str, default: object) -> object:
    from django.conf import settings

    if not settings.configured:
        return default
    return getattr(settings, name, default)


def read_orders(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(text, department) pairs of a labelled orders CSV (the pack's `hotline/orders.csv`
    columns; only `text` and `department` are read). Rows without either are skipped."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [(row["text"].strip(), row["department"].strip())
                for row in csv.DictReader(handle)
                if (row.get("text") or "").strip() and (row.get("department") or "").strip()]


def split(rows: list[tuple[str, str]], fraction: float = 0.2,
          seed: int = 13) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A seeded, stratified (train, held-out) split: `fraction` of each department's rows
    (rounded, at least one when it has two or more) are held out."""
    by_department: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        by_department.setdefault(row[1], []).append(row)
    rng = random.Random(seed)  # noqa: S311 (a reproducible split, not a secret)
    train_rows: list[tuple[str, str]] = []
    held_out: list[tuple[str, str]] = []
    for department in sorted(by_department):
        group = list(by_department[department])
        rng.shuffle(group)
        count = max(1, round(len(group) * fraction)) if len(group) >= 2 else 0
        held_out.extend(group[:count])
        train_rows.extend(group[count:])
    return train_rows, held_out


@dataclass(frozen=True)
class Evaluation:
    orders: int
    top1: float
    top3: float
    abstained: float  # share of orders on which the model abstains
    predict_us: float  # mean time of one `top(text, 3)`, microseconds


def evaluate(model: Model, rows: list[tuple[str, str]]) -> Evaluation:
    """Top-1 / top-3 accuracy of `model` on labelled rows, and its time per order."""
    if not rows:
        return Evaluation(0, 0.0, 0.0, 0.0, 0.0)
    first = within3 = abstained = 0
    started = time.perf_counter()
    ranked = [model.top(text, 3) for text, _ in rows]
    elapsed = time.perf_counter() - started
    for (_, department), scores in zip(rows, ranked, strict=True):
        first += bool(scores) and scores[0][0] == department
        within3 += department in {name for name, _ in scores}
        abstained += model.abstains(scores)
    count = len(rows)
    return Evaluation(count, first / count, within3 / count, abstained / count,
                      elapsed / count * 1e6)
