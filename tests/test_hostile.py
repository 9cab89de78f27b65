"""Hostile text in the data is shown as text: no script runs, no dialog opens, no javascript: link.

A made-up buyer whose every free-text field carries HTML and JavaScript is built into a book (in a
temporary copy) and every page is opened in chromium.
"""

from __future__ import annotations

import pytest
from browsing import chromium, shows_a_tooltip, visit
from conftest import copy_of_book, deal, source, write_dataset

from compute_deals.build import book

PAYLOAD = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">'\"&"


def hostile_dataset(folder):
    deals = [
        deal(buyer="Evil " + PAYLOAD, counterparty="Cloud " + PAYLOAD,
             accelerator_vendor="Vendor " + PAYLOAD, accelerator="Chip " + PAYLOAD,
             notes=PAYLOAD, sources="evil-source"),
        deal(deal_id="evil-2", buyer="Evil " + PAYLOAD, counterparty="[link](javascript:alert(3))",
             status="loi", sources="evil-source"),
    ]
    sources = [source(source_id="evil-source", title="Title " + PAYLOAD, publisher=PAYLOAD,
                      address="javascript:window.__pwned=3")]
    return write_dataset(folder, deals, sources)


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    root = copy_of_book(tmp_path_factory.mktemp("book"))
    book.build(root, hostile_dataset(tmp_path_factory.mktemp("data") / "evil"), say=lambda _: None)
    return root / "_build" / "html"


def test_no_address_becomes_a_javascript_link(hostile_book):
    for page in hostile_book.rglob("*.html"):
        assert 'href="javascript:' not in page.read_text().lower(), page.name


def test_every_page_shows_the_payload_as_text_and_runs_none_of_it(hostile_book):
    pages = sorted(hostile_book.rglob("*.html"))
    with chromium() as browser:
        for path in pages:
            seen = visit(browser, path)
            seen.page.wait_for_timeout(300)  # let charts draw and any injected handler fire
            shows_a_tooltip(seen.page)  # tooltips carry the payload too
            pwned = seen.page.evaluate("() => window.__pwned")
            text = seen.page.inner_text("body")
            seen.page.close()
            assert pwned is None, f"{path.name}: injected script ran"
            assert not seen.dialogs, f"{path.name}: dialogs {seen.dialogs}"
            if path.name in {"deals_at_a_glance.html", "sources.html"}:
                assert "<script>window.__pwned=1</script>" in text, path.name
