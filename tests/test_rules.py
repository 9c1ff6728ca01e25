"""Every rule and every blocker, on the real parse (the rules read dependencies and lemmas)."""

from __future__ import annotations

import pytest

from coder.rules import RULES, RULES_BY_NAME, apply_rules

pytestmark = pytest.mark.spacy_model

#: (sentence, rule that must decide it, event it gives)
POSITIVE = [
    ("General Kurilla called on Pakistan's army chief General Asim Munir at the General Headquarters.",
     "meet_call_on", "meet"),
    ("Defence Secretary Lloyd Austin spoke by phone with General Bajwa on Monday.", "consult_phone", "consult"),
    ("The Kenyan president telephoned his Ugandan counterpart on Sunday.", "consult_phone", "consult"),
    ("Iran summoned the British ambassador over the remarks.", "accuse_summon_envoy", "accuse"),
    ("Ethiopia's prime minister received the Somali delegation in Addis Ababa.", "meet_receive", "meet"),
    ("Modi hosted Biden in New Delhi.", "meet_verb", "meet"),
    ("The French foreign minister visited Beirut on Thursday.", "meet_verb", "meet"),
    ("The Chilean president shook hands with his Argentine counterpart at the border post.", "meet_shake_hands", "meet"),
    ("The two presidents held a meeting in Geneva.", "meet_meeting_noun", "meet"),
    ("The meeting comes as Pakistan faces a surge in militant attacks.", "meet_meeting_noun", "meet"),
    ("Egypt and Qatar mediated between Hamas and Israel.", "consult_verb", "consult"),
    ("Russian and Ukrainian delegations held talks in Istanbul.", "consult_talks_noun", "consult"),
    ("China accused the United States of interference in its internal affairs.", "accuse_main_verb", "accuse"),
    ("The African Union condemned the coup in Niger.", "accuse_verb", "accuse"),
    ("The opposition held the interior minister responsible for the deaths.", "accuse_hold_responsible", "accuse"),
    ("The president called the opposition leader a foreign agent.", "accuse_name_calling", "accuse"),
    ("Officials said Pakistan accused India of shelling border villages.", "accuse_main_verb", "accuse"),
    ("Prosecutors charged two officers with murder.", "accuse_formal_charge", "accuse"),
    ("The opposition has laid criminal charges against the former minister.", "accuse_formal_charge", "accuse"),
    ("Israeli jets struck Hamas positions in Gaza overnight.", "attack_verb", "attack"),
    ("Indian troops shelled Pakistani posts along the Line of Control.", "attack_verb", "attack"),
    ("Militants carried out an attack on a police station in Bannu.", "attack_noun", "attack"),
    ("Police said militants ambushed a convoy in Khyber.", "attack_verb", "attack"),
    ("Rebels blew up two electricity pylons outside Bamenda overnight.", "attack_verb", "attack"),
    ("Brazil's president called his Argentine counterpart a liar and a coward.", "accuse_pejorative_label", "accuse"),
    ("Japan protested to Beijing over the Chinese coast guard's incursion.", "accuse_complaint_to", "accuse"),
    ("The two leaders called the attacks barbaric.", "accuse_pejorative_label", "accuse"),
    ("The Nigerian foreign minister met his Ghanaian counterpart in Accra.", "meet_verb", "meet"),
    ("During his visit to Lima, the two ministers discussed fishing rights.", "meet_discussed_during_visit", "meet"),
    ("Security forces tortured detainees at the camp, the report said.", "attack_verb", "attack"),
]

#: (sentence, blocker that must cancel the event)
BLOCKED = [
    ("Pakistan did not attack Indian positions.", "negated"),
    ("The two sides never held talks in Doha.", "negated"),
    ("India will meet Pakistan next week.", "modal"),
    ("The president plans to visit Kenya in May.", "intent"),
    ("The two leaders are expected to meet on the sidelines of the summit.", "intent"),
    ("The meeting will take place in Doha next week.", "modal"),
    ("The militants threatened to strike government buildings.", "threat"),
    ("The opposition called for talks with the government.", "demand"),
    ("The UN urged both sides to negotiate.", "demand"),
    ("The TTP denied carrying out the attack.", "denial"),
    ("The Taliban denied involvement in the bombing of the mosque.", "denial"),
    ("If the rebels attack, the army will respond.", "conditional"),
    ("Did Russia shell the plant?", "question"),
]

