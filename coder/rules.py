"""Hand-written rules on the spaCy parse: named event patterns and the checks that cancel them.

A *pattern rule* recognises an event word ("called on", "telephoned", "accused", "shelled") and the class it
signals. A *blocker* turns an event word into ``none`` where the sentence does not assert that the event
happened: negation ("did not attack"), modality and intent ("will meet", "plans to"), threats ("threatened to
strike"), demands ("called for talks"), denials ("denied carrying out"), conditionals and questions.

:func:`apply_rules` returns the rule that decides the sentence, or ``None``. The coder lets a rule decide where
the classifier's top probability is under the configured threshold, and always where the rule is marked
``override``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from .cameo import NONE


@dataclass(frozen=True)
class Rule:
    """A named pattern rule: `match(token)` says whether the token is this rule's event word."""

    name: str
    event: str
    override: bool
    match: Callable[[Token], bool]
    description: str = ""


@dataclass(frozen=True)
class RuleMatch:
    """The rule that decided a sentence, the event it gives (``none`` for a blocker) and its event word."""

    rule: str
    event: str
    override: bool
    trigger: Token | None


def _lemma(tok: Token) -> str:
    return (tok.lemma_ or tok.text).lower()


def _is_verb(tok: Token) -> bool:
    return tok.pos_ in {"VERB", "AUX"} or tok.tag_.startswith("VB")


def _is_noun(tok: Token) -> bool:
    return tok.pos_ in {"NOUN", "PROPN"}


def _has_child(tok: Token, deps: set[str], lemmas: set[str] | None = None) -> bool:
    return any(c.dep_ in deps and (lemmas is None or _lemma(c) in lemmas or c.lower_ in lemmas) for c in tok.children)


def _prep_objects(tok: Token, prep: str) -> list[Token]:
    return [g for c in tok.children if c.dep_ == "prep" and c.lower_ == prep for g in c.children if g.dep_ == "pobj"]


# --------------------------------------------------------------------------------------------------- patterns

MEET_VERBS = {"meet", "visit", "host", "welcome", "tour"}
RECEIVE_VERBS = {"receive"}
CONSULT_VERBS = {"consult", "negotiate", "talk", "discuss", "confer", "mediate"}
PHONE_VERBS = {"phone", "telephone", "ring", "dial"}
ACCUSE_VERBS = {"accuse", "blame", "condemn", "denounce", "criticise", "criticize", "slam", "lambast", "rebuke",
                "censure", "decry", "deplore", "castigate", "chastise", "fault", "indict", "scold", "ridicule",
                "berate", "chide", "deride", "vilify", "excoriate"}
ATTACK_VERBS = {"attack", "bomb", "shell", "ambush", "strike", "raid", "storm", "abduct", "kidnap", "assassinate",
                "massacre", "bombard", "pound", "overrun", "shoot", "kill", "clash", "fight", "behead", "torch",
                "airstrike", "target", "hit", "torture", "invade"}
ATTACK_NOUNS = {"attack", "attacks", "bombing", "airstrike", "strike", "ambush", "raid", "shelling", "assault",
                "offensive", "bombardment", "blast", "massacre", "clash", "clashes", "killing", "abduction",
                "kidnapping", "assassination", "invasion", "incursion"}
ATTACK_NOUN_GOVERNORS = {"carry", "launch", "conduct", "stage", "mount", "claim", "unleash", "perpetrate",
                         "execute", "wage"}
MEETING_NOUNS = {"meeting", "visit", "summit", "talks"}
MEETING_GOVERNORS = {"hold", "pay", "have", "host", "attend", "make"}
CONSULT_NOUNS = {"talk", "talks", "negotiation", "negotiations", "consultation", "consultations", "dialogue",
                 "conversation", "call", "discussion", "discussions"}
CONSULT_GOVERNORS = {"hold", "have", "conduct", "open", "resume", "begin", "start", "launch", "host", "mediate",
                     "broker", "join", "engage", "wrap"}
PHONE_WORDS = {"phone", "telephone", "telephonic", "video", "virtual"}
ENVOY_WORDS = {"ambassador", "envoy", "diplomat", "charge", "chargé", "attaché", "consul", "representative",
               "commissioner"}
OTHER_SENSE = {"heart", "hunger", "labour", "labor", "general", "worker", "workers", "panic", "asthma",
               "transport", "teachers", "doctors", "cyber", "price", "counter", "lucky"}


WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


def _call_on(tok: Token) -> bool:
    """ "X called on Y" (a courtesy call), not "called on Y to act" (a demand)."""
    if _lemma(tok) != "call" or not _is_verb(tok):
        return False
    if _has_child(tok, {"xcomp", "ccomp", "advcl"}):
        return False
    objs = _prep_objects(tok, "on")
    if not objs:
        return False
    obj = objs[0]
    if obj.ent_type_ in {"DATE", "TIME"} or obj.lower_ in WEEKDAYS:
        return False  # "ECOWAS leaders called on Wednesday for a ceasefire": a date, not a host
    # "called on Pakistan to ..." may attach the infinitive to the object.
    return not any(c.dep_ in {"acl", "relcl"} and c.tag_ == "VB" for c in obj.children)


