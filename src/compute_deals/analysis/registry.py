"""Every notebook parameter in one place, gathered from the modules that declare them.

Declared by the pages (parameters.COMMON and SIMULATION) and by each analysis (PARAMETERS in
ramp, reconcile, cost and dependency), assembled here where it is used (headlines, scenarios,
uncertainty, the report): no module that declares a parameter imports the registry back.
"""

from __future__ import annotations

from compute_deals.analysis import cost, dependency, ramp, reconcile
from compute_deals.analysis.parameters import COMMON, SIMULATION, Parameter


def registry() -> dict[str, Parameter]:
    """Every parameter of every notebook, by name."""
    gathered = [*COMMON, *ramp.PARAMETERS, *dependency.PARAMETERS, *reconcile.PARAMETERS,
                *cost.PARAMETERS, *SIMULATION]
    names = [p.name for p in gathered]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"parameters declared twice: {duplicates}"
    return {p.name: p for p in gathered}
