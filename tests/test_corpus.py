"""Reading corpora: .txt cleaning, dates, .jsonl / .csv records, folders, sentence ids and input errors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from coder.corpus import clean_article, parse_date, read_documents, read_sentences
from coder.errors import InputError

BODY = "The two foreign ministers met in Doha on Monday to discuss trade and security."
HEADLINE = "US CENTCOM commander, Pakistan's army chief discuss regional security, agree to bolster ties"


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def paragraphs(raw: str) -> list[str]:
    return clean_article(raw)[0]


def doc_date(tmp_path: Path, raw: str) -> str:
    [doc] = read_documents([write(tmp_path, "article.txt", raw)])
    return doc.date


# --------------------------------------------------------------------------------------------------- cleaning

def test_repeated_headline_collapsed_to_one():
    curly = HEADLINE.replace("'", "’")
    raw = f"{curly}\n\n{curly}\nShort Url\nUpdated 24 July 2023\n\n{curly}\n{BODY}\n"
    paras = paragraphs(raw)
    assert paras == [HEADLINE, BODY]


@pytest.mark.parametrize("caption", [
    "Army chief General Asim Munir meets the CENTCOM commander in Rawalpindi. (Photo courtesy: ISPR)",
    "Photograph:(AFP)",
    "Soldiers stand guard outside the ministry building in Kabul — Photo: Reuters",
])
def test_captions_dropped(caption):
    paras = paragraphs(f"{BODY}\n{caption}\n")
    assert paras == [BODY]


@pytest.mark.parametrize("line", [
    "Short Url", "Story highlights", "main img", "ugc_banner", "Advertisement", "Left Menu",
    "Read more: Pakistan army chief meets the CENTCOM commander in Rawalpindi for talks",
    "By Asif Shahzad and Jibran Ahmad",
])
def test_boilerplate_lines_dropped(line):
    paras = paragraphs(f"{line}\n{BODY}\n{line}\n")
    assert paras == [BODY]


def test_reuters_signoff_byline_dropped():
    paras = paragraphs(f"{BODY}\nReporting by Jibran Ahmad; Editing by Alex Richardson\n")
    assert paras == [BODY]


def test_bullets_stripped_and_short_bullets_dropped():
    bullet = "The meeting comes at a time when Pakistan is witnessing a surge in militant attacks"
    raw = f"  • {bullet}\n  • Country:\n  • United States\n{BODY}\n"
    paras = paragraphs(raw)
    assert paras == [bullet, BODY]
    assert not any("•" in p or "Country" in p for p in paras)


def test_junk_first_line_with_lone_symbol_dropped():
    assert paragraphs(f"Ƶ\n\n{BODY}\n") == [BODY]


def test_curly_quotes_normalised():
    paras = paragraphs("“We will meet again,” the minister said after Monday’s talks in ‘Doha’.")
    assert paras == ['"We will meet again," the minister said after Monday\'s talks in \'Doha\'.']


@pytest.mark.parametrize("prefix", ["ISLAMABAD: ", "RAWALPINDI: ", "Islamabad: ", "KABUL, Afghanistan (AP) — ",
                                    "WASHINGTON (Reuters) - "])
def test_dateline_prefix_removed(prefix):
    assert paragraphs(prefix + BODY) == [BODY]


def test_colon_inside_sentence_is_not_a_dateline():
    text = 'The spokesman said: "We will meet again after the talks ended on Monday."'
    assert paragraphs(text) == [text]


# --------------------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("raw", [
    f"date 2023-07-24\n{BODY}",
    f"date 2023-07-24 {BODY}",
    f" date 2023-07-24 {BODY}",
    f"\n\ndate 2023-07-24\n\n{BODY}",
])
def test_header_date(tmp_path, raw):
    [doc] = read_documents([write(tmp_path, "a.txt", raw)])
    assert doc.date == "2023-07-24"
    assert doc.paragraphs == [BODY]  # the header itself is not article text


@pytest.mark.parametrize("line, expected", [
    ("Updated 24 July 2023", "2023-07-24"),
    ("Washington, United StatesUpdated: Aug 10, 2021, 04:33 PM IST", "2021-08-10"),
    ("ANI | Updated: 23-12-2022 19:58 IST | Created: 23-12-2022 19:58 IST", "2022-12-23"),
    ("Published 12.05.2024 | 10:15 GMT", "2024-05-12"),
])
def test_dateline_date(tmp_path, line, expected):
    [doc] = read_documents([write(tmp_path, "a.txt", f"{line}\n{BODY}\n")])
    assert doc.date == expected
    assert doc.paragraphs == [BODY]  # the dateline line is dropped


def test_header_date_beats_dateline(tmp_path):
    assert doc_date(tmp_path, f"date 2023-07-24\nUpdated 24 July 2021\n{BODY}\n") == "2023-07-24"


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_metadata_date_beats_header_and_dateline(tmp_path, suffix):
    text = f"date 2023-07-24 Updated 24 July 2021\n{BODY}"
    if suffix == "jsonl":
        path = write(tmp_path, "r.jsonl", jsonl({"id": "r1", "text": text, "date": "2020-01-05"}))
    else:
        path = write(tmp_path, "r.csv", "id,date,text\nr1,2020-01-05," + json.dumps(text) + "\n")
    [doc] = read_documents([path])
    assert doc.date == "2020-01-05"


def test_record_without_metadata_date_uses_header(tmp_path):
    path = write(tmp_path, "r.jsonl", jsonl({"id": "r1", "text": f"date 2023-07-24 {BODY}"}))
    [doc] = read_documents([path])
    assert doc.date == "2023-07-24"


@pytest.mark.parametrize("raw_date, expected", [
    ("24/07/2023", "2023-07-24"), ("Jul 24, 2023", "2023-07-24"), ("24 July 2023", "2023-07-24"),
])
def test_metadata_date_forms(tmp_path, raw_date, expected):
    path = write(tmp_path, "r.jsonl", jsonl({"id": "r1", "text": BODY, "date": raw_date}))
    [doc] = read_documents([path])
    assert doc.date == expected


@pytest.mark.parametrize("raw", [
    BODY,
    f"Updated: 3 hours ago\n{BODY}",
    f"Published today\n{BODY}",
    f"Updated: July 24\n{BODY}",  # no year: not a complete date
])
def test_no_date_is_empty_never_today(tmp_path, raw):
    assert doc_date(tmp_path, raw) == ""


@pytest.mark.parametrize("text", ["2023-02-30", "31/31/2023", "July 2023", "", "   "])
def test_parse_date_rejects_impossible_or_incomplete(text):
    assert parse_date(text) == ""


@pytest.mark.parametrize("text", ["today", "yesterday", "3 hours ago"])
def test_parse_date_rejects_relative_dates(text):
    assert parse_date(text) == ""


def test_relative_metadata_date_is_an_error(tmp_path):
    path = write(tmp_path, "r.jsonl", jsonl({"id": "r1", "text": BODY, "date": "yesterday"}))
    with pytest.raises(InputError, match=r"r\.jsonl:1:"):
        list(read_documents([path]))


# --------------------------------------------------------------------------------------------------- records

def test_jsonl_and_csv_records_with_optional_fields(tmp_path):
    j = write(tmp_path, "a.jsonl", jsonl(
        {"id": "j1", "text": "The ministers met in Doha. They talked for hours.", "date": "2023-07-24",
         "title": "Talks", "source": "Dawn", "url": "https://example.org/j1"},
        {"id": "j2", "text": "Militants attacked a checkpoint."},
    ))
    c = write(tmp_path, "b.csv", 'id,text,date,title,source,url\n'
                                  'c1,"Islamabad accused Kabul, again, of sheltering militants.",2022-12-23,T,Geo,u\n')
    docs = list(read_documents([j, c]))
    assert [d.id for d in docs] == ["j1", "j2", "c1"]
    assert (docs[0].date, docs[0].title, docs[0].source, docs[0].url) == (
        "2023-07-24", "Talks", "Dawn", "https://example.org/j1")
    assert (docs[1].date, docs[1].source, docs[1].url) == ("", "", "")
    assert docs[2].text == "Islamabad accused Kabul, again, of sheltering militants."
    assert (docs[2].date, docs[2].source) == ("2022-12-23", "Geo")
    sents = list(read_sentences([j, c]))
    assert [(s.id, s.doc_id) for s in sents] == [("j1:1", "j1"), ("j1:2", "j1"), ("j2:1", "j2"), ("c1:1", "c1")]
    assert sents[0].text == "The ministers met in Doha."
    assert (sents[1].date, sents[1].source, sents[1].url) == ("2023-07-24", "Dawn", "https://example.org/j1")


def test_csv_header_case_and_bom(tmp_path):
    path = write(tmp_path, "a.csv", b"\xef\xbb\xbfID,Text\nx1,Militants attacked a checkpoint.\n")
    [doc] = read_documents([path])
    assert (doc.id, doc.text) == ("x1", "Militants attacked a checkpoint.")


def test_several_inputs_in_one_call(tmp_path):
    t = write(tmp_path, "txt/article.txt", f"date 2023-07-24\n{BODY}\n")
    j = write(tmp_path, "r.jsonl", jsonl({"id": "j1", "text": "Militants attacked a checkpoint."}))
    c = write(tmp_path, "r.csv", "id,text\nc1,Islamabad accused Kabul of sheltering militants.\n")
    docs = list(read_documents([t, j, c]))
    assert [d.id for d in docs] == ["article", "j1", "c1"]


def test_folder_read_recursively_sorted_hidden_ignored(tmp_path):
    root = tmp_path / "corpus"
    write(root, "b.txt", BODY)
    write(root, "a.txt", "Militants attacked a checkpoint near the border on Monday.")
    write(root, "sub/deeper/c.txt", "Islamabad accused Kabul of sheltering militants on Monday.")
    write(root, "sub/r.jsonl", jsonl({"id": "j1", "text": "The ministers spoke by phone on Monday."}))
    write(root, ".hidden.txt", "Hidden files are not read by the coder at all.")
    write(root, ".git/x.txt", "Files in hidden folders are not read by the coder at all.")
    write(root, "notes.md", "# not an input")
    docs = list(read_documents([root]))
    assert [d.id for d in docs] == ["a", "b", "sub/deeper/c", "j1"]


def test_txt_id_is_relative_path_without_suffix(tmp_path):
    write(tmp_path, "corpus/2023/dawn/story-1.txt", BODY)
    [doc] = read_documents([tmp_path / "corpus"])
    assert doc.id == "2023/dawn/story-1"
    [doc] = read_documents([tmp_path / "corpus/2023/dawn/story-1.txt"])
    assert doc.id == "story-1"


def test_sentence_ids_numbered_from_one_and_stable(tmp_path):
    text = "The ministers met in Doha. They talked for hours. Then they left for Kabul."
    path = write(tmp_path, "a.txt", f"{text}\n\n{BODY}\n")
    first = [(s.id, s.text) for s in read_sentences([path])]
    second = [(s.id, s.text) for s in read_sentences([path])]
    assert [i for i, _ in first] == ["a:1", "a:2", "a:3", "a:4"]
    assert first == second
    assert first[3][1] == BODY


def test_split_false_keeps_record_as_one_sentence(tmp_path):
    text = "The ministers met in Doha. They talked for hours. Then they left."
    path = write(tmp_path, "r.jsonl", jsonl({"id": "r1", "text": text}, {"id": "r2", "text": BODY}))
    sents = list(read_sentences([path], split=False))
    assert [(s.id, s.text) for s in sents] == [("r1:1", text), ("r2:1", BODY)]
    assert len(list(read_sentences([path]))) == 4


# --------------------------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("name, data, line", [
    ("empty.txt", "", None),
    ("blank.jsonl", "\n  \n", None),
    ("binary.txt", b"PK\x03\x04\x00\x00binary", None),
    ("latin1.txt", "Caf\xe9 talks were held in Doha.".encode("latin-1"), 1),
    ("latin1_line3.csv", "id,text\na,ok text here\nb,Caf\xe9 talks\n".encode("latin-1"), 3),
    ("latin1_line3.jsonl", '{"id": "a", "text": "ok"}\n\n{"id": "b", "text": "Caf\xe9 talks"}\n'.encode("latin-1"), 3),
    ("late_binary.jsonl", b"".join(b'{"id": "%d", "text": "The ministers met."}\n' % i for i in range(300))
     + b"\x00\xff\xfe\n", 301),
    ("utf16.txt", "The ministers met in Doha.".encode("utf-16"), None),
    ("notext.csv", "id,body\n1,The ministers met in Doha.\n", 1),
    ("ragged.csv", "id,text\n1,The ministers met in Doha.\n2,too,many\n", 3),
    ("ragged_after_multiline.csv", 'id,text\n1,"The ministers met.\nThey talked."\n2,too,many\n', 4),
    ("broken.jsonl", '{"id": "a", "text": "The ministers met."}\n{"id": "b", "text"\n{"id": "c", "text": "x"}\n', 2),
    ("notobject.jsonl", '{"id": "a", "text": "The ministers met."}\n["b", "text"]\n', 2),
    ("notext.jsonl", '{"id": "a", "body": "The ministers met."}\n', 1),
    ("baddate.jsonl", '{"id": "a", "text": "The ministers met.", "date": "2023-02-30"}\n', 1),
    ("baddate.csv", "id,text,date\na,The ministers met.,soon\n", 2),
    ("unknown.xml", "<doc>The ministers met.</doc>", None),
    ("boilerplate_only.txt", "Short Url\nAdvertisement\n", None),
])
def test_input_errors_name_file_and_line(tmp_path, name, data, line):
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as info:
        list(read_documents([path]))
    message = str(info.value)
    assert name in message
    if line is not None:
        assert f"{name}:{line}:" in message
    else:
        assert f"{name}: " in message


def test_duplicate_ids_across_files(tmp_path):
    a = write(tmp_path, "a.jsonl", jsonl({"id": "x", "text": "The ministers met."}))
    b = write(tmp_path, "b.csv", "id,text\ny,Militants attacked.\nx,The ministers met again.\n")
    with pytest.raises(InputError, match=r"b\.csv:3: duplicate id 'x'.*a\.jsonl:1"):
        list(read_documents([a, b]))


def test_duplicate_id_between_txt_and_record(tmp_path):
    t = write(tmp_path, "x.txt", BODY)
    j = write(tmp_path, "r.jsonl", jsonl({"id": "x", "text": "The ministers met."}))
    with pytest.raises(InputError, match=r"r\.jsonl:1: duplicate id 'x'"):
        list(read_documents([t, j]))


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.txt: no such file"):
        list(read_documents([tmp_path / "nowhere.txt"]))


def test_empty_folder(tmp_path):
    folder = tmp_path / "empty"
    write(folder, ".hidden.txt", BODY)
    write(folder, "notes.md", BODY)
    with pytest.raises(InputError, match=r"empty: folder has no"):
        list(read_documents([folder]))


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"])
def test_jsonl_text_with_unicode_line_separator(tmp_path, sep):
    text = f"The ministers met in Doha.{sep}They talked for hours."
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": "r1", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    [doc] = read_documents([path])
    assert "Doha" in doc.text and "hours" in doc.text


@pytest.mark.parametrize("sep", ["\u2028", "\x85", "\x0c"])
def test_csv_quoted_field_with_unicode_line_separator(tmp_path, sep):
    path = write(tmp_path, "r.csv", f'id,text\nr1,"The ministers met in Doha.{sep}They talked for hours."\n')
    [doc] = read_documents([path])
    assert "Doha" in doc.text and "hours" in doc.text


@pytest.mark.parametrize("sep", ["\u2028", "\x85", "\x0c"])
def test_csv_written_by_csv_module_with_unicode_line_separator(tmp_path, sep):
    path = tmp_path / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerow(["r1", f"The ministers met in Doha.{sep}They talked for hours."])
        writer.writerow(["r2", BODY])
    docs = list(read_documents([path]))
    assert [d.id for d in docs] == ["r1", "r2"]
    assert "Doha" in docs[0].text and "hours" in docs[0].text


# --------------------------------------------------------------------------------------------------- seeds

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed articles not found at {SEEDS}")
SEED_FILES = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
BOILERPLATE = ("Short Url", "Photograph:", "(Photo courtesy", "ugc_banner", "Story highlights", "main img",
               "Left Menu")


@pytest.fixture(scope="module")
def seed_docs():
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    return {d.id: d for d in read_documents([SEEDS])}


@needs_seeds
@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_has_no_boilerplate(seed_docs, path):
    doc = seed_docs[path.stem]
    assert doc.paragraphs
    for para in doc.paragraphs:
        for junk in BOILERPLATE:
            assert junk not in para, (junk, para)


@needs_seeds
def test_seed_headline_appears_once(seed_docs):
    paras = seed_docs["000_b23810ef5cfa4c20"].paragraphs
    assert sum(HEADLINE in p for p in paras) == 1
    assert paras[0] == HEADLINE
    # the raw file really repeats it (so this test means something)
    raw = (SEEDS / "000_b23810ef5cfa4c20.txt").read_text(encoding="utf-8")
    assert raw.count(HEADLINE.replace("'", "’")) >= 3


@needs_seeds
@pytest.mark.parametrize("doc_id, date", [
    ("000_b23810ef5cfa4c20", "2023-07-24"),
    ("001_1b4b6f2944d5e155", "2023-07-24"),
    ("003_babc4bf3d394c5e5", "2022-12-23"),
    ("004_6c7de7cf966e5286", "2021-08-10"),
])
def test_seed_dates(seed_docs, doc_id, date):
    assert seed_docs[doc_id].date == date


@needs_seeds
def test_seed_dateline_prefix_removed(seed_docs):
    paras = seed_docs["000_b23810ef5cfa4c20"].paragraphs
    assert any(p.startswith("General Michael Erik Kurilla, commander of the United States") for p in paras)
    assert not any(re.match(r"[A-Z]{4,}:", p) for doc in seed_docs.values() for p in doc.paragraphs)


# --------------------------------------------------------------------------------------------------- properties

@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_article_never_raises(text):
    paras, header_date, dateline_date = clean_article(text)
    assert all(isinstance(p, str) and p == p.strip() and p for p in paras)
    for d in (header_date, dateline_date):
        assert d == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(), min_size=1, max_size=3), split=st.booleans())
def test_jsonl_records_never_raise_and_ids_unique(tmp_path, texts, split):
    path = tmp_path / "r.jsonl"
    path.write_text(jsonl(*({"id": f"r{i}", "text": t} for i, t in enumerate(texts))), encoding="utf-8")
    sents = list(read_sentences([path], split=split))
    ids = [s.id for s in sents]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"r\d+:[1-9]\d*", i) for i in ids)
    assert {s.doc_id for s in sents} <= {f"r{i}" for i in range(len(texts))}


def test_caption_ending_in_file_photo_dropped():
    paras = paragraphs(f"Security personnel stand guard at a check post in Miranshah. File photo\n{BODY}\n")
    assert paras == [BODY]


@pytest.mark.parametrize("raw,place", [
    ("PESHAWAR: A US drone killed three militants on Friday.", "PAK"),
    ("LAGOS, May 3 (Reuters) - Gunmen killed four policemen.", "NGA"),
    ("Pentagon: US talking to Pakistan", ""),  # a headline's source, not a dateline
    ("The minister met the envoy.", ""),
])
def test_dateline_place(raw: str, place: str) -> None:
    from coder.corpus import dateline_place

    assert dateline_place(raw) == place


@pytest.mark.parametrize("text,place,rest", [
    ("KARACHI, Jul 13 (PTI) A bomb exploded near a rally.", "PAK", "A bomb exploded near a rally."),
    ("DAR ES SALAAM, Jan. 28, 2001 - Police fired on marchers.", "TZA", "Police fired on marchers."),
    ("ERBIL, Iraq (Reuters) - Drones struck a gas field.", "IRQ", "Drones struck a gas field."),
    ("Cape Town - Gunmen shot two men.", "ZAF", "Gunmen shot two men."),
    ("RAWALPINDI: In a meeting with the army chief", "PAK", "In a meeting with the army chief"),
    # a prefix that names no known place is not a dateline
    ("Trump: We will meet soon.", "", "Trump: We will meet soon."),
    ("Analysis - The talks stall.", "", "Analysis - The talks stall."),
    ("Pakistan army kills five militants", "", "Pakistan army kills five militants"),
])
def test_sentence_dateline(text: str, place: str, rest: str) -> None:
    from coder.corpus import parse_text, sentence_dateline

    assert sentence_dateline(text) == (place, rest)
    assert parse_text(text) == rest  # the parser never sees the dateline as the subject


@pytest.mark.parametrize("text,parsed", [
    ("FILE - President A, right, and Prime Minister B shake hands in Rome.",
     "President A and Prime Minister B shake hands in Rome."),
    ("Jane Doe, AFP | Minister C (2nd R) and envoy D (L) wave.", "Minister C and envoy D wave."),
    ("Leader E attends a news conference with his counterpart F (not pictured).",
     "Leader E attends a news conference with his counterpart F."),
    # ordinary commas and brackets stay
    ("The army, left without supplies, retreated (officials said).",
     "The army, left without supplies, retreated (officials said)."),
    # a headline's comma between two parties reads "and"; not in a sentence, not after a word that names no country
    ("Israeli, Egyptian army chiefs confer on Rafah", "Israeli and Egyptian army chiefs confer on Rafah"),
    ("Kazakh leader, Chinese president hold video talks", "Kazakh leader and Chinese president hold video talks"),
    ("Kenya, Uganda sign border deal.", "Kenya, Uganda sign border deal."),
    ("Officials, Police say five killed", "Officials, Police say five killed"),
])
def test_parse_text_removes_caption_furniture(text: str, parsed: str) -> None:
    from coder.corpus import parse_text

    assert parse_text(text) == parsed


def test_jsonl_with_byte_order_mark(tmp_path):
    path = write(tmp_path, "bom.jsonl", b"\xef\xbb\xbf" + '{"id": "a", "text": "The ministers met in Doha."}\n'.encode())
    assert [d.id for d in read_documents([path])] == ["a"]


def _sentencizer_split(text: str) -> list[str]:
    """The reference: spaCy's sentencizer on Token objects, as split_paragraph's result is defined."""
    from coder.corpus import _letters, _splitter

    out = [s.text.strip() for s in _splitter()(text).sents]
    return [s for s in out if _letters(s) >= 2]


_SPLIT_ALPHABET = st.sampled_from(
    list("ab Z.!?\"')]:;,-\u201d\u2019\u00bb\u3002\uff01\u2026\n\t") + ["U.S.", "Mr.", "3.5", "...", "  ", "?!", "."])


@given(st.one_of(st.lists(_SPLIT_ALPHABET, max_size=40).map("".join), st.text()))
@settings(max_examples=500, deadline=None)
def test_split_paragraph_is_the_sentencizer(text):
    from coder.corpus import split_paragraph

    assert split_paragraph(text) == _sentencizer_split(text)


@pytest.mark.parametrize("text", [
    "Talks resumed on Monday.",
    'He said "no."',
    "Talks resumed (again).",
    'The minister left.  "',
    "Rain fell in Lima.   ",
    "U.S. troops left. Afghan forces took over!  Fighting went on?",
    "The U.N. envoy met Mr. Li in Geneva on Monday",
    "It cost 3.5 billion... Officials declined to comment.",
    "No end mark here",
    "A\u3002B\u3002 The end.",
])
def test_split_paragraph_cases(text):
    from coder.corpus import split_paragraph

    assert split_paragraph(text) == _sentencizer_split(text)


def test_split_paragraph_on_the_sample_corpus():
    """Every paragraph of the bundled sample articles splits as the sentencizer splits it."""
    from coder.corpus import split_paragraph

    root = Path(__file__).resolve().parent.parent
    paragraphs = [p for d in read_documents([root / "corpus" / "sample"]) for p in d.paragraphs]
    assert len(paragraphs) > 100
    assert [split_paragraph(p) for p in paragraphs] == [_sentencizer_split(p) for p in paragraphs]


def test_duplicate_ids_found_across_the_compact_index(tmp_path, monkeypatch):
    """Ids merged into the sorted arrays are still found, with where they were first seen."""
    from coder import corpus

    monkeypatch.setattr(corpus.IdIndex, "RECENT", 4)
    path = tmp_path / "a.jsonl"
    records = [{"id": f"r{i}", "text": "Kenya accused Uganda of shelling."} for i in range(11)]
    records += [{"id": "r2", "text": "Again."}, {"id": "r10", "text": "Again."}, {"id": "r11", "text": "New."}]
    path.write_text(jsonl(*records), encoding="utf-8")
    rejected = []
    docs = list(read_documents([path], on_reject=rejected.append))
    assert [d.id for d in docs] == [f"r{i}" for i in range(12)]
    assert [(e.line, e.detail) for e in rejected] == [(12, f"duplicate id 'r2' (first in {path}:3)"),
                                                      (13, f"duplicate id 'r10' (first in {path}:11)")]