#: Nouns that can be the other party of a meeting without being a name ("met his counterpart").
_PARTY_NOUNS = {"counterpart", "counterparts", "delegation", "delegations", "leader", "leaders", "team", "head",
                "chief", "representative", "representatives", "people", "family", "families", "victim", "victims",
                "community", "communities", "elder", "elders", "group", "side", "sides", "nation", "country",
                "officer", "officers", "official", "officials", "member", "members", "suspect", "suspects",
                "man", "men", "woman", "women", "executive", "executives", "company", "firm", "governor", "mayor"}


def _party(tok: Token) -> bool:
    """Whether `tok` can name the other party of a meeting: a person, group, organisation or place."""
    from .actors import ROLE_WORDS

    return (tok.ent_type_ in {"PERSON", "NORP", "GPE", "ORG", "LOC", "FAC"} or tok.pos_ in {"PROPN", "PRON"}
            or _lemma(tok) in ROLE_WORDS or tok.lower_ in ROLE_WORDS or _lemma(tok) in _PARTY_NOUNS
            or tok.lower_ in _PARTY_NOUNS)


def _meet_verb(tok: Token) -> bool:
    """ "met the envoy", "visited Kabul", "welcomed the delegation"; not "met the criteria", "welcomed the
    decision", "visited a memorial"."""
    if not (_is_verb(tok) and _lemma(tok) in MEET_VERBS) or tok.dep_ == "amod":
        return False  # "the visiting prime minister": the meeting is elsewhere in the sentence
    objs = [c for c in tok.children if c.dep_ in {"dobj", "nsubjpass"}] + _prep_objects(tok, "with")
    return not objs or any(_party(o) for o in objs)


def _receive(tok: Token) -> bool:
    if not (_is_verb(tok) and _lemma(tok) in RECEIVE_VERBS):
        return False
    obj = next((c for c in tok.children if c.dep_ in {"dobj", "nsubjpass"}), None)
    return obj is not None and (obj.ent_type_ in {"PERSON", "NORP", "GPE", "ORG"} or obj.pos_ == "PROPN"
                                or _lemma(obj) in {"delegation", "minister", "envoy", "president", "counterpart"})


def _meeting_noun(tok: Token) -> bool:
    if not (_is_noun(tok) and _lemma(tok) in {"meeting", "visit", "summit"}):
        return False
    gov = tok.head
    # "held a meeting", "the meeting took place", and the meeting as the topic ("The meeting comes as ...").
    return (tok.dep_ in {"dobj"} and _lemma(gov) in MEETING_GOVERNORS) or (
        tok.dep_ == "nsubj" and _lemma(gov) in {"take", "happen", "occur", "come", "last", "end", "follow"})


def _shake_hands(tok: Token) -> bool:
    """ "X shakes hands with Y", "X and Y shook hands": two parties together (the captions' meeting)."""
    return _is_verb(tok) and _lemma(tok) == "shake" and _has_child(tok, {"dobj"}, {"hand"})


def _phone(tok: Token) -> bool:
    lemma = _lemma(tok)
    if _is_verb(tok) and lemma in PHONE_VERBS:
        return True
    if _is_verb(tok) and lemma in {"speak", "talk", "hold", "have", "discuss"}:
        return any(_lemma(g) in PHONE_WORDS for c in tok.children if c.dep_ == "prep" for g in c.children)
    if _is_noun(tok) and lemma in {"call", "conversation", "conference", "talk", "talks", "discussion"}:
        return _has_child(tok, {"compound", "amod"}, PHONE_WORDS)
    return False


def _consult_verb(tok: Token) -> bool:
    return _is_verb(tok) and _lemma(tok) in CONSULT_VERBS and not _discussed_during_visit(tok)


#: Nouns of an in-person encounter: talks held "during" one of these were a meeting.
VISIT_NOUNS = {"visit", "meeting", "trip", "tour", "summit", "stopover", "call", "interaction"}


def _discussed_during_visit(tok: Token) -> bool:
    """ "During his visit, the leaders discussed ...": the talking happened at a meeting (meet, not consult)."""
    if not (_is_verb(tok) and _lemma(tok) in CONSULT_VERBS):
        return False
    for noun in _prep_objects(tok, "during"):
        if _lemma(noun) in VISIT_NOUNS and not _has_child(noun, {"compound", "amod"}, PHONE_WORDS):
            return True
    return False


def _consult_noun(tok: Token) -> bool:
    if not (_is_noun(tok) and (_lemma(tok) in CONSULT_NOUNS or tok.lower_ in CONSULT_NOUNS)):
        return False
    if _lemma(tok) == "call":
        return False  # a bare "call" is a demand as often as a phone call; _phone handles phone calls
    if tok.dep_ == "dobj" and _lemma(tok.head) in CONSULT_GOVERNORS:
        return True
    if tok.dep_ in {"nsubj", "nsubjpass"} and _lemma(tok.head) in {"take", "end", "conclude", "focus", "center",
                                                                   "centre", "cover", "yield", "produce"}:
        return True
    return tok.dep_ == "ROOT"  # headlines: "Talks between Kabul and Islamabad in Doha"


def _accuse_verb(tok: Token) -> bool:
    return _is_verb(tok) and _lemma(tok) in ACCUSE_VERBS


