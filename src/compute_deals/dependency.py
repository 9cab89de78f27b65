"""Dependency on Nvidia: how much of a buyer's contracted and online capacity runs on Nvidia.

Vendors come from the data (`metrics.vendor`), never from a list. "Nvidia" is Nvidia; every other
vendor is not. "Not reported" is neither: it is kept apart, so each share is given both of all
capacity and of the capacity whose vendor is reported. Online capacity over time comes from THE
ramp model (`ramp.online_capacity`). Shares use the megawatts reported by sources (`capacity_mw`);
megawatts derived from accelerator counts (the cost chapter's method) are shown in a column of
their own and enter no share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compute_deals import cost, metrics, ramp
from compute_deals.load import Dataset
from compute_deals.parameters import ALL_STATUSES_BUT_CANCELLED, Parameter

NVIDIA = "Nvidia"
SHARE_THRESHOLD = 0.05  # a vendor "counts" in the concentration chart above 5% of known capacity
LEVELS = [f"online_mw{level}" for level in ramp.LEVELS]
AS_OF = "2026-04-16"
DELAY_MONTHS = 0
COMPARISON_DELAY_MONTHS = 12
DELAY_SOURCES = ("naija247-2024-07-19-broadcom", "stocktwits-2026-05-broadcom")

PARAMETERS = (
    Parameter(
        "as_of", AS_OF, "date (YYYY-MM-DD)",
        "the day 'today' means: today's share is the share at the newest quarter end on or before it",
        reason="The newest publication date in data/sources.csv when the chapter was written "
        "(papermill reads defaults as literals, so it cannot be computed from the data); set it "
        "to the newest source date when the data change.",
    ),
    Parameter(
        "non_nvidia_delay_months", DELAY_MONTHS, "months",
        "every deployment not on Nvidia accelerators (deal windows and tranches, unreported "
        "vendors included) comes online this many months later than reported",
        reason="0 keeps the reported schedules. The chips that are not Nvidia's are new at this "
        "scale and their schedules have moved before: the custom chip was reported in 2024 as not "
        "in production before 2026, and its first phase was reported stalled over financing in "
        "2026. No source dates a slip, so the range up to two years is a judgement, not a figure.",
        sources=DELAY_SOURCES, low=0, high=24,
    ),
    Parameter(
        "comparison_delay_months", COMPARISON_DELAY_MONTHS, "months",
        "the delay of deployments not on Nvidia accelerators that the page sets beside the "
        "chosen scenario",
        reason="One year, the middle of the range of non_nvidia_delay_months (same reasons): "
        "large enough to see what a slip does to the path, small next to the deployment windows.",
        sources=DELAY_SOURCES, low=0, high=24,
    ),
)

PARAMETERS_BY_NAME = {p.name: p for p in PARAMETERS}


def is_nvidia(vendors: pd.Series) -> pd.Series:
    return vendors == NVIDIA


def delay_non_nvidia(deals: pd.DataFrame, tranches: pd.DataFrame,
                     months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The deals and tranches with every deployment not on Nvidia moved `months` later."""
    offset = pd.DateOffset(months=months)
    later_deals = deals.copy()
    shifted = ~is_nvidia(metrics.vendor(deals))
    for column in ("deploy_start", "deploy_end"):
        later_deals.loc[shifted, column] = deals.loc[shifted, column] + offset
    later_tranches = tranches.copy()
    shifted = ~is_nvidia(ramp.tranche_vendors(deals, tranches))
    later_tranches.loc[shifted, "online"] = tranches.loc[shifted, "online"] + offset
    return later_deals, later_tranches


def all_vendors(deals: pd.DataFrame, tranches: pd.DataFrame) -> list[str]:
    """Every vendor of these deals and their tranches, "Not reported" last."""
    ours = tranches[tranches["deal_id"].isin(deals["deal_id"])]
    names = set(metrics.vendor(deals)) | set(ramp.tranche_vendors(deals, ours))
    return sorted(names - {metrics.NOT_REPORTED}) + sorted(names & {metrics.NOT_REPORTED})


