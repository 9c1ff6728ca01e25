"""spaCy's attribute ruler, matching its single-token patterns by table lookup.

The English pipeline's ``attribute_ruler`` maps each token's tag (and a few words and dependencies) to its
coarse part of speech, morphology and some lemmas with 179 Matcher patterns. The Matcher tries every pattern on
every token, which costs a fifth of parsing a sentence. Almost all of the patterns are one token long and test
attributes for equality, so :class:`CompiledAttributeRuler` files them in dictionaries keyed by the values they
test, and looks up each token's candidates. The other patterns (several tokens, or operators) stay in a Matcher.
It is spaCy's ``AttributeRuler`` otherwise: patterns, serialisation and how matches set attributes (in pattern
order, later patterns winning) are inherited, so the tokens come out the same. ``tests/test_attributes.py`` checks
that against the ruler it replaces. :func:`compile_attribute_ruler` swaps it into a loaded pipeline.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.pipeline.attributeruler import attribute_ruler_score
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs
from spacy.vocab import Vocab

FACTORY = "coder_attribute_ruler"

#: Token attributes a compiled pattern may test: string attributes (compared as hashes) and boolean flags. (POS
#: is an enum, not a hash, in a Doc's arrays: patterns on it stay with the Matcher.)
STRING_ATTRS = ("ORTH", "LOWER", "NORM", "TAG", "DEP", "LEMMA")
FLAG_ATTRS = ("IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "IS_TITLE", "IS_UPPER", "IS_LOWER")
_COLUMNS = STRING_ATTRS + FLAG_ATTRS

#: A compiled token pattern: equality tests (column index -> value) and other tests (column, kind, payload).
_Compiled = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, str, Any], ...]]


class CompiledAttributeRuler(AttributeRuler):
    """``AttributeRuler`` whose one-token equality patterns are looked up instead of matched."""

    def __init__(self, vocab: Vocab, name: str = FACTORY, *, validate: bool = False,
                 scorer: Any = attribute_ruler_score) -> None:
        super().__init__(vocab, name, validate=validate, scorer=scorer)
        self._reset_compiled()

    def _reset_compiled(self) -> None:
        # (columns tested for equality) -> (their values) -> [(attr_id, other tests)], in pattern order
        self._tables: dict[tuple[int, ...], dict[Any, list[tuple[int, tuple[Any, ...]]]]] = {}
        self._getters: list[tuple[Callable[[list[int]], Any], dict[Any, list[tuple[int, tuple[Any, ...]]]]]] = []
        self._scan: list[tuple[int, tuple[Any, ...]]] = []  # one-token patterns with no equality or IN test
        self._rest = Matcher(self.vocab, validate=self.validate)  # everything else
        self._match_ids: list[int] = []

    def clear(self) -> None:
        super().clear()
        self._reset_compiled()

    def add(self, patterns: Iterable[Any], attrs: dict[Any, Any], index: int = 0) -> None:
        patterns = list(patterns)
        attr_id = len(self.attrs)
        super().add(patterns, attrs, index)
        self._match_ids.append(self.vocab.strings.add(str(attr_id)))
        rest = []
        for pattern in patterns:
            compiled = self._compile(pattern)
            if compiled is None:
                rest.append(pattern)
                continue
            equal, tests = compiled
            if equal:  # filed under the values it tests for equality
                self._file((c for c, _ in equal), [tuple(v for _, v in equal)], attr_id, tests)
            elif any(op == "IN" for _, op, _ in tests):  # filed under each value of its first IN test
                k = next(i for i, (_, op, _) in enumerate(tests) if op == "IN")
                column, _, values = tests[k]
                self._file([column], [(v,) for v in sorted(values)], attr_id, tests[:k] + tests[k + 1:])
            else:
                self._scan.append((attr_id, tests))
        if rest:
            self._rest.add(self._match_ids[attr_id], rest)

    def _file(self, columns: Iterable[int], keys: list[tuple[int, ...]], attr_id: int, tests: tuple[Any, ...]) -> None:
        columns = tuple(columns)
        table = self._tables.get(columns)
        if table is None:
            table = self._tables[columns] = {}
            # A row's key, read in C: a value for one column, a tuple for several (as the keys are stored).
            self._getters.append((operator.itemgetter(*columns), table))
        for key in keys:
            table.setdefault(key[0] if len(key) == 1 else key, []).append((attr_id, tests))

    def _compile(self, pattern: Any) -> _Compiled | None:
        """A one-token pattern as lookups and tests; None where only the Matcher can run it."""
        if not isinstance(pattern, list) or len(pattern) != 1 or not isinstance(pattern[0], dict):
            return None
        equal: list[tuple[int, int]] = []
        tests: list[tuple[int, str, Any]] = []
        for key, value in pattern[0].items():
            name = key.upper() if isinstance(key, str) else None
            if name == "TEXT":
                name = "ORTH"
            if name not in _COLUMNS:
                return None
            column = _COLUMNS.index(name)
            if name in FLAG_ATTRS:
                if not isinstance(value, bool):
                    return None
                equal.append((column, int(value)))
            elif isinstance(value, str):
                equal.append((column, self.vocab.strings.add(value)))
            elif isinstance(value, dict) and len(value) == 1:
                ((op, arg),) = value.items()
                if op in {"IN", "NOT_IN"} and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
                    tests.append((column, op, frozenset(self.vocab.strings.add(a) for a in arg)))
                elif op == "REGEX" and isinstance(arg, str):
                    tests.append((column, op, re.compile(arg)))
                else:
                    return None
            else:
                return None
        equal.sort()
        return tuple(equal), tuple(tests)

    def _passes(self, row: list[int], tests: tuple[Any, ...]) -> bool:
        for column, op, arg in tests:
            value = row[column]
            if op == "IN":
                if value not in arg:
                    return False
            elif op == "NOT_IN":
                if value in arg:
                    return False
            elif not arg.search(self.vocab.strings[value]):  # REGEX, on the attribute's text as spaCy does
                return False
        return True

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """The parent's matches, in the parent's order: (attr_id, match_id, start, end), sorted."""
        from spacy.attrs import IDS

        strings, match_ids = self.vocab.strings, self._match_ids
        found: list[tuple[int, int, int, int]] = []
        if len(doc):
            rows = doc.to_array([IDS[c] for c in _COLUMNS]).tolist()
            for i, row in enumerate(rows):
                for getter, table in self._getters:
                    hits = table.get(getter(row))
                    if hits:
                        for attr_id, tests in hits:
                            if not tests or self._passes(row, tests):
                                found.append((attr_id, match_ids[attr_id], i, i + 1))
                for attr_id, tests in self._scan:
                    if self._passes(row, tests):
                        found.append((attr_id, match_ids[attr_id], i, i + 1))
        if len(self._rest):
            found += [(int(strings[m_id]), m_id, s, e)
                      for m_id, s, e in self._rest(doc, allow_missing=True, as_spans=False)]
        found.sort()
        return found


    def set_annotations(self, doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
        """The parent's, without a Span per match: the token at the pattern's index gets its attributes."""
        attrs, indices = self.attrs, self.indices
        for attr_id, _, start, end in matches:
            index = indices[attr_id]
            position = start + index if index >= 0 else end + index
            if not start <= position < end:
                super().set_annotations(doc, [(attr_id, _, start, end)])  # raises the parent's error
            set_token_attrs(doc[position], attrs[attr_id])


@Language.factory(FACTORY, default_config={"validate": False},
                  default_score_weights={"tag_acc": 1.0, "pos_acc": 1.0, "morph_acc": 1.0, "lemma_acc": 1.0})
def make_compiled_attribute_ruler(nlp: Language, name: str, validate: bool) -> CompiledAttributeRuler:
    return CompiledAttributeRuler(nlp.vocab, name, validate=validate)


def compile_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> bool:
    """Replace spaCy's attribute ruler `name` in `nlp` by a :class:`CompiledAttributeRuler` with the same
    patterns, in place; returns whether there was one to replace."""
    if name not in nlp.pipe_names or type(nlp.get_pipe(name)) is not AttributeRuler:
        return False
    patterns = nlp.get_pipe(name).patterns
    compiled = nlp.replace_pipe(name, FACTORY)
    compiled.add_patterns(patterns)
    return True
