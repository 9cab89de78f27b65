"""Loading: the shipped data, reading CSV files (lines, encodings, file shapes), and typed values.

Reading keeps the line each record starts on, refuses what cannot be read as a table (naming the
file and line), accepts a BOM, CRLF and spaces around values, and load_dataset types what passed.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    DEAL_COLUMNS,
    SOURCE_COLUMNS,
    TRANCHE_COLUMNS,
    acme_deals,
    acme_sources,
    acme_tranches,
    write_dataset,
)

from compute_deals.facts import schema
from compute_deals.facts.load import load_dataset, read_raw
from compute_deals.facts.problems import DataError, Problem

DATA = Path(__file__).resolve().parents[1] / "data"
DEALS, SOURCES, TRANCHES = schema.DEALS_FILE, schema.SOURCES_FILE, schema.TRANCHES_FILE
SEED_ADDRESS = re.compile(r"(00[0-4])_[0-9a-f]{16}\.txt")


def shipped(file_name: str) -> list[dict]:
    """A shipped file read with the csv module alone, independent of the code under test."""
    with (DATA / file_name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def problems(folder: Path) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    return caught.value.problems


# --- the shipped data ---------------------------------------------------------------------------

def test_shipped_data_loads():
    assert len(load_dataset(DATA).deals) >= 32


@pytest.mark.parametrize("file_name", [DEALS, TRANCHES])
def test_shipped_source_ids_cited_exist_in_sources_csv(file_name):
    known = {row["source_id"] for row in shipped(SOURCES)}
    cited = {source_id for row in shipped(file_name) for source_id in row["sources"].split(";")}
    assert cited, f"{file_name} cites no sources"
    assert cited <= known, sorted(cited - known)


def test_every_seed_article_is_an_italian_source():
    seeds = [(match[1], row["language"]) for row in shipped(SOURCES)
             if (match := SEED_ADDRESS.fullmatch(row["address"]))]
    assert sorted(seeds) == [(f"00{number}", "it") for number in range(5)]


# --- reading ------------------------------------------------------------------------------------

def test_record_lines_are_the_lines_records_start_on(tmp_path):
    path = tmp_path / DEALS
    path.write_text('deal_id,notes\na,"one\ntwo\nthree"\n\nb,x\nc,y\n', encoding="utf-8")
    frame = read_raw(path).frame
    assert list(frame.index) == [2, 6, 7]
    assert frame.loc[2, "notes"] == "one\ntwo\nthree"


@pytest.mark.parametrize(("content", "line", "column", "says"), [
    pytest.param(b"", 1, "", "empty file: expected a header row", id="empty file"),
    pytest.param(b"\n  \n", 1, "", "empty file: expected a header row", id="blank lines only"),
    pytest.param(b"deal_id;buyer;kind\nacme;Acme AI;cloud\n", 1, "",
                 "separated by semicolons", id="semicolons"),
    pytest.param(b'deal_id,buyer,notes\nacme,Acme AI,"a\nb"\nbolt,Bolt,x,extra\n', 4, "",
                 "4 fields where the header has 3: a value containing a comma must be in "
                 "double quotes", id="too many fields after a multi-line field"),
    pytest.param(b"deal_id,buyer,deal_id\nacme,Acme AI,bolt\n", 1, "deal_id",
                 "duplicate column name", id="duplicate column"),
    pytest.param("deal_id,notes\nacme,ok\nbolt,caffè\n".encode("latin-1"), 3, "",
                 "not UTF-8 text: save the file as CSV UTF-8", id="latin-1"),
    pytest.param(codecs.BOM_UTF8 + 'deal_id,notes\nacme,"Nota:\nÈ firmato"\n'.encode("latin-1"),
                 3, "", "not UTF-8", id="latin-1 after a BOM"),
])
def test_unreadable_file_is_reported_with_its_line(acme_dir, content, line, column, says):
    (acme_dir / DEALS).write_bytes(content)
    [problem] = problems(acme_dir)
    assert (Path(problem.file).name, problem.line, problem.column) == (DEALS, line, column)
    assert says in problem.message


def test_unreadable_files_are_all_reported_at_once(acme_dir):
    (acme_dir / DEALS).write_bytes(b"")
    (acme_dir / SOURCES).write_bytes(b"source_id;title\nacme-release;Acme\n")
    assert [(Path(problem.file).name, problem.line) for problem in problems(acme_dir)] == [
        (DEALS, 1), (SOURCES, 1)]


def csv_text(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def padded(rows: list[dict]) -> list[dict]:
    """Spaces around every value: ' 750 ', ' signed '."""
    return [{name: f" {value} " for name, value in row.items()} for row in rows]


def with_bom(text: str) -> str:
    return "\ufeff" + text


def with_crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def write_text_dataset(folder: Path, edit_rows=lambda rows: rows, edit_text=lambda text: text):
    """The Acme files written as text with '\\n' line endings, after the given edits."""
    folder.mkdir()
    for file_name, columns, rows in ((DEALS, DEAL_COLUMNS, acme_deals()),
                                     (SOURCES, SOURCE_COLUMNS, acme_sources()),
                                     (TRANCHES, TRANCHE_COLUMNS, acme_tranches())):
        text = edit_text(csv_text(columns, edit_rows(rows)))
        (folder / file_name).write_bytes(text.encode("utf-8"))
    return folder


@pytest.mark.parametrize(("edit_rows", "edit_text"), [
    pytest.param(lambda rows: rows, with_bom, id="UTF-8 BOM"),
    pytest.param(lambda rows: rows, with_crlf, id="CRLF"),
    pytest.param(padded, lambda text: text, id="spaces around values"),
    pytest.param(padded, lambda text: with_bom(with_crlf(text)), id="all three"),
])
def test_bom_crlf_and_spaces_give_the_same_values_as_a_clean_file(tmp_path, edit_rows, edit_text):
    clean = load_dataset(write_text_dataset(tmp_path / "clean"))
    messy = load_dataset(write_text_dataset(tmp_path / "messy", edit_rows, edit_text))
    for name in ("deals", "sources", "tranches"):
        pd.testing.assert_frame_equal(getattr(messy, name), getattr(clean, name))


# --- typed values -------------------------------------------------------------------------------

@pytest.fixture
def acme_deals_by_id(acme_dir) -> pd.DataFrame:
    return load_dataset(acme_dir).deals.set_index("deal_id")


def test_numbers_are_floats_with_nan_for_blank(acme_deals_by_id):
    assert all(pd.api.types.is_float_dtype(acme_deals_by_id[column])
               for column in schema.DEAL_NUMBER_COLUMNS)
    assert acme_deals_by_id.loc["acme-gpu-2025", "value_usd"] == 2_000_000_000.0
    assert math.isnan(acme_deals_by_id.loc["acme-chips-2025", "value_usd"])


def test_dates_are_timestamps_with_nat_for_blank(acme_deals_by_id):
    assert all(pd.api.types.is_datetime64_any_dtype(acme_deals_by_id[column])
               for column in schema.DEAL_DATE_COLUMNS)
    assert acme_deals_by_id.loc["acme-gpu-2025", "announced"] == pd.Timestamp("2025-03-01")
    assert pd.isna(acme_deals_by_id.loc["acme-dc-2026", "deploy_start"])


def test_sources_are_tuples_of_ids(acme_dir):
    dataset = load_dataset(acme_dir)
    assert list(dataset.deals["sources"])[:2] == [("acme-release",), ("acme-release", "quartz-news")]
    assert list(dataset.tranches["sources"]) == [("acme-release",)]


def test_typed_frames_keep_the_line_of_each_record(acme_dir):
    assert list(load_dataset(acme_dir).deals["line"]) == [2, 3, 4, 5]


def test_missing_tranches_file_gives_an_empty_frame_with_the_columns(tmp_path):
    tranches = load_dataset(write_dataset(tmp_path, acme_deals(), acme_sources())).tranches
    assert tranches.empty
    assert set(schema.TRANCHE_RULES) <= set(tranches.columns)
    assert pd.api.types.is_float_dtype(tranches["capacity_mw"])
    assert pd.api.types.is_datetime64_any_dtype(tranches["online"])
