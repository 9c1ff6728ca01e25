"""Event tables: round trips, Phoenix TSV, atomic writes, duplicates and dyad counts."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from coder import __version__
from coder.errors import CoderError
from coder.export import (
    DYAD_COLUMNS, EVENT_COLUMNS, PHOENIX_COLUMNS, DyadCounter, TableWriter, check_output_path, mark_duplicates,
    read_table, write_dyads,
)

FORMATS = ("csv", "parquet", "jsonl")


def event(n: int, *, code: str = "042", event: str = "meet", date: str = "2023-07-24", src: str = "USAMIL",
          tgt: str = "PAKMIL", quad: int | None = 1, goldstein: float | None = 1.9, **extra) -> dict:
    row = {
        "event_id": f"doc:{n}:e1", "doc_id": "doc", "sentence_id": f"doc:{n}", "date": date,
        "source_text": "US CENTCOM", "source_code": src, "source_country": src[:3], "target_text": "Pakistan's army",
        "target_code": tgt, "target_country": tgt[:3], "event": event, "cameo_code": code, "root_code": code[:2],
        "quad_class": quad, "goldstein": goldstein, "confidence": 0.875, "coded_by": "model",
        "sentence": 'He said, "we met"\tin Rawalpindi.', "doc_source": "Dawn", "url": f"https://example.org/{n}",
        "duplicate_of": "", "model_version": "default-abcd1234", "coder_version": __version__,
    }
    row.update(extra)
    return row


ROWS = [
    event(1, code="042"),
    event(2, code="043", goldstein=2.8),
    event(3, code="040", event="consult", goldstein=1.0),
    event(4, code="1831", event="attack", quad=4, goldstein=-10.0, src="PAKREB", tgt="PAKMIL"),
    event(5, code="112", event="accuse", quad=3, goldstein=-2.0, src="PAKGOV", tgt="AFGGOV"),
]


def write_rows(path: Path, rows=ROWS, columns=EVENT_COLUMNS, fmt=None, metadata=None) -> Path:
    with TableWriter(path, columns, fmt, metadata) as writer:
        for row in rows:
            writer.write(row)
    return path


def plain_read(path: Path) -> pd.DataFrame:
    """Read without coder: csv module, json module, pyarrow: what users of the files see."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return pd.DataFrame(list(csv.DictReader(fh)))
    if path.suffix == ".jsonl":
        return pd.DataFrame([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()])
    return pq.read_table(path).to_pandas()


# --------------------------------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_read_table(tmp_path, fmt):
    path = write_rows(tmp_path / f"events.{fmt}")
    df = read_table(path)
    assert list(df.columns) == list(EVENT_COLUMNS)
    assert len(df) == len(ROWS)
    assert df["cameo_code"].tolist() == ["042", "043", "040", "1831", "112"]
    assert df["root_code"].tolist() == ["04", "04", "04", "18", "11"]
    assert all(isinstance(v, str) for v in df["cameo_code"])
    assert pd.api.types.is_integer_dtype(df["quad_class"])
    assert df["quad_class"].tolist() == [1, 1, 1, 4, 3]
    assert pd.api.types.is_float_dtype(df["goldstein"])
    assert df["goldstein"].tolist() == [1.9, 2.8, 1.0, -10.0, -2.0]
    assert df["sentence"].iloc[0] == 'He said, "we met"\tin Rawalpindi.'
    assert df["event_id"].tolist() == [r["event_id"] for r in ROWS]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_plain_readers_keep_codes_as_strings(tmp_path, fmt):
    rows = [event(1, code="042"), event(2, code="0", event="consult", goldstein=None), event(3, code="043")]
    path = write_rows(tmp_path / f"events.{fmt}", rows)
    df = plain_read(path)
    assert df["cameo_code"].tolist() == ["042", "0", "043"]
    assert df["root_code"].tolist() == ["04", "0", "04"]
    if fmt == "parquet":
        schema = pq.read_schema(path)
        assert str(schema.field("cameo_code").type) == "string"
        assert str(schema.field("quad_class").type) == "int64"
        assert str(schema.field("goldstein").type) == "double"
    if fmt == "jsonl":
        first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        assert first["cameo_code"] == "042" and first["quad_class"] == 1 and first["goldstein"] == 1.9
    if fmt == "csv":
        assert '"He said, ""we met""\tin Rawalpindi."' in path.read_text(encoding="utf-8")


def test_parquet_via_pandas_keeps_codes(tmp_path):
    path = write_rows(tmp_path / "events.parquet")
    df = pd.read_parquet(path)
    assert df["cameo_code"].iloc[0] == "042"
    assert df["quad_class"].dtype.kind == "i"


