"""Comparing training runs: key metrics side by side, and a self-contained HTML report.

The report needs nothing but a browser: inline SVG bar charts of per-class F1, the confusion matrices side by
side, and the dev sentences that one run gets right and another gets wrong.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cameo import LABELS
from .errors import CoderError

KEY_METRICS = ("dev_macro_f1", "dev_accuracy", *(f"dev_f1_{c}" for c in LABELS), "dev_source_country_accuracy",
               "dev_target_country_accuracy", "dev_rule_share", "test_macro_f1", "cv_macro_f1_mean",
               "cv_macro_f1_std", "train_seconds")
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


@dataclass
class RunSummary:
    run_id: str
    name: str
    experiment: str
    metrics: dict[str, float]
    params: dict[str, str]
    confusion: list[list[int]] | None = None
    predictions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def short(self) -> str:
        return f"{self.name} ({self.run_id[:8]})"


def fetch_runs(run_ids: list[str], experiment: str | None, *, uri: str, split: str = "dev",
               limit: int = 8) -> list[RunSummary]:
    """Training runs by id, or the latest training runs of an experiment (evaluation and tune parents left out)."""
    import json

    import mlflow

    from .tracking import PREDICTIONS_FILE, store

    with store(uri) as client:
        if run_ids:
            runs = [client.get_run(r) for r in run_ids]
        else:
            if experiment is None:
                raise CoderError("name runs or an --experiment to compare")
            exp = client.get_experiment_by_name(experiment)
            if exp is None:
                raise CoderError(f"no MLflow experiment named {experiment!r} in {uri}")
            runs = [r for r in client.search_runs([exp.experiment_id], order_by=["attributes.start_time DESC"],
                                                  max_results=200)
                    if r.data.tags.get("coder.run_kind") not in {"evaluation", "tune"}
                    and f"{split}_macro_f1" in r.data.metrics][:limit]
        if len(runs) < 1:
            raise CoderError("no training runs to compare")
        out = []
        for run in runs:
            summary = RunSummary(run.info.run_id, run.info.run_name or run.info.run_id[:8],
                                 client.get_experiment(run.info.experiment_id).name, dict(run.data.metrics),
                                 dict(run.data.params))
            try:
                cm = mlflow.artifacts.download_artifacts(run_id=run.info.run_id,
                                                         artifact_path=f"{split}_confusion_matrix.json")
                summary.confusion = json.loads(Path(cm).read_text())["matrix"]
                preds = mlflow.artifacts.download_artifacts(run_id=run.info.run_id,
                                                            artifact_path=PREDICTIONS_FILE.format(split=split))
                summary.predictions = json.loads(Path(preds).read_text())
            except Exception:  # a run without these artifacts still has metrics to compare
                pass
            out.append(summary)
    return out


def disagreements(runs: list[RunSummary], limit: int = 50) -> list[dict[str, Any]]:
    """Sentences where at least one run is right and another wrong, with every run's prediction."""
    if len(runs) < 2 or not all(r.predictions for r in runs):
        return []
    by_id = [{p["id"]: p for p in r.predictions} for r in runs]
    common = [i for i in by_id[0] if all(i in m for m in by_id[1:])]
    out = []
    for sid in common:
        preds = [m[sid] for m in by_id]
        right = [p["predicted"] == p["gold"] for p in preds]
        if any(right) and not all(right):
            out.append({"id": sid, "text": preds[0]["text"], "gold": preds[0]["gold"],
                        "predicted": [p["predicted"] for p in preds], "right": right})
    return out[:limit]


