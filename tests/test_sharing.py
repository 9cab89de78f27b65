"""What a shared or published book offers: a description and an Open Graph preview on every page,
and a sitemap of every page, all under the address in _config.yml (html.baseurl). Run after
`make book` (make test does both)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import yaml

from compute_deals.build.sphinx_ext import CARD, DESCRIPTION_CHARS

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_build" / "html"
BASE_URL = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["baseurl"]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def content_pages() -> list[Path]:
    """Every page of the book: not Sphinx's index and search pages, nor the redirecting root."""
    special = {"genindex.html", "search.html", "index.html"}
    return sorted(p for p in BOOK.rglob("*.html")
                  if not p.relative_to(BOOK).parts[0].startswith("_")
                  and not (p.parent == BOOK and p.name in special))


def meta(page: Path) -> dict[str, str]:
    tags = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)" />', page.read_text())
    return dict(tags)


def test_every_page_has_a_description_and_an_open_graph_preview():
    pages = content_pages()
    assert len(pages) > 20
    for page in pages:
        tags, address = meta(page), page.relative_to(BOOK).as_posix()
        assert tags.get("og:title"), address
        assert tags.get("og:url") == BASE_URL + address
        assert 40 < len(tags.get("description", "")) <= DESCRIPTION_CHARS + 2, address
        assert tags["og:description"] == tags["description"]
        assert tags["og:image"] == BASE_URL + "_static/" + CARD
    assert (BOOK / "_static" / CARD).read_bytes().startswith(b"\x89PNG")


def test_a_description_reads_glued_figures_as_the_page_shows_them():
    """A figure glued into a sentence keeps the spaces around it (sphinxext-opengraph's own
    description lost them: "is$66.7M per MW(Monte")."""
    description = meta(BOOK / "scenarios" / "base.html")["description"]
    assert re.search(r"is \$[0-9.]+[MB] per MW \(", description), description


def test_the_sitemap_lists_every_page_under_the_published_address():
    root = ElementTree.parse(BOOK / "sitemap.xml").getroot()
    listed = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    expected = {BASE_URL + p.relative_to(BOOK).as_posix() for p in content_pages()}
    assert expected <= listed, f"missing from the sitemap: {sorted(expected - listed)}"


def test_a_book_published_elsewhere_is_built_with_that_address(tmp_path):
    """make book BASE_URL=... (the publishing workflow) sets html.baseurl in the stage's
    configuration only; without it the configuration is staged as it is."""
    from compute_deals.build import book

    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    book.publish_at(tmp_path, "")
    assert (tmp_path / "_config.yml").read_text() == (ROOT / "_config.yml").read_text()
    book.publish_at(tmp_path, "https://someone.github.io/compute-deals")
    staged = yaml.safe_load((tmp_path / "_config.yml").read_text())
    assert staged["html"]["baseurl"] == "https://someone.github.io/compute-deals/"
    assert staged["sphinx"] == yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]
