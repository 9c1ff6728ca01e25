"""Places: the gazetteer of towns, provinces and regions, and the location phrases of a sentence."""

from __future__ import annotations

import pytest
import spacy

from coder.places import event_location, fold, place_country


@pytest.mark.parametrize("name,code", [
    ("Peshawar", "PAK"), ("Maiduguri", "NGA"), ("downtown Dallas", "USA"), ("Helmand province", "AFG"),
    ("North Waziristan", "PAK"), ("Kurram Agency", "PAK"), ("the Gaza Strip", "PSE"), ("Kandahār", "AFG"),
    # a country's own name wins over a town or a US state of the same name
    ("Georgia", "GEO"), ("Jordan", "JOR"),
    # a unit word that is part of the name; a region a package lists as its own historic state
    ("Cape Town", "ZAF"), ("Zanzibar", "TZA"),
    # a city's other spellings and older names
    ("Kiev", "UKR"), ("Bombay", "IND"), ("Dnipropetrovsk", "UKR"),
])
def test_place_country(name: str, code: str) -> None:
    assert place_country(name) == code


@pytest.mark.parametrize("name", ["Police", "Summit", "northwest", "the East Room", "", "Zorbistan"])
def test_words_and_unknown_names_are_not_places(name: str) -> None:
    assert place_country(name) == ""


def test_fold_drops_accents_and_case() -> None:
    assert fold("Kandahār") == fold("KANDAHAR") == "kandahar"


def _doc(words: list[str], heads: list[int], deps: list[str], ents: list[str] | None = None,
         pos: list[str] | None = None):
    nlp = spacy.blank("en")
    return spacy.tokens.Doc(nlp.vocab, words=words, heads=heads, deps=deps, ents=ents, pos=pos)


def test_event_location_prefers_a_locative_phrase() -> None:
    # "Gunmen attacked a bus in Quetta": Quetta is a place in an "in" phrase
    doc = _doc(["Gunmen", "attacked", "a", "bus", "in", "Quetta"], [1, 1, 3, 1, 1, 4],
               ["nsubj", "ROOT", "det", "dobj", "prep", "pobj"], ["O", "O", "O", "O", "O", "B-GPE"])
    assert event_location(doc, doc[1], []) == "PAK"


def test_a_place_outside_a_locative_phrase_is_not_the_location() -> None:
    # "Quetta police attacked a bus": Quetta modifies the actor, it is not where the event happened
    doc = _doc(["Quetta", "police", "attacked", "a", "bus"], [1, 2, 2, 4, 2],
               ["compound", "nsubj", "ROOT", "det", "dobj"], ["B-GPE", "O", "O", "O", "O"])
    assert event_location(doc, doc[2], []) == ""


def test_dateline_is_a_location() -> None:
    doc = _doc(["PESHAWAR", ":", "Gunmen", "attacked", "a", "bus"], [3, 3, 3, 3, 5, 3],
               ["npadvmod", "punct", "nsubj", "ROOT", "det", "dobj"], ["B-GPE", "O", "O", "O", "O", "O"])
    assert event_location(doc, doc[3], []) == "PAK"


def test_a_place_a_part_of_which_is_named_is_the_location() -> None:
    # "Gunmen attacked a bus on the outskirts of Quetta": the place of which a part is named
    doc = _doc(["Gunmen", "attacked", "a", "bus", "on", "the", "outskirts", "of", "Quetta"],
               [1, 1, 3, 1, 1, 6, 4, 6, 7],
               ["nsubj", "ROOT", "det", "dobj", "prep", "det", "pobj", "prep", "pobj"],
               ["O", "O", "O", "O", "O", "O", "O", "O", "B-GPE"])
    assert event_location(doc, doc[1], []) == "PAK"
    # ... but not the country in "the embassy of Pakistan"
    doc = _doc(["Gunmen", "attacked", "the", "embassy", "of", "Pakistan"], [1, 1, 3, 1, 3, 4],
               ["nsubj", "ROOT", "det", "dobj", "prep", "pobj"], ["O", "O", "O", "O", "O", "B-GPE"])
    assert event_location(doc, doc[1], []) == ""


