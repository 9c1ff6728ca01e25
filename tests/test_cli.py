"""The command line, through typer's CliRunner on tiny inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coder.cli import app
from coder.export import read_table

runner = CliRunner()


def _commands(typer_app: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for cmd in typer_app.registered_commands:
        out.append((*prefix, cmd.name or cmd.callback.__name__))
    for group in typer_app.registered_groups:
        out.extend(_commands(group.typer_instance, (*prefix, group.name)))
    return out


@pytest.mark.parametrize("command", _commands(app))
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    text = result.output.split("Options")[0]
    assert len(text.split("\n")) > 3  # a description, not just the usage line


def test_every_command_has_a_docstring() -> None:
    for cmd in app.registered_commands:
        assert cmd.callback.__doc__ and cmd.callback.__doc__.strip()


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.spacy_model
def test_code_jsonl_to_csv_and_dyads(tmp_path: Path, model_dir: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [
        {"id": "a1", "date": "2023-07-24", "text": "Pakistan accused India of shelling villages in Kashmir. "
                                                   "The weather was mild."},
        {"id": "a2", "date": "2023-07-25", "text": "The Kenyan president telephoned his Ugandan counterpart."},
    ])
    events, dyads = tmp_path / "events.csv", tmp_path / "dyads.csv"
    result = runner.invoke(app, ["code", str(src), "-o", str(events), "--dyads", str(dyads), "--period", "day",
                                 "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    table = read_table(events)
    assert set(table["sentence_id"]) <= {"a1:1", "a1:2", "a2:1"}
    row = table.set_index("sentence_id").loc["a1:1"]
    assert row["event"] == "accuse"
    assert row["cameo_code"] == "112"
    assert (row["source_country"], row["target_country"]) == ("PAK", "IND")
    assert "a1:2" not in set(table["sentence_id"])  # none is left out by default
    d = read_table(dyads)
    assert set(d["period"]) <= {"2023-07-24", "2023-07-25"}
    assert d["events"].sum() == len(table)


@pytest.mark.spacy_model
def test_all_sentences_and_no_split(tmp_path: Path, model_dir: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [{"id": "s1", "text": "The weather was mild. It rained later."}])
    out = tmp_path / "e.jsonl"
    result = runner.invoke(app, ["code", str(src), "-o", str(out), "--all-sentences", "--no-split",
                                 "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["sentence_id"] for r in rows] == ["s1:1"]
    assert rows[0]["event"] == "none"


def test_labels_check_reports_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "labels" / "train"
    folder.mkdir(parents=True)
    good = {"id": "x-1", "text": "Pakistan accused India.", "label": "accuse", "cameo_code": "112",
            "source": {"text": "Pakistan", "start": 0, "end": 8, "code": "PAK"}, "target": None, "written_in": "x"}
    bad = dict(good, id="x-2", text="India accused Pakistan.",
               source={"text": "India", "start": 3, "end": 8, "code": "IND"})
    _jsonl(folder / "b.jsonl", [good, bad])
    result = runner.invoke(app, ["labels", "check", str(tmp_path / "labels")])
    assert result.exit_code == 1
    assert "b.jsonl:2:" in result.stderr and "offsets" in result.stderr


def test_labels_check_passes_on_project_labels(root: Path) -> None:
    result = runner.invoke(app, ["labels", "check", str(root / "labels")])
    assert result.exit_code == 0, result.stderr


def test_train_unknown_config_key(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[classifier]\nkind = 'logreg'\nlearning_rate = 0.1\n")
    result = runner.invoke(app, ["train", "--config", str(cfg), "--no-mlflow"])
    assert result.exit_code != 0
    assert "learning_rate" in result.stderr and "bad.toml" in result.stderr


@pytest.mark.spacy_model
def test_code_without_terminal_prints_only_the_summary(tmp_path: Path, model_dir: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [{"id": "1", "text": "Pakistan accused India of shelling villages."}])
    result = runner.invoke(app, ["code", str(src), "-o", str(tmp_path / "e.csv"), "--model", str(model_dir)])
    assert result.exit_code == 0
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("1 documents, 1 sentences")
    assert result.stdout == ""


@pytest.mark.spacy_model
def test_n_process_gives_the_same_table(tmp_path: Path, model_dir: Path, root: Path, monkeypatch) -> None:
    from coder import jobs

    monkeypatch.setattr(jobs, "CHUNK_DOCUMENTS", 2)  # several chunks in flight, so both workers code some
    sample = root / "corpus" / "sample" / "wire_briefs.jsonl"
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert runner.invoke(app, ["code", str(sample), "-o", str(one), "--model", str(model_dir)]).exit_code == 0
    result = runner.invoke(app, ["code", str(sample), "-o", str(two), "--model", str(model_dir), "--n-process", "2",
                                 "--batch-size", "4"])
    assert result.exit_code == 0, result.stderr
    assert one.read_text() == two.read_text()


@pytest.mark.spacy_model
def test_spawned_workers_give_the_same_table(tmp_path: Path, model_dir: Path, root: Path, monkeypatch,
                                             caplog) -> None:
    """Where the platform cannot fork (macOS, Windows), workers are spawned and load their own pipeline."""
    from coder import jobs

    monkeypatch.setattr(jobs, "START_METHOD", "spawn")
    monkeypatch.setattr(jobs, "CHUNK_DOCUMENTS", 2)  # several chunks, so both workers code some
    sample = root / "corpus" / "sample" / "wire_briefs.jsonl"
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert runner.invoke(app, ["code", str(sample), "-o", str(one), "--model", str(model_dir)]).exit_code == 0
    with caplog.at_level("INFO", logger="coder.jobs"):
        result = runner.invoke(app, ["code", str(sample), "-o", str(two), "--model", str(model_dir),
                                     "--n-process", "2"])
    assert result.exit_code == 0, result.stderr
    assert "coding in 2 spawn worker processes" in caplog.text
    assert one.read_text() == two.read_text()
