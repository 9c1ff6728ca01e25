"""Experiment configs: defaults, the shipped default.toml, validation errors and flattening."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT
from coder.config import DEFAULTS, flatten, load_config, merge, to_toml
from coder.errors import ConfigError


def write(tmp_path, text: str, name: str = "exp.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults():
    config = load_config(None)
    assert config == DEFAULTS
    assert config is not DEFAULTS
    config["classifier"]["C"] = 99.0
    assert DEFAULTS["classifier"]["C"] == 4.0  # a copy, not the module table
    assert load_config(None)["experiment"]["seed"] == 13


def test_default_toml_loads():
    config = load_config(ROOT / "experiments" / "default.toml")
    assert config["experiment"]["name"] == "default"
    assert config["classifier"]["kind"] == "logreg"
    assert isinstance(config["classifier"]["C"], float)
    assert config["data"]["train"] == ["labels/train"]
    assert set(config) == set(DEFAULTS)
    for table, values in DEFAULTS.items():
        assert set(config[table]) == set(values)


def test_partial_config_overrides_and_keeps_defaults(tmp_path):
    config = load_config(write(tmp_path, '[classifier]\nC = 2\n\n[experiment]\nname = "small"\n'))
    assert config["classifier"]["C"] == 2.0 and isinstance(config["classifier"]["C"], float)
    assert config["experiment"]["name"] == "small"
    assert config["experiment"]["seed"] == DEFAULTS["experiment"]["seed"]
    assert config["features"] == DEFAULTS["features"]


def test_unknown_table(tmp_path):
    path = write(tmp_path, "[classifer]\nC = 1.0\n", "typo_table.toml")
    with pytest.raises(ConfigError, match=r"typo_table\.toml: unknown table \[classifer\]"):
        load_config(path)


def test_unknown_key(tmp_path):
    path = write(tmp_path, "[classifier]\nCC = 1.0\n", "typo_key.toml")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "typo_key.toml" in str(info.value)
    assert "'CC'" in str(info.value) and "[classifier]" in str(info.value)


@pytest.mark.parametrize("text", [
    '[classifier]\nC = "high"\n',
    "[experiment]\nseed = true\n",
    "[experiment]\nseed = 1.5\n",
    "[rules]\nenabled = 1\n",
    '[data]\ntrain = "labels/train"\n',
    "[features]\nmin_df = []\n",
    "classifier = 3\n",
])
def test_wrong_type(tmp_path, text):
    path = write(tmp_path, text, "wrong_type.toml")
    with pytest.raises(ConfigError, match=r"wrong_type\.toml: "):
        load_config(path)


def test_wrong_list_item_type(tmp_path):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, '[features]\nword_ngrams = ["a", 2]\n'))


@pytest.mark.parametrize("text", ['[classifier]\nkind = "bogus"\n', '[classifier]\ncalibration = "bogus"\n',
                                  '[classifier]\nsolver = "liblinear"\n'])
def test_unknown_choice(tmp_path, text):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, text))


def test_malformed_toml_has_line(tmp_path):
    path = write(tmp_path, '[experiment]\nname = "x"\n\nseed = = 3\n', "broken.toml")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == 4
    assert "broken.toml:4:" in str(info.value)


def test_malformed_toml_is_config_error(tmp_path):
    path = write(tmp_path, '[experiment]\nname = "x"\n\nseed = = 3\n', "broken.toml")
    with pytest.raises(ConfigError, match=r"broken\.toml.*malformed TOML"):
        load_config(path)


def test_missing_and_non_utf8_config(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml"):
        load_config(tmp_path / "nope.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes('[experiment]\nname = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.toml.*UTF-8"):
        load_config(path)


def test_flatten():
    flat = flatten(load_config(None))
    assert flat["classifier.C"] == "4.0"
    assert flat["experiment.seed"] == "13"
    assert flat["rules.enabled"] == "True"
    assert len(flat) == sum(len(v) for v in DEFAULTS.values())
    assert all(k.count(".") == 1 and isinstance(v, str) for k, v in flat.items())


def test_to_toml_round_trip(tmp_path):
    config = load_config(None)
    config["classifier"]["C"] = 0.5
    config["experiment"]["description"] = 'quotes " and \\ backslash'
    path = write(tmp_path, to_toml(config))
    assert load_config(path) == config
    assert merge({}) == DEFAULTS