def test_parquet_schema_metadata(tmp_path):
    path = write_rows(tmp_path / "events.parquet", metadata={"model_version": "default-abcd1234"})
    meta = pq.read_schema(path).metadata
    assert meta[b"coder_version"] == __version__.encode()
    assert meta[b"model_version"] == b"default-abcd1234"


def test_parquet_many_batches(tmp_path):
    rows = [event(i, code="042" if i % 2 else "1831") for i in range(1, 26)]
    path = tmp_path / "events.parquet"
    with TableWriter(path, EVENT_COLUMNS, batch_rows=7) as writer:
        for row in rows:
            writer.write(row)
    assert writer.rows_written == 25
    df = read_table(path)
    assert df["event_id"].tolist() == [r["event_id"] for r in rows]
    assert df["cameo_code"].tolist() == [r["cameo_code"] for r in rows]
    assert df["cameo_code"].tolist()[:2] == ["042", "1831"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_table_has_columns(tmp_path, fmt):
    path = write_rows(tmp_path / f"events.{fmt}", rows=[])
    assert path.exists()
    if fmt == "csv":
        assert path.read_text(encoding="utf-8").strip() == ",".join(EVENT_COLUMNS)
    elif fmt == "parquet":
        assert pq.read_schema(path).names == list(EVENT_COLUMNS)
    else:
        assert path.read_text(encoding="utf-8") == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_none_rows_numeric_columns(tmp_path, fmt):
    """--all-sentences writes 'none' rows with empty codes and no quad_class / goldstein."""
    rows = [event(1), event(2, code="", event="none", quad=None, goldstein=None)]
    df = read_table(write_rows(tmp_path / f"events.{fmt}", rows))
    assert df["cameo_code"].tolist() == ["042", ""]
    assert pd.api.types.is_numeric_dtype(df["quad_class"])
    assert pd.api.types.is_float_dtype(df["goldstein"])
    assert df["goldstein"].iloc[0] == 1.9 and pd.isna(df["goldstein"].iloc[1])


# --------------------------------------------------------------------------------------------------- phoenix

def test_phoenix_format(tmp_path):
    rows = [event(1), event(4, code="1831", event="attack", quad=4, goldstein=-10.0, src="PAKREBTTP",
                            tgt="PAKMIL"),
            event(6, code="190", event="attack", quad=4, goldstein=-10.0, src="", tgt="PAKCVL")]
    path = write_rows(tmp_path / "events.tsv", rows, fmt="phoenix")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3  # no header
    parsed = list(csv.reader(lines, delimiter="\t"))
    assert all(len(r) == len(PHOENIX_COLUMNS) == 26 for r in parsed)
    first = dict(zip(PHOENIX_COLUMNS, parsed[0]))
    assert first["EventID"] == "doc:1:e1"
    assert (first["Date"], first["Year"], first["Month"], first["Day"]) == ("20230724", "2023", "07", "24")
    assert (first["SourceActorFull"], first["SourceActorEntity"], first["SourceActorRole"]) == ("USAMIL", "USA", "MIL")
    assert (first["TargetActorFull"], first["TargetActorEntity"], first["TargetActorRole"]) == ("PAKMIL", "PAK", "MIL")
    assert (first["EventCode"], first["EventRootCode"], first["QuadClass"]) == ("042", "04", "1")
    assert float(first["GoldsteinScore"]) == 1.9
    assert first["SentenceID"] == "doc:1" and first["URLs"] == "https://example.org/1"
    assert first["NewsSources"] == "Dawn"
    second = dict(zip(PHOENIX_COLUMNS, parsed[1]))
    assert (second["SourceActorEntity"], second["SourceActorRole"], second["SourceActorAttribute"]) == (
        "PAK", "REB", "TTP")
    assert second["EventCode"] == "1831" and second["EventRootCode"] == "18"
    third = dict(zip(PHOENIX_COLUMNS, parsed[2]))
    assert (third["SourceActorFull"], third["SourceActorEntity"], third["SourceActorRole"]) == ("", "", "")


def test_phoenix_date_without_header_row(tmp_path):
    path = write_rows(tmp_path / "events.txt", [event(1)], fmt="phoenix")
    text = path.read_text(encoding="utf-8")
    assert not text.startswith("EventID")
    assert text.split("\t")[1] == "20230724"


# --------------------------------------------------------------------------------------------------- paths

@pytest.mark.parametrize("name", ["events.tsv", "events.txt", "events.xlsx", "events"])
def test_bad_extension(tmp_path, name):
    with pytest.raises(CoderError, match=name.replace(".", r"\.")):
        TableWriter(tmp_path / name, EVENT_COLUMNS)
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_name(tmp_path):
    with pytest.raises(CoderError, match="unknown format"):
        TableWriter(tmp_path / "events.csv", EVENT_COLUMNS, fmt="xlsx")


def test_check_output_path_missing_folder(tmp_path):
    with pytest.raises(CoderError, match="does not exist"):
        check_output_path(tmp_path / "nope" / "events.csv")


def test_check_output_path_is_folder(tmp_path):
    folder = tmp_path / "events.csv"
    folder.mkdir()
    with pytest.raises(CoderError, match="is a folder"):
        check_output_path(folder)


def test_check_output_path_ok(tmp_path):
    assert check_output_path(tmp_path / "events.csv") == tmp_path / "events.csv"


# --------------------------------------------------------------------------------------------------- atomicity

@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_write_leaves_nothing(tmp_path, fmt):
    path = tmp_path / f"events.{fmt}"
    with pytest.raises(RuntimeError, match="boom"):
        with TableWriter(path, EVENT_COLUMNS, batch_rows=1) as writer:
            for row in ROWS:
                writer.write(row)
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_write_keeps_existing_output(tmp_path, fmt):
    path = write_rows(tmp_path / f"events.{fmt}", ROWS[:2])
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with TableWriter(path, EVENT_COLUMNS, batch_rows=1) as writer:
            for row in ROWS:
                writer.write(row)
            raise RuntimeError("boom")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_output_not_visible_until_closed(tmp_path):
    path = tmp_path / "events.csv"
    with TableWriter(path, EVENT_COLUMNS) as writer:
        writer.write(ROWS[0])
        assert not path.exists()
    assert path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_output_file_mode_follows_umask(tmp_path):
    path = write_rows(tmp_path / "events.csv")
    plain = tmp_path / "plain.csv"
    plain.write_text("x")
    assert (path.stat().st_mode & 0o777) == (plain.stat().st_mode & 0o777)


# --------------------------------------------------------------------------------------------------- duplicates

def test_mark_duplicates():
    rows = [
        event(1, code="042"),
        event(2, code="042"),                        # same key as 1
        event(3, code="043"),                        # other code
        event(4, code="042", date="2023-07-25"),     # other day
        event(5, code="042", src="PAKMIL", tgt="USAMIL"),  # reversed dyad
        event(6, code="042"),                        # same key as 1 again
    ]
    out = list(mark_duplicates(rows))
    assert [r["duplicate_of"] for r in out] == ["", "doc:1:e1", "", "", "", "doc:1:e1"]


@pytest.mark.parametrize("blank", [{"date": ""}, {"src": ""}, {"tgt": ""}, {"code": ""}])
def test_mark_duplicates_needs_full_key(blank):
    rows = [event(1, **blank), event(2, **blank)]
    out = list(mark_duplicates(rows))
    assert [r["duplicate_of"] for r in out] == ["", ""]


def test_mark_duplicates_ignores_none_rows():
    rows = [event(1, event="none"), event(2, event="none"), event(3), event(4)]
    out = list(mark_duplicates(rows))
    assert [r["duplicate_of"] for r in out] == ["", "", "", "doc:3:e1"]


def test_mark_duplicates_resets_stale_value():
    rows = [event(1, duplicate_of="something-old")]
    assert list(mark_duplicates(rows))[0]["duplicate_of"] == ""


# --------------------------------------------------------------------------------------------------- dyads

DYAD_ROWS = [
    event(1, date="2023-07-24", goldstein=1.9),
    event(2, date="2023-07-24", code="043", goldstein=2.8),
    event(3, date="2023-07-25", goldstein=1.9),
    event(4, date="2023-08-01", goldstein=1.9),
    event(5, date="2024-01-02", goldstein=1.9),
    event(6, date="2023-07-24", event="none", code="", quad=None, goldstein=None),
]


@pytest.mark.parametrize("period, expected", [
    ("day", {"2023-07-24": (2, 4.7), "2023-07-25": (1, 1.9), "2023-08-01": (1, 1.9), "2024-01-02": (1, 1.9)}),
    ("week", {"2023-W30": (3, 6.6), "2023-W31": (1, 1.9), "2024-W01": (1, 1.9)}),
    ("month", {"2023-07": (3, 6.6), "2023-08": (1, 1.9), "2024-01": (1, 1.9)}),
    ("year", {"2023": (4, 8.5), "2024": (1, 1.9)}),
])
def test_dyad_counter_periods(period, expected):
    counter = DyadCounter(period)
    for row in DYAD_ROWS:
        counter.add(row)
    rows = counter.rows()
    got = {r["period"]: (r["events"], r["goldstein_sum"]) for r in rows}
    assert got.keys() == expected.keys()
    for key, (n, g) in expected.items():
        assert got[key][0] == n
        assert got[key][1] == pytest.approx(g)
    assert all(r["event"] == "meet" and r["source_code"] == "USAMIL" and r["target_code"] == "PAKMIL" for r in rows)
    first = next(r for r in rows if r["period"] == next(iter(expected)))
    assert first["goldstein_mean"] == pytest.approx(first["goldstein_sum"] / first["events"], abs=1e-3)


def test_dyad_counter_separates_dyads_and_events():
    counter = DyadCounter("month")
    counter.add(event(1))
    counter.add(event(2, src="PAKMIL", tgt="USAMIL"))
    counter.add(event(3, code="112", event="accuse", quad=3, goldstein=-2.0))
    rows = counter.rows()
    assert len(rows) == 3
    assert {(r["source_code"], r["target_code"], r["event"], r["quad_class"]) for r in rows} == {
        ("USAMIL", "PAKMIL", "meet", 1), ("PAKMIL", "USAMIL", "meet", 1), ("USAMIL", "PAKMIL", "accuse", 3)}


@pytest.mark.parametrize("keep, expected", [(False, 2), (True, 3)])
def test_dyad_counter_duplicates(keep, expected):
    rows = list(mark_duplicates([event(1), event(2), event(3, date="2023-07-25")]))
    assert rows[1]["duplicate_of"] == "doc:1:e1"
    counter = DyadCounter("month", keep_duplicates=keep)
    for row in rows:
        counter.add(row)
    [dyad] = counter.rows()
    assert dyad["events"] == expected
    assert dyad["goldstein_sum"] == pytest.approx(1.9 * expected)


def test_dyad_counter_ignores_none_rows():
    counter = DyadCounter("day")
    for n in range(3):
        counter.add(event(n, event="none", code="", quad=None, goldstein=None))
    assert counter.rows() == []


@pytest.mark.parametrize("period", ["quarter", "Month", ""])
def test_dyad_counter_unknown_period(period):
    with pytest.raises(CoderError, match="unknown period"):
        DyadCounter(period)


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_dyads(tmp_path, fmt):
    counter = DyadCounter("week")
    for row in DYAD_ROWS:
        counter.add(row)
    path = tmp_path / f"dyads.{fmt}"
    n = write_dyads(counter, path, metadata={"model_version": "m-1"})
    assert n == 3
    df = read_table(path)
    assert list(df.columns) == list(DYAD_COLUMNS)
    assert df["period"].tolist() == ["2023-W30", "2023-W31", "2024-W01"]
    assert df["events"].tolist() == [3, 1, 1]
    assert pd.api.types.is_integer_dtype(df["events"])
    assert df["goldstein_sum"].tolist() == pytest.approx([6.6, 1.9, 1.9])


@pytest.mark.parametrize("name, fmt", [("dyads.tsv", "phoenix"), ("dyads.tsv", None), ("dyads.xlsx", None)])
def test_write_dyads_rejects_phoenix_and_unknown(tmp_path, name, fmt):
    counter = DyadCounter("month")
    counter.add(event(1))
    with pytest.raises(CoderError):
        write_dyads(counter, tmp_path / name, fmt=fmt)
    assert list(tmp_path.iterdir()) == []


def test_dyad_goldstein_sums_do_not_depend_on_the_order_events_come_in() -> None:
    """A cluster adds events in another order than one process: the sums are exact (thousandths), so 24.5 / 8
    rounds the same way both times (float sums gave 24.500000000000004 -> 3.063 one way and 3.062 the other)."""
    from coder.cameo import GOLDSTEIN

    code_of = {v: k for k, v in GOLDSTEIN.items() if k.startswith("04")}
    one = [1.9, 7.0, 1.9, 1.9, 1.0, 7.0, 1.0, 2.8]
    other = [2.8, 1.9, 7.0, 1.9, 1.9, 7.0, 1.0, 1.0]
    tables = []
    for scores in (one, other):
        counter = DyadCounter("year")
        for n, g in enumerate(scores):
            counter.add({"event_id": f"d:{n}:e1", "date": "2024-05-01", "source_code": "PAKGOV",
                         "source_country": "PAK", "target_code": "AFGGOV", "target_country": "AFG",
                         "event": "consult", "quad_class": 1, "goldstein": g, "cameo_code": code_of[g]})
        tables.append(counter.rows())
    assert tables[0] == tables[1]
    assert (tables[0][0]["events"], tables[0][0]["goldstein_sum"], tables[0][0]["goldstein_mean"]) == (8, 24.5, 3.062)
