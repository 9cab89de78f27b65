"""Parameter files and scenario sets: checked against the declared parameters before anything runs."""

from pathlib import Path

import pytest

from compute_deals.analysis import scenarios
from compute_deals.build.execute import own_parameters

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_parameter_file_with_declared_names_and_kinds_is_read(tmp_path):
    path = write(tmp_path, "ramp_shape: step_end\nstatuses: [signed]\n")
    assert scenarios.read_parameters(path) == {"ramp_shape": "step_end", "statuses": ["signed"]}


@pytest.mark.parametrize("text, says", [
    ("ramp_shap: linear\n", "unknown parameter 'ramp_shap'; allowed: "),
    ("statuses: signed\n", "statuses is text ('signed'); expected a list, like the default"),
    ("ramp_shape: s-curve\n", "ramp_shape 's-curve' is not one of: linear, step_start, step_end"),
    ("data_dir: elsewhere\n", "data_dir is set by the build"),
    ("- just\n- a list\n", "expected a mapping of parameter names to values"),
    ("ramp_shape: [unclosed\n", "not valid YAML"),
])
def test_a_bad_parameter_file_says_what_is_wrong(tmp_path, text, says):
    with pytest.raises(scenarios.ParameterError) as caught:
        scenarios.read_parameters(write(tmp_path, text))
    assert says in str(caught.value) and str(tmp_path) in str(caught.value)


def test_a_misspelt_parameter_names_the_scenario_the_parameter_and_the_allowed_names(tmp_path):
    path = write(tmp_path, "base: {}\nslow:\n  ramp_shap: step_end\n")
    with pytest.raises(scenarios.ParameterError) as caught:
        scenarios.read_scenarios(path)
    message = str(caught.value)
    assert "scenario 'slow': unknown parameter 'ramp_shap'; allowed: " in message
    assert "ramp_shape" in message.split("allowed: ")[1]


def test_scenario_names_must_be_slugs(tmp_path):
    with pytest.raises(scenarios.ParameterError, match="scenario 'Low Cost': a scenario name is a slug"):
        scenarios.read_scenarios(write(tmp_path, "Low Cost: {}\n"))


def test_a_notebook_gets_only_the_parameters_it_declares():
    notebook = ROOT / "notebooks" / "sources.ipynb"
    assert own_parameters(notebook, {"buyer": "Acme AI", "ramp_shape": "linear"}) == {"buyer": "Acme AI"}
    assert own_parameters(notebook, {}) == {}
