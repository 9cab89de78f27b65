"""The one renderer that puts every chart on a page, and what all charts share.

The renderer emits a div with an id derived from the chart's spec (not a random uuid, so stored
notebook outputs are identical run to run and strict nbval holds) and a call to vegaEmbed, which the
book serves from its own _static/ folder (sphinx_ext.py): no chart loads anything from the internet.
Under each chart it writes the chart's source line and a link to the CSV of exactly what is plotted,
both carried in the spec's usermeta by `with_footer`. The recipes live in this package's modules,
one per page (glance.py, ...).
"""

from __future__ import annotations

import hashlib
import html
import json

import altair as alt

from compute_deals.tables import FOLDER as TABLES_FOLDER

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


def with_footer(chart: alt.TopLevelMixin, source: str, table: str) -> alt.TopLevelMixin:
    """Attach the chart's source line and the name of the CSV (in tables/) behind it."""
    return chart.properties(usermeta={"compute_deals": {"source": source, "table": table}})


def _footer_html(spec: dict) -> str:
    meta = spec.get("usermeta", {}).get("compute_deals")
    if not meta:
        return ""
    table = html.escape(meta["table"])
    return (
        f'<p class="cd-chart-footer"><span class="cd-source">Source: {html.escape(meta["source"])}</span>'
        f' <a class="cd-download" href="{TABLES_FOLDER}/{table}" download>'
        f"Download the data behind this chart ({table})</a></p>"
    )


def chart_html(spec: dict) -> str:
    """The HTML that draws one chart with the globally loaded vegaEmbed, and its footer."""
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
        "</script>\n" + _footer_html(spec)
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
