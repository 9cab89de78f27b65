"""The PDF of the whole book (compute_deals.build.pdf), printed once from the built book.

Run after `make book` (make test does both). The PDF must hold every page the sidebar lists, in
order, with bookmarks; the charts as drawn (their text, and vector paths, not pictures); a page
number on every page but the cover, and a contents page whose numbers lead to the right pages.
Printing is offline: write_pdf raises if the book asks for anything from the internet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from browsing import chromium, visit
from pypdf import PdfReader

from compute_deals.build.pdf import ALL_CHARTS_DRAWN, PdfError, write_pdf

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_build" / "html"
LANDING = BOOK / "notebooks" / "index.html"  # the root index.html redirects here
CHART_PAGE = "notebooks/cost_per_mw.html"
# Operators that build a path in a PDF content stream (move, line, curves, rectangle, close).
PATH_OPERATOR = re.compile(rb"(?<![^\s\])>])(?:m|l|c|v|y|re|h)(?=\s)")


@dataclass
class Printed:
    """The written PDF, with its pages' text extracted once each, on demand."""

    path: Path
    reader: PdfReader
    texts: dict[int, str] = field(default_factory=dict)

    def text(self, number: int) -> str:
        """The text of page `number` (1-based)."""
        if number not in self.texts:
            self.texts[number] = self.reader.pages[number - 1].extract_text()
        return self.texts[number]

    def bookmarks(self) -> list[tuple[str, int]]:
        """Every bookmark, depth first, as (title, 1-based page number)."""
        def walk(items):
            for item in items:
                if isinstance(item, list):
                    yield from walk(item)
                else:
                    yield item.title, self.reader.get_destination_page_number(item) + 1
        return list(walk(self.reader.outline))


def sidebar_links() -> list[tuple[str, Path]]:
    """(title, file) of every page link in the landing page's sidebar, in order."""
    soup = BeautifulSoup(LANDING.read_text(encoding="utf-8"), "html.parser")
    links = soup.select("nav.bd-docs-nav a.reference.internal")
    # The home link, "#", is the landing page itself.
    return [(a.get_text(" ", strip=True),
             (LANDING.parent / (a["href"].split("#")[0] or LANDING.name)).resolve())
            for a in links]


def heading(page: Path) -> str:
    h1 = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("h1")
    for anchor in h1.select("a.headerlink"):
        anchor.decompose()
    return h1.get_text(" ", strip=True)


def compact(text: str) -> str:
    """The text without spaces or line breaks (a heading may wrap at its hyphens), and the
    ligatures the PDF's fonts use ("ﬂ") made letters again."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Printed:
    assert LANDING.exists(), "no built book: run `make book` first"
    out = tmp_path_factory.mktemp("pdf") / "book" / "compute-deals.pdf"
    written = write_pdf(BOOK, out, say=lambda *_: None)
    return Printed(written, PdfReader(written))


def test_the_pdf_is_written_offline(pdf):
    """write_pdf raises if any page asked for an address off this machine; it returned."""
    assert pdf.path.is_file() and pdf.path.read_bytes().startswith(b"%PDF-")
    assert not list(pdf.path.parent.glob(".*.part")), "the temporary file was left behind"


def test_every_sidebar_page_is_in_the_pdf_in_order(pdf):
    links = sidebar_links()
    assert len(pdf.reader.pages) >= len(links) + 1  # each page at least one, and the contents
    titles = iter(title for title, _ in pdf.bookmarks())
    missing = [title for title, _ in links if title not in titles]  # consumes: keeps the order
    assert not missing, f"pages not bookmarked, or out of order, from the first: {missing}"
    assert pdf.reader.metadata.title == links[0][0]


def chart_only_texts(page_file: Path) -> tuple[list[str], int]:
    """Axis titles the drawn charts show that the page's own text (scripts aside) does not, and
    how many marks the charts drew."""
    with chromium() as browser:
        seen = visit(browser, page_file)
        seen.page.wait_for_function(ALL_CHARTS_DRAWN, timeout=30_000)
        titles = seen.page.evaluate(
            "() => [...document.querySelectorAll('.cd-chart svg.marks .role-axis-title text')]"
            ".map(t => t.textContent)")
        marks = seen.page.evaluate(
            "() => document.querySelectorAll('.cd-chart svg.marks g.role-mark > *').length")
    soup = BeautifulSoup(page_file.read_text(encoding="utf-8"), "html.parser")
    for element in soup.select("script, style"):
        element.decompose()
    static = compact(soup.get_text(" "))
    return sorted({t for t in titles if t and compact(t) not in static}), marks


def path_operators(page) -> int:
    """Path operators of a page's content and of the forms it draws (nested ones too)."""
    def count(contents, resources) -> int:
        total = len(PATH_OPERATOR.findall(contents))
        for xobject in (resources or {}).get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Form":
                total += count(xobject.get_data(), xobject.get("/Resources"))
        return total
    return count(page.get_contents().get_data(), page.get("/Resources"))


