"""The book's headline figures under one set of parameters: what the landing page, every scenario
page and the scenario comparison show. Each figure comes from the chapter that explains it."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from compute_deals import derived
from compute_deals.analysis import cost, dependency, metrics, overlaps, ramp
from compute_deals.facts.load import Dataset
from compute_deals.analysis.registry import registry

# name: (what it is, unit) — in the order pages show them
HEADLINES = {
    "median_usd_per_mw": ("Median cost per MW of the deals whose value is a price of capacity and "
                          "that report a capacity", "US dollars per MW"),
    "nvidia_share_2026": ("Nvidia's share of online capacity with an attributed vendor at the end "
                          "of 2026 (installed base included)", "share"),
    "nvidia_share_2028": ("Nvidia's share of online capacity with an attributed vendor at the end "
                          "of 2028 (installed base included)", "share"),
    "peak_concurrent_deals": ("Most deals ramping up in one quarter", "deals"),
    "peak_annual_commitment_usd": ("Largest committed value in one year (values that are a price of "
                                   "capacity, spread over terms; umbrellas net of their parts)",
                                   "US dollars"),
}


def with_defaults(parameters: dict) -> dict:
    """Every declared parameter, at its default unless `parameters` sets it."""
    return {**{name: p.default for name, p in registry().items()}, **parameters}


def cost_assumptions(parameters: dict) -> cost.Assumptions:
    return cost.Assumptions(**{f.name: parameters[f.name] for f in fields(cost.Assumptions)})


def nvidia_share_at(timeline: pd.DataFrame, day: str, column: str = "nvidia_share") -> float:
    row = timeline[timeline["date"] == pd.Timestamp(day)]
    return float(row[column].iloc[0]) if len(row) else float("nan")


@dataclass(frozen=True)
class Shared:
    """The derived tables both the headline figures and what they rest on read: computed once
    when a page needs both (buyers.buyer_row)."""

    costs: pd.DataFrame  # cost.cost_per_mw_table
    timeline: pd.DataFrame  # dependency.nvidia_share_timeline_table


def shared_tables(data: Dataset, buyer: str, p: dict) -> Shared:
    """The shared tables under `p` (every parameter, as with_defaults gives them)."""
    return Shared(
        costs=cost.cost_per_mw_table(data, buyer, p["statuses"], cost_assumptions(p)),
        timeline=dependency.nvidia_share_timeline_table(
            data, buyer, p["statuses"], p["ramp_shape"], p["non_nvidia_delay_months"],
            p["installed_nvidia_share"], p["worded_window_slip_months"]))


@derived.table
def headlines(data: Dataset, buyer: str, parameters: dict | None = None,
              shared: Shared | None = None) -> dict[str, float]:
    """The headline figures for one buyer under the given parameters (others at defaults)."""
    p = with_defaults(parameters or {})
    statuses = p["statuses"]
    shared = shared or shared_tables(data, buyer, p)
    costs, timeline = shared.costs, shared.timeline
    reported = cost.counted_prices(costs)
    concurrency = overlaps.concurrency_table(data, buyer, statuses)
    annual = overlaps.annual_commitments_table(data, buyer, statuses, p["price_bases"]).groupby("year")["value_usd"].sum()
    return {
        "median_usd_per_mw": float(reported["usd_per_mw"].median()),
        "nvidia_share_2026": nvidia_share_at(timeline, "2026-12-31"),
        "nvidia_share_2028": nvidia_share_at(timeline, "2028-12-31"),
        "peak_concurrent_deals": float(overlaps.peak(concurrency)["deals_ramping"]),
        "peak_annual_commitment_usd": float(annual.max()) if len(annual) else float("nan"),
    }


SHARE_DAYS = {"2026": "2026-12-31", "2028": "2028-12-31"}
BOUNDS = ("reported", "floor", "ceiling")  # nvidia_share_<bound> columns of the timeline


@derived.table
def coverage(data: Dataset, buyer: str, parameters: dict | None = None,
             shared: Shared | None = None) -> dict[str, object]:
    """What the headlines rest on: how much of the buyer's latest reported fleet the deals place,
    how much contracted capacity has no window, which values are prices, and the bounds of
    Nvidia's share (reported vendors only; unattributed MW none or all Nvidia)."""
    p = with_defaults(parameters or {})
    statuses = p["statuses"]
    reconciled = dependency.reconciliation_table(data, buyer, statuses, p["ramp_shape"],
                                                 p["non_nvidia_delay_months"], p["worded_window_slip_months"])
    latest = reconciled.iloc[-1] if len(reconciled) else None
    deals = metrics.current(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)))
    contracted = float(deals["capacity_mw"].sum())
    unplaced = float(ramp.unplaced(deals, data.tranches)["unplaced_mw"].sum())
    shared = shared or shared_tables(data, buyer, p)
    current, timeline = shared.costs[shared.costs["status"] != "superseded"], shared.timeline
    shares = {f"nvidia_share_{year}_{bound}": nvidia_share_at(timeline, day, f"nvidia_share_{bound}")
              for year, day in SHARE_DAYS.items() for bound in BOUNDS}
    return {
        "reported_year": int(latest["date"].year) if latest is not None else None,
        "reported_mw": float(latest["reported_mw"]) if latest is not None else float("nan"),
        "explained_share": float(latest["explained_share"]) if latest is not None else float("nan"),
        "installed_mw": float(latest["installed_mw"]) if latest is not None else 0.0,
        "contracted_mw": contracted,
        "unplaced_share": unplaced / contracted if contracted else float("nan"),
        "n_priced": int((current["basis"] == cost.REPORTED).sum()),
        "n_with_value": int(current["value_usd"].notna().sum()),
        "price_bases": list(p["price_bases"]),
        **shares,
    }
