"""Event tables: one row per actor->target event, and dyad x period counts, in CSV, Parquet, JSONL or Phoenix TSV.

Rows stream to a temporary file beside the output that is renamed into place only when the run completes, so a
crashed run never leaves a half-written table. CAMEO codes are strings in every format ("042", not 42).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CoderError

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id", "doc_id", "sentence_id", "date", "source_text", "source_code", "source_country", "target_text",
    "target_code", "target_country", "event", "cameo_code", "root_code", "quad_class", "goldstein", "confidence",
    "coded_by", "negated", "hypothetical", "reported", "sentence", "doc_source", "url", "duplicate_of",
    "model_version", "coder_version",
)
DYAD_COLUMNS: tuple[str, ...] = (
    "period", "source_code", "source_country", "target_code", "target_country", "event", "quad_class", "events",
    "goldstein_sum", "goldstein_mean",
)
#: Phoenix (Open Event Data Alliance) daily-file columns, tab-separated, no header row.
PHOENIX_COLUMNS: tuple[str, ...] = (
    "EventID", "Date", "Year", "Month", "Day", "SourceActorFull", "SourceActorEntity", "SourceActorRole",
    "SourceActorAttribute", "TargetActorFull", "TargetActorEntity", "TargetActorRole", "TargetActorAttribute",
    "EventCode", "EventRootCode", "QuadClass", "GoldsteinScore", "Issues", "Lat", "Lon", "LocationName",
    "StateName", "CountryCode", "SentenceID", "URLs", "NewsSources",
)
FORMATS = ("csv", "parquet", "jsonl", "phoenix")
PERIODS = ("day", "week", "month", "year")
_INT_COLUMNS = {"quad_class", "events"}
_FLOAT_COLUMNS = {"goldstein", "confidence", "goldstein_sum", "goldstein_mean"}
#: Event flags: booleans in Parquet and JSONL, "true" / "false" in CSV (readable by pandas, R and Stata).
_BOOL_COLUMNS = {"negated", "hypothetical", "reported"}


def output_format(path: str | Path, fmt: str | None = None) -> str:
    """The format asked for, or the one the file extension names."""
    if fmt:
        if fmt not in FORMATS:
            raise CoderError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})", path)
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in {"csv", "parquet", "jsonl"}:
        return suffix
    if suffix in {"tsv", "txt"}:
        raise CoderError(f"use --format phoenix to write .{suffix}, or a .csv, .parquet or .jsonl file", path)
    raise CoderError(f"unknown output extension {Path(path).suffix or '(none)'!r}; use .csv, .parquet or .jsonl",
                     path)


def check_output_path(path: str | Path) -> Path:
    """Fail early, before any work, when the output cannot be written."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CoderError("output folder does not exist", path)
    if path.is_dir():
        raise CoderError("output path is a folder", path)
    try:  # a real test: permissions, read-only file systems and root all answer it truthfully
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        raise CoderError(f"cannot write in the output folder ({exc.strerror or exc})", path) from None
    os.close(fd)
    os.unlink(probe)
    return path


# --------------------------------------------------------------------------------------------------- atomic writes

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AtomicFile:
    """A temporary file beside `path`, renamed over it by :meth:`commit`, removed by :meth:`abort`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent or ".")
        os.close(fd)
        self.tmp = Path(tmp)
        os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a table should be as readable as any file

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self.tmp.unlink()
        except FileNotFoundError:
            pass


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write a whole text file atomically: the previous file or the new one, never half of it."""
    atomic = AtomicFile(path)
    try:
        atomic.tmp.write_text(text, encoding="utf-8")
        atomic.commit()
    except BaseException:
        atomic.abort()
        raise


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and "\r" in value:
        # A bare carriage return is a line break to every CSV reader, but the csv module does not quote it
        # (our rows end in "\n"): written as "\n", the cell is quoted and stays one cell.
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return "" if value is None else value


