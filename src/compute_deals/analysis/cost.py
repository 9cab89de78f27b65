"""Cost per megawatt: what each deal pays for a MW of capacity, and how far assumptions move it.

Reported: a deal's reported value over its reported capacity, low to high from the reported
ranges. Derived, where one of the two is missing (basis "derived", in columns of their own, never
in the reported ones): capacity from a reported accelerator count by Epoch AI's method (chip TDP ×
system overhead × PUE), or value from a published benchmark $/MW (a notebook parameter). A derived
$/MW's range is the widest swing of any one assumption across its range (`sensitivity`, the
tornado). Per MW-year divides by the reported contract term, so rentals over N years and purchases
can be set side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from compute_deals import derived
from compute_deals.facts import schema
from compute_deals.analysis import metrics
from compute_deals.facts.load import Dataset
from compute_deals.analysis.parameters import ALL_STATUSES_BUT_CANCELLED, Parameter

REPORTED, DERIVED, NOT_COMPUTABLE = "reported", "derived", "not_computable"
SUPERSEDED_MARK = " · superseded"
DETAIL = {"": "value / capacity, both reported",
          "capacity": "capacity derived from the accelerator count",
          "value": "value derived from the benchmark, so the $/MW is the benchmark's"}
BASIS_WORDS = {"commitment": "a commitment to pay for capacity or services",
               "purchase": "a hardware purchase", "investment": "an equity investment",
               "build_cost": "a project's build cost", "ceiling": "an 'up to' ceiling or framework",
               "financing": "a financing"}
ASSUMPTION_LABELS = {"pue": "PUE", "server_overhead": "server overhead (× chip TDP)",
                     "tdp_scale": "kW per accelerator (TDP)", "value_benchmark": "benchmark $/MW"}

PARAMETERS = (
    Parameter(
        "pue", 1.14, "ratio of facility to IT power",
        "power usage effectiveness: facility power per unit of IT power, for capacity derived "
        "from accelerator counts",
        reason="Epoch AI's figure for specialised AI data centres (2023), the one its power method "
        "pairs with; it sits inside the 1.10-1.15 of modern hyperscale sites. The range runs from "
        "that best case (1.10) to the top of the average hyperscale site (1.30).",
        sources=("ref-epoch-pue-114", "ref-epoch-power-method", "ref-lynx-cortex-datacenter-economics"),
        low=1.10, high=1.30,
    ),
    Parameter(
        "server_overhead", 1.82, "× chip TDP",
        "server power per unit of accelerator TDP (host CPUs, memory, networking)",
        reason="Epoch AI applies 1.82 to every system, from the DGX H100's specifications. A GB200 "
        "NVL72 rack draws about 120 kW for 72 GPUs of 1.2 kW, about 1.4 times their TDP: the low "
        "end of the range.",
        sources=("ref-epoch-power-method", "ref-introl-gb200-nvl72", "ref-tweaktown-b200-1200w"),
        low=1.4, high=1.82,
    ),
    Parameter(
        "accelerator_tdp_kw", {"GB200": 1.2, "GB300": 1.4}, "kW per accelerator",
        "chip thermal design power, keyed by the accelerator as written in deals.csv",
        reason="Blackwell B200 runs at up to 1.2 kW liquid-cooled, as in GB200; Blackwell Ultra "
        "(B300, in GB300) is rated 1.4 kW.",
        sources=("ref-tweaktown-b200-1200w", "ref-introl-gb200-nvl72", "ref-epium-gb300-tdp"),
    ),
    Parameter(
        "vendor_tdp_kw", {"Nvidia": 1.2}, "kW per accelerator",
        "chip TDP by accelerator vendor, for an accelerator that accelerator_tdp_kw does not name",
        reason="Nvidia's current data-centre GPU at the time of these deals is Blackwell, 1.2 kW "
        "in GB200 systems.",
        sources=("ref-tweaktown-b200-1200w",),
    ),
    Parameter(
        "tdp_scale", 1.0, "× the TDP tables",
        "multiplies every TDP above: how uncertain kW per accelerator is",
        reason="The Blackwell generation spans 1.0 kW (air-cooled B200) to 1.4 kW (B300) around "
        "GB200's 1.2 kW: about one sixth either way (0.83 to 1.17 times).",
        sources=("ref-lynx-cortex-datacenter-economics", "ref-tweaktown-b200-1200w", "ref-epium-gb300-tdp"),
        low=0.83, high=1.17,
    ),
    Parameter(
        "price_bases", ["commitment", "purchase"], "list of value bases",
        "which kinds of money (deals.csv's value_basis) are a price of capacity, and so may be "
        "divided by megawatts",
        reason="A commitment to pay the counterparty and a hardware purchase are what the buyer "
        "pays for the capacity. An equity investment, a financing or an 'up to' ceiling is not a "
        "price; a project's build cost is what someone else spends to build a site (add "
        "build_cost to compare it with the benchmarks, which are build costs too).",
        choices=schema.VALUE_BASES,
    ),
    Parameter(
        "value_benchmark", "epoch-2025", "benchmark_id",
        "the benchmark in benchmarks.csv whose $/MW gives a value to deals that report capacity "
        "but no value",
        reason="Epoch AI's is the lowest and best documented published figure (per MW of total "
        "facility power, current hardware). The sensitivity analysis runs across every "
        "benchmark's spread.",
        sources=("ref-epoch-29b-per-gw", "ref-epoch-hub-launch"),
    ),
)
RANGED = tuple(p for p in PARAMETERS if p.low is not None)  # what the tornado varies, with the benchmark


@dataclass(frozen=True)
class Assumptions:
    """The notebook's assumptions for derived figures; fields are the PARAMETERS' names."""

    pue: float
    server_overhead: float
    accelerator_tdp_kw: Mapping[str, float]
    vendor_tdp_kw: Mapping[str, float]
    tdp_scale: float
    price_bases: Sequence[str]
    value_benchmark: str


DEFAULTS = Assumptions(**{p.name: p.default for p in PARAMETERS})
DEFAULT_STATUSES = tuple(ALL_STATUSES_BUT_CANCELLED)


class Benchmark(NamedTuple):
    """The $/MW used to derive values, or why there is none (then usd_per_mw is NaN)."""

    usd_per_mw: float
    problem: str = ""


def benchmark_usd_per_mw(benchmarks: pd.DataFrame) -> pd.Series:
    """Each benchmark's figure by benchmark_id; the midpoint where only a range was published."""
    midpoint = (benchmarks["usd_per_mw_low"] + benchmarks["usd_per_mw_high"]) / 2
    return pd.Series(benchmarks["usd_per_mw"].fillna(midpoint).to_numpy(), index=benchmarks["benchmark_id"])


