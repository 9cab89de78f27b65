"""One buyer's page: its three analyses in brief, from the chapters' own recipes.

The book runs the page template (notebooks/buyer_page.ipynb) once per buyer. Its figures are the
chapters' charts of that buyer, under the same table names, so each page's download links point to
its own folder's tables/ (written by the build: tables.BUYER_PAGE_TABLES). A buyer with too little
in the record for a chart gets a line saying so in its place: a short page, never an error.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from compute_deals.analysis import buyers, cost, dependency, headlines, metrics, overlaps
from compute_deals.report import present
from compute_deals.report.charts import cost as cost_recipes
from compute_deals.report.charts import dependency as dependency_recipes
from compute_deals.report.charts import overlaps as overlap_recipes
from compute_deals.report.charts.dependency import percent
from compute_deals.facts.load import Dataset


def nothing_to_draw(text: str) -> HTML:
    """What a figure's place holds when the record gives it nothing to draw."""
    return HTML(f'<p class="cd-nothing-drawn">{html.escape(text)}</p>')


def figures(data: Dataset, buyer: str, parameters: dict, as_of: str) -> dict[str, object]:
    """The page's figures by glue name: the chapters' charts of this buyer, or a line saying why
    there is none."""
    p = headlines.with_defaults(parameters)
    statuses = p["statuses"]
    deals = metrics.summable(metrics.buyer_deals(data.deals, buyer, statuses))
    source = present.source_line(deals, buyer)
    scenario = {name: p[name] for name in ("ramp_shape", "non_nvidia_delay_months", "installed_nvidia_share",
                                           "worded_window_slip_months")}
    versus = cost.versus_benchmarks_table(data, buyer, statuses, headlines.cost_assumptions(p))
    online = dependency.online_by_vendor_table(data, buyer, statuses, **scenario)
    timeline = dependency.nvidia_share_timeline(online)  # as nvidia_share_timeline_table, same paths
    placed = online["online_mw"].sum() > 0
    counted = metrics.counted(metrics.deals_of(data.deals, buyer), statuses)
    return {
        "fig-buyer-cost": (
            cost_recipes.versus_benchmarks(versus, buyer, cost_recipes.source_line(counted, buyer, data.benchmarks))
            if (versus["section"] != "benchmark").any() else
            nothing_to_draw(f"No deal of {buyer} reports both a value and a capacity, or one of them "
                            "with what it takes to derive the other: there is no cost per megawatt to draw.")),
        "fig-buyer-online": (
            dependency_recipes.online_by_vendor(online, buyer, source, as_of) if placed else
            nothing_to_draw(f"No deal of {buyer} has a complete deployment window or dated phase, "
                            "so none of its capacity can be placed in time.")),
        "fig-buyer-share": (
            dependency_recipes.nvidia_share(timeline, buyer, source, as_of) if placed else
            nothing_to_draw(f"With nothing placed in time, there is no share of {buyer}'s online "
                            "capacity to draw.")),
        "fig-buyer-gantt": overlap_recipes.gantt(overlaps.gantt_table(data, buyer, statuses),
                                                 buyer, present.source_line(counted, buyer), as_of),
    }


def _or_dash(value, shown) -> str:
    return shown(value) if pd.notna(value) else present.DASH


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _summary(row: dict, buyer: str) -> str:
    capacity = (f"{present.megawatts(row['contracted_mw'])} of contracted capacity"
                + (f" ({percent(row['unplaced_share'])} of it with no deployment window)"
                   if pd.notna(row["unplaced_share"]) else "")
                if row["contracted_mw"] > 0 else "no reported megawatts")
    money = (f"{present.usd(row['priced_value_usd'])} of values that are a price of capacity"
             if pd.notna(row["priced_value_usd"]) else "no value that is a price of capacity")
    return (f"The record holds {_counted(row['n_deals'], 'deal', 'deals')} of {buyer}, complete to "
            f"{present.long_date(row['record_through'])}: {capacity}, and {money}.")


def _share(row: dict, buyer: str) -> str:
    nvidia = dependency.NVIDIA
    if pd.notna(row["nvidia_share_2026"]):
        low, high = row["nvidia_share_2026_floor"], row["nvidia_share_2026_ceiling"]
        bounds = ("" if percent(low) == percent(high) else
                  f" ({percent(low)} to {percent(high)} as the megawatts with no vendor are none or "
                  f"all {nvidia}'s)")
        text = (f"{nvidia} runs {percent(row['nvidia_share_2026'])} of the online capacity with a vendor "
                f"at the end of 2026{bounds} and {_or_dash(row['nvidia_share_2028'], percent)} at the "
                "end of 2028.")
    elif pd.notna(row["half_online"]):
        text = (f"None of the capacity the record places in time for {buyer} by the end of 2026 names a "
                f"vendor, so {nvidia}'s share of it cannot be given.")
    else:
        text = f"The record places none of {buyer}'s capacity in time, so there is no online share."
    if pd.notna(row["nvidia_share_contracted"]):
        text += (f" Of the contracted megawatts that name a vendor, {nvidia} holds "
                 f"{percent(row['nvidia_share_contracted'])}.")
    return text


def _timeline(row: dict, peak: dict) -> str:
    text = (f"Half of the capacity the record places in time is online by {present.day(row['half_online'])}; "
            if pd.notna(row["half_online"]) else "None of the reported capacity can be placed in time; ")
    n = peak["deals_ramping"]
    return text + (f"at most {_counted(n, 'deal ramps', 'deals ramp')} up in one quarter "
                   f"(from {peak['first_quarter']})." if n else "no deal has a deployment window.")


def texts(data: Dataset, buyer: str, parameters: dict) -> dict[str, str]:
    """The page's sentences, from the buyer's row of the comparison (buyers.buyer_row), so the page
    and the landing page's table say the same."""
    row = buyers.buyer_row(data, buyer, parameters)
    peak = overlaps.peak(overlaps.concurrency_table(data, buyer, headlines.with_defaults(parameters)["statuses"]))
    cost_text = (
        f"The median cost per megawatt of the {_counted(row['n_priced'], 'deal', 'deals')} whose value "
        f"is a price of capacity and that report a capacity is {present.usd(row['median_usd_per_mw'])}."
        if pd.notna(row["median_usd_per_mw"]) else
        f"No deal of {buyer} has both a price of capacity and a reported capacity, so no cost per "
        "megawatt is reported; any figure on the chart is derived, and marked so.")
    return {"buyer": buyer, "summary_sentence": _summary(row, buyer), "cost_sentence": cost_text,
            "share_sentence": _share(row, buyer), "timeline_sentence": _timeline(row, peak)}
