"""The cascade: which sentences are parsed, and that parsing only those codes what parsing all would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _proba(coder, event: str, p: float) -> np.ndarray:
    """Probabilities with `p` on `event` and the rest spread evenly."""
    out = np.full(len(coder.classes), (1 - p) / (len(coder.classes) - 1))
    out[coder.classes.index(event)] = p
    return out


def test_needs_parse(model, blank_nlp) -> None:
    from coder.coding import Coder

    coder = Coder(model, blank_nlp)  # thresholds from the default config: rules decide below 0.6
    plain = "The museum reopened its east wing on Tuesday after a two-year renovation."
    assert coder.needs_parse(plain, _proba(coder, "attack", 0.7))  # an event: its actors need the parse
    assert not coder.needs_parse(plain, _proba(coder, "none", 0.9))  # sure of none, no override word
    assert not coder.needs_parse(plain, _proba(coder, "none", 0.5))  # unsure, but no word a rule reads
    unsure = "Talks between the two clubs resumed on Tuesday."
    assert coder.needs_parse(unsure, _proba(coder, "none", 0.5))  # unsure, and a rule may decide
    assert not coder.needs_parse(unsure, _proba(coder, "none", 0.9))  # sure of none: no pattern rule overrides
    for text in ("Ankara summoned the Dutch ambassador.", "The two presidents spoke by telephone.",
                 "The envoy called on the king in Riyadh.", "He called the governor a liar and a thug.",
                 "Lebanon complained to the UN over the raids.", "Kenya accused Uganda of arming rebels."):
        assert coder.needs_parse(text, _proba(coder, "none", 0.99)), text  # an override rule may fire
    for text in ("So-called experts spoke at length.", "The criminal case was adjourned.", "He called for calm."):
        assert not coder.needs_parse(text, _proba(coder, "none", 0.99)), text
    assert Coder(model, blank_nlp, cascade=False).needs_parse(plain, _proba(coder, "none", 0.99))
    assert not Coder(model, blank_nlp, rules_enabled=False).needs_parse(unsure, _proba(coder, "none", 0.5))


@pytest.mark.spacy_model
def test_cheap_filters_skip_nothing_the_rules_read(nlp) -> None:
    """On every labelled dev sentence: where an override rule (any pattern rule) fires on the parse, its words
    alone said it could (the cascade's filters); and the trigger-word filter finds the same event words as
    running every rule on every token."""
    from coder.corpus import parse_text
    from coder.labels import load_labels
    from coder.rules import RULES, candidate_triggers, matching_rule, override_possible, rule_possible

    texts = [r.text for r in load_labels([ROOT / "labels" / "dev"])]
    overriding = [r for r in RULES if r.override]
    fired, missed, differ = 0, [], []
    for text, doc in zip(texts, nlp.pipe((parse_text(t) for t in texts), batch_size=256)):
        if any(rule.match(tok) for tok in doc for rule in overriding):
            fired += 1
            if not override_possible(text):
                missed.append(text)
        every = sorted((tok.i, rule.name) for tok in doc if (rule := matching_rule(tok)) is not None)
        if every and not rule_possible(text):
            missed.append(text)
        if sorted((tok.i, rule.name) for tok, rule in candidate_triggers(doc)) != every:
            differ.append(text)
    assert fired > 100  # the check has something to check
    assert missed == []
    assert differ == []


@pytest.mark.spacy_model
def test_cascade_codes_what_parsing_every_sentence_codes(model, nlp) -> None:
    from coder.coding import Coder
    from coder.corpus import Sentence, read_sentences
    from coder.labels import load_labels

    labelled = load_labels([ROOT / "labels" / "dev"])[::4]
    sentences = [Sentence(id=f"dev:{n}", doc_id=f"dev:{n}", text=r.text) for n, r in enumerate(labelled)]
    sentences += list(read_sentences([ROOT / "corpus" / "sample"]))
    cascade, everything = Coder(model, nlp), Coder(model, nlp, cascade=False)
    fast = list(cascade.code(sentences, all_sentences=True))
    slow = list(everything.code(sentences, all_sentences=True))
    assert everything.parsed == len(sentences)
    assert cascade.parsed < 0.8 * len(sentences)  # the cascade skips sentences ...
    assert fast == slow  # ... and codes every one exactly as the full parse does
