"""Training time: ``coder train`` on N labelled sentences, end to end, logged to a scratch MLflow store.

    .venv/bin/python bench/train_time.py [--n 6000] [--config experiments/default.toml] [--no-mlflow]

A scratch project gets N sentences of ``labels/train`` (every k-th line of every batch, so all batches and classes
are represented), the full ``labels/dev`` and ``labels/test``, and the config. ``coder train`` runs there as a
user runs it (the console script, a fresh process, MLflow on SQLite), and the wall time is measured from outside.
The phases (fit, cross-validation, scoring the whole coder on dev and test) are read from the MLflow run.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def subset(src: Path, dst: Path, n: int) -> int:
    """Copy about `n` of the sentences under `src` to `dst`, every k-th line of each file; returns the count."""
    files = sorted(src.glob("*.jsonl"))
    lines = {f: [x for x in f.read_text(encoding="utf-8").splitlines() if x.strip()] for f in files}
    total = sum(len(v) for v in lines.values())
    step = max(total / n, 1.0)
    dst.mkdir(parents=True, exist_ok=True)
    kept = 0
    for f, rows in lines.items():
        take = [rows[math.floor(i * step)] for i in range(int(len(rows) / step + 0.5)) if math.floor(i * step) < len(rows)]
        (dst / f.name).write_text("\n".join(take) + "\n", encoding="utf-8")
        kept += len(take)
    return kept


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=6000, help="training sentences")
    ap.add_argument("--config", default=str(ROOT / "experiments" / "default.toml"))
    ap.add_argument("--no-mlflow", action="store_true", help="do not log to MLflow")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        proj = Path(tmp)
        n = subset(ROOT / "labels" / "train", proj / "labels" / "train", args.n)
        for split in ("dev", "test"):
            shutil.copytree(ROOT / "labels" / split, proj / "labels" / split)
        (proj / "experiments").mkdir()
        config = proj / "experiments" / Path(args.config).name
        shutil.copy(args.config, config)
        uri = f"sqlite:///{proj / 'experiments' / 'mlflow.db'}"
        cmd = [str(Path(sys.executable).parent / "coder"), "train", "--config", str(config)]
        cmd += ["--no-mlflow"] if args.no_mlflow else ["--tracking-uri", uri]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=proj, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        print(f"coder train on {n} sentences ({Path(args.config).name}, MLflow {'off' if args.no_mlflow else 'on'}): "
              f"{seconds:.1f} s wall")
        if not args.no_mlflow:
            import mlflow

            client = mlflow.MlflowClient(tracking_uri=uri)
            run = client.search_runs([client.get_experiment_by_name("coder").experiment_id])[0]
            phases = {k: v for k, v in run.data.metrics.items() if k.startswith("seconds_") or k == "train_seconds"}
            print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(phases.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