def benchmark_spread(benchmarks: pd.DataFrame) -> tuple[float, float]:
    """The lowest and highest $/MW any benchmark gives (ranges included); NaN if there are none."""
    figures = benchmarks[["usd_per_mw", "usd_per_mw_low", "usd_per_mw_high"]]
    return float(figures.min(axis=1).min()), float(figures.max(axis=1).max())


def chosen_benchmark(benchmarks: pd.DataFrame, benchmark_id: str) -> Benchmark:
    figures = benchmark_usd_per_mw(benchmarks)
    if figures.empty:
        return Benchmark(np.nan, "no value reported, and the data has no benchmarks (benchmarks.csv) "
                                 "to derive one from")
    if benchmark_id not in figures:
        return Benchmark(np.nan, f"no value reported, and value_benchmark {benchmark_id!r} is not in "
                                 f"benchmarks.csv (choose one of: {', '.join(figures.index)})")
    return Benchmark(float(figures[benchmark_id]))


def kw_per_accelerator(deals: pd.DataFrame, assumptions: Assumptions) -> pd.Series:
    """Facility kW per accelerator: chip TDP × system overhead × PUE (Epoch AI's method); the
    accelerator's own TDP if the table names it, else its vendor's; NaN if neither is known."""
    tdp_kw = deals["accelerator"].map(assumptions.accelerator_tdp_kw).astype(float)
    tdp_kw = tdp_kw.fillna(deals["accelerator_vendor"].map(assumptions.vendor_tdp_kw).astype(float))
    return tdp_kw * assumptions.tdp_scale * assumptions.server_overhead * assumptions.pue


