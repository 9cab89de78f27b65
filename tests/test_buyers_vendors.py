"""Buyers side by side and the vendors' side, worked by hand on two made-up buyers.

Acme AI (conftest): Nvidia 100 MW ($2B commitment, Mar 2025), Quartz 500 MW (200 MW tranche; LOI,
Sep 2025), an unattributed 300 MW ($5B purchase, Jan 2026), talks with no figures. Zeta Labs: one
deal of 400 MW on Nvidia ($8B commitment, Feb 2026), one of 100 MW on Quartz (Feb 2026, no value)
and a $2B Nvidia cloud commitment that reports no MW (Mar 2026).
"""

import pandas as pd
import pytest
from conftest import acme_deals, acme_sources, acme_tranches, deal, write_dataset

from compute_deals.analysis import buyers, vendors
from compute_deals.facts.load import load_dataset


@pytest.fixture
def two(tmp_path):
    zeta = [deal(deal_id="zeta-gpu-2026", buyer="Zeta Labs", announced="2026-02-01", value_usd="8000000000",
                 capacity_mw="400", deploy_start="2026-03-01", deploy_end="2026-12-31"),
            deal(deal_id="zeta-chips-2026", buyer="Zeta Labs", announced="2026-02-20", value_usd="",
                 value_basis="", capacity_mw="100", accelerator_vendor="Quartz", deploy_start="",
                 deploy_end=""),
            deal(deal_id="zeta-cloud-2026", buyer="Zeta Labs", announced="2026-03-05", value_usd="2000000000",
                 capacity_mw="", deploy_start="", deploy_end="")]
    return load_dataset(write_dataset(tmp_path / "two", acme_deals() + zeta, acme_sources(), acme_tranches()))


def test_buyers_are_ordered_by_deals_and_named_as_files(two):
    assert buyers.all_buyers(two.deals) == ["Acme AI", "Zeta Labs"]  # 4 deals before 3
    assert buyers.chosen_buyers(two.deals, ["Zeta Labs"]) == ["Zeta Labs"]
    assert buyers.slug("Thinking Machines Lab") == "thinking-machines-lab" and buyers.slug("xAI") == "xai"


def test_the_comparison_has_a_row_per_buyer_with_its_own_figures(two):
    table = buyers.comparison(two).set_index("buyer")
    assert table.loc["Zeta Labs", "contracted_mw"] == 500 and table.loc["Acme AI", "contracted_mw"] == 900
    assert table.loc["Zeta Labs", "nvidia_share_contracted"] == pytest.approx(0.8)
    assert table.loc["Zeta Labs", "unplaced_share"] == pytest.approx(0.2)  # the 100 MW without a window
    assert table.loc["Zeta Labs", "priced_value_usd"] == 10e9
    # Its MW share of Nvidia misses the $2B deal: 1 of its 2 Nvidia deals reports no MW.
    assert table.loc["Zeta Labs", ["nvidia_deals", "nvidia_deals_without_mw"]].tolist() == [2, 1]
    assert table.loc["Zeta Labs", "nvidia_value_share"] == 1.0  # every priced dollar naming a vendor
    # Acme: Nvidia $2B of the $2B + $0 priced naming a vendor (its $5B purchase names none).
    assert table.loc["Acme AI", "nvidia_value_share"] == 1.0
    # Half of Zeta's placed 400 MW (2026-03-01 to 2026-12-31, linear) is online by 2026-09-30.
    assert table.loc["Zeta Labs", "half_online"] == pd.Timestamp("2026-09-30")


