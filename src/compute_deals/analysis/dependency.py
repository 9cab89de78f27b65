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

from compute_deals import derived
from compute_deals.analysis import cost, metrics, ramp, reconcile
from compute_deals.facts.load import Dataset
from compute_deals.analysis.parameters import ALL_STATUSES_BUT_CANCELLED, Parameter

NVIDIA = metrics.NVIDIA
SHARE_THRESHOLD = 0.05  # a vendor "counts" in the concentration chart above 5% of known capacity
LEVELS = [f"online_mw{level}" for level in ramp.LEVELS]
AS_OF = "2026-04-16"
DELAY_MONTHS = 0
INSTALLED_SHARE = reconcile.PARAMETERS[0].default
COMPARISON_DELAY_MONTHS = 12
SLIP_MONTHS = 0
DELAY_SOURCES = ("naija247-2024-07-19-broadcom", "stocktwits-2026-05-broadcom")
SLIP_SOURCES = ("bloomberg-2025-12-12-oracle-delay", "decoder-2026-05-09-broadcom")

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
    Parameter(
        "worded_window_slip_months", SLIP_MONTHS, "months",
        "every window end coded from a source's words (windows.csv, basis 'wording') comes this "
        "many months later than coded",
        reason="0 reads the words as coded. Such ends are targets in announcements, not contract "
        "dates, and targets of this record have moved: some Oracle sites for OpenAI were reported "
        "pushed a year (2027 to 2028), and the custom chip's volume from the second half of 2026 "
        "to 2027. A slip of up to a year is that experience, a judgement rather than a figure.",
        sources=SLIP_SOURCES, low=0, high=12,
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
    shifted = ~is_nvidia(metrics.attributed_vendor(deals))
    for column in ("deploy_start", "deploy_end"):
        later_deals.loc[shifted, column] = deals.loc[shifted, column] + offset
    later_tranches = tranches.copy()
    shifted = ~is_nvidia(ramp.tranche_vendors(deals, tranches))
    later_tranches.loc[shifted, "online"] = tranches.loc[shifted, "online"] + offset
    return later_deals, later_tranches


def slip_worded_windows(deals: pd.DataFrame, months: int) -> pd.DataFrame:
    """The deals with every window end coded from words (deploy_start_basis or deploy_end_basis
    'wording', metrics.current_windows) moved `months` later; reported and revised dates stay."""
    offset, later = pd.DateOffset(months=months), deals.copy()
    for column in metrics.WINDOW_ENDS:
        from_words = metrics.worded(deals, column)
        later.loc[from_words, column] = deals.loc[from_words, column] + offset
    return later


def scheduled(deals: pd.DataFrame, tranches: pd.DataFrame, delay_months: int,
              slip_months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The deals and tranches on the scenario's schedule: worded window ends slipped by
    `slip_months`, then every deployment not on Nvidia delayed by `delay_months`."""
    return delay_non_nvidia(slip_worded_windows(deals, slip_months), tranches, delay_months)


def all_vendors(deals: pd.DataFrame, tranches: pd.DataFrame) -> list[str]:
    """Every vendor of these deals and their tranches, "Not reported" last."""
    ours = tranches[tranches["deal_id"].isin(deals["deal_id"])]
    names = set(metrics.attributed_vendor(deals)) | set(ramp.tranche_vendors(deals, ours))
    return sorted(names - {metrics.NOT_REPORTED}) + sorted(names & {metrics.NOT_REPORTED})


def contracted_pieces(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """Reported MW in pieces (deal_id, vendor, attribution, capacity_mw): each tranche under its
    vendor, the rest of a deal under the deal's (the same split the ramp makes); NaN where a deal
    reports no MW."""
    ours = tranches[tranches["deal_id"].isin(deals["deal_id"])]
    in_tranches = ours.groupby("deal_id")["capacity_mw"].sum()
    rest = (deals["capacity_mw"] - deals["deal_id"].map(in_tranches).fillna(0)).clip(lower=0)
    return pd.concat([
        pd.DataFrame({"deal_id": ours["deal_id"].to_numpy(),
                      "vendor": ramp.tranche_vendors(deals, ours).to_numpy(),
                      "attribution": ramp.tranche_attributions(deals, ours).to_numpy(),
                      "capacity_mw": ours["capacity_mw"].to_numpy()}),
        pd.DataFrame({"deal_id": deals["deal_id"].to_numpy(),
                      "vendor": metrics.attributed_vendor(deals).to_numpy(),
                      "attribution": metrics.attribution(deals).to_numpy(), "capacity_mw": rest.to_numpy()}),
    ], ignore_index=True)


def contracted_mw(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """Reported MW by vendor (rows) and how the vendor is known (columns: reported, inferred,
    unattributed), from contracted_pieces."""
    return contracted_pieces(deals, tranches).pivot_table(
        index="vendor", columns="attribution", values="capacity_mw", aggfunc="sum", fill_value=0.0
    ).reindex(columns=[metrics.REPORTED, metrics.INFERRED, metrics.UNATTRIBUTED], fill_value=0.0)


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
    by_vendor = deals.groupby(metrics.attributed_vendor(deals))
    counts = {"n_deals": by_vendor.size(), "n_with_capacity": by_vendor["capacity_mw"].count(),
              "n_with_value": by_vendor["value_usd"].count()}
    split = contracted_mw(deals, tranches).reindex(vendors, fill_value=0.0)
    capacity = split.sum(axis=1)
    # A vendor none of whose deals reports a value has no dollar figure (NaN), not $0.
    value = by_vendor["value_usd"].sum(min_count=1).reindex(vendors)
    return pd.DataFrame({
        "vendor": vendors,
        **{name: count.reindex(vendors, fill_value=0).to_numpy() for name, count in counts.items()},
        "capacity_mw": capacity.to_numpy(),
        "capacity_mw_reported": split[metrics.REPORTED].to_numpy(),
        "capacity_mw_inferred": split[metrics.INFERRED].to_numpy(),
        "share": share_of_total(capacity).to_numpy(),
        "share_reported_only": share_of_known(split[metrics.REPORTED]).to_numpy(),
        "share_of_known": share_of_known(capacity).to_numpy(),
        "capacity_mw_derived": derived_mw(deals).groupby(metrics.attributed_vendor(deals)).sum()
        .reindex(vendors, fill_value=0.0).to_numpy(),
        "value_usd": value.to_numpy(),
        "value_share": share_of_total(value).to_numpy(),
        "value_share_of_known": share_of_known(value).to_numpy(),
    })


def online_by_vendor(deals: pd.DataFrame, tranches: pd.DataFrame, dates: pd.DatetimeIndex,
                     shape: str, reported: pd.Series | None = None,
                     installed_nvidia_share: float = INSTALLED_SHARE) -> pd.DataFrame:
    """MW online at each date by vendor and attribution (reported, inferred, assumed: the
    installed base reconciling with `reported`, the buyer's own fleet figures; unattributed),
    every vendor-attribution pair at every date (zero where none)."""
    online = ramp.online_capacity(deals, tranches, dates, shape)
    if reported is not None and len(reported):
        online, _ = reconcile.with_installed_base(online, dates, reported, installed_nvidia_share)
    summed = online.groupby(["date", "vendor", "attribution"])[LEVELS].sum()
    ours = tranches[tranches["deal_id"].isin(deals["deal_id"])]
    pairs = pd.concat([
        online[["vendor", "attribution"]],
        pd.DataFrame({"vendor": metrics.attributed_vendor(deals), "attribution": metrics.attribution(deals)}),
        pd.DataFrame({"vendor": ramp.tranche_vendors(deals, ours),
                      "attribution": ramp.tranche_attributions(deals, ours)}),
    ]).drop_duplicates()
    order = {name: i for i, name in enumerate(all_vendors(deals, tranches))}
    pairs = pairs.assign(_order=pairs["vendor"].map(order).fillna(len(order))).sort_values(
        ["_order", "vendor", "attribution"], kind="stable")
    grid = pd.MultiIndex.from_tuples(
        [(date, v, a) for date in dates for v, a in zip(pairs["vendor"], pairs["attribution"])],
        names=["date", "vendor", "attribution"])
    return summed.reindex(grid, fill_value=0.0).reset_index()


def nvidia_share_timeline(online: pd.DataFrame) -> pd.DataFrame:
    """Nvidia's MW and share of online MW at each date, from `online_by_vendor`.

    nvidia_share is of the capacity whose vendor is attributed (reported, inferred, or assumed for
    the installed base); nvidia_share_reported counts only vendors the deals' sources name;
    nvidia_share_floor and nvidia_share_ceiling are the bounds where every unattributed MW is not,
    or is, Nvidia's. The low and high shares set Nvidia's low capacity against everyone else's
    high, and the reverse (reported capacity ranges)."""
    dates = pd.Index(sorted(online["date"].unique()), name="date")

    def summed(rows: pd.Series, column: str = "online_mw") -> pd.Series:
        return online[rows].groupby("date")[column].sum().reindex(dates, fill_value=0.0)

    nvidia, unattributed = is_nvidia(online["vendor"]), online["vendor"] == metrics.NOT_REPORTED
    reported, everything = online["attribution"] == metrics.REPORTED, online["date"].notna()
    out = pd.DataFrame({
        **{f"nvidia_mw{level}": summed(nvidia, f"online_mw{level}") for level in ramp.LEVELS},
        **{f"total_mw{level}": summed(everything, f"online_mw{level}") for level in ramp.LEVELS},
        "attributed_mw": summed(~unattributed), "unattributed_mw": summed(unattributed),
        "reported_mw": summed(reported), "nvidia_mw_reported": summed(nvidia & reported),
        "installed_mw": summed(online["attribution"] == metrics.ASSUMED),
    })
    attributed_low = out["total_mw_low"] - summed(unattributed, "online_mw_low")
    attributed_high = out["total_mw_high"] - summed(unattributed, "online_mw_high")
    out["nvidia_share"] = ratio(out["nvidia_mw"], out["attributed_mw"])
    out["nvidia_share_low"] = ratio(out["nvidia_mw_low"],
                                    out["nvidia_mw_low"] + attributed_high - out["nvidia_mw_high"])
    out["nvidia_share_high"] = ratio(out["nvidia_mw_high"],
                                     out["nvidia_mw_high"] + attributed_low - out["nvidia_mw_low"])
    out["nvidia_share_reported"] = ratio(out["nvidia_mw_reported"], out["reported_mw"])
    out["nvidia_share_floor"] = ratio(out["nvidia_mw"], out["total_mw"])
    out["nvidia_share_ceiling"] = ratio(out["nvidia_mw"] + out["unattributed_mw"], out["total_mw"])
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
    """The first date at which Nvidia's share is lowest (among dates with capacity online); the
    last row, share blank, where nothing with a vendor is ever online."""
    shares = timeline["nvidia_share"]
    return timeline.loc[shares.idxmin()] if shares.notna().any() else timeline.iloc[-1]


def delay_comparison(deals: pd.DataFrame, tranches: pd.DataFrame, dates: pd.DatetimeIndex,
                     shape: str, delays: list[int], reported: pd.Series | None = None,
                     installed_nvidia_share: float = INSTALLED_SHARE,
                     slip_months: int = SLIP_MONTHS) -> pd.DataFrame:
    """Nvidia's share of online MW at each date under each delay of non-Nvidia deployments."""
    paths = []
    for months in sorted(set(delays)):
        later = scheduled(deals, tranches, months, slip_months)
        timeline = nvidia_share_timeline(online_by_vendor(*later, dates, shape, reported,
                                                          installed_nvidia_share))
        paths.append(timeline[["date", "nvidia_share"]].assign(delay_months=months))
    return pd.concat(paths, ignore_index=True)[["date", "delay_months", "nvidia_share"]]


def largest_rise(comparison: pd.DataFrame, base_months: int, other_months: int) -> pd.Series:
    """Where the share under `other_months` exceeds the share under `base_months` the most:
    date and difference (share points as a fraction)."""
    wide = comparison.pivot(index="date", columns="delay_months", values="nvidia_share")
    rise = (wide[other_months] - wide[base_months]).fillna(0.0)
    return pd.Series({"date": rise.idxmax(), "rise": rise.max()})


# The tables behind the chapter's charts (tables.TABLES); keyword defaults are the parameters'.

@derived.table
def vendor_share_table(data: Dataset, buyer: str,
                       statuses=tuple(ALL_STATUSES_BUT_CANCELLED)) -> pd.DataFrame:
    return vendor_share(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)), data.tranches)


def _online(data: Dataset, buyer: str, statuses, ramp_shape: str, delay_months: int,
            installed_nvidia_share: float, slip_months: int) -> pd.DataFrame:
    later = scheduled(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)), data.tranches,
                      delay_months, slip_months)
    return online_by_vendor(*later, ramp.quarter_ends(), ramp_shape,
                            reconcile.reported_online(data.buyer_capacity, buyer), installed_nvidia_share)


