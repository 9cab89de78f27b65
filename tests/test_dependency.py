"""Dependency on Nvidia, worked by hand on a small made-up buyer.

Three deals, quarter ends 2025-12-31, 2026-03-31, 2026-06-30, 2026-12-31:
- "gpu": Nvidia, 100 MW ramping linearly over 2026-01-01..2026-12-31 (364 days), so 89/364 of it is
  online on 2026-03-31 and 180/364 on 2026-06-30 (the middle of the ramp); high reading 160 MW.
- "chip": Zephyr (a vendor the code has never seen), 300 MW: a 120 MW tranche online 2026-03-31,
  the other 180 MW ramping over 2026-01-01..2026-12-31.
- "site": no vendor, 500 MW with no window (unplaced), $50B.
"""

import numpy as np
import pandas as pd
import pytest

from compute_deals.analysis import dependency, metrics, reconcile
from compute_deals.report.charts import dependency as recipes
from compute_deals.facts.load import load_dataset

DATES = pd.DatetimeIndex(["2025-12-31", "2026-03-31", "2026-06-30", "2026-12-31"])
Q1, MID = 89 / 364, 180 / 364  # fraction of a 2026 window online on 2026-03-31 and 2026-06-30


def deals_frame() -> pd.DataFrame:
    window = pd.to_datetime(["2026-01-01", "2026-01-01", None])
    return pd.DataFrame({
        "deal_id": ["gpu", "chip", "site"],
        "accelerator_vendor": ["Nvidia", "Zephyr", ""],
        "capacity_mw": [100.0, 300.0, 500.0],
        "capacity_mw_low": [np.nan, np.nan, np.nan],
        "capacity_mw_high": [160.0, np.nan, np.nan],
        "value_usd": [2e9, np.nan, 50e9],
        "accelerators": [np.nan, np.nan, np.nan],
        "accelerator": ["", "", ""],
        "deploy_start": window,
        "deploy_end": pd.to_datetime(["2026-12-31", "2026-12-31", None]),
    })


def tranches_frame() -> pd.DataFrame:
    return pd.DataFrame({"deal_id": ["chip"], "online": pd.to_datetime(["2026-03-31"]),
                         "capacity_mw": [120.0], "accelerator_vendor": [""]})


@pytest.fixture
def online():
    return dependency.online_by_vendor(deals_frame(), tranches_frame(), DATES, "linear")


def test_online_by_vendor_lists_every_vendor_at_every_date_the_new_one_included(online):
    assert sorted(online["vendor"].unique()) == ["Not reported", "Nvidia", "Zephyr"]
    assert len(online) == 4 * 3
    by = online.set_index(["date", "vendor"])["online_mw"]
    mid = pd.Timestamp("2026-06-30")
    assert by[(mid, "Nvidia")] == pytest.approx(100 * MID)
    assert by[(mid, "Zephyr")] == pytest.approx(120 + 180 * MID)  # tranche under the deal's vendor
    assert by[(mid, "Not reported")] == 0.0  # no window: unplaced


def test_nvidia_share_in_the_middle_of_a_ramp_with_its_band(online):
    timeline = dependency.nvidia_share_timeline(online).set_index("date")
    mid = timeline.loc[pd.Timestamp("2026-06-30")]
    nvidia, zephyr = 100 * MID, 120 + 180 * MID
    assert mid["nvidia_mw"] == pytest.approx(nvidia)
    assert mid["total_mw"] == pytest.approx(nvidia + zephyr)
    assert mid["nvidia_share"] == pytest.approx(nvidia / (nvidia + zephyr))
    # Only gpu has a range (high 160 MW): the low share keeps 100 MW, the high uses 160 MW.
    assert mid["nvidia_share_low"] == pytest.approx(nvidia / (nvidia + zephyr))
    assert mid["nvidia_share_high"] == pytest.approx(160 * MID / (160 * MID + zephyr))
    first_quarter = timeline.loc[pd.Timestamp("2026-03-31")]
    assert first_quarter["nvidia_share"] == pytest.approx(100 * Q1 / (100 * Q1 + 120 + 180 * Q1))
    end = timeline.loc[pd.Timestamp("2026-12-31")]
    assert end["nvidia_share"] == pytest.approx(100 / 400)
    assert np.isnan(timeline.loc[pd.Timestamp("2025-12-31"), "nvidia_share"])  # nothing online yet


