"""Accuracy on real news: code ../shared/devset/devset.csv with the default model and report the scores.

    .venv/bin/python bench/accuracy.py [--model models/default] [--devset ../shared/devset/devset.csv]

Each dev sentence is coded unsplit (as ``coder code --no-split`` does). Reports per-class precision / recall /
F1, macro-F1, source and target country accuracy (exact ISO3 over gold events, empty counts as a value), overall
and per source dataset. The dev set is for evaluation only: never train or tune on it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    from coder.coding import Coder
    from coder.evaluation import GoldSentence, code_gold, score
    from coder.jobs import load_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: models/default)")
    ap.add_argument("--devset", default=str(ROOT.parent / "shared" / "devset" / "devset.csv"))
    ap.add_argument("--json", default=None, help="also write all figures as JSON here")
    args = ap.parse_args(argv)

    path = Path(args.devset)
    if not path.is_file():
        print(f"error: {path}: dev set not found", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gold = [GoldSentence(r["id"], r["text"], r["label"], r["source_country"] or "", r["target_country"] or "")
            for r in rows]
    datasets = [r["dataset"] for r in rows]
    model = load_model(args.model, notify=lambda m: print(m, file=sys.stderr))
    coder = Coder(model)
    start = time.perf_counter()
    predicted = code_gold(coder, gold)
    seconds = time.perf_counter() - start

    overall = score(gold, predicted)
    print(f"model {model.version}, {len(gold)} sentences, {seconds:.1f}s\n")
    print(overall.report)
    m = overall.metrics
    print(f"macro-F1 {m['macro_f1']:.3f}  accuracy {m['accuracy']:.3f}  "
          f"source country {m.get('source_country_accuracy', 0):.3f}  "
          f"target country {m.get('target_country_accuracy', 0):.3f}  rule share {m['rule_share']:.3f}")
    print(f"on the gold events coded with the right class: source country "
          f"{m.get('source_country_accuracy_found', 0):.3f}  target country "
          f"{m.get('target_country_accuracy_found', 0):.3f}\n")
    by_set: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(datasets):
        by_set[d].append(i)
    print(f"{'dataset':32} {'n':>4} {'acc':>6} {'macroF1':>8} {'src':>6} {'tgt':>6}")
    per_set = {}
    for name, idx in sorted(by_set.items()):
        s = score([gold[i] for i in idx], [predicted[i] for i in idx]).metrics
        per_set[name] = s
        print(f"{name:32} {len(idx):4d} {s['accuracy']:6.3f} {s['macro_f1']:8.3f} "
              f"{s.get('source_country_accuracy', float('nan')):6.3f} {s.get('target_country_accuracy', float('nan')):6.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"overall": m, "per_dataset": per_set, "model": model.version,
                                               "seconds": seconds}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
