"""Active learning: which sentences of an unlabelled corpus are most worth labelling next.

``coder suggest`` scores every sentence with the classifier, keeps those it is least sure about (smallest
margin between its two most likely classes), drops sentences already in ``labels/`` and near-duplicates of each
other, and writes them to a CSV with the columns an annotator fills in. ``coder labels import`` turns the filled
CSV into a label batch (see :func:`coder.labels.import_labels`).
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .corpus import read_sentences
from .errors import CoderError
from .export import TableWriter, check_output_path
from .model import EventModel

log = logging.getLogger(__name__)

#: Columns of the file to label: what the model thinks, then the columns the annotator fills.
SUGGEST_COLUMNS: tuple[str, ...] = (
    "id", "doc_id", "text", "suggested_label", "confidence", "margin",
    "label", "cameo_code", "source_text", "source_code", "target_text", "target_code",
)
#: How many candidates per requested sentence are kept before the diversity pass.
POOL_FACTOR = 5


@dataclass
class SuggestSummary:
    sentences: int
    written: int
    output: Path


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def diverse(texts: list[str], order: list[int], n: int, max_similarity: float = 0.6) -> list[int]:
    """Up to `n` of `order` (most uncertain first) whose character-trigram cosine similarity to every one already
    chosen stays at or below `max_similarity`: no batch of ten rewordings of one wire story."""
    if not order:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    m = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3)).fit_transform([texts[i] for i in order])
    chosen: list[int] = []
    for row, i in enumerate(order):
        if chosen and float((m[chosen] @ m[row].T).max()) > max_similarity:
            continue
        chosen.append(row)
        if len(chosen) >= n:
            break
    return [order[r] for r in chosen]


def suggest(inputs: Iterable[str | Path], output: str | Path, *, model: EventModel, n: int = 200,
            labelled: Iterable[str] = (), split: bool = True, batch_size: int = 1024) -> SuggestSummary:
    """Write the `n` most informative sentences of `inputs` to `output` (CSV), streaming the corpus.

    Informative means the classifier's margin between its top two classes is small; sentences whose text is in
    `labelled` are skipped, and the pick is made diverse with :func:`diverse`.
    """
    if n < 1:
        raise CoderError("-n must be at least 1")
    out_path = check_output_path(output)
    known = {_normal(t) for t in labelled}
    seen: set[str] = set()
    pool: list[tuple[float, int, dict[str, object]]] = []  # min-heap on -margin: the pool keeps small margins
    keep = n * POOL_FACTOR
    counter = 0
    total = 0
    classes = model.classes

    def flush(batch: list) -> None:  # type: ignore[type-arg]
        nonlocal counter
        proba = model.predict_proba([s.text for s in batch])
        top2 = np.sort(proba, axis=1)[:, -2:]
        for sent, p, (second, first) in zip(batch, proba, top2):
            margin = float(first - second)
            row = {"id": sent.id, "doc_id": sent.doc_id, "text": sent.text,
                   "suggested_label": classes[int(p.argmax())], "confidence": round(float(first), 4),
                   "margin": round(margin, 4)}
            counter += 1
            item = (-margin, counter, row)
            if len(pool) < keep:
                heapq.heappush(pool, item)
            elif item > pool[0]:
                heapq.heapreplace(pool, item)

    batch = []
    for sent in read_sentences(inputs, split=split):
        key = _normal(sent.text)
        if len(sent.text.split()) < 4 or key in known or key in seen:
            continue
        seen.add(key)
        total += 1
        batch.append(sent)
        if len(batch) >= batch_size:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    ranked = [row for _, _, row in sorted(pool, key=lambda item: (-item[0], item[1]))]
    picked = diverse([str(r["text"]) for r in ranked], list(range(len(ranked))), n)
    with TableWriter(out_path, SUGGEST_COLUMNS, "csv") as writer:
        for i in picked:
            writer.write(ranked[i])
    log.info("suggested %d of %d sentences", len(picked), total)
    return SuggestSummary(sentences=total, written=len(picked), output=out_path)