def test_shares_keep_reported_inferred_and_unattributed_capacity_apart():
    online = pd.DataFrame({
        "date": pd.to_datetime(["2026-12-31"] * 4), "vendor": ["Nvidia", "Zephyr", "Not reported", "Nvidia"],
        "attribution": ["reported", "reported", "unattributed", "inferred"],
        "online_mw": [100.0, 300.0, 100.0, 100.0], "online_mw_low": [100.0, 300.0, 100.0, 100.0],
        "online_mw_high": [100.0, 300.0, 100.0, 100.0],
    })
    row = dependency.nvidia_share_timeline(online).iloc[0]
    assert row["nvidia_share"] == pytest.approx(200 / 500)  # of what has a vendor, inferred included
    assert row["nvidia_share_reported"] == pytest.approx(100 / 400)  # reported vendors only
    assert row["nvidia_share_floor"] == pytest.approx(200 / 600)  # the unattributed 100 MW not Nvidia
    assert row["nvidia_share_ceiling"] == pytest.approx(300 / 600)  # ... or all Nvidia
    online = online.iloc[:3]
    hhi = dependency.concentration(online).iloc[0]
    assert hhi["hhi"] == pytest.approx(0.25**2 + 0.75**2)
    assert hhi["vendors_above_5pct"] == 2


def test_concentration_counts_vendors_above_five_percent_only():
    online = pd.DataFrame({
        "date": pd.to_datetime(["2026-12-31"] * 3), "vendor": ["Nvidia", "Zephyr", "Quartz"],
        "online_mw": [96.0, 3.0, 1.0],
    })
    row = dependency.concentration(online).iloc[0]
    assert row["hhi"] == pytest.approx(0.96**2 + 0.03**2 + 0.01**2)
    assert row["vendors_above_5pct"] == 1


def test_contracted_shares_by_capacity_and_value_by_hand():
    shares = dependency.vendor_share(deals_frame(), tranches_frame()).set_index("vendor")
    assert list(shares.index) == ["Nvidia", "Zephyr", "Not reported"]
    assert shares["capacity_mw"].tolist() == [100.0, 300.0, 500.0]  # tranche + rest = 300
    assert shares.loc["Nvidia", "share"] == pytest.approx(100 / 900)
    assert shares.loc["Nvidia", "share_of_known"] == pytest.approx(100 / 400)
    assert np.isnan(shares.loc["Not reported", "share_of_known"])
    assert shares.loc[["Nvidia", "Not reported"], "value_usd"].tolist() == [2e9, 50e9]
    assert np.isnan(shares.loc["Zephyr", "value_usd"])  # no Zephyr deal reports a value: not $0
    assert shares.loc["Nvidia", "value_share"] == pytest.approx(2 / 52)
    assert shares.loc["Nvidia", "value_share_of_known"] == pytest.approx(1.0)
    assert shares["n_with_value"].tolist() == [1, 0, 1]


def test_a_tranche_with_its_own_vendor_counts_under_that_vendor():
    tranches = tranches_frame().assign(deal_id="gpu", capacity_mw=40.0, accelerator_vendor="Quartz")
    shares = dependency.vendor_share(deals_frame(), tranches).set_index("vendor")["capacity_mw"]
    assert shares.to_dict() == {"Nvidia": 60.0, "Quartz": 40.0, "Zephyr": 300.0, "Not reported": 500.0}


def test_derived_mw_only_where_no_mw_is_reported_and_it_enters_no_share():
    deals = deals_frame()
    deals.loc[0, ["accelerators", "accelerator"]] = [1000.0, "GB200"]  # gpu reports MW: not derived
    deals.loc[2, ["accelerators", "accelerator_vendor"]] = [1000.0, "Nvidia"]
    deals.loc[2, "capacity_mw"] = np.nan
    shares = dependency.vendor_share(deals, tranches_frame()).set_index("vendor")
    kw = 1.2 * 1.82 * 1.14  # cost chapter defaults: Nvidia TDP × server overhead × PUE
    assert shares.loc["Nvidia", "capacity_mw_derived"] == pytest.approx(1000 * kw / 1000)
    assert shares.loc["Nvidia", "capacity_mw"] == 100.0
    assert shares.loc["Nvidia", "share"] == pytest.approx(100 / 400)


def test_a_delay_moves_every_deployment_not_on_nvidia_and_nothing_else():
    deals, tranches = dependency.delay_non_nvidia(deals_frame(), tranches_frame(), 12)
    assert deals["deploy_start"].tolist()[:2] == [pd.Timestamp("2026-01-01"), pd.Timestamp("2027-01-01")]
    assert deals["deploy_end"].tolist()[:2] == [pd.Timestamp("2026-12-31"), pd.Timestamp("2027-12-31")]
    assert pd.isna(deals.loc[2, "deploy_start"])
    assert tranches["online"].tolist() == [pd.Timestamp("2027-03-31")]
    assert deals_frame()["deploy_start"][1] == pd.Timestamp("2026-01-01")  # inputs untouched