def _accuses_party(tok: Token) -> bool:
    """The main verb (or the reported clause of a main "said") accuses a named party: "Pakistan accused India of
    ...", "officials said X condemned Y"."""
    main = tok.dep_ == "ROOT" or (tok.dep_ in {"conj", "ccomp"} and tok.head.dep_ == "ROOT"
                                  and (tok.dep_ == "conj" or _lemma(tok.head) in REPORTING_VERBS))
    if not (_accuse_verb(tok) and main):
        return False
    objs = [c for c in tok.children if c.dep_ == "dobj"]
    return bool(objs) and all(_party(o) for o in objs) and any(c.dep_ == "nsubj" for c in tok.children)


#: Judgements that an actor is to blame: "held Israel responsible", "found the army guilty".
_BLAME_ADJECTIVES = {"responsible", "accountable", "guilty", "liable", "culpable", "complicit"}


def _hold_responsible(tok: Token) -> bool:
    """ "X held Y responsible for ...", "investigators found Y guilty of ...": a finding of blame on a party."""
    if not (_is_verb(tok) and _lemma(tok) in {"hold", "find", "declare", "deem", "consider"}):
        return False
    if any(c.dep_ == "nsubj" and _lemma(c) in _COURTS for c in tok.children):
        return False  # a verdict is not an accusation (labels/GUIDELINES.md)
    objs = [c for c in tok.children if c.dep_ in {"dobj", "nsubjpass"}]
    judged = [c for c in tok.children if c.dep_ in {"oprd", "acomp", "ccomp", "xcomp", "advcl"}
              and _lemma(c) in _BLAME_ADJECTIVES]
    judged += [g for o in objs for g in o.children if g.dep_ in {"amod", "acl"} and _lemma(g) in _BLAME_ADJECTIVES]
    objs += [g for c in judged for g in c.children if g.dep_ == "nsubj"]  # "found [the agency responsible]"
    return bool(objs) and bool(judged) and any(_party(o) for o in objs)


_COURTS = {"court", "judge", "jury", "tribunal", "bench", "magistrate"}


def _name_calling(tok: Token) -> bool:
    """ "X called Y a liar", "branded the opposition traitors": a party given a (pejorative) name."""
    if not (_is_verb(tok) and _lemma(tok) in {"call", "brand", "label", "dub"}):
        return False
    named = [c for c in tok.children if c.dep_ in {"oprd", "ccomp", "xcomp"} and c.pos_ in {"NOUN", "ADJ"}]
    objs = [c for c in tok.children if c.dep_ == "dobj"] + [g for c in named for g in c.children if g.dep_ == "nsubj"]
    if len(objs) == 2 and objs[1].pos_ == "NOUN":  # "branded the protesters terrorists": two objects
        named, objs = named + objs[1:], objs[:1]
    owned = [c for o in objs for c in o.children if c.dep_ == "poss" and c.pos_ != "PRON"]  # "called Turkey's move ..."
    return bool(named) and any(_party(o) and o.lower_ not in {"it", "this", "that", "what", "which"}
                               for o in objs + owned)


#: Words that make a name an insult: "called Y nasty", "branded the raid barbaric", "described Y as a liar".
PEJORATIVES = frozenset({
    "nasty", "barbarous", "barbaric", "disgraceful", "shameful", "irresponsible", "reckless", "criminal", "terrorist",
    "liar", "traitor", "thug", "murderer", "butcher", "dictator", "tyrant", "puppet", "racist", "fascist", "nazi",
    "corrupt", "incompetent", "hypocritical", "hypocrite", "outrageous", "despicable", "cowardly", "coward", "evil",
    "evildoer", "provocative", "illegitimate", "pathetic", "disrespectful", "brutal", "inhuman", "heinous",
    "atrocious", "vile", "abhorrent", "deplorable", "treacherous", "genocidal", "rogue", "aggressor", "invader",
    "occupier", "bully", "clown", "lunatic", "madman", "disgrace", "cynical", "shameless", "monstrous", "savage",
    "warmonger", "gangster", "crook", "fraud", "lawless", "unhinged", "hateful", "scandalous"})


def _pejorative_label(tok: Token) -> bool:
    """ "Trump called Denmark's prime minister nasty", "the leaders called the attacks 'barbarous'", "described
    the opposition as traitors": an insulting name for a party or its act (CAMEO 111, criticise)."""
    if not (_is_verb(tok) and _lemma(tok) in {"call", "brand", "label", "dub", "describe", "term"}):
        return False
    names = [c for c in tok.children if c.dep_ in {"oprd", "ccomp", "xcomp", "dobj", "attr"}]
    names += [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "as" for g in c.children
              if g.dep_ in {"pobj", "amod"}]
    words = {_lemma(t) for n in names for t in [n, *n.children] if t.dep_ in {"amod", "compound", "oprd", "ccomp",
                                                                            "xcomp", "dobj", "attr", "pobj", "acomp"}
             or t.i == n.i}
    objects = [c for c in tok.children if c.dep_ == "dobj"] + [g for n in names for g in n.children if g.dep_ == "nsubj"]
    return bool(words & PEJORATIVES) and any(o.lower_ not in {"it", "this", "that", "what", "which", "himself",
                                                            "herself", "themselves", "itself"} for o in objects)


