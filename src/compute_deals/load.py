"""Load the dataset in a data folder: read each CSV as text, validate it, then type it.

Reading keeps the line each record starts on (the frame's index), so every problem can be reported
as file:line: column. Robust, not fussy: a UTF-8 byte-order mark, Windows line endings and spaces
around values are accepted; anything that would need a guess is a problem, reported by validate.py.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from compute_deals import derived, metrics, schema
from compute_deals.digests import files_digest
from compute_deals.problems import DataError, Problem
from compute_deals.validate import problems_in


@dataclass(frozen=True)
class RawTable:
    """One CSV file as text: every value a stripped string, indexed by the line it starts on."""

    path: Path
    frame: pd.DataFrame
    header_line: int = 1


@dataclass(frozen=True)
class Dataset:
    """The typed dataset: numbers as floats (NaN = not reported), dates as Timestamps (NaT).
    Optional files that are absent give empty frames with their columns. `deals` carries each
    deal's current window (windows.csv applied, with the basis of each end) and its inferred
    vendor (inferred_vendors.csv); `windows` keeps every window report as history."""

    deals: pd.DataFrame
    sources: pd.DataFrame
    tranches: pd.DataFrame
    benchmarks: pd.DataFrame
    buyer_capacity: pd.DataFrame
    inferred_vendors: pd.DataFrame
    windows: pd.DataFrame
    # The files it was loaded from, hashed (derived.py keys tables on it); a dataset made in code
    # has none, and its tables are never taken from the cache.
    digest: str = field(default="", compare=False)


def read_raw(path: Path) -> RawTable:
    """Read a CSV file as text. Raises DataError for what stops it being read as a table at all."""
    display = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError([Problem(display, 0, "", "", "file not found")]) from None
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = body[: err.start].count(b"\n") + 1
        raise DataError(
            [Problem(display, line, "", "", "not UTF-8 text: save the file as CSV UTF-8")]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                records.append((line, [cell.strip() for cell in row]))
            line = reader.line_num + 1
    except csv.Error as err:  # a value over the csv module's field limit (128 KiB)
        raise DataError([Problem(
            display, line, "", "",
            f"cannot be read as CSV ({err}): most likely a double quote in the record on this "
            "line is never closed, so the rest of the file reads as one value; close it (write a "
            'quote inside a value as "")',
        )]) from None
    if not records:
        raise DataError([Problem(display, 1, "", "", "empty file: expected a header row")])
    (header_line, header), *rows = records
    problems = _shape_problems(display, header_line, header, rows)
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(
        [values for _, values in rows],
        columns=header,
        index=pd.Index([number for number, _ in rows], name="line"),
        dtype=str,
    )
    return RawTable(path, frame, header_line)


def _shape_problems(display: str, header_line: int, header: list[str],
                    rows: list[tuple[int, list[str]]]):
    if len(header) == 1 and ";" in header[0]:
        return [
            Problem(
                display, header_line, "", header[0][:60],
                "the file is separated by semicolons (as spreadsheets in Italian and other "
                "locales save CSV): save it with commas as separators",
            )
        ]
    problems = [
        Problem(display, header_line, name, name, "duplicate column name")
        for position, name in enumerate(header)
        if name in header[:position]
    ]
    if "line" in header:
        problems.append(Problem(display, header_line, "line", "line", "a column may not be called "
                                "line: the line each record starts on is kept under that name; "
                                "rename the column"))
    problems += [
        Problem(
            display, line, "", "",
            f"{len(values)} fields where the header has {len(header)}: "
            "a value containing a comma must be in double quotes",
        )
        for line, values in rows
        if len(values) != len(header)
    ]
    return problems


def typed(raw: RawTable, file_name: str) -> pd.DataFrame:
    """Convert a validated text table: numbers to float, dates to Timestamp, blanks to NaN/NaT."""
    frame = raw.frame.reset_index()
    for column in schema.OPTIONAL_RULES_BY_FILE.get(file_name, {}):
        if column not in frame:
            frame[column] = ""
    for column in schema.NUMBER_COLUMNS_BY_FILE[file_name]:
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="raise").astype(float)
    for column in schema.DATE_COLUMNS_BY_FILE[file_name]:
        frame[column] = pd.to_datetime(frame[column].replace("", None), format="%Y-%m-%d")
    if "sources" in frame:
        frame["sources"] = frame["sources"].str.split(";").map(tuple)
    return frame


def read_tables(data_dir: Path) -> dict[str, RawTable]:
    """Read every file of the dataset that is there (schema.OPTIONAL_FILES may be absent)."""
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    for file_name in (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES):
        path = Path(data_dir) / file_name
        if file_name in schema.OPTIONAL_FILES and not path.exists():
            continue
        try:
            tables[file_name] = read_raw(path)
        except DataError as err:
            problems += err.problems
    if problems:
        raise DataError(problems)
    return tables


def _absent(data_dir: Path, file_name: str) -> RawTable:
    columns = list(schema.RULES_BY_FILE[file_name])
    empty = pd.DataFrame(columns=columns, index=pd.Index([], name="line", dtype=int), dtype=str)
    return RawTable(data_dir / file_name, empty)


@derived.table(files=("data_dir",))
def load_dataset(data_dir: Path | str) -> Dataset:
    """Read, validate and type the dataset in data_dir. Raises DataError listing every problem.
    In a build, each version of the data is validated once (derived.py)."""
    data_dir = Path(data_dir)
    tables = read_tables(data_dir)
    problems = problems_in(tables)
    if problems:
        raise DataError(problems)
    for file_name in schema.OPTIONAL_FILES:
        tables.setdefault(file_name, _absent(data_dir, file_name))
    frames = {name: typed(table, name) for name, table in tables.items()}
    windows, inferred = frames[schema.WINDOWS_FILE], frames[schema.INFERRED_VENDORS_FILE]
    capacity = frames[schema.BUYER_CAPACITY_FILE]
    capacity["measure"] = capacity["measure"].replace("", "online")
    return Dataset(
        deals=metrics.with_inferred_vendors(metrics.current_windows(frames[schema.DEALS_FILE], windows), inferred),
        sources=frames[schema.SOURCES_FILE],
        tranches=frames[schema.TRANCHES_FILE],
        benchmarks=frames[schema.BENCHMARKS_FILE],
        buyer_capacity=capacity,
        inferred_vendors=inferred,
        windows=windows,
        digest=files_digest([data_dir]),
    )