@derived.table
def online_by_vendor_table(data: Dataset, buyer: str, statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                           ramp_shape: str = "linear", non_nvidia_delay_months: int = DELAY_MONTHS,
                           installed_nvidia_share: float = INSTALLED_SHARE,
                           worded_window_slip_months: int = SLIP_MONTHS) -> pd.DataFrame:
    return _online(data, buyer, statuses, ramp_shape, non_nvidia_delay_months, installed_nvidia_share,
                   worded_window_slip_months)


@derived.table
def nvidia_share_timeline_table(data: Dataset, buyer: str,
                                statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                                ramp_shape: str = "linear",
                                non_nvidia_delay_months: int = DELAY_MONTHS,
                                installed_nvidia_share: float = INSTALLED_SHARE,
                                worded_window_slip_months: int = SLIP_MONTHS) -> pd.DataFrame:
    return nvidia_share_timeline(_online(data, buyer, statuses, ramp_shape, non_nvidia_delay_months,
                                         installed_nvidia_share, worded_window_slip_months))


@derived.table
def concentration_table(data: Dataset, buyer: str, statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                        ramp_shape: str = "linear", non_nvidia_delay_months: int = DELAY_MONTHS,
                        installed_nvidia_share: float = INSTALLED_SHARE,
                        worded_window_slip_months: int = SLIP_MONTHS) -> pd.DataFrame:
    return concentration(_online(data, buyer, statuses, ramp_shape, non_nvidia_delay_months,
                                 installed_nvidia_share, worded_window_slip_months))


