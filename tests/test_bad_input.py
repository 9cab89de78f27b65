"""Bad input through a real build: each broken dataset stops `book.build` before anything runs,
names the file, line and column of its one defect, and leaves the book built before it
byte-for-byte as it was.

test_validate.py and test_load.py check each rule on load_dataset alone; here every defect goes
through the whole driver (and once through the command line), on a copy of the book that was
built successfully from the Acme data first. Validation fails before any notebook executes, so
the one good build is the only slow step.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import (
    DEAL_COLUMNS,
    acme_benchmarks,
    acme_buyer_capacity,
    acme_deals,
    acme_sources,
    acme_tranches,
    copy_of_book,
    source,
    tree_digest,
    write_csv,
    write_dataset,
)
from test_validate import COLUMNS, edited, tranche

from compute_deals.facts import schema
from compute_deals.build import book
from compute_deals.facts.problems import DataError

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
DEALS, SOURCES, TRANCHES = schema.DEALS_FILE, schema.SOURCES_FILE, schema.TRANCHES_FILE
BENCHMARKS, BUYER_CAPACITY = schema.BENCHMARKS_FILE, schema.BUYER_CAPACITY_FILE


def good_dataset(folder: Path) -> Path:
    return write_dataset(folder, acme_deals(), acme_sources(), acme_tranches(), acme_benchmarks(),
                         acme_buyer_capacity())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the book built once from the good Acme data: (root, digest of its _build/html)."""
    root = copy_of_book(tmp_path_factory.mktemp("book"))
    book.build(root, good_dataset(tmp_path_factory.mktemp("good")), say=lambda _: None)
    return root, tree_digest(root / "_build" / "html")


# --- the defects: each a change to one file of the good dataset ---------------------------------

def rows_of(file_name: str, rows: list[dict], columns: list[str] | None = None):
    """A defect that rewrites one file with these rows (and these columns)."""
    chosen = columns or COLUMNS[file_name]

    def apply(folder: Path) -> None:
        write_csv(folder / file_name, chosen, [{c: row.get(c, "") for c in chosen} for row in rows])
    return apply


def text_of(file_name: str, change):
    """A defect that rewrites one file's bytes: change(bytes) -> bytes."""
    def apply(folder: Path) -> None:
        path = folder / file_name
        path.write_bytes(change(path.read_bytes()))
    return apply


def with_deal(index: int, **values):
    return rows_of(DEALS, edited(acme_deals(), index, **values))


def latin1_note(data: bytes) -> bytes:
    """The fourth deal's notes in Latin-1, as a spreadsheet saving "CSV" in Western encoding does."""
    lines = data.split(b"\n")
    lines[3] = lines[3].rstrip(b"\r") + "Étude préliminaire".encode("latin-1")
    return b"\n".join(lines)


def unquoted_comma(data: bytes) -> bytes:
    """The second deal's counterparty with a comma and no quotes: one field too many."""
    return data.replace(b"Quartz Silicon", b"Quartz, Silicon", 1)


def header_only_deals(folder: Path) -> None:
    """deals.csv with its header and no deals (tranches.csv too, else its tranche has no deal)."""
    rows_of(DEALS, [])(folder)
    rows_of(TRANCHES, [])(folder)


def case(name, defect, file, line, column, says):
    return pytest.param(defect, file, line, column, says, id=name)


