"""The sentence classifier: probabilities, save/load, determinism and clear errors on bad model folders."""

from __future__ import annotations

import json
import shutil

import joblib
import numpy as np
import pytest

from conftest import ROOT
from coder.cameo import LABELS
from coder.config import load_config
from coder.errors import ModelError
from coder.labels import load_labels
from coder.model import CONFIG_FILE, META_FILE, MODEL_FORMAT, PIPELINE_FILE, EventModel

SENTENCES = [
    "US CENTCOM commander General Kurilla met Pakistan's army chief General Asim Munir in Rawalpindi.",
    "Blinken spoke to Bilawal Bhutto by phone about the security situation.",
    "Islamabad accused Kabul of sheltering militants who attacked a checkpoint.",
    "A suicide bomber killed nine soldiers at a military installation in Balochistan.",
    "The weather in Lahore was hot on Tuesday.",
]


@pytest.fixture(scope="module")
def train_records():
    return load_labels([ROOT / "labels" / "train"])


@pytest.fixture(scope="module")
def small_data(train_records):
    subset = train_records[::8]
    assert {r.label for r in subset} == set(LABELS)
    return [r.text for r in subset], [r.label for r in subset]


def test_predict_proba_rows_sum_to_one(model):
    proba = model.predict_proba(SENTENCES)
    assert proba.shape == (len(SENTENCES), len(model.classes))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all() and (proba <= 1).all()
    assert model.predict_proba([]).shape == (0, len(model.classes))


def test_columns_match_classes(model, train_records):
    assert sorted(model.classes) == sorted(LABELS)
    assert model.classes == [str(c) for c in model.pipeline.classes_]
    assert model.classes == model.meta["classes"]
    # the columns mean what `classes` says: the argmax reproduces most training labels
    texts = [r.text for r in train_records[::3]]
    gold = [r.label for r in train_records[::3]]
    predicted = model.predict(texts)
    accuracy = np.mean([p == g for p, g in zip(predicted, gold)])
    assert accuracy > 0.9
    proba = model.predict_proba(texts)
    assert [model.classes[i] for i in proba.argmax(axis=1)] == predicted


def test_meta(model):
    meta = model.meta
    assert meta["model_format"] == MODEL_FORMAT
    assert meta["n_train"] == len(load_labels([ROOT / "labels" / "train"]))
    assert model.version == f"default-{meta['train_digest'][:8]}"


def test_save_load_identical(model, tmp_path):
    saved = model.save(tmp_path / "copy")
    assert sorted(p.name for p in saved.iterdir()) == sorted([PIPELINE_FILE, META_FILE, CONFIG_FILE])
    loaded = EventModel.load(saved)
    assert np.array_equal(loaded.predict_proba(SENTENCES), model.predict_proba(SENTENCES))
    assert loaded.meta == model.meta
    assert loaded.config == model.config
    assert loaded.classes == model.classes