def test_a_slip_moves_only_window_ends_coded_from_words():
    deals = deals_frame().assign(deploy_start_basis=["wording", "reported", ""],
                                 deploy_end_basis=["revised", "wording", ""])
    later = dependency.slip_worded_windows(deals, 6)
    assert later["deploy_start"].tolist()[:2] == [pd.Timestamp("2026-07-01"), pd.Timestamp("2026-01-01")]
    assert later["deploy_end"].tolist()[:2] == [pd.Timestamp("2026-12-31"), pd.Timestamp("2027-06-30")]
    assert dependency.slip_worded_windows(deals_frame(), 6).equals(deals_frame())  # no bases: no words


def test_a_slip_and_a_delay_add_up_on_a_worded_window_not_on_nvidia():
    deals = deals_frame().assign(deploy_start_basis="", deploy_end_basis=["", "wording", ""])
    later, _ = dependency.scheduled(deals, tranches_frame(), 12, 6)
    assert later.loc[1, "deploy_start"] == pd.Timestamp("2027-01-01")  # delayed only
    assert later.loc[1, "deploy_end"] == pd.Timestamp("2028-06-30")  # 2026-12-31 + 6 + 12 months


def test_an_nvidia_tranche_of_an_unreported_deal_stays_put():
    deals = deals_frame()
    tranches = pd.DataFrame({"deal_id": ["site"], "online": pd.to_datetime(["2026-06-30"]),
                             "capacity_mw": [50.0], "accelerator_vendor": ["Nvidia"]})
    _, later = dependency.delay_non_nvidia(deals, tranches, 6)
    assert later["online"].tolist() == [pd.Timestamp("2026-06-30")]


def test_the_delay_comparison_by_hand():
    comparison = dependency.delay_comparison(deals_frame(), tranches_frame(), DATES, "linear", [0, 12])
    wide = comparison.pivot(index="date", columns="delay_months", values="nvidia_share")
    # Delayed a year, nothing of Zephyr's is online in 2026: Nvidia holds everything online.
    assert wide[12].tolist()[1:] == [1.0, 1.0, 1.0]
    rise = dependency.largest_rise(comparison, 0, 12)
    first = 100 * Q1 / (100 * Q1 + 120 + 180 * Q1)
    assert rise["date"] == pd.Timestamp("2026-03-31")
    assert rise["rise"] == pytest.approx(1 - first)


def test_today_is_the_newest_quarter_end_on_or_before_as_of_and_the_lowest_is_the_first(online):
    timeline = dependency.nvidia_share_timeline(online)
    assert dependency.share_as_of(timeline, "2026-06-29")["date"] == pd.Timestamp("2026-03-31")
    assert dependency.share_as_of(timeline, "2026-06-30")["date"] == pd.Timestamp("2026-06-30")
    with pytest.raises(ValueError, match="starts on 2025-12-31"):
        dependency.share_as_of(timeline, "2025-01-01")
    flat = pd.DataFrame({"date": DATES, "nvidia_share": [np.nan, 0.5, 0.2, 0.2]})
    assert dependency.lowest_share(flat)["date"] == pd.Timestamp("2026-06-30")


def test_the_unplaced_capacity_by_vendor():
    unplaced = dependency.unplaced_by_vendor(deals_frame(), tranches_frame())
    assert unplaced.to_dict("records") == [{"vendor": "Not reported", "unplaced_mw": 500.0, "deals": "site"}]


def test_the_tables_and_charts_of_a_buyer_show_its_new_vendor(acme_dir):
    """Acme AI: a 100 MW Nvidia deal (2025-06-01..2026-06-30), 500 MW of Quartz (200 MW tranche
    on 2026-07-01, the rest over 2026-07-01..2028-12-31) and 300 MW with no vendor, no window."""
    data = load_dataset(acme_dir)
    shares = dependency.vendor_share_table(data, "Acme AI")
    assert list(shares["vendor"]) == ["Nvidia", "Quartz", "Not reported"]
    assert shares["capacity_mw"].tolist() == [100.0, 500.0, 300.0]
    timeline = dependency.nvidia_share_timeline_table(data, "Acme AI").set_index("date")
    # Acme reports 80 MW at the end of 2025, when its deals place 213/394 of the Nvidia deal: the
    # installed base is the rest, 95% Nvidia (installed_nvidia_share) and 5% another vendor.
    installed = 80 - 100 * 213 / 394
    march = 100 * 303 / 394  # the Nvidia deal on 2026-03-31
    assert timeline.loc[pd.Timestamp("2026-03-31"), "nvidia_share"] == pytest.approx(
        (march + 0.95 * installed) / (march + installed))
    assert timeline.loc[pd.Timestamp("2028-12-31"), "nvidia_share"] == pytest.approx(
        (100 + 0.95 * installed) / (600 + installed))
    assert timeline.loc[pd.Timestamp("2028-12-31"), "nvidia_share_reported"] == pytest.approx(100 / 600)
    source = "Acme filings"
    online = dependency.online_by_vendor_table(data, "Acme AI")
    for chart in (recipes.vendor_share(shares, "Acme AI", source),
                  recipes.online_by_vendor(online, "Acme AI", source, "2026-04-16")):
        rows = [row for data in chart.to_dict()["datasets"].values() for row in data if "vendor" in row]
        assert {"Nvidia", "Quartz", "Not reported"} <= {row["vendor"] for row in rows}


