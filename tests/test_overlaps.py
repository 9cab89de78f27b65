"""Timeline overlaps worked by hand: pairwise overlaps, deals ramping per quarter, value per year."""

import numpy as np
import pandas as pd
import pytest

from compute_deals.analysis import metrics, overlaps
from compute_deals.report import tables
from compute_deals.report.charts import overlaps as overlap_charts
from compute_deals.facts.load import load_dataset

T = pd.Timestamp


def deals_frame(*rows: dict) -> pd.DataFrame:
    """Typed deals as load_dataset gives them; each row overrides a signed 100 MW default."""
    default = {
        "deal_id": "d", "buyer": "Acme AI", "counterparty": "Bolt", "kind": "cloud",
        "status": "signed", "announced": T("2025-01-15"), "value_usd": np.nan,
        "capacity_mw": 100.0, "capacity_mw_low": np.nan, "capacity_mw_high": np.nan,
        "accelerator_vendor": "Nvidia", "deploy_start": pd.NaT, "deploy_end": pd.NaT,
        "term_years": np.nan, "sources": ("acme-release",), "part_of": "",
        "value_usd_low": np.nan, "value_usd_high": np.nan, "value_basis": "commitment",
    }
    frame = pd.DataFrame([{**default, **row} for row in rows])
    for column in ("announced", "deploy_start", "deploy_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def window(deal_id: str, start: str | None, end: str | None, **more) -> dict:
    return {"deal_id": deal_id, "counterparty": deal_id.upper(),
            "deploy_start": T(start) if start else pd.NaT, "deploy_end": T(end) if end else pd.NaT,
            **more}


@pytest.mark.parametrize("a, b, days", [
    (("2026-01-01", "2026-07-01"), ("2026-04-01", "2026-12-31"), 91),   # April, May, June
    (("2026-01-01", "2026-07-01"), ("2026-07-01", "2026-12-31"), 0),    # touching
    (("2026-01-01", "2026-06-30"), ("2026-07-01", "2026-12-31"), 0),    # a day apart
    (("2026-01-01", "2027-01-01"), ("2026-03-01", "2026-05-01"), 61),   # inside: March + April
    (("2026-03-01", "2026-05-01"), ("2026-01-01", "2027-01-01"), 61),   # either way round
])
def test_overlap_days_by_hand(a, b, days):
    assert overlaps.overlap_days(T(a[0]), T(a[1]), T(b[0]), T(b[1])) == days


def test_a_window_missing_one_end_gets_it_by_convention_and_one_missing_both_is_left_out():
    deals = deals_frame(
        window("open", "2030-07-01", None),
        window("no-start", None, "2026-12-31", announced=T("2025-07-31")),
        window("late-news", None, "2025-06-30", announced=T("2025-09-01")),
        window("none", None, None),
    )
    got = overlaps.deployment_windows(deals).set_index("deal_id")
    assert list(got.index) == ["late-news", "no-start", "open"]  # by start
    assert (got.at["open", "window_start"], got.at["open", "window_end"]) == (T("2030-07-01"), T("2030-12-31"))
    assert got.at["open", "window_note"] == "end not reported: open to 2030-12-31"
    assert got.at["no-start", "window_start"] == T("2025-07-31")  # the announcement
    assert got.at["no-start", "window_note"] == "start not reported: from the announcement"
    # Announced after its window ended: the window shrinks to its end rather than run backwards.
    assert got.at["late-news", "window_start"] == got.at["late-news", "window_end"] == T("2025-06-30")


def test_pairs_are_listed_longest_first_with_touching_pairs_left_out():
    deals = deals_frame(
        window("outer", "2026-01-01", "2027-01-01"),
        window("inner", "2026-03-01", "2026-05-01"),      # inside outer: 61 days
        window("after", "2027-01-01", "2028-01-01"),      # touches outer: 0 days
        window("open", "2030-07-01", None),                # open to 2030-12-31
        window("long", "2030-01-01", "2031-06-30"),        # overlaps open from 2030-07-01: 183 days
    )
    longest = overlaps.longest_overlaps(overlaps.deployment_windows(deals))
    assert (longest.n_pairs, longest.n_assumed) == (2, 1)
    pairs = longest.pairs
    assert pairs[["deal_a", "deal_b", "overlap_start", "overlap_end", "overlap_days",
                  "bound_assumed"]].to_dict("records") == [
        {"deal_a": "long", "deal_b": "open", "overlap_start": T("2030-07-01"),
         "overlap_end": T("2030-12-31"), "overlap_days": 183, "bound_assumed": True},
        {"deal_a": "outer", "deal_b": "inner", "overlap_start": T("2026-03-01"),
         "overlap_end": T("2026-05-01"), "overlap_days": 61, "bound_assumed": False},
    ]
    encoding = overlap_charts.overlap_heatmap(longest, "Acme AI", "s").to_dict()["layer"][0]["encoding"]
    # One order on both axes (a symmetric matrix): each deal's earliest overlap, then name.
    assert encoding["x"]["sort"] == encoding["y"]["sort"] == [
        "INNER (Jan 2025)", "OUTER (Jan 2025)", "LONG (Jan 2025)", "OPEN (Jan 2025)"]


def random_windows(n: int, seed: int) -> pd.DataFrame:
    """n windows with many equal lengths (whole months), so ties at the cut are common; every fifth
    has no reported end (open to the horizon: an assumed bound)."""
    rng = np.random.default_rng(seed)
    starts = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 24, n) * 30, unit="D")
    ends = starts + pd.to_timedelta(rng.integers(0, 12, n) * 30, unit="D")
    return deals_frame(*(window(f"d{i:03d}", f"{s:%Y-%m-%d}", None if i % 5 == 0 else f"{e:%Y-%m-%d}")
                         for i, (s, e) in enumerate(zip(starts, ends))))


