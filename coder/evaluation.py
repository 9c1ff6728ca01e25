"""Scoring the coder against gold sentences: per-class precision / recall / F1, macro-F1, actor countries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .cameo import LABELS, NONE
from .coding import Coder
from .corpus import Sentence


@dataclass
class GoldSentence:
    id: str
    text: str
    label: str
    source_country: str = ""
    target_country: str = ""


@dataclass
class Evaluation:
    """Predictions and scores for a gold set."""

    metrics: dict[str, float]
    report: str
    confusion: list[list[int]]
    predictions: list[dict[str, Any]] = field(default_factory=list)


def code_gold(coder: Coder, gold: Sequence[GoldSentence], batch_size: int = 256) -> list[dict[str, Any]]:
    """Code each gold sentence as one unsplit sentence; one row per sentence (none included)."""
    sents = [Sentence(id=g.id, doc_id=g.id, text=g.text) for g in gold]
    rows: dict[str, dict[str, Any]] = {}
    for r in coder.code(sents, batch_size=batch_size, all_sentences=True):
        rows.setdefault(r["sentence_id"], r)  # the first row (e1); coordinated sources add e2, e3 ...
    return [rows[g.id] for g in gold]


def score(gold: Sequence[GoldSentence], rows: Sequence[dict[str, Any]]) -> Evaluation:
    """Metrics of predicted rows against gold sentences (same order)."""
    from sklearn.metrics import classification_report, confusion_matrix, precision_recall_fscore_support

    y_true = [g.label for g in gold]
    y_pred = [r["event"] for r in rows]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(LABELS), zero_division=0)
    metrics: dict[str, float] = {
        "accuracy": sum(a == b for a, b in zip(y_true, y_pred)) / max(len(y_true), 1),
        "macro_f1": float(f.mean()),
        "n": float(len(y_true)),
    }
    for i, label in enumerate(LABELS):
        metrics[f"precision_{label}"] = float(p[i])
        metrics[f"recall_{label}"] = float(r[i])
        metrics[f"f1_{label}"] = float(f[i])
        metrics[f"support_{label}"] = float(s[i])
    events = [(g, row) for g, row in zip(gold, rows) if g.label != NONE]
    if events:
        src_ok = sum((row["source_country"] or "") == g.source_country for g, row in events)
        tgt_ok = sum((row["target_country"] or "") == g.target_country for g, row in events)
        metrics["source_country_accuracy"] = src_ok / len(events)
        metrics["target_country_accuracy"] = tgt_ok / len(events)
        # The same over the gold events the coder found (right class): actor resolution on its own.
        found = [(g, row) for g, row in events if row["event"] == g.label]
        if found:
            metrics["source_country_accuracy_found"] = sum(
                (row["source_country"] or "") == g.source_country for g, row in found) / len(found)
            metrics["target_country_accuracy_found"] = sum(
                (row["target_country"] or "") == g.target_country for g, row in found) / len(found)
    coded_by = Counter(str(row["coded_by"]).startswith("rule:") for row in rows)
    metrics["rule_share"] = coded_by[True] / max(len(rows), 1)
    report = classification_report(y_true, y_pred, labels=list(LABELS), zero_division=0, digits=3)
    confusion = confusion_matrix(y_true, y_pred, labels=list(LABELS)).tolist()
    predictions = [
        {"id": g.id, "text": g.text, "gold": g.label, "predicted": row["event"], "coded_by": row["coded_by"],
         "confidence": row["confidence"], "gold_source_country": g.source_country,
         "source_country": row["source_country"], "gold_target_country": g.target_country,
         "target_country": row["target_country"]}
        for g, row in zip(gold, rows)
    ]
    return Evaluation(metrics=metrics, report=report, confusion=confusion, predictions=predictions)


def evaluate(coder: Coder, gold: Sequence[GoldSentence]) -> Evaluation:
    return score(gold, code_gold(coder, gold))