def test_a_vendors_order_book_by_hand(two):
    books = vendors.order_books_table(two).set_index("vendor")
    assert list(books.index) == ["Nvidia", "Quartz", "Not reported"]  # Nvidia first, unknown last
    # Nvidia: Acme 100 MW, Zeta 400 MW -> shares 0.2 and 0.8, HHI 0.04 + 0.64.
    assert books.loc["Nvidia", "capacity_mw"] == 500 and books.loc["Nvidia", "largest_buyer"] == "Zeta Labs"
    assert books.loc["Nvidia", "hhi"] == pytest.approx(0.68)
    # Quartz: Acme's 500 MW (its 200 MW tranche and the rest) and Zeta's 100 MW.
    assert books.loc["Quartz", "capacity_mw"] == 600 and books.loc["Quartz", "n_buyers"] == 2


def test_contracted_mw_and_priced_dollars_by_announcement_quarter(two):
    quarters = vendors.by_quarter_table(two).set_index(["vendor", "buyer", "quarter"])
    assert quarters.loc[("Nvidia", "Zeta Labs", "2026Q1"), "capacity_mw"] == 400
    assert quarters.loc[("Nvidia", "Zeta Labs", "2026Q1"), "value_usd"] == 10e9
    assert quarters.loc[("Nvidia", "Acme AI", "2025Q1"), "value_usd"] == 2e9
    assert pd.isna(quarters.loc[("Quartz", "Acme AI", "2025Q3"), "value_usd"])  # an LOI with no value
    assert quarters.loc[("Quartz", "Acme AI", "2025Q3"), "status"] == "loi"  # drawn fainter
    assert quarters.loc[("Not reported", "Acme AI", "2026Q1"), "value_usd"] == 5e9  # a purchase


def test_the_buyers_finding_names_what_the_megawatt_shares_miss(two):
    from compute_deals.report.charts import compare

    words = compare.comparison_sentences(buyers.comparison(two))
    assert words["lead_sentence"] == (
        "Acme AI (900 MW) and Zeta Labs (500 MW) have contracted the most capacity. Megawatt shares "
        "miss the deals that report only dollars: 1 of the 2 buyers have Nvidia deals without "
        "megawatts (Zeta Labs: 1 of 2), so the table gives Nvidia's share of priced dollars beside it.")
    assert words["placed_sentence"] == "Every buyer has capacity the record can place in time."


def test_a_buyer_with_no_megawatts_still_gets_a_vendors_page(two):
    from compute_deals.report.charts import compare

    only_talks = {"buyers": ["Acme AI"], "statuses": ["talks"]}  # one deal, with no figures at all
    books = vendors.order_books_table(two, **only_talks)
    assert books.empty and compare.vendor_order(books) == ["Not reported"]
    assert compare.vendor_sentences(books)["lead_vendor_sentence"] == "No deal in the record names an accelerator vendor."
    compare.vendor_quarters(vendors.by_quarter_table(two, **only_talks), ["Not reported"], "s").to_dict()


def test_look_alike_names_get_their_own_page_folders():
    assert buyers.page_names(["A.I. Labs", "A I Labs", "Zeta"]) == {
        "A.I. Labs": "a-i-labs", "A I Labs": "a-i-labs-2", "Zeta": "zeta"}


def test_cost_per_mw_across_buyers_counts_only_priced_deals_with_a_capacity(two):
    priced = buyers.priced_per_mw(two)
    # Acme: $2B / 100 MW and $5B / 300 MW; Zeta: $8B / 400 MW. Zeta's $2B cloud deal reports no
    # MW and its Quartz deal no value: a derived figure would compare the benchmark with itself.
    assert sorted(zip(priced["buyer"], priced["usd_per_mw"].round())) == [
        ("Acme AI", 16666667.0), ("Acme AI", 20e6), ("Zeta Labs", 20e6)]


