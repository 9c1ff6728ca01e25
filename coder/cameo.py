"""CAMEO 1.1b3 facts for the four event classes: codes, QuadClass and Goldstein scores.

Codes are always strings ("042", never 42): leading zeros are part of the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EVENTS: tuple[str, ...] = ("meet", "consult", "accuse", "attack")
NONE = "none"
LABELS: tuple[str, ...] = (*EVENTS, NONE)

QUAD_CLASS: dict[str, int] = {"meet": 1, "consult": 1, "accuse": 3, "attack": 4}

#: Default CAMEO code per class, used when the sentence tells nothing finer.
DEFAULT_CODE: dict[str, str] = {"meet": "042", "consult": "040", "accuse": "112", "attack": "190"}

#: Goldstein scores from the CAMEO 1.1b3 codebook for every code this coder emits.
GOLDSTEIN: dict[str, float] = {
    "040": 1.0, "041": 1.0, "042": 1.9, "043": 2.8, "044": 2.5, "045": 5.0, "046": 7.0,
    "111": -2.0, "112": -2.0, "1121": -2.0, "1122": -2.0, "1123": -2.0, "1124": -2.0, "1125": -2.0,
    "180": -9.0, "181": -9.0, "182": -9.5, "183": -10.0, "1831": -10.0, "1832": -10.0, "1833": -10.0,
    "184": -8.0, "185": -8.0, "186": -10.0,
    "190": -10.0, "191": -9.5, "192": -9.5, "193": -10.0, "194": -10.0, "195": -10.0, "196": -9.5,
    "200": -10.0, "201": -9.5, "202": -10.0, "203": -10.0, "204": -10.0,
}

#: Class each code belongs to (the inverse of the table in the brief).
CODE_CLASS: dict[str, str] = {
    code: ("meet" if code in {"042", "043", "044"} else
           "consult" if code.startswith("04") else
           "accuse" if code.startswith("11") else "attack")
    for code in GOLDSTEIN
}


@dataclass(frozen=True)
class Cue:
    """A finer CAMEO code and the words that reveal it."""

    code: str
    pattern: re.Pattern[str]


def _cue(code: str, words: str) -> Cue:
    return Cue(code, re.compile(rf"\b(?:{words})", re.IGNORECASE))


#: Checked in order; the first cue found in the sentence gives the code.
CUES: dict[str, tuple[Cue, ...]] = {
    "meet": (
        _cue("044", r"sidelines?|summit|on the margins"),
        _cue("043", r"host(?:s|ed|ing)?\b|receiv(?:e|es|ed|ing)\b|welcom(?:e|es|ed|ing)\b"),
    ),
    "consult": (
        _cue("041", r"tele?phon|phone|video ?(?:call|conference|link)|spoke by|call\b|calls\b"),
        _cue("045", r"mediat|brokered|broker\b|facilitat"),
        _cue("046", r"negotiat"),
    ),
    "accuse": (
        _cue("111", r"critici[sz]|condemn|denounc|slam|lambast|rebuk|decr(?:y|ied)|deplor|censur|summon"),
    ),
    "attack": (
        _cue("1831", r"suicide (?:bomb|attack|blast|car)|suicide bomber"),
        _cue("1833", r"roadside|improvised explosive|\bIEDs?\b|landmine"),
        _cue("195", r"air ?strikes?|airstrikes?|drone strikes?|air raids?|warplanes?|bombed from the air|aerial"),
        _cue("183", r"bomb|blast|explosi|car bomb|grenade"),
        _cue("181", r"abduct|kidnap|hostage|seiz(?:e|ed) .{0,20}(?:hostage|captive)"),
        _cue("186", r"assassinat"),
        _cue("194", r"shell(?:s|ed|ing)\b|artillery|mortars?\b|rockets?\b|missiles?\b"),
        _cue("202", r"massacre|mass kill"),
        _cue("193", r"open(?:ed)? fire|gunfire|gunmen|shot dead|shooting|small arms|fired on"),
    ),
}


def refine_code(event: str, sentence: str) -> str:
    """Return the finest CAMEO code the sentence's wording supports for `event`."""
    if event not in DEFAULT_CODE:
        return ""
    for cue in CUES.get(event, ()):
        if cue.pattern.search(sentence):
            return cue.code
    return DEFAULT_CODE[event]


def root_code(code: str) -> str:
    """The two-digit CAMEO root ("18" for "1831")."""
    return code[:2] if code else ""


def goldstein(code: str) -> float | None:
    """Goldstein score of a code; a finer code without its own score takes its parent's."""
    while code:
        if code in GOLDSTEIN:
            return GOLDSTEIN[code]
        code = code[:-1]
    return None


def quad_class(event: str) -> int | None:
    return QUAD_CLASS.get(event)


def is_valid_code(code: str, event: str) -> bool:
    """True when `code` is a string CAMEO code of the class `event` (empty for none)."""
    if event == NONE:
        return code == ""
    return isinstance(code, str) and CODE_CLASS.get(code) == event
