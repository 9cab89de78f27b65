"""Hostile files at volume: whatever is done to one CSV file of a valid dataset, loading gives a
dataset or a DataError whose every problem reads file:line: column: 'value' — message, on one
line. Never a traceback.

Hypothesis changes one file at a time: cells or whole columns get arbitrary text (blank, huge or
negative numbers, nan, inf, dates in other formats, commas, quotes, newlines, unicode, a value over
the csv module's field limit); columns are added, renamed, deleted, duplicated or swapped; quotes
are unbalanced; the file is re-encoded (Latin-1, cp1252, UTF-16 with and without a BOM...), its
commas become semicolons or tabs, it is cut at any byte; lines are deleted, duplicated or swapped,
the header dropped; NUL and control bytes go in; line endings become CRLF or CR. The examples are
derandomized (the same every run: CI is reproducible) and none are stored (no .hypothesis folder).

A whole load_dataset runs pandera over every column of every file, about 0.25 s however small the
data: too slow for thousands of cases. So 1,900 cases run load_dataset's steps for the changed file
(read it; its column rules; the relations of every file with it in place; typing) on the small Acme
dataset of test_validate.py, and 100 run the whole load_dataset on a copy of the shipped data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from test_validate import COLUMNS, ROWS

from compute_deals.facts import schema
from compute_deals.facts.load import load_dataset, read_raw, read_tables, typed
from compute_deals.facts.problems import DataError, Problem, one_line
from compute_deals.facts.validate import column_problems, relation_problems

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = sorted(schema.RULES_BY_FILE)
# derandomize: the same examples on every run and machine; database=None: no example database.
HOSTILE = settings(deadline=None, derandomize=True, database=None)
# Even so, Hypothesis writes caches (constants read from the source, Unicode tables) to .hypothesis
# in the working directory, and its pytest plugin does so while collecting: set on import, this
# keeps them out of the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "compute-deals-hypothesis")

# problems.py's forms, one line each: file:line: [column:] ['value'] — message (line 0, "no line",
# is only for a missing file, and every file here exists).
PROBLEM_FORM = re.compile(
    r"(?P<file>[^\n]+?):(?P<line>[1-9][0-9]*):"
    r"(?: [^\n]+?:)?(?: (?:'[^\n]*'|\"[^\n]*\"))? — [^\n]+"
)


# --- what a mutation can put in a cell or a header ----------------------------------------------

def date_formats(day: dt.date) -> st.SearchStrategy[str]:
    return st.sampled_from([day.isoformat(), f"{day:%d/%m/%Y}", f"{day:%m/%d/%y}",
                            f"{day:%Y/%m/%d}", f"{day:%Y%m%d}", f"{day:%d %B %Y}", f"{day:%Y-%m}",
                            f"{day:%Y-%m-%dT%H:%M}"])


ODD_VALUES = [
    "", " ", "\t", "nan", "NaN", "inf", "-inf", "Infinity", "None", "NULL", "N/A", "-", "-0", "0",
    "-1", "1e9", "1E+400", "0x1F", "1_000", "1,000", "1.000,5", "$38B", "３８", "٣٨", "²",
    "2025-02-30", "2025-13-01", "0001-01-01", "9999-12-31", "1677-09-21", "2262-04-12",
    'say "hi"', "a,b", "a\nb", "a\r\nb", '"', '""', "'", "=1+1", "\ufeff", "\u00a0", "\u200b",
    "\u2028", "e\u0301", "🙂", "\x00", "a;b", "acme-release;", ";acme-release", "Acme AI",
]
NUMBER = st.one_of(
    st.integers().map(str),
    st.integers(0, 10**400).map(str),  # mostly beyond a float's 1.8e308
    st.floats().map(str),
    st.decimals(allow_nan=False).map(str),
)
DATE = st.dates().flatmap(date_formats)
CELL = st.one_of(
    st.text(),
    st.sampled_from(ODD_VALUES),
    NUMBER,
    DATE,
    st.text(st.sampled_from(',;"\'\n\r\t a1-é')),  # mostly CSV's own characters
    st.integers(100_000, 140_000).map(lambda n: "x" * n),  # about the csv field limit, 128 KiB
)
HEADER = st.one_of(
    st.sampled_from(["", " ", "line", "index", "level_0", "Deal_ID", "\ufeffdeal_id"]),
    st.sampled_from(sorted({name for rules in schema.RULES_BY_FILE.values() for name in rules})),
    st.text(),
)
NUMBER_COLUMNS = {name for names in schema.NUMBER_COLUMNS_BY_FILE.values() for name in names}
DATE_COLUMNS = {name for names in schema.DATE_COLUMNS_BY_FILE.values() for name in names}


def value_for(column: str) -> st.SearchStrategy[str]:
    """Any text, and more often a number or a date where the column holds one: values that can
    pass the column's rule and go on to be typed."""
    if column in NUMBER_COLUMNS:
        return st.one_of(NUMBER, CELL)
    if column in DATE_COLUMNS:
        return st.one_of(DATE, CELL)
    return CELL


