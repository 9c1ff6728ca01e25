"""Reading corpora: scraped .txt articles and .jsonl / .csv records, cleaned and split into sentences.

Scraped news carries boilerplate (captions, "Short Url", repeated headlines, bylines, datelines). The reader
drops it, finds the article date (metadata, then a ``date YYYY-MM-DD`` header, then an "Updated ..." dateline;
never today's date) and yields sentences with stable ids ``<doc_id>:<n>``.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt",)
RECORD_SUFFIXES = (".jsonl", ".csv")
SUFFIXES = TEXT_SUFFIXES + RECORD_SUFFIXES
REQUIRED_COLUMNS = ("id", "text")
#: Longest article text read (spaCy's own default limit): a longer "article" is a dump, not a news story, and
#: would hold the tokenizer for minutes. It is rejected, not truncated.
MAX_DOCUMENT_CHARS = 1_000_000

OPTIONAL_COLUMNS = ("date", "title", "source", "url")

#: Called with each bad record (or bad file) when the reader is asked to go on past it.
OnReject = Callable[[InputError], None]


def _reject(error: InputError, on_reject: OnReject | None) -> None:
    """Hand a bad record or file to `on_reject` (the reader then skips it), or raise it where there is none."""
    if on_reject is None:
        raise error
    on_reject(error)

# csv's default field limit (128 KiB) is smaller than a long article.
csv.field_size_limit(1 << 30)


@dataclass
class Document:
    """One article or record, cleaned."""

    id: str
    text: str
    date: str = ""
    title: str = ""
    source: str = ""
    url: str = ""
    path: str = ""
    line: int | None = None
    paragraphs: list[str] = field(default_factory=list)
    place: str = ""  # ISO3 of the dateline's place ("PESHAWAR: ..."), the article's default location


@dataclass
class Sentence:
    """One sentence to code, with what the exporters need from its document."""

    id: str
    doc_id: str
    text: str
    date: str = ""
    source: str = ""
    url: str = ""
    place: str = ""  # ISO3 of the article's dateline place, for events whose sentence names no location


# --------------------------------------------------------------------------------------------------- decoding

HEAD_BYTES = 8192  # bytes read to tell text from binary or UTF-16


def check_head(path: Path, head: bytes, whole: bool) -> None:
    """Reject a file whose first bytes say it is empty, UTF-16 or binary (`whole`: `head` is the whole file)."""
    if whole and not head.strip():
        raise InputError("file is empty", path)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("file is UTF-16 text; convert it to UTF-8", path)
    if b"\x00" in head:
        raise InputError("file is binary, not text", path)


def _not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError, line: int) -> InputError:
    return InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); convert it to UTF-8", path, line)


def read_text_file(path: Path) -> str:
    """Decode a file as UTF-8, or raise an InputError that says why it is not text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", path) from None
    check_head(path, data[:HEAD_BYTES], whole=True)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, data, exc, data.count(b"\n", 0, exc.start) + 1) from None


@dataclass(frozen=True)
class Span:
    """A run of whole records of a large .jsonl or .csv file: bytes [start, end), its first line's number, and
    (CSV) the bytes of the header record that names the columns. Lets one file be read in parts, in parallel."""

    start: int
    end: int
    first_line: int = 1
    header_end: int = 0


