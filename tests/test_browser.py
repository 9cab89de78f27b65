"""The built book in a real browser (Playwright driving Debian's chromium), with no network.

Run after `make book` (make test does both). Every page with a chart is opened from file://; any
request that is not file:// or loopback is blocked and fails the test; every chart must draw marks,
offer vega-embed's save menu and show a tooltip; the console must stay clean but for the allow-list.
Screenshots go to _build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from browsing import chromium, shows_a_tooltip, visit

from compute_deals.build.pdf import ALL_CHARTS_DRAWN
from compute_deals.build.sphinx_ext import SEARCHABLE_CLASS, TABLES_BUNDLE
from compute_deals.report.charts import CHART_CLASS

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"


def chart_pages() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.html") if f'class="{CHART_CLASS}"' in p.read_text())


def test_book_is_built_and_has_chart_pages():
    assert (BOOK / "index.html").exists(), "no built book: run `make book` first"
    assert chart_pages(), "the built book has no page with a chart"


def test_no_script_or_stylesheet_names_an_internet_address():
    """Nothing is loaded from elsewhere, and no script holds an address it could load later
    (a chart spec's $schema is an identifier, never fetched, and so is a page's canonical address
    where it is to be published: the exceptions)."""
    remote_file = re.compile(r'<(?:script|link)\b(?![^>]*rel="canonical")[^>]*\b(?:src|href)="(?:https?:)?//',
                             re.IGNORECASE)
    script = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
    address = re.compile(r"https?://(?!vega\.github\.io/schema/)")
    offenders = [
        str(p.relative_to(BOOK)) for p in BOOK.rglob("*.html")
        if remote_file.search(p.read_text())
        or any(address.search(body) for body in script.findall(p.read_text()))
    ]
    assert not offenders, f"pages whose scripts or styles name internet addresses: {offenders}"


def test_pages_without_charts_do_not_load_the_chart_bundle():
    others = [p for p in BOOK.rglob("*.html") if p not in chart_pages()]
    assert others
    assert not [p for p in others if "compute-deals-vega.js" in p.read_text()]


def searchable_pages() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.html") if SEARCHABLE_CLASS in p.read_text())


def test_only_pages_with_long_tables_load_the_table_bundle():
    searchable = searchable_pages()
    assert BOOK / "notebooks" / "deals_at_a_glance.html" in searchable
    assert BOOK / "notebooks" / "sources.html" in searchable
    others = [p for p in BOOK.rglob("*.html") if p not in searchable]
    assert others and not [p for p in others if TABLES_BUNDLE in p.read_text()]
    assert all(TABLES_BUNDLE in p.read_text() for p in searchable)


def test_every_chart_has_a_source_line_and_the_csv_of_what_it_plots():
    for page in chart_pages():
        text = page.read_text()
        links = re.findall(r'<a class="cd-download" href="([^"]+\.csv)"', text)
        assert len(links) == text.count(f'class="{CHART_CLASS}"'), page.name
        assert text.count('<span class="cd-source">Source: ') == len(links), page.name
        for href in links:
            table = pd.read_csv(page.parent / href)
            assert len(table) > 0 and len(table.columns) > 1, href


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("page_path", chart_pages(), ids=lambda p: str(p.relative_to(BOOK)))
def test_every_chart_draws_offline(browser, page_path: Path):
    seen = visit(browser, page_path)
    page = seen.page
    charts = page.locator(f".{CHART_CLASS}")
    count = charts.count()
    page.wait_for_function(
        "n => document.querySelectorAll('.cd-chart svg.marks').length === n", arg=count,
        timeout=20_000,
    )
    marks = charts.evaluate_all(
        "els => els.map(e => e.querySelectorAll('svg.marks g.role-mark > *').length)")
    # Vega puts the spec's description on the chart's root group as its aria-label.
    alt_texts = charts.evaluate_all(
        "els => els.map(e => (e.querySelector('svg.marks [aria-label]') || {getAttribute: () => ''})"
        ".getAttribute('aria-label') || '')")
    captions = charts.evaluate_all(
        "els => els.map(e => (e.closest('figure') || {querySelector: () => null})"
        ".querySelector('figcaption') ? 1 : 0)")
    menus = charts.evaluate_all(
        "els => els.map(e => (e.querySelector('.vega-actions') || {}).textContent || '')")

    tooltip = shows_a_tooltip(page)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Named by the page's path: every buyer's page is an index.html.
    shot = "_".join(page_path.relative_to(BOOK).with_suffix("").parts)
    page.screenshot(path=SCREENSHOTS / f"{shot}.png", full_page=True)
    page.close()

    assert tooltip, "no mark of the page shows a tooltip"
    assert not seen.blocked, f"requests that would leave the machine: {seen.blocked}"
    assert all(n > 0 for n in marks), f"charts without marks: {marks}"
    assert all(alt_texts), "charts without a text alternative (the spec's description)"
    assert all(captions), f"charts outside a captioned figure: {captions}"
    assert all("SVG" in m and "PNG" in m for m in menus), f"charts without a save menu: {menus}"
    assert not seen.unexpected_errors(), f"console errors: {seen.unexpected_errors()}"


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("page_name", ["notebooks/index.html", "notebooks/deals_at_a_glance.html"])
def test_pages_fit_desktop_and_phone_screens(browser, page_name, width):
    seen = visit(browser, BOOK / page_name, width=width)
    page = seen.page
    page.wait_for_function(ALL_CHARTS_DRAWN, timeout=20_000)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{Path(page_name).stem}-{width}px.png", full_page=True)
    page.close()
    assert overflow <= 1, f"{page_name} is {overflow}px wider than a {width}px screen"


# The text of each chart that does not fit it: a legend's entry or title, the chart's title or
# subtitle, an axis title (none may be shortened with "…" either), or an axis label, out of the
# chart's box. A label of a row may be shortened on a phone (label_limit): its tooltip and the
# table have it whole.
CUT_TEXT = """() => [...document.querySelectorAll('.cd-chart')].flatMap(chart => {
  const svg = chart.querySelector('svg.marks');
  const box = chart.getBoundingClientRect(), frame = svg.getBoundingClientRect();
  const left = Math.max(box.left, frame.left) - 1, right = Math.min(box.right, frame.right) + 1;
  const kinds = {'g.role-legend': 'legend', 'g.role-title': 'title', 'g.role-axis-title': 'axis title',
                 'g.role-axis-label': 'axis label'};
  return Object.entries(kinds).flatMap(([group, kind]) =>
    [...svg.querySelectorAll(group + ' text')].filter(t => {
      const b = t.getBoundingClientRect();
      const out = b.left < left || b.right > right || b.top < frame.top - 1 || b.bottom > frame.bottom + 1;
      return t.textContent && b.width > 0 && (out || (kind !== 'axis label' && t.textContent.endsWith('\u2026')));
    }).map(t => `${kind}: ${t.textContent}`));
})"""


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("page_path", chart_pages(), ids=lambda p: str(p.relative_to(BOOK)))
def test_every_legend_title_and_label_fits_its_chart(browser, page_path: Path, width: int):
    seen = visit(browser, page_path, width=width)
    page = seen.page
    page.wait_for_function(ALL_CHARTS_DRAWN, timeout=20_000)
    cut = page.evaluate(CUT_TEXT)
    page.close()
    assert not cut, f"text cut off at {width}px: {cut}"


ROWS = "t => [...t.querySelectorAll('tbody tr')].map(r => r.textContent)"


def a_query_that_narrows(rows: list[str]) -> str:
    """A word of the table found in some of its rows but not all."""
    for word in sorted({w for row in rows for w in re.findall(r"[A-Za-z]{4,}", row)}):
        if 0 < sum(word.lower() in row.lower() for row in rows) < len(rows):
            return word
    raise AssertionError("every word of the table is in every row")


@pytest.mark.parametrize("page_path", searchable_pages(), ids=lambda p: str(p.relative_to(BOOK)))
def test_long_tables_can_be_searched_offline(browser, page_path: Path):
    """Every long table is a DataTable served by the book; typing in its search box narrows the
    rows to those that match, and emptying it brings every row back."""
    seen = visit(browser, page_path)
    page = seen.page
    page.wait_for_function(
        f"() => [...document.querySelectorAll('table.{SEARCHABLE_CLASS}')].every(t => t.closest('.dt-container'))",
        timeout=20_000)
    table = page.locator(f"table.{SEARCHABLE_CLASS}").first
    every_row = table.evaluate(ROWS)
    written = page_path.read_text().split(f'class="cd-table {SEARCHABLE_CLASS}"', 1)[1].split("</table>")[0]
    query = a_query_that_narrows(every_row)
    search = page.locator(".dt-container").first.locator(".dt-search input")
    search.fill(query)
    narrowed = table.evaluate(ROWS)
    search.fill("")
    restored = table.evaluate(ROWS)
    page.close()

    assert written.count("<tr>") + written.count("<tr ") == len(every_row) + 1, "rows lost or added"
    assert 0 < len(narrowed) < len(every_row), f"searching {query!r} did not narrow the rows"
    assert all(query.lower() in row.lower() for row in narrowed)
    assert len(restored) == len(every_row)
    assert not seen.blocked, f"requests that would leave the machine: {seen.blocked}"
    assert not seen.unexpected_errors(), f"console errors: {seen.unexpected_errors()}"


def test_a_column_of_figures_sorts_by_the_number_not_the_text(browser):
    """"$500.0B" sorts above "$38.0B": each figure carries its number (data-order)."""
    seen = visit(browser, BOOK / "notebooks" / "deals_at_a_glance.html")
    page = seen.page
    page.wait_for_selector(".dt-container")
    headings = page.locator(".dt-container thead th")
    value = [headings.nth(i).inner_text() for i in range(headings.count())].index("Value (USD)")
    orders = f"() => [...document.querySelectorAll('.dt-container tbody td:nth-child({value + 1})')]" \
             ".map(td => td.dataset.order).filter(o => o !== '').map(Number)"
    heading, button = headings.nth(value), headings.nth(value).locator(".dtcc-button_order")

    def sort_and_read(direction: str) -> list[float]:
        # DataTables redraws after the click; the heading's class says when it has sorted.
        button.click()
        heading.and_(page.locator(f".dt-ordering-{direction}")).wait_for(timeout=10_000)
        return page.evaluate(orders)

    ascending = sort_and_read("asc")
    descending = sort_and_read("desc")
    page.close()
    assert len(ascending) > 5
    assert ascending == sorted(ascending) and descending == sorted(ascending, reverse=True)