# --- changes to a file's rows (made first, while the file is still CSV) ------------------------

def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def index_in(items) -> st.SearchStrategy[int]:
    return st.integers(0, len(items) - 1)


def replace_cell(draw, rows):
    row = rows[draw(st.integers(1, len(rows) - 1))]
    column = draw(index_in(row))
    row[column] = draw(value_for(rows[0][column]))
    return rows


def fill_column(draw, rows):
    """One value in every record of a column, as a spreadsheet's fill-down does."""
    column = draw(index_in(rows[0]))
    value = draw(value_for(rows[0][column]))
    for row in rows[1:]:
        row[column] = value
    return rows


def add_column(draw, rows):
    at, name, value = draw(st.integers(0, len(rows[0]))), draw(HEADER), draw(CELL)
    return [[*row[:at], value if number else name, *row[at:]] for number, row in enumerate(rows)]


def rename_column(draw, rows):
    rows[0][draw(index_in(rows[0]))] = draw(HEADER)
    return rows


def delete_column(draw, rows):
    if len(rows[0]) == 1:
        return rows
    column = draw(index_in(rows[0]))
    return [row[:column] + row[column + 1:] for row in rows]


def duplicate_column(draw, rows):
    column = draw(index_in(rows[0]))
    return [row[:column + 1] + row[column:] for row in rows]


def swap_columns(draw, rows):
    a, b = draw(index_in(rows[0])), draw(index_in(rows[0]))
    for row in rows:
        row[a], row[b] = row[b], row[a]
    return rows


VALUE_CHANGES = [replace_cell, fill_column]
ROW_CHANGES = [*VALUE_CHANGES, add_column, rename_column, delete_column, duplicate_column,
               swap_columns]


# --- changes to a file's bytes ------------------------------------------------------------------

def break_quoting(draw, data):
    quotes = [at for at, byte in enumerate(data) if byte == ord('"')]
    if quotes and draw(st.booleans()):
        at = draw(st.sampled_from(quotes))
        return data[:at] + data[at + 1:]
    at = draw(st.integers(0, len(data)))
    return data[:at] + b'"' + data[at:]


def re_encode(draw, data):
    text = data.decode("utf-8", errors="surrogateescape")
    encoding = draw(st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be",
                                     "utf-32", "utf-8-sig", "mac-roman", "shift_jis"]))
    return text.encode(encoding, errors="replace")


def change_separator(draw, data):
    return data.replace(b",", draw(st.sampled_from([b";", b"\t", b"|", b", ", b" "])))


def truncate(draw, data):
    return data[:draw(st.integers(0, len(data)))]


def insert_control(draw, data):
    at = draw(st.integers(0, len(data)))
    control = draw(st.sampled_from([b"\x00", b"\x01", b"\x08", b"\x0b", b"\x0c", b"\x1a", b"\x1b",
                                    b"\x7f", b"\r", "\u0085".encode(), "\u2028".encode(),
                                    "\ufeff".encode()]) | st.binary(min_size=1, max_size=8))
    return data[:at] + control + data[at:]


