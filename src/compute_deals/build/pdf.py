"""One PDF of the built HTML book, printed by Debian's chromium (Playwright) and merged with pypdf.

1. Pages: the landing page's left sidebar lists the book's pages in reading order, with the part
   captions ("Every buyer", "Analyses", ...) between them; the order is checked against each
   page's "next" link, so a page the sidebar and the links disagree on stops the PDF.
2. Printing: every page is opened from file:// with no network (any other address is refused,
   recorded, and named in the error at the end), waited on until every chart has drawn its SVG
   (and every searchable table is set up), its links to other pages pointed where the book is
   published, and printed to A4 with the bottom margin left free.
3. Front matter: a cover (title, the build stamp from the page footer) and a contents list with
   the page each entry starts on. It is printed twice: its own length shifts every start page.
4. Numbers: one overlay PDF of exactly as many A4 pages as the book, each with "Title · k / N"
   in the bottom margin, is stamped onto every page but the cover.
5. The merged PDF gets bookmarks (part → chapter → section), a /Title, and is written to a
   temporary file renamed into place, so a failure never leaves half a PDF.
"""

from __future__ import annotations

import html
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

from bs4 import BeautifulSoup, SoupStrainer
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter

from compute_deals.build.book import BuildFailed

CHROMIUM = "/usr/bin/chromium"
# Flags for a root user in a sandbox with no network; the browser tests use these too.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = {"file", "data", "blob"}
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
DRAW_TIMEOUT_MS = 30_000

A4_MM = (210, 297)
SIDE_MM, TOP_MM, BOTTOM_MM = 15, 15, 20  # the page number sits in the bottom margin
MARGIN = {"top": f"{TOP_MM}mm", "bottom": f"{BOTTOM_MM}mm",
          "left": f"{SIDE_MM}mm", "right": f"{SIDE_MM}mm"}
PX_PER_MM = 96 / 25.4
# Pages print at 80%: the book's column is then laid out 850 px wide, which its charts need
# (their legends and labels outgrow the 680 px an A4 column has at 100%) and its text reads at
# about 10 pt.
SCALE = 0.8
# The window is as wide as the printed column, so charts sized to their container (vega-lite's
# width "container") are drawn at the width they are printed at, never wider and cut off.
VIEWPORT = {"width": round((A4_MM[0] - 2 * SIDE_MM) * PX_PER_MM / SCALE),
            "height": round((A4_MM[1] - TOP_MM - BOTTOM_MM) * PX_PER_MM / SCALE)}

ALL_CHARTS_DRAWN = ("() => [...document.querySelectorAll('.cd-chart')]"
                    ".every(chart => chart.querySelector('svg.marks'))")
# Links to other pages of the book point at files on this machine: in the PDF they point where the
# book is published instead (the page's canonical address, from html.baseurl); links within a page
# stay as they are.
LINKS_TO_PUBLISHED_BOOK = """([root]) => {
  const canonical = document.querySelector('link[rel="canonical"]');
  if (!canonical) return;
  const here = location.href.split('#')[0].slice(root.length);
  const published = canonical.href.slice(0, canonical.href.length - here.length);
  for (const a of document.querySelectorAll('a[href]')) {
    if (!a.getAttribute('href').startsWith('#') && a.href.startsWith(root)) {
      a.href = published + a.href.slice(root.length);
    }
  }
}"""
# A folded text (the what-changed page's old and new notes) cannot be opened on paper: it prints
# open. The code-cell toggles are details too, but PRINT_CSS leaves them out.
OPEN_FOLDED_TEXTS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
# Searchable tables are set up by a script that adds the dataTable class; a page without one passes.
ALL_TABLES_READY = ("() => [...document.querySelectorAll('table.cd-searchable')]"
                    ".every(table => table.classList.contains('dataTable'))")

