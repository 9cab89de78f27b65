"""Every notebook parameter in one place: its default, unit, range and the reason for it.

The notebooks repeat each default as a literal in their `parameters` cell (papermill reads them
there); tests/test_parameters.py checks that the two agree, so this is the one place to change an
assumption. Each analysis module declares its own PARAMETERS; `registry()` gathers them all.
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
)


def registry() -> dict[str, Parameter]:
    """Every parameter of every notebook, by name."""
    from compute_deals import cost
    from compute_deals import dependency
    from compute_deals import ramp
    from compute_deals import reconcile
    from compute_deals import uncertainty

    gathered = [*COMMON, *ramp.PARAMETERS, *dependency.PARAMETERS, *reconcile.PARAMETERS,
                *cost.PARAMETERS, *uncertainty.PARAMETERS]
    names = [p.name for p in gathered]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"parameters declared twice: {duplicates}"
    return {p.name: p for p in gathered}
