"""Parameter sets as data: scenarios.yml names each scenario and the parameters it changes.

A user's own file (`make book PARAMS=my.yml`) has the shape of one scenario. Every name must be a
declared parameter (compute_deals.analysis.parameters) and every value of the type of its default, within
its choices; errors name the file, the scenario, the parameter and what is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from compute_deals.analysis.parameters import SCENARIOS_FILE
from compute_deals.analysis.registry import registry
from compute_deals.facts.schema import SLUG_PATTERN

# Set by the build (DATA=, BUYER=, the scenario being run), never by a parameter file.
SET_BY_THE_BUILD = ("data_dir", "buyer", "scenario", "scenarios_file")


class ParameterError(ValueError):
    pass


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "text", list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _same_kind(value, default) -> bool:
    return _kind(value) == _kind(default)


def problems_in(values, where: str) -> list[str]:
    """What is wrong with one parameter set (a mapping of parameter name to value)."""
    if not isinstance(values, dict):
        return [f"{where}: expected a mapping of parameter names to values, found {_kind(values)}"]
    declared = registry()
    allowed = ", ".join(sorted(set(declared) - set(SET_BY_THE_BUILD)))
    problems = []
    for name, value in values.items():
        if name in SET_BY_THE_BUILD:
            problems.append(f"{where}: {name} is set by the build (DATA=, BUYER=, the scenario's "
                            "name), not by a parameter file")
        elif name not in declared:
            problems.append(f"{where}: unknown parameter {name!r}; allowed: {allowed}")
        elif not _same_kind(value, declared[name].default):
            default = declared[name].default
            problems.append(f"{where}: {name} is {_kind(value)} ({value!r}); expected "
                            f"{_kind(default)}, like the default {default!r}")
        elif not declared[name].allows(value):
            choices = ", ".join(map(str, declared[name].choices))
            problems.append(f"{where}: {name} {value!r} is not one of: {choices}")
    return problems


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: file not found") from None
    except yaml.YAMLError as err:
        raise ParameterError(f"{path}: not valid YAML: {err}") from None


def read_parameters(path: Path) -> dict:
    """A user's parameter file: one mapping of parameter names to values."""
    values = _read_yaml(path) or {}
    problems = problems_in(values, str(path))
    if problems:
        raise ParameterError("\n".join(problems))
    return values


def read_scenarios(path: Path) -> dict[str, dict]:
    """Every scenario in the file, by name, with the parameters it sets (may be none)."""
    scenarios = _read_yaml(path) or {}
    if not isinstance(scenarios, dict):
        raise ParameterError(f"{path}: expected a mapping of scenario names to parameter sets")
    problems = []
    for name, values in scenarios.items():
        where = f"{path}: scenario {name!r}"
        if not re.fullmatch(SLUG_PATTERN, str(name)):
            problems.append(f"{where}: a scenario name is a slug (lowercase letters, digits, "
                            "hyphens): it names the page")
        problems += problems_in(values or {}, where)
    if problems:
        raise ParameterError("\n".join(problems))
    return {name: values or {} for name, values in scenarios.items()}
