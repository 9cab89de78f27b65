"""Many buyers: a folder of 40 generated buyers (synthetic.py) builds the all-buyers book.

`make book` with no BUYER gives the landing comparison of every buyer, linking to a page per buyer
(each in its own folder with the tables its charts plot), and the cross-buyer sections of the
chapters take them all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_of_book

from compute_deals.analysis import buyers
from compute_deals.build import book, synthetic
from compute_deals.facts.load import load_dataset

N_BUYERS = 40
N_DEALS = 400


@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    """(built HTML folder, the buyers) of a copy of the book built from 40 generated buyers."""
    root = copy_of_book(tmp_path_factory.mktemp("book"))
    data_dir = synthetic.write_dataset(tmp_path_factory.mktemp("data") / "forty", N_DEALS, n_buyers=N_BUYERS)
    messages: list[str] = []
    book.build(root, data_dir, say=messages.append)
    return root / "_build" / "html", buyers.all_buyers(load_dataset(data_dir).deals), messages


def test_forty_buyers_build_the_all_buyers_book(forty):
    html, names, messages = forty
    assert len(names) == N_BUYERS
    assert f"Executing notebooks with papermill (buyer: {synthetic.MAIN_BUYER}) ..." in messages
    landing = (html / "notebooks" / "index.html").read_text()
    folders = buyers.page_names(names)
    for name in names:
        assert f'<a href="../buyers/{folders[name]}/index.html">{name}</a>' in landing


def test_every_buyer_has_a_page_titled_with_its_name(forty):
    html, names, _ = forty
    folders = buyers.page_names(names)
    assert sorted(p.name for p in (html / "buyers").iterdir()) == sorted(folders.values())
    for name, folder in folders.items():
        assert f"<h1>{name}" in (html / "buyers" / folder / "index.html").read_text()


def test_the_chapters_compare_every_buyer(forty):
    html, names, _ = forty
    for chapter in ("cost_per_mw", "nvidia_dependency", "timeline_overlaps"):
        assert 'id="across-buyers"' in (html / "notebooks" / f"{chapter}.html").read_text()
    together = Path(html / "notebooks" / "tables" / "ramping_together.csv").read_text()
    assert sum(name in together for name in names) > N_BUYERS // 2