def chapter_pages(pdf: Printed, title: str) -> range:
    """The page numbers from the chapter's first page to the page before the next bookmark's."""
    starts = sorted({page for _, page in pdf.bookmarks()} | {len(pdf.reader.pages) + 1})
    first = dict(pdf.bookmarks())[title]
    return range(first, next(page for page in starts if page > first))


def test_charts_are_in_the_pdf_as_drawn_vector_graphics(pdf):
    page_file = (BOOK / CHART_PAGE).resolve()
    texts, marks = chart_only_texts(page_file)
    assert texts and marks, f"{CHART_PAGE}: no axis title only its charts show, or no marks"
    title = next(t for t, f in sidebar_links() if f == page_file)
    numbers = chapter_pages(pdf, title)
    chapter_text = compact(" ".join(pdf.text(n) for n in numbers))
    assert [t for t in texts if compact(t) not in chapter_text] == [], "chart text not in the PDF"
    pages = [pdf.reader.pages[n - 1] for n in numbers]
    assert not [image.name for page in pages for image in page.images], "charts drawn as pictures"
    # Each mark is at least a move and a line or curve; axes, grids and text boxes add more.
    assert sum(path_operators(page) for page in pages) >= 2 * marks


def contents_numbers(pdf: Printed) -> dict[str, int]:
    """The contents' lines "Title ... 12", from page 2 up to the landing page."""
    landing = pdf.bookmarks()[1][1]  # the first bookmark is "Contents"
    lines = "\n".join(pdf.text(n) for n in range(2, landing)).splitlines()
    return {m.group(1): int(m.group(2)) for m in map(re.compile(r"^(.*\S)\s+(\d+)$").match, lines)
            if m}


def test_every_page_after_the_cover_is_numbered(pdf):
    """Page 2, the last page and every bookmarked page carry "Title · k / N"; the cover not."""
    total = len(pdf.reader.pages)
    book_title = pdf.reader.metadata.title
    assert f"· 1 / {total}" not in pdf.text(1), "the cover is numbered"
    for number in sorted({2, total} | {page for _, page in pdf.bookmarks()}):
        assert f"{book_title} · {number} / {total}" in pdf.text(number), f"page {number}"


def test_the_contents_gives_the_page_each_page_starts_on(pdf):
    listed = contents_numbers(pdf)
    for title, page_file in sidebar_links():
        assert title in listed, f"{title} is not in the contents"
        text = compact(pdf.text(listed[title]))
        assert text.startswith(compact(heading(page_file))), f"page {listed[title]} is not {title}"
        assert dict(pdf.bookmarks())[title] == listed[title]


def tiny_book(folder: Path, body: str) -> Path:
    """A one-page book in `folder`/book whose page shows `body` under its heading."""
    book = folder / "book"
    book.mkdir()
    (book / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><title>Tiny</title></head><body>'
        '<nav class="bd-docs-nav"><ul><li class="toctree-l1"><a href="#">Tiny</a></li></ul></nav>'
        f'<h1>Tiny</h1>{body}</body></html>', encoding="utf-8")
    return book


def test_a_folded_text_prints_open(tmp_path):
    """A <details> (the what-changed page's old and new notes) cannot be clicked on paper."""
    book = tiny_book(tmp_path, "<details><summary>the new text</summary>Vineland site</details>")
    written = write_pdf(book, tmp_path / "tiny.pdf", say=lambda *_: None)
    assert "Vineland site" in "".join(page.extract_text() for page in PdfReader(written).pages)


def test_a_page_that_asks_the_internet_stops_the_pdf(tmp_path):
    """The guard write_pdf prints through: an image from elsewhere is refused and named."""
    book = tiny_book(tmp_path, '<img src="https://example.org/tracker.png" alt="">')
    out = tmp_path / "out" / "tiny.pdf"
    refused = r"https://example\.org/tracker\.png \(asked by index\.html\)"
    with pytest.raises(PdfError, match=refused):
        write_pdf(book, out, say=lambda *_: None)
    assert not out.exists() and not list(out.parent.glob("*"))


def test_links_lead_to_the_published_book_not_to_this_machine(pdf):
    """A link to another page of the book points where the book is published (html.baseurl)."""
    import yaml

    base_url = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["baseurl"]
    links = [annotation.get_object().get("/A", {}).get("/URI", "")
             for page in pdf.reader.pages for annotation in page.get("/Annots") or []]
    assert not [link for link in links if link.startswith("file:")]
    assert any(link.startswith(base_url + "notebooks/sources.html#source-") for link in links)
