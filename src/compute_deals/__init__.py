"""Compute Deals: the tested derivations behind the report book on AI compute deals.

Layers, one direction only: facts in data/ -> load/validate (this package) -> metrics (pure
functions) -> charts/present (one place for every chart and table) -> notebooks -> book.
"""

__version__ = "0.1.0"
