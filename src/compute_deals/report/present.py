"""Tables and words for the book's pages: formatting with units, escaping, glue for prose.

Every value from data/ is escaped before it reaches a page; addresses become links only when they
are http(s) addresses.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import HTML, Markdown

from compute_deals.report.html_names import TABLES_FOLDER, escape_markdown
from compute_deals.analysis.metrics import labels_by_id
from compute_deals.facts.schema import LOWEST_RELIABILITY

DASH = "—"


class Formatted(str):
    """A number as a reader sees it ("$38.0B", "1,200 MW") that keeps the number: a page table
    sorts its column by the number (data-order), not by the text."""

    def __new__(cls, text: str, number: float):
        made = super().__new__(cls, text)
        made.number = number
        return made

    def __reduce__(self):  # pickled with its number (the derived-table cache, the workers)
        return Formatted, (str(self), self.number)


def usd(value: float) -> str:
    """US dollars in words a reader scans: $38.0B, $350M, $950K."""
    if pd.isna(value):
        return DASH
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return Formatted(f"${value / scale:,.1f}{suffix}", value)
    return Formatted(f"${value:,.0f}", value)


def megawatts(value: float) -> str:
    return DASH if pd.isna(value) else Formatted(f"{value:,.0f} MW", value)


def with_range(value: float, low: float, high: float, fmt) -> str:
    """A figure and, where sources disagree or a range is reported, its low–high range."""
    shown = fmt(value)
    if pd.isna(low) and pd.isna(high):
        return shown
    return Formatted(f"{shown} (range {fmt(low)} to {fmt(high)})", value)


def day(value: pd.Timestamp) -> str:
    return DASH if pd.isna(value) else value.strftime("%Y-%m-%d")


def long_date(value: pd.Timestamp) -> str:
    return f"{value.day} {value:%B %Y}"


def source_numbers(sources: pd.DataFrame) -> dict[str, int]:
    """Sources numbered 1, 2, ... in the order of sources.csv: short references for tables."""
    return {source_id: number for number, source_id in enumerate(sources["source_id"], start=1)}


def source_line(deals: pd.DataFrame, buyer: str) -> str:
    """What a chart of these deals rests on, in one line."""
    n_sources = deals["sources"].explode().nunique()
    return (f"{len(deals)} deals of {buyer} in the Compute Deals dataset, from {n_sources} cited "
            "sources (news reports, company releases, filings); each is listed under Sources.")


def grade_cell(grade: str) -> str:
    """A row's best source grade as a reader sees it: the lowest grade flagged."""
    return f"{grade} only ⚠" if grade == LOWEST_RELIABILITY else grade


def deals_table(deals: pd.DataFrame, numbers: dict[str, int], grades: pd.Series) -> pd.DataFrame:
    """The deals as a reader's table: one row per deal, units in the values, numbered sources,
    and the best grade among them (`grades`, metrics.best_reliability)."""
    return pd.DataFrame(
        {
            "Counterparty": deals["counterparty"],
            "Announced": deals["announced"].map(day),
            "Kind": deals["kind"].str.replace("_", " "),
            "Status": deals["status"],
            "Part of": part_of_labels(deals),
            "Value (USD)": [
                with_range(v, lo, hi, usd)
                for v, lo, hi in deals[["value_usd", "value_usd_low", "value_usd_high"]].itertuples(index=False)
            ],
            "Capacity": [
                with_range(v, lo, hi, megawatts)
                for v, lo, hi in deals[["capacity_mw", "capacity_mw_low", "capacity_mw_high"]].itertuples(index=False)
            ],
            "Accelerators": [
                " ".join(part for part in (vendor, chip) if part) or DASH
                for vendor, chip in deals[["accelerator_vendor", "accelerator"]].itertuples(index=False)
            ],
            "Deployment": [
                f"{day(start)} to {day(end)}" if not (pd.isna(start) and pd.isna(end)) else DASH
                for start, end in deals[["deploy_start", "deploy_end"]].itertuples(index=False)
            ],
            "Sources": deals["sources"].map(lambda ids: source_links(ids, numbers)),
            "Best source": grades.map(grade_cell),
        }
    )


def part_of_labels(deals: pd.DataFrame) -> pd.Series:
    """The umbrella agreement each deal is part of, by its label (its deal_id if it is not among
    `deals`); a dash for a deal that is part of none."""
    labels = labels_by_id(deals)
    return deals["part_of"].map(lambda umbrella: labels.get(umbrella, umbrella) or DASH)


