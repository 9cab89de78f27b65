"""Every chart in the book: the Altair recipes, and the one renderer that puts them on a page.

The renderer emits a div with an id derived from the chart's spec (not a random uuid, so stored
notebook outputs are identical run to run and strict nbval holds) and a call to vegaEmbed, which the
book serves from its own _static/ folder (sphinx_ext.py): no chart loads anything from the internet.
"""

from __future__ import annotations

import hashlib
import json

import altair as alt
import pandas as pd

RENDERER = "compute-deals"
CHART_CLASS = "cd-chart"
EMBED_OPTIONS = {
    # Keep vega-embed's menu for saving the chart as SVG/PNG; hide the links that need the internet.
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    # SVG keeps marks in the DOM: crisp at any zoom, and countable by the browser test.
    "renderer": "svg",
}
ROW_HEIGHT_PX = 22
STATUS_OPACITY = {"signed": 1.0, "loi": 0.55, "talks": 0.35, "superseded": 0.25, "cancelled": 0.15}


def chart_id(spec: dict) -> str:
    return "cd-chart-" + hashlib.sha256(_spec_json(spec).encode()).hexdigest()[:16]


def _spec_json(spec: dict) -> str:
    # "</" would end the <script> element early if a value in data/ contained "</script>".
    return json.dumps(spec, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")


def chart_html(spec: dict) -> str:
    """The HTML that draws one chart with the globally loaded vegaEmbed."""
    element = chart_id(spec)
    return (
        f'<div class="{CHART_CLASS}" id="{element}"></div>\n'
        "<script>\n"
        "(function () {\n"
        f'  var el = document.getElementById("{element}");\n'
        '  if (typeof vegaEmbed !== "function") {\n'
        '    el.textContent = "This chart needs the book\'s vega bundle (open it from the built book).";\n'
        "    return;\n"
        "  }\n"
        f"  vegaEmbed(el, {_spec_json(spec)}, {json.dumps(EMBED_OPTIONS, sort_keys=True)})\n"
        "    .catch(function (err) { el.textContent = String(err); console.error(err); });\n"
        "})();\n"
        "</script>"
    )


def _render(spec: dict, **_metadata) -> dict:
    description = spec.get("description", "Chart")
    return {"text/html": chart_html(spec), "text/plain": description}


def use_book_renderer() -> None:
    """Make every chart display through chart_html (call once per notebook)."""
    alt.renderers.register(RENDERER, _render)
    alt.renderers.enable(RENDERER)


def javascript_bundle() -> str:
    """vega, vega-lite and vega-embed in one script, matching the Vega-Lite version Altair writes.

    Wrapped in a function so the bundle's minified top-level names stay out of the page's global
    scope (loaded raw they clash with Sphinx's own scripts); it still sets window.vegaEmbed.
    """
    import vl_convert

    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    return "(function () {\n" + vl_convert.javascript_bundle(vl_version=version) + "\n})();\n"


def deal_timeline(timeline: pd.DataFrame, buyer: str) -> alt.Chart:
    """Each deal on its own row: a dot when announced, a bar for its deployment window."""
    order = list(timeline["deal"])
    base = alt.Chart(timeline).encode(
        y=alt.Y("deal:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("vendor:N", title="Accelerator vendor"),
        opacity=alt.Opacity(
            "status:O",
            sort=list(STATUS_OPACITY),
            title="Status",
            scale=alt.Scale(domain=list(STATUS_OPACITY), range=list(STATUS_OPACITY.values())),
        ),
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
    return (
        alt.layer(bars, dots)
        .properties(
            width="container",
            # The page's width; a fixed height per deal (a discrete height step would make
            # Vega-Lite warn that it drops fitting in y).
            height=ROW_HEIGHT_PX * len(timeline),
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
            title=alt.TitleParams(
                f"When {buyer}'s compute deals were announced and when their capacity comes online",
                subtitle=[
                    "Diamond: announcement. Bar: deployment window, where reported.",
                    "Fainter marks are not signed contracts (letters of intent, talks, superseded).",
                ],
                anchor="start",
            ),
            description=f"Timeline of {len(timeline)} compute deals of {buyer}: announcement dates "
            "and deployment windows by accelerator vendor.",
        )
    )