def every_pair_by_brute_force(windows: pd.DataFrame) -> pd.DataFrame:
    """Each pair (deal_a before deal_b in window order) with its overlap, by a double loop."""
    rows = [(a.deal_id, b.deal_id, overlaps.overlap_days(a.window_start, a.window_end, b.window_start, b.window_end))
            for i, a in enumerate(windows.itertuples()) for b in list(windows.itertuples())[i + 1:]]
    pairs = pd.DataFrame(rows, columns=["deal_a", "deal_b", "overlap_days"])
    return pairs[pairs["overlap_days"] > 0]


@pytest.mark.parametrize("n", [1, 7, 50])
def test_the_longest_pairs_are_those_of_the_full_list_and_the_count_is_every_pair(n, monkeypatch):
    monkeypatch.setattr(overlaps, "BLOCK_WINDOWS", 16)  # several blocks, so pruning between them runs
    windows = overlaps.deployment_windows(random_windows(120, seed=n))
    every = pd.concat(list(overlaps.overlap_blocks(windows)), ignore_index=True)
    brute = every_pair_by_brute_force(windows)
    assert sorted(zip(every["deal_a"], every["deal_b"], every["overlap_days"])) == sorted(
        zip(brute["deal_a"], brute["deal_b"], brute["overlap_days"]))
    longest = overlaps.longest_overlaps(windows, n=n)
    expected = every.sort_values(["overlap_days", "overlap_start", "deal_a", "deal_b"],
                                 ascending=[False, True, True, True]).head(n).reset_index(drop=True)
    assert longest.n_pairs == len(brute) > 4 * n  # enough pairs that candidates are pruned
    assert longest.n_assumed == int(every["bound_assumed"].sum())
    pd.testing.assert_frame_equal(longest.pairs, expected)


def test_a_heat_map_of_the_longest_says_how_many_pairs_there_are_and_where_they_all_are():
    windows = overlaps.deployment_windows(random_windows(120, seed=3))
    longest = overlaps.longest_overlaps(windows, n=50)
    meta = overlap_charts.overlap_heatmap(longest, "Acme AI", "s").to_dict()["usermeta"]["compute_deals"]
    assert meta["drawn"] == (f"Drawn: the {overlap_charts.HEATMAP_PAIRS} longest of {longest.n_pairs:,} "
                             "overlapping pairs; the CSV has the 50 longest, the command python -m "
                             "compute_deals overlaps lists every pair.")