def _complaint_to(tok: Token) -> bool:
    """ "Lebanon complained to the United Nations over two Israeli air raids", "protested to Beijing about the
    incursion": a formal complaint to a party (labels/GUIDELINES.md: accuse); not "residents complained of noise"."""
    if not (_is_verb(tok) and _lemma(tok) in {"complain", "protest"}):
        return False
    addressed = _prep_objects(tok, "to")
    grievance = [o for p in ("over", "about", "against") for o in _prep_objects(tok, p)]
    return any(_party(o) for o in addressed) and bool(grievance)


def _formal_charge(tok: Token) -> bool:
    """ "Prosecutors charged two officers with murder", "filed charges against the governor": formal charges
    (labels/GUIDELINES.md: accuse; the verdict after them is none)."""
    if _is_verb(tok) and _lemma(tok) == "charge":
        objs = [c for c in tok.children if c.dep_ in {"dobj", "nsubjpass"}]
        return bool(_prep_objects(tok, "with")) and any(_party(o) for o in objs)
    if _is_noun(tok) and _lemma(tok) in {"charge", "complaint", "case", "lawsuit", "indictment"}:
        filed = tok.dep_ == "dobj" and _lemma(tok.head) in {"file", "lay", "bring", "press", "lodge", "level"}
        against = _prep_objects(tok, "against") + (_prep_objects(tok.head, "against") if filed else [])
        return filed and any(_party(o) for o in against)
    return False


def _summon(tok: Token) -> bool:
    if not (_is_verb(tok) and _lemma(tok) == "summon"):
        return False
    objs = [c for c in tok.children if c.dep_ in {"dobj", "nsubjpass"}]
    return any(_lemma(o) in ENVOY_WORDS or any(_lemma(t) in ENVOY_WORDS for t in o.subtree) for o in objs)


def _attack_verb(tok: Token) -> bool:
    if _is_verb(tok) and _lemma(tok) == "blow" and _has_child(tok, {"prt"}, {"up"}):
        return _has_child(tok, {"dobj", "nsubjpass"})  # "blew up a bridge", "blew himself up"; not "talks blew up"
    if not (_is_verb(tok) and _lemma(tok) in ATTACK_VERBS):
        return False
    lemma = _lemma(tok)
    if lemma in {"hit", "target", "strike"}:
        # "hit" and "strike" are violent only with a physical agent or object ("drones struck a depot").
        words = {(_lemma(t)) for c in tok.children if c.dep_ in {"nsubj", "dobj", "agent", "nsubjpass"}
                 for t in c.subtree}
        return bool(words & {"drone", "missile", "rocket", "jet", "warplane", "shell", "artillery", "bomb",
                             "airstrike", "strike", "militant", "force", "troop", "army", "insurgent", "fighter",
                             "base", "position", "convoy", "village", "camp", "depot", "hideout", "checkpoint"})
    if lemma == "attack":
        # "Arsenal attacked relentlessly": the violent sense takes an object, a passive subject or an agent.
        return _has_child(tok, {"dobj", "nsubjpass", "agent"})
    if lemma == "fight":
        return _has_child(tok, {"dobj"}) or bool(_prep_objects(tok, "against")) or bool(_prep_objects(tok, "with"))
    if lemma == "kill":
        # Killed by whom? An accident or disaster is not an attack.
        return not any(_lemma(t) in {"accident", "crash", "earthquake", "flood", "fire", "storm", "landslide",
                                     "disease", "heatwave", "collapse", "cyclone"}
                       for c in tok.children for t in c.subtree)
    return True


def _attack_noun(tok: Token) -> bool:
    if not (_is_noun(tok) and (tok.lower_ in ATTACK_NOUNS or _lemma(tok) in ATTACK_NOUNS)):
        return False
    if _has_child(tok, {"compound", "amod"}, OTHER_SENSE):
        return False
    gov = tok.head
    if tok.dep_ == "dobj" and _lemma(gov) in ATTACK_NOUN_GOVERNORS:
        return True
    if tok.dep_ == "pobj" and gov.dep_ == "prep" and _lemma(gov.head) in {"responsibility"}:
        return True
    if tok.dep_ in {"nsubj"} and _lemma(gov) in {"kill", "wound", "injure", "hit", "destroy", "damage", "leave",
                                                 "claim", "target", "rock"}:
        return True
    return tok.dep_ == "ROOT"  # headlines: "Suicide attack on police post in Bannu"