def _f1_svg(runs: list[RunSummary], split: str) -> str:
    width, height, pad = 640, 260, 40
    group = (width - 2 * pad) / len(LABELS)
    bar = group * 0.8 / len(runs)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="per-class F1">']
    for y in (0, 0.25, 0.5, 0.75, 1.0):
        yy = height - pad - y * (height - 2 * pad)
        parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>'
                     f'<text x="{pad - 6}" y="{yy + 4:.1f}" font-size="10" text-anchor="end">{y:.2f}</text>')
    for j, label in enumerate(LABELS):
        x0 = pad + j * group + group * 0.1
        for k, run in enumerate(runs):
            v = run.metrics.get(f"{split}_f1_{label}", 0.0)
            h = v * (height - 2 * pad)
            parts.append(f'<rect x="{x0 + k * bar:.1f}" y="{height - pad - h:.1f}" width="{bar - 1:.1f}" '
                         f'height="{h:.1f}" fill="{COLOURS[k % len(COLOURS)]}"><title>{html.escape(run.short)} '
                         f'{label}: {v:.3f}</title></rect>')
        parts.append(f'<text x="{pad + (j + 0.5) * group:.1f}" y="{height - pad + 16}" font-size="12" '
                     f'text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _confusion_html(matrix: list[list[int]] | None) -> str:
    if not matrix:
        return "<p>(no confusion matrix logged)</p>"
    top = max(max(row) for row in matrix) or 1
    rows = ["<tr><th>gold \\ predicted</th>" + "".join(f"<th>{c}</th>" for c in LABELS) + "</tr>"]
    for label, row in zip(LABELS, matrix):
        cells = "".join(f'<td style="background: rgba(31,119,180,{v / top:.2f})">{v}</td>' for v in row)
        rows.append(f"<tr><th>{label}</th>{cells}</tr>")
    return '<table class="cm">' + "".join(rows) + "</table>"


def html_report(runs: list[RunSummary], split: str = "dev") -> str:
    """The comparison as one self-contained HTML page."""
    e = html.escape
    legend = "".join(f'<span class="key" style="background:{COLOURS[k % len(COLOURS)]}"></span>{e(r.short)} '
                     for k, r in enumerate(runs))
    header = "<tr><th>metric</th>" + "".join(f"<th>{e(r.short)}</th>" for r in runs) + "</tr>"
    metric_rows = []
    for key in KEY_METRICS:
        values = [r.metrics.get(key) for r in runs]
        if all(v is None for v in values):
            continue
        best = max((v for v in values if v is not None), default=None)
        cells = "".join(
            "<td>-</td>" if v is None else
            f'<td class="{"best" if v == best and key != "train_seconds" and not key.endswith("_std") else ""}">'
            f"{v:.3f}</td>" for v in values)
        metric_rows.append(f"<tr><th>{key}</th>{cells}</tr>")
    params = sorted({k for r in runs for k in r.params})
    differing = [k for k in params if len({r.params.get(k) for r in runs}) > 1]
    param_rows = "".join("<tr><th>" + e(k) + "</th>" + "".join(f"<td>{e(str(r.params.get(k, '')))}</td>" for r in runs)
                         + "</tr>" for k in differing)
    matrices = "".join(f'<div class="cmbox"><h3>{e(r.short)}</h3>{_confusion_html(r.confusion)}</div>' for r in runs)
    diffs = disagreements(runs)
    diff_rows = "".join(
        f"<tr><td>{e(d['id'])}</td><td>{e(d['gold'])}</td>"
        + "".join(f'<td class="{"ok" if ok else "bad"}">{e(p)}</td>' for p, ok in zip(d["predicted"], d["right"]))
        + f"<td>{e(d['text'])}</td></tr>" for d in diffs)
    diff_header = "<tr><th>id</th><th>gold</th>" + "".join(f"<th>{e(r.short)}</th>" for r in runs) + \
                  "<th>sentence</th></tr>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coder run comparison</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; font-size: 13px; }}
td:last-child {{ text-align: left; }}
th {{ background: #f5f5f5; }}
.best {{ font-weight: bold; background: #e6f4e6; }}
.ok {{ background: #e6f4e6; }} .bad {{ background: #fbe3e3; }}
.key {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; }}
.cmbox {{ display: inline-block; vertical-align: top; margin-right: 1.5em; }}
.cm td {{ text-align: center; min-width: 3em; }}
</style></head><body>
<h1>coder: comparing {len(runs)} runs on {e(split)}</h1>
<h2>Key metrics</h2><table>{header}{''.join(metric_rows)}</table>
<h2>Parameters that differ</h2><table>{header.replace('metric', 'parameter')}{param_rows}</table>
<h2>Per-class F1 ({e(split)})</h2><p>{legend}</p>{_f1_svg(runs, split)}
<h2>Confusion matrices ({e(split)})</h2>{matrices}
<h2>Sentences one run gets right and another wrong ({len(diffs)} shown)</h2>
<table>{diff_header}{diff_rows}</table>
</body></html>
"""
