"""Validation: every rule of the data contract, reported as file:line: column with what is allowed.

Each failing-input test starts from the small valid Acme dataset of conftest.py, breaks one thing
and checks the one problem that comes back: the file, the line (the header is line 1; a record's
line is the line it starts on), the column, and words of the message that say what is allowed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import (
    BENCHMARK_COLUMNS,
    BUYER_CAPACITY_COLUMNS,
    INFERRED_VENDOR_COLUMNS,
    WINDOW_COLUMNS,
    DEAL_COLUMNS,
    SOURCE_COLUMNS,
    TRANCHE_COLUMNS,
    acme_benchmarks,
    acme_buyer_capacity,
    acme_inferred_vendors,
    acme_windows,
    acme_deals,
    acme_sources,
    acme_tranches,
    source,
    write_csv,
    write_dataset,
)

from compute_deals.facts import schema
from compute_deals.facts.load import load_dataset
from compute_deals.facts.problems import DataError, Problem

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
DEALS, SOURCES, TRANCHES = schema.DEALS_FILE, schema.SOURCES_FILE, schema.TRANCHES_FILE
COLUMNS = {DEALS: DEAL_COLUMNS, SOURCES: SOURCE_COLUMNS, TRANCHES: TRANCHE_COLUMNS,
           schema.BENCHMARKS_FILE: BENCHMARK_COLUMNS,
           schema.BUYER_CAPACITY_FILE: BUYER_CAPACITY_COLUMNS,
           schema.INFERRED_VENDORS_FILE: INFERRED_VENDOR_COLUMNS, schema.WINDOWS_FILE: WINDOW_COLUMNS,
           schema.DENIED_SOURCES_FILE: list(schema.DENIED_SOURCE_RULES)}
ROWS = {DEALS: acme_deals, SOURCES: acme_sources, TRANCHES: acme_tranches,
        schema.BENCHMARKS_FILE: acme_benchmarks, schema.BUYER_CAPACITY_FILE: acme_buyer_capacity,
        schema.INFERRED_VENDORS_FILE: acme_inferred_vendors, schema.WINDOWS_FILE: acme_windows,
        schema.DENIED_SOURCES_FILE: lambda: [{"domain": "denied.example", "reason": "a test"}]}


def edited(rows: list[dict], index: int, **values) -> list[dict]:
    """A copy of rows with row `index` (0 = the first record, on line 2) changed."""
    return [{**row, **values} if number == index else row for number, row in enumerate(rows)]


def tranche(**values) -> dict:
    """A valid tranche of acme-chips-2025 (500 MW); keyword arguments override its columns."""
    return {**acme_tranches()[0], **values}


def problems(folder: Path) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    return caught.value.problems


def case(name, file, line, column, says, *, deals=None, sources=None, tranches=None):
    """One broken input: the Acme files with the given replacements, and the problem expected."""
    return pytest.param(
        file, line, column, says,
        acme_deals() if deals is None else deals,
        acme_sources() if sources is None else sources,
        acme_tranches() if tranches is None else tranches,
        id=name,
    )


REQUIRED_DEAL_COLUMNS = ("deal_id", "buyer", "counterparty", "kind", "status", "announced", "sources")
NUMBERS_AS_TEXT = ("$38B", "ten billion", "1.000,5", "1,000", "38e9")

COLUMN_CASES = [
    *[case(f"blank {column}", DEALS, 4, column, "may not be blank",
           deals=edited(acme_deals(), 2, **{column: ""}))
      for column in REQUIRED_DEAL_COLUMNS],
    case("deal_id not a slug", DEALS, 4, "deal_id", "lowercase letters, digits and single hyphens",
         deals=edited(acme_deals(), 2, deal_id="Acme_DC")),
    case("part_of not a slug", DEALS, 4, "part_of", "lowercase letters, digits and single hyphens",
         deals=edited(acme_deals(), 2, part_of="Acme DC")),
    case("kind not allowed", DEALS, 3, "kind",
         "allowed: cloud | hardware | custom_chip | datacenter | equity",
         deals=edited(acme_deals(), 1, kind="rental")),
    case("status not allowed", DEALS, 5, "status",
         "allowed: talks | loi | signed | superseded | cancelled",
         deals=edited(acme_deals(), 3, status="maybe")),
    case("line after a multi-line note", DEALS, 5, "kind", "allowed: cloud",
         deals=edited(edited(acme_deals(), 0, notes="one\ntwo\nthree"), 1, kind="rental")),
    case("date with slashes", DEALS, 2, "announced", "YYYY-MM-DD",
         deals=edited(acme_deals(), 0, announced="2025/11/03")),
    case("impossible date", DEALS, 3, "deploy_start", "calendar date in YYYY-MM-DD form",
         deals=edited(acme_deals(), 1, deploy_start="2025-02-30")),
    *[case(f"number as text {text}", DEALS, 2, "value_usd",
           "write digits with an optional decimal point",
           deals=edited(acme_deals(), 0, value_usd=text))
      for text in NUMBERS_AS_TEXT],
    case("negative number", DEALS, 4, "capacity_mw", "must be 0 or more",
         deals=edited(acme_deals(), 2, capacity_mw="-300")),
    case("source list with a space", DEALS, 3, "sources", "separated by ';' with no spaces",
         deals=edited(acme_deals(), 1, sources="acme-release; quartz-news")),
    case("bad language code", SOURCES, 3, "language", "two-letter language code",
         sources=edited(acme_sources(), 1, language="English")),
    case("tranche date not a date", TRANCHES, 2, "online", "YYYY-MM-DD",
         tranches=[tranche(online="H2 2026")]),
    case("tranche capacity with a unit", TRANCHES, 2, "capacity_mw", "plain number",
         tranches=[tranche(capacity_mw="200 MW")]),
]

RELATION_CASES = [
    case("duplicate deal_id", DEALS, 5, "deal_id", "already used on line 2",
         deals=edited(acme_deals(), 3, deal_id="acme-gpu-2025")),
    case("value_usd_low above value_usd", DEALS, 4, "value_usd_low",
         "value_usd_low <= value_usd <= value_usd_high",
         deals=edited(acme_deals(), 2, value_usd_low="5500000000")),
    case("value_usd above value_usd_high", DEALS, 4, "value_usd",
         "value_usd_low <= value_usd <= value_usd_high",
         deals=edited(acme_deals(), 2, value_usd="6500000000")),
    case("capacity_mw_low above capacity_mw", DEALS, 2, "capacity_mw_low",
         "capacity_mw_low <= capacity_mw <= capacity_mw_high",
         deals=edited(acme_deals(), 0, capacity_mw_low="150")),
    case("capacity_mw above capacity_mw_high", DEALS, 2, "capacity_mw",
         "capacity_mw_low <= capacity_mw <= capacity_mw_high",
         deals=edited(acme_deals(), 0, capacity_mw_high="90")),
    case("deploy_start after deploy_end", DEALS, 3, "deploy_end", "must not run backwards",
         deals=edited(acme_deals(), 1, deploy_start="2029-01-01")),
    case("unknown source in deals", DEALS, 5, "sources", "no such source_id in sources.csv",
         deals=edited(acme_deals(), 3, sources="quartz-news;quartz-newz")),
    case("unknown source in tranches", TRANCHES, 2, "sources", "no such source_id in sources.csv",
         tranches=[tranche(sources="acme-releases")]),
    case("tranche of an unknown deal", TRANCHES, 3, "deal_id", "no deal with this deal_id",
         tranches=[tranche(), tranche(deal_id="acme-chips-2052")]),
    case("tranches above the deal's capacity", TRANCHES, 2, "capacity_mw",
         "more than the deal's capacity (500 MW",
         tranches=[tranche(), tranche(online="2027-01-01", capacity_mw="301")]),
    case("duplicate source_id", SOURCES, 4, "source_id", "already used on line 2",
         sources=[*acme_sources(), source(title="The same release again")]),
    case("deals.csv with a header only", DEALS, 2, "", "header only", deals=[], tranches=[]),
    case("part_of names no deal", DEALS, 3, "part_of", "not a deal_id in deals.csv",
         deals=edited(acme_deals(), 1, part_of="acme-dc-2062")),
    case("part_of names the deal itself", DEALS, 4, "part_of", "cannot be part of itself",
         deals=edited(acme_deals(), 2, part_of="acme-dc-2026")),
    case("part_of names another buyer's deal", DEALS, 4, "part_of", "another buyer (Bolt AI)",
         deals=edited(edited(acme_deals(), 3, buyer="Bolt AI"), 2, part_of="acme-talks-2024")),
]


@pytest.mark.parametrize(("file", "line", "column", "says", "deals", "sources", "tranches"),
                         [*COLUMN_CASES, *RELATION_CASES])
def test_broken_rule_is_reported_at_its_file_line_and_column(
        tmp_path, file, line, column, says, deals, sources, tranches):
    [problem] = problems(write_dataset(tmp_path, deals, sources, tranches))
    assert (Path(problem.file).name, problem.line, problem.column) == (file, line, column)
    assert says in problem.message


@pytest.mark.parametrize(("file", "column"), [
    (file, column) for file, rules in schema.RULES_BY_FILE.items() for column in rules
])
def test_missing_column_is_named_on_the_header_line(acme_dir, file, column):
    rows = [{name: value for name, value in row.items() if name != column} for row in ROWS[file]()]
    write_csv(acme_dir / file, [name for name in COLUMNS[file] if name != column], rows)
    [problem] = problems(acme_dir)
    assert (Path(problem.file).name, problem.line, problem.column) == (file, 1, column)
    assert f"the header must name: {', '.join(schema.RULES_BY_FILE[file])}" in problem.message


@pytest.mark.parametrize(("deals", "tranches"), [
    pytest.param(edited(acme_deals(), 2, value_usd_low="5000000000", value_usd_high="5000000000"),
                 acme_tranches(), id="low = base = high"),
    pytest.param(edited(acme_deals(), 3, value_usd_low="1", value_usd_high="2", value_basis="ceiling"),
                 acme_tranches(), id="range with a blank base"),
    pytest.param(edited(acme_deals(), 0, deploy_start="2026-06-30"),
                 acme_tranches(), id="one-day deploy window"),
    pytest.param(edited(acme_deals(), 0, value_usd="0", term_years="4.5", accelerators="0"),
                 acme_tranches(), id="zero and decimals"),
    pytest.param(acme_deals(), [tranche(), tranche(online="2027-01-01", capacity_mw="300")],
                 id="tranches add up to the capacity"),
    pytest.param(edited(acme_deals(), 1, capacity_mw_high="800"),
                 [tranche(), tranche(online="2027-01-01", capacity_mw="600")],
                 id="tranches within capacity_mw_high"),
])
def test_values_on_the_edge_of_a_rule_pass(tmp_path, deals, tranches):
    dataset = load_dataset(write_dataset(tmp_path, deals, acme_sources(), tranches))
    assert len(dataset.deals) == len(deals)
    assert len(dataset.tranches) == len(tranches)


def test_tranches_adding_up_exactly_in_decimals_pass(tmp_path):
    deals = edited(acme_deals(), 1, capacity_mw="3.3")
    tranches = [tranche(capacity_mw="1.1"), tranche(online="2027-01-01", capacity_mw="2.2")]
    assert len(load_dataset(write_dataset(tmp_path, deals, acme_sources(), tranches)).tranches) == 2


def test_non_ascii_digits_are_a_problem_not_a_crash(tmp_path):
    deals = edited(acme_deals(), 0, value_usd="３８")
    [problem] = problems(write_dataset(tmp_path, deals, acme_sources(), acme_tranches()))
    assert (problem.line, problem.column) == (2, "value_usd")


def test_every_problem_is_reported_at_once_sorted_by_line(tmp_path):
    deals = edited(acme_deals(), 3, sources="ghost-source")   # line 5, checked across files
    deals = edited(deals, 1, status="maybe")                    # line 3, a column rule
    deals = edited(deals, 0, deploy_start="2027-01-01")         # line 2, checked across columns
    folder = write_dataset(tmp_path, deals, acme_sources(), acme_tranches())
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    found = caught.value.problems
    assert [(problem.line, problem.column) for problem in found] == [
        (2, "deploy_end"), (3, "status"), (5, "sources")]
    message = str(caught.value)
    assert message.startswith("3 problems in the data:")
    assert all(str(problem) in message for problem in found)
    assert f"{folder / DEALS}:3: status: 'maybe' — not an allowed value" in message


def validate_cli(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYTHON), "-m", "compute_deals", "validate", "--data", str(data)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_cli_exits_2_and_names_file_line_and_column_on_bad_data(tmp_path):
    deals = edited(acme_deals(), 1, kind="rental")
    result = validate_cli(write_dataset(tmp_path, deals, acme_sources(), acme_tranches()))
    assert result.returncode == 2
    assert "deals.csv:3: kind:" in result.stderr


def test_cli_exits_0_on_the_shipped_data():
    result = validate_cli(ROOT / "data")
    assert result.returncode == 0, result.stderr
    assert "no problems found" in result.stdout


@pytest.mark.parametrize(("file", "rows", "column", "says"), [
    (schema.BENCHMARKS_FILE, edited(acme_benchmarks(), 1, usd_per_mw_low="70000000"),
     "usd_per_mw_low", "greater than usd_per_mw_high"),
    (schema.BENCHMARKS_FILE, edited(acme_benchmarks(), 1, benchmark_id="wire-all-in"),
     "benchmark_id", "duplicate: already used on line 2"),
    (schema.BENCHMARKS_FILE, edited(acme_benchmarks(), 1, sources="nowhere"),
     "sources", "no such source_id"),
    (schema.BUYER_CAPACITY_FILE, edited(acme_buyer_capacity(), 0, year="'25"),
     "year", "not a year"),
    (schema.BUYER_CAPACITY_FILE, edited(acme_buyer_capacity(), 0, capacity_mw="1.9 GW"),
     "capacity_mw", "not a plain number"),
])
def test_benchmarks_and_buyer_capacity_follow_the_same_rules(acme_dir, file, rows, column, says):
    write_csv(acme_dir / file, COLUMNS[file], rows)
    [problem] = problems(acme_dir)
    assert (Path(problem.file).name, problem.column) == (file, column)
    assert says in problem.message


def test_part_of_links_that_loop_are_reported_on_every_row_of_the_loop(tmp_path):
    deals = edited(edited(acme_deals(), 0, part_of="acme-chips-2025"), 1, part_of="acme-gpu-2025")
    found = problems(write_dataset(tmp_path, deals, acme_sources(), acme_tranches()))
    assert [(p.line, p.column, p.value) for p in found] == [
        (2, "part_of", "acme-chips-2025"), (3, "part_of", "acme-gpu-2025")]
    assert all("loop of part_of links" in p.message for p in found)


def test_a_deals_file_without_the_optional_part_of_column_loads(tmp_path):
    required = list(schema.DEAL_RULES)
    folder = write_dataset(tmp_path, acme_deals(), acme_sources(), acme_tranches())
    write_csv(folder / DEALS, required, [{c: row[c] for c in required} for row in acme_deals()])
    assert set(load_dataset(folder).deals["part_of"]) == {""}


# The kind of money, inferred vendors and window reports (issue 13) ------------------------------

INFERRED, WINDOWS = schema.INFERRED_VENDORS_FILE, schema.WINDOWS_FILE


def window_report(**values) -> dict:
    return {**acme_windows()[0], **values}


@pytest.mark.parametrize(("file", "line", "column", "says", "deals", "inferred", "windows"), [
    pytest.param(DEALS, 2, "value_basis", "required where a value is reported",
                 edited(acme_deals(), 0, value_basis=""), [], [], id="value without a basis"),
    pytest.param(DEALS, 3, "value_basis", "no value is reported for it to describe",
                 edited(acme_deals(), 1, value_basis="purchase"), [], [], id="basis without a value"),
    pytest.param(DEALS, 2, "value_basis", "allowed: commitment | purchase | investment",
                 edited(acme_deals(), 0, value_basis="price"), [], [], id="basis not allowed"),
    pytest.param(INFERRED, 2, "deal_id", "the deal reports its vendor (Nvidia)",
                 acme_deals(), [{**acme_inferred_vendors()[0], "deal_id": "acme-gpu-2025"}], [],
                 id="inference over a reported vendor"),
    pytest.param(INFERRED, 2, "deal_id", "no deal with this deal_id",
                 acme_deals(), [{**acme_inferred_vendors()[0], "deal_id": "acme-dc-2062"}], [],
                 id="inference for an unknown deal"),
    pytest.param(INFERRED, 2, "reason", "may not be blank",
                 acme_deals(), [{**acme_inferred_vendors()[0], "reason": ""}], [],
                 id="inference without a reason"),
    pytest.param(WINDOWS, 2, "deploy_start", "no date: give deploy_start, deploy_end or both",
                 acme_deals(), [], [window_report(deploy_start="", deploy_end="")],
                 id="window report without a date"),
    pytest.param(WINDOWS, 3, "deploy_end", "before the deal's deploy_start (2026-01-10)",
                 acme_deals(), [], [window_report(), window_report(
                     reported_on="2026-03-01", deploy_start="", deploy_end="2025-12-31",
                     basis="revised")],
                 id="a revision that makes the window run backwards"),
    pytest.param(WINDOWS, 2, "basis", "allowed: wording | revised",
                 acme_deals(), [], [window_report(basis="guess")], id="window basis not allowed"),
    pytest.param(WINDOWS, 2, "wording", "may not be blank",
                 acme_deals(), [], [window_report(wording="")], id="window without its wording"),
])
def test_each_new_rule_is_reported_at_its_file_line_and_column(
        tmp_path, file, line, column, says, deals, inferred, windows):
    folder = write_dataset(tmp_path, deals, acme_sources(), acme_tranches(),
                           inferred_vendors=inferred, windows=windows)
    [problem] = problems(folder)
    assert (Path(problem.file).name, problem.line, problem.column) == (file, line, column)
    assert says in problem.message


@pytest.mark.parametrize(("value", "says"), [
    ("", "may not be blank"),
    ("reliable", "allowed: primary | major | trade | secondary"),
])
def test_every_source_has_a_reliability_grade(acme_dir, value, says):
    write_csv(acme_dir / SOURCES, SOURCE_COLUMNS, edited(acme_sources(), 1, reliability=value))
    [problem] = problems(acme_dir)
    assert (Path(problem.file).name, problem.line, problem.column) == (SOURCES, 3, "reliability")
    assert says in problem.message


@pytest.mark.parametrize("address", ["https://example.net/quartz", "http://www.example.net/x",
                                     "https://news.example.net/quartz?id=1"])
def test_a_source_on_a_denied_site_is_rejected_with_the_reason(acme_dir, address):
    write_csv(acme_dir / schema.DENIED_SOURCES_FILE, ["domain", "reason"],
              [{"domain": "example.com", "reason": "another site"},
               {"domain": "example.net", "reason": "addresses instructions to AI assistants"}])
    write_csv(acme_dir / SOURCES, SOURCE_COLUMNS, edited(acme_sources(), 1, address=address))
    [problem] = problems(acme_dir)
    assert (Path(problem.file).name, problem.line, problem.column) == (SOURCES, 3, "address")
    assert "denied_sources.csv line 3: addresses instructions to AI assistants" in problem.message


def test_a_denied_domain_does_not_catch_a_longer_name(acme_dir):
    write_csv(acme_dir / schema.DENIED_SOURCES_FILE, ["domain", "reason"],
              [{"domain": "ample.org", "reason": "x"}])
    assert len(load_dataset(acme_dir).sources) == 2  # example.org is not ample.org


def test_buyer_capacity_measure_is_online_or_contracted(acme_dir):
    write_csv(acme_dir / schema.BUYER_CAPACITY_FILE, BUYER_CAPACITY_COLUMNS,
              edited(acme_buyer_capacity(), 0, measure="planned"))
    [problem] = problems(acme_dir)
    assert (problem.line, problem.column) == (2, "measure")
    assert "allowed: online | contracted | committed | added" in problem.message
