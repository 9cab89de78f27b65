"""Charts and tables of the pages that compare buyers and look from the vendors' side."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from compute_deals.analysis import cost, metrics, vendors
from compute_deals.report import present
from compute_deals.analysis.buyers import page_names
from compute_deals.report.charts import (ROW_HEIGHT_PX, finished, first_projected_quarter,
                                  lighter_when_projected, projected_after, status_opacity)
from compute_deals.report.charts.dependency import DATE_AXIS, NVIDIA, SHARE_AXIS, SHARE_BOUND_TOOLTIPS, percent

SOURCE = ("{n} deals of {buyers} buyers in the Compute Deals dataset; each deal's sources are listed "
          "under Sources.")


def source_line(n_deals: int, n_buyers: int) -> str:
    return SOURCE.format(n=n_deals, buyers=n_buyers)


def _share_or_dash(value: float) -> str:
    return percent(value) if pd.notna(value) else present.DASH


def _range_cell(value: float, low: float, high: float) -> str:
    if pd.isna(value):
        return present.DASH
    return f"{percent(value)} ({percent(low)}–{percent(high)})"


def buyer_links(names: list[str]) -> list[present.Markup]:
    """Each buyer's name linking to its page (buyers/<slug>/, beside notebooks/), for a page in
    notebooks/. `names` are the buyers the book has pages for, in the build's order, so the
    numbered slugs of look-alike names match (buyers.page_names)."""
    folders = page_names(names)
    return [present.Markup(f'<a href="../buyers/{folders[name]}/index.html">{html.escape(name)}</a>')
            for name in names]


def _by_basis_cells(frame: pd.DataFrame) -> list[str]:
    """Each buyer's median $/MW per kind of price, with how many deals each rests on:
    "commitment $66.7M (3)"; a dash where it has none (buyers.medians_by_basis)."""
    bases = [c.removeprefix("n_priced_") for c in frame.columns if c.startswith("n_priced_")]
    cells = []
    for _, row in frame.iterrows():
        parts = [f"{basis} {present.usd(row[f'median_usd_per_mw_{basis}'])} ({row[f'n_priced_{basis}']})"
                 for basis in bases if row[f"n_priced_{basis}"] > 0]
        cells.append("; ".join(parts) or present.DASH)
    return cells


def comparison_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """buyers.comparison for a reader: one row per buyer (linking to its page), what each figure
    rests on beside it."""
    return pd.DataFrame({
        "Buyer": buyer_links(list(frame["buyer"])),
        "Deals": frame["n_deals"].astype(int),
        "Contracted": frame["contracted_mw"].map(present.megawatts),
        "Not placed in time": frame["unplaced_share"].map(_share_or_dash),
        "Priced value (commitments, purchases)": frame["priced_value_usd"].map(
            lambda v: present.usd(v) if pd.notna(v) else present.DASH),
        "Median per MW (priced deals)": [
            f"{present.usd(m)} ({n})" if pd.notna(m) else present.DASH
            for m, n in zip(frame["median_usd_per_mw"], frame["n_priced"])],
        "Median per MW by kind of price": _by_basis_cells(frame),
        "Nvidia, contracted MW with a vendor": [
            _share_or_dash(share) + (f" ({missing} of {n} Nvidia deals report no MW)" if missing else "")
            for share, missing, n in frame[["nvidia_share_contracted", "nvidia_deals_without_mw",
                                            "nvidia_deals"]].itertuples(index=False)],
        "Nvidia, priced USD with a vendor": frame["nvidia_value_share"].map(_share_or_dash),
        "Nvidia online, end 2026 (floor–ceiling)": [
            _range_cell(*v) for v in frame[["nvidia_share_2026", "nvidia_share_2026_floor",
                                            "nvidia_share_2026_ceiling"]].itertuples(index=False)],
        "Nvidia online, end 2028 (floor–ceiling)": [
            _range_cell(*v) for v in frame[["nvidia_share_2028", "nvidia_share_2028_floor",
                                            "nvidia_share_2028_ceiling"]].itertuples(index=False)],
        "Half of placed capacity online by": frame["half_online"].map(
            lambda d: present.day(d) if pd.notna(d) else present.DASH),
        "Record to": frame["record_through"].map(present.day),
    })


LANDING_COLUMNS = ["Buyer", "Deals", "Contracted", "Not placed in time",
                   "Priced value (commitments, purchases)", "Median per MW by kind of price",
                   "Nvidia online, end 2026 (floor–ceiling)", "Nvidia online, end 2028 (floor–ceiling)",
                   "Half of placed capacity online by"]


def landing_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The landing page's shorter comparison: the columns of comparison_page_table a first look needs."""
    return comparison_page_table(frame)[LANDING_COLUMNS]


