"""Shared fixtures: a blank English pipeline for unit tests, the real pipeline and a trained model where needed."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def blank_nlp():
    """spaCy's blank English: tokenizer only, for tests where the statistical model is not the point."""
    return spacy.blank("en")


@pytest.fixture(scope="session")
def nlp():
    """The installed English pipeline with coder_actors (tests using it are marked spacy_model)."""
    from coder.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """A model trained from labels/train with the default config, saved once per test session."""
    from coder.config import load_config
    from coder.labels import load_labels
    from coder.model import EventModel

    config = load_config(ROOT / "experiments" / "default.toml")
    records = load_labels([ROOT / "labels" / "train"])
    model = EventModel.fit([r.text for r in records], [r.label for r in records], config)
    return model.save(tmp_path_factory.mktemp("models") / "default")


@pytest.fixture(scope="session")
def model(model_dir):
    from coder.model import EventModel

    return EventModel.load(model_dir)


@pytest.fixture(scope="session")
def coder(model, nlp):
    from coder.coding import Coder

    return Coder(model, nlp)


def _subset(src: Path, dst: Path, every: int) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        (dst / path.name).write_text("\n".join(lines[::every]) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def mlflow_project(tmp_path_factory) -> Path:
    """A small copy of the project (every 8th train and every 6th dev label, two configs) for MLflow tests."""
    proj = tmp_path_factory.mktemp("project")
    _subset(ROOT / "labels" / "train", proj / "labels" / "train", 8)
    _subset(ROOT / "labels" / "dev", proj / "labels" / "dev", 6)
    (proj / "labels" / "test").mkdir()
    (proj / "experiments").mkdir()
    for name in ("default", "no_rules"):
        text = (ROOT / "experiments" / f"{name}.toml").read_text(encoding="utf-8")
        text = text.replace("cv_folds = 3", "cv_folds = 2")
        text = text.replace('grid = { "classifier.C" = [1.0, 4.0, 16.0] }', 'grid = { "classifier.C" = [1.0, 8.0] }')
        (proj / "experiments" / f"{name}.toml").write_text(text, encoding="utf-8")
    return proj


@pytest.fixture(scope="session")
def mlflow_runs(mlflow_project: Path):
    from coder.train import train

    """Two real training runs (default and no_rules) logged to a SQLite store in the small project."""
    project = mlflow_project
    uri = f"sqlite:///{project / 'experiments' / 'mlflow.db'}"
    results = {}
    for name in ("default", "no_rules"):
        results[name] = train(project / "experiments" / f"{name}.toml", mlflow_log=True, tracking_uri=uri,
                              root=project, evaluate_splits=("dev",))
    return uri, results
