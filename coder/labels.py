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


_SPLIT_ORDER = {"train": 0, "dev": 1, "test": 2}


def label_files(paths: Iterable[str | Path]) -> list[Path]:
    """Label files under `paths`: train before dev before test, then by name (so "first" means train)."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.jsonl"), key=lambda p: (_SPLIT_ORDER.get(p.parent.name, 3), str(p))))
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


def near_duplicates(records: list[LabelledSentence], threshold: float = 0.9) -> list[tuple[LabelledSentence, LabelledSentence, float]]:
    """Pairs of sentences whose character-trigram Jaccard similarity is at least `threshold`."""
    if len(records) < 2:
        return []
    _, m = _trigram_matrix([r.text for r in records])
    sizes = m.sum(axis=1).A1
    inter = (m @ m.T).tocoo()
    out = []
    for i, j, v in zip(inter.row, inter.col, inter.data):
        if i < j:
            sim = v / (sizes[i] + sizes[j] - v)
            if sim >= threshold:
                out.append((records[i], records[j], float(sim)))
    return sorted(out, key=lambda x: -x[2])


def split_of(rec: LabelledSentence) -> str:
    """The split a sentence belongs to: the name of its folder (train, dev, test)."""
    return Path(rec.path).parent.name


def _trigram_matrix(texts: list[str], vocabulary: Any = None):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(analyzer="char_wb", ngram_range=(3, 3), binary=True, lowercase=True, vocabulary=vocabulary)
    m = vec.fit_transform([_normal(t) for t in texts]).astype("float32")
    return vec, m


def split_overlap(records: list[LabelledSentence], threshold: float = 0.8) -> dict[str, dict[str, float]]:
    """How close dev and test sentences come to train: for each sentence, the character-trigram Jaccard
    similarity of its nearest train sentence. Reports the share above `threshold` and the mean nearest
    similarity, per split. A high share means the split tests templates seen in training."""
    import numpy as np

    train = [r for r in records if split_of(r) == "train"]
    out: dict[str, dict[str, float]] = {}
    if not train:
        return out
    vec, m_train = _trigram_matrix([r.text for r in train])
    train_sizes = np.asarray(m_train.sum(axis=1)).ravel()
    for split in sorted({split_of(r) for r in records} - {"train"}):
        rows = [r for r in records if split_of(r) == split]
        texts = [r.text for r in rows]
        _, m = _trigram_matrix(texts, vocabulary=vec.vocabulary_)
        # A sentence's size counts all its trigrams, those unseen in train too: take it from its own vocabulary.
        sizes = np.asarray(_trigram_matrix(texts)[1].sum(axis=1)).ravel()
        inter = (m @ m_train.T).toarray()
        union = sizes[:, None] + train_sizes[None, :] - inter
        nearest = (inter / np.maximum(union, 1)).max(axis=1)
        out[split] = {"sentences": float(len(rows)), "share_above": float((nearest > threshold).mean()),
                      "mean_nearest": float(nearest.mean()), "threshold": threshold}
    return out


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


def label_stats(records: list[LabelledSentence], predicates: list[str] | None = None) -> dict[str, Counter[str]]:
    """Counts per class, split, CAMEO code, country, actor role, actor, length band and (when given, one per
    record) predicate lemma; ``none`` sentences are also counted as hard (holding an event word) or plain."""
    from .rules import rule_possible

    keys = ("label", "split", "label_by_split", "cameo_code", "country", "role", "actor", "length", "none_kind",
            "predicate", "batch")
    stats: dict[str, Counter[str]] = {k: Counter() for k in keys}
    for i, rec in enumerate(records):
        stats["label"][rec.label] += 1
        stats["split"][split_of(rec)] += 1
        stats["label_by_split"][f"{split_of(rec)}/{rec.label}"] += 1
        stats["batch"][rec.written_in] += 1
        if rec.label == "none":
            stats["none_kind"]["hard (has an event word)" if rule_possible(rec.text) else "plain"] += 1
        if predicates is not None and predicates[i]:
            stats["predicate"][f"{rec.label}:{predicates[i]}"] += 1
        for span in (rec.source, rec.target):
            if span is not None and span.text:
                stats["actor"][span.text.lower().removeprefix("the ")] += 1
        if rec.cameo_code:
            stats["cameo_code"][rec.cameo_code] += 1
        for span in (rec.source, rec.target):
            if span and span.code:
                country = _country(span.code)
                if country:
                    stats["country"][country] += 1
                stats["role"][span.code[3:6] if country else span.code[:3]] += 1
        n = len(rec.text.split())
        stats["length"]["<5" if n < 5 else "5-11" if n < 12 else "12-29" if n < 30 else "30-44" if n < 45
                        else "45-60" if n <= 60 else ">60"] += 1
    return stats


def predicate_lemmas(records: list[LabelledSentence], nlp: Any) -> list[str]:
    """The lemma of each sentence's event word (for none, of its main verb), read from the spaCy parse."""
    from .rules import trigger_for

    out = []
    for rec, doc in zip(records, nlp.pipe((r.text for r in records), batch_size=256)):
        tok = trigger_for(doc, rec.label) if rec.label != "none" else next((t for t in doc if t.dep_ == "ROOT"), None)
        out.append((tok.lemma_ or tok.text).lower() if tok is not None else "")
    return out


