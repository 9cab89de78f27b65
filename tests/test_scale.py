"""Scale: a book built from a generated dataset of 10,000 deals (synthetic.py), for its main buyer.

The build must succeed (no Altair row-limit error), every page but the shared chart bundle must
stay under 1 MB (charts draw the most relevant items, tables show their first rows), the charts
must still draw in a browser, and every CSV download must hold all of its table's rows, not the
rows a chart or a page table was cut down to.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from browsing import chromium, visit
from conftest import copy_of_book

from compute_deals.analysis import overlaps
from compute_deals.report import charts, present, tables
from compute_deals.build import book, synthetic
from compute_deals.report.html_names import TABLES_FOLDER
from compute_deals.facts.load import load_dataset

N_DEALS = 10_000
PAGE_LIMIT_BYTES = 1_000_000
# The tables behind the charts and page tables that draw or show only part of them.
CUT_DOWN = ("deal_timeline.csv", "gantt.csv", "concurrency.csv",
            "annual_commitments.csv", "cost_per_mw.csv", "cost_vs_benchmarks.csv",
            "cost_sensitivity.csv")


@pytest.fixture(scope="module")
def big_book(tmp_path_factory):
    """(built HTML folder, dataset) of a copy of the book built from 10,000 generated deals."""
    root = copy_of_book(tmp_path_factory.mktemp("book"))
    data_dir = synthetic.write_dataset(tmp_path_factory.mktemp("data") / "synthetic", N_DEALS)
    book.build(root, data_dir, synthetic.MAIN_BUYER, say=lambda _: None)
    return root / "_build" / "html", load_dataset(data_dir)


def pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts)


def test_every_page_but_the_chart_bundle_stays_under_a_megabyte(big_book):
    html, _ = big_book
    sizes = {str(p.relative_to(html)): p.stat().st_size for p in pages(html)}
    assert "notebooks/timeline_overlaps.html" in sizes
    assert {name: size for name, size in sizes.items() if size >= PAGE_LIMIT_BYTES} == {}


def test_long_tables_and_charts_say_what_they_leave_out(big_book):
    html, data = big_book
    n_deals = len(data.deals[data.deals["buyer"] == synthetic.MAIN_BUYER])
    glance = (html / "notebooks" / "deals_at_a_glance.html").read_text()
    assert f"Showing {present.MAX_TABLE_ROWS} of {n_deals:,} rows" in glance
    assert f"Drawn: the {charts.MAX_ITEMS_DRAWN} deals with the latest announcements of {n_deals:,}" in glance
    overlaps = (html / "notebooks" / "timeline_overlaps.html").read_text()
    assert overlaps.count('class="cd-drawn"') >= 3  # the Gantt chart, the heat map, the yearly sums


@pytest.mark.parametrize("name", CUT_DOWN)
def test_every_cut_down_download_has_all_the_rows_of_its_table(big_book, name):
    html, data = big_book
    expected = tables.TABLES[name](data, synthetic.MAIN_BUYER)
    written = pd.read_csv(html / "notebooks" / TABLES_FOLDER / name, low_memory=False)
    assert len(written) == len(expected)


def test_the_tables_are_large_enough_to_need_cutting_down(big_book):
    _, data = big_book
    rows = {name: len(tables.TABLES[name](data, synthetic.MAIN_BUYER))
            for name in ("deal_timeline.csv", "gantt.csv", "annual_commitments.csv")}
    assert min(rows.values()) > max(charts.MAX_ITEMS_DRAWN, present.MAX_TABLE_ROWS), rows


def test_the_pairs_in_the_book_are_the_longest_and_the_page_counts_them_all(big_book):
    """Overlapping pairs grow with the square of the deals (millions here): the book lists the
    longest, says how many there are, and the command line has them all."""
    html, data = big_book
    longest = overlaps.longest_overlaps(overlaps.counted_windows(data, synthetic.MAIN_BUYER))
    assert longest.n_pairs > 100 * overlaps.LONGEST_PAIRS
    written = pd.read_csv(html / "notebooks" / TABLES_FOLDER / "longest_overlaps.csv")
    assert len(written) == overlaps.LONGEST_PAIRS
    assert written["overlap_days"].tolist() == longest.pairs["overlap_days"].tolist()
    page = (html / "notebooks" / "timeline_overlaps.html").read_text()
    assert f"{longest.n_pairs:,} pairs of" in page and "python -m compute_deals overlaps" in page


def test_the_book_stays_small(big_book):
    html, _ = big_book
    assert sum(p.stat().st_size for p in html.rglob("*") if p.is_file()) < 100_000_000


@pytest.mark.parametrize("page_name", ["deals_at_a_glance.html", "timeline_overlaps.html"])
def test_the_cut_down_charts_still_draw(big_book, page_name):
    html, _ = big_book
    with chromium() as browser:
        seen = visit(browser, html / "notebooks" / page_name)
        page = seen.page
        count = page.locator(f".{charts.CHART_CLASS}").count()
        page.wait_for_function("n => document.querySelectorAll('.cd-chart svg.marks').length === n",
                               arg=count, timeout=30_000)
        marks = page.locator(f".{charts.CHART_CLASS}").evaluate_all(
            "els => els.map(e => e.querySelectorAll('svg.marks g.role-mark > *').length)")
        page.close()
    assert count > 0 and all(n > 0 for n in marks), marks
    assert seen.unexpected_errors() == [] and seen.blocked == []


# --- the shared mechanism, on small made-up frames (no build needed) ----------------------------

ROWS = pd.DataFrame({
    "deal_id": ["a", "b", "b", "c", "d"],
    "year": [2025, 2025, 2026, 2026, 2026],
    "value_usd": [5.0, 1.0, 9.0, float("nan"), 3.0],
})


def test_most_relevant_keeps_the_top_items_with_all_their_rows_in_the_frames_order():
    drawn = charts.most_relevant(ROWS, "deal_id", "value_usd", "deals", "largest values", n=2)
    # Largest value per deal: b 9, a 5, d 3, c blank (last): b and a are kept, both rows of b.
    assert list(drawn.rows["deal_id"]) == ["a", "b", "b"]
    assert drawn.n_total == 4
    assert drawn.note == "Drawn: the 2 deals with the largest values of 4; the CSV has every row."


def test_most_relevant_leaves_a_small_table_as_it_is():
    drawn = charts.most_relevant(ROWS, "deal_id", "value_usd", "deals", "largest values", n=4)
    assert drawn.rows is ROWS and drawn.note == ""


def test_most_relevant_can_sum_the_rest_so_stacked_totals_hold():
    drawn = charts.most_relevant(ROWS, "deal_id", "value_usd", "deals", "largest values", n=1,
                                 lump={"deal_id": "others"}, lump_by=("year",), lump_sum=("value_usd",))
    # b is kept (9 in 2026, 1 in 2025); the rest per year: 2025 a 5; 2026 c blank + d 3.
    assert drawn.rows.to_dict("records") == [
        {"deal_id": "b", "year": 2025, "value_usd": 1.0}, {"deal_id": "b", "year": 2026, "value_usd": 9.0},
        {"deal_id": "others", "year": 2025, "value_usd": 5.0},
        {"deal_id": "others", "year": 2026, "value_usd": 3.0},
    ]
    assert drawn.rows.groupby("year")["value_usd"].sum().to_dict() == {2025: 6.0, 2026: 12.0}
    assert "the other 3 are summed as one" in drawn.note


def test_pairs_can_be_the_items():
    pairs = pd.DataFrame({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "days": [10, 30, 20]})
    drawn = charts.most_relevant(pairs, ["a", "b"], "days", "pairs", "longest overlaps", n=2)
    assert drawn.rows.to_dict("list") == {"a": ["x", "y"], "b": ["z", "z"], "days": [30, 20]}


def test_a_footer_says_what_the_chart_leaves_out():
    import altair as alt

    drawn = charts.most_relevant(ROWS, "deal_id", "value_usd", "deals", "largest values", n=2)
    chart = alt.Chart(drawn.rows).mark_bar().encode(x="value_usd:Q").properties(description="Bars.")
    spec = charts.with_footer(chart, "src", "t.csv", drawn).to_dict()
    assert spec["description"] == f"Bars. {drawn.note}"
    assert f'<span class="cd-drawn">{drawn.note}</span>' in charts.chart_html(spec)


def test_a_long_table_shows_its_first_rows_and_points_to_the_csv():
    frame = pd.DataFrame({"n": range(5)})
    html = present.html_table(frame, "t.csv", max_rows=2, shape=lambda f: f.assign(n=f["n"] * 10)).data
    assert "<td>0</td>" in html and "<td>10</td>" in html and "<td>20</td>" not in html
    assert ('Showing 2 of 5 rows; all rows are in the CSV download, '
            '<a class="cd-download" href="tables/t.csv" download>t.csv</a>.') in html
    assert "Showing" not in present.html_table(frame, "t.csv", max_rows=5).data


def test_lists_of_names_stop_at_the_limit():
    assert present.listed(["A", "B", "C"], ", ", " and ") == "A, B and C"
    assert present.listed(["A", "B", "C"]) == "A; B; C"
    assert present.listed(["A"]) == "A" and present.listed([]) == ""
    assert present.listed(list("ABCDE"), ", ", " and ", limit=2) == "A, B and 3 more"
