"""What changed since the previous edition of the data, as a reader sees it: the page's tables and
sentences (notebooks/whats_changed.ipynb) and the changelog's section (build/book.py)."""

from __future__ import annotations

import html
import json

import pandas as pd
from IPython.display import HTML

from compute_deals.analysis import headlines
from compute_deals.analysis.headlines import HEADLINES
from compute_deals.facts import schema
from compute_deals.facts.editions import ADDED, REMOVED, REVISED, Comparison
from compute_deals.report import present
from compute_deals.report.html_names import escape_markdown

LONG_TEXT = 160  # characters: a longer value (a note, a wording) is folded in the page's table
PAGE = "whats_changed"  # the page in notebooks/ (a chapter of the book)
CHANGES_CSV = "edition_changes.csv"  # every change, beside the page (build/book.py writes it)


def shown(column: str, value: str) -> str:
    """A value as the file writes it, figures in their units ($, MW); a blank as a dash. Plain
    text: a column of values from many columns has no number to sort by."""
    if not value:
        return present.DASH
    number = pd.to_numeric(value, errors="coerce")
    if pd.notna(number) and column.endswith("_usd"):
        return str(present.usd(number))
    if pd.notna(number) and column.endswith("_mw"):
        return str(present.megawatts(number))
    return value


def counts(changes: pd.DataFrame) -> dict[str, int]:
    """Deals added, removed and revised (a deal is revised when a value of its row changed), and
    records of the other files that changed."""
    deals = changes[changes["file"] == schema.DEALS_FILE]
    others = changes[changes["file"] != schema.DEALS_FILE]
    return {**{change: deals.loc[deals["change"] == change, "record"].nunique()
               for change in (ADDED, REMOVED, REVISED)},
            "other_records": len(others[["file", "record"]].drop_duplicates())}


def summary_sentence(changes: pd.DataFrame) -> str:
    """What changed, in one sentence: "2 deals added, none removed and 1 revised; 5 records of
    other files changed (sources.csv, windows.csv)"."""
    if changes.empty:
        return "nothing changed: every record of every file is as it was"
    n = counts(changes)
    files = sorted(set(changes.loc[changes["file"] != schema.DEALS_FILE, "file"]))
    return (f"{_number(n[ADDED], 'deal')} added, {_number(n[REMOVED])} removed and "
            f"{_number(n[REVISED])} revised; {_number(n['other_records'], 'record')} of other files "
            "changed" + (f" ({', '.join(files)})" if files else ""))


def _number(n: int, noun: str = "") -> str:
    """3 deals, 1 deal, no deals; without a noun, 3 or none."""
    if not n:
        return f"no {noun}s" if noun else "none"
    return f"{n:,} {noun}{'s' if n != 1 else ''}".rstrip()


def sources_cell(sources: str, numbers: dict[str, int]) -> str:
    return present.source_links(tuple(sources.split(";")), numbers) if sources else present.DASH


def records_table(changes: pd.DataFrame, numbers: dict[str, int]) -> pd.DataFrame:
    """The records added or removed: what each says (its figures; notes left out) and its sources."""
    rows = changes[changes["change"].isin([ADDED, REMOVED])]
    return pd.DataFrame({
        "File": rows["file"],
        "Record": rows["record"],
        "Change": rows["change"],
        "What it says": [
            "; ".join(f"{column}: {shown(column, value)}" for column, value in values.items()
                      if column not in ("sources", "notes"))
            for values in rows["values"]],
        "Sources": [sources_cell(s, numbers) for s in rows["sources"]],
    })


def revisions_table(changes: pd.DataFrame, numbers: dict[str, int]) -> pd.DataFrame:
    """Every value revised, old and new, with the sources its record cites now."""
    rows = changes[changes["change"] == REVISED]
    return pd.DataFrame({
        "File": rows["file"],
        "Record": rows["record"],
        "Column": rows["column"],
        "Was": [_folded(shown(c, v), "the previous text") for c, v in zip(rows["column"], rows["old"])],
        "Now": [_folded(shown(c, v), "the new text") for c, v in zip(rows["column"], rows["new"])],
        "Sources now": [sources_cell(s, numbers) for s in rows["sources"]],
    })


def _folded(text: str, summary: str):
    """A long text behind a click, so a revised note does not fill the table."""
    if len(text) <= LONG_TEXT:
        return text
    return present.Markup(f"<details><summary>{summary}</summary>{html.escape(text)}</details>")


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """Every change as the CSV download has it: what a record added or removed says as JSON."""
    return changes.assign(values=changes["values"].map(
        lambda values: json.dumps(values, ensure_ascii=False) if values else ""))


def table_or_sentence(frame: pd.DataFrame, none: str):
    """A page table (past a hundred rows, the rest in the CSV of every change), or the sentence
    saying there is nothing to list (if any)."""
    if len(frame):
        return present.html_table(frame, csv=CHANGES_CSV)
    return HTML(f"<p>{html.escape(none)}</p>" if none else "")


def previous_headlines(comparison: Comparison, buyer: str) -> dict[str, float] | None:
    """The headline figures of the buyer in the previous edition; None if it cannot give them."""
    previous = comparison.previous
    if previous is None or buyer not in set(previous.deals["buyer"]):
        return None
    return headlines.headlines(previous, buyer)


def headline_table(before: dict[str, float] | None, after: dict[str, float]) -> pd.DataFrame:
    """The headline figures that moved (as the landing page shows them), previous and now."""
    if before is None:
        return pd.DataFrame(columns=["Figure", "Previous edition", "This edition"])
    was, now = present.headline_texts(before), present.headline_texts(after)
    moved = [name for name in HEADLINES if was[name] != now[name]]
    return pd.DataFrame({"Figure": [HEADLINES[name][0] for name in moved],
                         "Previous edition": [was[name] for name in moved],
                         "This edition": [now[name] for name in moved]})


def headline_sentence(moved: pd.DataFrame, comparison: Comparison, buyer: str) -> str:
    if not comparison.found:
        return "There is no previous edition to compare the headline figures with."
    if comparison.problem:
        return ("The headline figures are not compared: the previous edition does not pass "
                f"today's checks ({comparison.problem}).")
    if buyer not in set(comparison.previous.deals["buyer"]):
        return f"The headline figures are not compared: the previous edition has no deals of {buyer}."
    if moved.empty:
        return f"None of the {len(HEADLINES)} headline figures of the landing page moved."
    return f"{len(moved)} of the {len(HEADLINES)} headline figures of the landing page moved:"


def changelog_section(label: str, found: bool, changes: pd.DataFrame) -> str:
    """The changelog's section on this edition (Markdown; every value from data/ escaped): the
    summary, and the deals added, removed and revised by name."""
    lines = ["## This edition", ""]
    if not found:
        return "\n".join(lines + [f"No previous edition to compare with ({escape_markdown(label)}).", ""])
    lines += [f"Compared with {escape_markdown(label)}: {escape_markdown(summary_sentence(changes))}. "
              f"Every record and value is listed under {{doc}}`../notebooks/{PAGE}`.", ""]
    deals = changes[changes["file"] == schema.DEALS_FILE]
    for change in (ADDED, REMOVED, REVISED):
        named = deals.loc[deals["change"] == change, "record"].drop_duplicates()
        if len(named):
            lines.append(f"- Deals {change}: {escape_markdown(present.listed(named, sep=', ', last=' and '))}.")
    return "\n".join(lines) + "\n"
