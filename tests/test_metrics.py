"""Derivations in compute_deals.analysis.metrics, worked on the made-up Acme AI dataset by hand."""

import pandas as pd
import pytest

from compute_deals.analysis import metrics
from compute_deals.report import citations
from compute_deals.facts.load import load_dataset


@pytest.fixture
def acme(acme_dir):
    return load_dataset(acme_dir)


def test_deals_of_keeps_one_buyer_oldest_first(acme):
    deals = metrics.deals_of(acme.deals, "Acme AI")
    assert list(deals["deal_id"]) == ["acme-talks-2024", "acme-gpu-2025", "acme-chips-2025", "acme-dc-2026"]


def test_deals_of_an_unknown_buyer_names_the_buyers_there_are(acme):
    with pytest.raises(ValueError, match="no deals for buyer 'OpenAI'; buyers in the data: Acme AI"):
        metrics.deals_of(acme.deals, "OpenAI")


def test_overview_counts_by_hand(acme):
    overview = metrics.overview(metrics.deals_of(acme.deals, "Acme AI"))
    assert overview["n_deals"] == 4
    assert overview["n_counterparties"] == 3  # Bolt Cloud twice, Quartz Silicon, Field Power
    assert overview["n_with_window"] == 2
    assert overview["first_announced"] == pd.Timestamp("2024-11-02")
    assert overview["last_announced"] == pd.Timestamp("2026-01-10")


def test_timeline_names_blank_vendors_and_keeps_unseen_ones(acme):
    timeline = metrics.timeline(metrics.deals_of(acme.deals, "Acme AI"))
    assert list(timeline["vendor"]) == ["Not reported", "Nvidia", "Quartz", "Not reported"]
    assert list(timeline["deal"]) == [
        "Bolt Cloud (Nov 2024)", "Bolt Cloud (Mar 2025)", "Quartz Silicon (Sep 2025)", "Field Power (Jan 2026)",
    ]


def test_labels_of_deals_announced_in_the_same_month_name_the_deal():
    deals = pd.DataFrame({
        "deal_id": ["a-1", "a-2", "b-1"],
        "counterparty": ["Acme", "Acme", "Bolt"],
        "announced": pd.to_datetime(["2025-03-01", "2025-03-20", "2025-03-01"]),
    })
    assert list(metrics.deal_labels(deals)) == ["Acme (Mar 2025) · a-1", "Acme (Mar 2025) · a-2", "Bolt (Mar 2025)"]


def test_each_source_lists_the_rows_citing_it_and_the_figures_they_report(acme):
    extra = pd.concat([acme.sources, acme.sources.iloc[[0, 0]].assign(
        source_id=["uncited", "ref-epoch-pue-114"])], ignore_index=True)
    data = acme.__class__(**{**acme.__dict__, "sources": extra})
    supports = citations.citations(data, "Acme AI").set_index("source_id")["supports"]
    assert supports["acme-release"] == (
        "Bolt Cloud (Mar 2025): announcement date, value, capacity, deployment window, term",
        "Quartz Silicon (Sep 2025): announcement date, capacity, deployment window",
        "tranche of Quartz Silicon (Sep 2025) online 2026-07-01: capacity",
        "Acme AI's own compute in 2025: capacity",
    )
    assert supports["quartz-news"] == (
        "Bolt Cloud (Nov 2024): announcement date",
        "Quartz Silicon (Sep 2025): announcement date, capacity, deployment window",
        "Field Power (Jan 2026): announcement date, value, capacity",
        "benchmark Example Wire all-in: $ per MW",
        "benchmark Example Wire range: $ per MW",
    )
    assert supports["uncited"] == ()
    assert supports["ref-epoch-pue-114"] == ("assumption pue: default and range",)

def test_an_umbrella_counts_only_what_the_deals_within_it_leave():
    nan = float("nan")
    deals = pd.DataFrame({
        "deal_id": ["u", "a", "b", "c", "old", "alone"],
        "status": ["signed", "signed", "signed", "signed", "superseded", "signed"],
        "part_of": ["", "u", "u", "b", "u", ""],
        "value_usd": [100.0, 30.0, nan, 5.0, 1000.0, 7.0],
        "value_usd_low": [90.0, nan, nan, nan, nan, nan],
        "value_usd_high": [nan] * 6,
        "capacity_mw": [1000.0, 400.0, nan, 700.0, 500.0, 50.0],
        "capacity_mw_low": [900.0, nan, nan, nan, nan, nan],
        "capacity_mw_high": [nan] * 6,
    })
    out = metrics.summable(deals).set_index("deal_id")
    assert "old" not in out.index  # superseded: neither summed nor taken off its umbrella
    # u's parts: a (value 30, 400 MW) and b, which reports no capacity but whose part c has 700 MW.
    assert out.loc["u", "value_usd"] == 100 - 30 - 5 and out.loc["u", "value_usd_low"] == 90 - 35
    assert out.loc["u", "capacity_mw"] == 0 and out.loc["u", "capacity_mw_low"] == 0  # 1,100 > 1,000
    assert pd.isna(out.loc["b", "capacity_mw"]) and pd.isna(out.loc["b", "value_usd"])  # none of its own
    assert out.loc["a", "capacity_mw"] == 400 and out.loc["alone", "value_usd"] == 7
    assert out["net_of_parts"].to_dict() == {"u": True, "a": False, "b": False, "c": False, "alone": False}


def test_windows_from_words_and_later_reports_win_with_their_basis(acme_revised_dir):
    deals = load_dataset(acme_revised_dir).deals.set_index("deal_id")
    site = deals.loc["acme-dc-2026"]
    # "over the next two years" gave 2026-01-10 to 2028-01-10; a later report moved the end only.
    assert (site["deploy_start"], site["deploy_start_basis"]) == (pd.Timestamp("2026-01-10"), "wording")
    assert (site["deploy_end"], site["deploy_end_basis"]) == (pd.Timestamp("2028-07-10"), "revised")
    gpu = deals.loc["acme-gpu-2025"]  # deals.csv's own dates: reported
    assert (gpu["deploy_start_basis"], gpu["deploy_end_basis"]) == ("reported", "reported")
    assert deals.loc["acme-talks-2024", "deploy_start_basis"] == ""  # no date at all


def test_an_inferred_vendor_is_kept_apart_from_a_reported_one(acme_revised_dir):
    deals = load_dataset(acme_revised_dir).deals
    by_id = dict(zip(deals["deal_id"], zip(metrics.vendor(deals), metrics.attributed_vendor(deals),
                                           metrics.attribution(deals))))
    assert by_id["acme-dc-2026"] == ("Not reported", "Quartz", "inferred")
    assert by_id["acme-gpu-2025"] == ("Nvidia", "Nvidia", "reported")
    assert by_id["acme-talks-2024"] == ("Not reported", "Not reported", "unattributed")
