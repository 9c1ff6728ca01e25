"""Bad input, table-driven through the CLI: one clear line naming the file (and line), the right exit status, and
nothing half-written. Where one record or file of several is bad, the rest is coded and the bad one is listed in
the rejects file (exit status 4)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coder.cli import app
from coder.errors import EXIT_REJECTS
from coder.export import read_table

runner = CliRunner()

GOOD = "Pakistan accused India of shelling villages in Kashmir. The weather was mild."


def _jsonl(*records: dict) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def _good(i: int) -> dict:
    return {"id": f"g{i}", "date": "2023-07-24", "text": GOOD}


@dataclass
class Case:
    """`files` are written under the case's folder; `args` may name {dir}, {model} and {out}."""

    name: str
    files: dict[str, bytes]
    args: list[str]
    status: int
    needle: str  # in the one error line (fatal) or in the rejects file's error (rejects)
    where: str = ""  # "file:line" (or "file") the error must name
    setup: Callable[[Path], None] | None = None
    report: bool = False  # a validation report: one line per problem, then a count (not "error: ...")
    rejected: int = 1  # records listed in the rejects file


def _chmod_readonly(folder: Path) -> None:
    (folder / "ro").mkdir()
    os.chmod(folder / "ro", 0o555)


CODE = ["code", "{dir}/in", "-o", "{out}", "--model", "{model}", "--all-sentences"]

FATAL = [
    Case("empty txt", {"in/a.txt": b""}, CODE, 2, "empty", "a.txt"),
    Case("empty jsonl", {"in/a.jsonl": b"\n\n"}, CODE, 2, "empty", "a.jsonl"),
    Case("empty csv", {"in/a.csv": b""}, CODE, 2, "empty", "a.csv"),
    Case("empty folder", {"in/.keep/x": b""}, CODE, 2, "no .txt", "in"),
    Case("binary file", {"in/a.txt": b"\x00\x01\x02\x03binary" * 50}, CODE, 2, "binary", "a.txt"),
    Case("latin-1 text", {"in/a.txt": "Caf\xe9 talks in Bogot\xe1 ended.".encode("latin-1")}, CODE, 2, "UTF-8",
         "a.txt:1"),
    Case("utf-16 with bom", {"in/a.txt": "Talks ended in Geneva.".encode("utf-16")}, CODE, 2, "UTF-16", "a.txt"),
    Case("50 MB single-line article", {"in/a.jsonl": _jsonl({"id": "big", "text": "Talks went on. " * 3_500_000})},
         CODE, 2, "limit is 1,000,000", "a.jsonl:1"),
    Case("csv without text column", {"in/a.csv": b"id,body\n1,Pakistan accused India.\n"}, CODE, 2,
         "missing column 'text'", "a.csv:1"),
    Case("every line broken", {"in/a.jsonl": b'{"id": "1", "text": \n{"id": 2\n'}, CODE, 2, "malformed JSON",
         "a.jsonl:1"),
    Case("unknown input type", {"in/a.xlsx": b"PK\x03\x04"}, ["code", "{dir}/in/a.xlsx", "-o", "{out}", "--model",
                                                               "{model}"], 2, "unknown input type", "a.xlsx"),
    Case("missing input", {}, ["code", "{dir}/nothing.jsonl", "-o", "{out}", "--model", "{model}"], 2,
         "no such file", "nothing.jsonl"),
    Case("output in a missing folder", {"in/a.jsonl": _jsonl(_good(1))},
         ["code", "{dir}/in", "-o", "{dir}/nope/e.csv", "--model", "{model}"], 2, "output folder does not exist",
         "e.csv"),
    Case("output without permission", {"in/a.jsonl": _jsonl(_good(1))},
         ["code", "{dir}/in", "-o", "{dir}/ro/e.csv" if os.geteuid() != 0 else "/proc/e.csv", "--model", "{model}"],
         2, "cannot write in the output folder", "e.csv", setup=_chmod_readonly),
    Case("output is a folder", {"in/a.jsonl": _jsonl(_good(1)), "out.csv/x": b""},
         ["code", "{dir}/in", "-o", "{dir}/out.csv", "--model", "{model}"], 2, "is a folder", "out.csv"),
    Case("unknown output extension", {"in/a.jsonl": _jsonl(_good(1))},
         ["code", "{dir}/in", "-o", "{dir}/e.xlsx", "--model", "{model}"], 2, "unknown output extension", "e.xlsx"),
    Case("unknown period", {"in/a.jsonl": _jsonl(_good(1))},
         ["code", "{dir}/in", "-o", "{out}", "--model", "{model}", "--period", "fortnight"], 2, "unknown period"),
    Case("corrupt model file", {"in/a.jsonl": _jsonl(_good(1))}, CODE, 3, "corrupt model file", "model",
         setup=lambda d: (d / "model" / "classifier.joblib").write_bytes(b"not a joblib file\x00" * 20)),
    Case("truncated model file", {"in/a.jsonl": _jsonl(_good(1))}, CODE, 3, "corrupt model file", "model",
         setup=lambda d: (d / "model" / "classifier.joblib").write_bytes(
             (d / "model" / "classifier.joblib").read_bytes()[:2000])),
    Case("model from an incompatible coder", {"in/a.jsonl": _jsonl(_good(1))}, CODE, 3, "retrain", "model",
         setup=lambda d: (d / "model" / "meta.json").write_text(json.dumps(
             dict(json.loads((d / "model" / "meta.json").read_text()), model_format=99, coder_version="9.0")))),
    Case("labels with bad offsets", {"labels/train/b.jsonl": _jsonl(
        {"id": "x-1", "text": "India accused Pakistan.", "label": "accuse", "cameo_code": "112",
         "source": {"text": "India", "start": 3, "end": 8, "code": "IND"}, "target": None, "written_in": "x"})},
        ["labels", "check", "{dir}/labels"], 1, "offsets", "b.jsonl:1", report=True),
    Case("unreachable tracking store", {}, ["train", "--tracking-uri", "http://127.0.0.1:9", "--config",
                                            "{dir}/c.toml"], 2, "unreachable",
         setup=lambda d: (d / "c.toml").write_text('[experiment]\nname = "x"\n')),
    Case("config with an unknown key", {"c.toml": b"[classifier]\nlearning_rate = 0.1\n"},
         ["train", "--config", "{dir}/c.toml", "--no-mlflow"], 2, "unknown key 'learning_rate'", "c.toml"),
    Case("malformed config", {"c.toml": b"[classifier\nC = 1\n"}, ["train", "--config", "{dir}/c.toml",
                                                                 "--no-mlflow"], 2, "malformed TOML", "c.toml:1"),
]

