"""Label files: validation, near duplicates, split overlap and statistics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.errors import InputError
from coder.labels import check_labels, label_stats, load_labels, near_duplicates, split_overlap, valid_actor_code


def _record(i: int, text: str, label: str = "none", code: str = "", **kw) -> dict:
    return {"id": f"t-{i}", "text": text, "label": label, "cameo_code": code, "source": kw.get("source"),
            "target": kw.get("target"), "written_in": "t"}


def _write(folder: Path, name: str, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("code,ok", [
    ("PAKMIL", True), ("PAK", True), ("INS", True), ("IGOUNO", True), ("NGOHRW", True), ("", True),
    ("XKX", True), ("USAGOVMIL", True), ("pakmil", False), ("PAKM", False), ("ZZZGOV", False), ("IGOIAEA", False),
])
def test_valid_actor_code(code: str, ok: bool) -> None:
    assert valid_actor_code(code) is ok


@pytest.mark.parametrize("record,message", [
    (_record(1, "Pakistan met India.", "meet", "042", source={"text": "Pakistan", "start": 0, "end": 8,
                                                              "code": "PAK"}), None),
    (_record(1, "Pakistan met India.", "meet", 42), "cameo_code"),
    (_record(1, "Pakistan met India.", "meet", "112"), "cameo_code"),
    (_record(1, "Pakistan met India.", "none", "042"), "cameo_code"),
    (_record(1, "Pakistan met India.", "greet", ""), "unknown label"),
    (_record(1, "Pakistan met India.", "meet", "042", source={"text": "Pakistan", "start": 1, "end": 9,
                                                              "code": "PAK"}), "offsets"),
    (_record(1, "Pakistan met India.", "meet", "042", source={"text": "Pakistan", "start": 0, "end": 80,
                                                              "code": "PAK"}), "outside"),
    (_record(1, "Pakistan met India.", "meet", "042", source={"text": "Pakistan", "start": 0, "end": 8,
                                                              "code": "PAKISTAN"}), "actor code"),
    ({"id": "x", "text": "t"}, "missing key"),
    (dict(_record(1, "Pakistan met India."), extra=1), "unknown key"),
])
def test_record_validation(tmp_path: Path, record: dict, message: str | None) -> None:
    path = _write(tmp_path / "train", "a.jsonl", [record])
    if message is None:
        assert len(load_labels([path])) == 1
    else:
        with pytest.raises(InputError, match=message) as info:
            load_labels([path])
        assert "a.jsonl:1:" in str(info.value)


def test_check_reports_duplicates_and_near_duplicates(tmp_path: Path) -> None:
    base = "The Kenyan president received the Ugandan foreign minister at State House on Monday."
    _write(tmp_path / "train", "a.jsonl", [_record(1, base), _record(2, "Prices rose sharply in March.")])
    _write(tmp_path / "test", "b.jsonl", [_record(1, base.upper()),
                                          _record(3, base.replace("foreign minister", "foreign ministers"))])
    problems = check_labels(tmp_path)
    assert any("duplicate id" in p for p in problems)
    assert any("duplicate text" in p and "b.jsonl:1" in p for p in problems)
    assert any("near duplicate" in p and "b.jsonl:2" in p for p in problems)


def test_near_duplicates_threshold() -> None:
    from coder.labels import LabelledSentence

    def rec(i: int, text: str) -> LabelledSentence:
        return LabelledSentence(f"x{i}", text, "none", "", None, None, "t")

    recs = [rec(1, "Talks between the two sides resumed in Doha on Sunday."),
            rec(2, "Talks between the two sides resumed in Doha on Monday."),
            rec(3, "A car bomb exploded outside the ministry.")]
    pairs = near_duplicates(recs, threshold=0.8)
    assert [(a.id, b.id) for a, b, _ in pairs] == [("x1", "x2")]


def test_split_overlap(tmp_path: Path) -> None:
    train = ["The Kenyan president received the Ugandan foreign minister at State House on Monday.",
             "Rebels shelled the eastern town overnight, residents said."]
    test = ["The Kenyan president received the Ugandan foreign minister at State House on Friday.",
            "Prices of bread doubled in the capital after the drought."]
    _write(tmp_path / "train", "a.jsonl", [_record(i, t) for i, t in enumerate(train)])
    _write(tmp_path / "test", "b.jsonl", [_record(10 + i, t) for i, t in enumerate(test)])
    overlap = split_overlap(load_labels([tmp_path]))
    assert set(overlap) == {"test"}
    assert overlap["test"]["share_above"] == pytest.approx(0.5)
    assert 0 < overlap["test"]["mean_nearest"] < 1


def test_label_stats(tmp_path: Path) -> None:
    _write(tmp_path / "train", "a.jsonl", [
        _record(1, "Pakistan accused India of shelling.", "accuse", "112",
                source={"text": "Pakistan", "start": 0, "end": 8, "code": "PAK"},
                target={"text": "India", "start": 17, "end": 22, "code": "IND"}),
        _record(2, "The army threatened to attack the rebels.", "none"),
        _record(3, "Prices rose.", "none"),
    ])
    records = load_labels([tmp_path])
    stats = label_stats(records, predicates=["accuse", "threaten", "rise"])
    assert stats["label"] == {"accuse": 1, "none": 2}
    assert stats["country"] == {"PAK": 1, "IND": 1}
    assert stats["none_kind"] == {"hard (has an event word)": 1, "plain": 1}
    assert stats["predicate"]["accuse:accuse"] == 1
    assert stats["length"]["5-11"] == 2 and stats["length"]["<5"] == 1


def test_project_labels_meet_the_issue_minimums(root: Path) -> None:
    records = load_labels([root / "labels"])
    stats = label_stats(records)
    assert stats["split"].keys() == {"train", "dev", "test"}
    for label in ("meet", "consult", "accuse", "attack", "none"):
        assert stats["label"][label] > 0
