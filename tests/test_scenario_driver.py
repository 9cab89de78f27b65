"""The driver's side of scenarios: one page per scenario in scenarios.yml, listed in the book's
contents without editing _toc.yml, re-run only when that scenario (or what it reads) changes.

Runs on a copy of the book with a small template and comparison page of its own, so it tests the
driver alone; the real pages are tested by nbval and the other tests.
"""

from __future__ import annotations

import nbformat
import pytest
import yaml
from conftest import copy_of_book

from compute_deals.build import book

PARAMETERS = '''data_dir = "../data"
buyer = "OpenAI"
scenario = "base"
ramp_shape = "linear"'''


def notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nb.cells = list(cells)
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"
    return nb


def parameters_cell():
    cell = nbformat.v4.new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    return cell


@pytest.fixture
def root(tmp_path):
    """A copy of the book cut down to a front page, a comparison page and the template."""
    root = copy_of_book(tmp_path)
    for chapter in root.joinpath("notebooks").glob("*.ipynb"):
        chapter.unlink()
    (root / "book" / "intro.md").write_text("# A book of scenarios\n\nSee the scenarios.\n")
    nbformat.write(notebook(nbformat.v4.new_markdown_cell("# Scenario\n\nOne scenario."),
                            parameters_cell(),
                            nbformat.v4.new_code_cell("print(scenario, ramp_shape)")),
                   root / "notebooks" / book.SCENARIO_TEMPLATE)
    reads_the_file = nbformat.v4.new_code_cell('scenarios_file = "../scenarios.yml"')
    reads_the_file.metadata["tags"] = ["parameters"]
    nbformat.write(notebook(nbformat.v4.new_markdown_cell("# Scenarios\n\nAll of them."), reads_the_file,
                            nbformat.v4.new_code_cell("print(open(scenarios_file).read())")),
                   root / "notebooks" / "scenarios.ipynb")
    toc = {"format": "jb-book", "root": "book/intro",
           "chapters": [{"file": book.SCENARIO_COMPARISON, "title": "Scenarios"}]}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    (root / "scenarios.yml").write_text("base: {}\nlate:\n  ramp_shape: step_end\n")
    return root


def build(root) -> list[str]:
    messages: list[str] = []
    book.build(root, root / "data", say=messages.append)
    return messages


def test_each_scenario_gets_a_titled_page_under_the_comparison(root):
    build(root)
    html = root / "_build" / "html"
    late = (html / "scenarios" / "late.html").read_text()
    assert "Scenario: late" in late and "late step_end" in late
    assert "Scenario: base" in (html / "scenarios" / "base.html").read_text()
    assert 'href="../scenarios/late.html"' in (html / "notebooks" / "scenarios.html").read_text()


def test_a_changed_scenario_reruns_alone_and_a_new_one_adds_a_page(root):
    build(root)
    (root / "scenarios.yml").write_text(
        "base: {}\nlate:\n  ramp_shape: step_start\nearly:\n  ramp_shape: step_start\n")
    messages = build(root)
    executed = sorted(m.split("] ")[1].split(" done in")[0] for m in messages if " done in " in m)
    # The changed and the new scenario, and the comparison, which reads every scenario; not base.
    assert executed == ["notebooks/scenarios.ipynb", "scenarios/early.ipynb", "scenarios/late.ipynb"]
    assert "early:" in (root / "_build" / "html" / "notebooks" / "scenarios.html").read_text()
    assert "up to date: scenarios/base.ipynb" in [m.strip() for m in messages]
    assert (root / "_build" / "html" / "scenarios" / "early.html").exists()


def test_a_removed_scenario_loses_its_page(root):
    build(root)
    (root / "scenarios.yml").write_text("base: {}\n")
    build(root)
    assert not (root / "_build" / "html" / "scenarios" / "late.html").exists()
