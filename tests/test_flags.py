"""Event flags: negated, hypothetical and reported, so users can filter what the classifier coded."""

from __future__ import annotations

import numpy as np
import pytest

from coder.coding import Coder
from coder.export import EVENT_COLUMNS, TableWriter, read_table
from coder.rules import is_reported


def _decide(model, nlp, text: str, event: str):
    """What the coder decides when the classifier is sure of `event` and the rules are off."""
    coder = Coder(model, nlp, rules_enabled=False)
    proba = np.zeros(len(coder.classes))
    proba[coder.classes.index(event)] = 1.0
    return coder.decide(nlp(text), proba)


@pytest.mark.spacy_model
@pytest.mark.parametrize("text,event,negated,hypothetical,reported", [
    ("The army shelled the town on Tuesday.", "attack", False, False, False),
    ("The army did not shell the town on Tuesday.", "attack", True, False, False),
    ("The army will shell the town unless the rebels withdraw.", "attack", False, True, False),
    ("Pakistan threatened to attack militant hideouts across the border.", "attack", False, True, False),
    ("Police said gunmen opened fire on a bus near Quetta.", "attack", False, False, True),
    ("Gunmen opened fire on a bus near Quetta, according to local officials.", "attack", False, False, True),
    ("The two foreign ministers met in Geneva, the ministry said.", "meet", False, False, True),
])
def test_flags(model, nlp, text: str, event: str, negated: bool, hypothetical: bool, reported: bool) -> None:
    dec = _decide(model, nlp, text, event)
    assert dec.event == event
    assert (dec.negated, dec.hypothetical, dec.reported) == (negated, hypothetical, reported)


@pytest.mark.spacy_model
def test_the_speaker_is_not_reported_speech(nlp) -> None:
    # the reporting verb's own subject clause is not attributed: "the minister who met X said ..."
    doc = nlp("The minister who met the envoy said the talks were useful.")
    met = next(t for t in doc if t.text == "met")
    assert not is_reported(met)


def test_flags_round_trip_as_booleans(tmp_path) -> None:
    rows = [{"event_id": "d:1:e1", "event": "attack", "cameo_code": "190", "negated": False,
             "hypothetical": True, "reported": True}]
    for ext in ("csv", "jsonl", "parquet"):
        path = tmp_path / f"events.{ext}"
        with TableWriter(path, EVENT_COLUMNS) as writer:
            for row in rows:
                writer.write(row)
        table = read_table(path)
        assert bool(table["hypothetical"][0]) is True and bool(table["negated"][0]) is False, ext
        assert bool(table["reported"][0]) is True, ext


def _proba(coder: Coder, **weights: float) -> np.ndarray:
    """Classifier probabilities with the given weight per class, zero elsewhere."""
    proba = np.zeros(len(coder.classes))
    for name, weight in weights.items():
        proba[coder.classes.index(name)] = weight
    return proba


@pytest.mark.spacy_model
def test_a_confident_class_whose_every_word_is_cancelled_is_none(model, nlp) -> None:
    coder = Coder(model, nlp)  # rules on
    proba = _proba(coder, accuse=0.9, none=0.1)
    text = ("The party leader declined to condemn the air strikes, insisting that the army was attacking "
            "terrorists.")
    dec = coder.decide(nlp(text), proba)
    assert dec.event == "none" and dec.coded_by == "rule:negated"
    # a class with one word standing is left to the classifier
    dec = coder.decide(nlp("The party leader condemned the air strikes on Monday."), proba)
    assert dec.event == "accuse"


@pytest.mark.spacy_model
def test_an_unsure_reported_charge_without_an_accusing_word_is_left_to_the_classifier(model, nlp) -> None:
    coder = Coder(model, nlp)  # rules on
    proba = _proba(coder, accuse=0.5, none=0.3, meet=0.2)
    said = "Iraq's government said Turkish forces had built dozens of bases without Baghdad's permission."
    assert coder.decide(nlp(said), proba).event == "accuse"
    # no speech, or speech that defends: the unsure classifier is not enough (no_event_word)
    for text in ("Turkish forces built dozens of bases in the region last year.",
                 "The minister defended the bases, saying they were built with Baghdad's permission."):
        dec = coder.decide(nlp(text), proba)
        assert (dec.event, dec.coded_by) == ("none", "rule:no_event_word"), text
    # other classes still need an event word
    assert coder.decide(nlp(said), _proba(coder, accuse=0.2, none=0.3, meet=0.5)).event == "none"