def test_vendors_come_from_the_data():
    assert dependency.all_vendors(deals_frame(), tranches_frame()) == ["Nvidia", "Zephyr", "Not reported"]
    assert metrics.NOT_REPORTED not in dependency.all_vendors(deals_frame().iloc[:2], tranches_frame())


def test_the_installed_base_closes_the_gap_to_the_buyers_own_fleet_and_holds():
    dates = pd.DatetimeIndex(["2024-12-31", "2025-12-31", "2026-12-31"])
    reported = pd.Series([300.0, 1000.0], index=pd.DatetimeIndex(["2024-12-31", "2025-12-31"]))
    placed = pd.Series([100.0, 1200.0, 2000.0], index=dates)  # the deals place more than 2025's report
    gaps = reconcile.gaps(placed, reported)
    assert gaps["installed_mw"].tolist() == [200.0, 0.0]  # never below zero
    assert gaps["explained_share"].tolist() == [pytest.approx(1 / 3), 1.0]
    assert gaps["within_tolerance"].tolist() == [True, True]  # 1,200 is 20% above 1,000
    assert reconcile.gaps(placed * 1.1, reported)["within_tolerance"].tolist() == [True, False]
    held = reconcile.installed_mw(dates, gaps)
    assert held.tolist() == [200.0, 0.0, 0.0]
    early = reconcile.installed_mw(pd.DatetimeIndex(["2024-06-30", "2025-06-30"]), gaps)
    assert early.tolist() == [0.0, 200.0]  # nothing before the first report; held between reports
    rows = reconcile.installed_rows(held, 0.9)
    assert rows.groupby("vendor")["online_mw"].sum().to_dict() == {
        "Nvidia": pytest.approx(180.0), reconcile.OTHER_VENDOR: pytest.approx(20.0)}
    assert set(rows["attribution"]) == {"assumed"}


def test_a_contracted_total_is_set_against_signed_sites_and_cloud_with_chips_apart():
    deals = pd.DataFrame({
        "deal_id": ["dc", "cloud", "chips", "later", "talk"],
        "kind": ["datacenter", "cloud", "hardware", "datacenter", "datacenter"],
        "status": ["signed", "signed", "signed", "signed", "talks"],
        "announced": pd.to_datetime(["2025-03-01", "2026-02-01", "2025-10-01", "2027-01-05", "2026-01-01"]),
        "capacity_mw": [1000.0, 500.0, 2000.0, 800.0, 300.0],
    })
    capacity = pd.DataFrame({"buyer": ["Acme AI", "Acme AI", "Other", "Acme AI", "Acme AI"],
                             "year": [2025, 2026, 2026, 2025, 2025],
                             "capacity_mw": [600.0, 2000.0, 9.0, 4000.0, 300.0],
                             "measure": ["online", "contracted", "contracted", "committed", "added"]})
    got = reconcile.contracted_against_record(deals, capacity, "Acme AI")
    # 2026: dc + cloud (1,500 MW) of 2,000 reported; chips apart; 2027's site and talks left out.
    # 2025's commitment: only the site announced in 2025 (1,000 MW) and the 2025 chips.
    assert got.to_dict("records") == [
        {"year": 2025, "measure": "committed", "reported_mw": 4000.0, "sites_mw": 1000.0,
         "chips_mw": 2000.0, "sites_share": 0.25},
        {"year": 2026, "measure": "contracted", "reported_mw": 2000.0, "sites_mw": 1500.0,
         "chips_mw": 2000.0, "sites_share": 0.75}]
    assert recipes.contracted_sentence(got, "Acme AI") == (
        "For 2026, Acme AI reports 2,000 MW under contract. The record's signed site and cloud deals "
        "announced by the end of that year hold 1,500 MW (75% of the report), and its chip supply "
        "deals another 2,000 MW.")
    assert recipes.contracted_sentence(got.iloc[0:1], "Acme AI") == (
        "Acme AI reports no contracted total to set the record against.")
