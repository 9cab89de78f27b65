"""Charts and page tables of the scenario pages and of the page "Scenarios" that compares them.
Each chart plots exactly the table named in its footer (compute_deals.analysis.uncertainty's tables)."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from compute_deals.report import present
from compute_deals.report.charts import finished, projected_after
# The dependency chapter's axes and percentages, so the scenario charts read like its charts.
from compute_deals.report.charts.dependency import DATE_AXIS, SHARE_AXIS, percent
from compute_deals.analysis.dependency import NVIDIA
from compute_deals.analysis.registry import registry
from compute_deals.analysis.uncertainty import SHARE_DATES

INTERVAL = "5th to 95th percentile"


FORMATS = {
    "US dollars per MW": lambda v: present.DASH if pd.isna(v) else f"{present.usd(v)} per MW",
    "share": percent,
    "deals": lambda v: present.DASH if pd.isna(v) else f"{v:,.0f}",
    "US dollars": present.usd,
}


def shown(value: float, unit: str) -> str:
    return FORMATS[unit](value)


def interval(p5: float, p95: float, unit: str) -> str:
    """A figure's 5th–95th percentile range in words, or why there is none."""
    if pd.isna(p5):
        return "point value"
    if shown(p5, unit) == shown(p95, unit):
        return f"{shown(p5, unit)} in every draw"
    return f"{shown(p5, unit)} to {shown(p95, unit)}"


def band_chart(frame: pd.DataFrame, field: str, axis_title: str, axis: alt.Axis, scale: alt.Scale,
               tooltips: list, as_of: str) -> alt.LayerChart:
    """A line (the scenario's path) over a band (the draws' 5th to 95th percentile); after
    `as_of`, shaded as projected."""
    base = alt.Chart(frame).encode(x=alt.X("date:T", title=None, axis=DATE_AXIS))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y(f"{field}_p5:Q", title=axis_title, axis=axis, scale=scale),
        y2=f"{field}_p95:Q",
    )
    line = base.mark_line(point=True).encode(y=f"{field}:Q", tooltip=[
        alt.Tooltip("date:T", title="Quarter end", format="%Y-%m-%d"), *tooltips])
    return alt.layer(*projected_after(as_of, frame["date"].max()), band, line)


def share_band(frame: pd.DataFrame, buyer: str, scenario: str, draws: int, source: str,
               table: str, as_of: str) -> alt.LayerChart:
    """Nvidia's share of online MW over time under one scenario, with the Monte Carlo band."""
    chart = band_chart(frame, "nvidia_share", f"{NVIDIA}'s share of online MW", SHARE_AXIS,
                       alt.Scale(domain=[0, 1]), [
        alt.Tooltip("nvidia_share:Q", title="Share, this scenario", format=".1%"),
        alt.Tooltip("nvidia_share_p5:Q", title="Share, 5th percentile", format=".1%"),
        alt.Tooltip("nvidia_share_p95:Q", title="Share, 95th percentile", format=".1%"),
    ], as_of)
    return finished(
        chart, source, table,
        f"{NVIDIA}'s share of {buyer}'s online capacity in the scenario {scenario}",
        ["Share of the MW online at each quarter end that runs on its accelerators. Line: the "
         "scenario's parameters;", f"band: {INTERVAL} of {draws:,} draws over the ranges left open."],
        f"Line chart of {NVIDIA}'s share of {buyer}'s online capacity, quarter by quarter, in the "
        f"scenario {scenario}, with a Monte Carlo band.",
    )


def online_band(frame: pd.DataFrame, buyer: str, scenario: str, draws: int, source: str,
                table: str, as_of: str) -> alt.LayerChart:
    """MW online over time under one scenario, with the Monte Carlo band."""
    chart = band_chart(frame, "online_mw", "Online capacity (MW)", alt.Axis(format=",.0f"),
                       alt.Scale(zero=True), [
        alt.Tooltip("online_mw:Q", title="Online (MW), this scenario", format=",.0f"),
        alt.Tooltip("online_mw_p5:Q", title="Online (MW), 5th percentile", format=",.0f"),
        alt.Tooltip("online_mw_p95:Q", title="Online (MW), 95th percentile", format=",.0f"),
        alt.Tooltip("nvidia_mw:Q", title=f"On {NVIDIA} (MW), this scenario", format=",.0f"),
    ], as_of)
    return finished(
        chart, source, table,
        f"{buyer}'s contracted capacity as it comes online in the scenario {scenario}",
        ["Reported MW online at each quarter end (umbrellas net of their parts). Line: the "
         "scenario's parameters;", f"band: {INTERVAL} of {draws:,} draws over the ranges left open."],
        f"Line chart of {buyer}'s online capacity in MW, quarter by quarter, in the scenario "
        f"{scenario}, with a Monte Carlo band.",
    )


