"""What each source supports: the rows of data/ that cite it and the figures those rows report.

Sources are cited per row (a deal, a tranche, a benchmark, a buyer's own figure) and, for the
assumptions' defaults, per parameter. A row's sources back every figure the row reports, so the
sources page names the row and those figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compute_deals.analysis.metrics import deal_labels, deals_of, labels_by_id
from compute_deals.analysis.registry import registry
from compute_deals.facts.load import Dataset

DEAL_FIGURES = {  # a figure's name on the page, and the columns of deals.csv that hold it
    "announcement date": ("announced",),
    "value": ("value_usd", "value_usd_low", "value_usd_high"),
    "capacity": ("capacity_mw", "capacity_mw_low", "capacity_mw_high"),
    "accelerator count": ("accelerators",),
    "deployment window": ("deploy_start", "deploy_end"),
    "term": ("term_years",),
}
BENCHMARK_FIGURES = {"$ per MW": ("usd_per_mw", "usd_per_mw_low", "usd_per_mw_high")}


def reported_figures(frame: pd.DataFrame, figures: dict[str, tuple[str, ...]]) -> pd.Series:
    """Per row, the names of the figures it reports (any of their columns filled), comma-separated."""
    names = pd.Series("", index=frame.index)
    for name, columns in figures.items():
        names = names + np.where(frame[list(columns)].notna().any(axis=1), f", {name}", "")
    return names.str.removeprefix(", ")


def _cited(frame: pd.DataFrame, item: pd.Series, figures: pd.Series) -> pd.DataFrame:
    """One row per source a row cites: source_id and what the row supports, in data order."""
    supports = pd.DataFrame({"sources": frame["sources"], "supports": item + ": " + figures})
    return supports.explode("sources").rename(columns={"sources": "source_id"})


def what_sources_support(data: Dataset, buyer: str) -> pd.DataFrame:
    """source_id and supports (a row or assumption and its figures), for the buyer's deals,
    their tranches, every benchmark, the buyer's own capacity figures and the assumptions."""
    deals = deals_of(data.deals, buyer)
    labels = labels_by_id(deals)
    tranches = data.tranches[data.tranches["deal_id"].isin(deals["deal_id"])]
    own = data.buyer_capacity[data.buyer_capacity["buyer"] == buyer]
    assumptions = pd.DataFrame([(p.sources, f"assumption {p.name}", "default and range"
                                 if p.low is not None else "default")
                                for p in registry().values() if p.sources],
                               columns=["sources", "item", "figures"])
    parts = [
        _cited(deals, deal_labels(deals), reported_figures(deals, DEAL_FIGURES)),
        _cited(tranches, "tranche of " + tranches["deal_id"].map(labels) + " online "
               + tranches["online"].dt.strftime("%Y-%m-%d"), pd.Series("capacity", index=tranches.index)),
        _cited(data.benchmarks, "benchmark " + data.benchmarks["label"],
               reported_figures(data.benchmarks, BENCHMARK_FIGURES)),
        _cited(own, f"{buyer}'s own compute in " + own["year"].astype(int).astype(str),
               pd.Series("capacity", index=own.index)),
        _cited(assumptions, assumptions["item"], assumptions["figures"]),
    ]
    return pd.concat(parts, ignore_index=True)


def citations(data: Dataset, buyer: str) -> pd.DataFrame:
    """Every source in sources.csv with `supports`: what cites it, as a tuple (empty if nothing)."""
    supports = what_sources_support(data, buyer).groupby("source_id", sort=False)["supports"].agg(tuple)
    out = data.sources.copy()
    out["supports"] = out["source_id"].map(supports).map(lambda s: s if isinstance(s, tuple) else ())
    return out
