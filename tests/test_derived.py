"""Derived tables computed once per build (derived.py): a cached result is the computed one, the
key changes with every input it depends on, and the build's pages show exactly what a run without
the cache shows (the stored notebooks that strict nbval checks)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import ROOT, acme_deals, acme_sources, write_dataset

from compute_deals import derived
from compute_deals.analysis import buyers
from compute_deals.report.charts import STATIC_CLASS
from compute_deals.facts.load import load_dataset

calls: list[tuple] = []


@derived.table(files=("path",))
def counted(data, buyer: str, path: str, scale: float = 1.0) -> pd.DataFrame:
    """A derived table made for the test: counts its calls."""
    calls.append((buyer, path, scale))
    return pd.DataFrame({"deals": [len(data.deals) * scale]})


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "derived"
    monkeypatch.setenv(derived.ENV, str(folder))
    calls.clear()
    return folder


@pytest.fixture
def acme(tmp_path):
    return write_dataset(tmp_path / "acme", acme_deals(), acme_sources())


def test_a_table_is_computed_once_and_read_back_equal(cache, acme, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    data = load_dataset(acme)
    first = counted(data, "Acme AI", str(tmp_path / "file.txt"))
    again = counted(data, "Acme AI", path=str(tmp_path / "file.txt"), scale=1.0)  # the same call, spelt otherwise
    pd.testing.assert_frame_equal(first, again)
    assert len(calls) == 1 and len(list(cache.glob("*counted-*.pkl"))) == 1


def test_the_key_follows_every_input(cache, acme, tmp_path):
    file = tmp_path / "file.txt"
    file.write_text("x")
    data = load_dataset(acme)
    counted(data, "Acme AI", str(file))
    counted(data, "Other", str(file))  # another argument
    counted(data, "Acme AI", str(file), scale=2.0)  # another keyword value
    file.write_text("y")
    counted(data, "Acme AI", str(file))  # the same path, other bytes
    (acme / "deals.csv").write_text((acme / "deals.csv").read_text().replace("Bolt Cloud", "Volt Cloud"))
    counted(load_dataset(acme), "Acme AI", str(file))  # other data
    assert len(calls) == 5


def test_a_path_is_keyed_by_its_bytes_not_its_spelling(cache, acme, tmp_path, monkeypatch):
    (tmp_path / "file.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    data = load_dataset(acme)
    counted(data, "Acme AI", str(tmp_path / "file.txt"))
    counted(data, "Acme AI", "file.txt")
    assert len(calls) == 1


def test_a_dataset_made_in_code_or_no_cache_folder_always_computes(cache, acme, monkeypatch):
    data = load_dataset(acme)
    made = data.__class__(**{**data.__dict__, "digest": ""})
    counted(made, "Acme AI", "nowhere")
    counted(made, "Acme AI", "nowhere")
    monkeypatch.delenv(derived.ENV)
    counted(data, "Acme AI", "nowhere")
    counted(data, "Acme AI", "nowhere")
    assert len(calls) == 4 and not list(cache.glob("*counted-*"))


def test_a_cached_comparison_equals_the_computed_one(cache, acme):
    data = load_dataset(acme)
    cached = buyers.comparison_table(data)
    assert list(cache.glob("compute_deals.analysis.buyers.comparison_table-*.pkl"))
    pd.testing.assert_frame_equal(buyers.comparison_table(load_dataset(acme)), cached)


def test_prune_keeps_what_the_last_build_used(tmp_path):
    old, used = tmp_path / "old.pkl", tmp_path / "used.pkl"
    for path in (old, used):
        path.write_bytes(b"")
    import os
    os.utime(old, (1, 1))
    derived.prune(tmp_path, before=10)
    assert not old.exists() and used.exists()


def outputs(notebook) -> list:
    """A notebook's outputs, but the static chart images only Jupyter shows: the book's runs do
    not draw them (charts.place), and the stored ones do (tests/test_lab.py checks both)."""
    cells = json.loads(notebook.read_text())["cells"]
    return [[o for o in c.get("outputs", []) if STATIC_CLASS not in "".join(o.get("data", {}).get("text/html", ""))]
            for c in cells if c["cell_type"] == "code" and c.get("id") != "injected-parameters"]


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")
                                            if p.name not in {"scenario_page.ipynb", "buyer_page.ipynb"}))
def test_the_built_chapters_show_what_the_stored_notebooks_show(notebook):
    """`make test` builds the book on the shipped data first (its default run, so the pages read
    the derived tables the build cached); strict nbval runs the stored notebooks without them."""
    built = ROOT / "_build" / "stage" / "notebooks" / notebook
    assert built.exists(), "build the book first: make book"
    assert outputs(built) == outputs(ROOT / "notebooks" / notebook)
