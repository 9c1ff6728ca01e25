"""The batch job behind ``coder code``: corpus in, event table (and dyad table) out, streamed and atomic.

Documents stream from the reader in chunks. With ``n_process`` > 1 each chunk is coded in a worker process that
holds its own copy of the model and the spaCy pipeline (loaded once, before the workers start, and inherited
where the platform forks; loaded once per worker where it spawns). Only a few chunks are in flight at a time and
rows come back in input order, so memory stays flat in corpus size and the table is the same as with one process.
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .coding import Coder
from .corpus import Document, read_documents, sentences_of
from .export import EVENT_COLUMNS, DyadCounter, TableWriter, check_output_path, mark_duplicates, output_format, \
    write_dyads
from .model import EventModel
from .places import gazetteer

log = logging.getLogger(__name__)


@dataclass
class CodeSummary:
    documents: int
    sentences: int
    events: int
    dyads: int
    parsed: int  # sentences the cascade sent to the parser
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
                batch_size: int = 1024, n_process: int = 1, nlp: Any = None,
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
    gazetteer()  # loaded once here, before any worker forks, not inside the first document's reading
    metadata = {"model_version": model.version, "model_experiment": str(model.meta.get("experiment", ""))}
    counts = {"documents": 0, "sentences": 0, "events": 0, "parsed": 0}

    def progress(docs: int, sents: int, parsed: int) -> None:
        counts["documents"] += docs
        counts["sentences"] += sents
        counts["parsed"] += parsed
        if on_progress is not None:
            on_progress(counts["documents"], counts["sentences"])

    options = CodingOptions(split=split, batch_size=batch_size, all_sentences=all_sentences)
    with TableWriter(output, EVENT_COLUMNS, fmt, metadata) as writer:
        rows = code_documents(coder, read_documents(inputs, clean=split), options, n_process=n_process,
                              on_chunk=progress)
        for row in mark_duplicates(rows):
            writer.write(row)
            counter.add(row)
            if row["event"] != "none":
                counts["events"] += 1
    n_dyads = write_dyads(counter, dyads, metadata=metadata) if dyads is not None else 0
    return CodeSummary(counts["documents"], counts["sentences"], counts["events"], n_dyads, counts["parsed"],
                       output, Path(dyads) if dyads is not None else None)


# --------------------------------------------------------------------------------------------------- chunks

@dataclass(frozen=True)
class CodingOptions:
    """How each chunk of documents is coded (the same in every process)."""

    split: bool = True
    batch_size: int = 1024
    all_sentences: bool = False


#: A chunk closes after this many characters of text or this many documents, whichever comes first: big enough
#: to keep the classifier and parser batched, small enough that a few chunks in flight hold little memory.
CHUNK_CHARS = 250_000
CHUNK_DOCUMENTS = 200


def chunks(documents: Iterable[Document]) -> Iterator[list[Document]]:
    """Consecutive runs of whole documents (an article's sentences are coded together, in order)."""
    chunk: list[Document] = []
    size = 0
    for doc in documents:
        chunk.append(doc)
        size += len(doc.text)
        if size >= CHUNK_CHARS or len(chunk) >= CHUNK_DOCUMENTS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


ChunkResult = tuple[int, int, int, list[dict[str, Any]]]  # documents, sentences, sentences parsed, rows
ChunkCallback = Callable[[int, int, int], None]  # documents, sentences, sentences parsed


def code_chunk(coder: Coder, docs: list[Document], options: CodingOptions) -> ChunkResult:
    """Code one chunk: (documents, sentences, sentences parsed, event rows)."""
    sentences = [sent for doc in docs for sent in sentences_of(doc, options.split)]
    parsed = coder.parsed
    rows = list(coder.code(sentences, batch_size=options.batch_size, all_sentences=options.all_sentences))
    return len(docs), len(sentences), coder.parsed - parsed, rows


def code_documents(coder: Coder, documents: Iterable[Document], options: CodingOptions, *, n_process: int = 1,
                   on_chunk: ChunkCallback | None = None) -> Iterator[dict[str, Any]]:
    """Event rows for `documents`, in input order, coded in `n_process` processes.

    `on_chunk(documents, sentences, parsed)` is called as each chunk's rows are handed on (that chunk's counts).
    """
    if n_process <= 1:
        for chunk in chunks(documents):
            yield from _hand_on(code_chunk(coder, chunk, options), on_chunk)
        return
    yield from _code_in_pool(coder, documents, options, n_process, on_chunk)


#: Linux forks the workers, which then share the loaded model and pipeline with the parent (copy-on-write).
#: Elsewhere forking a process that has loaded numerical libraries is not safe: workers are spawned and each
#: loads its own copy of the pipeline (the model is sent to them).
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"

_worker: tuple[Coder, CodingOptions] | None = None  # the coder of this worker process


def _init_worker(options: CodingOptions, model: Any = None) -> None:
    """Forked workers inherit the parent's coder; spawned ones build theirs from the pickled model."""
    global _worker
    _worker = (_inherited if _inherited is not None else Coder(model), options)


_inherited: Coder | None = None  # set in the parent just before forking


def _work(docs: list[Document]) -> ChunkResult:
    assert _worker is not None, "worker not initialised"
    return code_chunk(_worker[0], docs, _worker[1])


def _code_in_pool(coder: Coder, documents: Iterable[Document], options: CodingOptions, n_process: int,
                  on_chunk: ChunkCallback | None) -> Iterator[dict[str, Any]]:
    global _inherited
    context = multiprocessing.get_context(START_METHOD)
    fork = START_METHOD == "fork"
    _inherited = coder if fork else None
    initargs = (options, None if fork else coder.model)
    log.info("coding in %d %s worker processes", n_process, context.get_start_method())
    pool = context.Pool(n_process, initializer=_init_worker, initargs=initargs)
    pending: collections.deque[Any] = collections.deque()
    try:
        for chunk in chunks(documents):
            pending.append(pool.apply_async(_work, (chunk,)))
            while len(pending) > 2 * n_process:  # bounded: never read far ahead of the writer
                yield from _hand_on(pending.popleft().get(), on_chunk)
        while pending:
            yield from _hand_on(pending.popleft().get(), on_chunk)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _inherited = None


def _hand_on(result: ChunkResult, on_chunk: ChunkCallback | None) -> Iterator[dict[str, Any]]:
    n_docs, n_sents, n_parsed, rows = result
    yield from rows
    if on_chunk is not None:
        on_chunk(n_docs, n_sents, n_parsed)
