"""Charts of the page "The deals at a glance"."""

from __future__ import annotations

import altair as alt
import pandas as pd

from compute_deals.report.charts import (ROW_HEIGHT_PX, finished, label_limit, most_relevant, projected_after,
                                  status_opacity)


def deal_timeline(timeline: pd.DataFrame, buyer: str, source: str, as_of: str) -> alt.Chart:
    """Each deal on its own row: a dot when announced, a bar for its deployment window; after
    `as_of`, shaded as projected."""
    # Plots tables.deal_timeline, which the footer offers for download (the latest deals of it
    # when there are too many to draw).
    drawn = most_relevant(timeline, "deal_id", "announced", "deals", "latest announcements")
    order = list(drawn.rows["deal"])
    base = alt.Chart(drawn.rows).encode(
        y=alt.Y("deal:N", sort=order, title=None, axis=alt.Axis(labelLimit=label_limit(260))),
        color=alt.Color("vendor:N", title="Accelerator vendor"),
        opacity=status_opacity(),
        tooltip=[
            alt.Tooltip("counterparty:N", title="Counterparty"),
            alt.Tooltip("deal_id:N", title="Deal id"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("vendor:N", title="Accelerator vendor"),
            alt.Tooltip("announced:T", title="Announced", format="%Y-%m-%d"),
            alt.Tooltip("deploy_start:T", title="Deployment from", format="%Y-%m-%d"),
            alt.Tooltip("deploy_end:T", title="Deployment to", format="%Y-%m-%d"),
        ],
    )
    windows = base.transform_filter("isValid(datum.deploy_start) && isValid(datum.deploy_end)")
    bars = windows.mark_bar(height=10, cornerRadius=2).encode(
        x=alt.X("deploy_start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
        x2="deploy_end:T",
    )
    dots = base.mark_point(filled=True, size=60, shape="diamond").encode(x="announced:T")
    return finished(
        alt.layer(*projected_after(as_of, drawn.rows[["announced", "deploy_end"]].max().max()),
                  bars, dots),
        source, "deal_timeline.csv",
        f"When {buyer}'s compute deals were announced and when their capacity comes online",
        ["Diamond: announcement. Bar: deployment window, where reported.",
         "Fainter marks are not signed contracts (letters of intent, talks, superseded)."],
        f"Timeline of {len(timeline)} compute deals of {buyer}: announcement dates and deployment "
        "windows by accelerator vendor.",
        height=ROW_HEIGHT_PX * len(drawn.rows), drawn=drawn,
    )