def capacity_mw_from_accelerators(deals: pd.DataFrame, assumptions: Assumptions) -> pd.Series:
    return deals["accelerators"] * kw_per_accelerator(deals, assumptions) / 1000


def _why_no_capacity(deals: pd.DataFrame) -> pd.Series:
    """Why a deal with a value but no capacity gets no derived capacity."""
    chip = deals["accelerator"].fillna("")
    chip = chip.where(chip != "", deals["accelerator_vendor"].fillna(""))
    chip = chip.where(chip != "", "an unnamed accelerator")
    no_count = deals["accelerators"].isna() | (deals["accelerators"] == 0)
    return ("no capacity reported, and no TDP for " + chip + " to derive it from "
            "(add it to accelerator_tdp_kw or vendor_tdp_kw)").where(
        ~no_count, "no capacity reported, and no accelerator count to derive it from")


def is_price(deals: pd.DataFrame, price_bases: Sequence[str]) -> pd.Series:
    """Whether each deal's value is a price of capacity (its value_basis is one of price_bases)."""
    return deals["value_usd"].notna() & deals["value_basis"].isin(list(price_bases))


def priced(deals: pd.DataFrame, price_bases: Sequence[str]) -> pd.DataFrame:
    """The deals with every value that is not a price of capacity blanked (with its range): an
    investment, a financing or a ceiling is never divided by megawatts."""
    out = deals.copy()
    values = ["value_usd", "value_usd_low", "value_usd_high"]
    out[values] = out[values].where(is_price(deals, price_bases), axis=0)
    return out


def costs(deals: pd.DataFrame, assumptions: Assumptions, benchmark: Benchmark) -> pd.DataFrame:
    """basis, derived, usd_per_mw and reason per deal (same index), at one set of assumptions;
    only values that are a price of capacity (assumptions.price_bases) count as values.
    Vectorised: the tornado calls it a dozen times, on up to thousands of deals."""
    not_a_price = deals["value_usd"].notna() & ~is_price(deals, assumptions.price_bases)
    deals = priced(deals, assumptions.price_bases)
    value, capacity = deals["value_usd"], deals["capacity_mw"]
    from_accelerators = capacity_mw_from_accelerators(deals, assumptions)
    has_value, has_capacity = value.notna(), capacity.notna()
    has_benchmark = bool(pd.notna(benchmark.usd_per_mw))
    # The cases in order, as (when, basis, derived, usd_per_mw, reason); the first that holds wins.
    cases = [
        (capacity == 0, NOT_COMPUTABLE, "", np.nan, "capacity reported as 0 MW"),
        (has_value & has_capacity, REPORTED, "", value / capacity, ""),
        (has_value & (from_accelerators > 0), DERIVED, "capacity", value / from_accelerators, ""),
        (has_value, NOT_COMPUTABLE, "", np.nan, _why_no_capacity(deals)),
        (has_capacity & has_benchmark, DERIVED, "value", benchmark.usd_per_mw, ""),
        (not_a_price, NOT_COMPUTABLE, "", np.nan,
         "the value is " + deals["value_basis"].map(BASIS_WORDS).fillna("") + ", not a price of capacity"),
        (has_capacity, NOT_COMPUTABLE, "", np.nan, benchmark.problem),
        # A benchmark value on a derived capacity would only give back the benchmark.
        (from_accelerators > 0, NOT_COMPUTABLE, "", np.nan,
         "no value reported; capacity only from its accelerator count"),
    ]
    conditions = [np.asarray(when, dtype=bool) for when, *_ in cases]

    def pick(position: int, default):
        choices = [np.broadcast_to(np.asarray(case[position], dtype=object), len(deals))
                   for case in cases]
        return np.select(conditions, choices, default=default)

    return pd.DataFrame({
        "basis": pick(1, NOT_COMPUTABLE), "derived": pick(2, ""),
        "usd_per_mw": pick(3, np.nan).astype(float),
        "reason": pick(4, "neither value nor capacity reported"),
    }, index=deals.index)


