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
