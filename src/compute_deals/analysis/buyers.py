"""Every buyer side by side: the figures the landing page and the buyers chapter compare.

Each buyer's figures come from the chapters that explain them (headlines.headlines and
headlines.coverage, the same functions a buyer's own page uses), so a comparison row and the
buyer's page never disagree. Buyers are ordered by how many deals the record holds for them.
Each buyer's figures are computed from its own rows (load.buyer_view), as its page is: in a build
they are cached by those rows, so a changed row recomputes its buyer's figures alone.
"""

from __future__ import annotations

import re

import pandas as pd

from compute_deals import derived
from compute_deals.analysis import cost, dependency, headlines, metrics, ramp
from compute_deals.facts.load import Dataset, buyer_view
from compute_deals.analysis.parameters import ALL_STATUSES_BUT_CANCELLED


def all_buyers(deals: pd.DataFrame) -> list[str]:
    """Every buyer in the data, most deals first (then by name)."""
    counts = deals["buyer"].value_counts()
    return sorted(counts.index, key=lambda name: (-counts[name], name))


def chosen_buyers(deals: pd.DataFrame, buyers) -> list[str]:
    """The buyers a page compares: those listed (in the data's order), or every buyer if none."""
    every = all_buyers(deals)
    return [b for b in every if b in set(buyers)] if buyers else every


def slug(buyer: str) -> str:
    """A buyer's name as a file name: "Mistral AI" -> "mistral-ai"."""
    return re.sub(r"[^a-z0-9]+", "-", buyer.lower()).strip("-") or "buyer"


def page_names(names) -> dict[str, str]:
    """Each buyer's page folder: its slug, numbered where two names give the same one."""
    taken: dict[str, str] = {}
    for name in names:
        base = candidate = slug(name)
        n = 1
        while candidate in taken.values():
            n += 1
            candidate = f"{base}-{n}"
        taken[name] = candidate
    return taken