# Added to the book's own print stylesheet (compute-deals.css), for what it leaves cut or empty.
# Wide tables scroll sideways on screen but would be cut at the paper's edge: they shrink, and a
# cell may break a word anywhere (long addresses, ids and dates would hold a column too wide),
# while headers keep their words whole so no column gets narrower than its header's words; a table
# of 12 or more columns (buyers compared) has headers too wide even so, and shrinks further. The
# padding rule outranks DataTables' own (8px 10px), which spread the sources over 111 pages, not
# 69. Code blocks (the BibTeX entry) wrap for the same reason. A folded text prints open (a column
# about 30% wide, so the ids beside it keep their words); a collapsed "Show code cell source"
# toggle cannot be opened on paper either, but is code, so it is left out. Vega's fit to the width
# leaves a row of legends under a chart (and long subtitle lines) out of its sums, so they spill
# past the SVG's edge, where the screen cuts them; on paper they show, in the room beside the
# chart. A heading stays with what follows it: before a chart kept whole on the next page, it was
# left behind.
PRINT_CSS = """
table.cd-table { width: 100%; font-size: 0.75em; }
table.cd-table:has(th:nth-child(12)) { font-size: 0.65em; }
table.cd-table.cd-table > :is(thead, tbody) > tr > :is(th, td) { padding: 0.2em 0.3em; }
table.cd-table :is(td, td *) { overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
table.cd-table td:has(> details) { width: 30%; }
.cell details.hide { display: none; }
.cd-chart svg.marks { overflow: visible; }
:is(h1, h2, h3, h4) { break-inside: avoid; break-after: avoid; }
"""

FRONT_CSS = """
body { font-family: sans-serif; color: #222; }
.cover { break-after: page; text-align: center; padding-top: 30vh; }
.cover h1 { font-size: 32pt; margin-bottom: 1em; }
.cover p { color: #555; font-size: 10pt; }
.contents h2 { font-size: 20pt; }
.contents h3 { font-size: 12pt; margin: 1.2em 0 0.3em; }
.entry { display: flex; align-items: baseline; margin: 0.25em 0; font-size: 10.5pt; }
.leader { flex: 1; border-bottom: 1px dotted #999; margin: 0 0.4em; }
"""

NUMBERS_CSS = f"""
@page {{ size: A4; margin: 0; }}
body {{ margin: 0; }}
.sheet {{ height: {A4_MM[1]}mm; position: relative; overflow: hidden; break-after: page; }}
.sheet:last-child {{ break-after: auto; }}
.number {{ position: absolute; left: 0; right: 0; bottom: {BOTTOM_MM / 2 - 2}mm;
           text-align: center; font: 9pt sans-serif; color: #555; }}
"""


class PdfError(BuildFailed):
    """The book cannot be printed as it is: the message says which page and why."""


@dataclass(frozen=True)
class Entry:
    """A line of the book's navigation: a part caption (level 0, no path) or a page."""

    title: str
    level: int  # 0 part caption, 1 chapter, 2 section, ...
    path: str | None  # the page's file, relative to the book folder, with / separators


def write_pdf(html_dir: Path, out: Path, say=print) -> Path:
    """Print the built book in `html_dir` into one PDF at `out`; returns `out`."""
    started = time.perf_counter()
    landing = landing_page(html_dir)
    entries = sidebar_entries(html_dir, landing)
    pages = [entry for entry in entries if entry.path]
    check_reading_order(html_dir, landing, pages)
    title, stamp = book_title_and_stamp(html_dir / landing)
    say(f"Printing {len(pages)} pages of {html_dir} to PDF with {CHROMIUM} ...")
    with offline_browser_page() as (page, guard):
        printed = [print_book_page(page, guard, html_dir, entry.path) for entry in pages]
        counts = [page_count(pdf) for pdf in printed]
        front = front_matter(page, title, stamp, entries, counts)
        total = page_count(front) + sum(counts)
        numbers = print_html(page, numbers_html(title, total), margin=None)
        guard.check()
    writer = merged(front, printed)
    stamp_page_numbers(writer, numbers)
    add_bookmarks(writer, entries, start_pages(pages, counts, page_count(front)))
    writer.add_metadata({"/Title": title})
    writer.page_mode = "/UseOutlines"
    write_atomically(writer, out)
    say(f"Wrote {out}: {total} pages, {out.stat().st_size / 1e6:.1f} MB, "
        f"{time.perf_counter() - started:.0f} s.")
    return out


def landing_page(html_dir: Path) -> str:
    """The landing page's path: index.html, or where it redirects to (Jupyter Book's root)."""
    soup = read_html(html_dir / "index.html")
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.IGNORECASE)})
    if refresh is None:
        return "index.html"
    return re.sub(r"^\s*\d+\s*;\s*url=", "", refresh["content"], flags=re.IGNORECASE).strip()


