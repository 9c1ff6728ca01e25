"""Labelled sentences: reading, validating and summarising ``labels/``.

Each line of a ``.jsonl`` label file is one sentence: ``id``, ``text``, ``label``, ``cameo_code``, ``source`` and
``target`` (``{"text", "start", "end", "code"}`` or null) and ``written_in`` (the batch it was written in). The
split is the folder: ``labels/train``, ``labels/dev``, ``labels/test``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cameo import LABELS, is_valid_code
from .corpus import iter_jsonl
from .errors import InputError

KEYS = ("id", "text", "label", "cameo_code", "source", "target", "written_in")
SPAN_KEYS = ("text", "start", "end", "code")
ROLES = {"GOV", "MIL", "COP", "JUD", "LEG", "SPY", "REB", "INS", "OPP", "PTY", "BUS", "MED", "CVL", "NGO",
         "REL", "EDU", "LAB", "REF", "UAF", "ELI", "IGO", "HLH", "AGR", "CRM", "MOD", "RAD", "SET"}
_CODE = re.compile(r"^[A-Z]{3}(?:[A-Z]{3})*$")


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int
    code: str


@dataclass(frozen=True)
class LabelledSentence:
    id: str
    text: str
    label: str
    cameo_code: str
    source: Span | None
    target: Span | None
    written_in: str
    path: str = ""
    line: int = 0

    @property
    def source_country(self) -> str:
        return _country(self.source.code) if self.source else ""

    @property
    def target_country(self) -> str:
        return _country(self.target.code) if self.target else ""


def _country(code: str) -> str:
    from .actors import iso3_codes

    return code[:3] if code[:3] in iso3_codes() else ""


def valid_actor_code(code: str) -> bool:
    """An empty code, a role, an ISO3 country (+ roles), or IGO/NGO + acronym."""
    from .actors import iso3_codes

    if code == "":
        return True
    if not _CODE.match(code):
        return False
    head = code[:3]
    return head in iso3_codes() or head in ROLES


def label_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.jsonl")))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("no such label file or folder", path)
    return files


def _span(value: Any, text: str, where: str, path: Path, line: int) -> Span | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(SPAN_KEYS):
        raise InputError(f"{where} must be null or an object with keys {', '.join(SPAN_KEYS)}", path, line)
    start, end, span_text, code = value["start"], value["end"], value["text"], value["code"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise InputError(f"{where} offsets {start}..{end} are outside the text", path, line)
    if text[start:end] != span_text:
        raise InputError(f"{where} offsets {start}..{end} give {text[start:end]!r}, not {span_text!r}", path, line)
    if not isinstance(code, str) or not valid_actor_code(code):
        raise InputError(f"{where} has an invalid actor code {code!r}", path, line)
    return Span(span_text, start, end, code)


def parse_record(record: Any, path: Path, line: int) -> LabelledSentence:
    """Validate one label record; raises InputError naming file and line."""
    if not isinstance(record, dict):
        raise InputError("a line is not a JSON object", path, line)
    missing = [k for k in KEYS if k not in record]
    if missing:
        raise InputError(f"missing key {missing[0]!r}", path, line)
    extra = [k for k in record if k not in KEYS]
    if extra:
        raise InputError(f"unknown key {extra[0]!r}", path, line)
    text, label, code = record["text"], record["label"], record["cameo_code"]
    if not isinstance(text, str) or not text.strip():
        raise InputError("empty text", path, line)
    if label not in LABELS:
        raise InputError(f"unknown label {label!r} (use {', '.join(LABELS)})", path, line)
    if not isinstance(code, str) or not is_valid_code(code, label):
        raise InputError(f"cameo_code {code!r} is not a {label} code (codes are strings, e.g. \"042\")", path, line)
    return LabelledSentence(
        id=str(record["id"]), text=text, label=label, cameo_code=code,
        source=_span(record["source"], text, "source", path, line),
        target=_span(record["target"], text, "target", path, line),
        written_in=str(record["written_in"]), path=str(path), line=line,
    )


def read_label_file(path: Path) -> list[LabelledSentence]:
    return [parse_record(record, path, n) for n, record in iter_jsonl(path)]


def load_labels(paths: Iterable[str | Path]) -> list[LabelledSentence]:
    """All labelled sentences under `paths` (files or folders), validated; duplicate ids are an error."""
    out: list[LabelledSentence] = []
    seen: dict[str, str] = {}
    for path in label_files(paths):
        for rec in read_label_file(path):
            if rec.id in seen:
                raise InputError(f"duplicate id {rec.id!r} (first at {seen[rec.id]})", path, rec.line)
            seen[rec.id] = f"{rec.path}:{rec.line}"
            out.append(rec)
    return out


# --------------------------------------------------------------------------------------------------- checks

def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _trigrams(text: str) -> set[str]:
    t = f"  {_normal(text)} "
    return {t[i:i + 3] for i in range(len(t) - 2)}


def near_duplicates(records: list[LabelledSentence], threshold: float = 0.9) -> list[tuple[LabelledSentence, LabelledSentence, float]]:
    """Pairs of sentences whose character-trigram Jaccard similarity is at least `threshold`."""
    from sklearn.feature_extraction.text import CountVectorizer

    if len(records) < 2:
        return []
    vec = CountVectorizer(analyzer="char_wb", ngram_range=(3, 3), binary=True, lowercase=True)
    m = vec.fit_transform([_normal(r.text) for r in records]).astype("float32")
    sizes = m.sum(axis=1).A1
    inter = (m @ m.T).tocoo()
    out = []
    for i, j, v in zip(inter.row, inter.col, inter.data):
        if i < j:
            sim = v / (sizes[i] + sizes[j] - v)
            if sim >= threshold:
                out.append((records[i], records[j], float(sim)))
    return sorted(out, key=lambda x: -x[2])


def check_labels(root: str | Path) -> list[str]:
    """Every problem in the label folder, one line each (file:line: message); empty when all is well."""
    root = Path(root)
    problems: list[str] = []
    records: list[LabelledSentence] = []
    files = label_files([root])
    if not files:
        return [f"{root}: no .jsonl label files"]
    for path in files:
        try:
            recs = read_label_file(path)
        except InputError as exc:
            problems.append(str(exc))
            continue
        records.extend(recs)
    by_id: dict[str, LabelledSentence] = {}
    by_text: dict[str, LabelledSentence] = {}
    for rec in records:
        if rec.id in by_id:
            first = by_id[rec.id]
            problems.append(f"{rec.path}:{rec.line}: duplicate id {rec.id!r} (first at {first.path}:{first.line})")
        by_id.setdefault(rec.id, rec)
        key = _normal(rec.text)
        if key in by_text:
            first = by_text[key]
            problems.append(f"{rec.path}:{rec.line}: duplicate text (first at {first.path}:{first.line})")
        by_text.setdefault(key, rec)
    for a, b, sim in near_duplicates(records):
        if _normal(a.text) != _normal(b.text):
            problems.append(f"{b.path}:{b.line}: near duplicate of {a.path}:{a.line} (similarity {sim:.2f})")
    return problems


def label_stats(records: list[LabelledSentence]) -> dict[str, Counter[str]]:
    """Counts per class, split, CAMEO code, country and actor role, and length band."""
    stats: dict[str, Counter[str]] = {k: Counter() for k in ("label", "split", "cameo_code", "country", "role", "length")}
    for rec in records:
        stats["label"][rec.label] += 1
        stats["split"][Path(rec.path).parent.name] += 1
        if rec.cameo_code:
            stats["cameo_code"][rec.cameo_code] += 1
        for span in (rec.source, rec.target):
            if span and span.code:
                country = _country(span.code)
                if country:
                    stats["country"][country] += 1
                stats["role"][span.code[3:6] if country else span.code[:3]] += 1
        n = len(rec.text.split())
        stats["length"]["5-14" if n < 15 else "15-29" if n < 30 else "30-44" if n < 45 else "45+"] += 1
    return stats