def landing_date(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.Timestamp:
    """The quarter end by which half of the capacity the ramp places is online (NaT if none is)."""
    online = ramp.online_capacity(deals, tranches, ramp.quarter_ends()).groupby("date")["online_mw"].sum()
    if online.empty or online.iloc[-1] <= 0:
        return pd.NaT
    return online[online >= online.iloc[-1] / 2].index[0]


def share_of(part: float, whole: float) -> float:
    return part / whole if whole > 0 else float("nan")


@derived.table
def buyer_row(data: Dataset, buyer: str, parameters: dict) -> dict:
    """One buyer's comparison figures under the given parameters (others at their defaults)."""
    p = headlines.with_defaults(parameters)
    shared = headlines.shared_tables(data, buyer, p)
    figures, coverage = headlines.headlines(data, buyer, p, shared), headlines.coverage(data, buyer, p, shared)
    deals = metrics.buyer_deals(data.deals, buyer, p["statuses"])
    summable = metrics.summable(deals)
    shares = dependency.vendor_share(summable, data.tranches).set_index("vendor")
    nvidia = shares["share_of_known"].get(dependency.NVIDIA, 0.0) if shares["capacity_mw"].sum() else float("nan")
    priced = summable["value_usd"].where(cost.is_price(summable, p["price_bases"]))
    vendor = metrics.attributed_vendor(summable)
    on_nvidia, named = dependency.is_nvidia(vendor), vendor != metrics.NOT_REPORTED
    return {
        "buyer": buyer, "n_deals": len(metrics.current(deals)),
        "contracted_mw": coverage["contracted_mw"], "unplaced_share": coverage["unplaced_share"],
        "priced_value_usd": priced.sum(min_count=1), "n_priced": coverage["n_priced"],
        "median_usd_per_mw": figures["median_usd_per_mw"],
        "nvidia_share_contracted": nvidia,
        # Megawatt shares miss the deals that report only dollars: how many of Nvidia's do, and
        # Nvidia's share of the priced dollars that name a vendor, beside it.
        "nvidia_deals": int(on_nvidia.sum()),
        "nvidia_deals_without_mw": int((on_nvidia & summable["capacity_mw"].isna()).sum()),
        "nvidia_value_share": share_of(priced[on_nvidia].sum(), priced[named].sum()),
        **{name: value for name, value in {**figures, **coverage}.items() if name.startswith("nvidia_share_20")},
        "half_online": landing_date(summable, data.tranches),
        "record_through": metrics.record_through(metrics.deals_of(data.deals, buyer), data.sources),
        **medians_by_basis(cost.counted_prices(shared.costs), p["price_bases"]),
    }


def comparison(data: Dataset, buyers=(), parameters: dict | None = None) -> pd.DataFrame:
    """One row per buyer (every buyer in the data if `buyers` is empty), most deals first."""
    return pd.DataFrame([buyer_row(buyer_view(data, buyer), buyer, parameters or {})
                         for buyer in chosen_buyers(data.deals, buyers)])


def medians_by_basis(priced: pd.DataFrame, price_bases) -> dict[str, float]:
    """The median $/MW (median_usd_per_mw_<basis>) and number of deals (n_priced_<basis>) of each
    kind of price, of one buyer's priced rows (cost.counted_prices)."""
    out = {}
    for basis in price_bases:
        rows = priced.loc[priced["value_basis"] == basis, "usd_per_mw"]
        out |= {f"median_usd_per_mw_{basis}": float(rows.median()), f"n_priced_{basis}": len(rows)}
    return out


@derived.table
def comparison_table(data: Dataset, buyers=(), statuses=tuple(ALL_STATUSES_BUT_CANCELLED)) -> pd.DataFrame:
    """buyers.csv: the comparison behind the landing page and the buyers chapter."""
    return comparison(data, buyers, {"statuses": list(statuses)})


PRICED_COLUMNS = ["buyer", "deal_id", "deal", "vendor", "status", "value_basis", "value_usd",
                  "capacity_mw", "usd_per_mw", "usd_per_mw_low", "usd_per_mw_high"]


@derived.table
def priced_per_mw(data: Dataset, buyers=(), statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                  assumptions: cost.Assumptions = cost.DEFAULTS) -> pd.DataFrame:
    """cost_by_buyer.csv: every buyer's deals whose value is a price of capacity and that report a
    capacity, with their $/MW: the rows each buyer's median is taken over (headlines.headlines).
    Derived figures stay out: a value made from a benchmark would compare the benchmark with itself."""
    frames = [cost.cost_per_mw_table(buyer_view(data, buyer), buyer, list(statuses), assumptions).assign(buyer=buyer)
              for buyer in chosen_buyers(data.deals, buyers)]
    if not frames:
        return pd.DataFrame(columns=PRICED_COLUMNS)
    return cost.counted_prices(pd.concat(frames, ignore_index=True))[PRICED_COLUMNS].reset_index(drop=True)


SHARE_COLUMNS = ["buyer", "date", "nvidia_share", "nvidia_share_floor", "nvidia_share_ceiling",
                 "nvidia_share_reported", "nvidia_mw", "attributed_mw", "unattributed_mw", "installed_mw"]


@derived.table
def nvidia_share_by_buyer(data: Dataset, buyers=(), statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                          ramp_shape: str = "linear",
                          non_nvidia_delay_months: int = dependency.DELAY_MONTHS,
                          installed_nvidia_share: float = dependency.INSTALLED_SHARE,
                          worded_window_slip_months: int = dependency.SLIP_MONTHS) -> pd.DataFrame:
    """nvidia_share_by_buyer.csv: each buyer's Nvidia share of online capacity with a vendor at
    every quarter end with any (dependency.nvidia_share_timeline, the buyer's own chart)."""
    frames = []
    for buyer in chosen_buyers(data.deals, buyers):
        timeline = dependency.nvidia_share_timeline_table(
            buyer_view(data, buyer), buyer, statuses, ramp_shape, non_nvidia_delay_months, installed_nvidia_share,
            worded_window_slip_months)
        frames.append(timeline[timeline["attributed_mw"] > 0].assign(buyer=buyer))
    return (pd.concat(frames, ignore_index=True)[SHARE_COLUMNS] if frames
            else pd.DataFrame(columns=SHARE_COLUMNS))
