"""Every notebook parameter is declared once, in compute_deals.analysis.parameters, with the same default."""

import ast
from pathlib import Path

import papermill
import pytest

from compute_deals.analysis.registry import registry

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_defaults_are_the_registered_defaults(notebook):
    declared = registry()
    found = papermill.inspect_notebook(str(notebook))
    assert "data_dir" in set(found) and {"buyer", "buyers"} & set(found)  # one buyer, or several
    for name, parameter in found.items():
        assert name in declared, f"{notebook.name}: parameter {name} is not in compute_deals.analysis.parameters"
        assert ast.literal_eval(parameter["default"]) == declared[name].default, name


def test_every_parameter_explains_itself_and_ranges_hold_the_default():
    for parameter in registry().values():
        assert parameter.unit and parameter.meaning, parameter.name
        if parameter.low is not None or parameter.high is not None:
            assert parameter.reason and parameter.sources, parameter.name
            assert parameter.low <= parameter.default <= parameter.high, parameter.name
        if parameter.choices:
            assert parameter.allows(parameter.default), parameter.name


def test_every_parameter_source_is_in_the_shipped_sources():
    import csv

    with (NOTEBOOKS[0].parents[1] / "data" / "sources.csv").open(encoding="utf-8") as handle:
        known = {row["source_id"] for row in csv.DictReader(handle)}
    for parameter in registry().values():
        assert set(parameter.sources) <= known, parameter.name
