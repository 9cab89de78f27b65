"""Read a CSV file of the data folder as text, keeping the line each record starts on.

Every value a stripped string, indexed by its line, so every problem can be reported as
file:line: column. Robust, not fussy: a UTF-8 byte-order mark, Windows line endings and spaces
around values are accepted; what stops a file being read as a table at all is a problem here, and
anything else that would need a guess is one for validate.py.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compute_deals.facts.problems import DataError, Problem


@dataclass(frozen=True)
class RawTable:
    """One CSV file as text: every value a stripped string, indexed by the line it starts on."""

    path: Path
    frame: pd.DataFrame
    header_line: int = 1


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