@derived.table
def delay_comparison_table(data: Dataset, buyer: str, statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                           ramp_shape: str = "linear",
                           non_nvidia_delay_months: int = DELAY_MONTHS,
                           comparison_delay_months: int = COMPARISON_DELAY_MONTHS,
                           installed_nvidia_share: float = INSTALLED_SHARE,
                           worded_window_slip_months: int = SLIP_MONTHS) -> pd.DataFrame:
    return delay_comparison(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)), data.tranches, ramp.quarter_ends(),
                            ramp_shape, [non_nvidia_delay_months, comparison_delay_months],
                            reconcile.reported_online(data.buyer_capacity, buyer), installed_nvidia_share,
                            worded_window_slip_months)


@derived.table
def reconciliation_table(data: Dataset, buyer: str, statuses=tuple(ALL_STATUSES_BUT_CANCELLED),
                         ramp_shape: str = "linear",
                         non_nvidia_delay_months: int = DELAY_MONTHS,
                         worded_window_slip_months: int = SLIP_MONTHS) -> pd.DataFrame:
    """reconciliation.csv: at each year the buyer reports its fleet, what the deals place and the
    installed base that closes the gap."""
    later = scheduled(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)),
                      data.tranches, non_nvidia_delay_months, worded_window_slip_months)
    placed = ramp.online_capacity(*later, ramp.quarter_ends(), ramp_shape).groupby("date")["online_mw"].sum()
    return reconcile.gaps(placed, reconcile.reported_online(data.buyer_capacity, buyer))


@derived.table
def contracted_table(data: Dataset, buyer: str) -> pd.DataFrame:
    """contracted.csv: the buyer's own contracted totals against the signed deals of the record."""
    deals = metrics.current(metrics.summable(metrics.buyer_deals(data.deals, buyer, ["signed"])))
    return reconcile.contracted_against_record(deals, data.buyer_capacity, buyer)


def unplaced_by_vendor(deals: pd.DataFrame, tranches: pd.DataFrame) -> pd.DataFrame:
    """MW that cannot be placed in time (no complete window), by vendor: the ramp leaves it out."""
    unplaced = ramp.unplaced(deals, tranches)
    return unplaced.groupby("vendor", as_index=False).agg(
        unplaced_mw=("unplaced_mw", "sum"), deals=("deal_id", ", ".join))
