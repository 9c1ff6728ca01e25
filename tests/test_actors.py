"""Actor lexicon, the coder_actors component, and source/target resolution on the parse."""

from __future__ import annotations

import pytest

from coder import actors
from coder.actors import ActorRuler, arguments_as_actors, country_lexicon, country_of
from coder.rules import matching_rule


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


def test_lexicon_codes_are_current_iso3() -> None:
    # country_converter also lists historic and regional entities ("Zanzibar" -> EAZ); only ISO 3166 codes stay
    assert {e.code for e in country_lexicon()} <= actors.iso3_codes()


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


def test_ruler_titled_surnames_to_disk_from_disk(blank_nlp, tmp_path) -> None:
    ruler = ActorRuler(blank_nlp, use_default_patterns=False)
    ruler.titled = {"Grumble": {"minister": "XYZGOV", "general": "XYZMIL"}}
    ruler.to_disk(tmp_path / "ruler")
    other = ActorRuler(blank_nlp, use_default_patterns=False).from_disk(tmp_path / "ruler")
    doc = other(blank_nlp("Minister Grumble met General Grumble, and Grumble left. General Grumble Smith stayed."))
    assert [(s.text, s.label_) for s in doc.spans[actors.SPANS_KEY]] == [("Minister Grumble", "XYZGOV"),
                                                                          ("General Grumble", "XYZMIL")]


def test_country_of() -> None:
    assert country_of("PAKMIL") == "PAK"
    assert country_of("IGOUNO") == ""
    assert country_of("INS") == ""
    assert country_of("") == ""


def _args(nlp, sentence: str, word: str):
    doc = nlp(sentence)
    trigger = next(t for t in doc if t.text == word)
    rule = matching_rule(trigger)
    return arguments_as_actors(trigger, rule.event if rule is not None else "")


