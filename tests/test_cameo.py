"""CAMEO facts: finer codes from wording, Goldstein scores, root codes and code/class validity."""

from __future__ import annotations

import pytest

from coder.cameo import (
    CODE_CLASS, DEFAULT_CODE, EVENTS, GOLDSTEIN, LABELS, NONE, QUAD_CLASS, goldstein, is_valid_code, quad_class,
    refine_code, root_code,
)


@pytest.mark.parametrize("event, sentence, code", [
    ("meet", "Prime Minister Sharif hosted the Chinese premier in Islamabad.", "043"),
    ("meet", "The leaders met on the sidelines of the UN General Assembly.", "044"),
    ("meet", "The two ministers met in Doha on Monday.", "042"),
    ("consult", "Blinken spoke to Dar by phone on Monday.", "041"),
    ("consult", "Officials negotiated the terms of a ceasefire in Doha.", "046"),
    ("consult", "Qatar mediated talks between the two sides.", "045"),
    ("consult", "The two sides held talks on border security.", "040"),
    ("accuse", "Pakistan condemned the attack on its embassy.", "111"),
    ("accuse", "Islamabad accused Kabul of sheltering militants.", "112"),
    ("attack", "A suicide bombing killed 12 people in Peshawar.", "1831"),
    ("attack", "A roadside bomb killed three soldiers in North Waziristan.", "1833"),
    ("attack", "An air strike hit a compound in Khost province.", "195"),
    ("attack", "Troops shelled villages across the border overnight.", "194"),
    ("attack", "Gunmen kidnapped two Chinese engineers in Karachi.", "181"),
    ("attack", "Militants attacked a checkpoint near the border.", "190"),
])
def test_refine_code(event, sentence, code):
    got = refine_code(event, sentence)
    assert got == code
    assert isinstance(got, str)
    assert is_valid_code(got, event)


@pytest.mark.parametrize("event", ["none", "", "protest"])
def test_refine_code_non_event_is_empty(event):
    assert refine_code(event, "A suicide bombing killed 12 people after the leaders met on the sidelines.") == ""


def test_refine_code_is_case_insensitive():
    assert refine_code("attack", "SUICIDE BOMBING IN PESHAWAR KILLS 12") == "1831"


@pytest.mark.parametrize("event", EVENTS)
def test_default_code_without_cues(event):
    assert refine_code(event, "Something happened.") == DEFAULT_CODE[event]


def test_all_codes_are_strings():
    for table in (GOLDSTEIN, CODE_CLASS):
        assert all(isinstance(code, str) and code.isdigit() and len(code) >= 3 for code in table)
    assert all(isinstance(code, str) for code in DEFAULT_CODE.values())
    assert set(DEFAULT_CODE.values()) <= set(GOLDSTEIN)


@pytest.mark.parametrize("code, score", [
    ("042", 1.9), ("043", 2.8), ("044", 2.5), ("046", 7.0), ("112", -2.0), ("190", -10.0),
    ("040", 1.0), ("041", 1.0), ("045", 5.0), ("111", -2.0), ("181", -9.0), ("194", -10.0), ("195", -10.0),
])
def test_goldstein_from_table(code, score):
    assert goldstein(code) == score


@pytest.mark.parametrize("code, score", [
    ("1831", -10.0),   # has its own score
    ("1849", -8.0),    # no score of its own: parent 184
    ("0461", 7.0),     # parent 046
    ("1967", -9.5),    # parent 196
])
def test_goldstein_of_finer_code_falls_back_to_parent(code, score):
    assert goldstein(code) == score


@pytest.mark.parametrize("code", ["", "999", "7"])
def test_goldstein_unknown(code):
    assert goldstein(code) is None


@pytest.mark.parametrize("code, root", [("1831", "18"), ("042", "04"), ("195", "19"), ("112", "11"), ("", "")])
def test_root_code(code, root):
    assert root_code(code) == root


@pytest.mark.parametrize("code, event, valid", [
    ("042", "meet", True), ("043", "meet", True), ("044", "meet", True),
    ("040", "consult", True), ("041", "consult", True), ("045", "consult", True), ("046", "consult", True),
    ("111", "accuse", True), ("112", "accuse", True),
    ("1831", "attack", True), ("190", "attack", True), ("195", "attack", True),
    ("042", "consult", False), ("040", "meet", False), ("112", "attack", False), ("190", "accuse", False),
    ("999", "attack", False), ("", "meet", False), (42, "meet", False),
    ("", NONE, True), ("042", NONE, False),
])
def test_is_valid_code(code, event, valid):
    assert is_valid_code(code, event) is valid


def test_quad_class():
    assert [quad_class(e) for e in EVENTS] == [1, 1, 3, 4]
    assert quad_class(NONE) is None
    assert set(QUAD_CLASS) == set(EVENTS)
    assert LABELS == (*EVENTS, NONE)