OTHER_SENSES = [
    "Residents complained about the noise from the new airport.",
    "Analysts called the summit a success.",
    "The ministry described the situation as dangerous.",
    "The row blew up after the minister's remarks on Tuesday.",
    "Leaders of the West African bloc called on Wednesday for an immediate ceasefire in Liberia.",
    "The striker scored twice as Arsenal attacked relentlessly.",
    "The UN called on Pakistan to release the detainees.",
    "Unemployment in Spain fell to its lowest level since 2008.",
    # a meeting verb whose object is not a party: a decision, a criterion, a monument
    "The Kremlin welcomed the decision to withdraw troops from the border.",
    "The new design meets the criteria set by the ministry.",
    "The mayor visited a makeshift memorial outside the station.",
    # a verdict is not an accusation; holding a thing is not holding someone responsible
    "A court found the former mayor guilty of fraud.",
    "The striker held the trophy high.",
    # a name that is a name, not a judgement; "what it calls" quotes a term
    "The villagers called the boy Ahmed.",
    # "visiting" describes a visitor; the meeting word is elsewhere
    "The visiting delegation toured the new port on Tuesday.",
    # a charge that is not a criminal charge
    "The agency charged a fee for the visas.",
    "He charged his phone with a new cable.",
    "The policy ends what it calls indiscriminate assistance.",
]


@pytest.mark.parametrize("sentence,rule,event", POSITIVE)
def test_pattern_rule_decides(nlp, sentence: str, rule: str, event: str) -> None:
    match = apply_rules(nlp(sentence))
    assert match is not None, sentence
    assert (match.rule, match.event) == (rule, event)
    assert match.trigger is not None
    assert match.override == RULES_BY_NAME[rule].override


@pytest.mark.parametrize("sentence,why", BLOCKED)
def test_blocker_cancels_event(nlp, sentence: str, why: str) -> None:
    match = apply_rules(nlp(sentence))
    assert match is not None, sentence
    assert match.event == "none"
    assert match.rule == why


@pytest.mark.parametrize("sentence", OTHER_SENSES)
def test_no_event_from_other_senses(nlp, sentence: str) -> None:
    match = apply_rules(nlp(sentence))
    assert match is None or match.event == "none"


def test_every_rule_has_a_positive_example() -> None:
    tested = {rule for _, rule, _ in POSITIVE}
    assert tested == {r.name for r in RULES}


def test_main_clause_wins(nlp) -> None:
    match = apply_rules(nlp("After talks in Geneva collapsed, the army shelled the town."))
    assert match is not None and match.event == "attack"


def test_blocked_first_event_does_not_hide_a_real_one(nlp) -> None:
    match = apply_rules(nlp("Pakistan did not attack India but accused Kabul of harbouring militants."))
    assert match is not None and match.event == "accuse"


def test_the_shallowest_event_word_comes_first(nlp) -> None:
    from coder.rules import candidate_triggers

    found = candidate_triggers(nlp("The minister who visited Kabul last week condemned the bombing in Quetta."))
    assert found and found[0][0].lemma_ == "condemn"


@pytest.mark.parametrize("sentence", [
    "Residents returned to the town after rebels attacked the garrison.",
    "The bankers with whom the tycoon had negotiated a sale backed out.",
    "The envoy, who met the president last year, said a deal was close.",
    "Bread prices have doubled since militants attacked the market.",
])
def test_background_events_decide_none_only_when_the_classifier_is_unsure(nlp, sentence: str) -> None:
    match = apply_rules(nlp(sentence))
    assert match is not None and match.event == "none" and match.rule == "background"
    assert match.override is False


def test_reported_events_are_not_background(nlp) -> None:
    match = apply_rules(nlp("Police said gunmen attacked a bus near Quetta."))
    assert match is not None and match.event == "attack"


def test_trigger_for_falls_back_to_the_class_lexicon(nlp) -> None:
    from coder.rules import trigger_for

    doc = nlp("Death toll from the suicide attack on a Quetta shrine climbs to 75")
    assert trigger_for(doc, "attack").lower_ == "attack"


def test_a_call_framing_what_was_said_is_not_a_demand(nlp) -> None:
    from coder.rules import blocker, trigger_for

    framed = nlp("In a phone call on Saturday, the minister told his Turkish counterpart to stop the shelling.")
    trigger = trigger_for(framed, "consult")
    assert trigger is not None and trigger.lower_ == "call" and blocker(trigger) is None
    # the call itself still takes the modality of its own clause
    planned = nlp("In a phone call next week, the minister will tell his Turkish counterpart to stop the shelling.")
    trigger = trigger_for(planned, "consult")
    assert trigger is not None and blocker(trigger) == "modal"