def sidebar_entries(html_dir: Path, landing: str) -> list[Entry]:
    """Part captions and pages of the landing page's sidebar, in order; its home link (the
    landing page itself) comes first."""
    nav = read_html(html_dir / landing).select_one("nav.bd-docs-nav")
    if nav is None:
        raise PdfError(f"{landing}: no sidebar (nav.bd-docs-nav) to read the book's pages from")
    entries = []
    for element in nav.select("p.caption, li[class*='toctree-l'] > a"):
        text = element.get_text(" ", strip=True)
        if element.name == "p":
            entries.append(Entry(text, 0, None))
        else:
            level = re.search(r"\btoctree-l(\d+)\b", " ".join(element.parent["class"])).group(1)
            entries.append(Entry(text, int(level), urldefrag(urljoin(landing, element["href"]))[0]))
    return entries


def check_reading_order(html_dir: Path, landing: str, pages: list[Entry]) -> None:
    """The sidebar starts with the landing page, and each page's "next" link leads to the page
    after it in the sidebar, the last page's to none."""
    if not pages or pages[0].path != landing:
        raise PdfError(f"the sidebar of {landing} does not start with {landing} itself")
    following = [entry.path for entry in pages[1:]] + [None]
    for entry, expected in zip(pages, following):
        if not (html_dir / entry.path).is_file():
            raise PdfError(f"the sidebar lists {entry.path}, which is not in {html_dir}")
        link = read_html(html_dir / entry.path, SoupStrainer("a", class_="right-next")).a
        found = urldefrag(urljoin(entry.path, link["href"]))[0] if link else None
        if found != expected:
            raise PdfError(f"{entry.path}: its next link leads to {found}, "
                           f"the sidebar to {expected}")


def book_title_and_stamp(landing: Path) -> tuple[str, str]:
    """The landing page's heading (the book's title) and its footer's build stamp ('' if none)."""
    soup = read_html(landing)
    heading = soup.select_one("h1")
    if heading is None:
        raise PdfError(f"{landing.name}: no heading (h1) to title the book with")
    for anchor in heading.select("a.headerlink"):
        anchor.decompose()
    stamp = soup.select_one(".cd-stamp")
    return heading.get_text(" ", strip=True), stamp.get_text(" ", strip=True) if stamp else ""


def read_html(path: Path, only: SoupStrainer | None = None) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser", parse_only=only)


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname in LOOPBACK


class OfflineGuard:
    """Routes every request: local addresses load, any other is refused and remembered."""

    def __init__(self) -> None:
        self.page = "(no page yet)"
        self.refused: list[str] = []

    def __call__(self, route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            self.refused.append(f"{route.request.url} (asked by {self.page})")
            route.abort()

    def check(self) -> None:
        if self.refused:
            raise PdfError("the book asked for addresses outside this machine; it must load "
                           "nothing from the internet: " + "; ".join(self.refused))


@contextmanager
def offline_browser_page():
    """A chromium page in print mode whose every request goes through an OfflineGuard."""
    with sync_playwright() as playwright:  # stopping it closes the browser
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        guard = OfflineGuard()
        context.route("**/*", guard)
        page = context.new_page()
        page.emulate_media(media="print")
        yield page, guard


def print_book_page(page, guard: OfflineGuard, html_dir: Path, path: str) -> bytes:
    """One page of the book as PDF bytes, once its charts and tables have drawn."""
    guard.page = path
    page.goto((html_dir / path).as_uri(), wait_until="load")
    page.add_style_tag(content=PRINT_CSS)
    for condition, what in ((ALL_CHARTS_DRAWN, "charts"), (ALL_TABLES_READY, "searchable tables")):
        try:
            page.wait_for_function(condition, timeout=DRAW_TIMEOUT_MS)
        except PlaywrightTimeout:
            raise PdfError(f"{path}: its {what} did not finish drawing within "
                           f"{DRAW_TIMEOUT_MS // 1000} s") from None
    page.evaluate(LINKS_TO_PUBLISHED_BOOK, [html_dir.as_uri() + "/"])
    page.evaluate(OPEN_FOLDED_TEXTS)
    # A font still loading would print in a fallback face.
    page.evaluate("() => document.fonts.ready.then(() => true)")
    return page.pdf(format="A4", print_background=True, margin=MARGIN, scale=SCALE)


def print_html(page, document: str, margin: dict | None = MARGIN) -> bytes:
    """An HTML document made here, printed to A4 (margin None: the document's @page rules)."""
    page.set_content(document, wait_until="load")
    if margin is None:
        return page.pdf(prefer_css_page_size=True, print_background=True)
    return page.pdf(format="A4", print_background=True, margin=margin)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def front_matter(page, title: str, stamp: str, entries: list[Entry], counts: list[int]) -> bytes:
    """Cover and contents. Printed first with provisional numbers to learn its own length,
    then again with the real ones (should a longer number push a title onto a second line and
    the contents onto another page, it says so rather than print wrong numbers)."""
    pages = [entry for entry in entries if entry.path]
    draft = print_html(page, front_matter_html(title, stamp, entries,
                                               start_pages(pages, counts, front=0)))
    front = print_html(page, front_matter_html(title, stamp, entries,
                                               start_pages(pages, counts, page_count(draft))))
    if page_count(front) != page_count(draft):
        raise PdfError("the contents changed length once its page numbers were filled in")
    return front


def start_pages(pages: list[Entry], counts: list[int], front: int) -> dict[str, int]:
    """Each page's first page number in the final PDF (1-based), after `front` pages."""
    starts, next_page = {}, front + 1
    for entry, count in zip(pages, counts):
        starts[entry.path] = next_page
        next_page += count
    return starts


def front_matter_html(title: str, stamp: str, entries: list[Entry], starts: dict[str, int]) -> str:
    lines = []
    for entry in entries:
        if entry.path is None:
            lines.append(f"<h3>{html.escape(entry.title)}</h3>")
        else:
            indent = 1.5 * (entry.level - 1)
            lines.append(f'<div class="entry" style="padding-left: {indent}em">'
                         f'<span>{html.escape(entry.title)}</span><span class="leader"></span>'
                         f"<span>{starts[entry.path]}</span></div>")
    stamp_line = f"<p>{html.escape(stamp)}</p>" if stamp else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{FRONT_CSS}</style></head><body>"
            f'<section class="cover"><h1>{html.escape(title)}</h1>{stamp_line}</section>'
            f'<section class="contents"><h2>Contents</h2>{"".join(lines)}</section></body></html>')


