"""The lexical cue transformer: a well-behaved scikit-learn estimator that counts the right cues."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from coder.features import DEFAULT_CUES, LexicalFeatures, as_column


@parametrize_with_checks([LexicalFeatures(), LexicalFeatures(headline=False)])
def test_sklearn_compatible(estimator, check) -> None:
    check(estimator)


def _features(texts: list[str]) -> dict[str, np.ndarray]:
    lf = LexicalFeatures().fit(as_column(texts))
    names = [n.split("_", 1)[1] for n in lf.feature_names_]
    values = lf.transform(as_column(texts))
    return {name: values[:, j] for j, name in enumerate(names)}


def test_cues_fire_where_they_should() -> None:
    f = _features(["The two leaders will meet next week.", "Pakistan did not attack India.",
                   "The militants threatened to strike.", "Russia shelled the town, killing 12 civilians."])
    assert f["modal"][0] > 0 and f["modal"][3] == 0
    assert f["negation"][1] > 0 and f["negation"][0] == 0
    assert f["threat"][2] > 0
    assert f["attack_words"][3] > f["attack_words"][0]
    assert f["weapon_casualty"][3] > 0


def test_headline_shape() -> None:
    f = _features(["Ruto meets Abiy in Addis", "Ruto met Abiy in Addis on Monday."])
    assert f["headline"].tolist() == [pytest.approx(np.log1p(1.0)), 0.0]


def test_custom_cues_and_names() -> None:
    lf = LexicalFeatures(cues={"tea": r"\btea\b"}, headline=False).fit(as_column(["tea for two"]))
    assert lf.get_feature_names_out().tolist() == ["lexical__x0_tea"]
    assert lf.transform(as_column(["tea and more tea"]))[0, 0] == pytest.approx(np.log1p(2))
    assert set(DEFAULT_CUES) >= {"negation", "modal", "meet_words", "attack_words"}


# ----------------------------------------------------------------------------------------- sentence embeddings

class _FakeSentenceTransformer:
    """Stands in for sentence_transformers.SentenceTransformer: deterministic 8-d vectors from word hashes."""

    loads = 0

    def __init__(self, path: str, device: str = "cpu") -> None:
        type(self).loads += 1
        self.path = path

    def get_sentence_embedding_dimension(self) -> int:
        return 8

    def encode(self, texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False):
        import zlib

        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.encode()) % 8] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture()
def fake_embedder(monkeypatch, tmp_path):
    import sys
    import types

    st = types.ModuleType("sentence_transformers")
    st.SentenceTransformer = _FakeSentenceTransformer
    pkg = types.ModuleType("fake_embedder_pkg")
    pkg.get_model_path = lambda: tmp_path
    monkeypatch.setitem(sys.modules, "sentence_transformers", st)
    monkeypatch.setitem(sys.modules, "fake_embedder_pkg", pkg)
    _FakeSentenceTransformer.loads = 0
    return "fake_embedder_pkg"


def test_sentence_embeddings_transform_and_pickle(fake_embedder) -> None:
    import pickle

    from coder.features import SentenceEmbeddings

    emb = SentenceEmbeddings(model=fake_embedder).fit(["a b"])
    X = emb.transform(["troops shelled the town", "the ministers met"])
    assert X.shape == (2, 8) and X.dtype == np.float32
    assert emb.transform([]).shape == (0, 8)
    clone = pickle.loads(pickle.dumps(emb))
    assert "_loaded" not in clone.__dict__  # the weights are never pickled
    assert np.allclose(clone.transform(["troops shelled the town"]), X[:1])


def test_embeddings_config_builds_a_soft_vote_that_saves_and_loads(fake_embedder, tmp_path) -> None:
    from coder.config import merge
    from coder.model import EventModel

    config = merge({"features": {"embeddings": fake_embedder}, "classifier": {"calibration": "none"}}, "<test>")
    texts = ["troops shelled the town", "the ministers met in Rome", "talks by phone", "X accused Y",
             "prices rose"] * 4
    labels = ["attack", "meet", "consult", "accuse", "none"] * 4
    model = EventModel.fit(texts, labels, config)
    assert type(model.pipeline).__name__ == "VotingClassifier"
    proba = model.predict_proba(["troops shelled the town"])
    assert proba.shape == (1, 5) and abs(proba.sum() - 1) < 1e-6
    model.save(tmp_path / "m")
    loaded = EventModel.load(tmp_path / "m")
    assert np.allclose(loaded.predict_proba(["troops shelled the town"]), proba)


def test_embeddings_without_the_extra_is_one_clear_error() -> None:
    from coder.errors import CoderError
    from coder.features import SentenceEmbeddings

    with pytest.raises(CoderError, match=r"coder\[embeddings\]"):
        SentenceEmbeddings(model="no_such_embedding_package").fit(["a"])


def test_an_embeddings_config_without_the_extra_fails_before_training() -> None:
    from coder.config import merge
    from coder.errors import CoderError
    from coder.model import build_pipeline

    with pytest.raises(CoderError, match=r"coder\[embeddings\]"):
        build_pipeline(merge({"features": {"embeddings": "no_such_embedding_package"}}, "<test>"))