class TableWriter:
    """Streams rows of fixed columns to CSV, JSONL, Parquet or Phoenix TSV, atomically."""

    def __init__(self, path: str | Path, columns: Iterable[str], fmt: str | None = None,
                 metadata: dict[str, str] | None = None, batch_rows: int = 5000) -> None:
        self.path = Path(path)
        self.columns = tuple(columns)
        self.fmt = output_format(path, fmt)
        self.metadata = metadata or {}
        self.batch_rows = batch_rows
        self.rows_written = 0
        self._file = AtomicFile(self.path)
        self._buffer: list[dict[str, Any]] = []
        self._parquet: Any = None
        self._fh: Any = None
        self._csv: Any = None
        if self.fmt in {"csv", "phoenix"}:
            self._fh = self._file.tmp.open("w", encoding="utf-8", newline="")
            delimiter = "\t" if self.fmt == "phoenix" else ","
            self._csv = csv.writer(self._fh, delimiter=delimiter, lineterminator="\n")
            if self.fmt == "csv":
                self._csv.writerow(self.columns)
        elif self.fmt == "jsonl":
            self._fh = self._file.tmp.open("w", encoding="utf-8")

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, row: dict[str, Any]) -> None:
        if self.fmt == "csv":
            self._csv.writerow([_cell(row.get(c)) for c in self.columns])
        elif self.fmt == "phoenix":
            self._csv.writerow(phoenix_row(row))
        elif self.fmt == "jsonl":
            self._fh.write(json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False) + "\n")
        else:
            self._buffer.append(row)
            if len(self._buffer) >= self.batch_rows:
                self._flush_parquet()
        self.rows_written += 1

    def _schema(self):  # type: ignore[no-untyped-def]
        return table_schema(self.columns, self.metadata)

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = self._schema()
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._file.tmp, schema)
        columns = {c: [row.get(c) for row in self._buffer] for c in self.columns}
        for c in self.columns:
            if c in _BOOL_COLUMNS:
                columns[c] = [None if v is None else bool(v) for v in columns[c]]
            elif c not in _INT_COLUMNS and c not in _FLOAT_COLUMNS:
                columns[c] = [None if v is None else str(v) for v in columns[c]]
        self._parquet.write_table(pa.table(columns, schema=schema))
        self._buffer = []

    def close(self) -> None:
        if self.fmt == "parquet":
            if self._buffer or self._parquet is None:
                self._flush_parquet()
            self._parquet.close()
        elif self._fh is not None:
            self._fh.close()
        self._file.commit()

    def abort(self) -> None:
        try:
            if self._parquet is not None:
                self._parquet.close()
            if self._fh is not None:
                self._fh.close()
        finally:
            self._file.abort()


