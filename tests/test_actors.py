"""Actor lexicon, the coder_actors component, and source/target resolution on the parse."""

from __future__ import annotations

import pytest

from coder import actors
from coder.actors import ActorRuler, arguments_as_actors, country_lexicon, country_of


def _codes(text: str) -> dict[str, str]:
    return {e.text: e.code for e in country_lexicon() if e.text == text}


@pytest.mark.parametrize("text,code", [
    ("Pakistan", "PAK"), ("Pakistani", "PAK"), ("Islamabad", "PAK"), ("Kenyan", "KEN"), ("Kenya", "KEN"),
    ("Nairobi", "KEN"), ("South Korea", "KOR"), ("North Korea", "PRK"), ("Iranian", "IRN"), ("Iran", "IRN"),
    ("French", "FRA"), ("American", "USA"), ("US", "USA"), ("Ukrainian", "UKR"), ("Kyiv", "UKR"),
    ("Afghan", "AFG"), ("Kabul", "AFG"), ("Syria", "SYR"),
])
def test_country_lexicon(text: str, code: str) -> None:
    assert _codes(text).get(text) == code


def test_lexicon_is_generated_not_only_typed() -> None:
    # The team file lists a few dozen irregular forms; packages give the rest.
    assert len({e.code for e in country_lexicon()}) > 200
    assert len(country_lexicon()) > 1000


def test_actor_dictionary_entries() -> None:
    entries = {e.text: e.code for e in actors.actor_dictionary()}
    assert entries["CENTCOM"] == "USAMIL"
    assert entries["ISPR"] == "PAKMIL"
    assert entries["TTP"] == "PAKINS"
    assert entries["NATO"] == "IGONAT"
    assert all(code.isupper() and code.isalpha() for code in entries.values())


def test_ruler_marks_spans_on_blank_pipeline(blank_nlp) -> None:
    blank_nlp.add_pipe("coder_actors")
    doc = blank_nlp("CENTCOM chief visited Islamabad and met Pakistani officials and the TTP.")
    spans = {(s.text, s.label_) for s in doc.spans[actors.SPANS_KEY]}
    assert ("CENTCOM", "USAMIL") in spans
    assert ("Islamabad", "PAK") in spans
    assert ("Pakistani", "PAK") in spans
    assert ("TTP", "PAKINS") in spans


def test_ruler_to_disk_from_disk(blank_nlp, tmp_path) -> None:
    ruler = ActorRuler(blank_nlp, use_default_patterns=False)
    ruler.add_patterns([{"label": "XYZGOV", "pattern": "Fooland Council", "id": "entry"}])
    ruler.to_disk(tmp_path / "ruler")
    other = ActorRuler(blank_nlp, use_default_patterns=False).from_disk(tmp_path / "ruler")
    doc = other(blank_nlp("The Fooland Council met."))
    assert [(s.text, s.label_) for s in doc.spans[actors.SPANS_KEY]] == [("Fooland Council", "XYZGOV")]


def test_country_of() -> None:
    assert country_of("PAKMIL") == "PAK"
    assert country_of("IGOUNO") == ""
    assert country_of("INS") == ""
    assert country_of("") == ""


def _args(nlp, sentence: str, word: str):
    doc = nlp(sentence)
    trigger = next(t for t in doc if t.text == word)
    return arguments_as_actors(trigger)


@pytest.mark.spacy_model
@pytest.mark.parametrize("sentence,word,source,target", [
    ("General Michael Erik Kurilla, commander of the United States Central Command (CENTCOM), called on "
     "Pakistan's Army Chief General Asim Munir, the Pakistani military said on Monday.", "called", "USAMIL", "PAKMIL"),
    ("Pakistan accused India of violating the ceasefire.", "accused", "PAK", "IND"),
    ("Islamabad accused Kabul of harbouring militants.", "accused", "PAKGOV", "AFGGOV"),
    ("Indian troops shelled Pakistani positions along the Line of Control.", "shelled", "INDMIL", "PAK"),
    ("A police convoy was ambushed by TTP militants near Bannu.", "ambushed", "PAKINS", "COP"),
    ("Kenyan President William Ruto and Ethiopian Prime Minister Abiy Ahmed met in Addis Ababa.", "met",
     "KENGOV", "ETHGOV"),
    ("The Russian foreign minister held talks with his Chinese counterpart in Beijing.", "talks", "RUSGOV", "CHNGOV"),
])
def test_source_and_target(nlp, sentence: str, word: str, source: str, target: str) -> None:
    src, tgt = _args(nlp, sentence, word)
    assert (src.code, tgt.code) == (source, target)


@pytest.mark.spacy_model
def test_unknown_actor_keeps_text(nlp) -> None:
    src, tgt = _args(nlp, "Unidentified assailants attacked the Zorbistan embassy.", "attacked")
    assert src.text.lower().startswith("unidentified assailants")
    assert src.code == "INS"
    assert "embassy" in tgt.text and tgt.country == ""
