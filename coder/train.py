"""Training: fit the classifier on ``labels/train``, score the whole coder on dev and test, log to MLflow."""

from __future__ import annotations

import concurrent.futures
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import load_config, project_root
from .errors import CoderError
from .evaluation import Evaluation, GoldSentence, evaluate
from .labels import LabelledSentence, load_labels
from .model import EventModel, reliability, tune_class_weights

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path("models") / "default"
DEFAULT_CONFIG = Path("experiments") / "default.toml"
#: The MLflow experiment every config logs to (one place to compare them); --experiment overrides it.
MLFLOW_EXPERIMENT = "coder"


@dataclass
class TrainResult:
    model: EventModel
    config: dict[str, Any]
    evaluations: dict[str, Evaluation]
    seconds: float
    run_id: str = ""
    data: dict[str, list[LabelledSentence]] = field(default_factory=dict)
    cv_scores: list[float] = field(default_factory=list)
    calibration: dict[str, Any] = field(default_factory=dict)  # reliability of the classifier on dev
    phases: dict[str, float] = field(default_factory=dict)  # seconds: fit, then evaluation and CV side by side


def gold_from_labels(records: list[LabelledSentence]) -> list[GoldSentence]:
    return [GoldSentence(r.id, r.text, r.label, r.source_country, r.target_country) for r in records]


def _data_paths(root: Path, entries: list[str]) -> list[Path]:
    return [p if p.is_absolute() else root / p for p in map(Path, entries)]