@pytest.mark.spacy_model
@pytest.mark.parametrize("sentence,word,source,target", [
    ("General Michael Erik Kurilla, commander of the United States Central Command (CENTCOM), called on "
     "Pakistan's Army Chief General Asim Munir, the Pakistani military said on Monday.", "called", "USAMIL", "PAKMIL"),
    ("Pakistan accused India of violating the ceasefire.", "accused", "PAK", "IND"),
    ("Islamabad accused Kabul of harbouring militants.", "accused", "PAKGOV", "AFGGOV"),
    ("Indian troops shelled Pakistani positions along the Line of Control.", "shelled", "INDMIL", "PAK"),
    ("A police convoy was ambushed by TTP militants near Bannu.", "ambushed", "PAKINS", "PAKCOP"),
    ("Kenyan President William Ruto and Ethiopian Prime Minister Abiy Ahmed met in Addis Ababa.", "met",
     "KENGOV", "ETHGOV"),
    ("The Russian foreign minister held talks with his Chinese counterpart in Beijing.", "talks", "RUSGOV", "CHNGOV"),
    # light verbs: the object names the event, the partner is elsewhere
    ("Kenya's president and Ethiopia's prime minister shake hands in Nairobi.", "shake", "KENGOV", "ETHGOV"),
    ("A telephone conversation between Ghana's foreign minister and his Nigerian counterpart yielded no deal.",
     "conversation", "GHAGOV", "NGAGOV"),
    # a topic verb's object is the topic, not the target
    ("Chile's defence minister and the Peruvian army chief discussed the situation in Bolivia.", "discussed",
     "CHLGOV", "PERMIL"),
    # an actor named as a modifier of the event noun
    ("Nigerian airstrikes kill 30 militants in Borno.", "airstrikes", "NGA", "NGAINS"),
    # generic actors take the country of the location, or of the state forces fighting them
    ("Gunmen killed four policemen in Quetta on Friday.", "killed", "PAKINS", "PAKCOP"),
    ("Pakistani security forces kill five militants in two operations.", "kill", "PAKMIL", "PAKINS"),
    ("Security forces in Guinea have tortured scores of refugees.", "tortured", "GINMIL", "GINCVL"),
    # the destination of an arrival is the host
    ("Iraq's president arrived in Amman on an unannounced visit.", "arrived", "IRQGOV", "JORGOV"),
    # irregular demonyms from the team's alias file
    ("The Lebanese army shelled militant positions in the hills.", "shelled", "LBNMIL", "LBNINS"),
    # a pronoun takes the closest person or office-holder before it, never a place
    ("Kenya's foreign minister arrived in Kampala, where he met Uganda's president.", "met", "KENGOV", "UGAGOV"),
    # a place modifying a role names its country; a phone is not a target
    ("The Sudanese government accused Darfur rebels of violating the ceasefire.", "accused", "SDNGOV", "SDNREB"),
    ("President Ruto spoke on the phone with Tanzania's president.", "spoke", "KENGOV", "TZAGOV"),
    # people in the team's dictionary
    ("Angela Merkel met Shinzo Abe in Berlin.", "met", "DEUGOV", "JPNGOV"),
    # the partner of a light noun in a phrase on the verb; a topic verb's object is never the partner
    ("In a phone call with Kenya's foreign minister, the Somali president discussed the drought.", "discussed",
     "SOMGOV", "KENGOV"),
    ("Ghana's army chief discusses security with Togolese commanders", "discusses", "GHAMIL", "TGOMIL"),
    # a role with no country of its own facing a named country's actor is domestic to it
    ("The Tanzanian president met opposition leaders at State House.", "met", "TZAGOV", "TZAOPP"),
    # "at" names the target after verbs of shooting; a "that" clause's subject after "charged"
    ("Gunmen shot at Malian soldiers near Gao.", "shot", "MLIINS", "MLIMIL"),
    ("Chinese state media charged that the Philippine navy had rammed a supply boat.", "charged", "CHNMED",
     "PHLMIL"),
    # two parties of different countries as one subject: a headline apposition, coordinated modifiers
    ("Indian army chief, Nepali defence minister discuss border security", "discuss", "INDMIL", "NPLGOV"),
    ("The Ethiopian and Kenyan governments negotiated over grazing rights.", "negotiated", "ETHGOV", "KENGOV"),
    ("Senior diplomats from Greece and Albania resumed border talks.", "talks", "GRCGOV", "ALBGOV"),
    ("Nairobi and Kampala hold consultations on fuel smuggling", "consultations", "KENGOV", "UGAGOV"),
    # talk verbs: "on" names a topic or a day, not the other party
    ("Greek and Turkish navy chiefs spoke by phone on Wednesday.", "spoke", "GRCMIL", "TURMIL"),
    # the "by" phrase of an event noun is its source; "played host to" names the guest
    ("Air strikes by the Nigerian air force on a market killed dozens.", "strikes", "NGAMIL", "NGA"),
    ("Air strikes by the Nigerian air force killed dozens at a market.", "killed", "NGAMIL", "NGA"),
    ("Senegal's president played host to a Gambian delegation in Dakar.", "host", "SENGOV", "GMBGOV"),
    # the caller is the source of a call someone "took"; a mediator of talks between two parties is the source
    ("Chile's foreign minister took a call from his Bolivian counterpart.", "call", "BOLGOV", "CHLGOV"),
    ("Qatar brokered talks between Hamas and Israel in Doha.", "talks", "QAT", "PSEINS"),
    # a thing named as the object stands for its owner; a date or a topic is never a party
    ("Kenya's opposition criticised the government's plan to sell the port.", "criticised", "KENOPP", "KENGOV"),
    ("The EU brokered an agreement between Serbia and Kosovo on licence plates.", "brokered", "IGOEEC", "SRB"),
    ("The Peruvian president arrived in Quito on an unannounced visit on Friday.", "visit", "PERGOV", "ECUGOV"),
    # the place of talks is not a party's country: the domestic rebels stay the government's country's
    ("The Sudanese government held talks with rebel groups in Doha.", "talks", "SDNGOV", "SDNREB"),
    # a spokesman speaks for the body named after "for"
    ("The spokesman for Kenya's army accused the rebels of shelling.", "accused", "KENMIL", "KENREB"),
    # a place a role's people come from names their country
    ("Residents of Sabha blamed a rival militia for the shelling.", "blamed", "LBYCVL", "LBY"),
    # a place as the party attacked names its country
    ("Government jets bombed residential districts of Aleppo overnight.", "bombed", "SYRGOV", "SYR"),
    # the victims of a casualty clause; the owner of the strike a passive event happened in; state forces
    # attacked by a country's insurgents are that country's
    ("A rebel commander was killed in a Nigerian air strike on Tuesday.", "killed", "NGA", "NGAREB"),
    # a speaker's charge against the subject of what they report; an accuser inside the report keeps the charge
    ("Georgia's foreign ministry said Russian troops were to blame for the shooting.", "blame", "GEOGOV", "RUSMIL"),
    ("Officials said Pakistan accused India of shelling villages.", "accused", "PAK", "IND"),
    # "their meeting" names the clause's subject and its partner; "A and B's C" parsed as "[A and B]'s C"
    ("The Kenyan president attends a news conference with his Ugandan counterpart after their meeting in Nairobi.",
     "meeting", "KENGOV", "UGAGOV"),
    ("U.S. President Donald Trump and Jordan's King Abdullah II hold a joint news conference.", "hold", "USAGOV",
     "JORGOV"),
    ("Mali's government and Tuareg rebels of the CMA hold talks in Algiers", "talks", "MLIGOV", "MLIREB"),
    # a go-between's target is the first party "between"; the caller of a call received "from" someone
    ("The emir of Qatar has been acting as a mediator between Kigali and Kinshasa.", "acting", "QATGOV", "RWAGOV"),
    ("Kenya's president received a phone call on Monday from the Ethiopian prime minister.", "call", "ETHGOV",
     "KENGOV"),
    # a call that frames what one says to the other: the object of that verb
    ("In a phone conversation on Sunday, Poland's president assured Ukraine's president of support.",
     "conversation", "POLGOV", "UKRGOV"),
    # the one held responsible; the critic of "X drew a rebuke from Y"; "points the finger at Y"
    ("Chile's government said it holds Bolivia responsible for the attack.", "holds", "CHLGOV", "BOL"),
    ("Seoul drew a sharp rebuke from Tokyo after the vote.", "rebuke", "JPNGOV", "KORGOV"),
    ("Armenia points finger at Azerbaijan over shelling", "finger", "ARM", "AZE"),
    ("Lebanon complained to the United Nations over two Israeli air raids.", "complained", "LBN", "ISR"),
    # a named accuser's officials are its own, wherever the sentence says it spoke or where they sent people
    ("The Archbishop of Canterbury criticised the government's plan to send migrants to Rwanda.",
     "criticised", "GBR", "GBRGOV"),
    ("Lebanon's state prosecutor filed charges against the central bank governor over transfers to Switzerland.",
     "charges", "LBNJUD", "LBNGOV"),
    # a "by" phrase naming the means is no agent; a go-between deep in the clause
    ("Jamaica's Andrew Holness and Barbados's Mia Mottley conferred by videoconference on Sunday.", "conferred",
     "JAMGOV", "BRBGOV"),
    ("Ankara stepped in as mediator in the port dispute between Somalia and Ethiopia.", "stepped", "TURGOV",
     "SOM"),
    # two countries joined by a hyphen before the event noun
    ("Pakistan-Afghanistan talks on border trade resumed in Kabul.", "talks", "PAK", "AFG"),
    # "heaped the blame on Y"
    ("Ecuador's defence minister heaped blame on Albanian traffickers for the surge in cocaine.", "blame",
     "ECUGOV", "ALB"),
    # a visit with no host named is to the country of the place it happened in
    ("Venezuela's foreign minister held talks in Havana on Monday, his second visit in a month.", "visit",
     "VENGOV", "CUB"),
    # a headline's passive without its auxiliary: the subject is the victim ("shot dead a teenager" is active)
    ("Two policemen shot dead in Pakistan's restive northwest", "shot", "", "PAKCOP"),
    ("Gunmen shot dead two policemen in Quetta.", "shot", "PAKINS", "PAKCOP"),
    # an ethnic group is not a state; a country that made or backs a weapon or a militia is not its user
    ("Serb police killed three ethnic Albanians in southern Serbia.", "killed", "SRBCOP", "SRB"),
    ("A Turkish-made drone operated by the Ethiopian army struck a camp in Tigray.", "struck", "ETHMIL", "ETH"),
    # "the visiting Y": the parties of the verb the visitor takes part in
    ("Ruto dined with the visiting Chinese premier in Nairobi.", "visiting", "KENGOV", "CHNGOV"),
    # "joined Y for a meeting with partners": the one joined, not the partners
    ("The Indian foreign minister joined Egypt's president for a meeting with business leaders.", "meeting",
     "INDGOV", "EGYGOV"),
    # with no place named, an armed group's generic target is in the group's own country
    ("UNITA guerrillas bombed a railway bridge.", "bombed", "AGOREB", "AGO"),
    # power lines are a thing attacked, not the line of a phone call; a video link is a call
    ("Rebels blew up three power lines leading into Kabul.", "blew", "AFGREB", "AFG"),
    ("The Brazilian president held a video link with Argentina's president.", "held", "BRAGOV", "ARGGOV"),
    # an organisation that names a summit is the forum, not a party to the meeting
    ("Uganda's president and Kenya's president huddled on the sidelines of the African Union summit.", "summit",
     "UGAGOV", "KENGOV"),
])
def test_source_and_target(nlp, sentence: str, word: str, source: str, target: str) -> None:
    src, tgt = _args(nlp, sentence, word)
    assert (src.code, tgt.code) == (source, target)