def iter_text_lines(path: Path, on_reject: OnReject | None = None,
                    span: Span | None = None) -> Iterator[tuple[int, str]]:
    """(line number, line with its ending) of a UTF-8 file, streamed: memory stays flat however large the file.

    Lines end at "\n" only (U+2028 and friends are legal inside a JSON string or a CSV field). Raises an
    InputError naming the file and line on a line that is not UTF-8 (or hands it to `on_reject` and skips the
    line), and on a file that is empty, UTF-16 or binary. With `span`, only its lines are read (the file's head
    was checked when the span was planned).
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", path) from None
    with fh:
        start, end, first = (0, None, 1) if span is None else (span.start, span.end, span.first_line)
        if span is None:
            head = fh.read(HEAD_BYTES)
            check_head(path, head, whole=len(head) < HEAD_BYTES)
        fh.seek(start)
        blank = True
        position = start
        for n, raw in enumerate(fh, start=first):
            if end is not None:
                if position >= end:
                    break
                position += len(raw)
            if n == 1 and start == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                _reject(_not_utf8(path, raw, exc, n), on_reject)
                blank = False
                continue
            blank = blank and not line.strip()
            yield n, line
        if blank and span is None:
            raise InputError("file is empty", path)


# --------------------------------------------------------------------------------------------------- dates

_HEADER_DATE = re.compile(r"^\s*date[:\s]+(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
_DATELINE = re.compile(
    r"(?:updated|published|last updated|posted|created)\s*(?:on|:)?\s*:?\s*"
    r"(?P<date>[0-9]{1,4}[-./][0-9]{1,2}[-./][0-9]{2,4}"
    r"|[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}"
    r"|\d{1,2} [A-Z][a-z]{2,8}\.?,? \d{4})",
    re.IGNORECASE,
)


#: A complete date names its year: four digits, or two at the end of a numeric date ("23-12-22").
_ABSOLUTE_DATE = re.compile(r"\d{4}|\b\d{1,2}[-./]\d{1,2}[-./]\d{2}\b")


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> str:
    """Parse a date in any common form to YYYY-MM-DD; empty when it is not a complete date.

    Day, month and year must all be present: dateparser is told not to fill gaps from today's date.
    """
    text = text.strip()
    if not text or not _ABSOLUTE_DATE.search(text):
        return ""  # "yesterday", "3 hours ago": relative to a day we do not know
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            import datetime as _dt

            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return ""
    import dateparser

    settings = {
        "REQUIRE_PARTS": ["day", "month", "year"],
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return ""
    return parsed.date().isoformat() if parsed else ""


def find_dateline(lines: Iterable[str]) -> str:
    """The first "Updated 24 July 2023"-style date among the lines, or empty."""
    for line in lines:
        m = _DATELINE.search(line)
        if m:
            found = parse_date(m.group("date"))
            if found:
                return found
    return ""


# --------------------------------------------------------------------------------------------------- cleaning

_BOILERPLATE = re.compile(
    r"^(?:short url|story highlights|main img|ugc_banner|advertisement|representative image\b.*|"
    r"read more\b.*|also read\b.*|follow us\b.*|share this( article| story)?\b.*|image credit\b.*|"
    r"photograph\s*:.*|file photo\b.*|skip to (?:main )?content|left menu|menu|trending|latest news|"
    r"subscribe\b.*|sign up\b.*|click here\b.*|listen to (?:this|the) (?:article|story)\b.*|"
    r"(?:by|reporting by|written by|edited by)\s+[A-Z][\w.' -]{1,60}|"
    r"(?:additional )?(?:reporting|writing|editing|compiled|produced) by\b.{0,200}|"
    r"(?:updated|published|posted)\s*:?\s*\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?)\s+ago\b.*|.*\|\s*(?:updated|created|published)\s*:.*|"
    r"(?:updated|published|last updated|posted|created)\b.{0,60}\d{4}.{0,30})$",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"\((?:photo|image|picture)s?\s*(?:courtesy|credit)?\s*:?[^)]*\)\s*$|photograph\s*:\s*\(|"
    r"^\s*(?:in this (?:handout )?(?:picture|photo|image)|this handout (?:picture|photo))|"
    r"\s[—–-]\s*(?:photo|file photo|image|picture)s?\s*(?::|by)?\s*[\w .,/&-]{0,40}$|"
    r"\.\s*[—–]\s*[A-Z][\w.&/ ]{1,25}$|"
    r"[.)]\s*(?:file (?:photo|picture|image)|representative (?:image|photo)|\(file\))\.?\s*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•·▪●■◦‣∙*]|-(?=\s)|–(?=\s))\s*")
_DATELINE_PREFIX = re.compile(
    r"^(?:[A-Z][A-Z.'’ -]{2,40}|[A-Z][a-z]+)(?:,\s*[A-Z][A-Za-z. ]{2,30})?"
    r"(?:\s*,?\s*\(?[A-Z][a-z]{2,8}\.? \d{1,2}\)?)?\s*(?:\([A-Za-z .]{2,20}\))?\s*[:—–-]\s+(?=[A-Z\"'“])"
)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "\u200b": "", "\ufeff": ""})


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def _normalise(line: str) -> str:
    line = line.translate(_QUOTES)
    # Drop control characters, private-use and unassigned code points, and lone symbols such as "Ƶ" banners.
    if line.isascii():  # most lines: only ASCII control characters can be dropped
        line = _ASCII_CONTROL.sub("", line)
    else:
        line = "".join(ch for ch in line if unicodedata.category(ch) not in {"Cc", "Co", "Cn", "Cs"} or ch == "\t")
    return _SPACES.sub(" ", line).strip()


def _letters(line: str) -> int:
    return sum(map(str.isalpha, line))


def _key(line: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", line.lower()).strip()


def clean_article(raw: str) -> tuple[list[str], str, str]:
    """Split a scraped article into clean paragraphs.

    Returns (paragraphs, header_date, dateline_date). Boilerplate, captions, bylines and repeated lines (the
    headline scraped two or three times) are dropped; bullet markers are stripped and short bullets dropped.
    """
    lines = raw.splitlines()
    header_date = ""
    # The ``date YYYY-MM-DD`` header may stand alone or share its line with the first text.
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _HEADER_DATE.match(_normalise(line))
        if m:
            header_date = parse_date(m.group(1))
            lines[i] = _normalise(line)[m.end():]
        break
    dateline_date = find_dateline(_normalise(line) for line in lines[:40])

    paragraphs: list[str] = []
    seen: set[str] = set()
    for raw_line in lines:
        line = _normalise(raw_line)
        if not line or _letters(line) < 2:
            continue
        bullet = bool(_BULLET.match(line))
        if bullet:
            line = _BULLET.sub("", line)
        words = line.split()
        if _BOILERPLATE.match(line) or _CAPTION.search(line) or (len(words) <= 15 and _DATELINE.search(line)):
            continue
        if len(words) < 4 and not re.search(r"[.!?\"]$", line):
            continue  # banner words, agency names, "Country:" bullets
        key = _key(line)
        if key in seen:
            continue  # repeated headline or repeated paragraph
        seen.add(key)
        m = _DATELINE_PREFIX.match(line) if not bullet else None
        if m is not None:
            # "ISLAMABAD: ..." opens a story; but in the headline "Pentagon: US talking to ..." (no final stop)
            # a Title-case word before the colon names the headline's source: keep it.
            headline = not paragraphs and not re.search(r"[.!?\"]$", line)
            if not headline or m.group(0).split()[0].isupper():
                line = line[m.end():]
        paragraphs.append(line)
    return paragraphs, header_date, dateline_date


#: Photo-caption furniture that breaks the parse of "X, right, and Y shake hands": positions, "FILE -",
#: photographer and agency credits. Removed from the text the parser sees (the exported sentence keeps it).
_CAPTION_POSITION = re.compile(
    r",\s*(?:far |second |third |fourth )?(?:left|right|centre|center|from (?:left|right)|"
    r"(?:second|third|fourth|2nd|3rd|4th) from (?:left|right)|top|bottom|top (?:left|right)|bottom (?:left|right)|"
    r"foreground|background|front|rear|back row|front row)\s*,", re.IGNORECASE)
_CAPTION_PAREN = re.compile(
    r"\s*\((?:L|R|C|left|right|center|centre|(?:\d(?:st|nd|rd|th)|second|third) (?:from )?(?:L|R|left|right)|"
    r"not pictured|pictured|top|bottom|front|back)\)", re.IGNORECASE)
_CAPTION_LEAD = re.compile(
    r"^(?:FILE\s*(?:PHOTO)?\s*[-–—:]\s*|(?:[A-Z][\w.'’ -]{0,40},\s*)?(?:AFP|Reuters|AP|EPA|Getty Images|AA)"
    r"\s*\|\s*)")


#: A dateline opening a sentence coded on its own: "KARACHI, Jul 13 (PTI) A bomb ...", "Cape Town - 89 ...",
#: "DAR ES SALAAM, Jan. 28, 2001 - ...", "ERBIL, Iraq (Reuters) - ...".
_SENTENCE_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{2,40}?|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})(?:,\s*[A-Z][A-Za-z. ]{2,30}?)?"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)?"
    r"(?:\s*(?P<agency>\([A-Za-z .]{2,20}\)))?(?:\s*[:—–-]\s+|(?(agency)\s+|(?!)))(?=[A-Z0-9\"'“])"
)


def sentence_dateline(text: str) -> tuple[str, str]:
    """(ISO3 of the place, the text after it) for a sentence that opens with a dateline; ("", text) otherwise.

    Only a prefix naming a known place counts, so "Trump: ..." or "Analysis - ..." is left alone.
    """
    from .places import place_country

    m = _SENTENCE_DATELINE.match(text)
    if m is None:
        return "", text
    head = m.group("place").strip()
    country = place_country(head.title() if head.isupper() else head)
    return (country, text[m.end():]) if country else ("", text)


#: A headline naming two parties with a comma: "Israeli, Egyptian army chiefs confer ...", "Kazakh leader,
#: Chinese president hold talks".
_HEADLINE_PAIR = re.compile(r"^([A-Z][\w'’-]+)((?: [a-z][\w-]+){0,3}), (?=[A-Z][\w'’-]+)")


@functools.lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    from .actors import country_lexicon

    return frozenset(e.text for e in country_lexicon() if " " not in e.text)


def _headline_pair(text: str) -> str:
    """ "Israeli, Egyptian army chiefs confer" -> "Israeli and Egyptian army chiefs confer": a headline's comma
    between two parties parses as a coordination only when it reads "and" (headlines have no final stop)."""
    m = _HEADLINE_PAIR.match(text)
    if m is None or re.search(r"[.!?\"”]\s*$", text) or m.group(1) not in _country_words():
        return text
    return text[:m.end() - 2] + " and " + text[m.end():]


def parse_text(text: str) -> str:
    """The sentence as the parser should see it: caption positions ("Trump, right, and Abe ..."), "(L)",
    "FILE -" and agency credits removed, so the two people pictured parse as one coordinated subject; a
    dateline opening the sentence is removed too, so that "LUSAKA, Aug 14 (Reuters) -" is not its subject."""
    return parse_and_place(text)[0]


def parse_and_place(text: str) -> tuple[str, str]:
    """(:func:`parse_text` of `text`, ISO3 of the dateline opening it or ""), splitting the dateline once."""
    place, body = sentence_dateline(text)
    out = _CAPTION_LEAD.sub("", _headline_pair(body))
    out = _CAPTION_POSITION.sub("", out)
    out = _CAPTION_PAREN.sub("", out)
    return (out if out.strip() else text), place


def dateline_place(raw: str) -> str:
    """ISO3 of the place an article's dateline names ("PESHAWAR: ...", "LAGOS, May 3 (Reuters) -"), or ""."""
    from .places import place_country

    for line in raw.splitlines()[:40]:
        line = _normalise(line)
        m = _DATELINE_PREFIX.match(line)
        if m is not None and re.search(r"[.!?\"”]$", line):  # a story's first paragraph, not a headline
            head = re.split(r"[,:(—–]| - ", m.group(0))[0].strip()
            return place_country(head.title() if head.isupper() else head)
    return ""


