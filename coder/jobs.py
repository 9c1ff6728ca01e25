"""The batch job behind ``coder code``: corpus in, event table (and dyad table) out, streamed, atomic, resumable.

Documents stream from the reader in chunks. Coded rows go to a journal beside the output (a hidden folder) that
records, after each chunk, how many documents are done; the tables are written from it, atomically, when the
whole corpus is coded, and the journal is removed. A run that was killed leaves its journal: ``resume=True``
continues after the last finished chunk, so every sentence is coded exactly once. Bad records and bad files do
not stop a run: they are listed in a rejects file (JSONL) and the rest is coded.

With ``n_process`` > 1 each chunk is coded in a worker process that holds its own copy of the model and the spaCy
pipeline (loaded once, before the workers start, and inherited where the platform forks; loaded once per worker
where it spawns). Only a few chunks are in flight at a time and rows come back in input order, so memory stays
flat in corpus size and the table is the same as with one process.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import multiprocessing
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .coding import Coder
from . import __version__
from .corpus import Document, expand_inputs, read_documents, sentences_of
from .errors import CoderError, InputError
from .export import EVENT_COLUMNS, DyadCounter, TableWriter, check_output_path, mark_duplicates, output_format, \
    write_dyads, write_text_atomic
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
    rejected: int = 0  # bad records and files, listed in rejects_output
    rejects_output: Path | None = None
    resumed_documents: int = 0  # documents an interrupted run had already coded


def rejects_path_for(output: str | Path) -> Path:
    """Where the rejects of a run writing `output` go by default: ``events.csv`` -> ``events.rejects.jsonl``."""
    output = Path(output)
    return output.with_name(f"{output.stem}.rejects.jsonl")


def check_side_outputs(output: Path, dyads: str | Path | None, rejects: str | Path | None) -> Path:
    """Fail before any work when the dyad table or the rejects file cannot be written; the rejects file's path."""
    if dyads is not None:
        check_output_path(dyads)
        output_format(dyads)
    return check_output_path(rejects if rejects is not None else rejects_path_for(output))


def nothing_coded(rejected: list[InputError]) -> InputError:
    """The error of a run that could read nothing at all: its first bad input, and how many more there were."""
    first = rejected[0]
    more = f" (and {len(rejected) - 1} more bad inputs)" if len(rejected) > 1 else ""
    return InputError(f"{first.detail}{more}; nothing was coded", first.path, first.line)


def table_metadata(model: EventModel) -> dict[str, str]:
    """Provenance written into the tables (Parquet schema metadata)."""
    return {"model_version": model.version, "model_experiment": str(model.meta.get("experiment", ""))}


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
                on_progress: Callable[[int, int], None] | None = None, rejects: str | Path | None = None,
                resume: bool = False) -> CodeSummary:
    """Code every sentence of `inputs` and write the events table (and the dyad table) atomically.

    `on_progress(documents, sentences)` is called after each chunk of documents is coded, for a progress bar.
    Bad records and files are listed in `rejects` (default: :func:`rejects_path_for`) and skipped; when nothing
    at all could be read, the first of them is raised. `resume` continues the interrupted run that was writing
    `output` with the same inputs and options (or starts afresh when there is none).
    """
    output = check_output_path(output)
    output_format(output, fmt)
    rejects_path = check_side_outputs(output, dyads, rejects)
    counter = DyadCounter(period, keep_duplicates=keep_duplicates)  # validates the period before any work
    options = CodingOptions(split=split, batch_size=batch_size, all_sentences=all_sentences)
    journal = Journal(output, run_fingerprint(inputs, model, options))
    done = journal.resume() if resume else journal.start()
    coder = Coder(model, nlp)
    gazetteer()  # loaded once here, before any worker forks, not inside the first document's reading
    metadata = table_metadata(model)
    counts = dict(done)
    rejected: list[InputError] = []

    def reject(error: InputError) -> None:
        rejected.append(error)
        log.warning("rejected %s", error)

    def progress(docs: int, sents: int, parsed: int) -> None:
        counts["documents"] += docs
        counts["sentences"] += sents
        counts["parsed"] += parsed
        journal.checkpoint(counts)  # every row of the chunk is in the journal by now
        if on_progress is not None:
            on_progress(counts["documents"], counts["sentences"])

    try:
        documents = itertools.islice(read_documents(inputs, clean=split, on_reject=reject), done["documents"], None)
        for row in code_documents(coder, documents, options, n_process=n_process, on_chunk=progress):
            journal.write(row)
        journal.close()
        if counts["documents"] == 0 and rejected:
            raise nothing_coded(rejected)
        events = 0
        with TableWriter(output, EVENT_COLUMNS, fmt, metadata) as writer:
            for row in mark_duplicates(journal.rows()):
                writer.write(row)
                counter.add(row)
                events += row["event"] != "none"
        n_dyads = write_dyads(counter, dyads, metadata=metadata) if dyads is not None else 0
        write_rejects(rejects_path, rejected)
    except CoderError:
        journal.remove()  # a mistake to fix, not a run to resume
        raise
    finally:
        journal.close()
    journal.remove()
    return CodeSummary(counts["documents"], counts["sentences"], events, n_dyads, counts["parsed"], output,
                       Path(dyads) if dyads is not None else None, rejected=len(rejected),
                       rejects_output=rejects_path if rejected else None, resumed_documents=done["documents"])


