"""Fuzzing with hypothesis: the reader, the rules, the actor resolver, the whole coder and the exporters on
arbitrary text never raise; ids stay unique and CAMEO codes stay strings. Examples tried per run: reader 150,
rules and actors 300, coder 100, exporters 4 x 60 (plus the splitter's and cleaner's in test_corpus.py)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.cameo import CODE_CLASS

#: News words (event words, actors, places, modals, negation) mixed with arbitrary text: random unicode alone
#: rarely reaches the rules and the actor resolver.
WORDS = ["Pakistan", "India", "accused", "met", "talks", "attacked", "killed", "the", "army", "minister", "of",
         "in", "Kabul", "rebels", "with", "by", "not", "will", "said", "phone", "called", "on", "U.S.", "and",
         "'s", ",", ".", '"', "Taliban", "president", "visited", "bombed", "condemned", "held", "between", "-",
         "ISIS", "police", "who", "after", "did", "n't", "shook", "hands", "summoned", "envoy", "its", "them"]
SENTENCE = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map(" ".join),
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=20).map(" ".join),
)
_COUNTRY = re.compile(r"(?:[A-Z]{3})?")


@pytest.mark.spacy_model
@given(SENTENCE)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_rules_and_actor_resolver_never_raise(nlp, text: str) -> None:
    from coder.actors import event_actors, resolve_actor
    from coder.rules import apply_rules, blocker, candidate_triggers, override_possible, rule_possible

    override_possible(text)
    rule_possible(text)
    doc = nlp(text)
    found = candidate_triggers(doc)
    match = apply_rules(doc, found)
    assert match is None or match.event in CODE_CLASS.values() or match.event == "none"
    for tok, rule in found:
        blocker(tok)
        source, target, others = event_actors(tok, rule.event)
        for actor in (source, target, *others, resolve_actor(tok)):
            assert isinstance(actor.code, str) and isinstance(actor.text, str)
            assert _COUNTRY.fullmatch(actor.country), actor


@pytest.mark.spacy_model
@given(st.lists(SENTENCE, min_size=1, max_size=6))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_coder_rows_on_arbitrary_sentences(coder, texts: list[str]) -> None:
    from coder.corpus import Sentence

    sentences = [Sentence(id=f"d{i // 3}:{i % 3 + 1}", doc_id=f"d{i // 3}", text=t, date="2024-01-02")
                 for i, t in enumerate(texts)]
    rows = list(coder.code(sentences, all_sentences=True))
    ids = [r["event_id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert {r["sentence_id"] for r in rows} == {s.id for s in sentences}
    for row in rows:
        assert isinstance(row["cameo_code"], str) and isinstance(row["root_code"], str)
        if row["event"] != "none":
            assert row["cameo_code"] in CODE_CLASS and CODE_CLASS[row["cameo_code"]] == row["event"]


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=4), st.sampled_from([".jsonl", ".csv", ".txt"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_reader_with_rejects_never_raises(tmp_path_factory, blobs: list[bytes], suffix: str) -> None:
    from coder.corpus import read_documents, sentences_of

    folder = tmp_path_factory.mktemp("fuzz")
    for i, blob in enumerate(blobs):
        head = b"id,text\n" if suffix == ".csv" and i % 2 else b""
        (folder / f"f{i}{suffix}").write_bytes(head + blob)
    rejected = []
    docs = list(read_documents([folder], on_reject=rejected.append))
    ids = [d.id for d in docs]
    assert len(ids) == len(set(ids))
    sentence_ids = [s.id for d in docs for s in sentences_of(d)]
    assert len(sentence_ids) == len(set(sentence_ids))
    assert all(e.path and str(folder) in e.path for e in rejected)


ROW_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".tsv"])
@given(st.lists(st.tuples(ROW_TEXT, ROW_TEXT, st.sampled_from(sorted(CODE_CLASS))), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_exporters_keep_ids_and_codes(tmp_path_factory, suffix: str, rows: list[tuple[str, str, str]]) -> None:
    from coder.cameo import goldstein, quad_class, root_code
    from coder.export import EVENT_COLUMNS, TableWriter, read_table

    path = tmp_path_factory.mktemp("export") / f"events{suffix}"
    records = []
    for i, (sentence, actor, code) in enumerate(rows):
        event = CODE_CLASS[code]
        records.append({"event_id": f"d:{i}:e1", "doc_id": "d", "sentence_id": f"d:{i}", "date": "2024-01-02",
                        "source_text": actor, "source_code": "PAKMIL", "source_country": "PAK", "event": event,
                        "cameo_code": code, "root_code": root_code(code), "quad_class": quad_class(event),
                        "goldstein": goldstein(code), "confidence": 0.5, "coded_by": "model", "negated": False,
                        "hypothetical": False, "reported": True, "sentence": sentence})
    with TableWriter(path, EVENT_COLUMNS, "phoenix" if suffix == ".tsv" else None) as writer:
        for record in records:
            writer.write(record)
    if suffix == ".tsv":
        lines = path.read_text(encoding="utf-8").split("\n")
        assert [line.split("\t")[13] for line in lines if line.split("\t")[0].startswith("d:")] == \
            [r["cameo_code"] for r in records]
        return
    table = read_table(path)
    assert list(table["event_id"]) == [r["event_id"] for r in records]
    assert list(table["cameo_code"]) == [r["cameo_code"] for r in records]  # "042" stays "042"
    assert list(table["root_code"]) == [r["root_code"] for r in records]
    def written(text: str) -> str:  # CSV cells carry a carriage return as a line break
        return text.replace("\r\n", "\n").replace("\r", "\n") if suffix == ".csv" else text

    assert list(table["sentence"]) == [written(r["sentence"]) for r in records]
    assert list(table["source_text"]) == [written(r["source_text"]) for r in records]
    assert json.loads(table.to_json(orient="records"))  # loadable as plain records