def test_deals_ramping_per_quarter_by_hand():
    deals = deals_frame(
        window("a", "2026-01-01", "2026-06-30"),   # Q1 and Q2
        window("b", "2026-04-15", "2026-07-01"),   # Q2 only: it touches Q3 without a day in it
        window("c", "2026-09-30", None),           # one day of Q3, then open: Q4 too
    )
    quarter_ends = pd.date_range("2025-10-01", "2026-12-31", freq="QE")  # 2025Q4 .. 2026Q4
    got = overlaps.concurrency(overlaps.deployment_windows(deals), quarter_ends)
    # Starts at the first quarter with a deal ramping (2025Q4 has none).
    assert list(got["quarter"]) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert list(got["deals_ramping"]) == [1, 2, 1, 1]
    assert list(got["deal_ids"]) == ["a", "a; b", "c", "c"]
    assert overlaps.peak(got) == {"deals_ramping": 2, "first_quarter": "2026Q2",
                                  "last_quarter": "2026Q2", "quarters": 1,
                                  "deals": "A (Jan 2025); B (Jan 2025)"}


def test_the_peak_window_runs_while_the_peak_count_holds():
    counts = pd.DataFrame({"quarter": ["Q1", "Q2", "Q3", "Q4", "Q5"], "deals_ramping": [1, 3, 3, 1, 3],
                           "deals": ["x", "x; y; z", "x; y; w", "x", "a; b; c"]})
    got = overlaps.peak(counts)
    assert (got["first_quarter"], got["last_quarter"], got["quarters"], got["deals"]) == (
        "Q2", "Q3", 2, "x; y; z")


def spread_deals() -> pd.DataFrame:
    return deals_frame(
        # Term of 2 years from deploy_start: 2026-07-01 to 2028-07-01, 731 days (2028 is leap).
        window("term", "2026-07-01", None, value_usd=731e6, term_years=2.0),
        # No term: spread over the window, 2026-01-01 to 2027-01-01 (365 days).
        window("window", "2026-01-01", "2027-01-01", value_usd=365e6),
        # Term of 1 year and no window start: from the announcement, 2025-05-01 to 2026-05-01.
        window("announced", None, None, value_usd=365e6, term_years=1.0, announced=T("2025-05-01")),
        # A value, no term and only a start: cannot be spread.
        window("open", "2026-01-01", None, value_usd=50e6, term_years=0.0),
        window("no-value", "2026-01-01", "2027-01-01"),
    )


def test_value_spread_evenly_over_each_term_or_window_by_hand():
    annual = overlaps.annual_commitments(overlaps.value_spans(metrics.summable(spread_deals())))
    by = annual.set_index(["deal_id", "year"])["value_usd"]
    assert by.to_dict() == pytest.approx({
        ("announced", 2025): 245e6,  # May to December: 245 of 365 days
        ("announced", 2026): 120e6,  # January to April: 120 days
        ("term", 2026): 184e6,       # July to December: 184 of 731 days, $1M a day
        ("term", 2027): 365e6,
        ("term", 2028): 182e6,       # January to June of a leap year
        ("window", 2026): 365e6,
    })
    assert set(annual.loc[annual["deal_id"] == "window", "spread_over"]) == {"deployment window"}
    # 2026: 184 + 365 + 120 = 669; 2027: 365; 2025: 245; 2028: 182 ($ millions).
    assert overlaps.largest_years(annual).to_dict("list") == {
        "year": [2026, 2027, 2025, 2028], "value_usd": pytest.approx([669e6, 365e6, 245e6, 182e6])}
    assert overlap_charts.commitments_sentence(overlaps.largest_years(annual), "Acme AI") == (
        "Spread over their terms, commitments are largest in 2026 ($669.0M), then 2027 ($365.0M).")
    assert overlap_charts.commitments_sentence(overlaps.largest_years(annual.iloc[0:0]), "Acme AI") == (
        "None of Acme AI's deal values can be spread over time.")


def test_values_with_neither_a_term_nor_a_complete_window_are_listed_not_spread():
    left_out = overlaps.not_spread(overlaps.value_spans(metrics.summable(spread_deals())))
    assert left_out[["deal_id", "value_usd"]].to_dict("records") == [{"deal_id": "open", "value_usd": 50e6}]