def change_line_endings(draw, data):
    return data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\r\r\n", b"\n\r"])))


def delete_line(draw, data):
    lines = data.split(b"\n")
    del lines[draw(index_in(lines))]
    return b"\n".join(lines)


def duplicate_line(draw, data):
    lines = data.split(b"\n")
    at = draw(index_in(lines))
    return b"\n".join(lines[:at + 1] + lines[at:])


def swap_lines(draw, data):
    lines = data.split(b"\n")
    a, b = draw(index_in(lines)), draw(index_in(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def drop_header(draw, data):
    return data.partition(b"\n")[2]


BYTE_CHANGES = [break_quoting, re_encode, change_separator, truncate, insert_control,
                change_line_endings, delete_line, duplicate_line, swap_lines, drop_header]


def changed(draw, data: bytes, row_changes: list, byte_changes: list) -> bytes:
    """The file with the row changes made while it is still CSV, then the byte changes."""
    rows = rows_of(data)
    for change in row_changes:
        rows = change(draw, rows)
    data = csv_bytes(rows)
    for change in byte_changes:
        data = change(draw, data)
    for change in row_changes + byte_changes:
        event(change.__name__)
    return data


@st.composite
def hostile_values(draw, originals: dict[str, bytes]) -> tuple[str, bytes]:
    """One file, named, with hostile values in one or two cells or whole columns and otherwise
    intact: values that get past reading to the column rules, the relations and typing."""
    file_name = draw(st.sampled_from(sorted(originals)))
    changes = draw(st.lists(st.sampled_from(VALUE_CHANGES), min_size=1, max_size=2))
    return file_name, changed(draw, originals[file_name], changes, [])


@st.composite
def hostile_file(draw, originals: dict[str, bytes]) -> tuple[str, bytes]:
    """One file, named, with one to four changes of any kind made to it."""
    file_name = draw(st.sampled_from(sorted(originals)))
    row_changes = draw(st.lists(st.sampled_from(ROW_CHANGES), max_size=2))
    byte_changes = draw(st.lists(st.sampled_from(BYTE_CHANGES), min_size=0 if row_changes else 1,
                                 max_size=2))
    return file_name, changed(draw, originals[file_name], row_changes, byte_changes)


# --- the property -------------------------------------------------------------------------------

@contextmanager
def written(folder: Path, file_name: str, data: bytes):
    """The folder with one file replaced by `data`, then restored: examples stay independent."""
    path = folder / file_name
    original = path.read_bytes()
    path.write_bytes(data)
    try:
        yield
    finally:
        path.write_bytes(original)


def last_line(data: bytes) -> int:
    """The highest line a problem may name: CR, LF and CRLF each end a line, and a missing record
    is reported on the line after the file's last ("no deals: the file has a header only")."""
    return data.count(b"\n") + data.count(b"\r") + 2


def assert_located(problem: Problem, folder: Path) -> None:
    """The problem names a file of the dataset and a line in it, and prints in problems.py's form."""
    path = Path(problem.file)
    assert path.parent == folder and path.name in FILES, problem
    assert 1 <= problem.line <= last_line(path.read_bytes()), problem
    text = str(problem)
    form = PROBLEM_FORM.fullmatch(text)
    assert form and form["file"] == problem.file and int(form["line"]) == problem.line, text
    if problem.column:
        assert text.startswith(f"{problem.file}:{problem.line}: {one_line(problem.column)}:"), text


def assert_dataset_or_located_problems(load, folder: Path) -> None:
    """load() returns, or raises DataError locating each problem; any other exception fails."""
    try:
        load()
    except DataError as err:
        event("DataError")
        assert err.problems
        for problem in err.problems:
            assert_located(problem, folder)
    else:
        event("valid")


# --- most cases: one file through load_dataset's steps, on the small Acme dataset --------------

def acme_bytes(file_name: str) -> bytes:
    columns = COLUMNS[file_name]
    return csv_bytes([columns, *([row.get(c, "") for c in columns] for row in ROWS[file_name]())])


ACME = {file_name: acme_bytes(file_name) for file_name in FILES}


@dataclass(frozen=True)
class Acme:
    folder: Path
    tables: dict = field(repr=False)  # every file read, valid


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Acme:
    folder = tmp_path_factory.mktemp("acme")
    for file_name, data in ACME.items():
        (folder / file_name).write_bytes(data)
    load_dataset(folder)  # valid to start with
    return Acme(folder, read_tables(folder))


def load_one_file(acme: Acme, file_name: str):
    """load_dataset's steps for one file while the others are valid: read it, check its columns and
    the relations of every file with it in place, type it."""
    table = read_raw(acme.folder / file_name)
    tables = {**acme.tables, file_name: table}
    problems = column_problems(table, file_name) + relation_problems(tables)
    if problems:
        raise DataError(problems)
    return typed(table, file_name)


def with_column(data: bytes, name: str) -> bytes:
    """The file with one more column, blank in every record."""
    header, *rows = rows_of(data)
    return csv_bytes([[*header, name], *([*row, ""] for row in rows)])


@settings(HOSTILE, max_examples=700)
@given(hostile_values(ACME))
# Found by this test: a number too big for a float, in a column without blanks (OverflowError).
@example((schema.BUYER_CAPACITY_FILE,
          ACME[schema.BUYER_CAPACITY_FILE].replace(b",80,", b"," + b"9" * 400 + b",")))
def test_hostile_values_give_a_dataset_or_located_problems(acme, case):
    file_name, data = case
    with written(acme.folder, file_name, data):
        assert_dataset_or_located_problems(lambda: load_one_file(acme, file_name), acme.folder)


@settings(HOSTILE, max_examples=1200)
@given(hostile_file(ACME))
# Found by this test, each raising an exception other than DataError: deals.csv without a deal_id
# column while windows.csv is there (KeyError); a column called line (ValueError); a value over the
# csv module's field limit, as an unclosed quote in a big file makes (csv.Error).
@example((schema.DEALS_FILE, ACME[schema.DEALS_FILE].replace(b"deal_id,", b"deal,", 1)))
@example((schema.BENCHMARKS_FILE, with_column(ACME[schema.BENCHMARKS_FILE], "line")))
@example((schema.SOURCES_FILE, ACME[schema.SOURCES_FILE] + b'"' + b"x" * 131_073))
@example((schema.BENCHMARKS_FILE, b'"0\n0","0\n0"\n1,2\n'))  # a column name with a line break
def test_a_hostile_file_gives_a_dataset_or_located_problems(acme, case):
    file_name, data = case
    with written(acme.folder, file_name, data):
        assert_dataset_or_located_problems(lambda: load_one_file(acme, file_name), acme.folder)


# --- and a hundred through the whole load_dataset, on a copy of the shipped data ----------------

SHIPPED = {path.name: path.read_bytes() for path in sorted(DATA.glob("*.csv"))}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    return Path(shutil.copytree(DATA, tmp_path_factory.mktemp("shipped") / "data"))


@settings(HOSTILE, max_examples=100)
@given(hostile_file(SHIPPED))
def test_a_hostile_shipped_file_gives_a_dataset_or_located_problems(shipped, case):
    file_name, data = case
    with written(shipped, file_name, data):
        assert_dataset_or_located_problems(lambda: load_dataset(shipped), shipped)


def test_a_problem_is_one_line_whatever_text_it_quotes():
    """A message may quote a cell (the vendor a deal reports, another buyer's name): a line
    break in it must not start a line that is not file:line."""
    problem = Problem("deals.csv", 3, "accelerator\nvendor", "Quartz\nChips",
                      "the deal reports its vendor (Quartz\nChips)")
    assert PROBLEM_FORM.fullmatch(str(problem)), str(problem)
    assert str(problem) == ("deals.csv:3: accelerator\\nvendor: 'Quartz\\nChips' — "
                            "the deal reports its vendor (Quartz\\nChips)")
