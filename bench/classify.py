"""Concern classifier on the real labelled messages: 5-fold macro-F1, raw-text figure, speed.

    .venv/bin/python bench/classify.py [../shared/data/citizen-messages]

Prints the 5-fold confusion matrix, the macro-F1 on the 1,476 rows whose
raw title and body survive (trained on the tokens-only rows, tested on raw text run through our
segmenter: what the platform sees), a 5-fold CV whose test folds are those raw rows only (each
trained on everything else), the time per message (CPU and wall), and last
`classify: macro-F1 F (5-fold), T ms/message`. As `concerns train` does,
`unlabeled_messages.csv` of the same folder feeds vocabulary and idf (never labels).
"""

import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gongzhi.concerns.intelligence import classifier  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "citizen-messages"


def macro_f1(truth: list[str], pred: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, pred, average="macro"))


def cross_validate(tokens: list[list[str]], labels: np.ndarray, unlabeled: list[list[str]]) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    pred = np.empty_like(labels)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(labels)), labels):
        model = classifier.fit_tokens(
            [tokens[i] for i in tr], labels[tr], unlabeled=unlabeled, calibrate=False
        )
        pred[te] = [c for c, _ in model.predict_tokens([tokens[i] for i in te])]
    return pred


def raw_rows(rows: list[dict]) -> np.ndarray:
    return np.array([bool((r["title"] + r["body"]).strip()) for r in rows])


def raw_text_figure(
    rows: list[dict], tokens: list[list[str]], labels: np.ndarray, unlabeled: list[list[str]]
) -> float:
    raw = raw_rows(rows)
    model = classifier.fit_tokens(
        [tokens[i] for i in np.where(~raw)[0]], labels[~raw], unlabeled=unlabeled, calibrate=False
    )
    texts = [rows[i]["title"] + "\n" + rows[i]["body"] for i in np.where(raw)[0]]
    return macro_f1(labels[raw].tolist(), [c for c, _ in model.predict(texts)])


def raw_fold_figure(
    rows: list[dict], tokens: list[list[str]], labels: np.ndarray, unlabeled: list[list[str]]
) -> float:
    """5-fold CV with only raw rows as test folds, so 1,476 raw rows are not tuned on alone."""
    from sklearn.model_selection import StratifiedKFold

    raw = raw_rows(rows)
    raw_idx, tokens_only = np.where(raw)[0], np.where(~raw)[0]
    pred = np.empty(len(raw_idx), dtype=labels.dtype)
    folds = StratifiedKFold(5, shuffle=True, random_state=0).split(raw_idx, labels[raw_idx])
    for tr, te in folds:
        train_idx = np.concatenate([tokens_only, raw_idx[tr]])
        model = classifier.fit_tokens(
            [tokens[i] for i in train_idx], labels[train_idx], unlabeled=unlabeled, calibrate=False
        )
        texts = [rows[i]["title"] + "\n" + rows[i]["body"] for i in raw_idx[te]]
        pred[te] = [c for c, _ in model.predict(texts)]
    return macro_f1(labels[raw_idx].tolist(), pred.tolist())


def ms_per_message(rows: list[dict]) -> tuple[float, float]:
    """Wall and CPU milliseconds per raw text for the shipped model, segmentation included."""
    texts = [r["title"] + "\n" + r["body"] for r in rows if r["body"].strip()]
    model = classifier.load()
    model.predict(texts[:20])  # jieba's dictionary loads on first use
    wall, cpu = time.perf_counter(), time.process_time()
    model.predict(texts)
    return (time.perf_counter() - wall) * 1000 / len(texts), (time.process_time() - cpu) * 1000 / len(texts)


def print_confusion(truth: np.ndarray, pred: np.ndarray) -> None:
    from sklearn.metrics import classification_report, confusion_matrix

    classes = sorted(set(truth.tolist()))
    matrix = confusion_matrix(truth, pred, labels=classes)
    print("confusion (rows = true, columns = predicted):")
    print("| true \\ predicted | " + " | ".join(classes) + " |")
    print("|---" * (len(classes) + 1) + "|")
    for name, line in zip(classes, matrix, strict=True):
        print(f"| {name} | " + " | ".join(str(v) for v in line) + " |")
    print(classification_report(truth, pred, digits=3))


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    with (data / "labeled_messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    tokens = [classifier.row_tokens(r) for r in rows]
    labels = np.array([r["category"] for r in rows])
    unlabeled = []
    if (data / "unlabeled_messages.csv").is_file():
        with (data / "unlabeled_messages.csv").open(encoding="utf-8-sig", newline="") as fh:
            unlabeled = [t for t in map(classifier.row_tokens, csv.DictReader(fh)) if t]
    pred = cross_validate(tokens, labels, unlabeled)
    cv = macro_f1(labels.tolist(), pred.tolist())
    print_confusion(labels, pred)
    proxy = raw_text_figure(rows, tokens, labels, unlabeled)
    print(f"raw-text rows: macro-F1 {proxy:.4f} (trained on tokens-only rows)")
    folds = raw_fold_figure(rows, tokens, labels, unlabeled)
    print(f"raw-text folds: macro-F1 {folds:.4f} (5-fold, raw rows as test folds, trained on the rest)")
    wall, cpu = ms_per_message(rows)
    # Other jobs on a shared machine stretch wall time; CPU time is this process's own cost, so
    # the classify line reports CPU time (on a quiet machine the two agree).
    load = os.getloadavg()[0]
    print(
        f"speed: {cpu:.2f} ms/message of CPU time, {wall:.2f} ms wall (load average {load:.1f} on {os.cpu_count()} cores)"
    )
    print(f"classify: macro-F1 {cv:.4f} (5-fold), {cpu:.2f} ms/message")


if __name__ == "__main__":
    main()
