"""coder code --dask: partitions that read exactly what the whole file reads, and a cluster run (a LocalCluster of
2 worker processes) whose tables are byte-identical to the single-process run's, through retries and resumes."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distributed import WorkerPlugin

from coder.cluster import ModelSpec, Partition, plan_partitions, partition_size, work_dir_for, worker_coder
from coder.corpus import read_documents, read_files
from coder.errors import InputError, ModelError


def _docs_of_plan(inputs: list[Path], part_bytes: int) -> tuple[list[tuple], list[tuple]]:
    """(documents, rejects) read partition by partition, as the workers read them."""
    plan = plan_partitions(inputs, part_bytes)
    docs, rejects = [], [(e.path, e.line, e.detail) for e in plan.rejects]
    for part in plan.partitions:
        files = {n: plan.files[n] for n, *_ in part.items}
        for doc in read_files(part.file_items(), files, on_reject=lambda e: rejects.append((e.path, e.line,
                                                                                            e.detail))):
            docs.append((doc.id, doc.text, doc.date, doc.line))
    return docs, rejects


def _docs_whole(inputs: list[Path]) -> tuple[list[tuple], list[tuple]]:
    rejects: list[tuple] = []
    docs = [(d.id, d.text, d.date, d.line) for d in
            read_documents(inputs, on_reject=lambda e: rejects.append((e.path, e.line, e.detail)))]
    return docs, rejects


_TEXT = st.lists(st.sampled_from(list('ab "\n,é.') + ["Pakistan", "\r\n", '""']), min_size=1,
                 max_size=40).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_TEXT, min_size=1, max_size=25), part=st.integers(30, 400))
def test_csv_ranges_read_the_same_records_as_the_whole_file(tmp_path: Path, texts: list[str], part: int) -> None:
    """Quoted line breaks and doubled quotes: a range never starts inside a record, line numbers are the file's."""
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text"])
        for i, text in enumerate(texts):
            writer.writerow([f"d{i}", f"Officials met. {text}"])
    plan = plan_partitions([path], part)
    spans = [s for p in plan.partitions for *_, s in p.items]
    if path.stat().st_size > part:  # cut into ranges that tile the file after its header, each at least `part`
        assert [s[1] for s in spans[:-1]] == [s[0] for s in spans[1:]] and spans[-1][1] == path.stat().st_size
        assert all(end - start >= part for start, end, *_ in spans[:-1])
    assert _docs_of_plan([path], part) == _docs_whole([path])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_TEXT, min_size=1, max_size=25), part=st.integers(30, 400), bad=st.sets(st.integers(0, 30)))
