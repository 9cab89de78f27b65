"""Analysis: pure derivations from the typed Dataset, and the parameters they take.

parameters (what a parameter is; the pages' own) -> metrics (deal-level measures) -> ramp,
reconcile, cost, dependency, overlaps (each declares its PARAMETERS) -> registry (every parameter,
gathered) -> headlines, scenarios, uncertainty, buyers, vendors (what the pages show).
"""
