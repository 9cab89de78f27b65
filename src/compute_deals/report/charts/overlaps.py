"""Charts and page tables of the page "Timeline overlaps" (derivations in compute_deals.analysis.overlaps)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from compute_deals.analysis import cost, metrics
from compute_deals.report import present
from compute_deals.analysis.overlaps import HORIZON_END, ONLINE, REPORTED, Longest, largest_years
from compute_deals.report.charts import (ROW_HEIGHT_PX, Drawn, finished, first_projected_quarter, first_projected_year,
                                  label_limit, lighter_when_projected, most_relevant, projected_after,
                                  status_opacity)

YEAR_AXIS = alt.Axis(format="%Y", tickCount="year")
# The most pairs the heat map draws: each names up to two deals on both axes, and past about 80
# deals (2,400 px at 30 px a row) the cells and their labels are no longer legible.
HEATMAP_PAIRS = 40


def vendor_colours(vendors) -> alt.Scale:
    """One colour per vendor, assigned in name order, so a vendor keeps its colour across charts
    drawn with the same list (blank vendors, as in the buyer's own figures, are no vendor)."""
    return alt.Scale(domain=sorted({v for v in vendors if v}), scheme="tableau10")


def reported_source_line(deals: pd.DataFrame, reported: pd.DataFrame, buyer: str) -> str:
    """The deals' source line, plus the sources of the buyer's own capacity figures."""
    line = present.source_line(deals, buyer)
    if reported.empty:
        return line
    n_sources = reported["sources"].explode().nunique()
    return f"{line} {buyer}'s own capacity figures: {n_sources} further cited sources."


def gantt(frame: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.LayerChart:
    """Each deal on its row: announcement, deployment window and contract term (overlaps.gantt);
    the deals announced last when there are too many to draw; after `as_of`, shaded as projected."""
    announced = frame["start"].where(frame["segment"] == "Announcement")
    drawn = most_relevant(frame.assign(_announced=announced), "deal_id", "_announced", "deals",
                          "latest announcements")
    frame = drawn.rows.drop(columns="_announced")
    rows = list(dict.fromkeys(frame["row"]))
    colours = vendor_colours(frame["vendor"])
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=label_limit(300))),
        # Padding: a diamond on the first or last date is drawn whole, not cut by the plot's edge.
        x=alt.X("start:T", title=None, axis=YEAR_AXIS, scale=alt.Scale(padding=8)),
        color=alt.Color("vendor:N", title="Accelerator vendor", scale=colours),
        opacity=status_opacity(),
        tooltip=[
            alt.Tooltip("deal:N", title="Deal"), alt.Tooltip("deal_id:N", title="Deal id"),
            alt.Tooltip("status:N", title="Status"), alt.Tooltip("vendor:N", title="Accelerator vendor"),
            alt.Tooltip("segment:N", title="Shown"),
            alt.Tooltip("start:T", title="From", format="%Y-%m-%d"),
            alt.Tooltip("end:T", title="To", format="%Y-%m-%d"),
            alt.Tooltip("note:N", title="Note"),
        ],
    )

    def segment(name: str):
        return base.transform_filter(alt.datum.segment == name)

    terms = segment("Contract term").mark_bar(height=4).encode(x2="end:T")
    windows = segment("Deployment window").mark_bar(height=12, cornerRadius=2).encode(x2="end:T")
    # A pale fill under a dashed outline (both coloured by vendor): a window with one end assumed.
    assumed = segment("Deployment window, one end assumed").encode(x2="end:T")
    assumed_fill = assumed.mark_bar(height=12, cornerRadius=2, fillOpacity=0.3)
    assumed_outline = assumed.mark_bar(height=12, cornerRadius=2, filled=False, strokeDash=[4, 2],
                                       strokeWidth=1.5)
    announced = segment("Announcement").mark_point(filled=True, size=60, shape="diamond")
    return finished(
        alt.layer(*projected_after(as_of, frame["end"].max()), terms, windows, assumed_fill,
                  assumed_outline, announced),
        source, "gantt.csv",
        f"When {buyer}'s deals were announced, ramp up and run",
        ["Diamond: announcement. Thick bar: deployment window; dashed and pale where one end "
         "is not reported.",
         "Thin bar: contract term. Fainter marks are not signed contracts (the row says which)."],
        f"Gantt chart of {drawn.n_total} deals of {buyer}: announcement, deployment window and "
        "contract term, coloured by accelerator vendor, fainter when not signed.",
        height=ROW_HEIGHT_PX * len(rows), drawn=drawn,
    )


