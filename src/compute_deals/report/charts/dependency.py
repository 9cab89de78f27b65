"""Charts and page tables of the page "Dependency on Nvidia". Each chart plots exactly the table
named in its footer (compute_deals.analysis.dependency's *_table functions)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from compute_deals.analysis import metrics
from compute_deals.report import present
from compute_deals.report.charts import finished, projected_after
from compute_deals.analysis.dependency import NVIDIA, SHARE_THRESHOLD

ABOVE = f"above {SHARE_THRESHOLD:.0%}"

DATE_AXIS = alt.Axis(format="%Y", tickCount="year")
SHARE_AXIS = alt.Axis(format="%")


# What Nvidia's share rests on, in every tooltip that shows it.
SHARE_BOUND_TOOLTIPS = [
    alt.Tooltip("nvidia_share_reported:Q", title="Share, reported vendors only", format=".1%"),
    alt.Tooltip("nvidia_share_floor:Q", title="Floor: unattributed not Nvidia", format=".1%"),
    alt.Tooltip("nvidia_share_ceiling:Q", title="Ceiling: unattributed all Nvidia", format=".1%"),
]


def quarter_label(date: pd.Timestamp) -> str:
    return f"Q{date.quarter} {date.year}"


def plain(value):
    """A numpy scalar as the Python number it holds: glue's format specs ({glue:text}`x:.0%`)
    parse the stored repr, which must be a plain number."""
    return value.item() if hasattr(value, "item") else value


def percent(value: float) -> str:
    return present.DASH if pd.isna(value) else f"{value:.0%}"


def vendor_share(frame: pd.DataFrame, buyer: str, source: str) -> alt.Chart:
    """Each reported vendor's share of contracted MW and of contracted dollars, side by side;
    the subtitle says how much names no vendor (that row has no share of the known)."""
    measures = {"share_of_known": "Capacity (reported MW)", "value_share_of_known": "Value (reported USD)"}
    unreported = frame[frame["share_of_known"].isna()]
    left_out = (f"Leaves out what names no vendor: {percent(unreported['share'].sum())} of the MW "
                f"and {percent(unreported['value_share'].sum())} of the USD.")
    chart = alt.Chart(frame).transform_filter("isValid(datum.share_of_known)").transform_fold(
        list(measures), as_=["measure", "fraction"]
    ).transform_calculate(
        measure_label=" || ".join(f"(datum.measure === '{k}' ? '{v}' : '')" for k, v in measures.items())
    ).mark_bar().encode(
        y=alt.Y("vendor:N", sort=list(frame["vendor"]), title=None),
        yOffset=alt.YOffset("measure_label:N", sort=list(measures.values())),
        x=alt.X("fraction:Q", title="Share of what names a vendor", axis=SHARE_AXIS),
        color=alt.Color("measure_label:N", sort=list(measures.values()), title=None),
        tooltip=[
            alt.Tooltip("vendor:N", title="Accelerator vendor"),
            alt.Tooltip("measure_label:N", title="Measure"),
            alt.Tooltip("fraction:Q", title="Share where vendor reported", format=".1%"),
            alt.Tooltip("capacity_mw:Q", title="Capacity (MW)", format=",.0f"),
            alt.Tooltip("share:Q", title="Share of all MW", format=".1%"),
            alt.Tooltip("value_usd:Q", title="Value (USD)", format="$,.3s"),
            alt.Tooltip("value_share:Q", title="Share of all USD", format=".1%"),
            alt.Tooltip("n_deals:Q", title="Deals"),
        ],
    )
    return finished(
        chart, source, "vendor_share.csv",
        f"Which accelerators {buyer}'s contracted capacity and dollars are on",
        ["Share of the reported MW and of the reported USD of the deals that count, by vendor.",
         left_out,
         "Umbrellas count net of their parts; cloud deals and the chips in them still overlap."],
        f"Bar chart: share of contracted capacity and of contract value by accelerator vendor "
        f"for the vendors of {buyer}'s deals.",
        height=40 * len(frame) + 40,
    )


ATTRIBUTION_OPACITY = alt.Scale(domain=list(metrics.ATTRIBUTIONS), range=[0.9, 0.55, 0.35, 0.2])


def online_by_vendor(frame: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.Chart:
    """Online MW over time, stacked by vendor, lighter as the vendor is less certain (reported,
    inferred, assumed for the installed base, unattributed)."""
    chart = alt.Chart(frame).mark_area().encode(
        x=alt.X("date:T", title=None, axis=DATE_AXIS),
        y=alt.Y("online_mw:Q", title="Online capacity (MW)", stack="zero"),
        color=alt.Color("vendor:N", title="Accelerator vendor"),
        opacity=alt.Opacity("attribution:N", title="Vendor", scale=ATTRIBUTION_OPACITY),
        order=alt.Order("vendor:N"),
        tooltip=[
            alt.Tooltip("date:T", title="Quarter end", format="%Y-%m-%d"),
            alt.Tooltip("vendor:N", title="Accelerator vendor"),
            alt.Tooltip("attribution:N", title="Vendor is"),
            alt.Tooltip("online_mw:Q", title="Online (MW)", format=",.0f"),
            alt.Tooltip("online_mw_low:Q", title="Low (MW)", format=",.0f"),
            alt.Tooltip("online_mw_high:Q", title="High (MW)", format=",.0f"),
        ],
    )
    return finished(
        alt.layer(*projected_after(as_of, frame["date"].max()), chart), source, "online_by_vendor.csv",
        f"{buyer}'s contracted capacity as it comes online, by accelerator vendor",
        ["Reported MW online at each quarter end: tranches at their dates, the rest ramped over "
         "each deal's window; the installed base closes the gap to the buyer's own fleet figures.",
         "Lighter: vendor inferred, assumed (installed base) or unattributed. Capacity without a "
         "complete window is not placed in time."],
        f"Stacked area chart of online capacity in MW by accelerator vendor, quarter by quarter, "
        f"for {buyer}.",
    )


def nvidia_share(frame: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.Chart:
    """Nvidia's share of online MW over time: a line, with the band from low/high capacities."""
    base = alt.Chart(frame).encode(x=alt.X("date:T", title=None, axis=DATE_AXIS))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("nvidia_share_low:Q", title=f"{NVIDIA}'s share of online MW", axis=SHARE_AXIS,
                scale=alt.Scale(domain=[0, 1])),
        y2="nvidia_share_high:Q",
    )
    bounds = base.mark_area(opacity=0.1).encode(y="nvidia_share_floor:Q", y2="nvidia_share_ceiling:Q")
    reported = base.mark_line(strokeDash=[4, 3], opacity=0.7).encode(y="nvidia_share_reported:Q")
    line = base.mark_line(point=True).encode(
        y="nvidia_share:Q",
        tooltip=[
            alt.Tooltip("date:T", title="Quarter end", format="%Y-%m-%d"),
            alt.Tooltip("nvidia_share:Q", title="Share of MW with a vendor", format=".1%"),
            alt.Tooltip("nvidia_share_low:Q", title="Share, low capacities", format=".1%"),
            alt.Tooltip("nvidia_share_high:Q", title="Share, high capacities", format=".1%"),
            *SHARE_BOUND_TOOLTIPS,
            alt.Tooltip("nvidia_mw:Q", title=f"{NVIDIA} (MW)", format=",.0f"),
            alt.Tooltip("total_mw:Q", title="All online (MW)", format=",.0f"),
        ],
    )
    return finished(
        alt.layer(*projected_after(as_of, frame["date"].max()), bounds, band, reported, line), source,
        "nvidia_share_timeline.csv",
        f"{NVIDIA}'s share of {buyer}'s online compute capacity, quarter by quarter",
        ["Line: share of the online MW with a vendor (reported, inferred, or assumed for the "
         "installed base). Dashed: reported vendors only.",
         "Dark band: low and high reported capacities. Light band: unattributed MW none or all Nvidia."],
        f"Line chart of {NVIDIA}'s share of {buyer}'s online capacity from "
        f"{frame['date'].min():%Y} to {frame['date'].max():%Y}, with a low-high band.",
    )


