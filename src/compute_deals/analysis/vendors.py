"""The vendors' side: what each accelerator vendor has been contracted for, by whom, and when.

The same megawatts as each buyer's dependency chapter, turned around: every buyer's deals that
count (net of their parts, dependency.contracted_mw's split: a tranche under its own vendor, the
rest of a deal under the deal's reported or inferred vendor), by the quarter the deal was
announced. Dollars are each deal's value where it is a price of capacity (cost.is_price), under the
deal's vendor; a vendor's order book concentration is the Herfindahl–Hirschman index of its
buyers' shares of its megawatts.
"""

from __future__ import annotations

import pandas as pd

from compute_deals import derived
from compute_deals.analysis import cost, dependency, metrics, overlaps, ramp
from compute_deals.analysis.buyers import chosen_buyers
from compute_deals.facts.load import Dataset
from compute_deals.analysis.parameters import ALL_STATUSES_BUT_CANCELLED


def counted_deals(data: Dataset, statuses, buyers=()) -> pd.DataFrame:
    """The deals that count of every buyer (or of those in `buyers`), each buyer's umbrellas net
    of their parts."""
    return pd.concat([metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses))
                      for buyer in chosen_buyers(data.deals, buyers)], ignore_index=True)


def contracted_pieces(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """MW by buyer, vendor, how the vendor is known, deal status and announcement quarter
    (dependency.contracted_pieces, the pieces with megawatts)."""
    pieces = dependency.contracted_pieces(deals, tranches)
    pieces = pieces[pieces["capacity_mw"] > 0]
    by_id = deals.set_index("deal_id")
    return pieces.assign(buyer=pieces["deal_id"].map(by_id["buyer"]),
                         status=pieces["deal_id"].map(by_id["status"]),
                         quarter=pieces["deal_id"].map(by_id["announced"]).dt.to_period("Q").astype(str))


def priced_values(deals: pd.DataFrame, price_bases) -> pd.DataFrame:
    """Each deal's value where it is a price of capacity, under the deal's vendor."""
    priced = deals[cost.is_price(deals, price_bases)]
    return pd.DataFrame({"buyer": priced["buyer"], "vendor": metrics.attributed_vendor(priced),
                         "status": priced["status"],
                         "quarter": priced["announced"].dt.to_period("Q").astype(str),
                         "value_usd": priced["value_usd"]})


def by_quarter(pieces: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Contracted MW and priced dollars per vendor, buyer, announcement quarter and deal status
    (talks and letters of intent apart from signed deals)."""
    keys = ["vendor", "buyer", "quarter", "status"]
    mw = pieces.groupby(keys, as_index=False)["capacity_mw"].sum()
    usd = values.groupby(keys, as_index=False)["value_usd"].sum()
    return mw.merge(usd, on=keys, how="outer").sort_values(keys, kind="stable").reset_index(drop=True)


def order_books(pieces: pd.DataFrame) -> pd.DataFrame:
    """Per vendor (Nvidia first, then by MW): its contracted MW, how many buyers, its largest
    buyer and that buyer's share, and the HHI of its buyers' shares (1: a single buyer)."""
    per_buyer = pieces.groupby(["vendor", "buyer"])["capacity_mw"].sum()
    rows = []
    for vendor, mw in per_buyer.groupby(level="vendor"):
        shares = mw.droplevel("vendor") / mw.sum()
        rows.append({"vendor": vendor, "capacity_mw": mw.sum(), "n_buyers": int((mw > 0).sum()),
                     "largest_buyer": shares.idxmax(), "largest_share": shares.max(),
                     "hhi": float((shares ** 2).sum())})
    out = pd.DataFrame(rows, columns=["vendor", "capacity_mw", "n_buyers", "largest_buyer",
                                      "largest_share", "hhi"])
    first = (out["vendor"] != dependency.NVIDIA, out["vendor"] == metrics.NOT_REPORTED)
    return out.assign(_nvidia=first[0], _unknown=first[1]).sort_values(
        ["_unknown", "_nvidia", "capacity_mw"], ascending=[True, True, False], kind="stable"
    ).drop(columns=["_nvidia", "_unknown"]).reset_index(drop=True)


def buyer_shares(pieces: pd.DataFrame) -> pd.DataFrame:
    """Each vendor's MW by buyer and the buyer's share of the vendor's MW."""
    mw = pieces.groupby(["vendor", "buyer"], as_index=False)["capacity_mw"].sum()
    return mw.assign(share=mw["capacity_mw"] / mw.groupby("vendor")["capacity_mw"].transform("sum"))


def ramping_together(deals: pd.DataFrame, quarter_ends: pd.DatetimeIndex) -> pd.DataFrame:
    """Per quarter and vendor (reported or inferred), the buyers whose deals on that vendor ramp
    in the quarter (overlaps.ramping_in, the rule of one buyer's concurrency), how
    many, and their deals; only quarters and vendors with a deal ramping. Deals with no vendor
    are left out: nothing says they share one."""
    windows = overlaps.deployment_windows(deals).merge(
        deals.assign(buyer_vendor=metrics.attributed_vendor(deals))[["deal_id", "buyer", "buyer_vendor"]],
        on="deal_id")
    windows = windows[windows["buyer_vendor"] != metrics.NOT_REPORTED]
    rows = []
    for quarter_end in quarter_ends:
        for vendor, group in overlaps.ramping_in(windows, quarter_end).groupby("buyer_vendor", sort=True):
            buyers = sorted(group["buyer"].unique())
            rows.append({"quarter": str(quarter_end.to_period("Q")), "quarter_end": quarter_end,
                         "vendor": vendor, "n_buyers": len(buyers), "buyers": "; ".join(buyers),
                         "n_deals": len(group), "deals": "; ".join(group["buyer"] + ": " + group["deal"])})
    return pd.DataFrame(rows, columns=["quarter", "quarter_end", "vendor", "n_buyers", "buyers",
                                       "n_deals", "deals"])


def most_buyers_together(together: pd.DataFrame) -> pd.DataFrame:
    """The rows with the most buyers ramping on one vendor in a quarter (empty if none has two)."""
    if together.empty or together["n_buyers"].max() < 2:
        return together.iloc[0:0]
    return together[together["n_buyers"] == together["n_buyers"].max()]


# Tables behind the vendors chapter (tables.CROSS_BUYER_TABLES).

def _pieces(data: Dataset, buyers, statuses) -> pd.DataFrame:
    return contracted_pieces(counted_deals(data, list(statuses), buyers), data.tranches)


@derived.table
def by_quarter_table(data: Dataset, buyers=(), statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                     price_bases=cost.DEFAULTS.price_bases) -> pd.DataFrame:
    """vendor_quarters.csv"""
    deals = counted_deals(data, list(statuses), buyers)
    return by_quarter(contracted_pieces(deals, data.tranches), priced_values(deals, price_bases))


@derived.table
def order_books_table(data: Dataset, buyers=(), statuses=tuple(ALL_STATUSES_BUT_CANCELLED)) -> pd.DataFrame:
    """vendor_order_books.csv"""
    return order_books(_pieces(data, buyers, statuses))


@derived.table
def buyer_shares_table(data: Dataset, buyers=(), statuses=tuple(ALL_STATUSES_BUT_CANCELLED)) -> pd.DataFrame:
    """vendor_buyers.csv"""
    return buyer_shares(_pieces(data, buyers, statuses))


@derived.table
def ramping_together_table(data: Dataset, buyers=(), statuses=tuple(ALL_STATUSES_BUT_CANCELLED)) -> pd.DataFrame:
    """ramping_together.csv"""
    return ramping_together(counted_deals(data, list(statuses), buyers), ramp.quarter_ends())