def test_save_over_existing_model(model, tmp_path):
    target = tmp_path / "m"
    model.save(target)
    (target / "stray.txt").write_text("left from an old model")
    model.save(target)
    assert not (target / "stray.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary or .old folders left
    assert np.array_equal(EventModel.load(target).predict_proba(SENTENCES), model.predict_proba(SENTENCES))


def test_training_is_deterministic(small_data):
    texts, labels = small_data
    config = load_config(ROOT / "experiments" / "default.toml")
    a = EventModel.fit(texts, labels, config)
    b = EventModel.fit(list(texts), list(labels), load_config(ROOT / "experiments" / "default.toml"))
    assert np.array_equal(a.predict_proba(SENTENCES), b.predict_proba(SENTENCES))
    assert a.meta == b.meta
    assert a.version == b.version


def test_solver_is_the_configured_one(small_data):
    """The logreg's optimiser comes from the config; any of them reaches (nearly) the same model."""
    texts, labels = small_data
    config = load_config(ROOT / "experiments" / "default.toml")
    assert config["classifier"]["solver"] == "newton-cg"
    fast = EventModel.fit(texts, labels, config)
    assert {c.estimator.solver for c in fast.pipeline.named_steps["clf"].calibrated_classifiers_} == {"newton-cg"}
    config["classifier"]["solver"] = "lbfgs"
    slow = EventModel.fit(texts, labels, config)
    assert {c.estimator.solver for c in slow.pipeline.named_steps["clf"].calibrated_classifiers_} == {"lbfgs"}
    assert np.abs(fast.predict_proba(SENTENCES) - slow.predict_proba(SENTENCES)).max() < 0.05
    assert fast.predict(SENTENCES) == slow.predict(SENTENCES)


def test_saved_config_without_solver_says_lbfgs(model_copy):
    """A model saved before `classifier.solver` existed was fitted with lbfgs: its config must say so."""
    text = (model_copy / CONFIG_FILE).read_text(encoding="utf-8")
    assert 'solver = "newton-cg"' in text
    (model_copy / CONFIG_FILE).write_text(text.replace('solver = "newton-cg"\n', ""), encoding="utf-8")
    assert EventModel.load(model_copy).config["classifier"]["solver"] == "lbfgs"
    assert load_config()["classifier"]["solver"] == "newton-cg"  # a user's config without the key: the default


def test_fit_needs_every_class(small_data):
    texts, labels = small_data
    keep = [i for i, y in enumerate(labels) if y != "accuse"]
    with pytest.raises(ValueError, match="accuse"):
        EventModel.fit([texts[i] for i in keep], [labels[i] for i in keep], load_config(None))


# --------------------------------------------------------------------------------------------------- bad folders

@pytest.fixture()
def model_copy(model_dir, tmp_path):
    return shutil.copytree(model_dir, tmp_path / "model")


def _garbage(folder):
    (folder / PIPELINE_FILE).write_bytes(b"this is not a joblib file \x00\x01\x02" * 10)


def _truncated(folder):
    data = (folder / PIPELINE_FILE).read_bytes()
    (folder / PIPELINE_FILE).write_bytes(data[: len(data) // 2])


def _empty(folder):
    (folder / PIPELINE_FILE).write_bytes(b"")


def _no_classifier(folder):
    (folder / PIPELINE_FILE).unlink()


def _no_meta(folder):
    (folder / META_FILE).unlink()


def _meta_not_json(folder):
    (folder / META_FILE).write_text("{not json", encoding="utf-8")


def _meta_not_object(folder):
    (folder / META_FILE).write_text("[1, 2, 3]", encoding="utf-8")


def _config_not_toml(folder):
    (folder / CONFIG_FILE).write_text("= = =", encoding="utf-8")


def _foreign_object(folder):
    joblib.dump({"not": "a pipeline"}, folder / PIPELINE_FILE)


def _classes_mismatch(folder):
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    meta["classes"] = ["meet", "none"]
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize("damage", [_garbage, _truncated, _empty, _no_classifier, _no_meta, _meta_not_json,
                                    _meta_not_object, _config_not_toml, _foreign_object, _classes_mismatch],
                         ids=lambda f: f.__name__.strip("_"))
def test_load_damaged_model_raises_model_error(model_copy, damage):
    damage(model_copy)
    with pytest.raises(ModelError) as info:
        EventModel.load(model_copy)
    assert str(model_copy) in str(info.value)


def test_load_missing_folder(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        EventModel.load(tmp_path / "no-such-model")


def test_load_folder_without_classifier(model_copy):
    _no_classifier(model_copy)
    with pytest.raises(ModelError, match=f"{PIPELINE_FILE} is missing"):
        EventModel.load(model_copy)


def test_load_file_instead_of_folder(tmp_path):
    path = tmp_path / "model.joblib"
    path.write_bytes(b"x")
    with pytest.raises(ModelError):
        EventModel.load(path)


@pytest.mark.parametrize("fmt", [MODEL_FORMAT + 1, 0, None, "1"])
def test_load_other_model_format_says_retrain(model_copy, fmt):
    meta = json.loads((model_copy / META_FILE).read_text(encoding="utf-8"))
    meta["model_format"] = fmt
    (model_copy / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain") as info:
        EventModel.load(model_copy)
    assert "coder train" in str(info.value)


def test_load_config_with_unknown_key_is_model_error(model_copy):
    with (model_copy / CONFIG_FILE).open("a", encoding="utf-8") as fh:
        fh.write("\n[newer_feature]\nenabled = true\n")
    with pytest.raises(ModelError):
        EventModel.load(model_copy)


def test_tune_class_weights_raises_an_underpredicted_class() -> None:
    import numpy as np

    from coder.model import tune_class_weights

    classes = ["a", "b"]
    # "b" is right each time but its probability sits just under "a"'s: a weight on b fixes it
    proba = np.array([[0.55, 0.45]] * 10 + [[0.9, 0.1]] * 10)
    labels = ["b"] * 10 + ["a"] * 10
    weights = tune_class_weights(proba, labels, classes)
    fixed = [classes[i] for i in (proba * np.array([weights["a"], weights["b"]])).argmax(axis=1)]
    assert fixed == labels
    # nothing to gain: weights stay at 1
    assert tune_class_weights(np.array([[0.9, 0.1], [0.2, 0.8]]), ["a", "b"], classes) == {"a": 1.0, "b": 1.0}


def test_reliability_bins_and_ece() -> None:
    import numpy as np

    from coder.model import reliability

    proba = np.array([[0.95, 0.05], [0.95, 0.05], [0.65, 0.35], [0.65, 0.35]])
    rel = reliability(proba, ["a", "a", "a", "b"], ["a", "b"])
    assert rel["n"] == 4 and sum(b["n"] for b in rel["bins"]) == 4
    top = next(b for b in rel["bins"] if b["lower"] == 0.9)
    assert top["accuracy"] == 1.0 and abs(top["confidence"] - 0.95) < 1e-9
    # |0.95 - 1.0| * 2/4 + |0.65 - 0.5| * 2/4
    assert abs(rel["ece"] - (0.05 * 0.5 + 0.15 * 0.5)) < 1e-9


def test_class_weights_are_saved_and_applied(tmp_path) -> None:
    from coder.config import DEFAULTS, merge
    from coder.model import EventModel

    config = merge({"classifier": {"calibration": "none"}}, "<test>")
    texts = ["troops shelled the town", "the ministers met in Rome", "talks by phone", "X accused Y",
             "prices rose"] * 4
    labels = ["attack", "meet", "consult", "accuse", "none"] * 4
    model = EventModel.fit(texts, labels, config)
    before = model.predict_proba(["prices rose"])[0]
    model.meta["class_weights"] = {c: (3.0 if c == "attack" else 1.0) for c in model.classes}
    model.save(tmp_path / "m")
    loaded = EventModel.load(tmp_path / "m")
    after = loaded.predict_proba(["prices rose"])[0]
    k = loaded.classes.index("attack")
    assert after[k] > before[k] and abs(after.sum() - 1.0) < 1e-9
    assert DEFAULTS["classifier"]["tune_weights"] is False
