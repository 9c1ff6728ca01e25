"""The batch job behind ``coder code``: corpus in, event table (and dyad table) out, streamed and atomic."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .coding import Coder
from .corpus import read_documents, sentences_of
from .export import EVENT_COLUMNS, DyadCounter, TableWriter, check_output_path, mark_duplicates, output_format, \
    write_dyads
from .model import EventModel

log = logging.getLogger(__name__)


@dataclass
class CodeSummary:
    documents: int
    sentences: int
    events: int
    dyads: int
    output: Path
    dyads_output: Path | None


def load_model(model: str | Path | None, notify: Callable[[str], None] | None = None,
               tracking_uri: str | None = None) -> EventModel:
    """A local model folder, an MLflow model URI (``models:/event-coder@champion``, ``runs:/ID/coder``), or
    the default model (trained on first use)."""
    from .config import project_root
    from .tracking import is_model_uri, load_event_model, resolve_tracking_uri
    from .train import default_model

    if model is None:
        return default_model(notify=notify)
    if is_model_uri(model):
        return load_event_model(str(model), uri=resolve_tracking_uri(tracking_uri, project_root()))
    return EventModel.load(model)


def code_corpus(inputs: Sequence[str | Path], output: str | Path, *, model: EventModel,
                dyads: str | Path | None = None, period: str = "month", fmt: str | None = None,
                all_sentences: bool = False, split: bool = True, keep_duplicates: bool = False,
                batch_size: int = 256, n_process: int = 1, nlp: Any = None,
                on_progress: Callable[[int, int], None] | None = None) -> CodeSummary:
    """Code every sentence of `inputs` and write the events table (and the dyad table) atomically.

    `on_progress(documents, sentences)` is called after each document is read, for a progress bar.
    """
    output = check_output_path(output)
    output_format(output, fmt)
    if dyads is not None:
        check_output_path(dyads)
        output_format(dyads)
    counter = DyadCounter(period, keep_duplicates=keep_duplicates)  # validates the period before any work
    coder = Coder(model, nlp)
    counts = {"documents": 0, "sentences": 0}

    def sentences() -> Iterator[Any]:
        for doc in read_documents(inputs, clean=split):
            sents = sentences_of(doc, split)
            counts["documents"] += 1
            counts["sentences"] += len(sents)
            yield from sents
            if on_progress is not None:
                on_progress(counts["documents"], counts["sentences"])

    metadata = {"model_version": model.version, "model_experiment": str(model.meta.get("experiment", ""))}
    events = 0
    with TableWriter(output, EVENT_COLUMNS, fmt, metadata) as writer:
        rows = coder.code(sentences(), batch_size=batch_size, n_process=n_process, all_sentences=all_sentences)
        for row in mark_duplicates(rows):
            writer.write(row)
            counter.add(row)
            if row["event"] != "none":
                events += 1
    n_dyads = write_dyads(counter, dyads, metadata=metadata) if dyads is not None else 0
    return CodeSummary(counts["documents"], counts["sentences"], events, n_dyads, output,
                       Path(dyads) if dyads is not None else None)