def _title_of(paragraphs: list[str]) -> str:
    if paragraphs and len(paragraphs[0].split()) <= 25 and not paragraphs[0].endswith("."):
        return paragraphs[0]
    return ""


# --------------------------------------------------------------------------------------------------- readers

def _doc_from_text(doc_id: str, raw: str, *, date: str = "", title: str = "", source: str = "", url: str = "",
                   path: str = "", line: int | None = None, clean: bool = True) -> Document:
    if len(raw) > MAX_DOCUMENT_CHARS:
        raise InputError(f"article is {len(raw):,} characters long; the limit is {MAX_DOCUMENT_CHARS:,} (split it "
                         f"into articles)", path or None, line)
    if clean:
        paragraphs, header_date, dateline_date = clean_article(raw)
    else:
        paragraphs, header_date, dateline_date = [_normalise(raw)], "", ""
    paragraphs = [p for p in paragraphs if p]
    return Document(
        id=doc_id,
        text="\n\n".join(paragraphs),
        date=date or header_date or dateline_date,
        title=title or (_title_of(paragraphs) if clean else ""),
        source=source,
        url=url,
        path=path,
        line=line,
        paragraphs=paragraphs,
        place=dateline_place(raw) if clean else "",
    )


def _record_fields(record: dict[str, object], path: Path, line: int, clean: bool) -> Document:
    missing = [c for c in REQUIRED_COLUMNS if c not in record]
    if missing:
        raise InputError(f"missing column {missing[0]!r}", path, line)
    doc_id = str(record["id"] if record["id"] is not None else "").strip()
    if not doc_id:
        raise InputError("empty id", path, line)
    text = record["text"]
    if not isinstance(text, str):
        raise InputError("'text' is not a string", path, line)
    raw_date = str(record.get("date") or "").strip()
    date = parse_date(raw_date) if raw_date else ""
    if raw_date and not date:
        raise InputError(f"cannot read date {raw_date[:40]!r}", path, line)
    return _doc_from_text(
        doc_id, text, date=date, title=str(record.get("title") or ""), source=str(record.get("source") or ""),
        url=str(record.get("url") or ""), path=str(path), line=line, clean=clean,
    )