# --------------------------------------------------------------------------------------------------- import

#: Columns ``coder labels import`` needs in a filled-in ``coder suggest`` file (the others are optional).
IMPORT_REQUIRED = ("text", "label")
_BATCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")


def _import_span(row: dict[str, str], role: str, text: str, path: Path, line: int) -> dict[str, Any] | None:
    span_text = (row.get(f"{role}_text") or "").strip()
    code = (row.get(f"{role}_code") or "").strip().upper()
    if not span_text:
        if code:
            raise InputError(f"{role}_code {code!r} given without {role}_text", path, line)
        return None
    start = text.find(span_text)
    if start < 0:
        raise InputError(f"{role}_text {span_text!r} is not in the sentence", path, line)
    if not valid_actor_code(code):
        raise InputError(f"{role}_code {code!r} is not a CAMEO actor code", path, line)
    return {"text": span_text, "start": start, "end": start + len(span_text), "code": code}


def import_labels(path: str | Path, labels_root: str | Path = "labels", *, split: str = "train",
                  batch: str | None = None) -> tuple[Path, int]:
    """Turn a filled-in ``coder suggest`` CSV into a new label batch ``labels/<split>/<batch>.jsonl``.

    Rows with an empty ``label`` are skipped (not labelled yet). An empty ``cameo_code`` gets the class's
    default code; actor spans are found in the sentence by their text. Every record is validated as
    ``coder labels check`` would; the batch file is written atomically and never overwrites an existing one.
    Returns (batch file, records written).
    """
    import csv
    import json

    from .cameo import DEFAULT_CODE
    from .corpus import read_text_file
    from .export import write_text_atomic

    path = Path(path)
    if split not in _SPLIT_ORDER:
        raise InputError(f"unknown split {split!r} (use train, dev or test)", path)
    batch = batch or re.sub(r"[^A-Za-z0-9_-]", "_", path.stem)[:40]
    if not _BATCH.match(batch):
        raise InputError(f"batch name {batch!r} must be letters, digits, '-' or '_'", path)
    target = Path(labels_root) / split / f"{batch}.jsonl"
    if target.exists():
        raise InputError(f"label batch {target} already exists; pick another --batch", path)
    if not target.parent.is_dir():
        raise InputError(f"no label folder {target.parent}", path)
    text = read_text_file(path)
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in IMPORT_REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column {missing[0]!r}", path, 1)
    records: list[dict[str, Any]] = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise InputError("row has more fields than the header", path, line)
            label = (row.get("label") or "").strip().lower()
            if not label:
                continue
            sentence = row.get("text") or ""
            code = (row.get("cameo_code") or "").strip()
            if not code and label != "none":
                code = DEFAULT_CODE[label] if label in DEFAULT_CODE else ""
            record = {
                "id": f"{batch}-{len(records) + 1:04d}", "text": sentence, "label": label, "cameo_code": code,
                "source": _import_span(row, "source", sentence, path, line),
                "target": _import_span(row, "target", sentence, path, line),
                "written_in": batch,
            }
            parse_record(record, path, line)  # the same checks as labels/ files get
            records.append(record)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", path, reader.line_num) from None
    if not records:
        raise InputError("no labelled rows (fill the 'label' column first)", path)
    write_text_atomic(target, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))
    return target, len(records)
