"""Training: the train() library function and its MLflow logging."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.errors import CoderError
from coder.model import EventModel
from coder.train import train


@pytest.mark.mlflow
@pytest.mark.spacy_model
def test_train_saves_model_and_logs_run(tmp_path: Path, root: Path) -> None:
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    result = train(root / "experiments" / "default.toml", save_to=tmp_path / "model", mlflow_log=True,
                   tracking_uri=uri, experiment="pytest", root=root, evaluate_splits=("dev",))
    assert result.run_id
    assert EventModel.load(tmp_path / "model").version == result.model.version
    client = mlflow.MlflowClient(tracking_uri=uri)
    run = client.get_run(result.run_id)
    assert run.data.params["classifier.kind"] == "logreg"
    assert run.data.params["experiment.seed"] == "13"
    assert 0.0 < run.data.metrics["dev_macro_f1"] <= 1.0
    assert run.data.metrics["dev_macro_f1"] == pytest.approx(result.evaluations["dev"].metrics["macro_f1"])
    assert run.data.tags["coder.model_version"] == result.model.version
    assert not (Path.cwd() / "mlruns").exists()


@pytest.mark.mlflow
def test_unreachable_tracking_store_is_one_line_error(tmp_path: Path, root: Path, monkeypatch) -> None:
    cfg = tmp_path / "small.toml"
    cfg.write_text(f"[data]\ntrain = [{str(root / 'labels' / 'train')!r}]\n")
    with pytest.raises(CoderError) as info:
        train(cfg, mlflow_log=True, tracking_uri="http://127.0.0.1:9",
              evaluate_splits=(), root=root)
    assert "mlflow" in str(info.value).lower() and "\n" not in str(info.value)
