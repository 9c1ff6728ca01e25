"""Training: fit the classifier on ``labels/train``, score the whole coder on dev and test, log to MLflow."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import flatten, load_config, project_root
from .errors import CoderError
from .evaluation import Evaluation, GoldSentence, evaluate
from .labels import LabelledSentence, load_labels
from .model import EventModel

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path("models") / "default"
DEFAULT_CONFIG = Path("experiments") / "default.toml"
TRACKING_DB = Path("experiments") / "mlflow.db"
ARTIFACTS_DIR = Path("experiments") / "artifacts"


@dataclass
class TrainResult:
    model: EventModel
    config: dict[str, Any]
    evaluations: dict[str, Evaluation]
    seconds: float
    run_id: str = ""


def gold_from_labels(records: list[LabelledSentence]) -> list[GoldSentence]:
    return [GoldSentence(r.id, r.text, r.label, r.source_country, r.target_country) for r in records]


def _data_paths(root: Path, entries: list[str]) -> list[Path]:
    return [p if p.is_absolute() else root / p for p in map(Path, entries)]


def default_tracking_uri(root: Path) -> str:
    return f"sqlite:///{(root / TRACKING_DB).resolve()}"


def train(config_path: str | Path | None = None, *, save_to: str | Path | None = None,
          evaluate_splits: tuple[str, ...] = ("dev", "test"), mlflow_log: bool = False,
          tracking_uri: str | None = None, experiment: str | None = None, root: Path | None = None) -> TrainResult:
    """Fit a model from a config; optionally save it and log the run to MLflow."""
    start = time.perf_counter()
    config = load_config(config_path)
    root = root or project_root(Path(config_path).parent if config_path else None)
    train_set = load_labels(_data_paths(root, config["data"]["train"]))
    if not train_set:
        raise CoderError("no training sentences", root / config["data"]["train"][0])
    model = EventModel.fit([r.text for r in train_set], [r.label for r in train_set], config)
    log.info("trained on %d sentences", len(train_set))
    evaluations: dict[str, Evaluation] = {}
    if evaluate_splits:
        from .coding import Coder

        coder = Coder(model)
        for split in evaluate_splits:
            records = load_labels(_data_paths(root, config["data"][split]))
            if records:
                evaluations[split] = evaluate(coder, gold_from_labels(records))
    if save_to is not None:
        model.save(save_to)
    result = TrainResult(model, config, evaluations, time.perf_counter() - start)
    if mlflow_log:
        result.run_id = log_run(result, config_path, tracking_uri or default_tracking_uri(root),
                                experiment or config["experiment"]["name"], root / ARTIFACTS_DIR)
    return result


def log_run(result: TrainResult, config_path: str | Path | None, tracking_uri: str, experiment: str,
            artifact_root: Path | None = None) -> str:
    """Log params, metrics and the config of a training run; returns the MLflow run id."""
    try:
        import mlflow
    except ImportError:  # pragma: no cover - mlflow is a dependency
        raise CoderError("mlflow is not installed") from None
    mlflow.set_tracking_uri(tracking_uri)
    try:
        if mlflow.get_experiment_by_name(experiment) is None and artifact_root is not None:
            # Keep run artifacts beside the store, not in ./mlruns of whatever folder the user is in.
            mlflow.create_experiment(experiment, artifact_location=artifact_root.resolve().as_uri())
        mlflow.set_experiment(experiment)
        with mlflow.start_run() as run:
            mlflow.log_params(flatten(result.config))
            mlflow.set_tags({"coder.model_version": result.model.version,
                             "coder.train_digest": result.model.meta["train_digest"]})
            mlflow.log_metric("n_train", result.model.meta["n_train"])
            mlflow.log_metric("train_seconds", result.seconds)
            for split, ev in result.evaluations.items():
                mlflow.log_metrics({f"{split}_{k}": v for k, v in ev.metrics.items()})
                mlflow.log_text(ev.report, f"{split}_classification_report.txt")
            if config_path is not None:
                mlflow.log_artifact(str(config_path))
            return str(run.info.run_id)
    except Exception as exc:  # MLflow raises many kinds for an unreachable or stale store
        raise CoderError(f"cannot log to MLflow tracking store {tracking_uri} ({str(exc).splitlines()[0][:160]})") \
            from None


def default_model(root: Path | None = None, notify: Any = None) -> EventModel:
    """``models/default``; trained from ``labels/`` with the default config (seeded) when it is missing."""
    root = root or project_root()
    path = root / DEFAULT_MODEL_DIR
    if path.exists():
        return EventModel.load(path)
    if not (root / "labels").is_dir():
        raise CoderError(f"no model at {path} and no labels/ folder to train one from; pass --model", path)
    config_path = root / DEFAULT_CONFIG
    if notify is not None:
        notify(f"No model at {DEFAULT_MODEL_DIR}: training it from labels/ with {DEFAULT_CONFIG} (seeded).")
    result = train(config_path if config_path.exists() else None, save_to=path, evaluate_splits=(), root=root)
    return result.model
