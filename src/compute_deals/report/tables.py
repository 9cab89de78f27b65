"""The tables behind the book's charts, as data frames: what `tables` writes and pages offer."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from compute_deals import derived
from compute_deals.analysis import buyers, cost, dependency, metrics, overlaps, uncertainty, vendors
from compute_deals.facts.load import Dataset, load_dataset


@derived.table
def deal_timeline(data: Dataset, buyer: str) -> pd.DataFrame:
    return metrics.timeline(metrics.deals_of(data.deals, buyer))


TABLES: dict[str, Callable[[Dataset, str], pd.DataFrame]] = {
    "deal_timeline.csv": deal_timeline,
    "vendor_share.csv": dependency.vendor_share_table,
    "online_by_vendor.csv": dependency.online_by_vendor_table,
    "nvidia_share_timeline.csv": dependency.nvidia_share_timeline_table,
    "nvidia_share_delay.csv": dependency.delay_comparison_table,
    "reconciliation.csv": dependency.reconciliation_table,
    "contracted.csv": dependency.contracted_table,
    "vendor_concentration.csv": dependency.concentration_table,
    "gantt.csv": overlaps.gantt_table,
    "longest_overlaps.csv": overlaps.longest_overlaps_table,
    "concurrency.csv": overlaps.concurrency_table,
    "online_capacity.csv": overlaps.online_capacity_table,
    "annual_commitments.csv": overlaps.annual_commitments_table,
    "cost_per_mw.csv": cost.cost_per_mw_table,
    "cost_vs_benchmarks.csv": cost.versus_benchmarks_table,
    "cost_sensitivity.csv": cost.sensitivity_table,
    "scenario_comparison.csv": uncertainty.scenario_comparison_table,
}

# The tables behind a buyer's own page (charts/buyer.py): what the build writes beside it.
BUYER_PAGE_TABLES = ("cost_vs_benchmarks.csv", "online_by_vendor.csv", "nvidia_share_timeline.csv", "gantt.csv")


# Tables of every buyer at once (the buyers and vendors chapters): functions of the data alone.
CROSS_BUYER_TABLES: dict[str, Callable[[Dataset], pd.DataFrame]] = {
    "buyers.csv": buyers.comparison_table,
    "vendor_quarters.csv": vendors.by_quarter_table,
    "vendor_order_books.csv": vendors.order_books_table,
    "vendor_buyers.csv": vendors.buyer_shares_table,
    "cost_by_buyer.csv": buyers.priced_per_mw,
    "nvidia_share_by_buyer.csv": buyers.nvidia_share_by_buyer,
    "ramping_together.csv": vendors.ramping_together_table,
}


def arguments(make: Callable, parameters: dict, skip: int = 2) -> dict:
    """The parameters a table function takes after its first `skip` (by name; `assumptions` is
    the cost chapter's bundle of them), so a table follows the run it belongs to."""
    from compute_deals.analysis.headlines import cost_assumptions, with_defaults

    accepted = list(inspect.signature(make).parameters)[skip:]
    if not parameters:
        return {}
    values = {**parameters, "assumptions": cost_assumptions(with_defaults(parameters))}
    return {name: values[name] for name in accepted if name in values}


def write_to(frame: pd.DataFrame, target, header: bool = True) -> None:
    """A table as CSV, the book's one format: dates as days, Unix line ends."""
    frame.to_csv(target, index=False, header=header, date_format="%Y-%m-%d", lineterminator="\n")


def write(frame: pd.DataFrame, path: Path) -> Path:
    write_to(frame, path)
    return path


def write_buyer_tables(data: Dataset | Path, buyer: str, out_dir: Path, parameters: dict | None = None,
                       names=tuple(TABLES)) -> list[Path]:
    """The buyer's tables (all, or those `names`d), computed with `parameters` (a run's values;
    defaults where absent). `data` may be the folder to load it from (a build's workers)."""
    data = data if isinstance(data, Dataset) else load_dataset(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write(TABLES[name](data, buyer, **arguments(TABLES[name], parameters or {})), out_dir / name)
            for name in names]


def write_cross_buyer_tables(data: Dataset | Path, out_dir: Path, parameters: dict | None = None,
                             names=tuple(CROSS_BUYER_TABLES)) -> list[Path]:
    """The tables of every buyer at once (of `buyers` in the parameters; all if none)."""
    data = data if isinstance(data, Dataset) else load_dataset(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write(CROSS_BUYER_TABLES[name](data, **arguments(CROSS_BUYER_TABLES[name], parameters or {}, skip=1)),
                  out_dir / name) for name in names]


def write_all(data: Dataset, buyer: str, out_dir: Path, parameters: dict | None = None) -> list[Path]:
    """Every table a book's pages link to: the buyer's chapters', then the cross-buyer ones."""
    return (write_buyer_tables(data, buyer, out_dir, parameters)
            + write_cross_buyer_tables(data, out_dir, parameters))
