"""MLflow: training runs, registry aliases, models-from-code pyfunc, evaluation runs, tuning and comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.mlflow, pytest.mark.spacy_model]


def test_run_logs_params_metrics_data_and_artifacts(mlflow_runs, mlflow_project: Path) -> None:
    import mlflow

    uri, results = mlflow_runs
    client = mlflow.MlflowClient(tracking_uri=uri)
    result = results["default"]
    run = client.get_run(result.run_id)
    assert run.info.run_name == "default"
    assert run.data.params["classifier.kind"] == "logreg"
    assert run.data.params["rules.enabled"] == "True"
    for key in ("dev_macro_f1", "dev_accuracy", "dev_f1_meet", "dev_precision_attack", "dev_recall_none",
                "dev_source_country_accuracy", "dev_target_country_accuracy", "dev_rule_share",
                "cv_macro_f1_mean", "cv_macro_f1_std", "n_train", "dev_ece"):
        assert key in run.data.metrics, key
    assert run.data.metrics["dev_macro_f1"] == pytest.approx(result.evaluations["dev"].metrics["macro_f1"])
    for tag in ("git_commit", "coder_version", "sklearn_version", "spacy_version", "mlflow_version"):
        assert run.data.tags.get(tag), tag
    inputs = {d.dataset.name: d.dataset for d in run.inputs.dataset_inputs}
    assert "labels/train" in inputs and inputs["labels/train"].digest
    artifacts = {a.path for a in client.list_artifacts(result.run_id)}
    assert {"dev_confusion_matrix.png", "dev_classification_report.txt", "dev_errors.json",
            "dev_predictions.json", "config", "calibration"} <= artifacts
    calibration = {a.path for a in client.list_artifacts(result.run_id, "calibration")}
    assert {"calibration/reliability.json", "calibration/reliability.png"} <= calibration
    assert 0.0 <= run.data.metrics["dev_ece"] <= 1.0
    assert not (mlflow_project / "mlruns").exists() and not (Path.cwd() / "mlruns").exists()


def test_same_config_and_data_give_identical_metrics(mlflow_runs, mlflow_project: Path) -> None:
    from coder.train import train

    _, results = mlflow_runs
    again = train(mlflow_project / "experiments" / "default.toml", root=mlflow_project, evaluate_splits=("dev",))
    assert again.evaluations["dev"].metrics == results["default"].evaluations["dev"].metrics
    assert again.cv_scores == results["default"].cv_scores


def test_registry_alias_promote_and_load(mlflow_runs, tmp_path: Path) -> None:
    import mlflow

    from coder.tracking import CANDIDATE, CHAMPION, REGISTERED_MODEL, load_event_model, promote

    uri, results = mlflow_runs
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    candidate = client.get_model_version_by_alias(REGISTERED_MODEL, CANDIDATE)
    assert candidate.run_id == results["no_rules"].run_id  # the latest training run
    version = promote(results["default"].run_id, uri=uri)
    champion = client.get_model_version_by_alias(REGISTERED_MODEL, CHAMPION)
    assert str(champion.version) == version and champion.run_id == results["default"].run_id
    model = load_event_model(f"models:/{REGISTERED_MODEL}@{CHAMPION}", uri=uri)
    assert model.version == results["default"].model.version
    texts = ["Pakistan accused India of shelling villages.", "Prices rose."]
    assert (model.predict_proba(texts) == results["default"].model.predict_proba(texts)).all()


def test_pyfunc_predicts_from_raw_sentences(mlflow_runs) -> None:
    import mlflow
    import pandas as pd

    uri, results = mlflow_runs
    mlflow.set_tracking_uri(uri)
    model = mlflow.pyfunc.load_model(f"runs:/{results['default'].run_id}/coder")
    out = model.predict(["Pakistan accused India of shelling villages in Kashmir.", "Prices rose in March."])
    assert list(out["event"]) == ["accuse", "none"]
    assert out.loc[0, "cameo_code"] == "112" and out.loc[0, "source_code"] == "PAK"
    framed = model.predict(pd.DataFrame({"text": ["Pakistan accused India of shelling villages in Kashmir."]}))
    assert framed.loc[0, "event"] == "accuse"


def test_code_cli_with_registry_uri(mlflow_runs, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from coder.cli import app
    from coder.tracking import promote

    uri, results = mlflow_runs
    promote(results["default"].run_id, uri=uri)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Pakistan accused India of shelling villages in Kashmir."}) + "\n")
    out = tmp_path / "e.csv"
    result = CliRunner().invoke(app, ["code", str(src), "-o", str(out), "--model", "models:/event-coder@champion",
                                      "--tracking-uri", uri])
    assert result.exit_code == 0, result.stderr
    assert "accuse" in out.read_text()


def test_evaluate_logs_linked_run(mlflow_runs, mlflow_project: Path, monkeypatch) -> None:
    import mlflow
    from typer.testing import CliRunner

    from coder.cli import app
    from coder.tracking import promote

    uri, results = mlflow_runs
    promote(results["default"].run_id, uri=uri)
    monkeypatch.chdir(mlflow_project)
    result = CliRunner().invoke(app, ["evaluate", str(mlflow_project / "labels" / "dev"), "--model",
                                      "models:/event-coder@champion", "--tracking-uri", uri])
    assert result.exit_code == 0, result.stderr
    run_id = result.stderr.strip().split()[-1]
    run = mlflow.MlflowClient(tracking_uri=uri).get_run(run_id)
    assert run.data.tags["coder.evaluated_run_id"] == results["default"].run_id
    assert "gold_macro_f1" in run.data.metrics


def test_tune_logs_nested_runs(mlflow_project: Path, mlflow_runs) -> None:
    import mlflow

    from coder.train import tune

    uri, _ = mlflow_runs
    parent, results = tune(mlflow_project / "experiments" / "default.toml", tracking_uri=uri, root=mlflow_project)
    assert [p["classifier.C"] for p, _, _ in results] == [1.0, 8.0]
    client = mlflow.MlflowClient(tracking_uri=uri)
    for _, score, run_id in results:
        child = client.get_run(run_id)
        assert child.data.tags["mlflow.parentRunId"] == parent
        assert child.data.metrics["dev_macro_f1"] == pytest.approx(score)
    assert client.get_run(parent).data.params["best.classifier.C"] in {"1.0", "8.0"}


def test_compare_report(mlflow_runs, tmp_path: Path) -> None:
    from coder.compare import disagreements, fetch_runs, html_report

    uri, results = mlflow_runs
    ids = [results["default"].run_id, results["no_rules"].run_id]
    summaries = fetch_runs(ids, None, uri=uri)
    assert [s.run_id for s in summaries] == ids
    assert all(s.confusion and s.predictions for s in summaries)
    page = html_report(summaries)
    for s in summaries:
        assert s.run_id[:8] in page
        assert f"{s.metrics['dev_macro_f1']:.3f}" in page
    assert "<svg" in page and "Confusion matrices" in page
    for d in disagreements(summaries):
        assert any(d["right"]) and not all(d["right"])
    latest = fetch_runs([], "coder", uri=uri)
    assert {s.run_id for s in latest} >= set(ids)


def test_stale_or_unreachable_store_is_one_line_error(tmp_path: Path) -> None:
    from coder.errors import CoderError
    from coder.tracking import promote

    with pytest.raises(CoderError, match="unreachable") as info:
        promote("0" * 32, uri="http://127.0.0.1:9")
    assert "\n" not in str(info.value)
    with pytest.raises(CoderError, match="file store"):
        promote("0" * 32, uri=str(tmp_path / "mlruns"))


def test_stale_store_schema_is_one_line_error(tmp_path: Path) -> None:
    import sqlite3
    import subprocess
    import sys

    db = tmp_path / "mlflow.db"
    uri = f"sqlite:///{db}"
    subprocess.run([sys.executable, "-c", f"import mlflow; mlflow.set_tracking_uri({uri!r}); mlflow.search_experiments()"],
                   check=True, capture_output=True)
    with sqlite3.connect(db) as con:  # pretend the store was written by an older MLflow
        con.execute("UPDATE alembic_version SET version_num = '451aebb31d03'")
    proc = subprocess.run([sys.executable, "-m", "coder.cli", "promote", "0" * 32, "--tracking-uri", uri],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    lines = [x for x in proc.stderr.splitlines() if x.strip() and "INFO" not in x]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "mlflow db upgrade" in lines[0], proc.stderr


def test_store_leaves_the_environment_as_it_was(tmp_path: Path, monkeypatch) -> None:
    import os

    from coder.tracking import resolve_tracking_uri, store

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with store(f"sqlite:///{tmp_path / 'a.db'}"):
        pass
    assert "MLFLOW_TRACKING_URI" not in os.environ
    assert resolve_tracking_uri(None, tmp_path) == f"sqlite:///{(tmp_path / 'experiments' / 'mlflow.db').resolve()}"


@pytest.mark.slow
def test_two_trains_at_once_on_one_new_sqlite_store(mlflow_project: Path, tmp_path: Path) -> None:
    """Two `coder train` processes started together on a store that does not exist yet: both succeed, both runs
    are logged, and both model versions registered."""
    import shutil
    import subprocess
    import sys

    import mlflow

    project = tmp_path / "project"
    shutil.copytree(mlflow_project / "labels", project / "labels")
    (project / "experiments").mkdir()
    for name in ("default", "no_rules"):
        text = (mlflow_project / "experiments" / f"{name}.toml").read_text(encoding="utf-8")
        (project / "experiments" / f"{name}.toml").write_text(text.replace("cv_folds = 2", "cv_folds = 0"),
                                                             encoding="utf-8")
    uri = f"sqlite:///{project / 'experiments' / 'concurrent.db'}"
    coder = str(Path(sys.executable).parent / "coder")
    procs = [subprocess.Popen([coder, "train", "--config", f"experiments/{name}.toml", "--tracking-uri", uri],
                              cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("default", "no_rules")]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (_, stderr) in zip(procs, outputs):
        assert proc.returncode == 0, stderr
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.get_experiment_by_name("coder")
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.info.run_name for r in runs) == ["default", "no_rules"]
    assert all(r.info.status == "FINISHED" and "dev_macro_f1" in r.data.metrics for r in runs)
    versions = client.search_model_versions("name='event-coder'")
    assert sorted(int(v.version) for v in versions) == [1, 2]
