"""Names shared by what the notebooks write into pages and the Sphinx extension that serves them.

Kept apart from charts/ and tables.py so that the Sphinx build (sphinx_ext.py) imports neither
pandas nor Altair: about 0.8 s of every book build.
"""

CHART_CLASS = "cd-chart"  # the div each chart is drawn into; a page holding one loads the bundle
TABLES_FOLDER = "tables"  # beside the executed notebooks, so pages link to tables/<name>.csv