def contracted_mw(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.Series:
    """Reported MW by vendor: each tranche under its vendor, the rest of a deal under the deal's
    (the same split the ramp makes)."""
    ours = tranches[tranches["deal_id"].isin(deals["deal_id"])]
    in_tranches = ours.groupby("deal_id")["capacity_mw"].sum()
    rest = (deals["capacity_mw"] - deals["deal_id"].map(in_tranches).fillna(0)).clip(lower=0)
    pieces = pd.concat([
        pd.DataFrame({"vendor": ramp.tranche_vendors(deals, ours), "capacity_mw": ours["capacity_mw"]}),
        pd.DataFrame({"vendor": metrics.vendor(deals), "capacity_mw": rest}),
    ])
    return pieces.groupby("vendor")["capacity_mw"].sum()


def derived_mw(deals: pd.DataFrame) -> pd.Series:
    """MW derived from accelerator counts, with the cost chapter's method and default assumptions,
    for the deals that report no MW (NaN elsewhere)."""
    return cost.capacity_mw_from_accelerators(deals, cost.DEFAULTS).where(deals["capacity_mw"].isna())


def share_of_total(amounts: pd.Series) -> pd.Series:
    total = amounts.sum()
    return amounts / total if total > 0 else amounts * np.nan


def share_of_known(amounts: pd.Series) -> pd.Series:
    """Shares among vendors that are reported; "Not reported" gets none (NaN)."""
    known = amounts.drop(metrics.NOT_REPORTED, errors="ignore")
    return share_of_total(known).reindex(amounts.index)


def vendor_share(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """Contracted MW and dollars by vendor, with shares of all and of vendor-reported amounts.
    Dollars sum the deals that report a value; n_with_value says how many do. capacity_mw_derived
    (from accelerator counts, for deals that report no MW) is apart and enters no share."""
    vendors = all_vendors(deals, tranches)
    by_vendor = deals.groupby(metrics.vendor(deals))
    counts = {"n_deals": by_vendor.size(), "n_with_capacity": by_vendor["capacity_mw"].count(),
              "n_with_value": by_vendor["value_usd"].count()}
    capacity = contracted_mw(deals, tranches).reindex(vendors, fill_value=0.0)
    # A vendor none of whose deals reports a value has no dollar figure (NaN), not $0.
    value = by_vendor["value_usd"].sum(min_count=1).reindex(vendors)
    return pd.DataFrame({
        "vendor": vendors,
        **{name: count.reindex(vendors, fill_value=0).to_numpy() for name, count in counts.items()},
        "capacity_mw": capacity.to_numpy(),
        "share": share_of_total(capacity).to_numpy(),
        "share_of_known": share_of_known(capacity).to_numpy(),
        "capacity_mw_derived": derived_mw(deals).groupby(metrics.vendor(deals)).sum()
        .reindex(vendors, fill_value=0.0).to_numpy(),
        "value_usd": value.to_numpy(),
        "value_share": share_of_total(value).to_numpy(),
        "value_share_of_known": share_of_known(value).to_numpy(),
    })


def online_by_vendor(deals: pd.DataFrame, tranches: pd.DataFrame, dates: pd.DatetimeIndex,
                     shape: str) -> pd.DataFrame:
    """MW online at each date by vendor, every vendor at every date (zero where none)."""
    online = ramp.online_capacity(deals, tranches, dates, shape)
    summed = online.groupby(["date", "vendor"])[LEVELS].sum()
    grid = pd.MultiIndex.from_product([dates, all_vendors(deals, tranches)], names=["date", "vendor"])
    return summed.reindex(grid, fill_value=0.0).reset_index()


def nvidia_share_timeline(online: pd.DataFrame) -> pd.DataFrame:
    """Nvidia's MW and share of online MW at each date, from `online_by_vendor`. The low share
    sets Nvidia's low capacity against everyone else's high, and the high share the reverse."""
    nvidia = is_nvidia(online["vendor"])
    by_date = online.groupby("date")
    own = online[nvidia].groupby("date")[LEVELS].sum().reindex(by_date.size().index, fill_value=0.0)
    total = by_date[LEVELS].sum()
    known = online[online["vendor"] != metrics.NOT_REPORTED].groupby("date")["online_mw"].sum()
    out = pd.DataFrame({
        "nvidia_mw": own["online_mw"], "nvidia_mw_low": own["online_mw_low"],
        "nvidia_mw_high": own["online_mw_high"],
        "total_mw": total["online_mw"], "total_mw_low": total["online_mw_low"],
        "total_mw_high": total["online_mw_high"],
        "known_mw": known.reindex(total.index, fill_value=0.0),
    })
    others_low = out["total_mw_low"] - out["nvidia_mw_low"]
    others_high = out["total_mw_high"] - out["nvidia_mw_high"]
    out["nvidia_share"] = ratio(out["nvidia_mw"], out["total_mw"])
    out["nvidia_share_low"] = ratio(out["nvidia_mw_low"], out["nvidia_mw_low"] + others_high)
    out["nvidia_share_high"] = ratio(out["nvidia_mw_high"], out["nvidia_mw_high"] + others_low)
    out["nvidia_share_of_known"] = ratio(out["nvidia_mw"], out["known_mw"])
    return out.reset_index()


def ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole, blank (NaN) where nothing is online."""
    return part / whole.where(whole > 0)


def concentration(online: pd.DataFrame) -> pd.DataFrame:
    """Herfindahl–Hirschman index (0..1: the sum of squared shares as fractions; 1 is a single
    vendor) of vendor-reported online MW at each date, and how many vendors hold more than 5%."""
    known = online[online["vendor"] != metrics.NOT_REPORTED]
    shares = ratio(known["online_mw"], known.groupby("date")["online_mw"].transform("sum"))
    by_date = shares.groupby(known["date"])
    return pd.DataFrame({
        "hhi": by_date.apply(lambda s: (s**2).sum(min_count=1)),
        "vendors_above_5pct": by_date.apply(lambda s: int((s > SHARE_THRESHOLD).sum())),
    }).rename_axis("date").reset_index()


def share_as_of(timeline: pd.DataFrame, as_of: str) -> pd.Series:
    """The timeline's row at the newest date on or before `as_of`."""
    before = timeline[timeline["date"] <= pd.Timestamp(as_of)]
    if before.empty:
        raise ValueError(f"as_of {as_of}: the timeline starts on {timeline['date'].min():%Y-%m-%d}")
    return before.iloc[-1]


def lowest_share(timeline: pd.DataFrame) -> pd.Series:
    """The first date at which Nvidia's share is lowest (among dates with capacity online)."""
    return timeline.loc[timeline["nvidia_share"].idxmin()]


def delay_comparison(deals: pd.DataFrame, tranches: pd.DataFrame, dates: pd.DatetimeIndex,
                     shape: str, delays: list[int]) -> pd.DataFrame:
    """Nvidia's share of online MW at each date under each delay of non-Nvidia deployments."""
    paths = []
    for months in sorted(set(delays)):
        later = delay_non_nvidia(deals, tranches, months)
        timeline = nvidia_share_timeline(online_by_vendor(*later, dates, shape))
        paths.append(timeline[["date", "nvidia_share"]].assign(delay_months=months))
    return pd.concat(paths, ignore_index=True)[["date", "delay_months", "nvidia_share"]]


def largest_rise(comparison: pd.DataFrame, base_months: int, other_months: int) -> pd.Series:
    """Where the share under `other_months` exceeds the share under `base_months` the most:
    date and difference (share points as a fraction)."""
    wide = comparison.pivot(index="date", columns="delay_months", values="nvidia_share")
    rise = (wide[other_months] - wide[base_months]).fillna(0.0)
    return pd.Series({"date": rise.idxmax(), "rise": rise.max()})


# The tables behind the chapter's charts (tables.TABLES); keyword defaults are the parameters'.

def vendor_share_table(data: Dataset, buyer: str,
                       statuses=tuple(ALL_STATUSES_BUT_CANCELLED)) -> pd.DataFrame:
    return vendor_share(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)), data.tranches)


