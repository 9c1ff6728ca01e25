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