def overlap_heatmap(longest: Longest, buyer: str, source: str) -> alt.Chart:
    """Days each pair of deployment windows overlaps, both ways round (a symmetric matrix): the
    longest HEATMAP_PAIRS overlaps of the table of the longest (overlaps.longest_overlaps)."""
    n_pairs = longest.n_pairs
    drawn = most_relevant(longest.pairs, ["deal_a", "deal_b"], "overlap_days", "pairs",
                          "longest overlaps", n=HEATMAP_PAIRS)
    if n_pairs > len(longest.pairs):  # the CSV holds the longest only: say where every pair is
        drawn = Drawn(drawn.rows, n_pairs, f"Drawn: the {len(drawn.rows):,} longest of {n_pairs:,} "
                      f"overlapping pairs; the CSV has the {len(longest.pairs):,} longest, "
                      "the command python -m compute_deals overlaps lists every pair.")
    overlaps = drawn.rows
    # Both axes in one order: by each deal's earliest overlap, then by name.
    either = pd.concat([overlaps.rename(columns={side: "label"}) for side in ("label_a", "label_b")])
    order = list(either.sort_values(["overlap_start", "label"], kind="stable")["label"].drop_duplicates())
    n_deals = len(order)
    # Each pair is one row of the table; fold it into (a, b) and (b, a) to fill both triangles.
    chart = alt.Chart(overlaps).transform_fold(["label_a", "label_b"], as_=["side", "x_deal"]) \
        .transform_calculate(y_deal="datum.side === 'label_a' ? datum.label_b : datum.label_a") \
        .transform_calculate(years="datum.overlap_days / 365.25")
    encoding = {
        "x": alt.X("x_deal:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=label_limit(200))),
        "y": alt.Y("y_deal:N", sort=order, title=None, axis=alt.Axis(labelLimit=label_limit(260))),
        "tooltip": [
            alt.Tooltip("label_a:N", title="Deal"), alt.Tooltip("label_b:N", title="Overlaps with"),
            alt.Tooltip("overlap_start:T", title="From", format="%Y-%m-%d"),
            alt.Tooltip("overlap_end:T", title="To", format="%Y-%m-%d"),
            alt.Tooltip("overlap_days:Q", title="Days", format=","),
            alt.Tooltip("bound_assumed:N", title="A window end assumed"),
        ],
    }
    cells = chart.mark_rect().encode(
        color=alt.Color("overlap_days:Q", title="Days", scale=alt.Scale(scheme="oranges", domainMin=0)),
        **encoding,
    )
    labels = chart.mark_text(fontSize=10).encode(text=alt.Text("years:Q", format=".1f"), **encoding)
    longest_days = f"{longest.pairs['overlap_days'].max():,} days" if n_pairs else "none"
    return finished(
        alt.layer(cells, labels), source, "longest_overlaps.csv",
        f"{n_pairs:,} pairs of {buyer}'s deployment windows overlap; longest: {longest_days}",
        ["Days both deployment windows are open (numbers in the cells: years).",
         f"A window with no reported end is taken as open to {present.day(HORIZON_END)}."],
        f"Heat map of the days each pair of {buyer}'s deployment windows overlap: "
        f"{n_pairs:,} pairs with any overlap.",
        height=max(n_deals, 2) * 30, drawn=drawn,
    )


def concurrency_bars(concurrency: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.Chart:
    """Deals ramping per quarter; the quarters at the peak count stand out, those not over by
    `as_of` are lighter (projected)."""
    most = int(concurrency["deals_ramping"].max())
    # The deals by name in the tooltip, a dozen at most per quarter (the CSV names them all).
    named = concurrency[["quarter", "deals_ramping"]].assign(
        deals=concurrency["deals"].map(lambda names: present.listed(names.split("; "))))
    chart = alt.Chart(named).transform_calculate(
        at_peak=f"datum.deals_ramping === {most} ? 'Peak count' : 'Fewer deals'",
    ).mark_bar().encode(
        x=alt.X("quarter:O", sort=list(concurrency["quarter"]), title=None,
                axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("deals_ramping:Q", title="Deals ramping", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("at_peak:N", title=None, sort=["Peak count", "Fewer deals"],
                        scale=alt.Scale(range=["#d95f02", "#9ecae1"])),
        tooltip=[alt.Tooltip("quarter:N", title="Quarter"),
                 alt.Tooltip("deals_ramping:Q", title="Deals ramping"),
                 alt.Tooltip("deals:N", title="Deals"), alt.Tooltip("period:N", title="Period")],
    )
    chart = lighter_when_projected(chart, f"datum.quarter >= '{first_projected_quarter(as_of)}'")
    return finished(
        chart, source, "concurrency.csv",
        f"Up to {most} of {buyer}'s deals ramp up in the same quarter",
        ["Deals whose deployment window is open for at least a day of the quarter "
         "(superseded rows left out)."],
        f"Bar chart of how many of {buyer}'s deals are ramping up in each quarter; the peak is "
        f"{most}. Quarters from {first_projected_quarter(as_of)} on are lighter: projected from "
        "announced schedules.",
        height=260,
    )


def online_capacity(frame: pd.DataFrame, buyer: str, source: str, as_of: str,
                    vendors=()) -> alt.LayerChart:
    """MW online under the deals per vendor (stacked), and the buyer's own figures as points;
    after `as_of`, shaded as projected. `vendors` (e.g. the Gantt chart's) keeps each vendor's
    colour the same across the page."""
    online = frame[frame["measure"] == ONLINE]
    has_figures = (frame["measure"] == REPORTED).any()
    base = alt.Chart(frame)
    x = alt.X("date:T", title=None, axis=YEAR_AXIS)
    area = base.transform_filter(alt.datum.measure == ONLINE).mark_area().encode(
        x=x, y=alt.Y("capacity_mw:Q", stack="zero", title="MW online"),
        color=alt.Color("vendor:N", title="Accelerator vendor",
                        scale=vendor_colours([*vendors, *frame["vendor"]])),
        tooltip=[alt.Tooltip("date:T", title="Quarter end", format="%Y-%m-%d"),
                 alt.Tooltip("vendor:N", title="Accelerator vendor"),
                 alt.Tooltip("capacity_mw:Q", title="MW online", format=",.0f")],
    )
    points = base.transform_filter(alt.datum.measure == REPORTED).mark_point(
        filled=True, size=90, color="black",
    ).encode(
        x=x, y="capacity_mw:Q", shape=alt.Shape("measure:N", title=None),
        tooltip=[alt.Tooltip("date:T", title="End of", format="%Y"),
                 alt.Tooltip("capacity_mw:Q", title=f"MW {buyer} reports", format=",.0f")],
    )
    reported = (f"Black points: what {buyer} says it runs, at the end of each year." if has_figures
                else f"{buyer} has reported no capacity figures of its own in the data.")
    latest = online[online["date"] == online["date"].max()]["capacity_mw"].sum() if len(online) else 0.0
    return finished(
        # No points layer without figures: its legend would be empty, and an empty legend under
        # the plot (EMBED_OPTIONS) makes Vega lay the chart out infinitely tall.
        alt.layer(*projected_after(as_of, frame["date"].max()), area,
                  *([points] if has_figures else [])),
        source, "online_capacity.csv",
        f"Capacity online under {buyer}'s deals reaches {present.megawatts(latest)} by "
        f"{online['date'].max():%Y}" if len(online) else
        f"No capacity of {buyer}'s deals can be placed in time",
        ["MW online at each quarter end by accelerator vendor, from the book's ramp model.",
         "Capacity with no complete window or dated tranche cannot be placed and is left out.",
         reported],
        f"Stacked area chart of the MW online under {buyer}'s deals by vendor, with the buyer's "
        f"own figures as points. {reported}",
        height=320,
    )


def annual_commitments(annual: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.Chart:
    """Committed value per year, stacked by counterparty (one segment per deal); when there are
    too many deals to draw apart, the rest summed per year as one segment. Years not over by
    `as_of` are lighter (projected)."""
    drawn = most_relevant(annual, "deal_id", "value_usd", "deals", "largest yearly amounts",
                          lump={"counterparty": "Other counterparties", "deal": "Other deals",
                                "deal_id": "", "spread_over": ""},
                          lump_by=("year",), lump_sum=("value_usd",))
    chart = alt.Chart(drawn.rows).transform_calculate(value_b="datum.value_usd / 1e9").mark_bar().encode(
        x=alt.X("year:O", sort=sorted(annual["year"].unique()), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value_b:Q", stack="zero", title="US$ billions per year"),
        color=alt.Color("counterparty:N", title="Counterparty"),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("deal:N", title="Deal"),
                 alt.Tooltip("counterparty:N", title="Counterparty"),
                 alt.Tooltip("value_b:Q", title="US$ billions that year", format=",.1f"),
                 alt.Tooltip("spread_over:N", title="Spread over"), alt.Tooltip("period:N", title="Period")],
    )
    chart = lighter_when_projected(chart, f"datum.year >= {first_projected_year(as_of)}")
    headline = commitments_sentence(largest_years(annual), buyer).rstrip(".")
    return finished(
        chart, source, "annual_commitments.csv", headline,
        ["Headline values spread evenly over each contract term (or deployment window),",
         "US$ billions per calendar year, by counterparty.",
         "An umbrella agreement counts only what the deals within it leave."],
        f"Stacked bars of {buyer}'s deal values spread over their terms, per year and "
        f"counterparty; years from {first_projected_year(as_of)} on are lighter: projected.",
        height=320, drawn=drawn,
    )


def capacity_sentence(against: pd.DataFrame, buyer: str) -> str:
    """The last year the buyer reports: its figure against what the deals have online then."""
    if against.empty:
        return f"{buyer} has reported no capacity figures of its own in the data."
    last = against.iloc[-1]
    share = f" ({last['online_mw'] / last['reported_mw']:.0%} of it)" if last["reported_mw"] else ""
    return (f"At the end of {int(last['year'])}, the ramp model has {present.megawatts(last['online_mw'])} "
            f"online under these deals, against the {present.megawatts(last['reported_mw'])} {buyer} "
            f"says it ran{share}.")


def commitments_sentence(largest: pd.DataFrame, buyer: str) -> str:
    """The year the spread values pile up most, and the next largest (overlaps.largest_years)."""
    if largest.empty:
        return f"None of {buyer}'s deal values can be spread over time."
    years = [f"{int(row.year)} ({present.usd(row.value_usd)})" for row in largest.head(2).itertuples()]
    return "Spread over their terms, commitments are largest in " + ", then ".join(years) + "."


# Reader's tables for the page (present.html_table escapes them).

def overlap_list(overlaps: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Deal": overlaps["label_a"], "Overlaps with": overlaps["label_b"],
        "From": overlaps["overlap_start"].map(present.day), "To": overlaps["overlap_end"].map(present.day),
        "Days": overlaps["overlap_days"].map("{:,}".format),
        "A window end assumed": overlaps["bound_assumed"].map({True: "yes", False: "no"}),
    })


def value_list(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals with a value (overlaps.not_spread, overlaps.not_committed), with its kind of money."""
    return pd.DataFrame({"Deal": deals["deal"], "Kind": deals["kind"].str.replace("_", " "),
                         "Kind of money": deals["value_basis"].map(cost.BASIS_WORDS).fillna(""),
                         "Value (USD)": deals["value_usd"].map(present.usd)})


def unplaced_list(unplaced: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Capacity that cannot be placed in time (ramp.unplaced), with the deals' labels."""
    labels = metrics.labels_by_id(deals)
    return pd.DataFrame({"Deal": unplaced["deal_id"].map(labels), "Accelerator vendor": unplaced["vendor"],
                         "Capacity not placed": unplaced["unplaced_mw"].map(present.megawatts)})
