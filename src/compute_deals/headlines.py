"""The book's headline figures under one set of parameters: what the landing page, every scenario
page and the scenario comparison show. Each figure comes from the chapter that explains it."""

from __future__ import annotations

from dataclasses import fields

import pandas as pd

from compute_deals import cost, dependency, overlaps
from compute_deals.load import Dataset
from compute_deals.parameters import registry

# name: (what it is, unit) — in the order pages show them
HEADLINES = {
    "median_usd_per_mw": ("Median cost per MW of the deals that report value and capacity", "US dollars per MW"),
    "nvidia_share_2026": ("Nvidia's share of online capacity at the end of 2026", "share"),
    "nvidia_share_2028": ("Nvidia's share of online capacity at the end of 2028", "share"),
    "peak_concurrent_deals": ("Most deals ramping up in one quarter", "deals"),
    "peak_annual_commitment_usd": ("Largest committed value in one year (values spread over terms; "
                                   "umbrellas net of their parts)", "US dollars"),
}


def with_defaults(parameters: dict) -> dict:
    """Every declared parameter, at its default unless `parameters` sets it."""
    return {**{name: p.default for name, p in registry().items()}, **parameters}


def cost_assumptions(parameters: dict) -> cost.Assumptions:
    return cost.Assumptions(**{f.name: parameters[f.name] for f in fields(cost.Assumptions)})


def nvidia_share_at(timeline: pd.DataFrame, day: str) -> float:
    row = timeline[timeline["date"] == pd.Timestamp(day)]
    return float(row["nvidia_share"].iloc[0]) if len(row) else float("nan")


def headlines(data: Dataset, buyer: str, parameters: dict | None = None) -> dict[str, float]:
    """The headline figures for one buyer under the given parameters (others at defaults)."""
    p = with_defaults(parameters or {})
    statuses = p["statuses"]
    costs = cost.cost_per_mw_table(data, buyer, statuses, cost_assumptions(p))
    reported = costs[(costs["basis"] == "reported") & (costs["status"] != "superseded")]
    timeline = dependency.nvidia_share_timeline_table(
        data, buyer, statuses, p["ramp_shape"], p["non_nvidia_delay_months"])
    concurrency = overlaps.concurrency_table(data, buyer, statuses)
    annual = overlaps.annual_commitments_table(data, buyer, statuses).groupby("year")["value_usd"].sum()
    return {
        "median_usd_per_mw": float(reported["usd_per_mw"].median()),
        "nvidia_share_2026": nvidia_share_at(timeline, "2026-12-31"),
        "nvidia_share_2028": nvidia_share_at(timeline, "2028-12-31"),
        "peak_concurrent_deals": float(overlaps.peak(concurrency)["deals_ramping"]),
        "peak_annual_commitment_usd": float(annual.max()) if len(annual) else float("nan"),
    }