#: The pattern rules, in order of precedence where two match the same word.
RULES: tuple[Rule, ...] = (
    Rule("meet_call_on", "meet", True, _call_on, '"X called on Y": a courtesy call (not "called on Y to ...")'),
    Rule("consult_phone", "consult", True, _phone, "telephoned / spoke by phone / a phone call"),
    Rule("accuse_summon_envoy", "accuse", True, _summon, "summoned an ambassador or envoy (to protest)"),
    Rule("accuse_main_verb", "accuse", True, _accuses_party, "the main verb accuses a named party"),
    Rule("accuse_complaint_to", "accuse", True, _complaint_to, "complained / protested to Y over Z"),
    Rule("accuse_pejorative_label", "accuse", True, _pejorative_label,
         "called / branded / described Y (as) nasty, barbaric, a liar ..."),
    Rule("meet_receive", "meet", False, _receive, "received a visitor"),
    Rule("meet_verb", "meet", False, _meet_verb, "met / visited / hosted / welcomed"),
    Rule("meet_shake_hands", "meet", False, _shake_hands, "shook hands with"),
    Rule("meet_meeting_noun", "meet", False, _meeting_noun, "held a meeting / paid a visit"),
    Rule("meet_discussed_during_visit", "meet", False, _discussed_during_visit,
         '"during the visit, the leaders discussed ...": talks at an in-person meeting'),
    Rule("consult_verb", "consult", False, _consult_verb, "talked / negotiated / discussed / mediated"),
    Rule("consult_talks_noun", "consult", False, _consult_noun, "held talks / negotiations"),
    Rule("accuse_hold_responsible", "accuse", False, _hold_responsible, "held Y responsible / found Y guilty"),
    Rule("accuse_formal_charge", "accuse", False, _formal_charge, "charged Y with / filed charges against Y"),
    Rule("accuse_name_calling", "accuse", False, _name_calling, "called / branded Y a liar, traitors ..."),
    Rule("accuse_verb", "accuse", False, _accuse_verb, "accused / blamed / condemned / denounced / criticised"),
    Rule("attack_verb", "attack", False, _attack_verb, "attacked / bombed / shelled / blew up / killed ..."),
    Rule("attack_noun", "attack", False, _attack_noun, "carried out an attack / a strike killed ..."),
)
RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


def _stems(words: Iterable[str]) -> str:
    """Alternation of word starts (inflections follow the start; "-man" also matches "-men")."""
    forms = {w[:-3] + "m[ae]n" if w.endswith("man") else re.escape(w) for w in words}
    return "|".join(sorted(forms, key=len, reverse=True))


def _alternatives(body: str) -> list[str] | None:
    """The top-level alternatives of a regular expression, or None when a ``)`` closes a group opened before it."""
    alternatives, depth, current, i = [], 0, "", 0
    while i < len(body):
        c = body[i]
        step = 2 if c == "\\" else body.index("]", i + 1) + 1 - i if c == "[" else 1
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            return None
        if c == "|" and depth == 0:
            alternatives.append(current)
            current, i = "", i + 1
            continue
        current += body[i:i + step]
        i += step
    return [*alternatives, current]


def _literal_starts(pattern: str) -> tuple[str, ...]:
    """The literal text that each top-level alternative of `pattern` (or of its one ``\\b(?:...)`` group) starts
    with: a text the pattern matches contains one of them. Raises ValueError for an alternative with none."""
    wrapped = re.fullmatch(r"\\b\(\?:(.*)\)", pattern)
    alternatives = (_alternatives(wrapped.group(1)) if wrapped else None) or _alternatives(pattern) or [pattern]
    starts = set()
    for alt in alternatives:
        alt = alt[2:] if alt.startswith("\\b") else alt
        literal, j = "", 0
        while j < len(alt):
            if alt[j].isalnum():
                literal, j = literal + alt[j], j + 1
            elif alt[j] == "\\" and j + 1 < len(alt) and not alt[j + 1].isalnum():
                literal, j = literal + alt[j + 1], j + 2
            else:
                break
        if j < len(alt) and alt[j] in "?*{":
            literal = literal[:-1]  # the last character is optional
        if not literal:
            raise ValueError(f"alternative {alt!r} starts with no literal text")
        starts.add(literal)
    return tuple(sorted(starts))


class WordFilter:
    """A lowercase regular expression searched in lowercased text, behind the cheap test that one of its literal
    starts occurs at all (most news sentences have none: the search then never runs)."""

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(pattern)
        self.starts = _literal_starts(pattern)

    def __call__(self, lowered: str) -> bool:
        return any(s in lowered for s in self.starts) and self.regex.search(lowered) is not None


#: Every word an ``override`` rule's event word can be, as text (a superset of the lemmas the rules test), but
#: the pejorative label's, which needs two words (:data:`_LABEL_VERBS` and :data:`_PEJORATIVE_WORDS`). The
#: filters are searched in lowercased text, so their letters are lowercase.
OVERRIDE_WORDS = WordFilter(
    r"\bcall(?:s|ed|ing)?\b(?:\W+\w+){0,3}?\W+(?:on|upon)\b"                   # meet_call_on
    r"|phon|telephon|\bvideo|\bvirtual|\bring(?:s|ing)?\b|\brang\b|\brung\b|\bdial"  # consult_phone
    r"|summon"                                                                    # accuse_summon_envoy
    r"|accus|blam|condemn|denounc|critici|\bslam|lambast|rebuk|censur|decr[yi]|deplor|castigat|chastis|\bfault"
    r"|indict|scold|ridicul|berat|\bchid|derid|vilif|excoriat"                     # accuse_main_verb
    r"|complain|protest"                                                          # accuse_complaint_to
)
_LABEL_VERBS = WordFilter(r"\b(?:call|brand|label|dub|describ|term)")
_PEJORATIVE_WORDS = WordFilter(rf"\b(?:{_stems(PEJORATIVES)})")