@pytest.mark.spacy_model
def test_a_title_makes_a_surname_a_mention(nlp) -> None:
    from coder.actors import titled_surnames

    assert titled_surnames()["Austin"]["secretary"] == "USAGOV"  # built from the dictionary

    def spans(text: str) -> list[tuple[str, str]]:
        doc = nlp(text)
        return [(s.text, s.label_) for s in doc.spans[actors.SPANS_KEY]]

    assert ("Secretary Austin", "USAGOV") in spans("Secretary Austin met the envoy.")
    # a surname two people share names the one of the title's kind (Grenada's General Hudson Austin is the other)
    assert ("General Austin", "GRDMIL") in spans("General Austin met the envoy.")
    assert spans("Austin is the capital of Texas.") == []  # a bare surname that is a place is no one
    # a title before a given name is not a titled surname
    assert {label for _, label in spans("General David Petraeus met the envoy.")} == {"USAMIL"}


@pytest.mark.spacy_model
def test_came_under_fire_from(nlp) -> None:
    from coder.actors import arguments_as_actors

    doc = nlp("A Pakistani army convoy came under attack from militants near Miranshah.")
    for word in ("came", "attack"):
        src, tgt = arguments_as_actors(next(t for t in doc if t.text == word), "attack")
        assert (src.code, tgt.code) == ("PAKINS", "PAKMIL"), word


