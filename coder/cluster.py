"""``coder code --dask``: the same job as :mod:`coder.jobs`, spread over the workers of a Dask cluster.

The inputs are cut into partitions: runs of whole files, and byte ranges of whole records of large .jsonl and
.csv files. Each worker loads the model once (a worker plugin fills a per-process cache; the task graph carries
only the model's path or URI and its version) and codes whole partitions, writing each one's rows as a Parquet
part file, and its counts, document ids and rejects as a JSON summary, into a work folder beside the output.
A partition whose summary is there is finished: ``resume=True`` skips it. Failed partitions are retried.

When every partition is coded, the parts are read as one Dask DataFrame in input order. Repeated document ids
across partitions are dropped (the first is kept, as the single-process reader does), repeated reports of an
event are marked (``duplicate_of``) from a groupby on the cluster, and the dyad counts are a Dask groupby too:
only the dyads, never the events, come back to the client. The events table is then written as one file,
streamed partition by partition in input order (byte-identical to a single-process run), or as a Parquet dataset
partitioned by year and month, written by the workers.

Every worker must reach the input files, the model and the output folder by the same paths (a shared file
system), and run the same coder version as the client.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import itertools
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from . import __version__
from .corpus import HEAD_BYTES, Document, IdIndex, Span, check_head, csv_header, duplicate_id_error, \
    expand_inputs, iter_text_lines, read_files
from .errors import CoderError, InputError, ModelError
from .export import EVENT_COLUMNS, DyadCounter, TableWriter, check_output_path, duplicate_key, \
    goldstein_milli, output_format, table_schema, write_dyads, write_text_atomic
from .jobs import CodeSummary, CodingOptions, check_side_outputs, chunks, code_chunk, nothing_coded, \
    run_fingerprint, table_metadata, write_rejects

log = logging.getLogger(__name__)

#: A partition closes after this many bytes of input; large .jsonl / .csv files are cut into ranges this big.
#: At about 240 KB of JSONL news a second per worker (bench/RESULTS.md), 8 MiB is about 35 s of work: small
#: enough to spread a corpus over many workers and to lose little when a worker dies, big enough that
#: scheduling costs nothing.
PARTITION_BYTES = 8 << 20
#: Partitions are made smaller for a small corpus, so that every worker gets some (at least 4 per worker), but
#: never below this.
MIN_PARTITION_BYTES = 64 << 10
#: Times a failed partition is tried again before the run fails.
RETRIES = 2
#: The Dask config of the environment its worker processes start with.
NANNY_ENV = "distributed.nanny.pre-spawn-environ"
#: How long to try to reach a Dask scheduler.
CONNECT_TIMEOUT = "20s"
#: Coded partitions in flight to the client while the events table is written.
WRITE_AHEAD = 4

WORK_DIR_SUFFIX = ".coder-dask"
PLAN_FILE = "plan.json"
PARTS_DIR = "parts"
PART_FILE = "part-{:05d}.parquet"
SUMMARY_FILE = "part-{:05d}.json"
DATASET_PARTITIONS = ("year", "month")
#: The year and month of events without a date. Not null: pyarrow (and so pandas) cannot read back a dataset
#: whose partition values include nulls ("Cannot yet unify dictionaries with nulls").
UNDATED = "undated"

_SCAN_BLOCK = 1 << 20


# --------------------------------------------------------------------------------------------------- plan

@dataclass(frozen=True)
class Partition:
    """Whole files, or one span of a large record file: ``items`` are (file number, path, root, span)."""

    number: int
    items: tuple[tuple[int, str, str, tuple[int, int, int, int] | None], ...]

    def file_items(self) -> list[tuple[int, Path, Path, Span | None]]:
        return [(n, Path(p), Path(r), Span(*s) if s is not None else None) for n, p, r, s in self.items]


@dataclass
class Plan:
    """The partitions of a run, the files they come from (by number) and the files rejected while planning."""

    files: list[str]
    partitions: list[Partition]
    rejects: list[InputError]


def partition_size(total_bytes: int, workers: int) -> int:
    """:data:`PARTITION_BYTES`, or less for a corpus too small to give each worker four partitions."""
    return max(MIN_PARTITION_BYTES, min(PARTITION_BYTES, -(-total_bytes // max(4 * workers, 1))))


def plan_partitions(inputs: Sequence[str | Path], part_bytes: int = PARTITION_BYTES) -> Plan:
    """Cut the inputs into partitions of about `part_bytes`, in input order.

    Small files are grouped; a .jsonl or .csv file larger than `part_bytes` is cut into ranges of whole records
    (a CSV record may hold quoted line breaks: ranges end where the quotes so far are balanced). Such a file's
    head (binary, UTF-16, a CSV header without ``id`` and ``text``) is checked here, once.
    """
    files = expand_inputs(inputs)
    partitions: list[Partition] = []
    rejects: list[InputError] = []
    group: list[tuple[int, str, str, tuple[int, int, int, int] | None]] = []
    size = 0

    def close_group() -> None:
        nonlocal group, size
        if group:
            partitions.append(Partition(len(partitions), tuple(group)))
        group, size = [], 0

    for number, (path, root) in enumerate(files):
        try:
            length = path.stat().st_size
        except OSError as exc:
            rejects.append(InputError(f"cannot read file ({exc.strerror or exc})", path))
            continue
        if path.suffix.lower() in (".jsonl", ".csv") and length > part_bytes:
            close_group()
            try:
                spans = _record_spans(path, length, part_bytes)
            except InputError as exc:
                rejects.append(exc)
                continue
            for span in spans:
                partitions.append(Partition(len(partitions), ((number, str(path), str(root), span),)))
            continue
        group.append((number, str(path), str(root), None))
        size += length
        if size >= part_bytes:
            close_group()
    close_group()
    return Plan([str(p) for p, _ in files], partitions, rejects)


def _record_spans(path: Path, length: int, part_bytes: int) -> list[tuple[int, int, int, int]]:
    """(start, end, first line, header end) of the ranges of a large record file, cut at record boundaries."""
    csv_file = path.suffix.lower() == ".csv"
    with path.open("rb") as fh:
        check_head(path, fh.read(HEAD_BYTES), whole=False)
    header_end, header_lines = 0, 0
    if csv_file:
        header_end, header_lines = _csv_header_end(path)
        csv_header(csv.reader(line for _, line in iter_text_lines(path, None, Span(0, header_end))), path)
    cuts = [(header_end, 1 + header_lines)]  # (byte, line number) where each span starts
    offset, lines, quotes = 0, 0, 0
    target = header_end + part_bytes
    with path.open("rb") as fh:
        while target < length:
            block = fh.read(_SCAN_BLOCK)
            if not block:
                break
            pos = max(target - offset, 0)
            counted, block_quotes = 0, 0  # quotes in block[:counted], counted as the scan moves on (linear)
            while pos < len(block):
                cut = block.find(b"\n", pos)
                if cut < 0:
                    break
                if csv_file:
                    block_quotes += block.count(b'"', counted, cut)
                    counted = cut
                    if (quotes + block_quotes) % 2:
                        pos = cut + 1  # inside a quoted field: the record goes on
                        continue
                start = offset + cut + 1
                cuts.append((start, lines + block.count(b"\n", 0, cut + 1) + 1))
                target = start + part_bytes
                pos = max(target - offset, cut + 1)
            offset += len(block)
            lines += block.count(b"\n")
            quotes += block.count(b'"') if csv_file else 0
    cuts = [c for c in cuts if c[0] < length]
    ends = [c[0] for c in cuts[1:]] + [length]
    return [(start, end, line, header_end) for (start, line), end in zip(cuts, ends)]


def _csv_header_end(path: Path) -> tuple[int, int]:
    """The byte length of a CSV file's header record (its quoted line breaks included), and its lines."""
    quotes = 0
    offset = 0
    lines = 0
    with path.open("rb") as fh:
        for raw in fh:
            offset += len(raw)
            lines += 1
            quotes += raw.count(b'"')
            if quotes % 2 == 0:
                break
    return offset, lines


