"""The ``coder`` command line: thin typer wrappers that parse arguments and call the library.

Errors the user can fix (bad input, a bad model, a bad config) print one line on stderr and exit non-zero;
rich output (progress, tables) goes to the terminal only.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import CoderError

app = typer.Typer(help="Code news into CAMEO meet / consult / accuse / attack events with actor codes.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
labels_app = typer.Typer(help="Check and summarise the labelled sentences in labels/.", no_args_is_help=True)
app.add_typer(labels_app, name="labels")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def _say(message: str) -> None:
    """One plain line on stderr (never wrapped, never read as rich markup)."""
    err.print(message, markup=False, soft_wrap=True, highlight=False)


def _fail(exc: CoderError) -> typer.Exit:
    _say(f"error: {exc}")
    return typer.Exit(exc.exit_code)


def _version(value: bool) -> None:
    if value:
        out.print(f"coder {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    """Code news into CAMEO events."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if not verbose:
        import os

        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")  # read when mlflow is imported
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # read when distributed is imported
        for name in ("mlflow", "alembic"):  # their INFO lines ("Creating initial MLflow database tables") are noise
            logging.getLogger(name).setLevel(logging.WARNING)


# --------------------------------------------------------------------------------------------------- code

@app.command("code")
def code_cli(
    inputs: Annotated[list[Path], typer.Argument(help="Folders of .txt articles, .jsonl or .csv files (id, text, "
                                                      "optional date, title, source, url).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Events table: .csv, .parquet or .jsonl.")],
    dyads: Annotated[Optional[Path], typer.Option(help="Also write dyad x period counts here.")] = None,
    period: Annotated[str, typer.Option(help="Dyad period: day, week, month or year.")] = "month",
    model: Annotated[Optional[str], typer.Option(help="Model folder or MLflow URI such as "
                                                      "models:/event-coder@champion (default: models/default, "
                                                      "trained on first use).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="Force a format: csv, parquet, jsonl or phoenix "
                                                             "(Phoenix TSV, no header).")] = None,
    all_sentences: Annotated[bool, typer.Option("--all-sentences", help="Write a row for every sentence, "
                                                                        "none included.")] = False,
    no_split: Annotated[bool, typer.Option("--no-split", help="Each input record is one sentence.")] = False,
    keep_duplicates: Annotated[bool, typer.Option("--keep-duplicates", help="Count repeated reports of one "
                                                                            "event in the dyad table.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Sentences classified together (the parser gets those "
                                                        "that may be events).")] = 1024,
    n_process: Annotated[int, typer.Option(min=1, help="Worker processes (each holds a copy of the model; about one per core).")] = 1,
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI",
                                                        help="MLflow store for models:/ URIs.")] = None,
    rejects: Annotated[Optional[Path], typer.Option(help="List bad records and files here (JSONL; default: "
                                                         "OUTPUT's name + .rejects.jsonl).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the interrupted run writing OUTPUT (same "
                                                           "inputs and options) after its last finished chunk.")]
    = False,
    dask: Annotated[bool, typer.Option("--dask", help="Code on a Dask cluster: a local one of --workers "
                                                      "processes, or the one at --scheduler.")] = False,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes of the local Dask cluster "
                                                               "(default: one per core).")] = None,
    scheduler: Annotated[Optional[str], typer.Option(envvar="CODER_DASK_SCHEDULER",
                                                     help="Address of a running Dask scheduler, such as "
                                                          "tcp://HOST:8786 (implies --dask).")] = None,
    partition_mb: Annotated[Optional[float], typer.Option(min=0.01, help="Input per Dask partition, in MB "
                                                                         "(default: 8, less for a small "
                                                                         "corpus).")] = None,
) -> None:
    """Code a corpus into an events table (one row per actor->target event) and optional dyad counts.

    Bad records and files are skipped and listed in the rejects file (exit status 4). A run that was killed
    or interrupted continues where it stopped with --resume. With --dask (or --scheduler) the corpus is coded
    on a Dask cluster; an OUTPUT without an extension is then written as a Parquet dataset folder partitioned
    by year and month.
    """
    from .errors import EXIT_INTERRUPTED, EXIT_REJECTS
    from .jobs import code_corpus, load_model

    dask = dask or scheduler is not None
    if not dask and (workers is not None or partition_mb is not None):
        raise _fail(CoderError("--workers and --partition-mb are options of --dask runs"))
    if dask and n_process != 1:
        raise _fail(CoderError("with --dask, set the number of processes with --workers (local cluster) or by "
                               "the workers started on the cluster; --n-process is for runs without Dask"))
    if dask and scheduler is not None and workers is not None:
        raise _fail(CoderError("--workers starts a local cluster; with --scheduler the cluster's own workers "
                               "are used"))
    try:
        coder_model = load_model(model, notify=_say, tracking_uri=tracking_uri)
        start = time.perf_counter()
        with contextlib.ExitStack() as stack:
            report = None  # a progress bar on a terminal only
            if err.is_terminal:
                from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

                progress = stack.enter_context(Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                                        TimeElapsedColumn(), console=err, transient=True))
                task = progress.add_task("coding", total=None)

                def on_progress(docs: int, sents: int) -> None:
                    rate = sents / max(time.perf_counter() - start, 1e-6)
                    progress.update(task, description=f"{docs} documents, {sents} sentences, {rate:.0f} sentences/s")

                report = on_progress
            common = dict(dyads=dyads, period=period, fmt=fmt, all_sentences=all_sentences, split=not no_split,
                          keep_duplicates=keep_duplicates, batch_size=batch_size, on_progress=report,
                          rejects=rejects, resume=resume)
            if dask:
                from .cluster import code_corpus_dask

                part_bytes = None if partition_mb is None else int(partition_mb * 1_000_000)
                summary = code_corpus_dask(inputs, output, model=coder_model, model_ref=model,
                                           tracking_uri=tracking_uri, scheduler=scheduler, workers=workers,
                                           part_bytes=part_bytes, **common)
            else:
                summary = code_corpus(inputs, output, model=coder_model, n_process=n_process, **common)
    except CoderError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        _say("interrupted: run the same command with --resume to continue after the last finished chunk")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    seconds = time.perf_counter() - start
    msg = (f"{summary.documents} documents, {summary.sentences} sentences, {summary.events} events -> "
           f"{summary.output}")
    if summary.dyads_output is not None:
        msg += f"; {summary.dyads} dyad rows -> {summary.dyads_output}"
    if summary.resumed_documents:
        msg += f" (resumed after {summary.resumed_documents} documents)"
    _say(f"{msg} ({seconds:.1f}s)")
    if summary.rejected:
        _say(f"warning: {summary.rejected} bad records or files skipped -> {summary.rejects_output}")
        raise typer.Exit(EXIT_REJECTS)


