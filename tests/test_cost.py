"""Cost per megawatt (compute_deals.analysis.cost and its page), every formula worked by hand."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import papermill
import pandas as pd
import pytest

from compute_deals.analysis import cost
from compute_deals.report import tables
from compute_deals.report.charts import cost as page
from compute_deals.facts.load import load_dataset
from compute_deals.analysis.parameters import Parameter

from conftest import acme_benchmarks, acme_sources, deal, write_dataset

ROOT = Path(__file__).resolve().parents[1]
# Hand-friendly settings: 1 kW chips × overhead 2 × PUE 1.25 = 2.5 kW of facility power each.
SETTINGS = cost.Assumptions(pue=1.25, server_overhead=2.0, accelerator_tdp_kw={"Q1": 1.0},
                            vendor_tdp_kw={"Quartz": 0.5}, tdp_scale=1.0, price_bases=("commitment", "purchase"),
                            value_benchmark="wire-all-in")
NO_FIGURES = dict(value_usd="", value_basis="", capacity_mw="", accelerators="", accelerator="", term_years="")


def hand_deals() -> list[dict]:
    return [
        # 2,000M / 100 MW = 20M per MW; over 4 years, 5M per MW-year.
        deal(deal_id="both"),
        # 5,000M / 300 MW; low 4,000M / 400 MW = 10M, high 6,000M / 250 MW = 24M.
        deal(deal_id="ranges", value_usd="5000000000", value_usd_low="4000000000",
             value_usd_high="6000000000", capacity_mw="300", capacity_mw_low="250",
             capacity_mw_high="400", term_years=""),
        deal(deal_id="no-capacity", **{**NO_FIGURES, "value_usd": "1000000000", "value_basis": "commitment"}),
        deal(deal_id="no-value", **{**NO_FIGURES, "capacity_mw": "500"}),
        # 1,000 Q1 chips × 2.5 kW = 2.5 MW; 10M / 2.5 MW = 4M per MW.
        deal(deal_id="chips", accelerator_vendor="Quartz",
             **{**NO_FIGURES, "value_usd": "10000000", "value_basis": "commitment", "accelerators": "1000", "accelerator": "Q1"}),
        # Q2 is not in the chip table: Quartz's 0.5 kW × 2 × 1.25 = 1.25 kW; 2,000 × 1.25 kW = 2.5 MW.
        deal(deal_id="vendor-chips", accelerator_vendor="Quartz",
             **{**NO_FIGURES, "value_usd": "10000000", "value_basis": "commitment", "accelerators": "2000", "accelerator": "Q2"}),
        deal(deal_id="unknown-chips", accelerator_vendor="Zeta",
             **{**NO_FIGURES, "value_usd": "10000000", "value_basis": "commitment", "accelerators": "10", "accelerator": "Z9"}),
        deal(deal_id="chips-only", accelerator_vendor="Quartz",
             **{**NO_FIGURES, "accelerators": "400", "accelerator": "Q1"}),
        deal(deal_id="zero-term", value_usd="100000000", capacity_mw="10", term_years="0"),
        deal(deal_id="zero-capacity", capacity_mw="0"),
        deal(deal_id="nothing", **NO_FIGURES),
        deal(deal_id="old", status="superseded", announced="2024-01-05"),
    ]


@pytest.fixture
def hand(tmp_path, monkeypatch):
    """The hand-made deals and the two made-up benchmarks (30M; 40M to 60M), with ranges fixed
    here so the numbers do not follow the shipped defaults: PUE 1.0 to 1.5, TDP × 0.5 to 2."""
    monkeypatch.setattr(cost, "RANGED", (
        Parameter("pue", 1.25, "ratio", "PUE", low=1.0, high=1.5),
        Parameter("tdp_scale", 1.0, "×", "TDP scale", low=0.5, high=2.0),
    ))
    data = load_dataset(write_dataset(tmp_path / "hand", hand_deals(), acme_sources(),
                                      benchmarks=acme_benchmarks()))
    return data


def row(table: pd.DataFrame, deal_id: str) -> pd.Series:
    return table.set_index("deal_id").loc[deal_id]


def test_reported_cost_per_mw_and_per_year_by_hand(hand):
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    both = row(table, "both")
    assert both["basis"] == "reported" and both["derived"] == ""
    assert both["usd_per_mw"] == pytest.approx(20e6)
    assert (both["usd_per_mw_low"], both["usd_per_mw_high"]) == (pytest.approx(20e6), pytest.approx(20e6))
    assert both["usd_per_mw_year"] == pytest.approx(5e6)


def test_reported_ranges_take_low_value_over_high_capacity_and_back(hand):
    ranges = row(cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS), "ranges")
    assert ranges["usd_per_mw"] == pytest.approx(5000e6 / 300)
    assert ranges["usd_per_mw_low"] == pytest.approx(10e6)
    assert ranges["usd_per_mw_high"] == pytest.approx(24e6)
    assert math.isnan(ranges["usd_per_mw_year"]) and ranges["per_year_reason"] == "term not reported"


def test_a_deal_with_no_capacity_and_nothing_to_derive_it_from_is_not_computable(hand):
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    no_capacity = row(table, "no-capacity")
    assert no_capacity["basis"] == "not_computable" and math.isnan(no_capacity["usd_per_mw"])
    assert no_capacity["reason"] == "no capacity reported, and no accelerator count to derive it from"
    unknown = row(table, "unknown-chips")
    assert unknown["basis"] == "not_computable" and "no TDP for Z9" in unknown["reason"]
    assert row(table, "nothing")["reason"] == "neither value nor capacity reported"
    assert row(table, "zero-capacity")["reason"] == "capacity reported as 0 MW"


def test_a_deal_with_no_value_is_priced_at_the_benchmark_in_a_column_of_its_own(hand):
    no_value = row(cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS), "no-value")
    assert (no_value["basis"], no_value["derived"]) == ("derived", "value")
    assert math.isnan(no_value["value_usd"])  # the reported column stays blank
    assert no_value["value_usd_derived"] == pytest.approx(500 * 30e6)
    assert no_value["usd_per_mw"] == pytest.approx(30e6)
    # Across the benchmarks' spread: 30M (wire-all-in) to 60M (top of wire-range).
    assert (no_value["usd_per_mw_low"], no_value["usd_per_mw_high"]) == (pytest.approx(30e6), pytest.approx(60e6))


def test_capacity_from_accelerators_by_chip_then_by_vendor(hand):
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    chips, by_vendor = row(table, "chips"), row(table, "vendor-chips")
    assert chips["kw_per_accelerator_derived"] == pytest.approx(2.5)
    assert chips["capacity_mw_derived"] == pytest.approx(2.5)
    assert math.isnan(chips["capacity_mw"])
    assert (chips["basis"], chips["derived"]) == ("derived", "capacity")
    assert chips["usd_per_mw"] == pytest.approx(4e6)
    # Widest one-at-a-time swing: TDP × 0.5 gives 1.25 MW (8M per MW), × 2 gives 5 MW (2M).
    assert (chips["usd_per_mw_low"], chips["usd_per_mw_high"]) == (pytest.approx(2e6), pytest.approx(8e6))
    assert by_vendor["kw_per_accelerator_derived"] == pytest.approx(1.25)
    assert by_vendor["usd_per_mw"] == pytest.approx(4e6)


def test_a_count_of_accelerators_alone_gives_a_capacity_but_no_cost(hand):
    only = row(cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS), "chips-only")
    assert only["capacity_mw_derived"] == pytest.approx(1.0)  # 400 × 2.5 kW
    assert only["basis"] == "not_computable"
    assert only["reason"] == "no value reported; capacity only from its accelerator count"


def test_a_zero_length_term_gives_no_per_year_figure_and_says_why(hand):
    zero = row(cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS), "zero-term")
    assert zero["usd_per_mw"] == pytest.approx(10e6)
    assert math.isnan(zero["usd_per_mw_year"]) and math.isnan(zero["usd_per_mw_year_low"])
    assert zero["per_year_reason"] == "term of 0 years: no per-year figure"


def test_pue_moves_derived_figures_and_nothing_reported(hand):
    at_125 = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    at_150 = cost.cost_per_mw(hand.deals, hand.benchmarks, replace(SETTINGS, pue=1.5))
    reported = at_125["basis"] == "reported"
    assert reported.sum() == 4
    pd.testing.assert_frame_equal(at_125[reported], at_150[reported])
    assert row(at_150, "chips")["usd_per_mw"] == pytest.approx(10e6 / 3.0)  # 1,000 × 3 kW
    assert row(at_150, "chips")["capacity_mw_derived"] == pytest.approx(3.0)


def test_pue_moves_only_derived_figures_in_the_shipped_data():
    data = load_dataset(ROOT / "data")
    default = cost.cost_per_mw_table(data, "OpenAI")
    higher = cost.cost_per_mw_table(data, "OpenAI", assumptions=replace(cost.DEFAULTS, pue=1.5))
    derived_columns = ["kw_per_accelerator_derived", "capacity_mw_derived"]
    pd.testing.assert_frame_equal(default.drop(columns=derived_columns), higher.drop(columns=derived_columns))
    uk = row(higher, "stargate-uk")["capacity_mw_derived"] / row(default, "stargate-uk")["capacity_mw_derived"]
    assert uk == pytest.approx(1.5 / 1.14)


def test_cerebras_seed_figures_give_13_3_million_per_mw_reported():
    cerebras = row(cost.cost_per_mw_table(load_dataset(ROOT / "data"), "OpenAI"), "cerebras-2026")
    assert cerebras["basis"] == "reported"
    assert cerebras["usd_per_mw"] == pytest.approx(10e9 / 750, rel=1e-9)
    assert cerebras["usd_per_mw"] == pytest.approx(13.3e6, rel=0.01)
    assert cerebras["usd_per_mw_year"] == pytest.approx(10e9 / 750 / 3)


def test_benchmarks_midpoint_spread_and_a_missing_choice(hand):
    assert cost.benchmark_usd_per_mw(hand.benchmarks).to_dict() == {"wire-all-in": 30e6, "wire-range": 50e6}
    assert cost.benchmark_spread(hand.benchmarks) == (30e6, 60e6)
    missing = cost.cost_per_mw(hand.deals, hand.benchmarks, replace(SETTINGS, value_benchmark="nope"))
    assert row(missing, "no-value")["basis"] == "not_computable"
    assert "'nope' is not in benchmarks.csv (choose one of: wire-all-in, wire-range)" in row(missing, "no-value")["reason"]
    none = cost.cost_per_mw(hand.deals, hand.benchmarks.iloc[0:0], SETTINGS)
    assert "the data has no benchmarks" in row(none, "no-value")["reason"]


def test_the_tornado_varies_one_assumption_at_a_time_largest_first(hand):
    tornado = cost.sensitivity(hand.deals, hand.benchmarks, SETTINGS)
    assert sorted(tornado["deal_id"].unique()) == ["chips", "no-value", "vendor-chips"]
    # Total swings: benchmark 30M (no-value); TDP 6M on each of two deals; PUE 1.67M on each.
    assert list(dict.fromkeys(tornado["assumption"])) == ["value_benchmark", "tdp_scale", "pue"]
    chips = tornado[tornado["deal_id"] == "chips"].set_index("assumption")
    assert chips.loc["pue", ["usd_per_mw_at_low", "usd_per_mw_at_high"]].tolist() == [
        pytest.approx(5e6), pytest.approx(10e6 / 3)]  # 1,000 × 2 kW and × 3 kW
    assert chips.loc["value_benchmark", "swing_usd_per_mw"] == 0
    no_value = tornado[tornado["deal_id"] == "no-value"].set_index("assumption")
    assert no_value.loc["value_benchmark", "swing_usd_per_mw"] == pytest.approx(30e6)
    assert no_value.loc["pue", "swing_usd_per_mw"] == 0


def test_the_chart_frame_puts_benchmarks_first_and_superseded_rows_last(hand):
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    frame = cost.versus_benchmarks(table, hand.benchmarks)
    # Priced: both, ranges, no-value, chips, vendor-chips, zero-term; then the superseded one.
    assert list(frame["section"]) == ["benchmark"] * 2 + ["deal"] * 6 + ["superseded"]
    assert list(frame["row"][:2]) == ["Benchmark: Example Wire all-in", "Benchmark: Example Wire range"]
    assert frame["row"].iloc[-1].endswith(cost.SUPERSEDED_MARK)
    assert "no-capacity" not in set(frame["id"])
    deals = frame[frame["section"] == "deal"]
    assert deals["usd_per_mw"].is_monotonic_decreasing


def test_the_registered_tables_have_the_issue_columns(acme_dir):
    data = load_dataset(acme_dir)
    table = tables.TABLES["cost_per_mw.csv"](data, "Acme AI")
    assert {"deal_id", "usd_per_mw", "usd_per_mw_low", "usd_per_mw_high", "usd_per_mw_year",
            "basis", "reason"} <= set(table.columns)
    assert set(table["basis"]) <= {"reported", "derived", "not_computable"}
    assert {"cost_vs_benchmarks.csv", "cost_sensitivity.csv"} <= set(tables.TABLES)


def test_charts_plot_their_frames_and_name_every_benchmark(hand):
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    frame = cost.versus_benchmarks(table, hand.benchmarks)
    source = page.source_line(hand.deals, "Acme AI", hand.benchmarks)
    assert "Benchmarks: Example Wire all-in, Example Wire range" in source
    spec = page.versus_benchmarks(frame, "Acme AI", source).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["row"] for r in rows] == list(frame["row"])
    assert spec["usermeta"]["compute_deals"]["table"] == "cost_vs_benchmarks.csv"
    assert spec["height"] == 22 * len(frame)
    per_year = page.per_mw_year(table, "Acme AI", source).to_dict()
    assert per_year["usermeta"]["compute_deals"]["table"] == "cost_per_mw.csv"
    empty = cost.sensitivity(hand.deals.iloc[0:1], hand.benchmarks, SETTINGS)
    assert empty.empty
    assert page.sensitivity_tornado(empty, "Acme AI", source).to_dict()["height"] > 0


def test_the_page_table_marks_derived_figures(hand):
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS).assign(best_source="secondary")
    shown = page.page_table(table).set_index("Deal")
    assert set(shown["Best source"]) == {"secondary only ⚠"}
    chips = shown[shown["Basis"] == "derived (capacity)"].iloc[0]
    assert chips["Capacity"] == "≈ 2 MW (derived from 1,000 accelerators)"
    assert shown[shown["Basis"] == "derived (value)"].iloc[0]["Value"] == "≈ $15.0B (derived)"
    assert shown.index[-1].endswith(cost.SUPERSEDED_MARK)


def test_the_prose_counts_and_compares_with_the_benchmarks(hand):
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    tornado = cost.sensitivity(hand.deals, hand.benchmarks, SETTINGS)
    words = page.prose(table, tornado, hand.benchmarks, SETTINGS)
    # Reported and counted: 20M (both), 16.7M (ranges), 10M (zero-term), all below 30M-60M.
    assert words["finding"].startswith(
        "3 of the 11 deals that count report both a value and a capacity: their value per MW runs "
        "from $10.0M (Bolt Cloud (Mar 2025) · zero-term) to $20.0M")
    assert "3 of these deals sit below that spread, 0 within it and 0 above it" in words["finding"]
    assert words["n_not_computable"] == 5
    assert words["benchmark_used"] == "Example Wire all-in, $30.0M per MW"
    assert words["tornado_finding"] == (
        "Of the assumptions, benchmark $/MW moves the derived figures most: by up to $30.0M per MW "
        "across its range.")


def test_the_notebook_with_a_higher_pue_shows_other_derived_figures_only(tmp_path):
    """Real papermill runs of the chapter, with the default PUE and with pue=1.5."""
    default, higher = (run_notebook(tmp_path / f"run-{n}.ipynb", parameters)
                       for n, parameters in enumerate(({}, {"pue": 1.5})))
    assert default["pue"] == "1.14" and higher["pue"] == "1.5"
    assert default["accelerators_only"] != higher["accelerators_only"]  # a derived capacity
    for name in ("finding", "per_year_finding", "superseded_note", "derived_finding"):
        assert default[name] == higher[name], name


def run_notebook(out: Path, parameters: dict) -> dict[str, str]:
    papermill.execute_notebook(str(ROOT / "notebooks" / "cost_per_mw.ipynb"), str(out),
                               parameters=parameters, cwd=str(ROOT / "notebooks"),
                               progress_bar=False, kernel_name="python3")
    return glued(out)


def glued(path: Path) -> dict[str, str]:
    """The values a notebook glued, by name (Markdown text where there is, else plain text)."""
    values = {}
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            if name:
                values[name] = data.get("application/papermill.record/text/markdown",
                                        data.get("application/papermill.record/text/plain"))
    return values


def test_a_value_that_is_not_a_price_is_never_divided_by_megawatts(tmp_path):
    hand = load_dataset(write_dataset(tmp_path, [
        # An equity stake of 500M in a 1,200 MW site: not a price, so never 0.42M per MW.
        deal(deal_id="stake", value_usd="500000000", value_basis="investment", capacity_mw="1200"),
        # An "up to" framework with no capacity: not a price, and nothing to derive.
        deal(deal_id="framework", **{**NO_FIGURES, "value_usd": "9000000000", "value_basis": "ceiling"}),
    ], acme_sources(), benchmarks=acme_benchmarks()))
    table = cost.cost_per_mw(hand.deals, hand.benchmarks, SETTINGS)
    stake = row(table, "stake")
    # Priced like a deal with no value: at the benchmark (30M), in the derived column, never 500M / 1,200 MW.
    assert (stake["basis"], stake["derived"]) == ("derived", "value")
    assert stake["usd_per_mw"] == pytest.approx(30e6) and not stake["value_is_price"]
    assert stake["value_usd"] == 500e6 and stake["value_basis"] == "investment"  # shown as reported
    framework = row(table, "framework")
    assert framework["basis"] == "not_computable"
    assert framework["reason"] == "the value is an 'up to' ceiling or framework, not a price of capacity"
    # With investments counted as prices (a parameter), the stake's own ratio comes back.
    as_price = cost.cost_per_mw(hand.deals, hand.benchmarks, replace(SETTINGS, price_bases=("commitment", "investment")))
    assert row(as_price, "stake")["usd_per_mw"] == pytest.approx(500e6 / 1200)
    assert row(as_price, "stake")["basis"] == "reported"