def override_possible(text: str) -> bool:
    """Whether an ``override`` rule could fire on this sentence, judged from its words alone.

    A sentence where none can is coded as the classifier decided unless the classifier is unsure, so when the
    classifier is sure of none the sentence need not be parsed: this keeps the coder's cascade lossless. Keep it
    in step with the override rules; ``tests/test_coding.py`` checks it against the labelled sentences.
    """
    lowered = text.lower()
    return OVERRIDE_WORDS(lowered) or (_LABEL_VERBS(lowered) and _PEJORATIVE_WORDS(lowered))


#: Past forms a stem does not cover.
_IRREGULAR = {"meet": "met", "strike": "struck", "shoot": "shot", "fight": "fought", "shake": "shook", "blow": "blew",
              "overrun": "overran"}


def _word_forms(lemmas: Iterable[str]) -> str:
    """Alternation matching the start of every inflected form of `lemmas` ("welcom" for "welcomed")."""
    forms = set()
    for lemma in lemmas:
        forms.add(re.escape(lemma[:-1] if lemma.endswith("e") and len(lemma) > 3 else lemma))
        if lemma in _IRREGULAR:
            forms.add(_IRREGULAR[lemma] + r"\b")
    return "|".join(sorted(forms, key=len, reverse=True))


#: The words of every pattern rule, as text. "hold / find Y responsible" is keyed on the judgement
#: (:data:`_BLAME_ADJECTIVES`), the phone rule is covered by :data:`OVERRIDE_WORDS`. Searched in lowercased text
#: (a plain search: too many sentences hold one of its words for the literal test to pay).
_PATTERN_WORDS = re.compile(
    r"\b(?:" + _word_forms(
        {"call", "brand", "label", "dub", "shake", "blow", "charge", "complaint", "case", "lawsuit", "indictment",
         "meeting", "visit", "summit"}
        | RECEIVE_VERBS | MEET_VERBS | CONSULT_VERBS | CONSULT_NOUNS | ACCUSE_VERBS | ATTACK_VERBS | ATTACK_NOUNS
        | {"responsible", "accountable", "guilty", "liable", "culpable", "complicit"}) + ")",
)


def rule_possible(text: str) -> bool:
    """Whether any pattern rule could fire on this sentence, judged from its words alone.

    Without one, the rules can only say none (a blocker, or no event word): where the classifier is unsure but
    leans to none, such a sentence is none whether it is parsed or not.
    """
    return _PATTERN_WORDS.search(text.lower()) is not None or override_possible(text)


#: The rules :func:`override_possible` stands for.
OVERRIDE_RULES = frozenset(r.name for r in RULES if r.override)


# --------------------------------------------------------------------------------------------------- blockers

MODALS = {"will", "would", "shall", "may", "might", "could", "should", "must", "can", "ca", "wo", "'ll", "'d"}
INTENT_HEADS = {"plan", "intend", "expect", "hope", "want", "seek", "aim", "prepare", "agree", "decide", "wish",
                "schedule", "propose", "offer", "try", "attempt", "consider", "mull", "set", "due", "likely",
                "poised", "ready", "eager", "willing", "keen", "able", "need", "going", "invite", "arrive", "travel",
                "fly", "head", "leave", "come", "pledge", "promise", "commit", "look"}
THREAT_HEADS = {"threaten", "warn", "vow", "swear"}
DEMAND_HEADS = {"call", "urge", "demand", "ask", "appeal", "press", "push", "request", "encourage", "invite",
                "implore", "insist", "want", "tell", "order", "instruct", "advise", "propose", "suggest"}
DENIAL_HEADS = {"deny", "reject", "dismiss", "refute", "rebuff", "disown", "repudiate"}
NEGATIONS = {"not", "never", "n't", "no", "neither", "nor", "without"}
FAIL_HEADS = {"fail", "refrain", "avoid", "decline", "refuse", "stop", "cancel", "postpone", "call", "suspend",
              "abandon", "halt", "rule"}


def _governors(tok: Token, through_conj: bool) -> list[Token]:
    """The token and the words that govern it inside its clause (xcomp, objects, prepositions, nouns)."""
    chain = [tok]
    deps = {"xcomp", "dobj", "pobj", "prep", "pcomp", "compound", "acomp", "attr", "nsubjpass", "amod"}
    if _is_noun(tok):
        deps |= {"nsubj"}  # a nominal event takes its verb's modality: "the meeting will take place"
    if through_conj:
        deps |= {"conj"}
    cur = tok
    for _ in range(6):
        if cur.dep_ not in deps or cur.head.i == cur.i:
            break
        cur = cur.head
        chain.append(cur)
    return chain


#: Subordinators and prepositions that put an event in the background of the main clause.
BACKGROUND_MARKERS = {"after", "since", "before", "following", "when", "while", "until", "once", "because",
                      "amid", "during"}


def background(trigger: Token) -> bool:
    """Whether the event word sits in a relative clause, a clause modifying a noun, or an after / since / when
    clause or phrase: background to what the sentence asserts ("residents returned after rebels took the
    town", "the envoy, who met X last year, said ...")."""
    tok = trigger
    for _ in range(8):
        if tok.dep_ == "relcl" or (tok.dep_ == "acl" and tok.i != trigger.i):
            return True
        if tok.dep_ == "advcl" and _has_child(tok, {"mark", "advmod"}, BACKGROUND_MARKERS):
            return True
        if tok.dep_ in {"pobj", "pcomp"} and tok.head.lower_ in BACKGROUND_MARKERS:
            return True
        if tok.dep_ in {"ROOT", "ccomp", "parataxis"} or tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


