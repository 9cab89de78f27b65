"""Timeline overlaps: which deals ramp, pay and compete for power at the same time.

Deployment windows (deploy_start to deploy_end) are compared in pairs and counted per quarter;
contract value is spread evenly over each contract's term to find the years where commitments pile
up; capacity online comes from the one ramp model (ramp.py). Intervals are half-open, [start, end):
the length of an interval is end - start in days, so windows that only touch overlap by zero days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compute_deals import derived
from compute_deals.analysis import cost, metrics, ramp
from compute_deals.facts.load import Dataset
from compute_deals.analysis.parameters import ALL_STATUSES_BUT_CANCELLED

# A window with a start and no reported end stays open to the end of the book's time axis (the
# last of ramp.quarter_ends): the source says the capacity starts coming online and nothing says
# it has finished, and no chart looks further ahead than this.
HORIZON_END = ramp.quarter_ends()[-1]
DEFAULT_RAMP_SHAPE = next(p.default for p in ramp.PARAMETERS if p.name == "ramp_shape")
ONE_DAY = np.timedelta64(1, "D")
ONLINE, REPORTED = "Online under the deals", "Reported by the buyer"  # online_vs_reported measures

def overlap_days(start_a, end_a, start_b, end_b):
    """max(0, min(end_a, end_b) - max(start_a, start_b)) in whole days; element-wise on arrays."""
    return np.maximum(0, (np.minimum(end_a, end_b) - np.maximum(start_a, start_b)) // ONE_DAY)


def deployment_windows(deals: pd.DataFrame, horizon_end: pd.Timestamp = HORIZON_END) -> pd.DataFrame:
    """Each deal with at least one end of its deployment window reported, the missing end filled
    by convention: no end -> open to horizon_end; no start -> from the announcement (the earliest
    date the data ties to the deal). window_note says which end was filled in."""
    start, end = deals["deploy_start"], deals["deploy_end"]
    known = start.notna() | end.notna()
    filled_start = start.fillna(deals["announced"].where(deals["announced"] < end, end))
    filled_end = end.fillna(filled_start.where(filled_start > horizon_end, horizon_end))
    note = pd.Series("", index=deals.index)
    note[start.isna()] = "start not reported: from the announcement"
    note[end.isna()] = f"end not reported: open to {horizon_end:%Y-%m-%d}"
    windows = pd.DataFrame({
        "deal_id": deals["deal_id"], "deal": metrics.deal_labels(deals),
        "counterparty": deals["counterparty"], "vendor": metrics.vendor(deals),
        "status": deals["status"], "window_start": filled_start, "window_end": filled_end,
        "window_note": note,
    })[known]
    return windows.sort_values(["window_start", "deal_id"], kind="stable").reset_index(drop=True)


# The pairs the book lists, longest first: the number of overlapping pairs grows with the square
# of the deals (14 million at 10,000 deals), the book must not. `python -m compute_deals overlaps`
# writes every pair.
LONGEST_PAIRS = 1_000
BLOCK_WINDOWS = 64  # windows set against all later ones per step: the memory of one block's pairs


@dataclass(frozen=True)
class Longest:
    """The longest overlapping pairs (at most n, longest first), how many pairs overlap at all and
    how many of those involve a window with an end taken by convention."""

    pairs: pd.DataFrame
    n_pairs: int
    n_assumed: int


def _overlapping_positions(windows: pd.DataFrame):
    """Per block of BLOCK_WINDOWS windows, the positions (a, b) of each window a in the block and
    each later window b it overlaps by more than zero days. Each window is set against all later
    ones at once (numpy), so thousands of windows take a second, not minutes."""
    starts, ends = windows["window_start"].to_numpy(), windows["window_end"].to_numpy()
    for first in range(0, max(len(windows) - 1, 0), BLOCK_WINDOWS):
        firsts, seconds = [np.array([], dtype=int)], [np.array([], dtype=int)]
        for i in range(first, min(first + BLOCK_WINDOWS, len(windows))):
            later = np.arange(i + 1, len(windows))
            overlapping = later[overlap_days(starts[i], ends[i], starts[later], ends[later]) > 0]
            firsts.append(np.full(len(overlapping), i))
            seconds.append(overlapping)
        yield np.concatenate(firsts), np.concatenate(seconds)


def _pairs(windows: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """The pairs of windows at positions (a, b): where and how long they overlap.
    bound_assumed says that either window has a start or end filled by convention."""
    starts, ends = windows["window_start"].to_numpy(), windows["window_end"].to_numpy()
    column = lambda name, rows: windows[name].to_numpy()[rows]  # noqa: E731 (one column, some rows)
    overlap_start = np.maximum(starts[a], starts[b])
    overlap_end = np.minimum(ends[a], ends[b])
    return pd.DataFrame({
        "deal_a": column("deal_id", a), "deal_b": column("deal_id", b),
        "overlap_start": overlap_start, "overlap_end": overlap_end,
        "overlap_days": ((overlap_end - overlap_start) // ONE_DAY).astype(int),
        "label_a": column("deal", a), "label_b": column("deal", b),
        "bound_assumed": (column("window_note", a) != "") | (column("window_note", b) != ""),
    })


def overlap_blocks(windows: pd.DataFrame):
    """Every pair of windows that overlaps by more than zero days, as one frame per block of
    windows, in window order (deal_a is the window that starts first: windows are sorted by
    start). Memory stays that of one block, however many pairs there are."""
    for a, b in _overlapping_positions(windows):
        yield _pairs(windows, a, b)


def longest_overlaps(windows: pd.DataFrame, n: int = LONGEST_PAIRS) -> Longest:
    """The n longest overlapping pairs, longest first (ties: earlier overlap, then deal ids), and
    the count of all overlapping pairs, keeping at most a few times n pairs in memory: whenever
    the candidates pass 4n, only those at least as long as the n-th longest so far stay (ties
    kept), which cannot drop a pair of the final n."""
    starts, ends = windows["window_start"].to_numpy(), windows["window_end"].to_numpy()
    assumed = (windows["window_note"] != "").to_numpy()
    kept_a, kept_b, n_pairs, n_assumed = np.array([], dtype=int), np.array([], dtype=int), 0, 0
    for a, b in _overlapping_positions(windows):
        n_pairs += len(a)
        n_assumed += int((assumed[a] | assumed[b]).sum())
        kept_a, kept_b = np.concatenate([kept_a, a]), np.concatenate([kept_b, b])
        if len(kept_a) > 4 * n:
            days = overlap_days(starts[kept_a], ends[kept_a], starts[kept_b], ends[kept_b])
            long_enough = days >= np.partition(days, len(days) - n)[len(days) - n]
            kept_a, kept_b = kept_a[long_enough], kept_b[long_enough]
    pairs = _pairs(windows, kept_a, kept_b).sort_values(
        ["overlap_days", "overlap_start", "deal_a", "deal_b"], ascending=[False, True, True, True], kind="stable")
    return Longest(pairs.head(n).reset_index(drop=True), n_pairs, n_assumed)


def ramping_in(windows: pd.DataFrame, quarter_end: pd.Timestamp) -> pd.DataFrame:
    """The windows that overlap the quarter ending on `quarter_end` by at least a day; the quarter
    is [first day, last day + 1 day)."""
    quarter_start = quarter_end.to_period("Q").start_time
    # overlap_days > 0 for every window at once: the later start is before the earlier end.
    return windows[(windows["window_end"].clip(upper=quarter_end + ONE_DAY)
                    - windows["window_start"].clip(lower=quarter_start)) >= ONE_DAY]


def concurrency(windows: pd.DataFrame, quarter_ends: pd.DatetimeIndex) -> pd.DataFrame:
    """Deals whose window overlaps each quarter by at least a day (ramping_in), from the first
    quarter with one on (every quarter when none has)."""
    rows = []
    for quarter_end in quarter_ends:
        quarter_start = quarter_end.to_period("Q").start_time
        ramping = ramping_in(windows, quarter_end)
        rows.append({
            "quarter": str(quarter_end.to_period("Q")), "deals_ramping": len(ramping),
            "quarter_start": quarter_start, "quarter_end": quarter_end,
            "deal_ids": "; ".join(ramping["deal_id"]),
            "deals": "; ".join(ramping["deal"]),
        })
    frame = pd.DataFrame(rows)
    first = frame.index[frame["deals_ramping"] > 0].min()
    return frame.loc[0 if pd.isna(first) else first:].reset_index(drop=True)


def peak(concurrency: pd.DataFrame) -> dict[str, object]:
    """The first quarter with the most deals ramping, the run of quarters the count holds for
    from there (the peak window), and the deals ramping in that first quarter."""
    counts = concurrency["deals_ramping"]
    most = int(counts.max())
    first = last = int((counts == most).idxmax())
    while last + 1 < len(counts) and counts.iat[last + 1] == most:
        last += 1
    return {
        "deals_ramping": most,
        "first_quarter": concurrency.at[first, "quarter"],
        "last_quarter": concurrency.at[last, "quarter"],
        "quarters": last - first + 1,
        "deals": concurrency.at[first, "deals"],
    }


def contract_terms(deals: pd.DataFrame) -> pd.DataFrame:
    """Each deal's contract term where term_years is reported (and above zero): from deploy_start
    if reported, else from the announcement, for term_years rounded to whole months."""
    months = (deals["term_years"] * 12).round()
    has_term = months > 0
    start = deals["deploy_start"].fillna(deals["announced"]).where(has_term)
    end = pd.Series(pd.NaT, index=deals.index, dtype=start.dtype)
    for term_months in months[has_term].unique():  # a few distinct terms, each added at once
        same = months == term_months
        end[same] = start[same] + pd.DateOffset(months=int(term_months))
    term_from = deals["deploy_start"].notna().map({True: "deployment start", False: "announcement"})
    return pd.DataFrame({"deal_id": deals["deal_id"], "term_start": start, "term_end": end,
                         "term_from": term_from.where(has_term, "")})


def value_spans(deals: pd.DataFrame) -> pd.DataFrame:
    """Over which span each deal with a value (metrics.summable's deals) has it spread: its
    contract term, else its reported deployment window (both ends); NaT where it has neither."""
    terms = contract_terms(deals)
    has_term = terms["term_end"].notna()
    has_window = deals["deploy_end"] > deals["deploy_start"]  # False where either is missing
    spread_over = pd.Series("", index=deals.index).mask(has_window, "deployment window")
    # An umbrella spreads only what the deals within it leave (metrics.summable): its label says so.
    spans = pd.DataFrame({
        "deal_id": deals["deal_id"],
        "deal": metrics.deal_labels(deals)
        + np.where(deals["net_of_parts"], " · net of the deals within it", ""),
        "counterparty": deals["counterparty"], "kind": deals["kind"], "value_usd": deals["value_usd"],
        "value_basis": deals["value_basis"],
        "spread_start": terms["term_start"].where(has_term, deals["deploy_start"].where(has_window)),
        "spread_end": terms["term_end"].where(has_term, deals["deploy_end"].where(has_window)),
        "spread_over": spread_over.mask(has_term, "contract term"),
    })
    return spans[deals["value_usd"].notna()].reset_index(drop=True)


def committed(spans: pd.DataFrame, price_bases=cost.DEFAULTS.price_bases) -> pd.DataFrame:
    """The spans whose value is a price of capacity (cost.is_price): what the buyer commits to pay.
    An investment, a financing, a build cost or an 'up to' ceiling is not a commitment to pay."""
    return spans[cost.is_price(spans, price_bases)].reset_index(drop=True)


def not_committed(spans: pd.DataFrame, price_bases=cost.DEFAULTS.price_bases) -> pd.DataFrame:
    """The spans whose value is some other kind of money, which no year's commitment counts."""
    return spans[~cost.is_price(spans, price_bases)].reset_index(drop=True)


def annual_commitments(spans: pd.DataFrame) -> pd.DataFrame:
    """Each spread deal's value per calendar year, in proportion to the days of its span in it."""
    spread = spans.dropna(subset=["spread_start", "spread_end"]).reset_index(drop=True)
    first_year = spread["spread_start"].dt.year.to_numpy()
    n_years = spread["spread_end"].dt.year.to_numpy() - first_year + 1
    row = np.repeat(np.arange(len(spread)), n_years)  # one row per span and calendar year it touches
    year = first_year[row] + np.arange(len(row)) - np.repeat(np.cumsum(n_years) - n_years, n_years)
    year_start = pd.to_datetime(pd.DataFrame({"year": year, "month": 1, "day": 1}))
    year_end = pd.to_datetime(pd.DataFrame({"year": year + 1, "month": 1, "day": 1}))
    start, end = spread["spread_start"].to_numpy()[row], spread["spread_end"].to_numpy()[row]
    days = overlap_days(start, end, year_start.to_numpy(), year_end.to_numpy())
    total_days = (end - start) // ONE_DAY
    frame = pd.DataFrame({
        "year": year, "counterparty": spread["counterparty"].to_numpy()[row],
        "deal_id": spread["deal_id"].to_numpy()[row], "deal": spread["deal"].to_numpy()[row],
        "value_usd": spread["value_usd"].to_numpy()[row] * days / total_days,
        "spread_over": spread["spread_over"].to_numpy()[row],
    })[days > 0]
    return frame.sort_values(["year", "counterparty", "deal_id"], kind="stable").reset_index(drop=True)


def not_spread(spans: pd.DataFrame) -> pd.DataFrame:
    """Deals with a value that cannot be spread over time (no term and no complete window)."""
    columns = ["deal_id", "deal", "counterparty", "kind", "value_usd", "value_basis"]
    return spans[spans["spread_start"].isna()][columns].reset_index(drop=True)


def largest_years(annual: pd.DataFrame) -> pd.DataFrame:
    """Total commitment per year, largest first (earlier year first on a tie). The runner-up
    matters: spread per day, a leap year gets 1/365 more of a multi-year term than its neighbours."""
    totals = annual.groupby("year", as_index=False)["value_usd"].sum()
    return totals.sort_values(["value_usd", "year"], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)


def gantt(deals: pd.DataFrame, horizon_end: pd.Timestamp = HORIZON_END) -> pd.DataFrame:
    """One row per deal and segment, deals in the given order: the announcement, the deployment
    window (its own segment when one end is filled by convention) and the contract term."""
    about = pd.DataFrame({"deal_id": deals["deal_id"], "deal": metrics.deal_labels(deals),
                          "counterparty": deals["counterparty"], "vendor": metrics.vendor(deals),
                          "status": deals["status"]})
    announcements = about.assign(segment="Announcement", start=deals["announced"],
                                 end=deals["announced"], note="")
    windows = deployment_windows(deals, horizon_end).rename(
        columns={"window_start": "start", "window_end": "end", "window_note": "note"})
    windows["segment"] = windows["note"].map(
        lambda note: "Deployment window, one end assumed" if note else "Deployment window")
    terms = about.merge(contract_terms(deals).dropna(subset=["term_end"]), on="deal_id").rename(
        columns={"term_start": "start", "term_end": "end"})
    terms = terms.assign(segment="Contract term", note="runs from the " + terms["term_from"])
    columns = ["deal_id", "deal", "counterparty", "vendor", "status", "segment", "start", "end", "note"]
    frame = pd.concat([part[columns] for part in (announcements, windows, terms)], ignore_index=True)
    # The row names a status other than signed in words, so it never rests on opacity alone.
    frame["row"] = frame["deal"] + frame["status"].map(lambda s: "" if s == "signed" else f" · {s}")
    order = dict(zip(deals["deal_id"], range(len(deals))))
    return frame.sort_values("deal_id", key=lambda ids: ids.map(order), kind="stable") \
        .reset_index(drop=True)


def online_vs_reported(deals: pd.DataFrame, tranches: pd.DataFrame, reported: pd.DataFrame,
                       shape: str) -> pd.DataFrame:
    """MW online each quarter per vendor (ramp.online_capacity, zeros filled so stacks hold) from
    the first quarter with any, and the buyer's own figures at the end of each year they describe."""
    dates = ramp.quarter_ends()
    online = ramp.online_capacity(deals, tranches, dates, shape)
    levels = ["online_mw", "online_mw_low", "online_mw_high"]
    by_vendor = online.groupby(["date", "vendor"])[levels].sum()
    grid = pd.MultiIndex.from_product([dates, sorted(online["vendor"].unique())], names=["date", "vendor"])
    capacity = by_vendor.reindex(grid, fill_value=0.0).reset_index().rename(
        columns=dict(zip(levels, ["capacity_mw", "capacity_mw_low", "capacity_mw_high"])))
    capacity["measure"] = ONLINE
    figures = pd.DataFrame({
        "date": pd.to_datetime(reported["year"].astype(int).astype(str) + "-12-31"),
        "vendor": "", "capacity_mw": reported["capacity_mw"],
        "capacity_mw_low": reported["capacity_mw"], "capacity_mw_high": reported["capacity_mw"],
        "measure": REPORTED,
    })
    frame = pd.concat([capacity, figures], ignore_index=True)
    first = min(frame.loc[frame["capacity_mw"] > 0, "date"], default=dates[0])
    kept = frame[frame["date"] >= first.to_period("Y").start_time]
    return kept[["date", "measure", "vendor", "capacity_mw", "capacity_mw_low", "capacity_mw_high"]] \
        .sort_values(["measure", "date", "vendor"], kind="stable").reset_index(drop=True)


def online_against_reported(online: pd.DataFrame) -> pd.DataFrame:
    """For each year the buyer reports a figure: that figure and the MW online under the deals at
    the end of that year (from an online_vs_reported frame)."""
    figures = online[online["measure"] == REPORTED].set_index("date")["capacity_mw"]
    on_deals = online[online["measure"] == ONLINE].groupby("date")["capacity_mw"].sum()
    return pd.DataFrame({"year": figures.index.year, "reported_mw": figures.to_numpy(),
                         "online_mw": on_deals.reindex(figures.index, fill_value=0.0).to_numpy()})


def reported_capacity(data: Dataset, buyer: str) -> pd.DataFrame:
    """The buyer's own capacity figures (buyer_capacity.csv), oldest first."""
    figures = data.buyer_capacity[data.buyer_capacity["buyer"] == buyer]
    return figures.sort_values("year").reset_index(drop=True)


# Tables behind the charts (tables.TABLES); keyword defaults are the parameters' defaults.

@derived.table
def gantt_table(data: Dataset, buyer: str, statuses: list[str] = ALL_STATUSES_BUT_CANCELLED) -> pd.DataFrame:
    return gantt(metrics.counted(metrics.deals_of(data.deals, buyer), statuses))


def counted_windows(data: Dataset, buyer: str, statuses: list[str] = ALL_STATUSES_BUT_CANCELLED) -> pd.DataFrame:
    """The deployment windows of the buyer's counted deals, superseded rows left out."""
    return deployment_windows(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)))


@derived.table
def longest_overlaps_table(data: Dataset, buyer: str,
                           statuses: list[str] = ALL_STATUSES_BUT_CANCELLED) -> pd.DataFrame:
    return longest_overlaps(counted_windows(data, buyer, statuses)).pairs


@derived.table
def concurrency_table(data: Dataset, buyer: str,
                      statuses: list[str] = ALL_STATUSES_BUT_CANCELLED) -> pd.DataFrame:
    return concurrency(counted_windows(data, buyer, statuses), ramp.quarter_ends())


@derived.table
def online_capacity_table(data: Dataset, buyer: str, statuses: list[str] = ALL_STATUSES_BUT_CANCELLED,
                          ramp_shape: str = DEFAULT_RAMP_SHAPE) -> pd.DataFrame:
    return online_vs_reported(metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses)), data.tranches,
                              reported_capacity(data, buyer), ramp_shape)


@derived.table
def annual_commitments_table(data: Dataset, buyer: str,
                             statuses: list[str] = ALL_STATUSES_BUT_CANCELLED,
                             price_bases=cost.DEFAULTS.price_bases) -> pd.DataFrame:
    deals = metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses))
    return annual_commitments(committed(value_spans(deals), price_bases))
