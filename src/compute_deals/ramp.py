"""When contracted capacity comes online: the one ramp model every chapter uses.

A deal's capacity comes online in steps at its tranches' dates (tranches.csv) and the rest over its
deployment window, shaped by `ramp_shape`. Capacity that has neither a tranche nor a complete
window cannot be placed in time; `unplaced` says which and how much, so charts can say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compute_deals.metrics import vendor
from compute_deals.parameters import Parameter

RAMP_SHAPES = ("linear", "step_start", "step_end")
LEVELS = ("", "_low", "_high")  # capacity_mw, capacity_mw_low, capacity_mw_high

PARAMETERS = (
    Parameter(
        "ramp_shape", "linear", "shape",
        "how capacity without tranches comes online within its deployment window",
        reason="Sources give a window, not a schedule; linear (none at the start, all at the end) "
        "is the neutral reading. step_start and step_end bound it.",
        choices=RAMP_SHAPES,
    ),
)


def quarter_ends(first_year: int = 2019, last_year: int = 2030) -> pd.DatetimeIndex:
    return pd.date_range(f"{first_year}-01-01", f"{last_year}-12-31", freq="QE")


def fraction_online(dates: pd.DatetimeIndex, start: pd.Timestamp, end: pd.Timestamp,
                    shape: str) -> np.ndarray:
    """Share of a window's capacity online at each date (0 before start, 1 from end on)."""
    if shape not in RAMP_SHAPES:
        raise ValueError(f"ramp_shape {shape!r}: choose one of {', '.join(RAMP_SHAPES)}")
    if shape == "step_start" or end == start:
        return np.asarray(dates >= start, dtype=float)
    if shape == "step_end":
        return np.asarray(dates >= end, dtype=float)
    return np.clip((dates - start).days.to_numpy(dtype=float) / (end - start).days, 0.0, 1.0)


def _capacity(deal: pd.Series, level: str) -> float:
    """A deal's capacity at one level; a missing low or high falls back to the headline."""
    value = deal[f"capacity_mw{level}"]
    return deal["capacity_mw"] if pd.isna(value) else value


def online_capacity(deals: pd.DataFrame, tranches: pd.DataFrame, dates: pd.DatetimeIndex,
                    shape: str = "linear") -> pd.DataFrame:
    """MW online at each date, per deal and vendor: columns date, deal_id, vendor, online_mw,
    online_mw_low, online_mw_high (one row per date and deal-vendor that has any capacity)."""
    vendors = vendor(deals)
    pieces = []
    for position, deal in deals.iterrows():
        deal_tranches = tranches[tranches["deal_id"] == deal["deal_id"]]
        for _, tranche in deal_tranches.iterrows():
            online = (dates >= tranche["online"]).astype(float) * tranche["capacity_mw"]
            pieces.append(_rows(dates, deal["deal_id"], tranche["accelerator_vendor"] or vendors[position],
                                {level: online for level in LEVELS}))
        window = deal[["deploy_start", "deploy_end"]]
        if window.notna().all() and pd.notna(deal["capacity_mw"]):
            share = fraction_online(dates, deal["deploy_start"], deal["deploy_end"], shape)
            in_tranches = deal_tranches["capacity_mw"].sum()
            pieces.append(_rows(dates, deal["deal_id"], vendors[position], {
                level: share * max(_capacity(deal, level) - in_tranches, 0.0) for level in LEVELS
            }))
    if not pieces:
        return pd.DataFrame(columns=["date", "deal_id", "vendor",
                                     *(f"online_mw{level}" for level in LEVELS)])
    frame = pd.concat(pieces, ignore_index=True)
    summed = frame.groupby(["date", "deal_id", "vendor"], as_index=False, sort=True).sum()
    return summed[summed[[f"online_mw{level}" for level in LEVELS]].sum(axis=1) > 0]


def _rows(dates, deal_id: str, vendor_name: str, online: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({"date": dates, "deal_id": deal_id, "vendor": vendor_name,
                         **{f"online_mw{level}": values for level, values in online.items()}})


def unplaced(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """Capacity that cannot be placed in time (no complete window for what tranches leave)."""
    in_tranches = tranches.groupby("deal_id")["capacity_mw"].sum()
    remaining = (deals["capacity_mw"] - deals["deal_id"].map(in_tranches).fillna(0)).clip(lower=0)
    no_window = deals[["deploy_start", "deploy_end"]].isna().any(axis=1)
    out = pd.DataFrame({"deal_id": deals["deal_id"], "vendor": vendor(deals), "unplaced_mw": remaining})
    return out[no_window & (remaining > 0)].reset_index(drop=True)