def reported_range(deals: pd.DataFrame, capacity_mw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Lowest and highest $/MW the reported ranges allow: low value / high capacity, high value /
    low capacity, over the capacity used (reported, or derived where that is what the row uses)."""
    reported_capacity = deals["capacity_mw"].notna()
    capacity_high = metrics.reading(deals, "capacity_mw", "_high").where(reported_capacity, capacity_mw)
    capacity_low = metrics.reading(deals, "capacity_mw", "_low").where(reported_capacity, capacity_mw)
    low = metrics.reading(deals, "value_usd", "_low") / capacity_high
    high = (metrics.reading(deals, "value_usd", "_high") / capacity_low).where(capacity_low > 0)
    return low, high


def sensitivity_settings(benchmarks: pd.DataFrame, assumptions: Assumptions,
                         benchmark: Benchmark) -> list[tuple]:
    """(assumption, default, low, high, assumptions at low, benchmark at low, at high, at high):
    each ranged parameter across its range, then the benchmark across every benchmark's spread."""
    settings = [
        (p.name, getattr(assumptions, p.name), p.low, p.high,
         replace(assumptions, **{p.name: p.low}), benchmark,
         replace(assumptions, **{p.name: p.high}), benchmark)
        for p in RANGED
    ]
    low, high = benchmark_spread(benchmarks)
    settings.append(("value_benchmark", benchmark.usd_per_mw, low, high,
                     assumptions, Benchmark(low, benchmark.problem),
                     assumptions, Benchmark(high, benchmark.problem)))
    return settings


def sensitivity(deals: pd.DataFrame, benchmarks: pd.DataFrame,
                assumptions: Assumptions = DEFAULTS) -> pd.DataFrame:
    """The tornado: for each deal with a derived $/MW and each assumption, its $/MW with that one
    assumption at the low and at the high end of its range, the others at their settings.
    Assumptions are ordered by how much they move the derived figures in all, most first."""
    benchmark = chosen_benchmark(benchmarks, assumptions.value_benchmark)
    central = costs(deals, assumptions, benchmark)
    derived = central["basis"] == DERIVED
    labels = metrics.deal_labels(deals)
    pieces = []
    for name, default, low, high, at_low, bench_low, at_high, bench_high in sensitivity_settings(
            benchmarks, assumptions, benchmark):
        pieces.append(pd.DataFrame({
            "deal_id": deals["deal_id"], "deal": labels, "derived": central["derived"],
            "assumption": name, "assumption_label": ASSUMPTION_LABELS[name], "setting": default, "setting_low": low, "setting_high": high,
            "usd_per_mw": central["usd_per_mw"],
            "usd_per_mw_at_low": costs(deals, at_low, bench_low)["usd_per_mw"],
            "usd_per_mw_at_high": costs(deals, at_high, bench_high)["usd_per_mw"],
        })[derived])
    out = pd.concat(pieces, ignore_index=True)
    out["swing_usd_per_mw"] = (out["usd_per_mw_at_high"] - out["usd_per_mw_at_low"]).abs()
    order = out.groupby("assumption", sort=False)["swing_usd_per_mw"].sum().sort_values(
        ascending=False, kind="stable").index
    out["assumption"] = pd.Categorical(out["assumption"], categories=list(order), ordered=True)
    out = out.sort_values(["assumption"], kind="stable")
    out["assumption"] = out["assumption"].astype(str)
    return out.reset_index(drop=True)


def _per_year(usd_per_mw: pd.Series, term_years: pd.Series) -> pd.Series:
    return (usd_per_mw / term_years).where(term_years > 0)


def _per_year_reason(usd_per_mw: pd.Series, term_years: pd.Series) -> pd.Series:
    reasons = np.select(
        [usd_per_mw.isna(), term_years.isna(), term_years == 0],
        ["no cost per MW", "term not reported", "term of 0 years: no per-year figure"],
        default="",
    )
    return pd.Series(reasons, index=usd_per_mw.index)


def cost_per_mw(deals: pd.DataFrame, benchmarks: pd.DataFrame,
                assumptions: Assumptions = DEFAULTS) -> pd.DataFrame:
    """One row per deal: the reported figures, the derived ones in their own columns, and $/MW and
    $/MW-year with their ranges, basis (reported | derived | not_computable) and reasons."""
    benchmark = chosen_benchmark(benchmarks, assumptions.value_benchmark)
    central = costs(deals, assumptions, benchmark)
    from_accelerators = capacity_mw_from_accelerators(deals, assumptions)
    capacity_used = deals["capacity_mw"].where(central["derived"] != "capacity", from_accelerators)
    low, high = reported_range(priced(deals, assumptions.price_bases), capacity_used)
    # A derived figure's range also spans the widest swing of any one assumption (the tornado);
    # the assumptions move nothing else, so only derived rows are run through it.
    tornado = sensitivity(deals[central["basis"].to_numpy() == DERIVED], benchmarks, assumptions)
    ends = tornado[["usd_per_mw_at_low", "usd_per_mw_at_high"]]
    swing_low = deals["deal_id"].map(ends.min(axis=1).groupby(tornado["deal_id"]).min())
    swing_high = deals["deal_id"].map(ends.max(axis=1).groupby(tornado["deal_id"]).max())
    computable = central["basis"] != NOT_COMPUTABLE
    low = np.fmin(np.fmin(low, central["usd_per_mw"]), swing_low).where(computable)
    high = np.fmax(np.fmax(high, central["usd_per_mw"]), swing_high).where(computable)
    term = deals["term_years"]
    return pd.DataFrame({
        "deal_id": deals["deal_id"],
        "deal": labels_marking_superseded(deals),
        "counterparty": deals["counterparty"],
        "kind": deals["kind"],
        "status": deals["status"],
        "vendor": metrics.vendor(deals),
        "accelerator": deals["accelerator"],
        "value_usd": deals["value_usd"],
        "value_usd_low": deals["value_usd_low"],
        "value_usd_high": deals["value_usd_high"],
        "value_basis": deals["value_basis"],
        "value_is_price": is_price(deals, assumptions.price_bases),
        "capacity_mw": deals["capacity_mw"],
        "capacity_mw_low": deals["capacity_mw_low"],
        "capacity_mw_high": deals["capacity_mw_high"],
        "accelerators": deals["accelerators"],
        "term_years": term,
        "kw_per_accelerator_derived": kw_per_accelerator(deals, assumptions).where(deals["accelerators"].notna()),
        "capacity_mw_derived": from_accelerators,
        "value_usd_derived": (deals["capacity_mw"] * benchmark.usd_per_mw).where(central["derived"] == "value"),
        "basis": central["basis"],
        "derived": central["derived"],
        "usd_per_mw": central["usd_per_mw"],
        "usd_per_mw_low": low,
        "usd_per_mw_high": high,
        "usd_per_mw_year": _per_year(central["usd_per_mw"], term),
        "usd_per_mw_year_low": _per_year(low, term),
        "usd_per_mw_year_high": _per_year(high, term),
        "reason": central["reason"],
        "per_year_reason": _per_year_reason(central["usd_per_mw"], term),
    })


def labels_marking_superseded(deals: pd.DataFrame) -> pd.Series:
    """Deal labels, with superseded rows marked so that every chart and table shows them apart."""
    labels = metrics.deal_labels(deals)
    return labels.where(deals["status"] != "superseded", labels + SUPERSEDED_MARK)


def benchmark_rows(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """The benchmarks as published (a range-only benchmark keeps a blank headline)."""
    return pd.DataFrame({
        "row": "Benchmark: " + benchmarks["label"],
        "section": "benchmark",
        "id": benchmarks["benchmark_id"],
        "basis": "benchmark",
        "vendor": "",
        "status": "",
        "kind": "",
        "usd_per_mw": benchmarks["usd_per_mw"],
        "usd_per_mw_low": benchmarks["usd_per_mw_low"],
        "usd_per_mw_high": benchmarks["usd_per_mw_high"],
        "detail": benchmarks["basis"],
        "capacity_mw": np.nan,
    })


def versus_benchmarks(table: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """What the cost chart plots, top to bottom: the benchmarks, then every deal with a $/MW
    (highest first), then the superseded ones, apart."""
    priced = table[table["basis"] != NOT_COMPUTABLE]
    superseded = priced["status"] == "superseded"
    deals = pd.DataFrame({
        "row": priced["deal"],
        "section": np.where(superseded, "superseded", "deal"),
        "id": priced["deal_id"],
        "basis": priced["basis"],
        "vendor": priced["vendor"],
        "status": priced["status"],
        "kind": priced["kind"],
        "usd_per_mw": priced["usd_per_mw"],
        "usd_per_mw_low": priced["usd_per_mw_low"],
        "usd_per_mw_high": priced["usd_per_mw_high"],
        "detail": priced["derived"].map(DETAIL),
        "capacity_mw": priced["capacity_mw"],  # reported: what a chart of too many deals ranks by
    }).assign(_apart=superseded).sort_values(["_apart", "usd_per_mw"], ascending=[True, False],
                                            kind="stable").drop(columns="_apart")
    return pd.concat([benchmark_rows(benchmarks), deals], ignore_index=True)


def counted_prices(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a cost_per_mw table whose $/MW is reported (a price over a reported capacity),
    superseded rows aside: what a median cost per MW is taken over."""
    return table[(table["basis"] == REPORTED) & (table["status"] != "superseded")]


@derived.table
def cost_per_mw_table(data: Dataset, buyer: str, statuses: Sequence[str] = DEFAULT_STATUSES,
                      assumptions: Assumptions = DEFAULTS) -> pd.DataFrame:
    """cost_per_mw.csv: one row per counted deal of the buyer, with the best grade of its sources."""
    deals = metrics.buyer_deals(data.deals, buyer, statuses)
    return cost_per_mw(deals, data.benchmarks, assumptions).assign(
        best_source=metrics.best_reliability(deals, data.sources).to_numpy())


@derived.table
def versus_benchmarks_table(data: Dataset, buyer: str, statuses: Sequence[str] = DEFAULT_STATUSES,
                            assumptions: Assumptions = DEFAULTS) -> pd.DataFrame:
    """cost_vs_benchmarks.csv: the deals with a $/MW and the benchmarks, as the chart plots them."""
    return versus_benchmarks(cost_per_mw_table(data, buyer, statuses, assumptions), data.benchmarks)


@derived.table
def sensitivity_table(data: Dataset, buyer: str, statuses: Sequence[str] = DEFAULT_STATUSES,
                      assumptions: Assumptions = DEFAULTS) -> pd.DataFrame:
    """cost_sensitivity.csv: the tornado behind the derived $/MW."""
    return sensitivity(metrics.buyer_deals(data.deals, buyer, statuses), data.benchmarks, assumptions)