def cross_validate(texts: list[str], labels: list[str], config: dict[str, Any]) -> list[float]:
    """Stratified k-fold macro-F1 of the classifier alone (no rules), seeded."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from .model import build_pipeline

    folds = config["evaluation"]["cv_folds"]
    if folds < 2:
        return []
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config["experiment"]["seed"])
    # The folds run in parallel (one per core, each fitting its calibration folds in turn): same scores.
    scores = cross_val_score(build_pipeline(config, n_jobs=1), texts, labels, cv=cv, scoring="f1_macro",
                             n_jobs=min(folds, os.cpu_count() or 1))
    return [float(s) for s in scores]


def train(config_path: str | Path | None = None, *, save_to: str | Path | None = None,
          evaluate_splits: tuple[str, ...] = ("dev", "test"), mlflow_log: bool = False,
          tracking_uri: str | None = None, experiment: str | None = None, root: Path | None = None,
          config: dict[str, Any] | None = None, cross_validation: bool = True, register: bool = True,
          nested: bool = False, run_name: str | None = None) -> TrainResult:
    """Fit a model from a config (a file, or an already-merged dict); optionally save it and log it to MLflow."""
    start = time.perf_counter()
    config = config if config is not None else load_config(config_path)
    root = root or project_root(Path(config_path).parent if config_path else None)
    if mlflow_log:
        from .tracking import resolve_tracking_uri, store

        with store(resolve_tracking_uri(tracking_uri, root)) as client:
            client.search_experiments(max_results=1)  # an unreachable or stale store fails before training
    data = {"train": load_labels(_data_paths(root, config["data"]["train"]))}
    if not data["train"]:
        raise CoderError("no training sentences", root / config["data"]["train"][0])
    texts, labels = [r.text for r in data["train"]], [r.label for r in data["train"]]
    phases: dict[str, float] = {}
    # Cross-validation runs in worker processes from the start, beside the fit and the scoring of the whole
    # coder on dev and test: the three together keep both cores busy.
    start_cv = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as background:
        cv_future = background.submit(cross_validate, texts, labels, config) if cross_validation else None
        tick = time.perf_counter()
        model = EventModel.fit(texts, labels, config)
        phases["fit"] = time.perf_counter() - tick
        log.info("trained on %d sentences in %.1f s", len(texts), phases["fit"])
        calibration: dict[str, Any] = {}
        dev_paths = [p for p in _data_paths(root, config["data"].get("dev") or []) if p.exists()]
        if dev_paths:
            data["dev"] = load_labels(dev_paths)
        if data.get("dev"):
            dev_texts, dev_labels = [r.text for r in data["dev"]], [r.label for r in data["dev"]]
            raw = model.pipeline.predict_proba(dev_texts)
            if config["classifier"]["tune_weights"]:
                model.meta["class_weights"] = tune_class_weights(raw, dev_labels, model.classes)
                log.info("class weights tuned on dev: %s", model.meta["class_weights"])
            calibration = reliability(model.predict_proba(dev_texts), dev_labels, model.classes)
        tick = time.perf_counter()
        evaluations: dict[str, Evaluation] = {}
        if evaluate_splits:
            from .coding import Coder

            coder = Coder(model)
            for split in evaluate_splits:
                if split not in data:
                    data[split] = load_labels(_data_paths(root, config["data"][split]))
                if data[split]:
                    evaluations[split] = evaluate(coder, gold_from_labels(data[split]))
        phases["evaluation"] = time.perf_counter() - tick
        cv_scores = cv_future.result() if cv_future is not None else []
    phases["cross_validation"] = time.perf_counter() - start_cv
    if save_to is not None:
        model.save(save_to)
    result = TrainResult(model, config, evaluations, time.perf_counter() - start, data=data, cv_scores=cv_scores,
                         calibration=calibration, phases=phases)
    if mlflow_log:
        from .tracking import log_training_run, resolve_tracking_uri

        result.run_id = log_training_run(
            result, config_path=Path(config_path) if config_path else None,
            uri=resolve_tracking_uri(tracking_uri, root), experiment=experiment or MLFLOW_EXPERIMENT,
            root=root, register=register, nested=nested, run_name=run_name or config["experiment"]["name"])
    return result


def grid_points(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of a ``{"table.key": [values]}`` grid, in a stable order."""
    import itertools

    names = sorted(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def tune(config_path: str | Path | None = None, *, tracking_uri: str | None = None, experiment: str | None = None,
         root: Path | None = None) -> tuple[str, list[tuple[dict[str, Any], float, str]]]:
    """A small grid search as nested MLflow runs under one parent run; returns (parent run id, results)."""
    import copy

    import mlflow

    from .config import merge
    from .tracking import ensure_experiment, resolve_tracking_uri, store

    base = load_config(config_path)
    root = root or project_root(Path(config_path).parent if config_path else None)
    uri = resolve_tracking_uri(tracking_uri, root)
    name = experiment or MLFLOW_EXPERIMENT
    metric = base["tune"]["metric"]
    split, _, key = metric.partition("_")
    results: list[tuple[dict[str, Any], float, str]] = []
    with store(uri):
        exp_id = ensure_experiment(name, root)
        with mlflow.start_run(experiment_id=exp_id, run_name=f"tune {base['experiment']['name']}") as parent:
            mlflow.set_tag("coder.run_kind", "tune")
            mlflow.log_dict(base["tune"]["grid"], "grid.json")
            for point in grid_points(base["tune"]["grid"]):
                override: dict[str, dict[str, Any]] = {}
                for dotted, value in point.items():
                    table, _, k = dotted.partition(".")
                    override.setdefault(table, {})[k] = value
                cfg = copy.deepcopy(base)
                for table, values in override.items():
                    cfg[table].update(merge({table: values}, config_path or "<tune>")[table])
                label = ", ".join(f"{k}={v}" for k, v in point.items())
                result = train(config_path, config=cfg, evaluate_splits=(split,), mlflow_log=True, tracking_uri=uri,
                               experiment=name, root=root, cross_validation=False, register=False, nested=True,
                               run_name=label)
                score = result.evaluations[split].metrics[key]
                results.append((point, score, result.run_id))
            best = max(results, key=lambda r: r[1])
            mlflow.log_params({f"best.{k}": v for k, v in best[0].items()})
            mlflow.log_metric(f"best_{metric}", best[1])
            mlflow.set_tag("coder.best_run_id", best[2])
            return str(parent.info.run_id), results


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
    result = train(config_path if config_path.exists() else None, save_to=path, evaluate_splits=(), root=root,
                   cross_validation=False)
    return result.model
