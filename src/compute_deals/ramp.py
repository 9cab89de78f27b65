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


def _capacity(deal, level: str) -> float:
    """A deal's capacity at one level; a missing low or high falls back to the headline."""
    value = getattr(deal, f"capacity_mw{level}")
    return deal.capacity_mw if pd.isna(value) else value


def online_capacity(deals: pd.DataFrame, tranches: pd.DataFrame, dates: pd.DatetimeIndex,
                    shape: str = "linear") -> pd.DataFrame:
    """MW online at each date, per deal and vendor: columns date, deal_id, vendor, online_mw,
    online_mw_low, online_mw_high (one row per date and deal-vendor that has any capacity)."""
    vendors = vendor(deals)
    by_deal: dict[str, list] = {}  # each deal's tranches as records, looked up once per deal
    for tranche in tranches.itertuples(index=False):
        by_deal.setdefault(tranche.deal_id, []).append(tranche)
    pieces = []  # (deal_id, vendor, MW online at each date per level): one frame at the end
    for label, deal in zip(deals.index, deals.itertuples(index=False)):
        deal_tranches = by_deal.get(deal.deal_id, [])
        for tranche in deal_tranches:
            online = (dates >= tranche.online).astype(float) * tranche.capacity_mw
            pieces.append((deal.deal_id, tranche.accelerator_vendor or vendors[label],
                           {level: online for level in LEVELS}))
        if pd.notna(deal.deploy_start) and pd.notna(deal.deploy_end) and pd.notna(deal.capacity_mw):
            share = fraction_online(dates, deal.deploy_start, deal.deploy_end, shape)
            in_tranches = sum(tranche.capacity_mw for tranche in deal_tranches)
            pieces.append((deal.deal_id, vendors[label], {
                level: share * max(_capacity(deal, level) - in_tranches, 0.0) for level in LEVELS
            }))
    if not pieces:
        return pd.DataFrame(columns=["date", "deal_id", "vendor",
                                     *(f"online_mw{level}" for level in LEVELS)])
    frame = pd.DataFrame({
        "date": np.tile(dates, len(pieces)),
        "deal_id": np.repeat([deal_id for deal_id, _, _ in pieces], len(dates)),
        "vendor": np.repeat([name for _, name, _ in pieces], len(dates)),
        **{f"online_mw{level}": np.concatenate([online[level] for _, _, online in pieces])
           for level in LEVELS},
    })
    summed = frame.groupby(["date", "deal_id", "vendor"], as_index=False, sort=True).sum()
    return summed[summed[[f"online_mw{level}" for level in LEVELS]].sum(axis=1) > 0]


def unplaced(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """Capacity that cannot be placed in time (no complete window for what tranches leave)."""
    in_tranches = tranches.groupby("deal_id")["capacity_mw"].sum()
    remaining = (deals["capacity_mw"] - deals["deal_id"].map(in_tranches).fillna(0)).clip(lower=0)
    no_window = deals[["deploy_start", "deploy_end"]].isna().any(axis=1)
    out = pd.DataFrame({"deal_id": deals["deal_id"], "vendor": vendor(deals), "unplaced_mw": remaining})
    return out[no_window & (remaining > 0)].reset_index(drop=True)