def table_schema(columns: Iterable[str], metadata: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """The Arrow schema of a table of `columns`: counts int64, scores float64, flags bool, the rest text."""
    import pyarrow as pa

    fields = []
    for c in columns:
        typ = (pa.int64() if c in _INT_COLUMNS else pa.float64() if c in _FLOAT_COLUMNS
               else pa.bool_() if c in _BOOL_COLUMNS else pa.string())
        fields.append(pa.field(c, typ))
    meta = {b"coder_version": __version__.encode(),
            **{k.encode(): str(v).encode() for k, v in (metadata or {}).items()}}
    return pa.schema(fields, metadata=meta)


def phoenix_row(row: dict[str, Any]) -> list[str]:
    date = row.get("date") or ""
    ymd = date.replace("-", "")
    src, tgt = row.get("source_code") or "", row.get("target_code") or ""
    g = row.get("goldstein")
    return [
        str(row.get("event_id", "")), ymd, date[:4], date[5:7], date[8:10],
        src, src[:3], src[3:6], src[6:], tgt, tgt[:3], tgt[3:6], tgt[6:],
        str(row.get("cameo_code") or ""), str(row.get("root_code") or ""), str(row.get("quad_class") or ""),
        "" if g is None else str(g), "", "", "", "", "", "", str(row.get("sentence_id", "")),
        str(row.get("url") or ""), str(row.get("doc_source") or ""),
    ]


# --------------------------------------------------------------------------------------------------- duplicates

def duplicate_key(row: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """The Phoenix one-a-day key: (date, source_code, target_code, cameo_code).

    Events without a date, or without both actor codes, have no key: two unattributed attacks on one day are
    not assumed to be the same event.
    """
    date, src, tgt, code = row.get("date"), row.get("source_code"), row.get("target_code"), row.get("cameo_code")
    if not (date and src and tgt and code):
        return None
    return (str(date), str(src), str(tgt), str(code))


def mark_duplicates(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Set ``duplicate_of`` to the first event with the same one-a-day key (empty for the first)."""
    first: dict[tuple[str, str, str, str], str] = {}
    for row in rows:
        key = duplicate_key(row)
        row["duplicate_of"] = ""
        if key is not None and row.get("event") not in (None, "", "none"):
            if key in first:
                row["duplicate_of"] = first[key]
            else:
                first[key] = row["event_id"]
        yield row


# --------------------------------------------------------------------------------------------------- dyads

def period_of(date: str, period: str) -> str:
    """'2023-07-24' -> '2023-07-24' (day), '2023-W30' (ISO week), '2023-07' (month), '2023' (year)."""
    if not date:
        return ""
    if period == "day":
        return date
    if period == "month":
        return date[:7]
    if period == "year":
        return date[:4]
    if period == "week":
        y, w, _ = dt.date.fromisoformat(date).isocalendar()
        return f"{y}-W{w:02d}"
    raise ValueError(f"unknown period {period!r} (use {', '.join(PERIODS)})")


def goldstein_milli(score: Any) -> int:
    """A Goldstein score in thousandths (CAMEO's scores have one decimal), for exact sums."""
    return round(float(score or 0.0) * 1000)


class DyadCounter:
    """Counts events per (period, source, target, event) as rows stream past; memory grows with dyads only."""

    def __init__(self, period: str = "month", keep_duplicates: bool = False) -> None:
        if period not in PERIODS:
            raise CoderError(f"unknown period {period!r} (use {', '.join(PERIODS)})")
        self.period = period
        self.keep_duplicates = keep_duplicates
        # key -> [events, Goldstein sum in thousandths]: integers, so the sum is exact and does not depend on the
        # order events are added in (one process, many, or a cluster).
        self.counts: dict[tuple[str, str, str, str, str, str, int | None], list[int]] = {}

    def key(self, row: dict[str, Any]) -> tuple[str, str, str, str, str, str, int | None] | None:
        """The dyad an event row counts for, or None when it is not counted (no event; a repeated report unless
        duplicates are kept)."""
        if row.get("event") in (None, "", "none"):
            return None
        if row.get("duplicate_of") and not self.keep_duplicates:
            return None
        return (period_of(row.get("date") or "", self.period), row.get("source_code") or "",
                row.get("source_country") or "", row.get("target_code") or "", row.get("target_country") or "",
                row["event"], row.get("quad_class"))

    def add(self, row: dict[str, Any]) -> None:
        key = self.key(row)
        if key is not None:
            self.merge(key, 1, goldstein_milli(row.get("goldstein")))

    def merge(self, key: tuple[str, str, str, str, str, str, int | None], events: int, milli: int) -> None:
        """Add `events` events of one dyad whose Goldstein scores sum to `milli` thousandths."""
        acc = self.counts.setdefault(key, [0, 0])
        acc[0] += events
        acc[1] += milli

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for key in sorted(self.counts, key=lambda k: tuple("" if v is None else str(v) for v in k)):
            n, g = self.counts[key]
            period, src, src_c, tgt, tgt_c, event, quad = key
            out.append({"period": period, "source_code": src, "source_country": src_c, "target_code": tgt,
                        "target_country": tgt_c, "event": event, "quad_class": quad, "events": int(n),
                        "goldstein_sum": round(g / 1000, 3), "goldstein_mean": round(g / 1000 / n, 3)})
        return out


def write_dyads(counter: DyadCounter, path: str | Path, fmt: str | None = None,
                metadata: dict[str, str] | None = None) -> int:
    rows = counter.rows()
    fmt = output_format(path, fmt)
    if fmt == "phoenix":
        raise CoderError("the dyad table has no Phoenix form; use .csv, .parquet or .jsonl", path)
    with TableWriter(path, DYAD_COLUMNS, fmt, metadata) as writer:
        for row in rows:
            writer.write(row)
    return len(rows)


def read_table(path: str | Path) -> Any:
    """Read an events or dyads table back into pandas with codes as strings (for tests and users)."""
    import pandas as pd

    path = Path(path)
    fmt = output_format(path)
    if fmt == "csv":
        header = pd.read_csv(path, nrows=0).columns
        # Every text column is read as text ("042" stays "042", a sentence "0" stays "0").
        text = {c: str for c in header if c not in _INT_COLUMNS | _FLOAT_COLUMNS | _BOOL_COLUMNS}
        table = pd.read_csv(path, dtype=text, keep_default_na=False)
        for col in table.columns:
            if col in _INT_COLUMNS:
                table[col] = pd.to_numeric(table[col].replace("", None), errors="coerce").astype("Int64")
            elif col in _FLOAT_COLUMNS:
                table[col] = pd.to_numeric(table[col].replace("", None), errors="coerce").astype("float64")
            elif col in _BOOL_COLUMNS and table[col].dtype == object:
                table[col] = table[col].str.lower().map({"true": True, "false": False}).astype("boolean")
        return table
    if fmt == "jsonl":
        # JSON already says what is text: no type guessing, no date parsing.
        return pd.read_json(path, lines=True, dtype=False, convert_dates=False, keep_default_dates=False)
    return pd.read_parquet(path)
