"""Charts and tables of the pages that compare buyers and look from the vendors' side."""

from __future__ import annotations

import altair as alt
import pandas as pd

from compute_deals import metrics, present
from compute_deals.charts import ROW_HEIGHT_PX, finished, status_opacity
from compute_deals.charts.dependency import percent

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


def comparison_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """buyers.comparison for a reader: one row per buyer, what each figure rests on beside it."""
    return pd.DataFrame({
        "Buyer": frame["buyer"],
        "Deals": frame["n_deals"].astype(int),
        "Contracted": frame["contracted_mw"].map(present.megawatts),
        "Not placed in time": frame["unplaced_share"].map(_share_or_dash),
        "Priced value (commitments, purchases)": frame["priced_value_usd"].map(
            lambda v: present.usd(v) if pd.notna(v) else present.DASH),
        "Median per MW (priced deals)": [
            f"{present.usd(m)} ({n})" if pd.notna(m) else present.DASH
            for m, n in zip(frame["median_usd_per_mw"], frame["n_priced"])],
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
        ["Reported megawatts of the deals that count, by buyer and accelerator vendor (reported or "
         "inferred); 'Not reported' where no source names one.",
         "Each buyer's umbrellas count net of their parts; cloud deals and the chips in them still overlap."],
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
        ["Reported megawatts attributed to the vendor picked below (reported or inferred), by the "
         "quarter the deal was announced, stacked by buyer.",
         "Fainter: letters of intent and talks, not contracts. A deal counts in the quarter it was "
         "announced, whatever its deployment window."],
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