def iter_jsonl(path: Path, on_reject: OnReject | None = None,
               span: Span | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line, streamed; InputError naming file:line on a malformed one
    (handed to `on_reject`, and the line skipped, where one is given)."""
    for n, line in iter_text_lines(path, on_reject, span):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            error = InputError(f"malformed JSON ({exc.msg})", path, n)
        else:
            if isinstance(record, dict):
                yield n, record
                continue
            error = InputError("a line is not a JSON object", path, n)
        _reject(error, on_reject)


def _records(found: Iterator[tuple[int, dict[str, Any]]], path: Path, clean: bool,
             on_reject: OnReject | None) -> Iterator[Document]:
    for n, record in found:
        try:
            doc = _record_fields(record, path, n, clean)
        except InputError as exc:
            _reject(exc, on_reject)
            continue
        yield doc


def read_jsonl(path: Path, clean: bool = True, on_reject: OnReject | None = None,
               span: Span | None = None) -> Iterator[Document]:
    yield from _records(iter_jsonl(path, on_reject, span), path, clean, on_reject)


def csv_header(reader: Any, path: Path) -> list[str]:
    """The column names of a CSV file from its first record; InputError when a required one is missing."""
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("file is empty", path) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", path, 1) from None
    header = [h.strip().lower() for h in header]
    for col in REQUIRED_COLUMNS:
        if col not in header:
            raise InputError(f"missing column {col!r} (columns: {', '.join(header)})", path, 1)
    return header


def _csv_rows(path: Path, on_reject: OnReject | None,
              span: Span | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    if span is None:
        reader = csv.reader(line for _, line in iter_text_lines(path, on_reject))
        header = csv_header(reader, path)
        first = 0
    else:  # the header from the file's start, then the span's records
        header = csv_header(csv.reader(line for _, line in iter_text_lines(path, None, Span(0, span.header_end))),
                            path)
        reader = csv.reader(line for _, line in iter_text_lines(path, on_reject, span))
        first = span.first_line - 1
    while True:
        start_line = first + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            error = InputError(f"malformed CSV ({exc})", path, start_line)
        else:
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) == len(header):
                yield start_line, dict(zip(header, row))
                continue
            error = InputError(f"row has {len(row)} fields, header has {len(header)}", path, start_line)
        _reject(error, on_reject)


def read_csv(path: Path, clean: bool = True, on_reject: OnReject | None = None,
             span: Span | None = None) -> Iterator[Document]:
    yield from _records(_csv_rows(path, on_reject, span), path, clean, on_reject)


def read_txt(path: Path, doc_id: str, clean: bool = True) -> Document:
    raw = read_text_file(path)
    doc = _doc_from_text(doc_id, raw, path=str(path), clean=clean)
    if not doc.text:
        raise InputError("no article text left after removing boilerplate", path)
    return doc


def expand_inputs(inputs: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """Resolve inputs to (file, root) pairs; folders are searched recursively for known suffixes."""
    files: list[tuple[Path, Path]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                raise InputError(f"folder has no {', '.join(SUFFIXES)} files", path)
            files.extend((p, path) for p in found)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise InputError(f"unknown input type {path.suffix or '(none)'!r}; use {', '.join(SUFFIXES)}", path)
            files.append((path, path.parent))
        else:
            raise InputError("no such file or folder", path)
    return files


class IdIndex:
    """Where each document id was first seen, in about 16 bytes an id, so that a corpus of millions of records
    is read in flat memory: the id's 64-bit hash -> file number * 2**32 + line. The newest ids sit in a dict;
    every 65,536 of them are merged into two sorted arrays. (Two ids with the same hash are too unlikely to
    matter: about one chance in 10**7 at ten million records.)"""

    RECENT = 65_536

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self.recent: dict[int, int] = {}
        self.keys = np.empty(0, dtype=np.int64)
        self.values = np.empty(0, dtype=np.int64)

    def get(self, key: int) -> int | None:
        found = self.recent.get(key)
        if found is None and self.keys.size:
            i = int(self._np.searchsorted(self.keys, key))
            if i < self.keys.size and int(self.keys[i]) == key:
                found = int(self.values[i])
        return found

    def add(self, key: int, value: int) -> None:
        self.recent[key] = value
        if len(self.recent) >= self.RECENT:
            np = self._np
            keys = np.concatenate([self.keys, np.fromiter(self.recent.keys(), np.int64, len(self.recent))])
            values = np.concatenate([self.values, np.fromiter(self.recent.values(), np.int64, len(self.recent))])
            order = np.argsort(keys, kind="stable")
            self.keys, self.values, self.recent = keys[order], values[order], {}


def read_documents(inputs: Iterable[str | Path], clean: bool = True,
                   on_reject: OnReject | None = None) -> Iterator[Document]:
    """Stream documents from files and folders; raises InputError naming the file and line on bad input.

    With `on_reject`, bad input does not stop the reading: a bad record (malformed line, missing field,
    impossible date, duplicate id, over-long text) is handed to it and skipped, and so is a bad file (binary,
    empty, not UTF-8, a table without its columns) with whatever it had not yet yielded. Inputs that do not
    exist still raise: that is a mistake in the command, not in the data.
    """
    files = expand_inputs(inputs)
    yield from read_files([(n, path, root, None) for n, (path, root) in enumerate(files)], [p for p, _ in files],
                          clean, on_reject)


#: One input to read: its number among all the run's files, its path, the root its .txt ids are relative to,
#: and the span of it to read (None: all of it).
FileItem = tuple[int, Path, Path, "Span | None"]


#: The run's files by number: a list of them all, or (a worker reading one partition) a dict of some.
FileNames = Sequence[Path | str] | Mapping[int, str]


def duplicate_id_error(doc: Document, first: int, files: FileNames) -> InputError:
    """The rejection of `doc`, whose id was first seen at `first` (file number * 2**32 + line)."""
    where = f"{files[first >> 32]}" + (f":{first & 0xFFFFFFFF}" if first & 0xFFFFFFFF else "")
    return InputError(f"duplicate id {doc.id!r} (first in {where})", doc.path, doc.line)


def read_files(items: Iterable[FileItem], files: FileNames, clean: bool = True,
               on_reject: OnReject | None = None) -> Iterator[Document]:
    """The documents of `items` in order (see :func:`read_documents`); `files` names each file by its number.

    Ids are checked for repeats among these items only: a run read in parts checks across parts itself.
    """
    seen_ids = IdIndex()
    for number, path, root, span in items:
        suffix = path.suffix.lower()
        try:
            if suffix == ".jsonl":
                docs: Iterable[Document] = read_jsonl(path, clean, on_reject, span)
            elif suffix == ".csv":
                docs = read_csv(path, clean, on_reject, span)
            else:
                docs = [read_txt(path, path.relative_to(root).with_suffix("").as_posix(), clean)]
            for doc in docs:
                key = hash(doc.id)
                first = seen_ids.get(key)
                if first is not None:
                    _reject(duplicate_id_error(doc, first, files), on_reject)
                    continue
                seen_ids.add(key, (number << 32) | (doc.line or 0))
                yield doc
        except InputError as exc:
            _reject(exc, on_reject)


# --------------------------------------------------------------------------------------------------- sentences

@functools.lru_cache(maxsize=1)
def _splitter():  # type: ignore[no-untyped-def]
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@functools.lru_cache(maxsize=1)
def _sentence_ends() -> tuple[frozenset[int], re.Pattern[str], str]:
    """The sentencizer's end characters: as vocabulary hashes, as a character class, and the characters that
    may follow them without starting a sentence (punctuation only)."""
    nlp = _splitter()
    ends = sorted(nlp.get_pipe("sentencizer").punct_chars)
    closers = set(ends) | set("\"'\u201d\u2019\u00bb)]")
    return (frozenset(nlp.vocab.strings.add(c) for c in ends), re.compile("[" + re.escape("".join(ends)) + "]"),
            "".join(c for c in sorted(closers) if unicodedata.category(c).startswith("P")))


def split_paragraph(text: str) -> list[str]:
    """Split one paragraph into sentences as spaCy's rule-based sentencizer does (no parse needed).

    The result is the sentencizer's, computed faster: a paragraph with no end character before its closing
    punctuation is one sentence and is not tokenized at all; otherwise the sentencizer's rule runs on the
    tokens' attribute arrays instead of on Token objects. ``tests/test_corpus.py`` checks both against the
    sentencizer itself.
    """
    from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

    ends, end_chars, closers = _sentence_ends()
    if not end_chars.search(text.rstrip().rstrip(closers)):
        out = [text.strip()]
    else:
        rows = _splitter().tokenizer(text).to_array([ORTH, IS_PUNCT, IDX, LENGTH]).tolist()
        starts = [0]
        seen_end = False
        for i, (orth, punct, _, _) in enumerate(rows):
            is_end = orth in ends
            if seen_end and not punct and not is_end:
                starts.append(i)
                seen_end = False
            elif is_end:
                seen_end = True
        bounds = starts[1:] + [len(rows)]
        out = [text[rows[a][2]:rows[b - 1][2] + rows[b - 1][3]].strip() for a, b in zip(starts, bounds) if b > a]
    return [s for s in out if _letters(s) >= 2]


def sentences_of(doc: Document, split: bool = True) -> list[Sentence]:
    """The document's sentences, numbered from 1 in reading order: ids are stable across runs."""
    if split:
        texts = [s for p in doc.paragraphs for s in split_paragraph(p)]
    else:
        texts = [doc.text] if doc.text else []
    return [
        Sentence(id=f"{doc.id}:{n}", doc_id=doc.id, text=t, date=doc.date, source=doc.source, url=doc.url,
                 place=doc.place)
        for n, t in enumerate(texts, start=1)
    ]


def read_sentences(inputs: Iterable[str | Path], split: bool = True) -> Iterator[Sentence]:
    """Stream sentences from all inputs (``split=False``: each record is one sentence)."""
    for doc in read_documents(inputs, clean=split):
        yield from sentences_of(doc, split)