# --------------------------------------------------------------------------------------------------- model on workers

@dataclass(frozen=True)
class ModelSpec:
    """Where each worker reads the model from, and what it must find there.

    `ref` is a model folder every worker can reach or an MLflow model URI pinned to a version; `version` and
    `digest` are the client's model's, so a worker that finds another model at the same path refuses to code.
    """

    ref: str
    version: str
    digest: str
    tracking_uri: str | None = None
    spacy_model: str | None = None
    coder_version: str = __version__

    @property
    def key(self) -> str:
        return f"{self.ref}|{self.version}|{self.digest}|{self.spacy_model}"


_worker_coders: dict[str, Any] = {}
_worker_lock = threading.Lock()  # one partition at a time per process: a Coder is not shared between threads


def _load_worker_coder(spec: ModelSpec) -> Any:
    from .coding import Coder
    from .model import EventModel
    from .nlp import load_pipeline
    from .tracking import is_model_uri, load_event_model

    if spec.coder_version != __version__:
        raise ModelError(f"this worker runs coder {__version__}, the client coder {spec.coder_version}: install the "
                         "same version on every worker")
    if is_model_uri(spec.ref):
        model = load_event_model(spec.ref, uri=spec.tracking_uri or "")
    else:
        model = EventModel.load(spec.ref)
    found = (model.version, str(model.meta.get("train_digest", "")))
    if found != (spec.version, spec.digest):
        raise ModelError(f"this worker found model {found[0]} there, the client has {spec.version}: every worker "
                         "must read the same model", spec.ref)
    log.info("worker loaded model %s from %s", model.version, spec.ref)
    return Coder(model, load_pipeline(spec.spacy_model))