def test_nvidia_share_across_buyers_starts_when_a_buyers_capacity_comes_online(two):
    shares = buyers.nvidia_share_by_buyer(two)
    zeta = shares[shares["buyer"] == "Zeta Labs"]
    # Zeta's only placed deal is Nvidia's, ramping from 2026-03-01: first online at 2026-03-31.
    assert zeta["date"].min() == pd.Timestamp("2026-03-31") and (zeta["nvidia_share"] == 1.0).all()
    acme = shares[shares["buyer"] == "Acme AI"].set_index("date")
    # Acme's Nvidia 100 MW ramps from 2025-06-01; Quartz's first 200 MW come on 2026-07-01.
    assert acme.index.min() == pd.Timestamp("2025-06-30")
    assert acme.loc["2025-12-31", "nvidia_share"] == 1.0 and acme.loc["2026-09-30", "nvidia_share"] < 0.5


def test_buyers_ramping_on_the_same_vendor_in_the_same_quarter(two):
    together = vendors.ramping_together_table(two)
    # Nvidia: Acme 2025-06-01 to 2026-06-30, Zeta 2026-03-01 to 2026-12-31 -> both in 2026Q1-Q2.
    both = vendors.most_buyers_together(together)
    assert both[["quarter", "vendor", "buyers"]].values.tolist() == [
        ["2026Q1", "Nvidia", "Acme AI; Zeta Labs"], ["2026Q2", "Nvidia", "Acme AI; Zeta Labs"]]
    # No window, no vendor: Acme's unattributed 300 MW is in no cell.
    assert "Not reported" not in set(together["vendor"])
    from compute_deals.report.charts import compare

    assert compare.together_sentence(together).startswith(
        "In 2026Q1, 2 buyers ramp deals on Nvidia at once (Acme AI and Zeta Labs); in 2 "
        "quarter-and-vendor cells two or more buyers do")
    assert compare.together_sentence(together[together["buyers"] == "Acme AI"]) == (
        "No two buyers in the record ramp capacity on the same vendor in the same quarter.")


def test_a_buyers_page_says_what_the_record_holds_and_what_it_cannot_draw(two):
    from compute_deals.report.charts import buyer as page

    words = page.texts(two, "Zeta Labs", {})
    assert words["summary_sentence"] == (
        "The record holds 3 deals of Zeta Labs, complete to 5 March 2026: 500 MW of contracted "
        "capacity (20% of it with no deployment window), and $10.0B of values that are a price of capacity.")
    assert words["cost_sentence"] == (
        "The median cost per megawatt of the 1 deal whose value is a price of capacity and that "
        "report a capacity is $20.0M.")
    assert words["share_sentence"].startswith(
        "Nvidia runs 100% of the online capacity with a vendor at the end of 2026 and 100% at the end of 2028.")
    assert words["timeline_sentence"] == (
        "Half of the capacity the record places in time is online by 2026-09-30; at most 1 deal "
        "ramps up in one quarter (from 2026Q1).")
    figures = page.figures(two, "Zeta Labs", {}, "2026-04-16")
    assert all(hasattr(f, "to_dict") for f in figures.values())  # every chart drawn
    # A buyer whose only deal reports neither a capacity nor a window: a line in each chart's place.
    lone = two.deals[two.deals["deal_id"] == "zeta-cloud-2026"].assign(buyer="Lone Labs")
    alone = type(two)(**{**two.__dict__, "deals": pd.concat([two.deals, lone.assign(deal_id="lone")])})
    empty = page.figures(alone, "Lone Labs", {}, "2026-04-16")
    assert [name for name, f in empty.items() if not hasattr(f, "to_dict")] == [
        "fig-buyer-cost", "fig-buyer-online", "fig-buyer-share"]


def test_the_median_cost_per_mw_is_given_by_kind_of_price(two):
    from compute_deals.report.charts import compare

    table = buyers.comparison(two)
    # Acme: its $2B commitment over 100 MW and its $5B purchase over 300 MW, never mixed.
    assert compare._by_basis_cells(table) == ["commitment $20.0M (1); purchase $16.7M (1)",
                                              "commitment $20.0M (1)"]
    assert table.set_index("buyer").loc["Zeta Labs", "n_priced_purchase"] == 0