def contracted_by_vendor(shares: pd.DataFrame, order: list[str], source: str) -> alt.Chart:
    """Each buyer's contracted MW stacked by accelerator vendor (vendors.buyer_shares)."""
    chart = alt.Chart(shares).mark_bar().encode(
        y=alt.Y("buyer:N", sort=order, title=None),
        x=alt.X("capacity_mw:Q", title="Contracted capacity (MW)", stack="zero"),
        color=alt.Color("vendor:N", title="Accelerator vendor"),
        order=alt.Order("vendor:N"),
        tooltip=[alt.Tooltip("buyer:N", title="Buyer"), alt.Tooltip("vendor:N", title="Vendor"),
                 alt.Tooltip("capacity_mw:Q", title="Contracted (MW)", format=",.0f"),
                 alt.Tooltip("share:Q", title="Share of the vendor's MW", format=".1%")],
    )
    return finished(
        chart, source, "vendor_buyers.csv",
        "Who has contracted how much capacity, on whose chips",
        ["Reported MW of the deals that count, by buyer and accelerator vendor (reported or",
         "inferred); 'Not reported' where no source names one. Umbrellas count net of their",
         "parts; cloud deals and the chips in them still overlap."],
        "Stacked bar chart: contracted megawatts per buyer, split by accelerator vendor.",
        height=ROW_HEIGHT_PX * len(order) + 60,
    )


def vendor_quarters(frame: pd.DataFrame, vendors: list[str], source: str) -> alt.Chart:
    """Contracted MW per announcement quarter, stacked by buyer, for the vendor picked in the menu
    under the chart (the first of `vendors`, Nvidia, to start)."""
    pick = alt.param(name="vendor_pick", value=vendors[0],
                     bind=alt.binding_select(options=vendors, name="Vendor: "))
    chart = alt.Chart(frame[frame["capacity_mw"] > 0]).mark_bar().encode(
        x=alt.X("quarter:O", title="Quarter announced"),
        y=alt.Y("sum(capacity_mw):Q", title="Contracted (MW)"),
        color=alt.Color("buyer:N", title="Buyer"),
        opacity=status_opacity(),
        tooltip=[alt.Tooltip("vendor:N", title="Vendor"), alt.Tooltip("buyer:N", title="Buyer"),
                 alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("sum(capacity_mw):Q", title="Contracted (MW)", format=",.0f"),
                 alt.Tooltip("sum(value_usd):Q", title="Priced value (USD)", format="$,.3s")],
    ).add_params(pick).transform_filter(alt.datum.vendor == pick)
    return finished(
        chart, source, "vendor_quarters.csv",
        "When each vendor's capacity was contracted, and by whom",
        ["MW on the vendor picked below (reported or inferred), by the quarter the deal was",
         "announced, whatever its deployment window; stacked by buyer.",
         "Fainter: letters of intent and talks, not contracts."],
        "Stacked bar chart: megawatts contracted per quarter on one accelerator vendor, by buyer; "
        "a menu picks the vendor.",
    )


def order_books_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """vendors.order_books for a reader."""
    return pd.DataFrame({
        "Vendor": frame["vendor"],
        "Contracted": frame["capacity_mw"].map(present.megawatts),
        "Buyers": frame["n_buyers"].astype(int),
        "Largest buyer": frame["largest_buyer"],
        "Its share": frame["largest_share"].map(percent),
        "Concentration (HHI, 0 to 1)": frame["hhi"].map(lambda v: f"{v:.2f}"),
    })