REJECTS = [
    Case("jsonl with a broken line in the middle", {"in/a.jsonl": _jsonl(_good(1)) + b'{"id": "x", "text": \n'
                                                    + _jsonl(_good(2))}, CODE, EXIT_REJECTS, "malformed JSON",
         "a.jsonl:2"),
    Case("duplicate ids", {"in/a.jsonl": _jsonl(_good(1), dict(_good(1), text="Kenya met Uganda."), _good(2))},
         CODE, EXIT_REJECTS, "duplicate id 'g1'", "a.jsonl:2"),
    Case("impossible date", {"in/a.jsonl": _jsonl(_good(1), dict(_good(3), date="2023-02-30"), _good(2))}, CODE,
         EXIT_REJECTS, "cannot read date", "a.jsonl:2"),
    Case("relative date", {"in/a.jsonl": _jsonl(_good(1), dict(_good(3), date="yesterday"), _good(2))}, CODE,
         EXIT_REJECTS, "cannot read date", "a.jsonl:2"),
    Case("csv with a ragged row", {"in/a.csv": f"id,text\ng1,{GOOD}\nx,a,b\ng2,{GOOD}\n".encode()}, CODE,
         EXIT_REJECTS, "3 fields", "a.csv:3"),
    Case("csv with an unquoted newline", {"in/a.csv": f'id,text,date\ng1,"{GOOD}",2023-07-24\nx,Talks\nended,'
                                                      f'2023-07-24\ng2,"{GOOD}",2023-07-24\n'.encode()},
         CODE, EXIT_REJECTS, "fields", "a.csv:3", rejected=2),  # both halves of the broken row
    Case("a non-UTF-8 line", {"in/a.jsonl": _jsonl(_good(1)) + '{"id": "x", "text": "Bogot\xe1"}\n'.encode("latin-1")
                              + _jsonl(_good(2))}, CODE, EXIT_REJECTS, "UTF-8", "a.jsonl:2"),
    Case("a missing field", {"in/a.jsonl": _jsonl(_good(1), {"id": "x"}, _good(2))}, CODE, EXIT_REJECTS,
         "missing column 'text'", "a.jsonl:2"),
    Case("a binary file among articles", {"in/a.jsonl": _jsonl(_good(1), _good(2)), "in/b.txt": b"\x00\xff" * 99},
         CODE, EXIT_REJECTS, "binary", "b.txt"),
    Case("an over-long article among others", {"in/a.jsonl": _jsonl(_good(1), {"id": "big", "text": "x " * 600_000},
                                                                     _good(2))},
         CODE, EXIT_REJECTS, "limit", "a.jsonl:2"),
]


