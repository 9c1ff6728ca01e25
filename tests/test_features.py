"""Feature transformers: the lexical cues (a well-behaved scikit-learn estimator that counts the right cues), the
cached character n-gram TF-IDF (identical to scikit-learn's), and sentence embeddings."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from coder.features import DEFAULT_CUES, CharNgramTfidf, LexicalFeatures, as_column


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


# ------------------------------------------------------------------------------------------ CharNgramTfidf

_TFIDF = dict(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True, dtype=np.float32)


@pytest.fixture(scope="module")
def char_pair():
    """scikit-learn's vectorizer and the cached one, fitted on the same labelled sentences."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from coder.labels import load_labels

    texts = [r.text for r in load_labels([ROOT / "labels" / "dev"])]
    return TfidfVectorizer(**_TFIDF).fit(texts), CharNgramTfidf(**_TFIDF).fit(texts)


def _same(a, b) -> None:
    assert type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
    for attr in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr)), attr


def test_char_tfidf_is_sklearns_on_labelled_sentences(char_pair) -> None:
    from coder.labels import load_labels

    reference, fast = char_pair
    texts = [r.text for r in load_labels([ROOT / "labels" / "test"])]
    _same(reference.transform(texts), fast.transform(texts))
    _same(reference.transform(texts), fast.transform(texts))  # again, from the cache
    assert fast._word_cache


@given(st.lists(st.one_of(st.text(), st.sampled_from(["Ré-élu", "  Talks\u00a0held\tin\n Kabul ", "", "ÇA", "ǅ"])),
                min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_char_tfidf_is_sklearns_on_any_text(char_pair, texts) -> None:
    reference, fast = char_pair
    _same(reference.transform(texts), fast.transform(texts))


def test_char_tfidf_cache_is_bounded_and_not_saved(char_pair, monkeypatch) -> None:
    import pickle

    from coder import features

    reference, fast = char_pair
    monkeypatch.setattr(features, "WORD_CACHE_SIZE", 7)
    texts = ["The ministers met in Nairobi on Monday to discuss the border.", "Rebels shelled the town of Goma."] * 3
    _same(reference.transform(texts), fast.transform(texts))
    assert 0 < len(fast._word_cache) <= 7
    copy = pickle.loads(pickle.dumps(fast))
    assert not hasattr(copy, "_word_cache")
    _same(reference.transform(texts), copy.transform(texts))


def test_char_tfidf_sparse_interface_and_other_analyzers(char_pair) -> None:
    import sklearn
    from sklearn.base import clone
    from sklearn.feature_extraction.text import TfidfVectorizer

    reference, fast = char_pair
    texts = ["Kenya accused Rwanda of backing the rebels.", "Talks resumed."]
    with sklearn.config_context(sparse_interface="sparray"):
        _same(reference.transform(texts), fast.transform(texts))
    assert clone(fast).get_params() == fast.get_params()
    words = dict(_TFIDF, analyzer="word")
    _same(TfidfVectorizer(**words).fit(texts).transform(texts), CharNgramTfidf(**words).fit(texts).transform(texts))