def comparison_sentences(table: pd.DataFrame) -> dict[str, str]:
    """The buyers chapter's finding: who has contracted the most, and how many can be compared
    online at all."""
    ranked = table.sort_values("contracted_mw", ascending=False, kind="stable")
    named = [f"{row.buyer} ({present.megawatts(row.contracted_mw)})" for row in ranked.head(3).itertuples()]
    placed = table[table["half_online"].notna()]["buyer"].tolist()
    lead = f"{present.listed(named, sep=', ', last=' and ')} have contracted the most capacity."
    missed = table[table["nvidia_deals_without_mw"] > 0]
    if len(missed):
        worst = missed.assign(_gap=missed["nvidia_deals_without_mw"] / missed["nvidia_deals"]).sort_values(
            ["_gap", "nvidia_deals"], ascending=False, kind="stable").iloc[0]
        lead += (f" Megawatt shares miss the deals that report only dollars: {len(missed)} of the "
                 f"{len(table)} buyers have Nvidia deals without megawatts ({worst['buyer']}: "
                 f"{worst['nvidia_deals_without_mw']} of {worst['nvidia_deals']}), so the table gives "
                 "Nvidia's share of priced dollars beside it.")
    if len(placed) == len(table):
        return {"lead_sentence": lead,
                "placed_sentence": "Every buyer has capacity the record can place in time."}
    return {
        "lead_sentence": lead,
        "placed_sentence": (
            f"Only {len(placed)} of the {len(table)} have any capacity the record can place in time "
            f"({present.listed(placed, sep=', ', last=' and ') or 'none'}): for the others the sources "
            "give no complete deployment window, so their online shares are blank rather than guessed."),
    }


def vendor_order(books: pd.DataFrame) -> list[str]:
    """The vendors in the order the chapter shows them (vendors.order_books: Nvidia first); the
    menu needs one entry even when no deal reports megawatts."""
    return list(books["vendor"]) or [metrics.NOT_REPORTED]


def vendor_sentences(books: pd.DataFrame) -> dict[str, str]:
    """The vendors chapter's finding: the leading vendor's share and dependence, and the most
    concentrated order book."""
    known = books[books["vendor"] != "Not reported"]
    if known.empty:
        return {"lead_vendor_sentence": "No deal in the record names an accelerator vendor.",
                "concentration_sentence": ""}
    lead = known.iloc[0]
    several = known[known["n_buyers"] > 1].sort_values("hhi", ascending=False, kind="stable")
    single = int((known["n_buyers"] == 1).sum())
    concentrated = (f"Among vendors with more than one buyer, {several.iloc[0]['vendor']}'s order book "
                    f"is the most concentrated: {several.iloc[0]['largest_buyer']} holds "
                    f"{percent(several.iloc[0]['largest_share'])} of it. " if len(several) else "")
    return {
        "lead_vendor_sentence": (
            f"{lead['vendor']} holds {percent(lead['capacity_mw'] / known['capacity_mw'].sum())} of the "
            f"contracted megawatts that name a vendor ({present.megawatts(lead['capacity_mw'])}), "
            f"across {int(lead['n_buyers'])} buyers; {lead['largest_buyer']} alone accounts for "
            f"{percent(lead['largest_share'])} of it."),
        "concentration_sentence": concentrated + (
            f"{single} vendors have a single buyer in the record." if single else ""),
    }


# The cross-buyer sections of the three analysis chapters ---------------------------------------