def test_only_a_price_of_capacity_is_a_commitment_of_a_year():
    deals = metrics.summable(deals_frame(
        window("stake", "2026-01-01", "2027-01-01", value_usd=900e6, value_basis="investment"),
        window("cap", "2026-01-01", "2027-01-01", value_usd=5e9, value_basis="ceiling"),
        window("chips", "2026-01-01", "2027-01-01", value_usd=365e6, value_basis="purchase"),
    ))
    spans = overlaps.value_spans(deals)
    annual = overlaps.annual_commitments(overlaps.committed(spans, ["commitment", "purchase"]))
    assert annual[["deal_id", "year", "value_usd"]].to_dict("records") == [
        {"deal_id": "chips", "year": 2026, "value_usd": pytest.approx(365e6)}]
    assert list(overlaps.not_committed(spans, ["commitment", "purchase"])["deal_id"]) == ["stake", "cap"]
    # A reader who counts investments as commitments can say so: the bases are a parameter.
    assert overlaps.committed(spans, ["investment"])["deal_id"].tolist() == ["stake"]


def test_summed_deals_leave_out_superseded_and_uncounted_statuses(acme_dir):
    deals = load_dataset(acme_dir).deals
    chosen = lambda frame, statuses: list(  # noqa: E731
        metrics.summable(metrics.buyer_deals(frame, "Acme AI", statuses))["deal_id"])
    assert chosen(deals, ["signed", "loi"]) == ["acme-gpu-2025", "acme-chips-2025", "acme-dc-2026"]
    assert chosen(deals, ["loi"]) == ["acme-chips-2025"]
    superseded = deals.assign(status=["superseded", "loi", "signed", "talks"])
    assert chosen(superseded, ["signed", "superseded"]) == ["acme-dc-2026"]


def test_the_gantt_names_status_in_the_row_and_starts_terms_by_the_convention():
    deals = deals_frame(
        window("sig", "2026-07-01", "2027-06-30", term_years=1.5, announced=T("2025-01-15")),
        window("letter", None, None, status="loi", term_years=2.0, announced=T("2025-03-10")),
    )
    got = overlaps.gantt(deals)
    term = got[got["segment"] == "Contract term"].set_index("deal_id")
    assert (term.at["sig", "start"], term.at["sig", "end"]) == (T("2026-07-01"), T("2028-01-01"))
    assert (term.at["letter", "start"], term.at["letter", "end"]) == (T("2025-03-10"), T("2027-03-10"))
    assert term.at["letter", "note"] == "runs from the announcement"
    assert set(got.loc[got["deal_id"] == "letter", "row"]) == {"LETTER (Mar 2025) · loi"}
    assert set(got.loc[got["deal_id"] == "sig", "row"]) == {"SIG (Jan 2025)"}
    assert list(got["segment"]) == ["Announcement", "Deployment window", "Contract term",
                                    "Announcement", "Contract term"]


def test_online_capacity_uses_the_ramp_and_sets_the_buyers_own_figures_beside_it():
    deals = deals_frame(window("a", "2026-01-01", "2026-12-31"))
    no_tranches = pd.DataFrame({"deal_id": pd.Series(dtype=str), "online": pd.to_datetime([]),
                                "capacity_mw": pd.Series(dtype=float),
                                "accelerator_vendor": pd.Series(dtype=str)})
    reported = pd.DataFrame({"year": [2025.0, 2026.0], "capacity_mw": [80.0, 150.0]})
    online = overlaps.online_vs_reported(deals, no_tranches, reported, "linear")
    ramping = online[online["measure"] == overlaps.ONLINE].set_index("date")["capacity_mw"]
    # From the first year with anything (the 2025 figure), zeros kept so stacks hold.
    assert ramping.index[0] == T("2025-03-31") and ramping[T("2025-12-31")] == 0.0
    assert ramping[T("2026-06-30")] == pytest.approx(100 * 180 / 364)
    assert ramping[T("2030-12-31")] == 100.0
    against = overlaps.online_against_reported(online)
    assert against.to_dict("records") == [{"year": 2025, "reported_mw": 80.0, "online_mw": 0.0},
                                          {"year": 2026, "reported_mw": 150.0, "online_mw": 100.0}]
    assert overlap_charts.capacity_sentence(against, "Acme AI") == (
        "At the end of 2026, the ramp model has 100 MW online under these deals, against the "
        "150 MW Acme AI says it ran (67% of it).")