def blocker(trigger: Token) -> str | None:
    """Name of the check that cancels this event word, or None when the event stands."""
    if trigger.sent.text.rstrip().endswith("?"):
        return "question"
    chain = _governors(trigger, through_conj=False)
    for tok in chain:
        if _has_child(tok, {"neg"}) or (tok.i == trigger.i and _has_child(tok, {"det"}, {"no"})):
            return "negated"
        if tok.i != trigger.i and _lemma(tok) in FAIL_HEADS and _is_verb(tok) and tok.dep_ != "prep":
            if _lemma(tok) == "call" and not (_prep_objects(tok, "off") or _has_child(tok, {"prt"}, {"off"})):
                pass
            else:
                return "negated"
    # "In a phone call, X told Y to ...", "during talks, X warned Y": the call frames what was said and happened
    framed = trigger.dep_ == "pobj" and trigger.head.lower_ in FRAMING_PREPS and _is_noun(trigger)
    frame = trigger.head.head.i if framed else -1
    for tok in _governors(trigger, through_conj=True):
        if _has_child(tok, {"aux", "auxpass"}, MODALS):
            return "modal"
        if _has_child(tok, {"aux"}, {"going"}) or (tok.dep_ == "xcomp" and _lemma(tok.head) == "go"
                                                  and tok.head.tag_ == "VBG"):
            return "modal"
        if _has_child(tok, {"mark"}, {"if", "unless", "whether"}):
            return "conditional"
        if tok.i != trigger.i and tok.i != frame:
            lemma = _lemma(tok)
            if lemma in THREAT_HEADS:
                return "threat"
            if lemma in DENIAL_HEADS:
                return "denial"
            if lemma in DEMAND_HEADS:
                if lemma == "call" and not (_prep_objects(tok, "for") or _has_child(tok, {"xcomp"})
                                            or _prep_objects(tok, "on")):
                    continue
                return "demand"
            if lemma in INTENT_HEADS and trigger.dep_ in {"xcomp"} | ({"pobj"} if lemma in {"set", "due"} else set()):
                return "intent"
            if lemma in INTENT_HEADS and tok.i == trigger.head.i and trigger.dep_ == "advcl" and trigger.tag_ == "VB":
                return "intent"  # "arrived in Delhi to meet ..." (purpose, not yet done)
    # Denial of the noun: "denied involvement in the attack", "rejected accusations that ..."
    for anc in trigger.ancestors:
        if _lemma(anc) in DENIAL_HEADS:
            return "denial"
        if _lemma(anc) in {"accusation", "allegation", "claim", "report", "rumour", "rumor"} and \
                any(_lemma(a) in DENIAL_HEADS for a in anc.ancestors):
            return "denial"
        if anc.dep_ in {"ccomp"} or anc.dep_ == "ROOT":
            break
    return None


#: Prepositions whose noun frames the clause it modifies: "In a phone call, ...", "During talks, ...".
FRAMING_PREPS = {"in", "during", "over"}


#: Blockers that mean "did not happen" and those that mean "has not (yet) happened".
NEGATING = frozenset({"negated", "denial"})
HYPOTHETICAL = frozenset({"modal", "conditional", "question", "intent", "threat", "demand"})
REPORTING_VERBS = {"say", "tell", "report", "claim", "allege", "announce", "state", "add", "confirm", "quote",
                   "accord", "insist", "write", "assert", "note", "explain", "disclose", "reveal"}


def is_reported(trigger: Token) -> bool:
    """Whether the event is attributed to a speaker: "police said gunmen opened fire", "..., according to X"."""
    for anc in trigger.ancestors:
        if _lemma(anc) in REPORTING_VERBS and not any(t.i == trigger.i for c in anc.children
                                                      if c.dep_ in {"nsubj", "nsubjpass"} for t in c.subtree):
            return True
    sent = trigger.sent
    return any(t.lower_ == "according" and t.nbor(1).lower_ == "to" for t in sent if t.i + 1 < len(t.doc))


# --------------------------------------------------------------------------------------------------- apply

def matching_rule(tok: Token) -> Rule | None:
    for rule in RULES:
        if rule.match(tok):
            return rule
    return None


def _depth(tok: Token) -> int:
    d = 0
    while tok.head.i != tok.i and d < 50:
        tok = tok.head
        d += 1
    return d


#: Every lemma (or lower-case form) a pattern rule's event word can have: each rule's test starts by checking
#: one of these, so other tokens are skipped without running the rules (most of a sentence's tokens).
TRIGGER_WORDS = frozenset(
    {"call", "summon", "complain", "protest", "brand", "label", "dub", "describe", "term", "shake", "blow",
     "speak", "hold", "have", "find", "declare", "deem", "consider", "conversation", "conference",
     "charge", "complaint", "case", "lawsuit", "indictment", "meeting", "visit", "summit"}
    | PHONE_VERBS | ACCUSE_VERBS | RECEIVE_VERBS | MEET_VERBS | CONSULT_VERBS | CONSULT_NOUNS | ATTACK_VERBS
    | ATTACK_NOUNS)


