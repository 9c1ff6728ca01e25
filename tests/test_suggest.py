"""Active learning: `coder suggest` picks uncertain, diverse, unlabelled sentences; `coder labels import` adds
the labelled ones back as a batch."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from coder.cli import app
from coder.suggest import SUGGEST_COLUMNS, diverse

runner = CliRunner()

CORPUS = [
    {"id": "a", "text": "The foreign ministers of Chile and Peru met in Lima on Monday. Gunmen attacked a bus near "
                        "Quetta, killing six. Prices of rice rose again in the capital. Officials said the talks "
                        "were useful. The army said it was ready."},
    {"id": "b", "text": "The foreign ministers of Chile and Peru met in Lima on Monday. Kenya accused Uganda of "
                        "arming rebels. The minister spoke to reporters after the session."},
]


def _corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in CORPUS) + "\n", encoding="utf-8")
    return path


def test_diverse_drops_near_duplicates() -> None:
    texts = ["Gunmen attacked a bus near Quetta on Monday.", "Gunmen attacked a bus near Quetta on Tuesday.",
             "Kenya accused Uganda of arming rebels."]
    assert diverse(texts, [0, 1, 2], 3) == [0, 2]
    assert diverse(texts, [2, 0, 1], 1) == [2]


def test_suggest_writes_uncertain_unlabelled_unique_sentences(tmp_path: Path, model_dir: Path) -> None:
    labels = tmp_path / "labels" / "train"
    labels.mkdir(parents=True)
    out = tmp_path / "to_label.csv"
    # a sentence already labelled is never suggested
    known = {"id": "k-1", "text": "Kenya accused Uganda of arming rebels.", "label": "accuse", "cameo_code": "112",
             "source": None, "target": None, "written_in": "k"}
    (labels / "k.jsonl").write_text(json.dumps(known) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["suggest", str(_corpus(tmp_path)), "-o", str(out), "-n", "4", "--model",
                                 str(model_dir), "--labels", str(tmp_path / "labels")])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == SUGGEST_COLUMNS
    assert 1 <= len(rows) <= 4
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)
    assert "Kenya accused Uganda of arming rebels." not in texts
    margins = [float(r["margin"]) for r in rows]
    assert all(0.0 <= m <= 1.0 for m in margins)
    assert all(r["label"] == "" for r in rows)


def _filled(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "filled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SUGGEST_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in SUGGEST_COLUMNS})
    return path


def test_labels_import_adds_a_checked_batch(tmp_path: Path) -> None:
    (tmp_path / "labels" / "train").mkdir(parents=True)
    filled = _filled(tmp_path, [
        {"id": "a:2", "text": "Gunmen attacked a bus near Quetta, killing six.", "label": "attack",
         "source_text": "Gunmen", "source_code": "PAKINS", "target_text": "a bus", "target_code": "PAKCVL"},
        {"id": "a:3", "text": "Prices of rice rose again in the capital.", "label": "none"},
        {"id": "a:4", "text": "Officials said the talks were useful.", "label": ""},  # not labelled yet
    ])
    result = runner.invoke(app, ["labels", "import", str(filled), "--batch", "al1", "--labels",
                                 str(tmp_path / "labels")])
    assert result.exit_code == 0, result.output
    batch = tmp_path / "labels" / "train" / "al1.jsonl"
    records = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines()]
    assert [r["label"] for r in records] == ["attack", "none"]
    assert records[0]["cameo_code"] == "190" and records[0]["source"]["start"] == 0
    assert records[0]["target"] == {"text": "a bus", "start": 16, "end": 21, "code": "PAKCVL"}
    check = runner.invoke(app, ["labels", "check", str(tmp_path / "labels")])
    assert check.exit_code == 0, check.output
    # a second import under the same name never overwrites the batch
    again = runner.invoke(app, ["labels", "import", str(filled), "--batch", "al1", "--labels",
                                str(tmp_path / "labels")])
    assert again.exit_code != 0 and "already exists" in again.output


def test_labels_import_bad_rows_name_the_line_and_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "labels" / "train").mkdir(parents=True)
    filled = _filled(tmp_path, [
        {"id": "a:2", "text": "Gunmen attacked a bus near Quetta.", "label": "attack"},
        {"id": "a:3", "text": "Kenya accused Uganda.", "label": "accuse", "source_text": "Tanzania",
         "source_code": "TZA"},
    ])
    result = runner.invoke(app, ["labels", "import", str(filled), "--batch", "al2", "--labels",
                                 str(tmp_path / "labels")])
    assert result.exit_code != 0
    assert "filled.csv:3" in result.output and "not in the sentence" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "labels" / "train" / "al2.jsonl").exists()
    bad_label = _filled(tmp_path, [{"id": "x", "text": "Talks were held in Doha.", "label": "talks"}])
    result = runner.invoke(app, ["labels", "import", str(bad_label), "--batch", "al3", "--labels",
                                 str(tmp_path / "labels")])
    assert result.exit_code != 0 and "unknown label" in result.output