def test_a_buyer_without_figures_of_its_own_is_told_so_and_nothing_breaks(acme_dir):
    data = load_dataset(acme_dir)
    data = data.__class__(**{**data.__dict__, "buyer_capacity": data.buyer_capacity.iloc[0:0]})
    online = overlaps.online_capacity_table(data, "Acme AI")
    assert set(online["measure"]) == {overlaps.ONLINE}
    chart = overlap_charts.online_capacity(online, "Acme AI", "Acme filings", "2026-04-16").to_dict()
    assert "Acme AI has reported no capacity figures of its own in the data." in " ".join(chart["title"]["subtitle"])
    assert overlap_charts.capacity_sentence(overlaps.online_against_reported(online), "Acme AI") == (
        "Acme AI has reported no capacity figures of its own in the data.")


def test_the_buyer_filter_keeps_only_that_buyers_figures(acme_dir):
    data = load_dataset(acme_dir)
    other = pd.DataFrame({"buyer": ["Other"], "year": [2024.0], "capacity_mw": [5.0],
                          "sources": [("acme-release",)], "notes": [""]})
    data = data.__class__(**{**data.__dict__,
                             "buyer_capacity": pd.concat([data.buyer_capacity, other])})
    assert overlaps.reported_capacity(data, "Acme AI")["capacity_mw"].tolist() == [80.0]


def test_tables_are_registered_with_the_columns_the_issue_asks_for(acme_dir, tmp_path):
    written = {p.name: p for p in tables.write_all(load_dataset(acme_dir), "Acme AI", tmp_path)}
    heads = {name: pd.read_csv(written[name], nrows=0).columns.tolist()
             for name in ("longest_overlaps.csv", "concurrency.csv", "online_capacity.csv", "annual_commitments.csv")}
    assert heads["longest_overlaps.csv"][:5] == ["deal_a", "deal_b", "overlap_start", "overlap_end", "overlap_days"]
    assert heads["concurrency.csv"][:2] == ["quarter", "deals_ramping"]
    assert {"date", "measure", "vendor", "capacity_mw"} <= set(heads["online_capacity.csv"])
    assert {"year", "counterparty", "value_usd"} <= set(heads["annual_commitments.csv"])
    assert "gantt.csv" in written


def test_every_chart_builds_on_the_made_up_buyer_even_with_no_overlapping_pair(acme_dir):
    data = load_dataset(acme_dir)
    longest = overlaps.longest_overlaps(overlaps.counted_windows(data, "Acme AI"))
    assert longest.pairs.empty and longest.n_pairs == 0  # its two windows touch: 2026-06-30 and 2026-07-01
    charts = {
        "gantt.csv": overlap_charts.gantt(overlaps.gantt_table(data, "Acme AI"), "Acme AI", "s", "2026-04-16"),
        "longest_overlaps.csv": overlap_charts.overlap_heatmap(longest, "Acme AI", "s"),
        "concurrency.csv": overlap_charts.concurrency_bars(
            overlaps.concurrency_table(data, "Acme AI"), "Acme AI", "s", "2026-04-16"),
        "online_capacity.csv": overlap_charts.online_capacity(
            overlaps.online_capacity_table(data, "Acme AI"), "Acme AI", "s", "2026-04-16"),
        "annual_commitments.csv": overlap_charts.annual_commitments(
            overlaps.annual_commitments_table(data, "Acme AI"), "Acme AI", "s", "2026-04-16"),
    }
    for table, chart in charts.items():
        spec = chart.to_dict()
        assert spec["usermeta"]["compute_deals"]["table"] == table
        assert spec["width"] == "container" and isinstance(spec["height"], int)
    assert " ".join(charts["longest_overlaps.csv"].to_dict()["title"]["text"]).startswith("0 pairs")


def test_an_umbrella_spreads_only_what_its_parts_leave_and_says_so():
    deals = metrics.summable(deals_frame(
        window("umbrella", "2026-01-01", "2027-01-01", value_usd=365e6),
        window("part", "2026-01-01", "2027-01-01", value_usd=146e6, part_of="umbrella"),
    ))
    annual = overlaps.annual_commitments(overlaps.value_spans(deals)).set_index("deal_id")
    assert annual.loc["umbrella", "value_usd"] == pytest.approx(219e6)  # 365 - 146
    assert annual.loc["umbrella", "deal"].endswith(" · net of the deals within it")
    assert annual["value_usd"].sum() == pytest.approx(365e6)  # nothing counted twice