def worker_coder(spec: ModelSpec) -> Any:
    """This worker process's coder for `spec`, loaded on first use (normally by :class:`ModelPlugin`)."""
    coder = _worker_coders.get(spec.key)
    if coder is None:
        coder = _worker_coders[spec.key] = _load_worker_coder(spec)
    return coder


class ModelPlugin(WorkerPlugin):
    """Loads the model and the spaCy pipeline once when a worker joins; drops them when the run ends."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.name = f"coder-model-{uuid.uuid5(uuid.NAMESPACE_URL, spec.key).hex[:12]}"

    def setup(self, worker: Any) -> None:
        with _worker_lock:
            worker_coder(self.spec)

    def teardown(self, worker: Any) -> None:
        with _worker_lock:
            _worker_coders.pop(self.spec.key, None)


# --------------------------------------------------------------------------------------------------- one partition

def code_partition(part: Partition, spec: ModelSpec, options: CodingOptions, parts_dir: str,
                   files: dict[int, str]) -> dict[str, Any]:
    """Code one partition on a worker: its rows to a Parquet part, its counts, ids and rejects to a summary.

    Both files are written atomically, the summary last: a partition with a summary is finished.
    """
    rejects: list[InputError] = []
    docs_seen: list[list[Any]] = []  # [id, file number, line, sentences]
    counts = {"documents": 0, "sentences": 0, "parsed": 0, "rows": 0}
    folder = Path(parts_dir)
    with _worker_lock:
        coder = worker_coder(spec)
        numbers = {str(p): n for n, p in files.items()}
        documents = read_files(part.file_items(), files, clean=options.split, on_reject=rejects.append)
        with TableWriter(folder / PART_FILE.format(part.number), EVENT_COLUMNS) as writer:
            for chunk in chunks(documents):
                per_doc, parsed, rows = code_chunk(coder, chunk, options)
                for row in rows:
                    writer.write(row)
                counts["rows"] += len(rows)
                counts["parsed"] += parsed
                counts["documents"] += len(chunk)
                counts["sentences"] += sum(per_doc)
                docs_seen.extend([doc.id, numbers.get(doc.path, -1), doc.line, n]
                                 for doc, n in zip(chunk, per_doc))
    summary = {**counts, "partition": part.number, "docs": docs_seen,
               "rejects": [[e.path, e.line, e.detail] for e in rejects]}
    write_text_atomic(folder / SUMMARY_FILE.format(part.number), json.dumps(summary, ensure_ascii=False))
    return {k: v for k, v in summary.items() if k in counts}


# --------------------------------------------------------------------------------------------------- the run

def is_dataset_path(output: str | Path) -> bool:
    """An output without a file extension (or an existing folder) is a Parquet dataset folder."""
    output = Path(output)
    return output.is_dir() or not output.suffix


def work_dir_for(output: Path) -> Path:
    return output.parent / f".{output.name}{WORK_DIR_SUFFIX}"


def model_spec(model_ref: str | Path | None, model: Any, tracking_uri: str | None = None) -> ModelSpec:
    """What the workers load: the folder's absolute path (the default model's, for None), or the MLflow URI
    with an alias pinned to the version it names now."""
    from .config import project_root
    from .nlp import pipeline_name
    from .tracking import is_model_uri, resolve_tracking_uri
    from .train import DEFAULT_MODEL_DIR

    uri = None
    if model_ref is None:
        ref = str((project_root() / DEFAULT_MODEL_DIR).resolve())
    elif is_model_uri(model_ref):
        uri = resolve_tracking_uri(tracking_uri, project_root())
        ref = _pin_model_uri(str(model_ref), uri)
    else:
        ref = str(Path(model_ref).resolve())
    spacy_model = pipeline_name(model.config["pipeline"]["spacy_model"] or None)
    return ModelSpec(ref, model.version, str(model.meta.get("train_digest", "")), uri, spacy_model)


def _pin_model_uri(ref: str, uri: str) -> str:
    """``models:/name@alias`` -> ``models:/name/7``: an alias moved during the run does not split it."""
    if not ref.startswith("models:/") or "@" not in ref:
        return ref
    from mlflow.tracking import MlflowClient

    from .tracking import store

    name, alias = ref[len("models:/"):].split("@", 1)
    with store(uri):
        version = MlflowClient(tracking_uri=uri).get_model_version_by_alias(name, alias).version
    return f"models:/{name}/{version}"



@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask client: of the scheduler at `scheduler`, or of a local cluster of `workers` processes (one per core
    by default), each with one thread (a worker codes one partition at a time)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise CoderError(f"cannot reach the Dask scheduler at {scheduler} ({_one_line(exc)})") from None
        with client:
            yield client
        return
    import dask

    n = workers or os.cpu_count() or 1
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which hands freed memory back to the system at once:
    # spaCy allocates and frees so much that coding is 10% slower with it (bench/RESULTS.md). Left unset here.
    with dask.config.set({f"{NANNY_ENV}.MALLOC_TRIM_THRESHOLD_": None}), \
            LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        log.info("local Dask cluster of %d workers, dashboard %s", n, client.dashboard_link)
        yield client


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def code_corpus_dask(inputs: Sequence[str | Path], output: str | Path, *, model: Any,
                     model_ref: str | Path | None = None, tracking_uri: str | None = None,
                     scheduler: str | None = None, workers: int | None = None, client: Any = None,
                     dyads: str | Path | None = None, period: str = "month", fmt: str | None = None,
                     all_sentences: bool = False, split: bool = True, keep_duplicates: bool = False,
                     batch_size: int = 1024, on_progress: Callable[[int, int], None] | None = None,
                     rejects: str | Path | None = None, resume: bool = False,
                     part_bytes: int | None = None) -> CodeSummary:
    """Code `inputs` on a Dask cluster into the events table (one file, or a Parquet dataset folder partitioned
    by year and month when `output` has no extension) and the dyad table, like :func:`coder.jobs.code_corpus`.

    `model` is the loaded model, `model_ref` where the workers read it (None: the default model). The cluster
    is `client`'s, or the scheduler at `scheduler`, or a local one of `workers` processes.
    `on_progress(documents, sentences)` is called as partitions finish.
    """
    output = Path(output)
    dataset = is_dataset_path(output)
    if dataset:
        if fmt not in (None, "parquet"):
            raise CoderError("a dataset folder is written as Parquet; give OUTPUT a file extension for "
                             f"--format {fmt}", output)
        if not output.parent.is_dir():
            raise CoderError("output folder does not exist", output)
        check_output_path(output.parent / f"{output.name}.probe")
    else:
        check_output_path(output)
        output_format(output, fmt)
    rejects_path = check_side_outputs(output, dyads, rejects)
    counter = DyadCounter(period, keep_duplicates=keep_duplicates)  # validates the period before any work
    options = CodingOptions(split=split, batch_size=batch_size, all_sentences=all_sentences)
    spec = model_spec(model_ref, model, tracking_uri)
    fingerprint = run_fingerprint(inputs, model, options)
    metadata = table_metadata(model)
    work = work_dir_for(output)
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(connect(scheduler, workers))
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        plan = _start_or_resume(work, inputs, fingerprint, resume, part_bytes, n_workers)
        plugin = ModelPlugin(spec)
        try:
            client.register_plugin(plugin)
        except Exception as exc:  # the plugin's setup failed on a worker: no model there, another coder, ...
            raise ModelError(f"a worker could not load the model ({_one_line(exc)})", spec.ref) from None
        stack.callback(_unregister, client, plugin.name)
        resumed = _code_partitions(client, plan, work, spec, options, on_progress)
        totals, drops, rejected = _gather(plan, work)
        if totals["documents"] == 0 and rejected:
            shutil.rmtree(work, ignore_errors=True)  # a mistake to fix, not a run to resume
            raise nothing_coded(rejected)
        marked = _marked_events(client, plan, work, drops)
        n_dyads = 0
        if dyads is not None:
            _count_dyads(marked, counter)
            n_dyads = write_dyads(counter, dyads, metadata=metadata)
        if dataset:
            events = _write_dataset(marked, output, metadata)
        else:
            events = _write_merged(client, marked, output, fmt, metadata)
        write_rejects(rejects_path, rejected)
    shutil.rmtree(work, ignore_errors=True)
    return CodeSummary(totals["documents"], totals["sentences"], events, n_dyads, totals["parsed"], output,
                       Path(dyads) if dyads is not None else None, rejected=len(rejected),
                       rejects_output=rejects_path if rejected else None, resumed_documents=resumed)


def _unregister(client: Any, name: str) -> None:
    try:
        client.unregister_worker_plugin(name)
    except Exception as exc:  # the cluster is going away anyway
        log.debug("could not remove worker plugin %s: %s", name, exc)


def _start_or_resume(work: Path, inputs: Sequence[str | Path], fingerprint: dict[str, Any], resume: bool,
                     part_bytes: int | None, n_workers: int) -> Plan:
    """The plan of the interrupted run in `work` (resume), or a new one in a fresh work folder."""
    plan_path = work / PLAN_FILE
    if resume and plan_path.exists():
        try:
            saved = json.loads(plan_path.read_text(encoding="utf-8"))
            plan = Plan(saved["files"], [Partition(p["number"], tuple((n, f, r, tuple(s) if s else None)
                                                                      for n, f, r, s in p["items"]))
                                         for p in saved["partitions"]],
                        [InputError(d, f, line) for f, line, d in saved["rejects"]])
        except (ValueError, KeyError, TypeError):
            raise CoderError("cannot resume: the plan of the interrupted run is damaged; run without --resume to "
                             "start over", plan_path) from None
        if saved.get("fingerprint") != fingerprint:
            raise CoderError("cannot resume: the inputs, the model or the options differ from the interrupted "
                             "run's; run without --resume to start over", work)
        return plan
    if resume:
        log.info("nothing to resume in %s: starting afresh", work)
    if work.exists():
        log.info("discarding the unfinished run in %s (pass resume to continue it)", work)
        shutil.rmtree(work)
    if part_bytes is None:
        part_bytes = partition_size(sum(size for _, size, _ in fingerprint["files"]), n_workers)
    plan = plan_partitions(inputs, part_bytes)
    (work / PARTS_DIR).mkdir(parents=True)
    saved = {"fingerprint": fingerprint, "part_bytes": part_bytes, "files": plan.files,
             "partitions": [dataclasses.asdict(p) for p in plan.partitions],
             "rejects": [[e.path, e.line, e.detail] for e in plan.rejects]}
    write_text_atomic(plan_path, json.dumps(saved, ensure_ascii=False))
    return plan


def _summary_path(work: Path, number: int) -> Path:
    return work / PARTS_DIR / SUMMARY_FILE.format(number)


def _code_partitions(client: Any, plan: Plan, work: Path, spec: ModelSpec, options: CodingOptions,
                     on_progress: Callable[[int, int], None] | None) -> int:
    """Code every partition without a summary; each is retried :data:`RETRIES` times before the run fails.
    Returns how many documents the finished partitions of an interrupted run held."""
    from distributed import as_completed

    done = {"documents": 0, "sentences": 0}
    pending = []
    for part in plan.partitions:
        path = _summary_path(work, part.number)
        if path.exists():
            summary = json.loads(path.read_text(encoding="utf-8"))
            done["documents"] += summary["documents"]
            done["sentences"] += summary["sentences"]
        else:
            pending.append(part)
    resumed = done["documents"]
    if on_progress is not None and resumed:
        on_progress(done["documents"], done["sentences"])
    log.info("coding %d of %d partitions on %d workers", len(pending), len(plan.partitions),
             len(client.scheduler_info().get("workers", {})))
    run = uuid.uuid4().hex[:8]
    futures = {}
    for part in pending:
        files = {n: plan.files[n] for n, *_ in part.items}
        future = client.submit(code_partition, part, spec, options, str(work / PARTS_DIR), files,
                               key=f"coder-partition-{run}-{part.number:05d}", retries=RETRIES, pure=False)
        futures[future] = part
    try:
        for future in as_completed(list(futures)):
            try:
                result = future.result()
            except CoderError:
                raise
            except Exception as exc:
                part = futures[future]
                where = ", ".join(f"{p}" + (f" bytes {s[0]}-{s[1]}" if s else "") for _, p, _, s in part.items[:2])
                raise CoderError(f"partition {part.number} ({where}) failed {RETRIES + 1} times: "
                                 f"{type(exc).__name__}: {_one_line(exc)}; fix the cause and run again with "
                                 "--resume", work) from None
            done["documents"] += result["documents"]
            done["sentences"] += result["sentences"]
            if on_progress is not None:
                on_progress(done["documents"], done["sentences"])
    finally:
        unfinished = [f for f in futures if not f.done()]
        if unfinished:
            client.cancel(unfinished)
    return resumed


def _gather(plan: Plan, work: Path) -> tuple[dict[str, int], dict[int, list[str]], list[InputError]]:
    """Totals, the documents to drop per partition (ids first seen in an earlier one) and every reject, in
    input order."""
    numbers = {path: n for n, path in enumerate(plan.files)}
    seen = IdIndex()
    totals = {"documents": 0, "sentences": 0, "parsed": 0}
    drops: dict[int, list[str]] = {}
    found: list[tuple[int, int, int, InputError]] = [(numbers.get(e.path or "", -1), e.line or 0, 0, e)
                                                     for e in plan.rejects]
    for part in plan.partitions:
        summary = json.loads(_summary_path(work, part.number).read_text(encoding="utf-8"))
        for key in ("documents", "sentences", "parsed"):
            totals[key] += summary[key]
        for path, line, detail in summary["rejects"]:
            found.append((numbers.get(path, -1), line or 0, len(found), InputError(detail, path, line)))
        for doc_id, number, line, n_sentences in summary["docs"]:
            key = hash(doc_id)
            first = seen.get(key)
            if first is None:
                seen.add(key, (number << 32) | (line or 0))
                continue
            doc = Document(doc_id, "", path=plan.files[number], line=line)
            found.append((number, line or 0, len(found), duplicate_id_error(doc, first, plan.files)))
            drops.setdefault(part.number, []).append(doc_id)
            totals["documents"] -= 1
            totals["sentences"] -= n_sentences
    found.sort(key=lambda item: item[:3])
    for item in found:
        log.warning("rejected %s", item[3])
    return totals, drops, [item[3] for item in found]


# --------------------------------------------------------------------------------------------------- the tables

_HELPERS = ("_dkey", "_first")


def _load_part(arg: tuple[str, int, tuple[str, ...]]) -> Any:
    """One partition's rows as a pandas frame of Arrow types, less the dropped documents, with its repeated-
    event key (``_dkey``) and its place in input order before its event id (``_first``)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path, number, drop = arg
    table = pq.read_table(path, schema=table_schema(EVENT_COLUMNS)) if path else \
        table_schema(EVENT_COLUMNS).empty_table()
    if drop:
        table = table.filter(pc.invert(pc.is_in(table["doc_id"], value_set=pa.array(list(drop), pa.string()))))
    keys: list[str | None] = []
    firsts: list[str | None] = []
    columns = {c: table[c].to_pylist() for c in ("date", "source_code", "target_code", "cameo_code", "event",
                                                 "event_id")}
    for i, values in enumerate(zip(*(columns[c] for c in ("date", "source_code", "target_code", "cameo_code")))):
        key = duplicate_key(dict(zip(("date", "source_code", "target_code", "cameo_code"), values)))
        if key is None or columns["event"][i] in (None, "", "none"):
            keys.append(None)
            firsts.append(None)
        else:
            keys.append("\x1f".join(key))
            firsts.append(f"{(number << 32) + i:016x}{columns['event_id'][i]}")
    table = table.append_column("_dkey", pa.array(keys, pa.string())).append_column(
        "_first", pa.array(firsts, pa.string()))
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _mark_duplicates(frame: Any, repeated: Any) -> Any:
    """``duplicate_of``: the first event (in input order) with the same key, for the later ones."""
    import pandas as pd
    import pyarrow as pa

    first = frame["_dkey"].map(repeated).tolist()
    own = frame["_first"].tolist()
    marks = [f[16:] if isinstance(f, str) and f != o else "" for f, o in zip(first, own)]
    frame = frame.drop(columns=list(_HELPERS))
    frame["duplicate_of"] = pd.array(marks, dtype=pd.ArrowDtype(pa.string()))
    return frame


