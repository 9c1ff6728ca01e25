"""Throughput and memory: code a generated news corpus end to end, against a naive pipeline and a floor.

    .venv/bin/python bench/throughput.py [--sizes 200,2000,20000] [--political-share 0.15] [--ref-max 2000]
                                         [--n-process 2] [--repeat 1] [--json results.json]

The corpus of N articles is generated (once, then reused from ``bench/.cache/``) from team-written text: a share of
political articles drawn from ``corpus/sample`` (raw, boilerplate and all) and the rest from
``bench/data/general_news.jsonl`` (business, sport, science, weather ... with the ordinary senses of "talks",
"strike", "attacked", "killed"). Each measurement runs in its own process, so its peak RSS is its own:

* ``coder``: ``coder.jobs.code_corpus`` (what ``coder code`` runs), events to CSV and dyads, one process, and
  with ``--n-process`` worker processes;
* ``naive``: the whole spaCy pipeline (every component, NER included, plus ``coder_actors``) on every sentence,
  then the classifier;
* ``floor``: reading, sentence splitting and the classifier, no parse.

Times exclude loading the model and the spaCy pipeline (reported apart as ``load s``). The naive and floor
pipelines run on the sizes up to ``--ref-max`` articles; the ratios are taken at the same size. On a shared VM
a run can be 30% slower than the next for no reason of its own: ``--repeat R`` runs every pipeline R times, in
interleaved rounds, and reports each one's fastest run (all the times are listed, and the peak RSS is the largest).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
GENERAL = ROOT / "bench" / "data" / "general_news.jsonl"
POLITICAL = ROOT / "corpus" / "sample"


# --------------------------------------------------------------------------------------------------- corpus

def _political_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(POLITICAL.rglob("*.txt"))]
    for path in sorted(POLITICAL.rglob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def _general_texts() -> list[str]:
    rows = [json.loads(line) for line in GENERAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [f"{r['title']}\n\n{r['text']}" for r in rows]


def _fresh_numbers(text: str, rng: random.Random) -> str:
    """Every number redrawn (same number of digits): each article brings new strings, as real news does, so a
    vocabulary that grows with the corpus shows in the memory figures."""
    return re.sub(r"\d+", lambda m: "".join(rng.choice("0123456789") for _ in m.group(0)), text)


def make_corpus(n: int, political_share: float, seed: int = 7) -> Path:
    """A JSONL corpus of `n` articles (id, date, text), generated once and reused."""
    path = CACHE / f"news-v2-{n}-{political_share:g}-{seed}.jsonl"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    political, general = _political_texts(), _general_texts()
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = _fresh_numbers(rng.choice(political if rng.random() < political_share else general), rng)
            date = start + dt.timedelta(days=rng.randrange(366))
            fh.write(json.dumps({"id": f"n{i:06d}", "date": date.isoformat(), "text": text}) + "\n")
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------------------------------- one run

def _peak_rss_mb() -> tuple[float, float]:
    """Peak RSS of this process and of its largest child, in MB (Linux reports KiB)."""
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return own, child


def run_one(kind: str, corpus: Path, n_process: int) -> dict[str, object]:
    """Measure one pipeline on one corpus in this process."""
    sys.path.insert(0, str(ROOT))
    from coder.corpus import read_documents, sentences_of
    from coder.jobs import code_corpus, load_model
    from coder.nlp import load_pipeline, pipeline_name
    from coder.places import gazetteer

    t0 = time.perf_counter()
    model = load_model(None)
    nlp = None
    if kind == "coder":
        nlp = load_pipeline(model.config["pipeline"]["spacy_model"] or None)
    elif kind == "naive":  # the whole English pipeline, every component the package ships (NER included)
        import spacy

        nlp = spacy.load(pipeline_name(model.config["pipeline"]["spacy_model"] or None))
        nlp.add_pipe("coder_actors")
    gazetteer()  # the reader's dateline lookup: part of loading in every pipeline
    loaded = time.perf_counter() - t0
    out: dict[str, object] = {"kind": kind, "n_process": n_process, "load_s": round(loaded, 2)}
    t1 = time.perf_counter()
    if kind == "coder":
        with tempfile.TemporaryDirectory() as tmp:
            summary = code_corpus([corpus], Path(tmp) / "events.csv", model=model, nlp=nlp,
                                  dyads=Path(tmp) / "dyads.csv", n_process=n_process)
        docs, sents, events, parsed = summary.documents, summary.sentences, summary.events, summary.parsed
    else:
        docs = sents = parsed = 0
        events = 0
        batch: list[str] = []

        def flush() -> int:
            if kind == "naive":
                for _ in nlp.pipe(batch, batch_size=256):
                    pass
            proba = model.predict_proba(batch)
            return int((proba.argmax(axis=1) != model.classes.index("none")).sum())

        for doc in read_documents([corpus]):
            docs += 1
            for sent in sentences_of(doc):
                batch.append(sent.text)
                sents += 1
                if len(batch) >= 1024:
                    events += flush()
                    batch = []
        if batch:
            events += flush()
        parsed = sents if kind == "naive" else 0
    seconds = time.perf_counter() - t1
    own, child = _peak_rss_mb()
    out.update(documents=docs, sentences=sents, events=events, parsed=parsed, seconds=round(seconds, 2),
               docs_per_s=round(docs / seconds, 1), sents_per_s=round(sents / seconds, 1),
               peak_rss_mb=round(own), worker_peak_rss_mb=round(child))
    return out


def measure(kind: str, corpus: Path, n_process: int = 1) -> dict[str, object]:
    """Run :func:`run_one` in a fresh interpreter (its own peak RSS) and return its figures."""
    cmd = [sys.executable, __file__, "--_run", kind, "--_corpus", str(corpus), "--n-process", str(n_process)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------- report

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,2000,20000", help="article counts, comma-separated")
    ap.add_argument("--political-share", type=float, default=0.15,
                    help="share of articles drawn from the political sample corpus (1.0: politics only)")
    ap.add_argument("--ref-max", type=int, default=2000, help="run naive and floor up to this many articles")
    ap.add_argument("--n-process", type=int, default=2, help="also run the coder with this many processes (1: skip)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each pipeline this many times, interleaved, and report its fastest run")
    ap.add_argument("--json", default=None, help="write all figures here")
    ap.add_argument("--_run", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--_corpus", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._run:
        print(json.dumps(run_one(args._run, Path(args._corpus), args.n_process)))
        return 0

    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    results = []
    for n in sizes:
        corpus = make_corpus(n, args.political_share)
        plan = [("coder", "coder", 1)] + ([("coder_np", "coder", args.n_process)] if args.n_process > 1 else [])
        if n <= args.ref_max:
            plan += [("naive", "naive", 1), ("floor", "floor", 1)]
        runs: dict[str, list[dict[str, object]]] = {key: [] for key, _, _ in plan}
        for _ in range(max(args.repeat, 1)):  # interleaved rounds: a slow spell of the machine hits every pipeline
            for key, kind, n_process in plan:
                runs[key].append(measure(kind, corpus, n_process))
        row: dict[str, object] = {"articles": n}
        for key, got in runs.items():
            best = dict(min(got, key=lambda r: float(r["seconds"])))  # type: ignore[arg-type]
            best["all_seconds"] = [r["seconds"] for r in got]
            best["peak_rss_mb"] = max(int(r["peak_rss_mb"]) for r in got)  # type: ignore[call-overload]
            best["worker_peak_rss_mb"] = max(int(r["worker_peak_rss_mb"]) for r in got)  # type: ignore[call-overload]
            row[key] = best
        results.append(row)
        print(json.dumps(row), file=sys.stderr)

    print(f"# throughput ({dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"political share {args.political_share:g}, fastest of {max(args.repeat, 1)})\n")
    print("| articles | pipeline | processes | sentences | parsed | events | load s | code s | docs/s | sents/s "
          "| peak RSS MB (worker) | all runs, s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in results:
        for key in ("coder", "coder_np", "naive", "floor"):
            r = row.get(key)
            if not isinstance(r, dict):
                continue
            share = f"{100 * r['parsed'] / max(r['sentences'], 1):.0f}%"
            print(f"| {row['articles']} | {r['kind']} | {r['n_process']} | {r['sentences']} | {share} | {r['events']} "
                  f"| {r['load_s']} | {r['seconds']} | {r['docs_per_s']} | {r['sents_per_s']} "
                  f"| {r['peak_rss_mb']} ({r['worker_peak_rss_mb']}) | {', '.join(map(str, r['all_seconds']))} |")
    print()
    for row in results:
        c = row["coder"]
        parts = []
        if "naive" in row:
            parts.append(f"coder/naive {c['sents_per_s'] / row['naive']['sents_per_s']:.2f}x")
            parts.append(f"floor/coder {row['floor']['sents_per_s'] / c['sents_per_s']:.2f}x")
        if "coder_np" in row:
            parts.append(f"{args.n_process} processes / 1: {row['coder_np']['sents_per_s'] / c['sents_per_s']:.2f}x")
        print(f"- {row['articles']} articles: " + ", ".join(parts))
    if len(results) >= 2:
        a, b = results[-2], results[-1]
        print(f"- peak RSS {b['articles']} / {a['articles']} articles (one process): "
              f"{b['coder']['peak_rss_mb'] / a['coder']['peak_rss_mb']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