def _run(case: Case, tmp_path: Path, model_dir: Path):
    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    for name, data in case.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if case.setup is not None:
        case.setup(tmp_path)
    before = {p for p in tmp_path.rglob("*")}
    args = [a.format(dir=tmp_path, model=model, out=tmp_path / "events.csv") for a in case.args]
    result = runner.invoke(app, args)
    made = {p for p in tmp_path.rglob("*")} - before
    return result, made


@pytest.mark.spacy_model
@pytest.mark.parametrize("case", FATAL, ids=[c.name for c in FATAL])
def test_fatal_bad_input(case: Case, tmp_path: Path, model_dir: Path) -> None:
    result, made = _run(case, tmp_path, model_dir)
    assert result.exit_code == case.status, result.stderr
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    if case.report:
        assert lines[1:] == ["1 problem(s)"], result.stderr
    else:
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert case.needle in lines[0], lines[0]
    if case.where:
        assert f"{case.where}:" in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert made == set(), made  # no output, no temporary file, no journal, no rejects file


@pytest.mark.spacy_model
@pytest.mark.parametrize("case", REJECTS, ids=[c.name for c in REJECTS])
def test_bad_record_is_rejected_and_the_rest_coded(case: Case, tmp_path: Path, model_dir: Path) -> None:
    result, made = _run(case, tmp_path, model_dir)
    assert result.exit_code == case.status, result.stderr
    assert "Traceback" not in result.output
    events, rejects = tmp_path / "events.csv", tmp_path / "events.rejects.jsonl"
    assert made == {events, rejects}, made  # the table and the rejects, nothing half-written
    table = read_table(events)
    assert {"g1", "g2"} <= set(table["doc_id"])  # the good records around the bad one were coded
    listed = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert len(listed) == case.rejected, listed
    file, _, line = case.where.partition(":")
    assert listed[0]["file"].endswith(file) and listed[0]["line"] == (int(line) if line else None)
    assert case.needle in listed[0]["error"]
    assert "skipped" in result.stderr and str(rejects) in result.stderr


def test_there_are_at_least_25_cases() -> None:
    assert len(FATAL) + len(REJECTS) >= 25


@pytest.mark.spacy_model
def test_csv_with_quoted_newlines_is_good_input(tmp_path: Path, model_dir: Path) -> None:
    """A newline inside a quoted CSV field is part of the text, not a broken row."""
    src = tmp_path / "a.csv"
    src.write_text(f'id,text,date\ng1,"{GOOD}\nA second paragraph followed.",2023-07-24\ng2,"{GOOD}",2023-07-25\n',
                   encoding="utf-8")
    out = tmp_path / "events.csv"
    result = runner.invoke(app, ["code", str(src), "-o", str(out), "--model", str(model_dir), "--all-sentences"])
    assert result.exit_code == 0, result.stderr
    table = read_table(out)
    assert set(table["doc_id"]) == {"g1", "g2"}
    assert "g1:3" in set(table["sentence_id"])  # the paragraph after the quoted newline is its own sentence
    assert not (tmp_path / "events.rejects.jsonl").exists()
