"""The sentence classifier: a scikit-learn pipeline from raw sentence text to event-class probabilities.

A saved model is a folder: the fitted pipeline (joblib), ``meta.json`` (coder and scikit-learn versions, the
classes, training data digest) and the experiment config it was trained with. :meth:`EventModel.save` and
:meth:`EventModel.load` mirror each other; loading checks the files and the coder version and raises
:class:`ModelError` with a one-line reason instead of a traceback.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .cameo import LABELS
from .config import merge_saved, to_toml
from .errors import ConfigError, ModelError

log = logging.getLogger(__name__)

PIPELINE_FILE = "classifier.joblib"
META_FILE = "meta.json"
CONFIG_FILE = "config.toml"
#: Models written by a coder with a different MODEL_FORMAT cannot be loaded.
MODEL_FORMAT = 1


def build_pipeline(config: dict[str, Any], n_jobs: int | None = None):  # type: ignore[no-untyped-def]
    """The scikit-learn pipeline named by a config: word + character TF-IDF, then a calibrated linear model.

    `n_jobs` fits the calibration folds in parallel (-1: one per core); the fitted model is the same.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    from .features import CharNgramTfidf

    feats, clf_cfg = config["features"], config["classifier"]
    seed = config["experiment"]["seed"]
    common = dict(lowercase=feats["lowercase"], sublinear_tf=feats["sublinear_tf"], min_df=feats["min_df"],
                  max_features=feats["max_features"], dtype=np.float32)
    parts: list[tuple[str, Any]] = [
        ("word", TfidfVectorizer(analyzer="word", ngram_range=tuple(feats["word_ngrams"]),
                                 token_pattern=r"(?u)\b\w[\w'-]*\b", **common)),
        ("char", CharNgramTfidf(analyzer="char_wb", ngram_range=tuple(feats["char_ngrams"]), **common)),
    ]
    if feats["lexical"]:
        from sklearn.preprocessing import FunctionTransformer

        from .features import LexicalFeatures, as_column

        parts.append(("lexical", Pipeline([("column", FunctionTransformer(as_column)),
                                           ("cues", LexicalFeatures())])))
    features = FeatureUnion(parts)
    class_weight = clf_cfg["class_weight"] or None
    if clf_cfg["kind"] == "logreg":
        base = LogisticRegression(C=clf_cfg["C"], class_weight=class_weight, max_iter=clf_cfg["max_iter"],
                                  solver=clf_cfg["solver"], random_state=seed)
    elif clf_cfg["kind"] == "linear_svm":
        base = LinearSVC(C=clf_cfg["C"], class_weight=class_weight, max_iter=clf_cfg["max_iter"], random_state=seed)
    else:
        raise ValueError(f"unknown classifier kind {clf_cfg['kind']!r}")
    if clf_cfg["calibration"] != "none":
        clf = CalibratedClassifierCV(base, method=clf_cfg["calibration"], cv=clf_cfg["calibration_cv"], n_jobs=n_jobs)
    elif clf_cfg["kind"] == "linear_svm":
        raise ValueError("linear_svm needs calibration (sigmoid or isotonic) to give probabilities")
    else:
        clf = base
    tfidf = Pipeline([("features", features), ("clf", clf)])
    if not feats["embeddings"]:
        return tfidf
    from sklearn.ensemble import VotingClassifier

    from .features import SentenceEmbeddings

    embed = SentenceEmbeddings(model=feats["embeddings"])
    embed.check_installed()  # fail before the TF-IDF half spends a minute training
    dense = Pipeline([("embed", embed),
                      ("clf", LogisticRegression(C=feats["embeddings_C"], class_weight=class_weight,
                                                 max_iter=clf_cfg["max_iter"], random_state=seed))])
    # Soft voting: the mean of the two classifiers' probabilities.
    return VotingClassifier([("tfidf", tfidf), ("embeddings", dense)], voting="soft")


def data_digest(texts: list[str], labels: list[str]) -> str:
    h = hashlib.sha256()
    for t, y in zip(texts, labels):
        h.update(t.encode("utf-8"))
        h.update(b"\t")
        h.update(y.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:16]