def comparison(frame: pd.DataFrame, buyer: str, source: str) -> alt.LayerChart:
    """Nvidia's share at the end of 2026 and 2028 in every scenario: a dot for the scenario's
    value, a bar for its interval (from uncertainty.scenario_comparison's long table)."""
    order = list(dict.fromkeys(frame["scenario"]))
    when = {name: f"End of {day[:4]}" for name, day in SHARE_DATES.items()}
    base = alt.Chart(frame).transform_filter(
        alt.FieldOneOfPredicate(field="figure", oneOf=list(when))
    ).transform_calculate(
        when=" || ".join(f"(datum.figure === '{k}' ? '{v}' : '')" for k, v in when.items())
    ).encode(
        y=alt.Y("scenario:N", sort=order, title=None),
        yOffset=alt.YOffset("when:N", sort=list(when.values())),
        color=alt.Color("when:N", sort=list(when.values()), title=None),
    )
    bars = base.mark_rule(strokeWidth=3, opacity=0.5).encode(
        x=alt.X("p5:Q", title=f"{NVIDIA}'s share of online MW", axis=SHARE_AXIS,
                scale=alt.Scale(domain=[0, 1])),
        x2="p95:Q",
    )
    dots = base.mark_point(filled=True, size=70).encode(x="value:Q", tooltip=[
        alt.Tooltip("scenario:N", title="Scenario"), alt.Tooltip("when:N", title="When"),
        alt.Tooltip("value:Q", title="This scenario", format=".1%"),
        alt.Tooltip("p5:Q", title="5th percentile", format=".1%"),
        alt.Tooltip("p95:Q", title="95th percentile", format=".1%"),
    ])
    return finished(
        alt.layer(bars, dots), source, "scenario_comparison.csv",
        f"{NVIDIA}'s share of {buyer}'s online capacity, scenario by scenario",
        ["Dot: the share at the end of each year under the scenario's parameters;",
         f"bar: the {INTERVAL} of the Monte Carlo draws. Every figure is in the table below."],
        f"Dot and range chart of {NVIDIA}'s share of {buyer}'s online capacity at the "
        f"{' and '.join(when.values()).lower()} in {len(order)} scenarios.",
        height=60 * len(order) + 40,
    )


def figures_page_table(intervals: pd.DataFrame) -> pd.DataFrame:
    """uncertainty.intervals for a reader: each figure with its unit, interval and what varies."""
    return pd.DataFrame({
        "Figure": intervals["label"],
        "This scenario": [shown(v, u) for v, u in intervals[["value", "unit"]].itertuples(index=False)],
        f"Monte Carlo, {INTERVAL}": [interval(a, b, u) for a, b, u in
                                      intervals[["p5", "p95", "unit"]].itertuples(index=False)],
        "What the draws vary": intervals["varied"],
    })


def comparison_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """uncertainty.scenario_comparison for a reader: one row per figure, one column per scenario
    (its name links to its page), each cell the value and its interval."""
    cells = frame.assign(cell=[
        f"{shown(v, u)} ({interval(a, b, u)})" if pd.notna(a) else shown(v, u)
        for v, a, b, u in frame[["value", "p5", "p95", "unit"]].itertuples(index=False)
    ])
    wide = cells.pivot(index="figure", columns="scenario", values="cell")
    figures = cells.drop_duplicates("figure").set_index("figure")
    order = list(dict.fromkeys(frame["scenario"]))
    table = pd.DataFrame({"Figure": figures["label"] + " (" + figures["unit"] + ")"})
    for name in order:
        table[scenario_link(name)] = wide[name]
    return table.reset_index(drop=True)


def scenario_link(name: str) -> present.Markup:
    """A scenario's name linking to its page (generated under scenarios/, beside notebooks/)."""
    escaped = html.escape(name)
    return present.Markup(f'<a href="../scenarios/{escaped}.html">{escaped}</a>')


def parameter_value(value) -> str:
    """A parameter's value as written in a parameter file: lists and mappings spelt out."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def changed_page_table(changed: dict) -> pd.DataFrame:
    """The parameters a page ran with that differ from their defaults; one row saying so if none."""
    declared = registry()
    if not changed:
        return pd.DataFrame({"Parameter": ["none"], "Value here": ["every parameter at its default"]})
    return pd.DataFrame({
        "Parameter": [present.Markup(f"<code>{html.escape(name)}</code>") for name in changed],
        "Value here": [parameter_value(value) for value in changed.values()],
        "Default": [parameter_value(declared[name].default) for name in changed],
        "Unit": [declared[name].unit for name in changed],
        "What it sets": [declared[name].meaning for name in changed],
    })


def figure_texts(intervals: pd.DataFrame) -> dict[str, str]:
    """For prose: each figure with its unit (figure name) and its interval (figure name + "_interval")."""
    texts = {}
    for row in intervals.itertuples(index=False):
        texts[row.figure] = shown(row.value, row.unit)
        texts[f"{row.figure}_interval"] = interval(row.p5, row.p95, row.unit)
    return texts


def held_text(held: dict) -> str:
    """The parameters a run holds, in a sentence."""
    if not held:
        return "every parameter at its default"
    return "; ".join(f"{name} = {parameter_value(value)}" for name, value in held.items())


def extremes(frame: pd.DataFrame, figure: str) -> dict[str, str]:
    """The scenarios with the lowest and the highest value of one figure (the first on a tie),
    for prose: names and values with units."""
    rows = frame[frame["figure"] == figure].reset_index(drop=True)
    values = rows["value"]
    if values.isna().all():  # no scenario gives the figure (nothing to divide): the first stands
        low = high = rows.iloc[0]
    else:
        low, high = rows.loc[values.idxmin()], rows.loc[values.idxmax()]
    return {"lowest_scenario": low["scenario"], "lowest": shown(low["value"], low["unit"]),
            "highest_scenario": high["scenario"], "highest": shown(high["value"], high["unit"])}


def scenarios_page_table(named: dict[str, dict]) -> pd.DataFrame:
    """Each scenario (linking to its page) and what it sets."""
    return pd.DataFrame({
        "Scenario": [scenario_link(name) for name in named],
        "Sets": [held_text(values) for values in named.values()],
    })