CASES = [
    case("missing column", rows_of(DEALS, acme_deals(), [c for c in DEAL_COLUMNS if c != "status"]),
         DEALS, 1, "status", "missing column; the header must name"),
    case("duplicate column name", text_of(DEALS, lambda b: b.replace(b",notes", b",buyer", 1)),
         DEALS, 1, "buyer", "duplicate column name"),
    case("duplicate deal id", with_deal(3, deal_id="acme-gpu-2025"),
         DEALS, 5, "deal_id", "duplicate: already used on line 2"),
    case("deal id not a slug", with_deal(2, deal_id="Acme_DC"),
         DEALS, 4, "deal_id", "not a slug"),
    case("blank required value", with_deal(1, buyer=""),
         DEALS, 3, "buyer", "required: this column may not be blank"),
    case("date with slashes", with_deal(0, announced="2025/11/03"),
         DEALS, 2, "announced", "not a calendar date in YYYY-MM-DD form"),
    case("impossible date", with_deal(1, deploy_start="2025-02-30"),
         DEALS, 3, "deploy_start", "not a calendar date"),
    case("negative number", with_deal(2, capacity_mw="-300"),
         DEALS, 4, "capacity_mw", "negative: figures must be 0 or more"),
    case("number written as words", with_deal(0, value_usd="ten billion"),
         DEALS, 2, "value_usd", "not a plain number"),
    case("number with a currency and a suffix", with_deal(0, value_usd="$38B"),
         DEALS, 2, "value_usd", "not a plain number"),
    case("number with a decimal comma", with_deal(0, term_years="4,5"),
         DEALS, 2, "term_years", "not a plain number"),
    case("kind not allowed", with_deal(1, kind="rental"),
         DEALS, 3, "kind", "allowed: cloud | hardware"),
    case("status not allowed", with_deal(3, status="maybe"),
         DEALS, 5, "status", "allowed: talks | loi | signed"),
    case("reversed deployment window", with_deal(1, deploy_start="2029-01-01"),
         DEALS, 3, "deploy_end", "the window must not run backwards"),
    case("range upside down", with_deal(2, value_usd_low="5500000000"),
         DEALS, 4, "value_usd_low", "value_usd_low <= value_usd <= value_usd_high"),
    case("unknown source", with_deal(3, sources="quartz-news;quartz-newz"),
         DEALS, 5, "sources", "no such source_id in sources.csv"),
    case("source list with spaces", with_deal(1, sources="acme-release; quartz-news"),
         DEALS, 3, "sources", "separated by ';' with no spaces"),
    case("part of an unknown deal", with_deal(1, part_of="acme-dc-2062"),
         DEALS, 3, "part_of", "not a deal_id in deals.csv"),
    case("unknown deal in tranches", rows_of(TRANCHES, [tranche(), tranche(deal_id="acme-chips-2052")]),
         TRANCHES, 3, "deal_id", "no deal with this deal_id in deals.csv"),
    case("tranches above the deal's capacity",
         rows_of(TRANCHES, [tranche(), tranche(online="2027-01-01", capacity_mw="301")]),
         TRANCHES, 2, "capacity_mw", "more than the deal's capacity"),
    case("tranche date not a date", rows_of(TRANCHES, [tranche(online="H2 2026")]),
         TRANCHES, 2, "online", "YYYY-MM-DD"),
    case("duplicate source id", rows_of(SOURCES, [*acme_sources(), source(title="Again")]),
         SOURCES, 4, "source_id", "duplicate: already used on line 2"),
    case("language not a code", rows_of(SOURCES, edited(acme_sources(), 1, language="English")),
         SOURCES, 3, "language", "two-letter language code"),
    case("benchmark range upside down",
         rows_of(BENCHMARKS, edited(acme_benchmarks(), 1, usd_per_mw_low="70000000")),
         BENCHMARKS, 3, "usd_per_mw_low", "greater than usd_per_mw_high"),
    case("year not a year", rows_of(BUYER_CAPACITY, edited(acme_buyer_capacity(), 0, year="'25")),
         BUYER_CAPACITY, 2, "year", "not a year"),
    # Defects of a whole file or line: there is no column to name, and the problem says so by
    # naming none (file:line: — what is wrong).
    case("empty file", text_of(DEALS, lambda _: b""),
         DEALS, 1, "", "empty file: expected a header row"),
    case("header only", header_only_deals,
         DEALS, 2, "", "no deals: the file has a header only"),
    case("semicolon separated", text_of(DEALS, lambda b: b.replace(b",", b";")),
         DEALS, 1, "", "separated by semicolons"),
    case("wrong encoding", text_of(DEALS, latin1_note),
         DEALS, 4, "", "not UTF-8 text: save the file as CSV UTF-8"),
    case("unquoted comma", text_of(DEALS, unquoted_comma),
         DEALS, 3, "", "fields where the header has"),
]


def broken_dataset(folder: Path, defect) -> Path:
    good_dataset(folder)
    defect(folder)
    return folder


@pytest.mark.parametrize(("defect", "file", "line", "column", "says"), CASES)
def test_a_broken_dataset_stops_the_build_and_keeps_the_book(built, tmp_path, defect, file, line,
                                                             column, says):
    root, digest = built
    messages: list[str] = []
    with pytest.raises(DataError) as caught:
        book.build(root, broken_dataset(tmp_path / "bad", defect), say=messages.append)
    [problem] = caught.value.problems  # one defect, one problem
    assert (Path(problem.file).name, problem.line, problem.column) == (file, line, column)
    assert says in problem.message
    where = f"{file}:{line}:" + (f" {column}:" if column else "")
    assert where in str(caught.value)
    assert messages and not [m for m in messages if "xecut" in m], "a notebook ran on bad data"
    assert tree_digest(root / "_build" / "html") == digest


def test_there_are_at_least_twenty_defects():
    assert len(CASES) >= 20


def test_the_command_line_exits_2_and_says_where_on_stderr(built, tmp_path):
    root, digest = built
    bad = broken_dataset(tmp_path / "bad", with_deal(1, kind="rental"))
    result = subprocess.run([str(PYTHON), "-m", "compute_deals", "build", "--data", str(bad)],
                            capture_output=True, text=True, cwd=root, timeout=300)
    assert result.returncode == 2
    assert f"{bad / DEALS}:3: kind: 'rental' — not an allowed value" in result.stderr
    assert "Nothing was executed; the previous book, if any, is unchanged." in result.stderr
    assert "Executing" not in result.stdout
    assert tree_digest(root / "_build" / "html") == digest
