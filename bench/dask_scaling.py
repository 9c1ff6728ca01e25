"""Dask: 1 vs 2 workers on this machine, and what Dask costs next to the plain multi-process run.

    .venv/bin/python bench/dask_scaling.py [--sizes 2000,20000] [--repeat 1] [--json results.json]

Codes the generated news corpus of ``bench/throughput.py`` (N articles as JSONL, made once and cached in
``bench/.cache/``) four ways, each in its own process, events to CSV and dyads:

* ``plain 1``: ``coder.jobs.code_corpus``, one process (``coder code``);
* ``plain 2``: the same with 2 worker processes (``coder code --n-process 2``);
* ``dask 1`` / ``dask 2``: ``coder.cluster.code_corpus_dask`` on a ``LocalCluster`` of 1 or 2 worker processes
  (``coder code --dask --workers N``).

``start s`` is the local cluster's start (scheduler and worker processes); ``run s`` is the rest: the workers
loading the model, coding, the groupbys and writing the tables. ``total s`` is both, which is what a user waits
for. The model is loaded once in the client before the clock starts, in all four. Every run's events and dyads
are checked byte-identical to ``plain 1``'s. On a shared VM one run can be 10-30% slower than the next:
``--repeat R`` runs each R times in interleaved rounds and reports the fastest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

KINDS = ("plain 1", "plain 2", "dask 1", "dask 2")


def run_one(kind: str, corpus: Path, out: Path) -> dict[str, object]:
    """One measurement, in this process (the parent runs each in a fresh one)."""
    import logging

    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    from coder.jobs import code_corpus, load_model

    model = load_model(ROOT / "models" / "default")
    mode, n = kind.split()
    events, dyads = out / "events.csv", out / "dyads.csv"
    start = time.perf_counter()
    if mode == "plain":
        summary = code_corpus([corpus], events, model=model, dyads=dyads, n_process=int(n))
        cluster_s = 0.0
    else:
        from coder.cluster import code_corpus_dask, connect

        with connect(workers=int(n)) as client:
            cluster_s = time.perf_counter() - start
            summary = code_corpus_dask([corpus], events, model=model, model_ref=ROOT / "models" / "default",
                                       client=client, dyads=dyads)
    total = time.perf_counter() - start
    return {"kind": kind, "documents": summary.documents, "sentences": summary.sentences,
            "events": summary.events, "start_s": round(cluster_s, 2), "run_s": round(total - cluster_s, 2),
            "total_s": round(total, 2), "sentences_per_s": round(summary.sentences / total, 1)}


def measure(kind: str, corpus: Path, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, __file__, "--one", kind, "--corpus", str(corpus), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.corpus, args.out)))
        return 0

    from throughput import make_corpus

    if not (ROOT / "models" / "default").exists():
        from coder.train import default_model

        default_model()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            corpus = make_corpus(size, 0.15)
            runs: dict[str, list[dict[str, object]]] = {k: [] for k in KINDS}
            for round_ in range(args.repeat):
                for kind in KINDS:
                    out = Path(tmp) / f"{size}-{kind.replace(' ', '')}-{round_}"
                    result = measure(kind, corpus, out)
                    reference = Path(tmp) / f"{size}-plain1-0"
                    result["identical"] = all(filecmp.cmp(out / f, reference / f, shallow=False)
                                              for f in ("events.csv", "dyads.csv"))
                    runs[kind].append(result)
                    print(f"  {size} {kind} round {round_ + 1}: {result['total_s']} s", file=sys.stderr)
            best = {k: min(v, key=lambda r: float(r["total_s"])) for k, v in runs.items()}
            for kind in KINDS:
                row = {**best[kind], "size": size, "all_total_s": [r["total_s"] for r in runs[kind]],
                       "identical": all(r["identical"] for r in runs[kind])}
                results.append(row)
    print(f"# Dask scaling, {dt.date.today()}, {platform.node()}, {os.cpu_count()} cores")
    print("| articles | run | sentences | start s | run s | total s | sentences/s | identical to plain 1 | all runs s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['size']:,} | {r['kind']} | {r['sentences']:,} | {r['start_s']} | {r['run_s']} | {r['total_s']} | "
              f"{r['sentences_per_s']:,} | {'yes' if r['identical'] else 'NO'} | {r['all_total_s']} |")
    by = {(r["size"], r["kind"]): r for r in results}
    for size in sorted({r["size"] for r in results}):
        t = {k: float(by[(size, k)]["total_s"]) for k in KINDS}
        print(f"\n{size:,} articles: dask 2 vs dask 1 {t['dask 1'] / t['dask 2']:.2f}x; plain 2 vs plain 1 "
              f"{t['plain 1'] / t['plain 2']:.2f}x; Dask overhead: dask 1 / plain 1 {t['dask 1'] / t['plain 1']:.2f}x "
              f"(+{t['dask 1'] - t['plain 1']:.1f} s), dask 2 / plain 2 {t['dask 2'] / t['plain 2']:.2f}x "
              f"(+{t['dask 2'] - t['plain 2']:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