def cost_by_buyer(frame: pd.DataFrame, benchmarks: pd.DataFrame, source: str) -> alt.LayerChart:
    """Each buyer's priced deals' $/MW (buyers.priced_per_mw), their median, and the span of the
    published all-in benchmarks as a band behind them; the highest median on top."""
    order = list(frame.groupby("buyer")["usd_per_mw"].median().sort_values(ascending=False, kind="stable").index)
    low, high = cost.benchmark_spread(benchmarks)
    axis = alt.Axis(format="$~s")
    x = alt.X("usd_per_mw:Q", title="US dollars per MW", axis=axis, scale=alt.Scale(zero=True))
    y = alt.Y("buyer:N", sort=order, title=None)
    band = alt.Chart(pd.DataFrame({"low": [low], "high": [high]})).mark_rect(
        color="#888", opacity=0.15).encode(x=alt.X("low:Q", title="US dollars per MW", axis=axis), x2="high:Q")
    base = alt.Chart(frame).encode(y=y)
    ranges = base.mark_rule().encode(x=alt.X("usd_per_mw_low:Q", title="US dollars per MW", axis=axis),
                                     x2="usd_per_mw_high:Q", color=alt.Color("vendor:N", title="Accelerator vendor"))
    points = base.mark_circle(size=80).encode(
        x=x, color=alt.Color("vendor:N", title="Accelerator vendor"), opacity=status_opacity(),
        tooltip=[alt.Tooltip("buyer:N", title="Buyer"), alt.Tooltip("deal:N", title="Deal"),
                 alt.Tooltip("vendor:N", title="Accelerator vendor"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("value_basis:N", title="Value is a"),
                 alt.Tooltip("value_usd:Q", title="Value (USD)", format="$,.3s"),
                 alt.Tooltip("capacity_mw:Q", title="Capacity (MW)", format=",.0f"),
                 alt.Tooltip("usd_per_mw:Q", title="Per MW", format="$,.3s")])
    medians = base.mark_tick(color="black", thickness=2, size=ROW_HEIGHT_PX).encode(
        x=alt.X("median(usd_per_mw):Q", title="US dollars per MW", axis=axis),
        tooltip=[alt.Tooltip("buyer:N", title="Buyer"),
                 alt.Tooltip("median(usd_per_mw):Q", title="Median per MW", format="$,.3s"),
                 alt.Tooltip("count():Q", title="Priced deals")])
    return finished(
        alt.layer(band, ranges, points, medians), source, "cost_by_buyer.csv",
        "What a megawatt costs in each buyer's priced deals, against published all-in costs",
        ["Dots: deals whose value is a price and that report a capacity (value ÷ capacity).",
         "A line spans the reported range; the black tick is the buyer's median.",
         f"Grey band: published all-in costs, {present.usd(low)} to {present.usd(high)} per MW.",
         "Buyers with no such deal are left out; no derived figure is drawn."],
        f"Dot plot: cost per MW of {len(frame)} priced deals of {frame['buyer'].nunique()} buyers, "
        "with each buyer's median and the band of published benchmarks.",
        height=max(ROW_HEIGHT_PX * 2 * len(order), 80),
    )


def cost_by_buyer_sentence(frame: pd.DataFrame, n_buyers: int, benchmarks: pd.DataFrame) -> str:
    """How many buyers a price per MW can be given for, and how their medians compare with the
    published all-in costs."""
    low, high = cost.benchmark_spread(benchmarks)
    if frame.empty:
        return (f"None of the {n_buyers} buyers has a deal whose value is a price of capacity and that "
                "reports a capacity, so no cost per megawatt can be compared.")
    medians = frame.groupby("buyer")["usd_per_mw"].agg(["median", "size"]).sort_values("median", kind="stable")
    cheapest, dearest = medians.index[0], medians.index[-1]
    spread = (f"their medians run from {present.usd(medians.loc[cheapest, 'median'])} per MW "
              f"({cheapest}, {medians.loc[cheapest, 'size']} deals) to "
              f"{present.usd(medians.loc[dearest, 'median'])} ({dearest}, {medians.loc[dearest, 'size']})"
              if len(medians) > 1 else
              f"its median is {present.usd(medians['median'].iloc[0])} per MW over "
              f"{medians['size'].iloc[0]} deals")
    return (f"Only {len(medians)} of the {n_buyers} buyers have a deal whose value is a price of "
            f"capacity and that reports a capacity ({len(frame)} deals in all): {spread}, against "
            f"published all-in costs of {present.usd(low)} to {present.usd(high)} per MW. Few deals "
            "stand behind each median, and a cloud contract's price per MW is not a build cost.")


def share_by_buyer(frame: pd.DataFrame, source: str, as_of: str) -> alt.LayerChart:
    """Each buyer's Nvidia share of online capacity with a vendor at each quarter end
    (buyers.nvidia_share_by_buyer), one line per buyer."""
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("date:T", title=None, axis=DATE_AXIS),
        y=alt.Y("nvidia_share:Q", title=f"{NVIDIA}'s share of online MW with a vendor", axis=SHARE_AXIS,
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("buyer:N", title="Buyer"),
        tooltip=[alt.Tooltip("buyer:N", title="Buyer"),
                 alt.Tooltip("date:T", title="Quarter end", format="%Y-%m-%d"),
                 alt.Tooltip("nvidia_share:Q", title="Share of MW with a vendor", format=".1%"),
                 *SHARE_BOUND_TOOLTIPS,
                 alt.Tooltip("attributed_mw:Q", title="Online with a vendor (MW)", format=",.0f"),
                 alt.Tooltip("installed_mw:Q", title="Of which installed base (MW)", format=",.0f")],
    )
    return finished(
        alt.layer(*projected_after(as_of, frame["date"].max()), chart), source, "nvidia_share_by_buyer.csv",
        f"How much of each buyer's online capacity runs on {NVIDIA}",
        ["Share of the MW online at each quarter end whose vendor is reported, inferred",
         "or assumed (installed base). Each buyer's own page gives the range.",
         "Only buyers with capacity placed in time; a line starts with the first online."],
        f"Line chart: {NVIDIA}'s share of online capacity with a vendor, quarter by quarter, for "
        f"{frame['buyer'].nunique()} buyers.",
    )


def share_by_buyer_sentence(frame: pd.DataFrame, n_buyers: int, day: str = "2026-12-31") -> str:
    """The spread of Nvidia's online share across buyers at one quarter end."""
    at = frame[frame["date"] == pd.Timestamp(day)].sort_values("nvidia_share", kind="stable")
    placed = frame["buyer"].nunique()
    if at.empty:
        return f"The record places capacity in time for {placed} of the {n_buyers} buyers, none of it online by {day}."
    low, high = at.iloc[0], at.iloc[-1]
    return (f"At the end of {pd.Timestamp(day):%Y}, {NVIDIA}'s share of online capacity with a vendor runs "
            f"from {percent(low['nvidia_share'])} ({low['buyer']}) to {percent(high['nvidia_share'])} "
            f"({high['buyer']}) across the {len(at)} buyers with capacity online then; the record places "
            f"capacity in time for {placed} of the {n_buyers} buyers, so the others have no share.")


def ramping_together(frame: pd.DataFrame, source: str, as_of: str) -> alt.Chart:
    """Quarters by vendor, coloured by how many buyers ramp deals on that vendor in the quarter
    (vendors.ramping_together)."""
    shown = frame[["quarter", "vendor", "n_buyers", "buyers", "n_deals"]]
    chart = alt.Chart(shown).mark_rect().encode(
        x=alt.X("quarter:O", title="Quarter"),
        y=alt.Y("vendor:N", title=None),
        color=alt.Color("n_buyers:O", title="Buyers ramping", scale=alt.Scale(scheme="oranges")),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("vendor:N", title="Vendor"),
                 alt.Tooltip("n_buyers:Q", title="Buyers ramping"), alt.Tooltip("buyers:N", title="Buyers"),
                 alt.Tooltip("n_deals:Q", title="Deals ramping")],
    )
    first = first_projected_quarter(as_of)
    return finished(
        lighter_when_projected(chart, f"datum.quarter >= '{first}'"), source, "ramping_together.csv",
        "When several buyers ramp capacity on the same vendor at once",
        ["Buyers whose deals on the vendor (reported or inferred) have a deployment window",
         "open for a day of the quarter or more; open-ended windows run to the axis's end.",
         "Deals with no window, or no vendor, are left out."],
        "Heat map: for each quarter and accelerator vendor, how many of the buyers ramp deals on it.",
        height=ROW_HEIGHT_PX * max(shown["vendor"].nunique(), 1) + 80,
    )


def together_sentence(frame: pd.DataFrame) -> str:
    """The quarter in which the most buyers ramp on one vendor (vendors.most_buyers_together)."""
    most = vendors.most_buyers_together(frame)
    if most.empty:
        return "No two buyers in the record ramp capacity on the same vendor in the same quarter."
    first = most.iloc[0]
    several = int((frame["n_buyers"] >= 2).sum())
    return (f"In {first['quarter']}, {first['n_buyers']} buyers ramp deals on {first['vendor']} at once "
            f"({present.listed(first['buyers'].split('; '), sep=', ', last=' and ')}); in "
            f"{several} quarter-and-vendor cells two or more buyers do: where a slip in one vendor's "
            "deliveries would reach several labs at once. Windows with no reported end count to the "
            "end of the axis, so the later quarters lean on that convention.")
