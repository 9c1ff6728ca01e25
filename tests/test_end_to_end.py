"""End to end: the bundled sample corpus and the real scraped seeds through the whole coder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coder.cameo import CODE_CLASS
from coder.export import read_table
from coder.jobs import code_corpus

from conftest import SEEDS

pytestmark = [pytest.mark.spacy_model, pytest.mark.slow]


@pytest.fixture(scope="module")
def sample_tables(tmp_path_factory, model, nlp, root):
    out = tmp_path_factory.mktemp("sample")
    summary = code_corpus([root / "corpus" / "sample"], out / "events.parquet", model=model,
                          dyads=out / "dyads.csv", period="month", nlp=nlp)
    return summary, read_table(out / "events.parquet"), read_table(out / "dyads.csv")


def test_sample_corpus_gives_every_event_class(sample_tables) -> None:
    summary, events, dyads = sample_tables
    assert summary.documents >= 30
    assert set(events["event"]) == {"meet", "consult", "accuse", "attack"}
    assert len(events) == summary.events
    # Codes are strings of the right class, never numbers.
    for event, code in zip(events["event"], events["cameo_code"]):
        assert isinstance(code, str) and CODE_CLASS[code] == event
    assert events["event_id"].is_unique
    # Most events have at least one coded actor with a country.
    has_country = (events["source_country"] != "") | (events["target_country"] != "")
    assert has_country.mean() > 0.5  # measured 0.58 on 2026-11-22; a regression guard


def test_sample_dyads_add_up(sample_tables) -> None:
    _, events, dyads = sample_tables
    unique = events[events["duplicate_of"] == ""]
    assert dyads["events"].sum() == len(unique)
    assert dyads["goldstein_sum"].sum() == pytest.approx(unique["goldstein"].sum(), abs=0.01)


def test_sample_dates_come_from_articles(sample_tables) -> None:
    _, events, _ = sample_tables
    dated = events[events["date"] != ""]
    assert len(dated) > 0
    assert dated["date"].str.match(r"^20(19|2[0-4])-\d\d-\d\d$").all()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
def test_seeds_kurilla_munir_meeting(tmp_path: Path, model, nlp) -> None:
    summary = code_corpus([SEEDS], tmp_path / "events.csv", model=model, nlp=nlp)
    events = read_table(tmp_path / "events.csv")
    assert summary.documents == 5
    meetings = events[(events["doc_id"].isin(["000_b23810ef5cfa4c20", "001_1b4b6f2944d5e155"]))
                      & (events["event"] == "meet") & (events["date"] == "2023-07-24")
                      & (events["source_country"] == "USA") & (events["target_country"] == "PAK")]
    assert len(meetings) >= 1, events[["sentence_id", "event", "source_code", "target_code", "sentence"]]
    kurilla = meetings[meetings["sentence"].str.contains("Kurilla")]
    assert len(kurilla) >= 1
    assert set(kurilla["source_code"]) == {"USAMIL"}
    assert set(kurilla["target_code"]) == {"PAKMIL"}
    for text in events["sentence"]:
        assert "Short Url" not in text and "Photo courtesy" not in text


def test_default_model_is_trained_once_and_reproducible(tmp_path: Path, root: Path) -> None:
    from coder.train import DEFAULT_MODEL_DIR, default_model

    project = tmp_path / "project"
    (project / "experiments").mkdir(parents=True)
    for split in ("train", "dev", "test"):  # every 4th sentence: the mechanism, not the data, is under test
        (project / "labels" / split).mkdir(parents=True)
        for path in (root / "labels" / split).glob("*.jsonl"):
            lines = path.read_text(encoding="utf-8").splitlines()[::4]
            (project / "labels" / split / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(root / "experiments" / "default.toml", project / "experiments" / "default.toml")
    messages: list[str] = []
    first = default_model(project, notify=messages.append)
    assert (project / DEFAULT_MODEL_DIR / "classifier.joblib").is_file()
    assert len(messages) == 1 and "training" in messages[0]
    second = default_model(project, notify=messages.append)
    assert len(messages) == 1  # loaded, not retrained
    texts = ["Pakistan accused India of shelling.", "The leaders met in Rome.", "Prices rose."]
    assert (first.predict_proba(texts) == second.predict_proba(texts)).all()
    shutil.rmtree(project / DEFAULT_MODEL_DIR)
    third = default_model(project)
    assert (first.predict_proba(texts) == third.predict_proba(texts)).all()
