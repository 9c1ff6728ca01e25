"""Coding sentences: classifier first, then the parse, rules and actors for the sentences that may be events.

The classifier scores every sentence (cheap). Only the sentences whose coding the parse can change are parsed by
spaCy (the expensive step): those the classifier calls an event (the actors need the parse), those with a word an
``override`` rule reads (:func:`rules.override_possible`), and those where the classifier is unsure (below the
rules threshold, where a rule decides) and that have a word some pattern rule reads (:func:`rules.rule_possible`).
Every other sentence is none whatever the parse says, so this cascade codes exactly what parsing every sentence
codes. On the parse, rules decide where the classifier is unsure or where a
rule is marked ``override``, and the source and target actors are read from the event word's arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import __version__
from .actors import NO_ACTOR, Actor, ArticleContext, coordinated_pair, event_actors
from .cameo import NONE, goldstein, quad_class, refine_code, root_code
from .corpus import Sentence, parse_and_place
from .model import EventModel
from .rules import HYPOTHETICAL, NEGATING, apply_rules, blocker, candidate_triggers, is_reported, \
    override_possible, rule_possible, trigger_for

log = logging.getLogger(__name__)

ACCUSE = "accuse"
#: Verbs that report or characterise what someone said: a reported charge has no accusing word of its own.
_SPEECH = {"say", "tell", "charge", "allege", "claim", "describe", "call", "write", "insist", "argue", "warn"}


#: Verbs of defending, praising or rejecting: speech with one of these is not a charge.
_NOT_CHARGES = {"defend", "praise", "reject", "deny", "welcome", "thank", "hail", "commend", "applaud", "dismiss"}


def _speaks(doc: Any) -> bool:
    """Whether the sentence reports or characterises speech, and does not defend, praise or reject."""
    verbs = {(t.lemma_ or t.lower_).lower() for t in doc if t.pos_ in {"VERB", "AUX"}}
    return bool(verbs & _SPEECH) and not verbs & _NOT_CHARGES


@dataclass
class Decision:
    """What the coder decided for one sentence."""

    event: str
    confidence: float
    coded_by: str
    source: Actor = NO_ACTOR
    target: Actor = NO_ACTOR
    cameo_code: str = ""
    negated: bool = False       # the event word is negated or denied, yet the classifier coded it
    hypothetical: bool = False  # the event word is under a modal, condition, intent, threat or demand
    reported: bool = False      # the event is attributed to a speaker ("officials said ...")
    co_sources: tuple[Actor, ...] = ()  # "Kenya and Uganda accused Rwanda": one more row per coordinated source


class Coder:
    """Codes sentences with a fitted :class:`EventModel`, a spaCy pipeline and the rules."""

    def __init__(self, model: EventModel, nlp: Any = None, *, threshold: float | None = None,
                 rules_enabled: bool | None = None, cascade: bool = True) -> None:
        self.model = model
        cfg = model.config
        self.threshold = cfg["rules"]["threshold"] if threshold is None else threshold
        self.rules_enabled = cfg["rules"]["enabled"] if rules_enabled is None else rules_enabled
        self.cascade = cascade  # False: parse every sentence (the reference the cascade is measured against)
        self.parsed = 0  # sentences parsed so far
        if nlp is None:
            from .nlp import load_pipeline

            nlp = load_pipeline(cfg["pipeline"]["spacy_model"] or None)
        self.nlp = nlp
        self.classes = model.classes
        self._none = self.classes.index(NONE)
        self._context = ArticleContext()

    # ------------------------------------------------------------------------------------------- decisions

    def decide(self, doc: Any, proba: Any, context: ArticleContext | None = None, place: str = "") -> Decision:
        """Combine the classifier's probabilities with the rules on a parsed sentence.

        `context` carries the article's dateline country and earlier actors (see :class:`ArticleContext`);
        `place` is the country of a dateline opening the sentence itself, which wins over the article's.
        """
        best = int(proba.argmax())
        event, confidence, coded_by = self.classes[best], float(proba[best]), "model"
        found = candidate_triggers(doc)  # once: both the rules and the actor lookup need the event words
        match = apply_rules(doc, found) if self.rules_enabled else None
        if match is not None and match.rule == "no_event_word" and event == ACCUSE and _speaks(doc):
            match = None  # "Vilnius said the forests were used ... with the connivance of Minsk": a charge in speech
        if match is not None and event == NONE == match.event:
            match = None  # the rules agree with the classifier's none: the classifier decided (parsed or not)
        if match is not None and (match.override or confidence < self.threshold):
            event, coded_by = match.event, f"rule:{match.rule}"
            # The classifier's probability for the class the rule chose: how much the model agrees.
            confidence = float(proba[self.classes.index(event)])
        elif self.rules_enabled and event != NONE:
            # Every word of the classifier's class is cancelled ("declined to condemn ..., insisting they were
            # attacking terrorists"): the class rests on a negated, threatened or demanded event.
            own = [blocker(tok) for tok, rule in found if rule.event == event]
            if own and all(why is not None for why in own):
                event, coded_by = NONE, f"rule:{own[0]}"
                confidence = float(proba[self._none])
        if event == NONE:
            return Decision(NONE, confidence, coded_by)
        trigger = match.trigger if match is not None and match.event == event else trigger_for(doc, event, found)
        if trigger is None:
            pair = coordinated_pair(doc) if event in {"meet", "consult"} else None  # "X and Y" in a caption
            source, target = pair if pair is not None else (NO_ACTOR, NO_ACTOR)
            return Decision(event, confidence, coded_by, source, target, cameo_code=refine_code(event, doc.text))
        source, target, others = event_actors(trigger, event, place or (context.place if context is not None else ""))
        if not source.text and not target.text and event in {"meet", "consult"}:
            source, target = coordinated_pair(doc) or (source, target)  # no party on the event word's parse
        if context is not None:
            source, target = context.resolve(source), context.resolve(target)
            context.remember(target, source)  # the source, remembered last, wins its role
            others = [context.resolve(a) for a in others]
        why = blocker(trigger)
        return Decision(event, confidence, coded_by, source, target, refine_code(event, doc.text),
                        negated=why in NEGATING, hypothetical=why in HYPOTHETICAL, reported=is_reported(trigger),
                        co_sources=tuple(others))

    def needs_parse(self, text: str, proba: Any) -> bool:
        """Whether parsing can change how this sentence is coded (see the module docstring)."""
        if not self.cascade or proba.argmax() != self._none:
            return True
        if not self.rules_enabled:
            return False
        return override_possible(text) or (proba[self._none] < self.threshold and rule_possible(text))

    def code(self, sentences: Iterable[Sentence], *, batch_size: int = 1024,
             all_sentences: bool = False) -> Iterator[dict[str, Any]]:
        """Yield one event row per sentence coded as an event (every sentence with `all_sentences`)."""
        batch: list[Sentence] = []
        for sent in sentences:
            batch.append(sent)
            if len(batch) >= batch_size:
                yield from self._code_batch(batch, batch_size, all_sentences)
                batch = []
        if batch:
            yield from self._code_batch(batch, batch_size, all_sentences)

    def _code_batch(self, batch: list[Sentence], batch_size: int, all_sentences: bool) -> Iterator[dict[str, Any]]:
        texts = [s.text for s in batch]
        proba = self.model.predict_proba(texts)
        candidates = [i for i, t in enumerate(texts) if self.needs_parse(t, proba[i])]
        self.parsed += len(candidates)
        decisions: dict[int, Decision] = {}
        parsed = {i: parse_and_place(texts[i]) for i in candidates}  # the text to parse, the dateline's country
        docs = self.nlp.pipe((parsed[i][0] for i in candidates), batch_size=batch_size)
        for i, doc in zip(candidates, docs):
            sent = batch[i]
            if self._context.doc_id != sent.doc_id:  # documents arrive whole and in order
                self._context = ArticleContext(sent.doc_id, sent.place)
            decisions[i] = self.decide(doc, proba[i], self._context, place=parsed[i][1])
        for i, sent in enumerate(batch):
            dec = decisions.get(i) or Decision(NONE, float(proba[i][self._none]), "model")
            if dec.event == NONE and not all_sentences:
                continue
            yield self.row(sent, dec)
            for n, other in enumerate(dec.co_sources, start=2):
                yield self.row(sent, dec, source=other, n=n)

    def row(self, sent: Sentence, dec: Decision, *, source: Actor | None = None, n: int = 1) -> dict[str, Any]:
        """The event row for a decision (`source` and `n` for the n-th row of a coordinated source)."""
        code = dec.cameo_code
        source = dec.source if source is None else source
        return {
            "event_id": f"{sent.id}:e{n}",
            "doc_id": sent.doc_id,
            "sentence_id": sent.id,
            "date": sent.date,
            "source_text": source.text,
            "source_code": source.code,
            "source_country": source.country,
            "target_text": dec.target.text,
            "target_code": dec.target.code,
            "target_country": dec.target.country,
            "event": dec.event,
            "cameo_code": code,
            "root_code": root_code(code),
            "quad_class": quad_class(dec.event),
            "goldstein": goldstein(code) if code else None,
            "confidence": round(dec.confidence, 4),
            "coded_by": dec.coded_by,
            "negated": dec.negated,
            "hypothetical": dec.hypothetical,
            "reported": dec.reported,
            "sentence": sent.text,
            "doc_source": sent.source,
            "url": sent.url,
            "model_version": self.model.version,
            "coder_version": __version__,
        }
