"""Crashes and resumption: a run killed at any moment, then resumed, codes every sentence exactly once and writes
the same table as a run that was never interrupted."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coder.cli import app
from coder.errors import EXIT_INTERRUPTED
from coder.export import read_table

runner = CliRunner()

#: The CLI in a fresh interpreter, with small chunks so that a short corpus has many checkpoints.
_SMALL_CHUNKS = "import sys; import coder.jobs as j; j.CHUNK_DOCUMENTS = 4; from coder.cli import app; app()"


def _corpus(root: Path, path: Path, copies: int) -> Path:
    """The sample articles, `copies` times over (new ids), as one JSONL file."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "corpus" / "sample").glob("*.txt"))]
    with path.open("w", encoding="utf-8") as fh:
        for k in range(copies):
            for i, text in enumerate(texts):
                fh.write(json.dumps({"id": f"c{k}-{i}", "date": f"2024-0{1 + k % 9}-1{i % 10}", "text": text}) + "\n")
    return path


def _journal(out: Path) -> Path:
    return out.parent / f".{out.name}.coder-resume"


def _done(out: Path) -> int:
    try:
        return int(json.loads((_journal(out) / "state.json").read_text())["documents"])
    except (OSError, ValueError, KeyError):
        return -1


@pytest.mark.spacy_model
@pytest.mark.slow
def test_kill_9_at_random_points_then_resume(tmp_path: Path, model_dir: Path, root: Path) -> None:
    corpus = _corpus(root, tmp_path / "corpus.jsonl", copies=2)
    reference = tmp_path / "reference.csv"
    args = [str(corpus), "--model", str(model_dir), "--all-sentences", "--dyads"]
    ok = runner.invoke(app, ["code", str(corpus), "-o", str(reference), "--model", str(model_dir), "--all-sentences",
                             "--dyads", str(tmp_path / "reference_dyads.csv")])
    assert ok.exit_code == 0, ok.stderr

    out, dyads = tmp_path / "events.csv", tmp_path / "dyads.csv"
    cmd = [sys.executable, "-c", _SMALL_CHUNKS, "code", "-o", str(out), *args, str(dyads)]
    rng = random.Random(2026)
    killed_at = []
    for attempt in range(3):
        start = _done(out) if attempt else -1
        proc = subprocess.Popen(cmd + (["--resume"] if attempt else []), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while proc.poll() is None and _done(out) <= max(start, 0) and time.monotonic() < deadline:
            time.sleep(0.01)  # until this run has finished a chunk of its own
        time.sleep(rng.uniform(0.0, 0.4))  # then somewhere inside a later chunk, or while writing
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at.append(_done(out))
        assert not out.exists() or proc.returncode == 0  # killed: no table, never half of one
    assert max(killed_at) > 0, killed_at  # at least one kill left work to resume

    final = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert dyads.read_bytes() == (tmp_path / "reference_dyads.csv").read_bytes()
    table = read_table(out)
    assert table["event_id"].is_unique  # every sentence coded once (a row each with --all-sentences)
    assert set(table["sentence_id"]) == set(read_table(reference)["sentence_id"])
    assert not _journal(out).exists()


@pytest.mark.spacy_model
def test_interrupted_run_keeps_its_journal_and_resumes(tmp_path: Path, model_dir: Path, root: Path,
                                                       monkeypatch) -> None:
    from coder import jobs

    monkeypatch.setattr(jobs, "CHUNK_DOCUMENTS", 3)
    corpus = _corpus(root, tmp_path / "corpus.jsonl", copies=1)
    reference, out = tmp_path / "reference.jsonl", tmp_path / "events.jsonl"
    base = [str(corpus), "--model", str(model_dir)]
    assert runner.invoke(app, ["code", *base, "-o", str(reference)]).exit_code == 0

    real = jobs.code_chunk
    calls = {"n": 0}

    def flaky(*a, **k):  # Ctrl-C while the fourth chunk is being coded
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(jobs, "code_chunk", flaky)
    result = runner.invoke(app, ["code", *base, "-o", str(out)])
    assert result.exit_code == EXIT_INTERRUPTED
    assert "--resume" in result.stderr
    assert not out.exists() and _done(out) == 9  # three chunks of three documents are safe
    with (_journal(out) / "rows.jsonl").open("ab") as fh:  # as a kill in the middle of writing a row leaves it
        fh.write(b'{"event_id": "c0-9:1:e1", "doc_id": "c0-9", "sent')

    monkeypatch.setattr(jobs, "code_chunk", real)
    result = runner.invoke(app, ["code", *base, "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.stderr
    assert "resumed after 9 documents" in result.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert not _journal(out).exists()


@pytest.mark.spacy_model
def test_resume_refuses_changed_inputs_and_starts_afresh_without_a_journal(tmp_path: Path, model_dir: Path,
                                                                          root: Path, monkeypatch) -> None:
    from coder import jobs

    corpus = _corpus(root, tmp_path / "corpus.jsonl", copies=1)
    out = tmp_path / "events.csv"
    base = [str(corpus), "--model", str(model_dir), "-o", str(out)]

    result = runner.invoke(app, ["code", *base, "--resume"])  # nothing to resume: a normal run
    assert result.exit_code == 0, result.stderr
    assert "resumed" not in result.stderr

    monkeypatch.setattr(jobs, "code_chunk", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    assert runner.invoke(app, ["code", *base]).exit_code == EXIT_INTERRUPTED
    assert _journal(out).exists()
    with corpus.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "late", "text": "Kenya accused Uganda of shelling."}) + "\n")
    result = runner.invoke(app, ["code", *base, "--resume"])
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "cannot resume" in lines[0] and str(out) in lines[0]
    assert _journal(out).exists()  # kept: the user may put the inputs back

    (_journal(out) / "state.json").write_text("{not json")
    monkeypatch.undo()
    result = runner.invoke(app, ["code", *base, "--resume"])
    assert result.exit_code == 2 and "damaged" in result.stderr
    result = runner.invoke(app, ["code", *base])  # without --resume: starts over
    assert result.exit_code == 0, result.stderr
    assert not _journal(out).exists()