def _marked_events(client: Any, plan: Plan, work: Path, drops: dict[int, list[str]]) -> Any:
    """All events as a Dask DataFrame, one partition per part in input order, repeated events marked."""
    import dask.dataframe as dd

    args = [(str(work / PARTS_DIR / PART_FILE.format(p.number)), p.number, tuple(drops.get(p.number, ())))
            for p in plan.partitions]
    meta = _load_part(("", 0, ()))
    events = dd.from_map(_load_part, args, meta=meta, enforce_metadata=False)
    keyed = events[~events["_dkey"].isna()]
    firsts = keyed.groupby("_dkey")["_first"].agg(["min", "count"], split_out=1)
    repeated = firsts[firsts["count"] > 1]["min"]
    repeated = client.persist(repeated)  # one small series (keys seen twice or more), sent to every partition
    return events.map_partitions(_mark_duplicates, repeated, meta=_mark_duplicates(meta, meta["_first"][:0]))


_DYAD_KEYS = ("period", "source_code", "source_country", "target_code", "target_country", "event", "quad_class")


def _dyad_rows(frame: Any, counter: DyadCounter) -> Any:
    """One row per counted event of a partition: its dyad key (by :meth:`DyadCounter.key`; no quad class is -1,
    as a groupby key must not be null) and its Goldstein score in thousandths."""
    import pandas as pd

    rows: dict[str, list[Any]] = {k: [] for k in (*_DYAD_KEYS, "milli")}
    for row in _rows_of(frame):
        key = counter.key(row)
        if key is None:
            continue
        for name, value in zip(_DYAD_KEYS, key):
            rows[name].append(-1 if name == "quad_class" and value is None else value)
        rows["milli"].append(goldstein_milli(row.get("goldstein")))
    return pd.DataFrame({k: pd.Series(v, dtype="int64" if k in ("quad_class", "milli") else object)
                         for k, v in rows.items()})


