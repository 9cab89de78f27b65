"""The chart renderer: deterministic ids, offline embedding, data that cannot break the page."""

import pandas as pd
import pytest

from compute_deals import charts, metrics
from compute_deals.charts import glance
from compute_deals.load import load_dataset


@pytest.fixture
def timeline(acme_dir):
    return metrics.timeline(metrics.deals_of(load_dataset(acme_dir).deals, "Acme AI"))


def test_the_chart_id_depends_on_the_spec_only():
    assert charts.chart_id({"a": 1, "b": 2}) == charts.chart_id({"b": 2, "a": 1})
    assert charts.chart_id({"a": 1}) != charts.chart_id({"a": 2})


def test_the_renderer_embeds_with_the_local_vega_embed_and_no_cdn(timeline):
    charts.use_book_renderer()
    bundle = glance.deal_timeline(timeline, "Acme AI", "Acme filings")._repr_mimebundle_()
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
    spec = glance.deal_timeline(timeline, "Acme AI", "Acme filings").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [row["deal_id"] for row in rows] == list(timeline["deal_id"])
    assert {row["vendor"] for row in rows} == {"Nvidia", "Quartz", "Not reported"}
    assert spec["title"]["text"].startswith("When Acme AI's compute deals")


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