# --------------------------------------------------------------------------------------------------- train

TRACKING_HELP = "MLflow tracking URI (default: sqlite:///experiments/mlflow.db)."


@app.command("train")
def train_cli(
    config: Annotated[Optional[Path], typer.Option(help="Experiment config (TOML).")] = Path("experiments/default.toml"),
    save: Annotated[Optional[Path], typer.Option(help="Also write the model folder here (e.g. models/default).")] = None,
    experiment: Annotated[Optional[str], typer.Option(help="MLflow experiment name (default: coder).")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI", help=TRACKING_HELP)] = None,
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Do not log the run to MLflow.")] = False,
    register: Annotated[bool, typer.Option(help="Register the model as event-coder@candidate.")] = True,
) -> None:
    """Train a model from labelled sentences, score it on dev and test, and log the run to MLflow."""
    from .train import train

    try:
        result = train(config, save_to=save, mlflow_log=not no_mlflow, tracking_uri=tracking_uri,
                       experiment=experiment, register=register)
    except CoderError as exc:
        raise _fail(exc) from None
    metrics = {split: ev.metrics for split, ev in result.evaluations.items()}
    if result.cv_scores:
        import statistics

        metrics["cv (classifier)"] = {"macro_f1": statistics.fmean(result.cv_scores)}
    _print_metrics(metrics)
    _say(f"trained {result.model.version} on {result.model.meta['n_train']} sentences in {result.seconds:.1f}s"
         + (f"; saved to {save}" if save else "") + (f"; MLflow run {result.run_id}" if result.run_id else ""))


@app.command("tune")
def tune_cli(
    config: Annotated[Path, typer.Option(help="Experiment config; its [tune] grid is searched.")] = Path(
        "experiments/default.toml"),
    experiment: Annotated[Optional[str], typer.Option(help="MLflow experiment name (default: coder).")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI", help=TRACKING_HELP)] = None,
) -> None:
    """Search the grid in the config's tune table: one nested MLflow run per point under a parent run."""
    from .train import tune

    try:
        parent, results = tune(config, tracking_uri=tracking_uri, experiment=experiment)
    except CoderError as exc:
        raise _fail(exc) from None
    table = Table(title=f"tune (parent run {parent})")
    table.add_column("parameters")
    table.add_column("score", justify="right")
    table.add_column("run")
    for point, score, run_id in sorted(results, key=lambda r: -r[1]):
        table.add_row(", ".join(f"{k}={v}" for k, v in point.items()), f"{score:.3f}", run_id)
    out.print(table)


@app.command("promote")
def promote_cli(
    run_id: Annotated[str, typer.Argument(help="The training run whose model becomes the champion.")],
    alias: Annotated[str, typer.Option(help="Alias to move.")] = "champion",
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI", help=TRACKING_HELP)] = None,
) -> None:
    """Move the event-coder alias (champion) to the model version a training run registered."""
    from .config import project_root
    from .tracking import REGISTERED_MODEL, promote, resolve_tracking_uri

    try:
        version = promote(run_id, uri=resolve_tracking_uri(tracking_uri, project_root()), alias=alias)
    except CoderError as exc:
        raise _fail(exc) from None
    _say(f"{REGISTERED_MODEL}@{alias} -> version {version} (run {run_id})")


@app.command("ui")
def ui_cli(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5000,
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI", help=TRACKING_HELP)] = None,
) -> None:
    """Open MLflow's UI on the project's tracking store (compare runs, metrics, confusion matrices)."""
    import shutil
    import subprocess

    from .config import project_root
    from .tracking import ARTIFACTS_DIR, resolve_tracking_uri

    root = project_root()
    uri = resolve_tracking_uri(tracking_uri, root)
    mlflow_bin = shutil.which("mlflow") or str(Path(sys.executable).with_name("mlflow"))
    cmd = [mlflow_bin, "ui", "--backend-store-uri", uri, "--default-artifact-root",
           (root / ARTIFACTS_DIR).resolve().as_uri(), "--host", host, "--port", str(port)]
    _say(f"MLflow UI on http://{host}:{port} for {uri} (Ctrl-C stops it)")
    try:
        raise typer.Exit(subprocess.call(cmd))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@app.command("compare")
def compare_cli(
    run_ids: Annotated[Optional[list[str]], typer.Argument(help="Runs to compare (default: the latest training "
                                                                "runs of --experiment).")] = None,
    experiment: Annotated[Optional[str], typer.Option(help="Experiment whose latest runs to compare "
                                                           "(default: coder).")] = None,
    html_out: Annotated[Path, typer.Option("--html", help="Write the HTML report here.")] = Path("comparison.html"),
    split: Annotated[str, typer.Option(help="Gold split to compare on: dev or test.")] = "dev",
    limit: Annotated[int, typer.Option(min=2, help="At most this many runs from --experiment.")] = 6,
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI", help=TRACKING_HELP)] = None,
) -> None:
    """Print key metrics of several runs side by side and write a self-contained HTML comparison."""
    from .compare import KEY_METRICS, fetch_runs, html_report
    from .config import project_root
    from .export import check_output_path, write_text_atomic
    from .tracking import resolve_tracking_uri

    try:
        check_output_path(html_out)
        runs = fetch_runs(list(run_ids or []), experiment or "coder", uri=resolve_tracking_uri(tracking_uri, project_root()),
                          split=split, limit=limit)
        report = html_report(runs, split)
    except CoderError as exc:
        raise _fail(exc) from None
    table = Table(title=f"runs compared on {split}")
    table.add_column("metric")
    for run in runs:
        table.add_column(run.short, justify="right")
    for key in (k.replace("dev_", f"{split}_", 1) for k in KEY_METRICS):
        if any(key in r.metrics for r in runs):
            table.add_row(key, *(f"{r.metrics[key]:.3f}" if key in r.metrics else "-" for r in runs))
    out.print(table)
    write_text_atomic(html_out, report)
    _say(f"HTML report -> {html_out}")


def _print_metrics(metrics_by_split: dict[str, dict[str, float]]) -> None:
    from .cameo import LABELS

    if not metrics_by_split:
        return
    table = Table(title="coder metrics")
    table.add_column("metric")
    for split in metrics_by_split:
        table.add_column(split, justify="right")
    keys = ["accuracy", "macro_f1", *(f"f1_{c}" for c in LABELS), "source_country_accuracy",
            "target_country_accuracy", "rule_share"]
    for key in keys:
        table.add_row(key, *(f"{m[key]:.3f}" if key in m else "-" for m in metrics_by_split.values()))
    out.print(table)


# --------------------------------------------------------------------------------------------------- evaluate

@app.command("evaluate")
def evaluate_cli(
    gold: Annotated[list[Path], typer.Argument(help="Gold sentences: label .jsonl files/folders, or a .csv with "
                                                    "id, text, label and optional source_country, "
                                                    "target_country.")],
    model: Annotated[Optional[str], typer.Option(help="Model folder or MLflow model URI (default: "
                                                      "models/default).")] = None,
    experiment: Annotated[str, typer.Option(help="MLflow experiment for the evaluation run.")] = "evaluations",
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI", help=TRACKING_HELP)] = None,
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Do not log an evaluation run.")] = False,
) -> None:
    """Score a model on gold sentences (per-class P/R/F1, actor countries) and log an evaluation run."""
    from .coding import Coder
    from .config import project_root
    from .evaluation import evaluate
    from .jobs import load_model

    try:
        gold_set = read_gold(gold)
        coder_model = load_model(model, notify=_say, tracking_uri=tracking_uri)
        ev = evaluate(Coder(coder_model), gold_set)
        run_id = ""
        if not no_mlflow:
            from .tracking import log_evaluation_run, resolve_tracking_uri

            root = project_root()
            run_id = log_evaluation_run(ev, model_ref=str(model or "models/default"), model=coder_model,
                                        gold=[str(g) for g in gold], uri=resolve_tracking_uri(tracking_uri, root),
                                        experiment=experiment, root=root)
    except CoderError as exc:
        raise _fail(exc) from None
    out.print(ev.report, markup=False)
    _print_metrics({"gold": ev.metrics})
    if run_id:
        _say(f"evaluation run {run_id}")


def read_gold(paths: list[Path]):  # type: ignore[no-untyped-def]
    """Gold sentences from label files (.jsonl) or an evaluation CSV (id, text, label, ...)."""
    import csv

    from .cameo import LABELS
    from .corpus import read_text_file
    from .errors import InputError
    from .evaluation import GoldSentence
    from .labels import load_labels
    from .train import gold_from_labels

    gold = []
    jsonl = [p for p in paths if p.is_dir() or p.suffix == ".jsonl"]
    if jsonl:
        gold.extend(gold_from_labels(load_labels(jsonl)))
    for path in (p for p in paths if p.suffix == ".csv"):
        reader = csv.DictReader(read_text_file(path).splitlines())
        for col in ("id", "text", "label"):
            if col not in (reader.fieldnames or []):
                raise InputError(f"missing column {col!r}", path, 1)
        for row in reader:
            if row["label"] not in LABELS:
                raise InputError(f"unknown label {row['label']!r}", path, reader.line_num)
            gold.append(GoldSentence(row["id"], row["text"], row["label"], row.get("source_country") or "",
                                     row.get("target_country") or ""))
    if not gold:
        raise CoderError("no gold sentences found")
    return gold


# --------------------------------------------------------------------------------------------------- suggest

@app.command("suggest")
def suggest_cli(
    inputs: Annotated[list[Path], typer.Argument(help="Unlabelled corpus: folders of .txt, .jsonl or .csv files.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV of sentences to label.")],
    n: Annotated[int, typer.Option("-n", min=1, help="How many sentences to suggest.")] = 200,
    model: Annotated[Optional[str], typer.Option(help="Model folder or MLflow URI (default: models/default).")] = None,
    labels: Annotated[Path, typer.Option(help="Labelled sentences to skip.")] = Path("labels"),
    no_split: Annotated[bool, typer.Option("--no-split", help="Each input record is one sentence.")] = False,
    tracking_uri: Annotated[Optional[str], typer.Option(envvar="MLFLOW_TRACKING_URI",
                                                        help="MLflow store for models:/ URIs.")] = None,
) -> None:
    """Active learning: the sentences the model is least sure about (and that differ from each other), to label
    next; fill the label columns and run `coder labels import`."""
    from .jobs import load_model
    from .labels import load_labels
    from .suggest import suggest

    try:
        coder_model = load_model(model, notify=_say, tracking_uri=tracking_uri)
        labelled = [r.text for r in load_labels([labels])] if labels.exists() else []
        summary = suggest(inputs, output, model=coder_model, n=n, labelled=labelled, split=not no_split)
    except CoderError as exc:
        raise _fail(exc) from None
    _say(f"{summary.written} of {summary.sentences} sentences -> {summary.output}")


# --------------------------------------------------------------------------------------------------- labels

@labels_app.command("check")
def labels_check_cli(
    folder: Annotated[Path, typer.Argument(help="Label folder.")] = Path("labels"),
) -> None:
    """Validate label files: schema, span offsets, codes, duplicate ids and texts, near duplicates."""
    from .labels import check_labels, load_labels

    problems = check_labels(folder)
    for line in problems:
        _say(line)
    if problems:
        _say(f"{len(problems)} problem(s)")
        raise typer.Exit(1)
    out.print(f"{folder}: ok")
    _print_overlap(load_labels([folder]))


@labels_app.command("import")
def labels_import_cli(
    file: Annotated[Path, typer.Argument(help="A `coder suggest` CSV with the label columns filled in.")],
    split: Annotated[str, typer.Option(help="Split to add the batch to: train, dev or test.")] = "train",
    batch: Annotated[Optional[str], typer.Option(help="Batch name (default: the file name).")] = None,
    folder: Annotated[Path, typer.Option("--labels", help="Label folder.")] = Path("labels"),
) -> None:
    """Add the labelled rows of a filled-in `coder suggest` file to labels/ as a new batch."""
    from .labels import import_labels

    try:
        target, count = import_labels(file, folder, split=split, batch=batch)
    except CoderError as exc:
        raise _fail(exc) from None
    _say(f"{count} labelled sentences -> {target}; run `coder labels check` and retrain")


def _print_overlap(records) -> None:  # type: ignore[no-untyped-def]
    from .labels import split_overlap

    for split, o in split_overlap(records).items():
        out.print(f"{split}: {o['share_above']:.1%} of {int(o['sentences'])} sentences have a train sentence with "
                  f"character-trigram similarity > {o['threshold']} (mean nearest {o['mean_nearest']:.2f})")


@labels_app.command("stats")
def labels_stats_cli(
    folder: Annotated[Path, typer.Argument(help="Label folder.")] = Path("labels"),
    parse: Annotated[bool, typer.Option(help="Parse sentences to count predicate lemmas (slower).")] = True,
) -> None:
    """Counts per class, split, CAMEO code, country, actor role, actor, predicate lemma and sentence length."""
    from .labels import label_stats, load_labels, predicate_lemmas

    try:
        records = load_labels([folder])
        predicates = None
        if parse:
            from .nlp import load_pipeline

            predicates = predicate_lemmas(records, load_pipeline())
        stats = label_stats(records, predicates)
    except CoderError as exc:
        raise _fail(exc) from None
    out.print(f"{len(records)} sentences; {len(stats['country'])} countries; {len(stats['actor'])} distinct actors; "
              f"{len(stats['predicate'])} distinct (label, predicate) pairs")
    _print_overlap(records)
    for name, counter in stats.items():
        if not counter:
            continue
        table = Table(title=f"{name} ({len(counter)} distinct)")
        table.add_column(name)
        table.add_column("sentences", justify="right")
        for key, n in counter.most_common(25):
            table.add_row(str(key), str(n))
        out.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