@pytest.mark.spacy_model
def test_casualties_are_the_target_of_an_attack_with_none_named(nlp) -> None:
    from coder.actors import arguments_as_actors

    doc = nlp("Peruvian rebels detonated two bombs in separate attacks, wounding nine soldiers.")
    src, tgt = arguments_as_actors(next(t for t in doc if t.text == "bombs"), "attack")
    assert (src.code, tgt.code) == ("PERREB", "PERMIL")


@pytest.mark.spacy_model
def test_a_reported_charge_is_the_speakers(nlp) -> None:
    from coder.actors import arguments_as_actors

    doc = nlp("Estonia's intelligence chief said Russian agents were recruiting students.")
    src, tgt = arguments_as_actors(next(t for t in doc if t.text == "recruiting"), "accuse")
    assert (src.code, tgt.code) == ("ESTSPY", "RUS")
    src, tgt = arguments_as_actors(next(t for t in doc if t.text == "recruiting"), "attack")
    assert src.country == "RUS"  # not an accusation: the reported clause's own subject acts


@pytest.mark.spacy_model
def test_anti_or_pro_country_is_not_the_actors(nlp) -> None:
    _, tgt = _args(nlp, "Gunmen killed an anti-Russia blogger in Kyiv.", "killed")
    assert tgt.country == "UKR"


@pytest.mark.spacy_model
def test_an_envoys_counterpart_is_not_made_domestic(nlp) -> None:
    src, tgt = _args(nlp, "The Canadian ambassador paid a courtesy visit to the speaker of parliament.", "visit")
    assert src.country == "CAN" and tgt.country == ""


@pytest.mark.spacy_model
def test_unknown_actor_keeps_text(nlp) -> None:
    src, tgt = _args(nlp, "Unidentified assailants attacked the Zorbistan embassy.", "attacked")
    assert src.text.lower().startswith("unidentified assailants")
    assert src.code == "INS"
    assert "embassy" in tgt.text and tgt.country == ""


@pytest.mark.spacy_model
def test_location_never_overrides_a_named_country_or_an_igo(nlp) -> None:
    # the source is Ugandan although the attack happened in Somalia; AMISOM is an IGO without a country
    src, tgt = _args(nlp, "Ugandan troops attacked al-Shabaab positions in Somalia.", "attacked")
    assert src.country == "UGA"
    src, _ = _args(nlp, "NATO jets struck targets near Tripoli.", "struck")
    assert src.code == "IGONAT" and src.country == ""


@pytest.mark.spacy_model
def test_meeting_location_is_not_the_visitor_country(nlp) -> None:
    src, tgt = _args(nlp, "The visiting delegation met officials in Hanoi.", "met")
    assert src.country == ""
    assert tgt.country == "VNM"


