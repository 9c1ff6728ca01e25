"""The coder as an MLflow pyfunc model, logged with MLflow's models-from-code (this file is the model's code).

``mlflow.pyfunc.load_model("models:/event-coder@champion").predict(["Pakistan accused India ..."])`` returns one
row per input sentence: the event (``none`` included, so rows align with the input), its CAMEO code, actors and
confidence. The fitted classifier travels as the artifact ``coder_model``, a folder written by
:meth:`coder.model.EventModel.save`.
"""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
import pandas as pd
from mlflow.models import set_model

from coder.tracking import ARTIFACT_KEY  # name of the artifact holding the EventModel folder

#: Columns of the frame `predict` returns.
PREDICT_COLUMNS = ("sentence_id", "sentence", "event", "cameo_code", "root_code", "quad_class", "goldstein",
                   "confidence", "coded_by", "source_text", "source_code", "source_country", "target_text",
                   "target_code", "target_country")


def _sentences(model_input: Any) -> list[str]:
    if isinstance(model_input, pd.DataFrame):
        column = "text" if "text" in model_input.columns else model_input.columns[0]
        return [str(v) for v in model_input[column].tolist()]
    if isinstance(model_input, pd.Series):
        return [str(v) for v in model_input.tolist()]
    if isinstance(model_input, str):
        return [model_input]
    return [str(v) for v in model_input]


class CoderModel(mlflow.pyfunc.PythonModel):
    """Raw sentences in, one coded row per sentence out."""

    def load_context(self, context: Any) -> None:
        from coder.model import EventModel

        self.model = EventModel.load(context.artifacts[ARTIFACT_KEY])
        self._coder: Any = None

    @property
    def coder(self) -> Any:
        if self._coder is None:
            from coder.coding import Coder

            self._coder = Coder(self.model)
        return self._coder

    # model_input is left unannotated on purpose: MLflow reads a type hint here as a schema to enforce, and the
    # logged signature (one string column) already does that.
    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        from coder.corpus import Sentence

        texts = _sentences(model_input)
        sents = [Sentence(id=f"s{i}", doc_id=f"s{i}", text=t) for i, t in enumerate(texts)]
        rows = list(self.coder.code(sents, all_sentences=True))
        return pd.DataFrame([{c: r.get(c) for c in PREDICT_COLUMNS} for r in rows], columns=list(PREDICT_COLUMNS))


set_model(CoderModel())
