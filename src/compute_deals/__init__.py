"""Compute Deals: the tested derivations behind the report book on AI compute deals.

Layers, one direction only (tests/test_layers.py): digests and derived (hashes, the derived-table
cache) -> facts (data/ read and validated) -> analysis (pure derivations and their parameters) ->
report (charts, tables, prose) -> build (papermill, Jupyter Book, the command line, the benchmark).
The notebooks call analysis and report; the book's pages are the executed notebooks.
"""

__version__ = "0.1.0"