def test_article_context_resolves_a_definite_role_to_the_last_actor_of_that_role() -> None:
    from coder.actors import Actor, ArticleContext

    ctx = ArticleContext("doc1", place="PAK")
    ctx.remember(Actor("Pakistan's foreign minister", "PAKGOV", "PAK"), Actor("the Afghan army", "AFGMIL", "AFG"))
    assert ctx.resolve(Actor("the minister", "GOV", "")) == Actor("the minister", "PAKGOV", "PAK")
    assert ctx.resolve(Actor("the army chief", "MIL", "")).code == "AFGMIL"
    # a name seen before keeps its code, whatever its title
    ctx.remember(Actor("the commander of US Central Command, General Michael Rourke", "USAMIL", "USA"))
    assert ctx.resolve(Actor("General Rourke", "MIL", "")).code == "USAMIL"
    assert ctx.resolve(Actor("two commanders", "MIL", "")).code == "USAMIL"
    # an indefinite or already coded actor is left alone; so is a role the article has not seen
    assert ctx.resolve(Actor("a minister", "GOV", "")).code == "GOV"
    assert ctx.resolve(Actor("India's minister", "INDGOV", "IND")).code == "INDGOV"
    assert ctx.resolve(Actor("the police", "COP", "")).code == "COP"


@pytest.mark.spacy_model
def test_article_context_carries_across_sentences(coder) -> None:
    from coder.corpus import Document, sentences_of

    doc = Document(id="a1", text="", paragraphs=[
        "Pakistan's foreign minister met his Afghan counterpart in Kabul on Monday.",
        "The minister accused the Taliban of sheltering militants.",
    ])
    rows = list(coder.code(sentences_of(doc)))
    accuse = [r for r in rows if r["event"] == "accuse"]
    assert accuse and accuse[0]["source_code"] == "PAKGOV"


@pytest.mark.spacy_model
def test_dateline_country_places_generic_actors(coder) -> None:
    from coder.corpus import Document, sentences_of

    doc = Document(id="a2", text="", place="NGA", paragraphs=["Gunmen killed four policemen at a checkpoint."])
    rows = list(coder.code(sentences_of(doc)))
    assert rows and rows[0]["event"] == "attack"
    assert (rows[0]["source_code"], rows[0]["target_code"]) == ("NGAINS", "NGACOP")


@pytest.mark.spacy_model
def test_a_sentence_s_own_dateline_places_generic_actors(coder) -> None:
    from coder.corpus import Sentence

    rows = list(coder.code([Sentence(id="s1", doc_id="d1", text="KANO, May 3 (AFP) Gunmen killed four policemen.")]))
    assert rows and rows[0]["event"] == "attack"
    assert (rows[0]["source_code"], rows[0]["target_code"]) == ("NGAINS", "NGACOP")


@pytest.mark.spacy_model
@pytest.mark.parametrize("sentence,rows", [
    ("Kenya and Uganda accused Rwanda of backing the rebels.", [("KEN", "RWA"), ("UGA", "RWA")]),
    ("Pakistan, India and China condemned Israel's strikes.", [("PAK", "ISR"), ("IND", "ISR"), ("CHN", "ISR")]),
    # the conjunct is the other party of a meeting, not a second source
    ("Kenya's president and Ethiopia's prime minister met in Nairobi.", [("KENGOV", "ETHGOV")]),
])
def test_coordinated_sources_give_one_row_each(coder, sentence: str, rows) -> None:
    from coder.corpus import Sentence

    out = list(coder.code([Sentence(id="s1", doc_id="d1", text=sentence)]))
    assert [(r["source_code"], r["target_code"]) for r in out] == rows
    assert [r["event_id"] for r in out] == [f"s1:e{n}" for n in range(1, len(rows) + 1)]
    assert len({r["event"] for r in out}) == 1


@pytest.mark.spacy_model
def test_a_caption_s_two_people_are_the_parties_of_a_meeting_with_no_event_word(nlp) -> None:
    from coder.actors import coordinated_pair
    from coder.corpus import parse_text

    doc = nlp(parse_text("In this handout picture, the army's media wing shows Kenya's army chief (left) and "
                         "Uganda's defence minister (right) in Nairobi on July 4."))
    pair = coordinated_pair(doc)
    assert pair is not None and (pair[0].country, pair[1].country) == ("KEN", "UGA")
    assert coordinated_pair(nlp("Prices of bread and milk rose in March.")) is None


@pytest.mark.spacy_model
def test_the_one_a_finding_or_statement_accuses_is_the_target(nlp) -> None:
    from coder.actors import event_actors

    doc = nlp("A UN fact-finding mission found that Venezuelan security forces had carried out killings.")
    src, tgt, _ = event_actors(next(t for t in doc if t.text == "found"), "accuse")
    assert (src.code, tgt.code) == ("IGOUNO", "VENMIL")


@pytest.mark.spacy_model
def test_smoke_is_no_actor(nlp) -> None:
    from coder.actors import event_arguments

    doc = nlp("Smoke rises in the distance alongside the sound of heavy bombardment in east Aleppo.")
    source, _ = event_arguments(next(t for t in doc if t.text == "bombardment"))
    assert source is None
