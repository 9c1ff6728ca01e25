"""Training: the train() library function and its MLflow logging."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.errors import CoderError
from coder.train import train


@pytest.mark.mlflow
def test_unreachable_tracking_store_is_one_line_error(tmp_path: Path, root: Path, monkeypatch) -> None:
    cfg = tmp_path / "small.toml"
    cfg.write_text(f"[data]\ntrain = [{str(root / 'labels' / 'train')!r}]\n")
    with pytest.raises(CoderError) as info:
        train(cfg, mlflow_log=True, tracking_uri="http://127.0.0.1:9",
              evaluate_splits=(), root=root)
    assert "mlflow" in str(info.value).lower() and "\n" not in str(info.value)


def test_stale_store_fails_before_training(tmp_path: Path, root: Path, monkeypatch) -> None:
    """Training takes a minute: a bad store must be reported before it, not after."""
    import coder.model

    def no_training(*args, **kwargs):
        raise AssertionError("trained before checking the tracking store")

    monkeypatch.setattr(coder.model.EventModel, "fit", classmethod(no_training))
    with pytest.raises(CoderError, match="unreachable"):
        train(None, mlflow_log=True, tracking_uri="http://127.0.0.1:9", evaluate_splits=(), root=root)