def _count_dyads(marked: Any, counter: DyadCounter) -> None:
    """Dyad counts by a groupby on the cluster; only the counts come back."""
    meta = _dyad_rows(marked._meta, counter)
    rows = marked.map_partitions(_dyad_rows, counter, meta=meta)
    counts = rows.groupby(list(_DYAD_KEYS))["milli"].agg(["count", "sum"], split_out=1).compute()
    for key, n, milli in zip(counts.index, counts["count"], counts["sum"]):
        quad = None if key[-1] == -1 else int(key[-1])
        counter.merge((*key[:-1], quad), int(n), int(milli))


def _rows_of(frame: Any) -> list[dict[str, Any]]:
    import pyarrow as pa

    return pa.Table.from_pandas(frame[list(EVENT_COLUMNS)], preserve_index=False).to_pylist()


def _write_merged(client: Any, marked: Any, output: Path, fmt: str | None, metadata: dict[str, str]) -> int:
    """The events table as one file, partition by partition in input order, a few partitions ahead."""
    import collections

    parts = iter(marked.to_delayed())
    window: collections.deque[Any] = collections.deque(client.compute(d)
                                                       for d in itertools.islice(parts, WRITE_AHEAD))
    events = 0
    with TableWriter(output, EVENT_COLUMNS, fmt, metadata) as writer:
        while window:
            frame = window.popleft().result()
            window.extend(client.compute(d) for d in itertools.islice(parts, 1))
            for row in _rows_of(frame):
                writer.write(row)
                events += row["event"] != "none"
    return events


