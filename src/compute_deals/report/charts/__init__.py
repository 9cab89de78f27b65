"""The one renderer that puts every chart on a page, and what all charts share.

The renderer emits a div with an id derived from the chart's spec (not a random uuid, so stored
notebook outputs are identical run to run and strict nbval holds) and a call to vegaEmbed, which the
book serves from its own _static/ folder (sphinx_ext.py): no chart loads anything from the internet.
Under each chart it writes the chart's source line and a link to the CSV of exactly what is plotted,
both carried in the spec's usermeta by `with_footer`. A notebook opened in Jupyter has no vegaEmbed,
and does not display glued outputs: `place` glues the chart for the book and shows the notebook's
reader the same spec drawn by vl-convert as a static image. The recipes live in this package's
modules, one per page (glance.py, ...).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import textwrap
from dataclasses import dataclass

import altair as alt
import pandas as pd

from compute_deals.report.html_names import CARD_LINES, CHART_CLASS, FOR_THE_BOOK_ENV, TABLES_FOLDER

RENDERER = "compute-deals"
# A chart narrower than a tablet, in Vega's expression language. vl-convert has no container (its
# width is 0 there): a static chart is drawn as on a desktop.
NARROW = "(containerSize()[0] > 0 && containerSize()[0] < 500)"
EMBED_OPTIONS = {
    # Keep vega-embed's menu for saving the chart as SVG/PNG; hide the links that need the internet.
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    # SVG keeps marks in the DOM: crisp at any zoom, and countable by the browser test.
    "renderer": "svg",
    "config": {
        "legend": {
            # Under the plot, not beside it: on a phone the plot keeps the screen's width.
            "orient": "bottom", "symbolLimit": 0,
            # Three columns of entries; one on a phone, where more run past the chart's edge.
            "columns": {"expr": f"{NARROW} ? 1 : 3"},
            # A chart's legends one under another, each from the left: side by side they ran
            # past the chart's right edge ("Basis: repor").
            "layout": {"bottom": {"anchor": "start", "direction": "vertical"}},
        },
        # An x axis's title ends where the plot ends and runs left, into the row labels' room (one
        # centred under a phone's narrow plot ran past both edges). A label whose tick is within
        # 20 px of an end (half a year label and the padding) is aligned to its tick from inside.
        "axisX": {"titleAnchor": "end", "labelFlush": 20},
    },
}
# Lines of a title and of its subtitle, in characters: what fits a phone's chart (about 300 px
# of SVG beside the chart's menu) at Vega's title and subtitle font sizes. Vega does not wrap them.
TITLE_CHARS = 40
SUBTITLE_CHARS = 48
STATIC_CLASS = "cd-static-chart"  # the image a notebook shows in Jupyter (place)
# The static image's width: the book's text column at desktop width (an interactive chart takes
# its container's width, which a static one does not have).
STATIC_WIDTH_PX = 720
ROW_HEIGHT_PX = 22
HEIGHT_PX = 300  # a chart over time
STATUS_OPACITY = {"signed": 1.0, "loi": 0.55, "talks": 0.35, "superseded": 0.25, "cancelled": 0.15}
# The most deals (or pairs, or other items) a chart draws one by one. At ROW_HEIGHT_PX a row, 60
# rows are about 1,300 px: more than that is no longer read as one picture, Vega-Lite's labels
# collide, and the spec (the page's weight) grows with every row. A chart of more draws the 60
# most relevant and says so under it; the CSV behind it keeps every row.
MAX_ITEMS_DRAWN = 60


@dataclass(frozen=True)
class Drawn:
    """What a chart draws of its table: the rows of the items kept, and a note when some are not."""

    rows: pd.DataFrame
    n_total: int  # items in the whole table
    note: str


def most_relevant(frame: pd.DataFrame, key: str | list[str], rank: str, what: str, ranked: str,
                  n: int = MAX_ITEMS_DRAWN, lump: dict[str, object] | None = None,
                  lump_by: tuple[str, ...] = (), lump_sum: tuple[str, ...] = ()) -> Drawn:
    """The rows of the n items (distinct `key` values) with the largest `rank` (an item's largest
    value over its rows; blanks last, ties in the frame's order), in the frame's order.

    A chart of parts of a whole (stacked bars) must not lose the rest: with `lump`, the other
    items' rows are summed (`lump_sum` columns) per `lump_by` group into one item whose other
    columns take the values in `lump` (e.g. {"deal": "Other deals"})."""
    keys = [key] if isinstance(key, str) else list(key)
    items = frame.groupby(keys, sort=False)[rank].max()
    n_total = len(items)
    if n_total <= n:
        return Drawn(frame, n_total, "")
    kept = items.sort_values(ascending=False, na_position="last", kind="stable").index[:n]
    inside = pd.MultiIndex.from_frame(frame[keys]).isin(
        kept if isinstance(kept, pd.MultiIndex) else pd.MultiIndex.from_arrays([kept]))
    rows = frame[inside]
    note = f"Drawn: the {n} {what} with the {ranked} of {n_total:,}; the CSV has every row."
    if lump is not None:
        rest = frame[~inside].groupby(list(lump_by), as_index=False)[list(lump_sum)].sum()
        rows = pd.concat([rows, rest.assign(**lump)], ignore_index=True)
        note = (f"Drawn apart: the {n} {what} with the {ranked} of {n_total:,}; the other "
                f"{n_total - n:,} are summed as one. The CSV has every row.")
    return Drawn(rows.reset_index(drop=True), n_total, note)


PROJECTED = "projected from announced schedules"
TO_DATE = "to date"
PERIOD_OPACITY = {TO_DATE: 1.0, PROJECTED: 0.4}


def projected_after(as_of: str, last: pd.Timestamp) -> list[alt.Chart]:
    """Layers that shade what a time chart shows after `as_of` and label it projected: from there
    on the chart follows announced schedules, not what happened. None if nothing is after it."""
    start = pd.Timestamp(as_of)
    if pd.isna(last) or start >= last:
        return []
    band = pd.DataFrame({"start": [start], "end": [last], "label": [f"{PROJECTED} →"]})
    base = alt.Chart(band).encode(x=alt.X("start:T", title=None))
    shade = base.mark_rect(color="#888888", opacity=0.09).encode(x2="end:T")
    label = base.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=10,
                           color="#555555").encode(y=alt.value(0), text="label:N")
    return [shade, label]


def first_projected_quarter(as_of: str) -> str:
    """The first quarter (as "2026Q2") that ends after `as_of`: it is not over, so projected."""
    return str((pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("Q"))


def first_projected_year(as_of: str) -> int:
    """The first calendar year that ends after `as_of`."""
    return (pd.Timestamp(as_of) + pd.Timedelta(days=1)).year


def lighter_when_projected(chart: alt.Chart, is_projected: str) -> alt.Chart:
    """Marks after as_of drawn lighter, with a legend: for charts whose time axis is a list of
    quarters or years, where projected_after's band has no dates to span. `is_projected` is a
    Vega expression on `datum`; the period is computed in the chart, so its CSV stays as plotted."""
    return chart.transform_calculate(
        period=f"({is_projected}) ? '{PROJECTED}' : '{TO_DATE}'",
    ).encode(opacity=alt.Opacity("period:N", title=None, legend=alt.Legend(labelLimit=320),
                                 scale=alt.Scale(domain=list(PERIOD_OPACITY),
                                                 range=list(PERIOD_OPACITY.values()))))


def label_limit(desktop_px: int) -> dict:
    """The widest a row's label may be: DESKTOP_PX, or a third of it on a phone, where a label of
    full width would leave the plot no room. A shortened label ends in "…"; the row's tooltip and
    the table under the chart have it whole."""
    return {"expr": f"{NARROW} ? {desktop_px // 3} : {desktop_px}"}


def chart_id(spec: dict) -> str:
    return "cd-chart-" + hashlib.sha256(_spec_json(spec).encode()).hexdigest()[:16]


def _spec_json(spec: dict) -> str:
    # "</" would end the <script> element early if a value in data/ contained "</script>".
    return json.dumps(spec, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")


def with_footer(chart: alt.TopLevelMixin, source: str, table: str,
                drawn: Drawn | None = None) -> alt.TopLevelMixin:
    """Attach the chart's source line and the name of the CSV (in tables/) behind it; when the
    chart draws only part of that table (`most_relevant`), the footer and the alt text say so."""
    meta = {"source": source, "table": table}
    if drawn is not None and drawn.note:
        meta["drawn"] = drawn.note
        chart = chart.properties(description=f"{chart.description} {drawn.note}")
    return chart.properties(usermeta={"compute_deals": meta})


def finished(chart: alt.TopLevelMixin, source: str, table: str, title: str, subtitle: list[str],
             description: str, height: int = HEIGHT_PX, drawn: Drawn | None = None) -> alt.TopLevelMixin:
    """Every chart's frame: the page's width at a fixed height (a discrete height step would make
    Vega-Lite warn that it drops fitting in y), a title that states the finding over subtitle
    lines that say what is measured (both wrapped to a phone's width), the text alternative, and
    the footer (with_footer)."""
    return with_footer(chart.properties(
        width="container",
        height=height,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        title=alt.TitleParams(textwrap.wrap(title, TITLE_CHARS), anchor="start",
                              subtitle=[part for line in subtitle for part in textwrap.wrap(line, SUBTITLE_CHARS)]),
        description=description,
    ), source, table, drawn)


def status_opacity() -> alt.Opacity:
    """Fainter marks for deals that are not signed contracts, in the order of STATUS_OPACITY."""
    return alt.Opacity("status:O", sort=list(STATUS_OPACITY), title="Status",
                       scale=alt.Scale(domain=list(STATUS_OPACITY), range=list(STATUS_OPACITY.values())))


def _footer_html(spec: dict) -> str:
    meta = spec.get("usermeta", {}).get("compute_deals")
    if not meta:
        return ""
    table = html.escape(meta["table"])
    drawn = f'<span class="cd-drawn">{html.escape(meta["drawn"])}</span> ' if "drawn" in meta else ""
    return (
        f'<p class="cd-chart-footer">{drawn}<span class="cd-source">Source: {html.escape(meta["source"])}</span>'
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


def static_svg(spec: dict) -> str:
    """The chart drawn by vl-convert as SVG, STATIC_WIDTH_PX wide. Vega numbers gradients with a
    counter that runs across calls; they are renumbered within the image, so the same spec gives
    the same SVG whatever was drawn before it."""
    import vl_convert

    fixed = {**spec, "config": _embed_config(spec.get("config", {}))}
    if spec.get("width") == "container":
        fixed["width"] = STATIC_WIDTH_PX
    svg = vl_convert.vegalite_to_svg(fixed, vl_version=_vega_lite_version())
    numbers: dict[str, str] = {}
    return re.sub(r"gradient_\d+", lambda m: numbers.setdefault(m[0], f"gradient_{len(numbers)}"), svg)


def _embed_config(config: dict) -> dict:
    """The spec's config over the one vegaEmbed adds in the book (EMBED_OPTIONS), as vegaEmbed
    merges them: a static chart lays out its legends as the interactive one does."""
    defaults = EMBED_OPTIONS["config"]
    both = {key: {**defaults[key], **config[key]} for key in defaults.keys() & config.keys()}
    return {**defaults, **config, **both}


def static_html(spec: dict) -> str:
    """The chart as an image a Jupyter front end shows offline, trusted or not (its sanitizer keeps
    an <img> with a data address), with the chart's source line."""
    svg = base64.b64encode(static_svg(spec).encode()).decode()
    meta = spec.get("usermeta", {}).get("compute_deals", {})
    source = f'<p class="cd-source">Source: {html.escape(meta["source"])}</p>' if "source" in meta else ""
    return (f'<img class="{STATIC_CLASS}" alt="{html.escape(spec.get("description", "Chart"))}" '
            f'style="max-width: 100%; height: auto" src="data:image/svg+xml;base64,{svg}">\n{source}')


def place(name: str, chart) -> None:
    """Glue the chart as NAME for the book's {glue:figure} (interactive, chart_html) and show it
    below the cell as a static image (static_html) for whoever runs the notebook in Jupyter. The
    book removes the cell and keeps only the glued chart. What a page puts in a chart's place
    when there is nothing to draw (a sentence) is shown as it is. A run for the book shows
    nothing more (FOR_THE_BOOK_ENV)."""
    from IPython.display import display
    from myst_nb import glue

    glue(name, chart, display=False)
    if os.environ.get(FOR_THE_BOOK_ENV):
        return
    if not isinstance(chart, alt.TopLevelMixin):
        display(chart)
        return
    spec = chart.to_dict()
    display({"text/html": static_html(spec), "text/plain": spec.get("description", "Chart")}, raw=True)


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

    return "(function () {\n" + vl_convert.javascript_bundle(vl_version=_vega_lite_version()) + "\n})();\n"


def _vega_lite_version() -> str:
    """The Vega-Lite version Altair writes, as vl-convert names it ("6.4")."""
    return alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]


def preview_card_png() -> bytes:
    """The image a shared page previews with (Open Graph, 1200 x 630 px): the book's name and what
    it covers, drawn by vl-convert like every static chart, so it needs no other tool."""
    import vl_convert

    lines = pd.DataFrame({"text": CARD_LINES, "y": [250, 340, 400], "size": [72, 24, 22]})
    card = alt.Chart(lines, width=1200, height=630).mark_text(align="center", font="sans-serif").encode(
        x=alt.value(600), y=alt.Y("y:Q", scale=None, axis=None),
        text="text:N", size=alt.Size("size:Q", scale=None, legend=None),
        color=alt.value("#1f3b57"),
    ).configure_view(strokeWidth=0, fill="#f4f1ea").properties(padding=0)
    return vl_convert.vegalite_to_png(card.to_dict(), scale=1)
