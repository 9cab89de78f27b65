"""The scenario page template, the comparison page and their tables."""

import ast

import nbformat
import papermill
import pytest

from compute_deals.analysis import scenarios, uncertainty
from compute_deals.report.charts import scenarios as recipes
from compute_deals.facts.load import load_dataset
from compute_deals.analysis.registry import registry
from conftest import ROOT

TEMPLATE = ROOT / "notebooks" / "scenario_page.ipynb"
COMPARISON = ROOT / "notebooks" / "scenarios.ipynb"


def test_the_template_declares_every_parameter_with_its_default():
    found = papermill.inspect_notebook(str(TEMPLATE))
    # A scenario is one buyer's (buyers is the comparison pages'), and names no edition (since is
    # the what-changed page's).
    assert set(found) == set(registry()) - {"buyers", "since"}
    for name, parameter in found.items():
        assert ast.literal_eval(parameter["default"]) == registry()[name].default, name


def test_the_template_title_is_the_line_the_build_replaces():
    first = nbformat.read(TEMPLATE, as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.splitlines()[0] == "# Scenario"


def test_the_comparison_page_reads_the_scenarios_file():
    assert set(papermill.inspect_notebook(str(COMPARISON))) == {"data_dir", "buyer", "scenarios_file"}


@pytest.fixture
def acme(acme_dir):
    return load_dataset(acme_dir)


def test_a_scenario_added_to_the_file_adds_a_column(acme, tmp_path):
    path = tmp_path / "scenarios.yml"
    path.write_text("base: {}\nslow:\n  non_nvidia_delay_months: 12\n  installed_nvidia_share: 0.95\n")
    two = uncertainty.scenario_comparison_table(acme, "Acme AI", scenarios_file=path)
    path.write_text(path.read_text() + "signed-only:\n  statuses: [signed]\n")
    three = uncertainty.scenario_comparison_table(acme, "Acme AI", scenarios_file=path)
    table = recipes.comparison_page_table(three)
    assert len(recipes.comparison_page_table(two).columns) == 3 and len(table.columns) == 4
    assert list(table.columns[1:]) == [f'<a href="../scenarios/{n}.html">{n}</a>'
                                       for n in ("base", "slow", "signed-only")]
    assert len(table) == len(uncertainty.FIGURES)
    # the scenario holds what it sets: no interval left on the share once the delay and the
    # installed base's vendor mix are fixed (Acme reports no capacity range)
    slow = three[(three["scenario"] == "slow") & (three["figure"] == "nvidia_share_2028")].iloc[0]
    assert slow["p5"] == slow["p95"] == slow["value"]


def test_a_misspelt_parameter_fails_with_the_scenario_and_the_name(acme, tmp_path):
    path = tmp_path / "scenarios.yml"
    path.write_text("base: {}\nslow:\n  non_nvidia_delay: 12\n")
    with pytest.raises(scenarios.ParameterError, match="scenario 'slow'.*non_nvidia_delay"):
        uncertainty.scenario_comparison_table(acme, "Acme AI", scenarios_file=path)


def test_the_page_lists_what_the_run_holds():
    table = recipes.changed_page_table({"non_nvidia_delay_months": 12, "statuses": ["signed"]})
    assert list(table["Value here"]) == ["12", "signed"]
    assert list(table["Default"]) == ["0", "talks, loi, signed, superseded"]
    assert list(recipes.changed_page_table({})["Value here"]) == ["every parameter at its default"]


def test_the_paths_table_names_carry_the_scenario(acme):
    tables = uncertainty.scenario_tables(acme, "Acme AI", "slow", {"non_nvidia_delay_months": 12})
    [(name, frame)] = tables.items()
    assert name == "scenario-slow-paths.csv"
    assert {"nvidia_share_p5", "nvidia_share_p95", "online_mw_p5", "online_mw_p95"} <= set(frame.columns)
    assert (frame["nvidia_share_p5"] <= frame["nvidia_share_p95"]).all()