def write_rejects(path: Path, rejected: list[InputError]) -> None:
    """The rejects as JSONL (file, line, error), atomically; a stale rejects file from an earlier run goes."""
    if not rejected:
        path.unlink(missing_ok=True)
        return
    lines = [json.dumps({"file": e.path, "line": e.line, "error": e.detail}, ensure_ascii=False) for e in rejected]
    write_text_atomic(path, "\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------------- journal

def run_fingerprint(inputs: Sequence[str | Path], model: EventModel, options: CodingOptions) -> dict[str, Any]:
    """What must not change for a run to be resumed: the input files, the model and the coding options."""
    files = []
    for path, _ in expand_inputs(inputs):
        stat = path.stat()
        files.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    return {"files": files, "model": [model.version, str(model.meta.get("train_digest", ""))],
            "coder": __version__, "split": options.split, "all_sentences": options.all_sentences}


class Journal:
    """Rows coded so far and how many documents they cover, in a hidden folder beside the output.

    ``rows.jsonl`` is appended to; ``state.json`` (replaced atomically after each chunk, once the rows are
    flushed to disk) says how many documents are done and how many bytes of ``rows.jsonl`` hold their rows.
    Whatever a killed run wrote past the last state is cut off when the run is resumed.
    """

    STATE = "state.json"
    ROWS = "rows.jsonl"

    def __init__(self, output: Path, fingerprint: dict[str, Any]) -> None:
        self.output = output
        self.folder = output.parent / f".{output.name}.coder-resume"
        self.fingerprint = fingerprint
        self._fh: Any = None

    def start(self) -> dict[str, int]:
        """A fresh journal (an old one, from a run that was not resumed, is discarded)."""
        if self.folder.exists():
            log.info("discarding the unfinished run in %s (pass resume to continue it)", self.folder)
            shutil.rmtree(self.folder)
        self.folder.mkdir()
        self._fh = (self.folder / self.ROWS).open("wb")
        counts = {"documents": 0, "sentences": 0, "parsed": 0}
        self._save(counts, 0)
        return counts

    def resume(self) -> dict[str, int]:
        """The counts of the interrupted run, its rows kept up to its last checkpoint."""
        try:
            state = json.loads((self.folder / self.STATE).read_text(encoding="utf-8"))
            size = int(state["rows_bytes"])
            counts = {k: int(state[k]) for k in ("documents", "sentences", "parsed")}
        except FileNotFoundError:
            log.info("nothing to resume for %s: starting afresh", self.output)
            return self.start()
        except (ValueError, KeyError, TypeError):
            raise CoderError("cannot resume: the journal of the interrupted run is damaged; run without --resume "
                             "to start over", self.folder / self.STATE) from None
        if state.get("fingerprint") != self.fingerprint:  # built of lists, strings and numbers: as JSON gives back
            raise CoderError("cannot resume: the inputs, the model or the options differ from the interrupted "
                             "run's; run without --resume to start over", self.output)
        rows = self.folder / self.ROWS
        if not rows.exists() or rows.stat().st_size < size:
            raise CoderError("cannot resume: the journal of the interrupted run is incomplete; run without "
                             "--resume to start over", rows)
        with rows.open("r+b") as fh:
            fh.truncate(size)  # rows written after the last checkpoint are coded again
        self._fh = rows.open("ab")
        log.info("resuming %s after %d documents", self.output, counts["documents"])
        return counts

    def write(self, row: dict[str, Any]) -> None:
        self._fh.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")

    def checkpoint(self, counts: dict[str, int]) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._save(counts, self._fh.tell())

    def _save(self, counts: dict[str, int], size: int) -> None:
        state = {**counts, "rows_bytes": size, "fingerprint": self.fingerprint}
        write_text_atomic(self.folder / self.STATE, json.dumps(state))

    def close(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()

    def rows(self) -> Iterator[dict[str, Any]]:
        with (self.folder / self.ROWS).open(encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)


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


ChunkResult = tuple[list[int], int, list[dict[str, Any]]]  # sentences of each document, sentences parsed, rows
ChunkCallback = Callable[[int, int, int], None]  # documents, sentences, sentences parsed


def code_chunk(coder: Coder, docs: list[Document], options: CodingOptions) -> ChunkResult:
    """Code one chunk: (the number of sentences of each document, sentences parsed, event rows)."""
    per_doc = [sentences_of(doc, options.split) for doc in docs]
    sentences = [sent for sents in per_doc for sent in sents]
    parsed = coder.parsed
    rows = list(coder.code(sentences, batch_size=options.batch_size, all_sentences=options.all_sentences))
    return [len(sents) for sents in per_doc], coder.parsed - parsed, rows


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
    per_doc, n_parsed, rows = result
    yield from rows
    if on_chunk is not None:
        on_chunk(len(per_doc), sum(per_doc), n_parsed)