def candidate_triggers(doc: Doc) -> list[tuple[Token, Rule]]:
    """Every event word a pattern rule recognises, shallowest in the parse first (main clause wins)."""
    found = [(tok, rule) for tok in doc if (tok.lower_ in TRIGGER_WORDS or _lemma(tok) in TRIGGER_WORDS)
             and (rule := matching_rule(tok)) is not None]
    found.sort(key=lambda pair: (_depth(pair[0]), 0 if pair[1].override else 1, pair[0].i))
    return found


#: Every word that may carry one of the four events; used to see whether all of them are cancelled.
EVENT_WORDS = (MEET_VERBS | RECEIVE_VERBS | CONSULT_VERBS | PHONE_VERBS | ACCUSE_VERBS | ATTACK_VERBS
               | ATTACK_NOUNS | MEETING_NOUNS | CONSULT_NOUNS | {"accusation", "condemnation", "criticism"}
               # words no pattern rule reads but that name an event often enough to leave it to the classifier
               | {"explosion", "explode", "detonate", "bomber", "grenade", "execute", "hang", "swipe", "shield",
                  "fire", "blow", "gunfire", "responsibility", "guilty", "scold", "ridicule", "mock", "convene",
                  "gathering", "stopover"})


def apply_rules(doc: Doc, found: list[tuple[Token, Rule]] | None = None) -> RuleMatch | None:
    """The rule deciding this sentence: the shallowest unblocked event word, or a blocker if every one is.

    Where no pattern rule matches but the sentence has event words and every one is cancelled ("called for
    talks", "denied involvement in the bombing"), a blocker is returned that decides only when the classifier
    is unsure. `found` is :func:`candidate_triggers` of `doc`, when the caller already has it.
    """
    found = candidate_triggers(doc) if found is None else found
    if not found:
        words = [t for t in doc if (_lemma(t) in EVENT_WORDS or t.lower_ in EVENT_WORDS)
                 and not (_is_verb(t) and _lemma(t) == "call")]  # the verb "call" is a demand as often as not
        blocks = [(t, blocker(t)) for t in words]
        if blocks and all(why is not None for _, why in blocks):
            tok, why = blocks[0]
            return RuleMatch(rule=str(why), event=NONE, override=False, trigger=tok)
        if not words:
            # Nothing in the sentence names an event: an unsure classifier is not enough to code one.
            return RuleMatch(rule="no_event_word", event=NONE, override=False, trigger=None)
        return None
    first_block: RuleMatch | None = None
    for tok, rule in found:
        why = blocker(tok)
        if why is None and background(tok):
            # Only background: cancels the event when the classifier is unsure, never overrides it.
            if first_block is None:
                first_block = RuleMatch(rule="background", event=NONE, override=False, trigger=tok)
            continue
        if why is None:
            return RuleMatch(rule=rule.name, event=rule.event, override=rule.override, trigger=tok)
        if first_block is None:
            first_block = RuleMatch(rule=why, event=NONE, override=True, trigger=tok)
    return first_block


#: Every word that can carry each class, for finding the event word when the classifier decided.
CLASS_WORDS = {
    "meet": MEET_VERBS | RECEIVE_VERBS | MEETING_NOUNS,
    "consult": CONSULT_VERBS | CONSULT_NOUNS | PHONE_VERBS,
    "accuse": ACCUSE_VERBS | {"accusation", "condemnation", "criticism", "allegation", "complain", "complaint"},
    "attack": ATTACK_VERBS | ATTACK_NOUNS,
}

#: Classes whose event words share one argument structure: "held talks with Y" names the parties of a meeting.
_FAMILY = {"meet": {"meet", "consult"}, "consult": {"consult", "meet"}}


def trigger_for(doc: Doc, event: str, found: list[tuple[Token, Rule]] | None = None) -> Token | None:
    """The word that carries `event` in this sentence (for actor extraction when the classifier decided).

    The shallowest unblocked rule word of that class (meet and consult words stand for each other), else the
    shallowest blocked one; else the shallowest word of the class's lexicon; else the main verb (the complement
    of a reporting verb such as "said" where the root is one).
    """
    found = candidate_triggers(doc) if found is None else found
    family = _FAMILY.get(event, {event})
    for tok, rule in found:
        if rule.event in family and blocker(tok) is None:
            return tok
    for tok, rule in found:  # the classifier coded an event whose word is cancelled: the flags will say so
        if rule.event in family:
            return tok
    lexicon = CLASS_WORDS.get(event, set())
    words = [t for t in doc if _lemma(t) in lexicon or t.lower_ in lexicon]
    if words:  # an event word no pattern reads in this position ("toll from a suicide attack on a shrine")
        return min(words, key=lambda t: (_depth(t), t.i))
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if not roots:
        return None
    root = roots[0]
    if _lemma(root) in {"say", "tell", "add", "report", "state", "announce", "confirm", "claim"}:
        comp = next((c for c in root.children if c.dep_ in {"ccomp", "parataxis"}), None)
        if comp is not None:
            return comp
    return root
