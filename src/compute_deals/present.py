"""Tables and words for the book's pages: formatting with units, escaping, glue for prose.

Every value from data/ is escaped before it reaches a page; addresses become links only when they
are http(s) addresses.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import HTML, Markdown

DASH = "—"


def usd(value: float) -> str:
    """US dollars in words a reader scans: $38.0B, $350M, $950K."""
    if pd.isna(value):
        return DASH
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return f"${value / scale:,.1f}{suffix}"
    return f"${value:,.0f}"


def megawatts(value: float) -> str:
    return DASH if pd.isna(value) else f"{value:,.0f} MW"


def with_range(value: float, low: float, high: float, fmt) -> str:
    """A figure and, where sources disagree or a range is reported, its low–high range."""
    shown = fmt(value)
    if pd.isna(low) and pd.isna(high):
        return shown
    return f"{shown} (range {fmt(low)} to {fmt(high)})"


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


def deals_table(deals: pd.DataFrame, numbers: dict[str, int]) -> pd.DataFrame:
    """The deals as a reader's table: one row per deal, units in the values, numbered sources."""
    return pd.DataFrame(
        {
            "Counterparty": deals["counterparty"],
            "Announced": deals["announced"].map(day),
            "Kind": deals["kind"].str.replace("_", " "),
            "Status": deals["status"],
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
        }
    )


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


def html_table(frame: pd.DataFrame) -> HTML:
    """A table as HTML, every value escaped unless it is Markup; no random ids, so stored
    outputs stay identical run to run."""
    escaped = frame.map(lambda v: v if isinstance(v, Markup) else html.escape(str(v)))
    return HTML(_scrolling(escaped.to_html(index=False, escape=False, border=0, classes="cd-table")))


def _scrolling(table_html: str) -> str:
    return f'<div class="cd-table-wrap">{table_html}</div>'



def link(address: str) -> str:
    """An escaped address, made a link only when it is an http(s) address."""
    escaped = html.escape(address)
    if re.match(r"https?://", address, flags=re.IGNORECASE):
        return f'<a href="{escaped}" rel="noopener">{escaped}</a>'
    return escaped


def sources_table(citations: pd.DataFrame) -> HTML:
    """Every source, numbered, with what cites it; each row has an anchor: #source-<source_id>."""
    rows = [
        f'<tr id="source-{html.escape(row.source_id)}">'
        f"<td>[{number}]</td>"
        f"<td><code>{html.escape(row.source_id)}</code></td>"
        f"<td>{html.escape(row.title)}</td>"
        f"<td>{html.escape(row.publisher) or DASH}</td>"
        f"<td>{day(row.published)}</td>"
        f"<td>{html.escape(row.language)}</td>"
        f"<td>{link(row.address)}</td>"
        f"<td>{html.escape(', '.join(row.cited_by)) or DASH}</td>"
        "</tr>"
        for number, row in enumerate(citations.itertuples(index=False), start=1)
    ]
    head = "".join(
        f"<th>{name}</th>"
        for name in ("No.", "Source id", "Title", "Publisher", "Published", "Language", "Address", "Cited by")
    )
    return HTML(_scrolling(
        f'<table class="cd-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    ))


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


def markdown_text(text: str) -> Markdown:
    """Text from data/ for a {glue:md} role: Markdown with every markup character escaped."""
    return Markdown(re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$&])", r"\\\1", text))