@dataclass
class EventModel:
    """A fitted classifier with its config and provenance."""

    pipeline: Any
    config: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], config: dict[str, Any]) -> "EventModel":
        import sklearn

        missing = [c for c in LABELS if c not in set(labels)]
        if missing:
            raise ValueError(f"training data has no sentence of class {missing[0]!r}")
        pipe = build_pipeline(config, n_jobs=-1)
        pipe.fit(texts, labels)
        meta = {
            "coder_version": __version__,
            "model_format": MODEL_FORMAT,
            "sklearn_version": sklearn.__version__,
            "classes": [str(c) for c in pipe.classes_],
            "n_train": len(texts),
            "train_digest": data_digest(texts, labels),
            "experiment": config["experiment"]["name"],
        }
        meta["model_version"] = f"{config['experiment']['name']}-{meta['train_digest'][:8]}"
        return cls(pipeline=pipe, config=config, meta=meta)

    @property
    def classes(self) -> list[str]:
        return list(self.meta.get("classes") or self.pipeline.classes_)

    @property
    def version(self) -> str:
        return str(self.meta.get("model_version", "unknown"))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes` (reweighted by the class weights tuned
        on the dev split, when the model has them)."""
        if not texts:
            return np.zeros((0, len(self.classes)))
        proba = self.pipeline.predict_proba(texts)
        weights = self.meta.get("class_weights")
        if weights:
            proba = proba * np.array([weights.get(c, 1.0) for c in self.classes])
            proba = proba / proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, texts: list[str]) -> list[str]:
        proba = self.predict_proba(texts)
        return [self.classes[i] for i in proba.argmax(axis=1)]

    def save(self, path: str | Path) -> Path:
        """Write the model folder atomically: a temporary folder renamed into place."""
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        from .export import _umask

        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; a model folder is shared like any other
        try:
            joblib.dump(self.pipeline, tmp / PIPELINE_FILE, compress=3)
            (tmp / META_FILE).write_text(json.dumps(self.meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            (tmp / CONFIG_FILE).write_text(to_toml(self.config), encoding="utf-8")
            if path.exists():
                old = path.with_name(f".{path.name}.old")
                if old.exists():
                    _rmtree(old)
                os.replace(path, old)
                os.replace(tmp, path)
                _rmtree(old)
            else:
                os.replace(tmp, path)
        except BaseException:
            _rmtree(tmp)
            raise
        return path

    @classmethod
    def load(cls, path: str | Path) -> "EventModel":
        """Read a model folder written by :meth:`save`; raises ModelError naming what is wrong."""
        import tomllib

        import joblib

        path = Path(path)
        if not path.is_dir():
            raise ModelError("model folder not found", path)
        for name in (PIPELINE_FILE, META_FILE, CONFIG_FILE):
            if not (path / name).is_file():
                raise ModelError(f"not a coder model: {name} is missing", path)
        try:
            meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
            config = merge_saved(tomllib.loads((path / CONFIG_FILE).read_text(encoding="utf-8")), path / CONFIG_FILE)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"corrupt model metadata ({type(exc).__name__})", path) from None
        except ConfigError as exc:
            raise ModelError(f"model config is not readable by coder {__version__} ({exc.detail}); retrain it with "
                             f"`coder train`", path) from None
        if not isinstance(meta, dict) or meta.get("model_format") != MODEL_FORMAT:
            raise ModelError(
                f"model was written by coder {meta.get('coder_version', '?') if isinstance(meta, dict) else '?'} "
                f"(format {meta.get('model_format') if isinstance(meta, dict) else '?'}); this coder {__version__} "
                f"reads format {MODEL_FORMAT}: retrain it with `coder train`", path)
        try:
            pipeline = joblib.load(path / PIPELINE_FILE)
        except Exception as exc:  # joblib raises many kinds on a truncated or foreign file
            raise ModelError(f"corrupt model file {PIPELINE_FILE} ({type(exc).__name__})", path) from None
        if not hasattr(pipeline, "predict_proba") or list(getattr(pipeline, "classes_", [])) != meta.get("classes"):
            raise ModelError(f"{PIPELINE_FILE} does not match {META_FILE}", path)
        return cls(pipeline=pipeline, config=config, meta=meta)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


#: Multipliers tried for each class when tuning class weights on the dev split.
WEIGHT_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)


def tune_class_weights(proba: np.ndarray, labels: list[str], classes: list[str], passes: int = 3) -> dict[str, float]:
    """Per-class probability multipliers that maximise the classifier's macro-F1 on held-out sentences.

    Coordinate ascent over :data:`WEIGHT_GRID`, one class at a time; a change must improve the score, so
    weights stay at 1.0 where nothing helps. Tune on the team's dev split, never on an evaluation set.
    """
    from sklearn.metrics import f1_score

    weights = np.ones(len(classes))

    def score(w: np.ndarray) -> float:
        pred = [classes[i] for i in (proba * w).argmax(axis=1)]
        return float(f1_score(labels, pred, labels=classes, average="macro", zero_division=0))

    best = score(weights)
    for _ in range(passes):
        changed = False
        for k in range(len(classes)):
            for value in WEIGHT_GRID:
                trial = weights.copy()
                trial[k] = value
                got = score(trial)
                if got > best + 1e-9:
                    best, weights, changed = got, trial, True
        if not changed:
            break
    return {c: float(w) for c, w in zip(classes, weights)}


def reliability(proba: np.ndarray, labels: list[str], classes: list[str], bins: int = 10) -> dict[str, Any]:
    """Reliability of the top-class probability: per confidence bin, how often the top class is right.

    Returns the bins (lower edge, count, mean confidence, accuracy) and the expected calibration error (ECE).
    """
    top = proba.argmax(axis=1)
    conf = proba.max(axis=1)
    right = np.array([classes[i] == y for i, y in zip(top, labels)], dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (conf >= lo) & ((conf < hi) if hi < 1.0 else (conf <= hi))
        n = int(mask.sum())
        if n:
            mean_conf, acc = float(conf[mask].mean()), float(right[mask].mean())
            ece += n / len(conf) * abs(mean_conf - acc)
            rows.append({"lower": float(lo), "upper": float(hi), "n": n, "confidence": mean_conf, "accuracy": acc})
    return {"bins": rows, "ece": float(ece), "n": int(len(conf))}
