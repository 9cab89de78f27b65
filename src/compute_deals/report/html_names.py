"""Names (and escaping) shared by what the notebooks and the build write into pages and the Sphinx
extension that serves them.

Kept apart from charts/ and tables.py so that the Sphinx build (sphinx_ext.py) imports neither
pandas nor Altair: about 0.8 s of every book build.
"""

import re

CHART_CLASS = "cd-chart"  # the div each chart is drawn into; a page holding one loads the bundle
TABLES_FOLDER = "tables"  # beside the executed notebooks, so pages link to tables/<name>.csv
# What a shared page's preview image says (charts.preview_card_png draws it).
CARD_LINES = ("Compute Deals",
              "Who buys AI compute, from whom, how many megawatts, for how much, and when it comes online",
              "An open, sourced report book")
# Set by the book's build for the kernels it starts: a page removes the cell that places a chart,
# so the static image drawn there for Jupyter (charts.place) would be a quarter second a chart
# for nothing.
FOR_THE_BOOK_ENV = "COMPUTE_DEALS_FOR_THE_BOOK"


def escape_markdown(text: str) -> str:
    """Text from data/ as Markdown that shows it as it is: every markup character escaped, so a
    name can never open a link, a role or raw HTML."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$&])", r"\\\1", text)
