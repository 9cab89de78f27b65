"""When contracted capacity comes online: the one ramp model every chapter uses.

A deal's capacity comes online in steps at its tranches' dates (tranches.csv) and the rest over its
deployment window, shaped by `ramp_shape`. Capacity that has neither a tranche nor a complete
window cannot be placed in time; `unplaced` says which and how much, so charts can say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compute_deals.analysis.metrics import NOT_REPORTED, REPORTED, attributed_vendor, attribution, reading, worded
from compute_deals.analysis.parameters import Parameter

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


def fraction_matrix(starts, ends, dates: pd.DatetimeIndex, shape: str) -> np.ndarray:
    """Share of each window's capacity online at each date (windows × dates): 0 before its start,
    1 from its end on, in between by `shape`; a window that starts and ends on one day is a step."""
    if shape not in RAMP_SHAPES:
        raise ValueError(f"ramp_shape {shape!r}: choose one of {', '.join(RAMP_SHAPES)}")
    start = np.asarray(starts, dtype="datetime64[ns]")[:, None]
    end = np.asarray(ends, dtype="datetime64[ns]")[:, None]
    when = dates.to_numpy()[None, :]
    if shape == "step_end":
        return (when >= end).astype(float)
    if shape == "step_start":
        return (when >= start).astype(float)
    span_days = (end - start) / np.timedelta64(1, "D")
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = np.clip(np.floor((when - start) / np.timedelta64(1, "D")) / span_days, 0.0, 1.0)
    return np.where(span_days == 0, when >= start, linear)


def tranche_vendors(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.Series:
    """Each tranche's vendor: its own where reported, else its deal's (reported or inferred)."""
    deal_vendor = pd.Series(attributed_vendor(deals).to_numpy(), index=deals["deal_id"])
    own = tranches["accelerator_vendor"].replace("", np.nan)
    return own.fillna(tranches["deal_id"].map(deal_vendor)).fillna(NOT_REPORTED)


def tranche_attributions(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.Series:
    """How each tranche's vendor is known: reported where the tranche names it, else as its deal's."""
    deal_attribution = pd.Series(attribution(deals).to_numpy(), index=deals["deal_id"])
    inherited = tranches["deal_id"].map(deal_attribution)
    return inherited.where(tranches["accelerator_vendor"] == "", REPORTED)


def pieces(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """What the ramp places in time, one row per piece: each tranche of the deals (a step at its
    date: start = end), then the rest of each deal with a complete window and a reported capacity
    (over the window; rest is True). mw, mw_low, mw_high: the piece's MW at each capacity level (a
    tranche's is the same at all three); in_tranches: the MW of the deal's tranches; start_worded,
    end_worded: whether the window's end was coded from words (a tranche's date never is)."""
    ours = tranches[tranches["deal_id"].isin(deals["deal_id"])]
    in_tranches = deals["deal_id"].map(ours.groupby("deal_id")["capacity_mw"].sum()).fillna(0.0)
    steps = pd.DataFrame({
        "deal_id": ours["deal_id"], "start": ours["online"], "end": ours["online"],
        "vendor": tranche_vendors(deals, ours), "attribution": tranche_attributions(deals, ours),
        **{f"mw{level}": ours["capacity_mw"] for level in LEVELS}, "in_tranches": 0.0, "rest": False,
        "start_worded": False, "end_worded": False,
    })
    placed = deals[["deploy_start", "deploy_end", "capacity_mw"]].notna().all(axis=1)
    rests = pd.DataFrame({
        "deal_id": deals["deal_id"], "start": deals["deploy_start"], "end": deals["deploy_end"],
        "vendor": attributed_vendor(deals), "attribution": attribution(deals),
        **{f"mw{level}": (reading(deals, "capacity_mw", level) - in_tranches).clip(lower=0) for level in LEVELS},
        "in_tranches": in_tranches, "rest": True,
        "start_worded": worded(deals, "deploy_start"), "end_worded": worded(deals, "deploy_end"),
    })[placed]
    return pd.concat([steps, rests], ignore_index=True)


def online_capacity(deals: pd.DataFrame, tranches: pd.DataFrame, dates: pd.DatetimeIndex,
                    shape: str = "linear") -> pd.DataFrame:
    """MW online at each date, per deal and vendor: columns date, deal_id, vendor, attribution
    (how the vendor is known), online_mw, online_mw_low, online_mw_high (one row per date and
    deal-vendor that has any capacity)."""
    placed = pieces(deals, tranches)
    share = fraction_matrix(placed["start"], placed["end"], dates, shape)
    frame = pd.DataFrame({
        "date": np.tile(dates, len(placed)),
        "deal_id": np.repeat(placed["deal_id"].to_numpy(), len(dates)),
        "vendor": np.repeat(placed["vendor"].to_numpy(), len(dates)),
        "attribution": np.repeat(placed["attribution"].to_numpy(), len(dates)),
        **{f"online_mw{level}": (share * placed[f"mw{level}"].to_numpy(float)[:, None]).ravel()
           for level in LEVELS},
    })
    summed = frame.groupby(["date", "deal_id", "vendor", "attribution"], as_index=False, sort=True).sum()
    return summed[summed[[f"online_mw{level}" for level in LEVELS]].sum(axis=1) > 0]


def unplaced(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """Capacity that cannot be placed in time (no complete window for what tranches leave)."""
    in_tranches = tranches.groupby("deal_id")["capacity_mw"].sum()
    remaining = (deals["capacity_mw"] - deals["deal_id"].map(in_tranches).fillna(0)).clip(lower=0)
    no_window = deals[["deploy_start", "deploy_end"]].isna().any(axis=1)
    out = pd.DataFrame({"deal_id": deals["deal_id"], "vendor": attributed_vendor(deals),
                        "attribution": attribution(deals), "unplaced_mw": remaining})
    return out[no_window & (remaining > 0)].reset_index(drop=True)
