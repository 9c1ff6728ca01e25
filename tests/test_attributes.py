"""The compiled attribute ruler sets exactly what spaCy's AttributeRuler sets, faster."""

from __future__ import annotations

import functools

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from conftest import ROOT
from coder.attributes import CompiledAttributeRuler, compile_attribute_ruler

#: Patterns of every kind the English pipeline's ruler has: tags, words and tags, dependencies, IN / NOT_IN,
#: REGEX, flags, several tokens with an index, two alternatives under one set of attributes, and later patterns
#: overriding earlier ones.
PATTERNS = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
    {"patterns": [[{"TAG": "VBD"}]], "attrs": {"POS": "VERB", "MORPH": "Tense=Past|VerbForm=Fin"}},
    {"patterns": [[{"TAG": "VBD", "LOWER": "was"}]], "attrs": {"POS": "AUX", "LEMMA": "be"}},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "go"}},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": 1},
    {"patterns": [[{"LOWER": {"REGEX": "^n[ou]thin'?$"}}]], "attrs": {"LEMMA": "nothing"}},
    {"patterns": [[{"TAG": {"NOT_IN": ["TO", ""]}, "DEP": {"IN": ["aux", "auxpass"]}}]], "attrs": {"POS": "AUX"}},
    {"patterns": [[{"TAG": "VBZ", "LOWER": "gets"}], [{"TAG": "VBD", "LOWER": "got"}]], "attrs": {"LEMMA": "get"}},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},
    {"patterns": [[{"LOWER": "it", "DEP": "nsubj"}]], "attrs": {"MORPH": "Case=Nom|Person=3"}},
    {"patterns": [[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "was"]}}]], "attrs": {"POS": "VERB"}, "index": 1},
    {"patterns": [[{"TAG": "NN", "OP": "+"}]], "attrs": {"MORPH": "Number=Plur"}},
    {"patterns": [[{"POS": "NOUN"}]], "attrs": {"LEMMA": "thing"}},
]

WORDS = ["was", "gon", "na", "nothin'", "Nuthin", "it", "is", "got", "gets", " ", "there", "Rebels", "to"]
TAGS = ["NN", "VBD", "VBZ", "TO", "", "DT", "_SP"]
DEPS = ["nsubj", "aux", "auxpass", "expl", "ROOT", "dobj", ""]


def _rulers(vocab):
    plain, compiled = AttributeRuler(vocab), CompiledAttributeRuler(vocab)
    plain.add_patterns(PATTERNS)
    compiled.add_patterns(PATTERNS)
    return plain, compiled


def _attrs(doc: Doc) -> list[tuple[str, str, str, str, str]]:
    return [(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


def _doc(vocab, tokens: list[tuple[str, str, str]]) -> Doc:
    words, tags, deps = zip(*tokens)
    # Dependencies are set without a tree (every head is the token itself): only the labels matter here.
    return Doc(vocab, words=list(words), tags=list(tags), deps=list(deps), heads=list(range(len(words))))


@functools.lru_cache(maxsize=1)
def _shared():
    vocab = spacy.blank("en").vocab
    return (vocab, *_rulers(vocab))


@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(TAGS), st.sampled_from(DEPS)), min_size=1,
                max_size=12))
@settings(max_examples=300, deadline=None)
def test_same_attributes_as_spacy_on_any_tokens(tokens) -> None:
    vocab, plain, compiled = _shared()
    assert _attrs(compiled(_doc(vocab, tokens))) == _attrs(plain(_doc(vocab, tokens)))


def test_patterns_are_compiled_where_they_can_be() -> None:
    _, compiled = _rulers(spacy.blank("en").vocab)
    # 7 filed under their equality tests, and NOT_IN with IN under each of the IN test's 2 values
    assert sum(len(hits) for table in compiled._tables.values() for hits in table.values()) == 9
    assert len(compiled._scan) == 1  # REGEX alone
    assert len(compiled._rest) == 5  # several tokens, an operator or POS: these stay with the Matcher


def test_serialisation_round_trip_keeps_the_compiled_patterns(tmp_path) -> None:
    vocab = spacy.blank("en").vocab
    plain, compiled = _rulers(vocab)
    compiled.to_disk(tmp_path / "ruler")
    loaded = CompiledAttributeRuler(vocab).from_disk(tmp_path / "ruler")
    assert loaded._tables.keys() == compiled._tables.keys()
    tokens = [("it", "PRP", "nsubj"), ("was", "VBD", "ROOT"), ("gon", "VBG", "aux"), ("na", "TO", "aux")]
    assert _attrs(loaded(_doc(vocab, tokens))) == _attrs(plain(_doc(vocab, tokens)))


def test_compile_leaves_a_pipeline_without_a_ruler_alone() -> None:
    nlp = spacy.blank("en")
    assert compile_attribute_ruler(nlp) is False
    nlp.add_pipe("attribute_ruler").add_patterns(PATTERNS)
    assert compile_attribute_ruler(nlp) is True
    assert isinstance(nlp.get_pipe("attribute_ruler"), CompiledAttributeRuler)
    plain, _ = _rulers(nlp.vocab)
    assert nlp.get_pipe("attribute_ruler").patterns == plain.patterns
    assert compile_attribute_ruler(nlp) is False  # already compiled


@pytest.mark.spacy_model
def test_english_pipeline_tokens_identical_with_spacys_ruler(nlp) -> None:
    """The loaded pipeline (compiled ruler) against spaCy's own, on labelled sentences and odd English."""
    from coder.labels import load_labels
    from coder.nlp import EXCLUDED_COMPONENTS, pipeline_name

    assert isinstance(nlp.get_pipe("attribute_ruler"), CompiledAttributeRuler)
    reference = spacy.load(pipeline_name(), exclude=list(EXCLUDED_COMPONENTS))
    assert type(reference.get_pipe("attribute_ruler")) is AttributeRuler
    texts = [r.text for r in load_labels([ROOT / "labels" / "dev"])][::3]
    texts += ["I ain't gonna do it, y'all.", "Let's go, c'mon!", "We gotta  leave  now\n\n ok", "There is a man.",
              "Nothin' doin', ol' pal, gimme 'em."]
    ours = list(nlp.pipe(texts))
    theirs = list(reference.pipe(texts))
    assert sum(len(d) for d in ours) > 10_000
    assert [_attrs(d) for d in ours] == [_attrs(d) for d in theirs]


def test_an_index_outside_the_match_is_spacys_error() -> None:
    vocab = spacy.blank("en").vocab
    bad = [{"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}, "index": 2}]
    for ruler in (AttributeRuler(vocab), CompiledAttributeRuler(vocab)):
        ruler.add_patterns(bad)
        with pytest.raises(ValueError, match="E1001|index"):
            ruler(_doc(vocab, [("Rebels", "NN", "nsubj")]))
