"""Tables and words for pages: units, ranges, and escaping of everything that comes from data/."""

import math

import pandas as pd
import pytest

from compute_deals.analysis import metrics
from compute_deals.report import present
from compute_deals.facts.load import load_dataset


@pytest.mark.parametrize("value, shown", [
    (38e9, "$38.0B"), (1.4e12, "$1.4T"), (350e6, "$350.0M"), (950e3, "$950.0K"), (12, "$12"),
    (math.nan, "—"),
])
def test_usd(value, shown):
    assert present.usd(value) == shown


def test_megawatts_have_thousands_separators():
    assert present.megawatts(10000.0) == "10,000 MW"
    assert present.megawatts(math.nan) == "—"


def test_a_range_is_shown_only_where_reported():
    assert present.with_range(138e9, 100e9, 138e9, present.usd) == "$138.0B (range $100.0B to $138.0B)"
    assert present.with_range(38e9, math.nan, math.nan, present.usd) == "$38.0B"


def test_tables_escape_text_from_data_but_keep_markup_built_by_the_package():
    frame = pd.DataFrame({"a": ['<script>alert("x")</script>'], "b": [present.Markup("<b>ok</b>")]})
    html = present.html_table(frame).data
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>ok</b>" in html


@pytest.mark.parametrize("address, is_link", [
    ("https://example.org/a?b=1&c=2", True),
    ("HTTP://example.org", True),
    ("javascript:alert(1)", False),
    ("000_f10239bcd8154525.txt", False),
])
def test_only_http_addresses_become_links(address, is_link):
    assert ("<a href=" in present.link(address)) is is_link


def test_addresses_are_escaped():
    assert present.link('https://example.org/?a=1&b="x"') == (
        '<a href="https://example.org/?a=1&amp;b=&quot;x&quot;" rel="noopener">'
        "https://example.org/?a=1&amp;b=&quot;x&quot;</a>"
    )


def test_source_links_are_numbered_in_sources_csv_order():
    numbers = present.source_numbers(pd.DataFrame({"source_id": ["s-a", "s-b", "s-c"]}))
    links = present.source_links(("s-c", "s-a"), numbers)
    assert links == ('<a href="sources.html#source-s-c" title="s-c">[3]</a> '
                     '<a href="sources.html#source-s-a" title="s-a">[1]</a>')


def test_a_source_missing_from_the_data_stays_plain_text():
    assert present.source_links(("elsewhere",), {}) == "<code>elsewhere</code>"


def test_markdown_text_escapes_markup():
    assert present.markdown_text("*Acme* [AI](x)").data == r"\*Acme\* \[AI\]\(x\)"


def test_the_deals_table_names_the_umbrella_each_deal_is_part_of(acme_dir):
    acme = load_dataset(acme_dir)
    deals = metrics.deals_of(acme.deals, "Acme AI").assign(part_of=["", "", "acme-gpu-2025", "gone-2020"])
    table = present.deals_table(deals, present.source_numbers(acme.sources),
                                metrics.best_reliability(deals, acme.sources))
    assert list(table["Part of"]) == [present.DASH, present.DASH, "Bolt Cloud (Mar 2025)", "gone-2020"]


def test_a_row_resting_only_on_the_lowest_grade_is_flagged(acme_dir):
    # acme-release is primary, quartz-news secondary: a row citing both rests on a primary source.
    acme = load_dataset(acme_dir)
    rows = pd.DataFrame({"sources": [("acme-release",), ("quartz-news",), ("quartz-news", "acme-release"),
                                     ("not-in-sources",)]})
    assert list(metrics.best_reliability(rows, acme.sources)) == ["primary", "secondary", "primary", "secondary"]
    assert list(metrics.rests_on_lowest_grade(rows, acme.sources)) == [False, True, False, True]
    assert present.grade_cell("secondary") == "secondary only ⚠" and present.grade_cell("major") == "major"


def test_a_column_of_figures_carries_the_numbers_to_sort_by():
    frame = pd.DataFrame({"Deal": ["a", "b", "c"],
                          "Value": [present.usd(38e9), present.DASH, present.usd(5e8)],
                          "Capacity": [present.megawatts(1200), present.megawatts(30), present.DASH]})
    shown = present.html_table(frame).data
    assert '<td data-order="38000000000">$38.0B</td>' in shown
    assert '<td data-order="500000000">$500.0M</td>' in shown
    assert '<td data-order="">—</td>' in shown  # a dash sorts with the blanks
    assert '<td data-order="1200">1,200 MW</td>' in shown
    assert "<td>a</td>" in shown  # a column of text has none


def test_a_figure_keeps_its_number_through_a_range_and_a_pickle():
    import pickle

    ranged = present.with_range(2e9, 1e9, 3e9, present.usd)
    assert ranged == "$2.0B (range $1.0B to $3.0B)" and ranged.number == 2e9
    assert pickle.loads(pickle.dumps(ranged)).number == 2e9


@pytest.mark.parametrize("rows, searchable", [(present.SEARCHABLE_ROWS, False),
                                              (present.SEARCHABLE_ROWS + 1, True)])
def test_only_a_long_table_is_marked_searchable(rows, searchable):
    shown = present.html_table(pd.DataFrame({"n": range(rows)})).data
    assert ("cd-searchable" in shown) is searchable
    assert shown.count("<tr>") == rows + 1  # every row is in the page, for print and no JavaScript
