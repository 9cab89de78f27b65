"""Every buyer in the shipped data gets a book: `make book BUYER=<name>` builds for each of them
(on a copy of the book, so the repository's _build is untouched), and its pages describe that buyer.
The shipped record itself is broad enough to compare buyers: at least 80 deals of at least 6."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from conftest import copy_of_book

from compute_deals.build import book
from compute_deals.facts.load import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = load_dataset(ROOT / "data")
BUYERS = sorted(set(SHIPPED.deals["buyer"]))


def test_the_record_covers_at_least_six_buyers_and_eighty_deals():
    per_buyer = SHIPPED.deals["buyer"].value_counts()
    assert len(SHIPPED.deals) >= 80 and len(per_buyer) >= 6
    assert (per_buyer[["Anthropic", "Meta", "xAI", "Microsoft"]] >= 8).all()


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return copy_of_book(tmp_path_factory.mktemp("buyers"))


@pytest.mark.parametrize("buyer", BUYERS)
def test_every_buyers_book_builds_and_describes_that_buyer(root, buyer):
    messages: list[str] = []
    book.build(root, root / "data", buyer, say=messages.append)
    assert f"Executing notebooks with papermill (buyer: {buyer}) ..." in messages
    landing = html.unescape((root / "_build/html/notebooks/index.html").read_text())
    assert f"</strong> of {buyer} with" in landing
