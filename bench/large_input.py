"""Large input: ``coder code`` on a 1,000,000-line JSONL file, streamed with flat memory.

    .venv/bin/python bench/large_input.py [--lines 100000,1000000] [--n-process 2]

The input is generated once into ``bench/.cache/`` from the team-written text of the throughput benchmark
(``bench/data/general_news.jsonl`` and ``corpus/sample``): one short record per line (one or two sentences, 15%
political), every number redrawn so that each line brings new strings. Each size is coded by the ``coder``
console script in its own process, as a user runs it (events to CSV, dyads, the journal and rejects as usual);
the script reports wall time, lines and sentences per second, and the peak RSS of the main process and of its
largest worker. Flat memory means the largest size's peak RSS is close to the smallest's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"


def _sentences() -> tuple[list[str], list[str]]:
    """Team-written sentences: general news and political (from the throughput benchmark's sources)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from throughput import _general_texts, _political_texts

    def split(texts: list[str]) -> list[str]:
        out = []
        for text in texts:
            for para in text.split("\n"):
                out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", para) if len(s.split()) >= 6]
        return out

    return split(_general_texts()), split(_political_texts())


def make_input(lines: int, seed: int = 11) -> Path:
    path = CACHE / f"lines-{lines}-{seed}.jsonl"
    if path.exists():
        return path
    general, political = _sentences()
    rng = random.Random(seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            pool = political if rng.random() < 0.15 else general
            text = " ".join(rng.choice(pool) for _ in range(rng.choice((1, 1, 2))))
            text = re.sub(r"\d+", lambda m: "".join(rng.choice("0123456789") for _ in m.group(0)), text)
            day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
            fh.write(json.dumps({"id": f"r{i}", "date": day, "text": text}) + "\n")
    os.replace(tmp, path)
    return path


def run(path: Path, n_process: int) -> dict[str, object]:
    """``coder code`` on `path` in a child process; wall time and peak RSS (the child's and its workers')."""
    coder = str(Path(sys.executable).parent / "coder")
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "s = time.perf_counter() - t\n"
        "own = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'rc': p.returncode, 'seconds': s, 'stderr': p.stderr[-400:], 'rss_kb': own}))\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [coder, "code", str(path), "-o", f"{tmp}/events.csv", "--dyads", f"{tmp}/dyads.csv",
               "--n-process", str(n_process)]
        proc = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, cwd=ROOT)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise SystemExit(f"coder code failed: {result['stderr']}")
    summary = re.search(r"(\d+) documents, (\d+) sentences, (\d+) events", result["stderr"])
    docs, sents, events = (int(x) for x in summary.groups()) if summary else (0, 0, 0)
    # RUSAGE_CHILDREN gives the largest of the probe's descendants that have been waited for: the coder process
    # itself or one of its workers, whichever peaked highest (Linux reports KiB).
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
    return {"lines": docs, "sentences": sents, "events": events, "seconds": round(result["seconds"], 1),
            "lines_per_s": round(docs / result["seconds"]), "sents_per_s": round(sents / result["seconds"]),
            "peak_rss_mb": round(result["rss_kb"] * scale)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", default="100000,1000000", help="input sizes in lines, comma-separated")
    ap.add_argument("--n-process", type=int, default=2, help="worker processes for coder code")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.lines.split(",") if x.strip()]
    results = []
    for n in sizes:
        path = make_input(n)
        row = {"input_mb": round(path.stat().st_size / 1e6), **run(path, args.n_process)}
        results.append(row)
        print(json.dumps(row), file=sys.stderr)
    print(f"# large input ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, --n-process {args.n_process})\n")
    print("| lines | input MB | sentences | events | wall s | lines/s | sentences/s | peak RSS MB (largest process) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['lines']:,} | {r['input_mb']} | {r['sentences']:,} | {r['events']:,} | {r['seconds']} "
              f"| {r['lines_per_s']:,} | {r['sents_per_s']:,} | {r['peak_rss_mb']} |")
    if len(results) >= 2:
        print(f"\n- peak RSS {results[-1]['lines']:,} / {results[0]['lines']:,} lines: "
              f"{results[-1]['peak_rss_mb'] / results[0]['peak_rss_mb']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