def _with_year_month(frame: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    dates = [d if isinstance(d, str) and len(d) >= 7 else None for d in frame["date"].tolist()]
    text = pd.ArrowDtype(pa.string())
    return frame.assign(year=pd.array([d[:4] if d else UNDATED for d in dates], dtype=text),
                        month=pd.array([d[5:7] if d else UNDATED for d in dates], dtype=text))


def _write_dataset(marked: Any, output: Path, metadata: dict[str, str]) -> int:
    """The events as a Parquet dataset, ``year=YYYY/month=MM/part-NNNNN.parquet``, written by the workers into
    a hidden folder that then replaces `output`."""
    frame = marked.map_partitions(_with_year_month, meta=_with_year_month(marked._meta))
    tmp = output.parent / f".{output.name}.{uuid.uuid4().hex[:8]}.part"
    try:
        frame.to_parquet(tmp, partition_on=list(DATASET_PARTITIONS), write_index=False,
                         name_function=lambda i: f"part-{i:05d}.parquet",
                         custom_metadata={"coder_version": __version__, **metadata})
        events = int((marked["event"] != "none").sum().compute())
        old = None
        if output.exists():
            old = output.parent / f".{output.name}.{uuid.uuid4().hex[:8]}.old"
            os.replace(output, old)
        os.replace(tmp, output)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return events
