"""What a notebook parameter is (its default, unit, range and the reason for it), and the pages'
own parameters: which data, buyer and deals a page takes, and the scenario and draws it runs.

The analysis modules declare theirs (PARAMETERS in ramp, reconcile, cost, dependency); registry.py
gathers them all. The notebooks repeat each default as a literal in their `parameters` cell
(papermill reads them there); tests/test_parameters.py checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALL_STATUSES_BUT_CANCELLED = ["talks", "loi", "signed", "superseded"]


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    unit: str
    meaning: str
    reason: str = ""
    sources: tuple[str, ...] = ()  # source ids in data/sources.csv backing the default or range
    low: float | None = None  # the range the uncertainty analysis explores, where it applies
    high: float | None = None
    choices: tuple = ()  # the allowed values (of each item, for a list), where there is a fixed set

    def allows(self, value) -> bool:
        """Whether `value` (each item of it, for a list parameter) is one of the choices."""
        items = value if isinstance(value, list) else [value]
        return not self.choices or all(item in self.choices for item in items)


COMMON = (
    Parameter("data_dir", "../data", "folder",
              "the data folder, in the format of data/README.md, relative to notebooks/"),
    Parameter("buyer", "OpenAI", "name", "whose deals are analysed: a value of deals.csv's buyer"),
    Parameter("buyers", [], "list of names",
              "which buyers the comparison pages (buyers, vendors) take: every buyer in the data "
              "if empty; a one-buyer book (make book BUYER=...) sets it to that buyer"),
    Parameter(
        "statuses", ALL_STATUSES_BUT_CANCELLED, "list of statuses",
        "which deals count: those whose status is listed",
        reason="Every deal still on the record counts, letters of intent and talks included, since "
        "the question is what the buyer has lined up; cancelled deals do not. Superseded rows are "
        "shown apart and never added to totals: the row that replaced them restates their figures.",
    ),
    Parameter("since", "", "folder or git revision",
              "the previous edition of the data the what-changed page compares with: a data folder "
              "(relative to notebooks/) or a git revision; empty for data/ before the last commit "
              "that changed its files (make book SINCE=... sets it)"),
)


SCENARIOS_FILE = "scenarios.yml"  # the scenarios, at the repository's root (scenarios.py reads it)
BASE = "base"  # the scenario a scenario page shows unless told
DRAWS = 10_000
SEED = 20261122

# The scenario pages' and the Monte Carlo's own (uncertainty.py).
SIMULATION = (
    Parameter("scenario", BASE, "name",
              "the scenario this page shows: a name in scenarios.yml (the build sets it)"),
    Parameter("scenarios_file", f"../{SCENARIOS_FILE}", "file",
              "the scenarios the comparison sets side by side, relative to notebooks/"),
    Parameter(
        "draws", DRAWS, "draws", "how many Monte Carlo draws give each interval and band",
        reason="With 10,000 draws a 5th or 95th percentile is within about 0.2% of its range of the "
        "exact one (one standard error, sqrt(0.05 × 0.95 / 10,000)), finer than any figure shown.",
    ),
    Parameter("seed", SEED, "integer",
              "the seed of the random draws: the same seed gives the same intervals and bands"),
)