def source_links(source_ids: tuple[str, ...], numbers: dict[str, int],
                 page: str = "sources.html") -> Markup:
    """Each source as its number, linking to its row on the sources page (id in the tooltip);
    an id the data's sources.csv lacks (a project reference, with other data) stays plain."""
    return Markup(" ".join(
        f'<a href="{page}#source-{html.escape(sid)}" title="{html.escape(sid)}">[{numbers[sid]}]</a>'
        if sid in numbers else f"<code>{html.escape(sid)}</code>"
        for sid in source_ids
    ))


class Markup(str):
    """Text that is already HTML (built from escaped parts): html_table leaves it as it is."""


# The most rows a page table shows, and the most names a sentence or tooltip lists. A page of
# thousands of rows weighs megabytes and is not read; past these, the first rows (tables come
# most relevant first) or names are shown and the rest counted, with every row in the CSV.
MAX_TABLE_ROWS = 100
MAX_NAMES = 12


# A table longer than this can be searched, sorted and filtered in the page (the book's
# DataTables, build/sphinx_ext.py); a shorter one is read at a glance.
SEARCHABLE_ROWS = 10


def html_table(frame: pd.DataFrame, csv: str | None = None, max_rows: int = MAX_TABLE_ROWS,
               shape=None) -> HTML:
    """A table as HTML, every value escaped unless it is Markup; no random ids, so stored
    outputs stay identical run to run. Past max_rows, the first max_rows rows and a line saying
    how many there are, pointing to `csv` (a file in tables/) where every row is. `shape` (a
    function making the reader's table of a frame) is applied to the rows shown only, so a
    table of a million rows costs what its first hundred do."""
    shown = frame.head(max_rows) if shape is None else shape(frame.head(max_rows))
    columns = list(shown.columns)
    numeric = [any(isinstance(v, Formatted) for v in shown[c]) for c in columns]
    rows = ["".join(_cell(value, by_number) for value, by_number in zip(row, numeric))
            for row in shown.itertuples(index=False)]
    return HTML(_scrolling(_table_html([html.escape(str(c)) for c in columns], rows))
                + (_rows_left_out(len(shown), len(frame), csv) if len(frame) > len(shown) else ""))


def _cell(value, by_number: bool) -> str:
    """A <td>: Markup as it is, anything else escaped; in a column of figures, the number to sort
    by (none for a dash, which sorts first)."""
    text = value if isinstance(value, Markup) else html.escape(str(value))
    if not by_number:
        return f"<td>{text}</td>"
    number = f"{value.number:.17g}" if isinstance(value, Formatted) and pd.notna(value.number) else ""
    return f'<td data-order="{number}">{text}</td>'


def _table_html(head: list[str], rows: list[str], row_ids: list[str] | None = None) -> str:
    """A plain HTML table (it prints and reads without JavaScript); past SEARCHABLE_ROWS rows it is
    marked for the page's DataTables to make searchable."""
    searchable = " cd-searchable" if len(rows) > SEARCHABLE_ROWS else ""
    opening = [f'<tr id="{row_id}">' for row_id in row_ids] if row_ids else ["<tr>"] * len(rows)
    body = "".join(f"{tr}{cells}</tr>\n" for tr, cells in zip(opening, rows))
    heads = "".join(f"<th>{name}</th>" for name in head)
    return (f'<table class="cd-table{searchable}">\n<thead><tr>{heads}</tr></thead>\n'
            f"<tbody>\n{body}</tbody>\n</table>")


def _rows_left_out(shown: int, total: int, csv: str | None) -> str:
    where = (f'; all rows are in the CSV download, <a class="cd-download" href="{TABLES_FOLDER}/'
             f'{html.escape(csv)}" download>{html.escape(csv)}</a>' if csv else "")
    return f'<p class="cd-table-note">Showing {shown:,} of {total:,} rows{where}.</p>'


