"""Charts, table and words of the page "Cost per megawatt" (numbers from compute_deals.analysis.cost)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from compute_deals.analysis import cost
from compute_deals.report import present
from compute_deals.report.charts import ROW_HEIGHT_PX, finished, label_limit, most_relevant, status_opacity

MONEY = "$.3~s"  # d3 format: $29M, $13.3M
BASIS_SHAPES = {cost.REPORTED: "circle", cost.DERIVED: "diamond"}
# Reported figures are filled with a solid range line; derived ones hollow with a dashed line.
BASIS_STYLES = ((cost.REPORTED, True, [1, 0]), (cost.DERIVED, False, [4, 3]))
TORNADO_ROW_PX = 2 * ROW_HEIGHT_PX  # one band per deal, split between the assumptions


def source_line(deals: pd.DataFrame, buyer: str, benchmarks: pd.DataFrame) -> str:
    """The deals' source line, naming every benchmark plotted beside them."""
    line = present.source_line(deals, buyer)
    if benchmarks.empty:
        return line
    n_sources = benchmarks["sources"].explode().nunique()
    return (f"{line} Benchmarks: {', '.join(benchmarks['label'])} (benchmarks.csv, from "
            f"{n_sources} cited sources).")


def _legend_below(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure_legend(orient="bottom", direction="vertical")  # side by side, under the plot


def _basis_shape() -> alt.Shape:
    return alt.Shape("basis:N", title="Basis",
                     scale=alt.Scale(domain=list(BASIS_SHAPES), range=list(BASIS_SHAPES.values())))


def _deal_marks(base: alt.Chart, x: alt.X, low: alt.X, high: str) -> list[alt.Chart]:
    """Each deal's figure and its line from low to high, styled by basis."""
    marks = []
    for basis, filled, dash in BASIS_STYLES:
        chosen = base.transform_filter(f"datum.basis === '{basis}'")
        marks.append(chosen.mark_rule(strokeWidth=2, strokeDash=dash).encode(x=low, x2=high))
        marks.append(chosen.mark_point(size=80, strokeWidth=2, filled=filled).encode(
            x=x, shape=_basis_shape()))
    return marks


def _money(field: str, title: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", title=title, format=MONEY)


def versus_benchmarks(frame: pd.DataFrame, buyer: str, source: str) -> alt.LayerChart:
    """Every deal's $/MW with its range, under the published benchmarks (points or bands)."""
    # Plots cost.versus_benchmarks (cost_vs_benchmarks.csv), top to bottom in its order: every
    # benchmark, and the deals of largest reported capacity when there are too many to draw.
    is_benchmark = frame["section"] == "benchmark"
    drawn = most_relevant(frame[~is_benchmark], "id", "capacity_mw", "deals",
                          "largest reported capacity")
    frame = pd.concat([frame[is_benchmark], drawn.rows], ignore_index=True)
    x_title = "US dollars per MW"
    scale = alt.Scale(zero=True)
    axis = alt.Axis(format="$~s", grid=False)  # the benchmarks are the reference lines
    y = alt.Y("row:N", sort=list(frame["row"]), title=None, axis=alt.Axis(
        labelLimit=label_limit(300),
        labelFontWeight=alt.when("indexof(datum.value, 'Benchmark: ') === 0").then(alt.value("bold"))
        .otherwise(alt.value("normal")),
    ))
    tooltip = [
        alt.Tooltip("row:N", title="Row"), alt.Tooltip("id:N", title="Id"),
        alt.Tooltip("basis:N", title="Basis"), alt.Tooltip("detail:N", title="What it is"),
        alt.Tooltip("status:N", title="Status"), alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("vendor:N", title="Accelerator vendor"),
        _money("usd_per_mw", "Per MW"), _money("usd_per_mw_low", "Low"),
        _money("usd_per_mw_high", "High"),
    ]
    benchmarks = alt.Chart(frame).transform_filter("datum.section === 'benchmark'")
    points = benchmarks.transform_filter("isValid(datum.usd_per_mw)")
    ranges = benchmarks.transform_filter("isValid(datum.usd_per_mw_low)")
    deals = alt.Chart(frame).transform_filter("datum.section !== 'benchmark'").encode(
        y=y, color=alt.Color("vendor:N", title="Accelerator vendor"),
        opacity=status_opacity(), tooltip=tooltip,
    )
    layers = [
        ranges.mark_rect(color="#888", opacity=0.12).encode(
            x=alt.X("usd_per_mw_low:Q", scale=scale, title=x_title, axis=axis), x2="usd_per_mw_high:Q"),
        points.mark_rule(color="#888", strokeDash=[2, 3]).encode(
            x=alt.X("usd_per_mw:Q", scale=scale, title=x_title, axis=axis)),
        ranges.mark_bar(height=8, color="#444").encode(
            x=alt.X("usd_per_mw_low:Q", scale=scale, title=x_title, axis=axis), x2="usd_per_mw_high:Q",
            y=y, tooltip=tooltip),
        points.mark_point(shape="square", filled=True, size=70, color="#444").encode(
            x=alt.X("usd_per_mw:Q", scale=scale, title=x_title, axis=axis), y=y, tooltip=tooltip),
        *_deal_marks(deals, alt.X("usd_per_mw:Q", scale=scale, title=x_title, axis=axis),
                     alt.X("usd_per_mw_low:Q", scale=scale, title=x_title, axis=axis),
                     "usd_per_mw_high:Q"),
    ]
    n_deals = int((frame["section"] != "benchmark").sum())
    return _legend_below(finished(
        alt.layer(*layers), source, "cost_vs_benchmarks.csv",
        f"What a megawatt costs in {buyer}'s deals, against published all-in costs",
        ["US dollars per MW: value ÷ capacity, a line from low to high.",
         "Filled circle: both figures reported. Hollow diamond, dashed line: one figure derived.",
         "Grey line or band: a published benchmark. Superseded rows, at the bottom, are not counted."],
        f"Cost per MW of {n_deals} deals of {buyer}, reported or derived, with their ranges, "
        f"against {len(frame) - n_deals} published benchmarks.",
        height=ROW_HEIGHT_PX * max(len(frame), 1), drawn=drawn,
    ))


def _apart_last(frame: pd.DataFrame, column: str) -> list[str]:
    """Deal labels, highest `column` first, superseded rows after the rest."""
    ordered = frame.assign(_apart=frame["status"] == "superseded").sort_values(
        ["_apart", column], ascending=[True, False], kind="stable")
    return list(ordered["deal"])


def per_mw_year(table: pd.DataFrame, buyer: str, source: str) -> alt.LayerChart:
    """$/MW-year of the deals that report a contract term, coloured by what is being bought."""
    # Plots cost_per_mw.csv (cost.cost_per_mw), keeping the rows that have a per-year figure (of
    # largest reported capacity, when there are too many to draw).
    drawn = most_relevant(table[table["usd_per_mw_year"].notna()], "deal_id", "capacity_mw",
                          "deals", "largest reported capacity")
    shown = drawn.rows
    x = "US dollars per MW per year of contract"
    base = alt.Chart(shown).transform_filter("isValid(datum.usd_per_mw_year)").encode(
        y=alt.Y("deal:N", sort=_apart_last(shown, "usd_per_mw_year"), title=None,
                axis=alt.Axis(labelLimit=label_limit(300))),
        color=alt.Color("kind:N", title="Kind of deal"),
        opacity=status_opacity(),
        tooltip=[
            alt.Tooltip("deal:N", title="Deal"), alt.Tooltip("deal_id:N", title="Deal id"),
            alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("basis:N", title="Basis"),
            alt.Tooltip("term_years:Q", title="Term (years)"),
            _money("usd_per_mw", "Per MW"), _money("usd_per_mw_year", "Per MW-year"),
            _money("usd_per_mw_year_low", "Per MW-year, low"),
            _money("usd_per_mw_year_high", "Per MW-year, high"),
        ],
    )
    axis = alt.Axis(format="$~s")
    layers = _deal_marks(base, alt.X("usd_per_mw_year:Q", title=x, axis=axis),
                         alt.X("usd_per_mw_year_low:Q", title=x, axis=axis), "usd_per_mw_year_high:Q")
    return _legend_below(finished(
        alt.layer(*layers), source, "cost_per_mw.csv",
        "Per MW and per year of contract: rentals and purchases on one footing",
        ["US dollars per MW per year: value ÷ capacity ÷ the reported term in years,",
         "a line from low to high. Only the deals that report a term."],
        f"Cost per MW per year of contract for the {drawn.n_total} deals of {buyer} that report "
        "a term, by kind of deal.",
        height=ROW_HEIGHT_PX * max(len(shown), 1), drawn=drawn,
    ))


def sensitivity_tornado(frame: pd.DataFrame, buyer: str, source: str) -> alt.LayerChart:
    """For each derived $/MW, how far each assumption moves it across its range."""
    # Plots cost.sensitivity (cost_sensitivity.csv): the deals of widest swing when there are
    # too many to draw.
    drawn = most_relevant(frame, "deal_id", "swing_usd_per_mw", "deals", "widest swings")
    frame = drawn.rows
    deals = list(dict.fromkeys(frame["deal"]))
    assumptions = list(dict.fromkeys(frame["assumption_label"]))
    x = "US dollars per MW"
    base = alt.Chart(frame).transform_calculate(
        low="min(datum.usd_per_mw_at_low, datum.usd_per_mw_at_high)",
        high="max(datum.usd_per_mw_at_low, datum.usd_per_mw_at_high)",
    ).encode(
        y=alt.Y("deal:N", sort=deals, title=None, axis=alt.Axis(labelLimit=label_limit(300))),
        tooltip=[
            alt.Tooltip("deal:N", title="Deal"), alt.Tooltip("assumption_label:N", title="Assumption"),
            alt.Tooltip("setting:Q", title="Setting", format=".3~s"),
            alt.Tooltip("setting_low:Q", title="Low end", format=".3~s"),
            alt.Tooltip("setting_high:Q", title="High end", format=".3~s"),
            _money("usd_per_mw", "Per MW at the settings"),
            _money("usd_per_mw_at_low", "Per MW at the low end"),
            _money("usd_per_mw_at_high", "Per MW at the high end"),
            _money("swing_usd_per_mw", "Swing"),
        ],
    )
    by_assumption = base.encode(
        yOffset=alt.YOffset("assumption_label:N", sort=assumptions),
        color=alt.Color("assumption_label:N", sort=assumptions, title="Assumption"),
    )
    layers = [
        by_assumption.mark_bar(height=6).encode(
            x=alt.X("low:Q", title=x, scale=alt.Scale(zero=False), axis=alt.Axis(format="$~s")),
            x2="high:Q"),
        by_assumption.mark_point(filled=True, size=25).encode(x="low:Q"),
        by_assumption.mark_point(filled=True, size=25).encode(x="high:Q"),
        base.mark_tick(color="black", thickness=2, size=TORNADO_ROW_PX - 6).encode(x="usd_per_mw:Q"),
    ]
    return _legend_below(finished(
        alt.layer(*layers), source, "cost_sensitivity.csv",
        "Which assumption moves each derived cost per MW most",
        ["US dollars per MW of each deal with a derived figure, with one assumption at the low",
         "and at the high end of its range, the others at their settings. Black tick: the figure",
         "at the settings. A dot alone: that assumption does not enter the figure."],
        f"Tornado chart: how {len(assumptions)} assumptions move the derived cost per MW of "
        f"{drawn.n_total} deals of {buyer}.",
        height=TORNADO_ROW_PX * max(len(deals), 1), drawn=drawn,
    ))


def _usd_range(value: float, low: float, high: float) -> str:
    """A figure, and its range where the range is not a single point."""
    if pd.isna(value) or (low == value and high == value):
        return present.usd(value)
    return f"{present.usd(value)} ({present.usd(low)} to {present.usd(high)})"


def _value_cell(row) -> str:
    if pd.notna(row.value_usd_derived):
        return f"≈ {present.usd(row.value_usd_derived)} (derived)"
    return present.with_range(row.value_usd, row.value_usd_low, row.value_usd_high, present.usd)


def _capacity_cell(row) -> str:
    if pd.isna(row.capacity_mw) and pd.notna(row.capacity_mw_derived):
        return (f"≈ {present.megawatts(row.capacity_mw_derived)} (derived from "
                f"{row.accelerators:,.0f} accelerators)")
    return present.with_range(row.capacity_mw, row.capacity_mw_low, row.capacity_mw_high,
                              present.megawatts)


def _basis_cell(row) -> str:
    if row.basis == cost.DERIVED:
        return f"derived ({row.derived})"
    return row.basis.replace("_", " ")


def page_table(table: pd.DataFrame) -> pd.DataFrame:
    """cost_per_mw as a reader's table: priced deals first (highest first), superseded rows last."""
    rank = table["basis"].map({cost.REPORTED: 0, cost.DERIVED: 1, cost.NOT_COMPUTABLE: 2})
    ordered = table.assign(_apart=table["status"] == "superseded", _rank=rank).sort_values(
        ["_apart", "_rank", "usd_per_mw"], ascending=[True, True, False], kind="stable")
    rows = list(ordered.itertuples(index=False))
    return pd.DataFrame({
        "Deal": [r.deal for r in rows],
        "Status": [r.status for r in rows],
        "Kind": [r.kind.replace("_", " ") for r in rows],
        "Value": [_value_cell(r) for r in rows],
        "Kind of money": [(r.value_basis or present.DASH).replace("_", " ")
                          + ("" if r.value_is_price or not r.value_basis else " (not a price)")
                          for r in rows],
        "Capacity": [_capacity_cell(r) for r in rows],
        "Per MW": [_usd_range(r.usd_per_mw, r.usd_per_mw_low, r.usd_per_mw_high) for r in rows],
        "Per MW-year": [
            _usd_range(r.usd_per_mw_year, r.usd_per_mw_year_low, r.usd_per_mw_year_high)
            if pd.notna(r.usd_per_mw_year)
            else r.per_year_reason if pd.notna(r.usd_per_mw) else present.DASH
            for r in rows
        ],
        "Basis": [_basis_cell(r) for r in rows],
        "Why not computable": [r.reason or present.DASH for r in rows],
        "Best source": [present.grade_cell(r.best_source) for r in rows],
    })


def _names(labels) -> str:
    """Labels as a list in words: "A", "A and B", "A, B and C"; "none" for no labels."""
    labels = list(labels)
    return present.listed(labels, ", ", " and ") if labels else "none"


def _reported_finding(counted: pd.DataFrame, benchmarks: pd.DataFrame) -> str:
    reported = counted[counted["basis"] == cost.REPORTED].sort_values("usd_per_mw", kind="stable")
    if reported.empty:
        return f"None of the {len(counted)} deals that count reports both a value and a capacity."
    cheapest, dearest = reported.iloc[0], reported.iloc[-1]
    text = (f"{len(reported)} of the {len(counted)} deals that count report both a value and a "
            f"capacity: their value per MW runs from {present.usd(cheapest.usd_per_mw)} "
            f"({cheapest.deal}) to {present.usd(dearest.usd_per_mw)} ({dearest.deal}), with a "
            f"median of {present.usd(reported['usd_per_mw'].median())}.")
    if benchmarks.empty:
        return text
    low, high = cost.benchmark_spread(benchmarks)
    below = int((reported["usd_per_mw"] < low).sum())
    above = int((reported["usd_per_mw"] > high).sum())
    return (f"{text} Published all-in costs run from {present.usd(low)} to {present.usd(high)} "
            f"per MW: {below} of these deals sit below that spread, "
            f"{len(reported) - below - above} within it and {above} above it.")


def _derived_finding(counted: pd.DataFrame, benchmarks: pd.DataFrame,
                     assumptions: cost.Assumptions) -> str:
    by_value = counted[counted["derived"] == "value"]
    by_capacity = counted[counted["derived"] == "capacity"]
    parts = []
    if not by_value.empty:
        parts.append(
            f"{len(by_value)} report a capacity but no value ({_names(by_value['deal'])}): their "
            f"value is derived at a benchmark ({_benchmark_used(benchmarks, assumptions)}), so their "
            "cost per MW is that benchmark by construction; what the derivation adds is a value, "
            "in the table below.")
    if by_capacity.empty:
        parts.append("No deal reports a value and an accelerator count without a capacity, so no "
                     "cost per MW here rests on a derived capacity.")
    else:
        parts.append(f"{len(by_capacity)} report a value and an accelerator count but no capacity "
                     f"({_names(by_capacity['deal'])}): their capacity is derived from the count.")
    return " ".join(parts)


def _accelerators_only(counted: pd.DataFrame) -> str:
    """Deals whose only figure is an accelerator count: what the power method makes of it."""
    only = counted[counted["value_usd"].isna() & counted["capacity_mw"].isna()
                   & counted["capacity_mw_derived"].notna()]
    if only.empty:
        return "No deal reports an accelerator count alone."
    each = [f"{r.deal}, {r.accelerators:,.0f} accelerators: about "
            f"{present.megawatts(r.capacity_mw_derived)}" for r in only.itertuples()]
    return (f"Where a deal reports an accelerator count and nothing else ({present.listed(each)}), the "
            "method gives a capacity but there is no value to set against it.")


def _method_check(counted: pd.DataFrame) -> str:
    both = counted[counted["capacity_mw"].notna() & counted["capacity_mw_derived"].notna()]
    if both.empty:
        return "No deal reports both an accelerator count and a capacity to check the method on."
    each = [f"{r.deal}: {present.megawatts(r.capacity_mw_derived)} from {r.accelerators:,.0f} "
            f"accelerators against {present.megawatts(r.capacity_mw)} reported"
            for r in both.itertuples()]
    return ("Where a deal reports both an accelerator count and a capacity, the power method can "
            f"be checked against it: {present.listed(each)}.")


def _per_year_finding(counted: pd.DataFrame) -> str:
    priced = counted[counted["basis"] != cost.NOT_COMPUTABLE]
    yearly = priced[priced["usd_per_mw_year"].notna()]
    once = priced[priced["usd_per_mw_year"].isna()]
    by_kind = [f"{kind.replace('_', ' ')}: {_names(group['deal'])}"
               for kind, group in yearly.groupby("kind", sort=True)]
    return (f"{len(yearly)} of the {len(priced)} priced deals that count report a contract term and "
            f"are compared per MW-year as well ({present.listed(by_kind) or 'none'}). The other "
            f"{len(once)} report no term and are compared per MW only.")


def _tornado_finding(tornado: pd.DataFrame) -> str:
    if tornado.empty:
        return "No deal has a derived cost per MW, so there is nothing for the assumptions to move."
    swing = tornado.groupby("assumption_label", sort=False)["swing_usd_per_mw"].max()
    still = list(swing[swing == 0].index)
    text = (f"Of the assumptions, {swing.index[0]} moves the derived figures most: by up to "
            f"{present.usd(swing.iloc[0])} per MW across its range.")
    if still:
        text += f" {_names(still)} do not move them at all with this data."
    return text


def _superseded_note(table: pd.DataFrame) -> str:
    apart = table[(table["status"] == "superseded") & (table["basis"] != cost.NOT_COMPUTABLE)]
    if apart.empty:
        return "No superseded row has a cost per MW."
    each = [f"{r.deal.removesuffix(cost.SUPERSEDED_MARK)}, {present.usd(r.usd_per_mw)} per MW"
            for r in apart.itertuples()]
    return (f"Superseded rows are shown apart and left out of the counts above: {present.listed(each)}. "
            "A later row replaced each one's figures.")


def _tdp_table(assumptions: cost.Assumptions) -> str:
    chips = ", ".join(f"{chip} {kw:g} kW" for chip, kw in assumptions.accelerator_tdp_kw.items())
    vendors = ", ".join(f"{vendor} {kw:g} kW" for vendor, kw in assumptions.vendor_tdp_kw.items())
    return f"{chips or 'none by chip'}; otherwise by vendor: {vendors or 'none'}"


def prose(table: pd.DataFrame, tornado: pd.DataFrame, benchmarks: pd.DataFrame,
          assumptions: cost.Assumptions) -> dict[str, str | int | float]:
    """Every number and sentence the page glues into its prose, from the data and the settings."""
    counted = table[table["status"] != "superseded"]
    ranged = {p.name: p for p in cost.PARAMETERS}
    return {
        "n_counted": len(counted),
        "finding": _reported_finding(counted, benchmarks),
        "derived_finding": _derived_finding(counted, benchmarks, assumptions),
        "not_computable": _names(counted.loc[counted["basis"] == cost.NOT_COMPUTABLE, "deal"]),
        "n_not_computable": int((counted["basis"] == cost.NOT_COMPUTABLE).sum()),
        "superseded_note": _superseded_note(table),
        "per_year_finding": _per_year_finding(counted),
        "tornado_finding": _tornado_finding(tornado),
        "accelerators_only": _accelerators_only(counted),
        "method_check": _method_check(counted),
        "tdp_table": _tdp_table(assumptions),
        "pue": assumptions.pue,
        "pue_low": ranged["pue"].low,
        "pue_high": ranged["pue"].high,
        "server_overhead": assumptions.server_overhead,
        "server_overhead_low": ranged["server_overhead"].low,
        "server_overhead_high": ranged["server_overhead"].high,
        "tdp_scale_low": ranged["tdp_scale"].low,
        "tdp_scale_high": ranged["tdp_scale"].high,
        "benchmark_used": _benchmark_used(benchmarks, assumptions),
    }


def _benchmark_used(benchmarks: pd.DataFrame, assumptions: cost.Assumptions) -> str:
    chosen = cost.chosen_benchmark(benchmarks, assumptions.value_benchmark)
    if pd.isna(chosen.usd_per_mw):
        return chosen.problem
    label = benchmarks.set_index("benchmark_id").loc[assumptions.value_benchmark, "label"]
    return f"{label}, {present.usd(chosen.usd_per_mw)} per MW"


def for_glue(values: dict[str, str | int | float]) -> dict[str, object]:
    """Text as escaped Markdown for {glue:md}; numbers as they are, for {glue:text}."""
    return {name: present.markdown_text(v) if isinstance(v, str) else v for name, v in values.items()}