def delay_comparison(frame: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.Chart:
    """Nvidia's share path under each delay of the deployments that are not on Nvidia."""
    chart = alt.Chart(frame).transform_calculate(
        scenario="datum.delay_months === 0 ? 'As reported' : datum.delay_months + ' months later'"
    ).mark_line(point=True).encode(
        x=alt.X("date:T", title=None, axis=DATE_AXIS),
        y=alt.Y("nvidia_share:Q", title=f"{NVIDIA}'s share of online MW", axis=SHARE_AXIS,
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("scenario:N", title="Deployments not on " + NVIDIA,
                        sort=alt.EncodingSortField("delay_months")),
        strokeDash=alt.StrokeDash("scenario:N", sort=alt.EncodingSortField("delay_months")),
        tooltip=[
            alt.Tooltip("date:T", title="Quarter end", format="%Y-%m-%d"),
            alt.Tooltip("delay_months:Q", title="Delay (months)"),
            alt.Tooltip("nvidia_share:Q", title=f"{NVIDIA}'s share", format=".1%"),
        ],
    )
    return finished(
        alt.layer(*projected_after(as_of, frame["date"].max()), chart), source, "nvidia_share_delay.csv",
        f"If the other vendors' deployments slip, {NVIDIA}'s share of {buyer}'s capacity stays higher for longer",
        [f"{NVIDIA}'s share of online MW when every deployment not on its accelerators",
         "(deal windows and tranches) comes online later by the given number of months."],
        f"Line chart comparing {NVIDIA}'s share of online capacity under delays of "
        f"{', '.join(str(m) for m in sorted(frame['delay_months'].unique()))} months.",
    )


def concentration(frame: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.Chart:
    """The Herfindahl–Hirschman index and the number of vendors above the threshold, over time;
    after `as_of`, shaded as projected."""
    base = alt.Chart(frame).encode(
        x=alt.X("date:T", title=None, axis=DATE_AXIS),
        tooltip=[
            alt.Tooltip("date:T", title="Quarter end", format="%Y-%m-%d"),
            alt.Tooltip("hhi:Q", title="HHI (0–1)", format=".2f"),
            alt.Tooltip("vendors_above_5pct:Q", title=f"Vendors {ABOVE}"),
        ],
    )
    hhi = base.mark_line(point=True).encode(
        y=alt.Y("hhi:Q", title="Herfindahl–Hirschman index (0–1, line)", scale=alt.Scale(domain=[0, 1])),
    )
    count = base.mark_line(interpolate="step-after", strokeDash=[4, 3], color="#888").encode(
        y=alt.Y("vendors_above_5pct:Q", title=f"Vendors {ABOVE} (dashed)",
                axis=alt.Axis(tickMinStep=1, orient="right")),
    )
    return finished(
        alt.layer(*projected_after(as_of, frame["date"].max()), hhi, count).resolve_scale(y="independent"),
        source, "vendor_concentration.csv",
        f"How concentrated {buyer}'s online capacity is among accelerator vendors",
        ["Herfindahl–Hirschman index of the vendors' shares of online MW whose vendor is "
         "reported (1 = a single vendor),", f"and how many vendors hold more than {SHARE_THRESHOLD:.0%}."],
        f"Line chart of the Herfindahl–Hirschman index of accelerator vendors and the number of "
        f"vendors {ABOVE} of {buyer}'s online capacity, quarter by quarter.",
    )


def vendor_share_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """tables' vendor_share for a reader: units in the values, both kinds of share."""
    return pd.DataFrame({
        "Accelerator vendor": frame["vendor"],
        "Deals": frame["n_deals"],
        "Capacity": frame["capacity_mw"].map(present.megawatts),
        "Share of all MW": frame["share"].map(percent),
        "Share of MW with a vendor": frame["share_of_known"].map(percent),
        "Derived MW (in no share)": frame["capacity_mw_derived"].map(
            lambda mw: present.megawatts(mw) if mw > 0 else present.DASH),
        "Value": frame["value_usd"].map(present.usd),
        "Share of all USD": frame["value_share"].map(percent),
        "Share of USD with a vendor": frame["value_share_of_known"].map(percent),
        "Deals reporting MW / USD": frame["n_with_capacity"].astype(str) + " / "
        + frame["n_with_value"].astype(str),
    })


def unplaced_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """dependency.unplaced_by_vendor for a reader."""
    return pd.DataFrame({
        "Accelerator vendor": frame["vendor"],
        "Capacity not placed in time": frame["unplaced_mw"].map(present.megawatts),
        "Deals": frame["deals"],
    })


def reconciliation_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """dependency.reconciliation_table for a reader."""
    return pd.DataFrame({
        "Year end": frame["date"].dt.year.astype(str),
        "Fleet the buyer reports": frame["reported_mw"].map(present.megawatts),
        "Placed by the deals": frame["deals_mw"].map(present.megawatts),
        "Installed base (the gap)": frame["installed_mw"].map(present.megawatts),
        "Deals explain": frame["explained_share"].map(percent),
        "Model within 25%": frame["within_tolerance"].map({True: "yes", False: "no"}),
    })


def contracted_page_table(frame: pd.DataFrame) -> pd.DataFrame:
    """dependency.contracted_table for a reader."""
    return pd.DataFrame({
        "Year": frame["year"].astype(str),
        "What the buyer reports": frame["measure"].map(MEASURE_WORDS),
        "Its figure": frame["reported_mw"].map(present.megawatts),
        "Sites and cloud in the record": frame["sites_mw"].map(present.megawatts),
        "Record against the report": frame["sites_share"].map(percent),
        "Chip supply in the record (fills sites)": frame["chips_mw"].map(present.megawatts),
    })


MEASURE_WORDS = {"contracted": "under contract", "committed": "committed to (plans included)"}


def contracted_sentence(frame: pd.DataFrame, buyer: str) -> str:
    """The buyer's latest contracted total against the record (dependency.contracted_table)."""
    contracted = frame[frame["measure"] == "contracted"]
    if contracted.empty:
        return f"{buyer} reports no contracted total to set the record against."
    row = contracted.iloc[-1]
    return (f"For {int(row['year'])}, {buyer} reports {present.megawatts(row['reported_mw'])} under "
            f"contract. The record's signed site and cloud deals announced by the end of that year "
            f"hold {present.megawatts(row['sites_mw'])} ({percent(row['sites_share'])} of the "
            f"report), and its chip supply deals another {present.megawatts(row['chips_mw'])}.")
