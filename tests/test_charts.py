"""The chart renderer: deterministic ids, offline embedding, data that cannot break the page."""

import re

import altair as alt
import pandas as pd
import pytest

from compute_deals.analysis import metrics
from compute_deals.report import charts
from compute_deals.report.charts import glance
from compute_deals.facts.load import load_dataset


@pytest.fixture
def timeline(acme_dir):
    return metrics.timeline(metrics.deals_of(load_dataset(acme_dir).deals, "Acme AI"))


def test_the_chart_id_depends_on_the_spec_only():
    assert charts.chart_id({"a": 1, "b": 2}) == charts.chart_id({"b": 2, "a": 1})
    assert charts.chart_id({"a": 1}) != charts.chart_id({"a": 2})


def test_the_renderer_embeds_with_the_local_vega_embed_and_no_cdn(timeline):
    charts.use_book_renderer()
    bundle = glance.deal_timeline(timeline, "Acme AI", "Acme filings", "2026-04-16")._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    html = bundle["text/html"]
    assert html.startswith('<div class="cd-chart" id="cd-chart-')
    assert "vegaEmbed(el," in html
    assert "cdn" not in html and "https://" not in html.replace("https://vega.github.io/schema", "")
    assert bundle["text/plain"].startswith("Timeline of 4 compute deals of Acme AI")
    assert '<span class="cd-source">Source: Acme filings</span>' in html
    assert '<a class="cd-download" href="tables/deal_timeline.csv" download>' in html


def test_text_in_the_data_cannot_close_the_script_element_or_leave_the_footer():
    hostile = "</script><script>alert(1)</script>"
    spec = {"data": {"values": [{"name": hostile}]},
            "usermeta": {"compute_deals": {"source": hostile, "table": "x.csv"}}}
    html = charts.chart_html(spec)
    assert html.count("</script>") == 1
    assert "Source: &lt;/script&gt;&lt;script&gt;" in html


def test_the_timeline_has_a_row_per_deal_and_every_vendor_in_the_data(timeline):
    spec = glance.deal_timeline(timeline, "Acme AI", "Acme filings", "2026-04-16").to_dict()
    rows = next(rows for rows in spec["datasets"].values() if "deal_id" in rows[0])
    assert [row["deal_id"] for row in rows] == list(timeline["deal_id"])
    assert {row["vendor"] for row in rows} == {"Nvidia", "Quartz", "Not reported"}
    assert " ".join(spec["title"]["text"]).startswith("When Acme AI's compute deals")


def test_the_bundle_defines_vega_embed_inside_a_function_scope():
    bundle = charts.javascript_bundle()
    assert bundle.startswith("(function () {") and bundle.rstrip().endswith("})();")
    assert "window.vegaEmbed=" in bundle


def test_what_follows_as_of_is_shaded_and_labelled_projected():
    layers = charts.projected_after("2026-04-16", pd.Timestamp("2030-12-31"))
    specs = [layer.to_dict() for layer in layers]
    assert [s["mark"]["type"] for s in specs] == ["rect", "text"]
    band = next(iter(specs[0]["datasets"].values()))[0]
    assert (band["start"][:10], band["end"][:10]) == ("2026-04-16", "2030-12-31")
    assert charts.projected_after("2031-01-01", pd.Timestamp("2030-12-31")) == []


@pytest.mark.parametrize("as_of, quarter, year", [
    ("2026-04-16", "2026Q2", 2026),  # the quarter and year in progress are not over: projected
    ("2026-03-31", "2026Q2", 2026),  # a quarter that ends on as_of is history
    ("2026-12-31", "2027Q1", 2027),
])
def test_the_first_projected_quarter_and_year_are_the_first_not_over_by_as_of(as_of, quarter, year):
    assert charts.first_projected_quarter(as_of) == quarter
    assert charts.first_projected_year(as_of) == year


def test_bars_on_a_list_of_quarters_are_lighter_from_the_first_projected_one():
    frame = pd.DataFrame({"quarter": ["2026Q1", "2026Q2"], "n": [1, 2]})
    chart = charts.lighter_when_projected(alt.Chart(frame).mark_bar().encode(x="quarter:O", y="n:Q"),
                                          "datum.quarter >= '2026Q2'")
    spec = chart.to_dict()
    assert spec["transform"] == [{"calculate": "(datum.quarter >= '2026Q2') ? "
                                  f"'{charts.PROJECTED}' : '{charts.TO_DATE}'", "as": "period"}]
    opacity = spec["encoding"]["opacity"]
    assert opacity["field"] == "period"
    assert dict(zip(opacity["scale"]["domain"], opacity["scale"]["range"])) == {
        charts.TO_DATE: 1.0, charts.PROJECTED: 0.4}


def gradient_chart(**config) -> dict:
    """A chart in the book's frame whose colour legend is a gradient: Vega numbers gradients with
    a process-wide counter."""
    frame = pd.DataFrame({"x": ["a", "b"], "y": ["c", "d"], "mw": [1.0, 2.0]})
    chart = alt.Chart(frame).mark_rect().encode(x="x", y="y", color="mw:Q")
    spec = charts.finished(chart, "Acme <filings>", "x.csv", "Title", ["Subtitle"], "Two cells",
                           height=100).to_dict()
    return {**spec, "config": {**spec.get("config", {}), **config}}


def svg_size(svg: str) -> tuple[float, float]:
    head = svg.split(">", 1)[0]
    return float(re.search(r' width="([\d.]+)"', head)[1]), float(re.search(r' height="([\d.]+)"', head)[1])


def test_a_static_chart_is_the_same_whatever_was_drawn_before():
    first = charts.static_svg(gradient_chart())
    charts.static_svg(gradient_chart())  # moves Vega's gradient counter on
    assert charts.static_svg(gradient_chart()) == first
    assert 'id="gradient_0"' in first


def test_a_static_chart_has_the_books_width_and_its_legend_under_the_plot():
    width, height = svg_size(charts.static_svg(gradient_chart()))
    assert width == charts.STATIC_WIDTH_PX
    # vegaEmbed's config (EMBED_OPTIONS) puts legends under the plot; the spec's own config wins.
    assert height > svg_size(charts.static_svg(gradient_chart(legend={"orient": "right"})))[1]


def test_a_notebook_shows_a_chart_as_an_image_with_its_text_alternative_and_source():
    html = charts.static_html(gradient_chart())
    assert html.startswith('<img class="cd-static-chart" alt="Two cells"')
    assert 'src="data:image/svg+xml;base64,' in html
    assert '<p class="cd-source">Source: Acme &lt;filings&gt;</p>' in html


def test_titles_and_subtitles_are_wrapped_to_a_phones_width_without_losing_a_word():
    title = "What a megawatt costs in each buyer's priced deals, against published all-in costs"
    subtitle = ["Dots: deals whose value is a price and that report a capacity (value ÷ capacity).", "Short."]
    spec = charts.finished(alt.Chart(pd.DataFrame({"x": [1]})).mark_point(), "s", "t.csv", title,
                           subtitle, "d").to_dict()["title"]
    assert " ".join(spec["text"]) == title and len(spec["text"]) > 1
    assert all(len(line) <= charts.TITLE_CHARS for line in spec["text"])
    assert all(len(line) <= charts.SUBTITLE_CHARS for line in spec["subtitle"])
    assert spec["subtitle"][-1] == "Short." and " ".join(spec["subtitle"][:-1]) == subtitle[0]