def listed(names, sep: str = "; ", last: str | None = None, limit: int = MAX_NAMES) -> str:
    """Names in one line, `last` (default: sep) before the final one; past `limit`, the first
    `limit` and how many more: "A, B, C and 1,204 more"."""
    names = [str(name) for name in names]
    last = sep if last is None else last
    if len(names) > limit:
        return f"{sep.join(names[:limit])}{last}{len(names) - limit:,} more"
    return last.join([sep.join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def _scrolling(table_html: str) -> str:
    return f'<div class="cd-table-wrap">{table_html}</div>'



def link(address: str) -> str:
    """An escaped address, made a link only when it is an http(s) address."""
    escaped = html.escape(address)
    if re.match(r"https?://", address, flags=re.IGNORECASE):
        return f'<a href="{escaped}" rel="noopener">{escaped}</a>'
    return escaped


def supports_cell(supports: tuple[str, ...], limit: int = MAX_NAMES) -> str:
    """What a source supports, one line each; past `limit`, the first and how many more."""
    lines = [html.escape(line) for line in supports[:limit]]
    if len(supports) > limit:
        lines.append(f"and {len(supports) - limit:,} more")
    return "<br>".join(lines) or DASH


def sources_table(citations: pd.DataFrame) -> HTML:
    """Every source, numbered, with what it supports (citations.citations); each row has an
    anchor: #source-<source_id>."""
    rows = [
        f'<td data-order="{number}">[{number}]</td>'
        f"<td><code>{html.escape(row.source_id)}</code></td>"
        f"<td>{html.escape(row.title)}</td>"
        f"<td>{html.escape(row.publisher) or DASH}</td>"
        f"<td>{day(row.published)}</td>"
        f"<td>{html.escape(row.language)}</td>"
        f"<td>{html.escape(row.reliability)}</td>"
        f"<td>{link(row.address)}</td>"
        f"<td>{supports_cell(row.supports)}</td>"
        for number, row in enumerate(citations.itertuples(index=False), start=1)
    ]
    head = ["No.", "Source id", "Title", "Publisher", "Published", "Language", "Reliability",
            "Address", "Supports"]
    return HTML(_scrolling(_table_html(
        head, rows, [f"source-{html.escape(source_id)}" for source_id in citations["source_id"]])))


def parameters_table(parameters, numbers: dict[str, int]) -> pd.DataFrame:
    """Every assumption as a reader's table: default, unit, range, why, and its sources."""
    def shown(value) -> str:
        return ", ".join(map(str, value)) if isinstance(value, list) else (
            "; ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else str(value))

    return pd.DataFrame({
        "Parameter": [Markup(f"<code>{html.escape(p.name)}</code>") for p in parameters],
        "Default": [shown(p.default) for p in parameters],
        "Unit": [p.unit for p in parameters],
        "What it sets": [p.meaning for p in parameters],
        "Range explored": [f"{p.low:g} to {p.high:g}" if p.low is not None else
                           (", ".join(map(str, p.choices)) if p.choices else DASH) for p in parameters],
        "Why": [p.reason or DASH for p in parameters],
        "Sources": [source_links(p.sources, numbers) if p.sources else DASH for p in parameters],
    })


def share(value: float) -> str:
    return DASH if pd.isna(value) else Formatted(f"{value:.0%}", value)


def headline_texts(figures: dict[str, float]) -> dict[str, str]:
    """The headline figures (compute_deals.analysis.headlines) as a reader sees them, with units."""
    return {
        "median_usd_per_mw": usd(figures["median_usd_per_mw"]),
        "nvidia_share_2026": share(figures["nvidia_share_2026"]),
        "nvidia_share_2028": share(figures["nvidia_share_2028"]),
        "peak_concurrent_deals": DASH if pd.isna(figures["peak_concurrent_deals"])
        else f"{figures['peak_concurrent_deals']:.0f}",
        "peak_annual_commitment_usd": usd(figures["peak_annual_commitment_usd"]),
    }


def markdown_text(text: str) -> Markdown:
    """Text from data/ for a {glue:md} role: Markdown with every markup character escaped."""
    return Markdown(escape_markdown(text))


def bases_text(bases) -> str:
    """Value bases as words: "commitment and purchase"."""
    return " and ".join(b.replace("_", " ") for b in bases)


def coverage_texts(coverage: dict) -> dict[str, str]:
    """What the headlines rest on (compute_deals.analysis.headlines.coverage), as a reader sees it."""
    shares = {name: share(value) for name, value in coverage.items() if name.startswith("nvidia_share_")}
    return {
        **shares,
        "explained_share": share(coverage["explained_share"]),
        "reported_mw": megawatts(coverage["reported_mw"]),
        "reported_year": str(coverage["reported_year"]) if coverage["reported_year"] else DASH,
        "unplaced_share": share(coverage["unplaced_share"]),
        "n_priced": str(coverage["n_priced"]), "n_with_value": str(coverage["n_with_value"]),
        "price_bases": bases_text(coverage["price_bases"]),
    }