def _online(data: Dataset, buyer: str, statuses, ramp_shape: str, delay_months: int) -> pd.DataFrame:
    later = delay_non_nvidia(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)), data.tranches, delay_months)
    return online_by_vendor(*later, ramp.quarter_ends(), ramp_shape)


def online_by_vendor_table(data: Dataset, buyer: str, statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                           ramp_shape: str = "linear",
                           non_nvidia_delay_months: int = DELAY_MONTHS) -> pd.DataFrame:
    return _online(data, buyer, statuses, ramp_shape, non_nvidia_delay_months)


def nvidia_share_timeline_table(data: Dataset, buyer: str,
                                statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                                ramp_shape: str = "linear",
                                non_nvidia_delay_months: int = DELAY_MONTHS) -> pd.DataFrame:
    return nvidia_share_timeline(_online(data, buyer, statuses, ramp_shape, non_nvidia_delay_months))


def concentration_table(data: Dataset, buyer: str, statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                        ramp_shape: str = "linear",
                        non_nvidia_delay_months: int = DELAY_MONTHS) -> pd.DataFrame:
    return concentration(_online(data, buyer, statuses, ramp_shape, non_nvidia_delay_months))


def delay_comparison_table(data: Dataset, buyer: str, statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                           ramp_shape: str = "linear",
                           non_nvidia_delay_months: int = DELAY_MONTHS,
                           comparison_delay_months: int = COMPARISON_DELAY_MONTHS) -> pd.DataFrame:
    return delay_comparison(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)), data.tranches, ramp.quarter_ends(),
                            ramp_shape, [non_nvidia_delay_months, comparison_delay_months])


def unplaced_by_vendor(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """MW that cannot be placed in time (no complete window), by vendor: the ramp leaves it out."""
    unplaced = ramp.unplaced(deals, tranches)
    return unplaced.groupby("vendor", as_index=False).agg(
        unplaced_mw=("unplaced_mw", "sum"), deals=("deal_id", ", ".join))