def test_a_name_before_a_common_noun_in_a_locative_phrase() -> None:
    # "killed 41 people in Djugu territory": a small town's name before a unit noun
    doc = _doc(["Militiamen", "killed", "people", "in", "Djugu", "territory"], [1, 1, 1, 1, 5, 3],
               ["nsubj", "ROOT", "dobj", "prep", "compound", "pobj"],
               pos=["NOUN", "VERB", "NOUN", "ADP", "PROPN", "NOUN"])
    assert event_location(doc, doc[1], []) == "COD"
    # "at Quetta police checkpoint": a large city's name before any noun
    doc = _doc(["A", "bomber", "killed", "11", "at", "Quetta", "police", "checkpoint"], [1, 2, 2, 2, 2, 7, 7, 4],
               ["det", "nsubj", "ROOT", "dobj", "prep", "compound", "compound", "pobj"],
               pos=["DET", "NOUN", "VERB", "NUM", "ADP", "PROPN", "NOUN", "NOUN"])
    assert event_location(doc, doc[2], []) == "PAK"
    # "at the Djugu airstrip": a small town's name before a noun that is no unit is not taken for the place
    doc = _doc(["Rebels", "torched", "a", "plane", "at", "the", "Djugu", "airstrip"], [1, 1, 3, 1, 1, 7, 7, 4],
               ["nsubj", "ROOT", "det", "dobj", "prep", "det", "compound", "pobj"],
               pos=["NOUN", "VERB", "DET", "NOUN", "ADP", "DET", "PROPN", "NOUN"])
    assert event_location(doc, doc[1], []) == ""


def test_an_on_phrase_is_a_place_only_for_streets_roads_and_shores() -> None:
    # "A bomb exploded on Kabul's Darulaman Road": a road is a place; "on Sunday" never is
    doc = _doc(["A", "bomb", "exploded", "on", "Kabul", "'s", "Darulaman", "Road"], [1, 2, 2, 2, 7, 4, 7, 3],
               ["det", "nsubj", "ROOT", "prep", "poss", "case", "compound", "pobj"],
               pos=["DET", "NOUN", "VERB", "ADP", "PROPN", "PART", "PROPN", "PROPN"])
    doc.ents = [spacy.tokens.Span(doc, 4, 5, label="GPE")]
    assert event_location(doc, doc[2], []) == "AFG"
    doc = _doc(["Talks", "on", "Kabul", "resumed"], [3, 0, 1, 3], ["nsubj", "prep", "pobj", "ROOT"],
               pos=["NOUN", "ADP", "PROPN", "VERB"])
    doc.ents = [spacy.tokens.Span(doc, 2, 3, label="GPE")]
    assert event_location(doc, doc[3], []) == ""


def test_without_an_ner_proper_noun_runs_are_place_candidates() -> None:
    # "... attacked a post in the Datta Khel area of North Waziristan": no NER entities, the name run is looked up
    words = ["Militants", "attacked", "a", "post", "in", "the", "area", "of", "North", "Waziristan"]
    doc = _doc(words, [1, 1, 3, 1, 3, 6, 4, 6, 9, 7],
               ["nsubj", "ROOT", "det", "dobj", "prep", "det", "pobj", "prep", "compound", "pobj"],
               pos=["NOUN", "VERB", "DET", "NOUN", "ADP", "DET", "NOUN", "ADP", "PROPN", "PROPN"])
    assert not doc.has_annotation("ENT_IOB")
    assert event_location(doc, doc[1], []) == "PAK"
    # where the pipeline has an NER, only its place entities count (here it found none)
    doc = _doc(words, [1, 1, 3, 1, 3, 6, 4, 6, 9, 7],
               ["nsubj", "ROOT", "det", "dobj", "prep", "det", "pobj", "prep", "compound", "pobj"],
               ents=["O"] * 10, pos=["NOUN", "VERB", "DET", "NOUN", "ADP", "DET", "NOUN", "ADP", "PROPN", "PROPN"])
    assert event_location(doc, doc[1], []) == ""