def numbers_html(title: str, total: int) -> str:
    """`total` A4 sheets, blank but for "Title · k / total" at the bottom; the first (the cover)
    has none."""
    sheets = ['<div class="sheet"></div>'] + [
        f'<div class="sheet"><div class="number">{html.escape(title)} · {k} / {total}</div></div>'
        for k in range(2, total + 1)]
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<style>{NUMBERS_CSS}</style></head><body>{''.join(sheets)}</body></html>")


def merged(front: bytes, printed: list[bytes]) -> PdfWriter:
    writer = PdfWriter()
    for pdf in (front, *printed):
        writer.append(BytesIO(pdf), import_outline=False)
    return writer


def stamp_page_numbers(writer: PdfWriter, numbers: bytes) -> None:
    overlay = PdfReader(BytesIO(numbers)).pages
    if len(overlay) != len(writer.pages):
        raise PdfError(f"the page-number overlay has {len(overlay)} pages, "
                       f"the book {len(writer.pages)}")
    for page, sheet in list(zip(writer.pages, overlay))[1:]:
        page.merge_page(sheet)


def add_bookmarks(writer: PdfWriter, entries: list[Entry], starts: dict[str, int]) -> None:
    """Contents (page 2, after the cover), then the sidebar's entries nested by level; a part
    points at its first page."""
    writer.add_outline_item(title="Contents", page_number=1)
    branch: list[tuple[int, object]] = []  # the open (level, bookmark) pairs, outermost first
    for entry, first_page in zip(entries, entry_pages(entries, starts)):
        while branch and branch[-1][0] >= entry.level:
            branch.pop()
        parent = branch[-1][1] if branch else None
        bookmark = writer.add_outline_item(title=entry.title, page_number=first_page - 1,
                                           parent=parent)
        branch.append((entry.level, bookmark))


def entry_pages(entries: list[Entry], starts: dict[str, int]) -> list[int]:
    """Each entry's first page: a page's own, a part caption's that of the page after it."""
    pages, following = [], None
    for entry in reversed(entries):
        following = starts[entry.path] if entry.path else following
        pages.append(following)
    return pages[::-1]


def write_atomically(writer: PdfWriter, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.part")
    try:
        with temporary.open("wb") as handle:
            writer.write(handle)
        temporary.replace(out)
    finally:
        temporary.unlink(missing_ok=True)