def test_jsonl_ranges_read_the_same_records_and_rejects(tmp_path: Path, texts: list[str], part: int,
                                                        bad: set[int]) -> None:
    path = tmp_path / "t.jsonl"
    lines = []
    for i, text in enumerate(texts):
        lines.append("{broken" if i in bad else json.dumps({"id": f"d{i % 7}", "text": f"Talks held. {text}"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = _docs_whole([path])
    if not whole[0]:
        return  # nothing readable: the run stops before partitioning matters
    docs, rejects = _docs_of_plan([path], part)
    # Repeated ids across ranges are the client's to find (tested on the cluster); within one range, the
    # worker's. Everything else matches exactly.
    firsts = {}
    for doc in docs:
        firsts.setdefault(doc[0], doc)
    assert list(firsts.values()) == whole[0]
    assert [r for r in rejects if "duplicate id" not in r[2]] == [r for r in whole[1] if "duplicate id" not in r[2]]


def test_plan_groups_small_files_in_order_and_checks_large_heads(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"a{i}.txt").write_text("Officials met in Dhaka on Monday. " * 20, encoding="utf-8")
    (tmp_path / "big.csv").write_text("id,title\n" + "x,y\n" * 400, encoding="utf-8")  # no text column
    (tmp_path / "bin.jsonl").write_bytes(b"\x00\x01" * 1000)
    plan = plan_partitions([tmp_path], 1500)
    numbers = [n for p in plan.partitions for n, *_ in p.items]
    assert numbers == sorted(numbers) and [p.number for p in plan.partitions] == list(range(len(plan.partitions)))
    assert 1 < len(plan.partitions) < 5  # grouped, not one a file
    details = sorted(e.detail for e in plan.rejects)
    assert details[0].startswith("file is binary") and details[1].startswith("missing column 'text'")


def test_partition_size_gives_every_worker_work_but_stays_bounded() -> None:
    assert partition_size(10 << 30, 8) == 8 << 20
    assert partition_size(1 << 20, 2) == 128 << 10
    assert partition_size(1000, 64) == 64 << 10


def test_worker_refuses_a_model_that_is_not_the_clients(model_dir: Path, model) -> None:
    spec = ModelSpec(str(model_dir), model.version, "0" * 16)
    with pytest.raises(ModelError, match="every worker must read the same model"):
        worker_coder(spec)


# --------------------------------------------------------------------------------------------------- on a cluster

@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, as `coder code --dask --workers 2` starts."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local, distributed.Client(local) as client:
        yield client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, root: Path) -> Path:
    """The sample articles, and the same as JSONL and CSV records: repeated ids (in other partitions), repeated
    events, a malformed line, a short CSV row, quoted line breaks."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(root / "corpus" / "sample", folder / "articles")
    docs = [{"id": p.stem, "text": p.read_text(encoding="utf-8"), "date": f"2024-{1 + i % 12:02d}-{10 + i % 9}"}
            for i, p in enumerate(sorted((root / "corpus" / "sample").glob("*.txt")))]
    with (folder / "wire.jsonl").open("w", encoding="utf-8") as fh:
        for doc in docs + docs[:6]:
            fh.write(json.dumps(doc) + "\n")
        fh.write("{not json\n")
    with (folder / "feed.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text", "date"])
        for doc in docs[::2]:
            writer.writerow([doc["id"] + "-feed", doc["text"], doc["date"]])
        writer.writerow(["short"])
    return folder


@pytest.fixture(scope="module")
def single(tmp_path_factory, corpus: Path, model):
    """The reference: the same corpus coded in one process."""
    from coder.jobs import code_corpus

    out = tmp_path_factory.mktemp("single")
    summary = code_corpus([corpus], out / "events.csv", model=model, dyads=out / "dyads.csv")
    return out, summary


PART = 20_000  # bytes: the 180 KB corpus in about 10 partitions, the JSONL and CSV files cut into ranges


def _dask(cluster, corpus: Path, out: Path, model, model_dir: Path, **kw):
    from coder.cluster import code_corpus_dask

    return code_corpus_dask([corpus], out, model=model, model_ref=model_dir, client=cluster,
                            dyads=out.parent / "dyads.csv", part_bytes=PART, **kw)


@pytest.mark.spacy_model
@pytest.mark.dask
def test_cluster_tables_are_identical_to_the_single_process_run(cluster, corpus: Path, single, model,
                                                                model_dir: Path, tmp_path: Path) -> None:
    ref, ref_summary = single
    plan = plan_partitions([corpus], PART)
    assert len(plan.partitions) >= 6 and any(s for p in plan.partitions for *_, s in p.items)  # ranges cut
    summary = _dask(cluster, corpus, tmp_path / "events.csv", model, model_dir)
    assert (tmp_path / "events.csv").read_bytes() == (ref / "events.csv").read_bytes()
    assert (tmp_path / "dyads.csv").read_bytes() == (ref / "dyads.csv").read_bytes()
    assert (tmp_path / "events.rejects.jsonl").read_bytes() == (ref / "events.rejects.jsonl").read_bytes()
    assert (summary.documents, summary.sentences, summary.events, summary.dyads, summary.rejected) == \
        (ref_summary.documents, ref_summary.sentences, ref_summary.events, ref_summary.dyads, ref_summary.rejected)
    rejects = (ref / "events.rejects.jsonl").read_text(encoding="utf-8")
    assert rejects.count("duplicate id") == 6 and "malformed JSON" in rejects and "row has 1 fields" in rejects
    events = (ref / "events.csv").read_text(encoding="utf-8")
    assert "-feed:" in events and "articles/" in events  # the CSV and the .txt articles are coded too
    assert not work_dir_for(tmp_path / "events.csv").exists()


@pytest.mark.spacy_model
@pytest.mark.dask
def test_cluster_parquet_file_and_dataset_hold_the_same_events(cluster, corpus: Path, single, model,
                                                               model_dir: Path, tmp_path: Path) -> None:
    import pandas as pd

    from coder.export import read_table

    ref = read_table(single[0] / "events.csv")
    _dask(cluster, corpus, tmp_path / "events.parquet", model, model_dir)
    merged = pd.read_parquet(tmp_path / "events.parquet")
    _dask(cluster, corpus, tmp_path / "dataset", model, model_dir)
    dataset = pd.read_parquet(tmp_path / "dataset")
    months = sorted({p.parent.name for p in (tmp_path / "dataset").rglob("*.parquet")})
    assert months[0].startswith("month=") and len(months) > 3
    assert all(p.parent.parent.name.startswith("year=") for p in (tmp_path / "dataset").rglob("*.parquet"))

    def rows(frame: pd.DataFrame) -> list[tuple]:
        frame = frame[list(ref.columns)].astype(object)
        frame = frame.where(frame.notna(), None)
        return sorted(tuple(r) for r in frame.itertuples(index=False))

    assert rows(merged) == rows(ref)  # and in the same order:
    assert merged["event_id"].tolist() == ref["event_id"].tolist()
    assert rows(dataset) == rows(ref)


class FailOnce(WorkerPlugin):
    """A worker plugin that breaks the reading of one partition the first time (or every time) it is coded;
    a marker file records each failure, across worker processes."""

    name = "test-fail-partition"

    def __init__(self, marker: str, partition: int, always: bool = False, crash: bool = False) -> None:
        self.marker, self.partition, self.always, self.crash = marker, partition, always, crash

    def setup(self, worker) -> None:
        import coder.cluster as cluster

        original = getattr(cluster, "_original_read_files", cluster.read_files)
        cluster._original_read_files = original
        marker, partition, always, crash = self.marker, self.partition, self.always, self.crash

        def read_files(items, files, **kw):
            path, span = items[0][1], items[0][3]
            span = None if span is None else (span.start, span.end, span.first_line, span.header_end)
            target = Path(marker).with_suffix(f".p{partition}")
            if target.read_text() == str(path) and span == _span_of(marker) and \
                    (always or not Path(marker).exists()):
                with open(marker, "a") as fh:
                    fh.write("failed\n")
                if crash:
                    os._exit(1)  # the worker process dies mid-partition
                raise OSError("disk went away")
            return original(items, files, **kw)

        cluster.read_files = read_files

    def teardown(self, worker) -> None:
        import coder.cluster as cluster

        cluster.read_files = getattr(cluster, "_original_read_files", cluster.read_files)


def _span_of(marker: str):
    text = Path(marker).with_suffix(".span").read_text()
    return None if text == "None" else tuple(json.loads(text))


def _arm(tmp_path: Path, corpus: Path, number: int) -> str:
    """The marker of a failure injected into partition `number` of the corpus's plan."""
    part: Partition = plan_partitions([corpus], PART).partitions[number]
    marker = tmp_path / "failures.log"
    marker.with_suffix(f".p{number}").write_text(part.items[0][1])
    span = part.items[0][3]
    marker.with_suffix(".span").write_text("None" if span is None else json.dumps(list(span)))
    return str(marker)


def _register(cluster, plugin: FailOnce) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    cluster.register_plugin(plugin)


@pytest.mark.spacy_model
@pytest.mark.dask
@pytest.mark.parametrize("crash", [False, True], ids=["task-raises", "worker-dies"])
def test_a_failed_partition_is_retried(cluster, corpus: Path, single, model, model_dir: Path, tmp_path: Path,
                                       crash: bool) -> None:
    marker = _arm(tmp_path, corpus, 3)
    _register(cluster, FailOnce(marker, 3, crash=crash))
    try:
        _dask(cluster, corpus, tmp_path / "events.csv", model, model_dir)
    finally:
        cluster.unregister_worker_plugin(FailOnce.name)
    assert Path(marker).read_text() == "failed\n"
    assert (tmp_path / "events.csv").read_bytes() == (single[0] / "events.csv").read_bytes()
    assert (tmp_path / "dyads.csv").read_bytes() == (single[0] / "dyads.csv").read_bytes()


@pytest.mark.spacy_model
@pytest.mark.dask
def test_a_run_that_failed_resumes_without_recoding_finished_partitions(cluster, corpus: Path, single, model,
                                                                        model_dir: Path, tmp_path: Path) -> None:
    from coder.errors import CoderError

    marker = _arm(tmp_path, corpus, 4)
    out = tmp_path / "events.csv"
    _register(cluster, FailOnce(marker, 4, always=True))
    try:
        with pytest.raises(CoderError, match=r"partition 4 .* failed 3 times: OSError: disk went away; .*--resume"):
            _dask(cluster, corpus, out, model, model_dir)
    finally:
        cluster.unregister_worker_plugin(FailOnce.name)
    assert not out.exists() and not (tmp_path / "dyads.csv").exists()
    parts = work_dir_for(out) / "parts"
    finished = [json.loads(p.read_text(encoding="utf-8")) for p in parts.glob("*.json")]
    assert 4 not in {s["partition"] for s in finished} and len(finished) >= 3
    summary = _dask(cluster, corpus, out, model, model_dir, resume=True)
    # the partitions finished before the failure were not coded again
    assert summary.resumed_documents == sum(s["documents"] for s in finished) > 0
    assert out.read_bytes() == (single[0] / "events.csv").read_bytes()
    assert (tmp_path / "dyads.csv").read_bytes() == (single[0] / "dyads.csv").read_bytes()
    assert summary.documents == single[1].documents
    assert not work_dir_for(out).exists()
    assert Path(marker).read_text() == "failed\n" * 3  # tried three times, then not again


@pytest.mark.spacy_model
@pytest.mark.dask
def test_resume_refuses_a_changed_input(cluster, corpus: Path, model, model_dir: Path, tmp_path: Path) -> None:
    from coder.errors import CoderError

    data = tmp_path / "in"
    shutil.copytree(corpus / "articles", data)
    out = tmp_path / "events.csv"
    work = work_dir_for(out)
    marker = _arm(tmp_path, data, 1)
    _register(cluster, FailOnce(marker, 1, always=True))
    try:
        with pytest.raises(CoderError):
            _dask(cluster, data, out, model, model_dir)
    finally:
        cluster.unregister_worker_plugin(FailOnce.name)
    assert work.exists()
    with (data / "01_pakistan_us_military_talks.txt").open("a", encoding="utf-8") as fh:
        fh.write("\nOfficials met again on Friday.\n")
    with pytest.raises(CoderError, match="differ from the interrupted run"):
        _dask(cluster, data, out, model, model_dir, resume=True)
    assert work.exists()


@pytest.mark.spacy_model
@pytest.mark.dask
def test_nothing_readable_is_one_error_and_leaves_nothing(cluster, model, model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text("{oops\n[1, 2]\n", encoding="utf-8")
    out = tmp_path / "events.csv"
    with pytest.raises(InputError, match=r"bad.jsonl:1: malformed JSON .*\(and 1 more bad inputs\); nothing was coded"):
        _dask(cluster, tmp_path / "bad.jsonl", out, model, model_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]


# --------------------------------------------------------------------------------------------------- the command

def _cli(*args: str):
    from typer.testing import CliRunner

    from coder.cli import app

    return CliRunner().invoke(app, ["code", *args])


@pytest.mark.parametrize("args, message", [
    (["--workers", "2"], "--workers and --partition-mb are options of --dask runs"),
    (["--dask", "--n-process", "2"], "set the number of processes with --workers"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"], "with --scheduler the cluster's own workers"),
])
def test_cli_refuses_options_that_do_not_go_together(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "Officials met."}\n', encoding="utf-8")
    result = _cli(str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "events.csv"), *args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.spacy_model
def test_cli_unreachable_scheduler_is_one_line(tmp_path: Path, model_dir: Path, monkeypatch) -> None:
    import coder.cluster

    monkeypatch.setattr(coder.cluster, "CONNECT_TIMEOUT", "1s")
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "Officials met."}\n', encoding="utf-8")
    result = _cli(str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "events.csv"), "--model", str(model_dir),
                  "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9 (")
    assert result.output.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.spacy_model
@pytest.mark.dask
def test_cli_on_a_running_scheduler_writes_the_single_process_tables(cluster, tmp_path: Path, model_dir: Path,
                                                                     root: Path, monkeypatch) -> None:
    sample = str(root / "corpus" / "sample")
    plain = _cli(sample, "-o", str(tmp_path / "plain.csv"), "--dyads", str(tmp_path / "plain_dyads.csv"),
                 "--model", str(model_dir))
    assert plain.exit_code == 0, plain.output
    monkeypatch.setenv("CODER_DASK_SCHEDULER", cluster.scheduler.address)
    result = _cli(sample, "-o", str(tmp_path / "events.csv"), "--dyads", str(tmp_path / "dyads.csv"),
                  "--model", str(model_dir), "--partition-mb", "0.02")
    assert result.exit_code == 0, result.output
    assert result.output.split("->")[0] == plain.output.split("->")[0]  # same documents, sentences, events
    assert (tmp_path / "events.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert (tmp_path / "dyads.csv").read_bytes() == (tmp_path / "plain_dyads.csv").read_bytes()


@pytest.mark.spacy_model
@pytest.mark.dask
def test_cli_local_cluster_and_a_damaged_plan(tmp_path: Path, model_dir: Path) -> None:
    (tmp_path / "in.jsonl").write_text(
        '{"id": "a", "date": "2024-03-02", "text": "Pakistan accused India of shelling villages in Kashmir."}\n'
        '{"id": "b", "text": "The Kenyan president telephoned his Ugandan counterpart."}\n', encoding="utf-8")
    out = tmp_path / "events"
    result = _cli(str(tmp_path / "in.jsonl"), "-o", str(out), "--model", str(model_dir), "--dask", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).parts[:2] for p in out.rglob("*.parquet")) == \
        [("year=2024", "month=03"), ("year=undated", "month=undated")]
    work = work_dir_for(out)
    work.mkdir()
    (work / "plan.json").write_text("{not json", encoding="utf-8")
    result = _cli(str(tmp_path / "in.jsonl"), "-o", str(out), "--model", str(model_dir), "--dask", "--workers", "1",
                  "--resume")
    assert result.exit_code == 2
    assert result.output == f"error: {work / 'plan.json'}: cannot resume: the plan of the interrupted run is " \
                            "damaged; run without --resume to start over\n"
    result = _cli(str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "x"), "--format", "csv", "--dask")
    assert result.exit_code == 2 and "a dataset folder is written as Parquet" in result.output


@pytest.mark.spacy_model
@pytest.mark.dask
def test_a_worker_that_finds_another_model_refuses_to_code(cluster, root: Path, model, model_dir: Path,
                                                           tmp_path: Path) -> None:
    """The client's model and the one the workers read from the same path must be the same model."""
    other = tmp_path / "other"
    shutil.copytree(model_dir, other)
    meta = json.loads((other / "meta.json").read_text(encoding="utf-8"))
    meta["train_digest"] = "f" * 64  # as if retrained in place on other data
    (other / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    from coder.cluster import code_corpus_dask

    with pytest.raises(ModelError, match=r"a worker could not load the model .*every worker must read the same"):
        code_corpus_dask([root / "corpus" / "sample"], tmp_path / "events.csv", model=model, model_ref=other,
                         client=cluster)
    assert not (tmp_path / "events.csv").exists()


@pytest.mark.mlflow
@pytest.mark.spacy_model
@pytest.mark.dask
def test_workers_read_the_model_from_the_mlflow_registry(cluster, mlflow_runs, root: Path, tmp_path: Path) -> None:
    from coder.cluster import code_corpus_dask, model_spec
    from coder.jobs import code_corpus
    from coder.tracking import CHAMPION, REGISTERED_MODEL, load_event_model, promote

    uri, results = mlflow_runs
    version = promote(results["default"].run_id, uri=uri)
    ref = f"models:/{REGISTERED_MODEL}@{CHAMPION}"
    model = load_event_model(ref, uri=uri)
    assert model_spec(ref, model, uri).ref == f"models:/{REGISTERED_MODEL}/{version}"  # the alias pinned
    sample = root / "corpus" / "sample"
    code_corpus([sample], tmp_path / "plain.csv", model=model)
    code_corpus_dask([sample], tmp_path / "events.csv", model=model, model_ref=ref, tracking_uri=uri,
                     client=cluster, part_bytes=30_000)
    assert (tmp_path / "events.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


@pytest.mark.spacy_model
@pytest.mark.dask
@pytest.mark.slow
def test_kill_9_mid_run_then_resume(corpus: Path, single, model_dir: Path, tmp_path: Path) -> None:
    """`coder code --dask` killed (SIGKILL) while it codes; --resume codes only the partitions that were left."""
    import subprocess
    import time

    out = tmp_path / "events.csv"
    args = [sys.executable, "-c", "from coder.cli import app; app()", "code", str(corpus), "-o", str(out),
            "--dyads", str(tmp_path / "dyads.csv"), "--model", str(model_dir), "--dask", "--workers", "2",
            "--partition-mb", str(PART / 1_000_000)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = work_dir_for(out) / "parts"
    deadline = time.monotonic() + 120
    while len(list(parts.glob("*.json"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    finished = len(list(parts.glob("*.json")))
    assert 2 <= finished < len(plan_partitions([corpus], PART).partitions)  # killed mid-run
    assert not out.exists()
    result = subprocess.run(args + ["--resume"], capture_output=True, text=True)
    assert result.returncode == 4, result.stderr  # the corpus's bad records are listed
    assert "(resumed after " in result.stderr
    assert out.read_bytes() == (single[0] / "events.csv").read_bytes()
    assert (tmp_path / "dyads.csv").read_bytes() == (single[0] / "dyads.csv").read_bytes()
    assert not work_dir_for(out).exists()
