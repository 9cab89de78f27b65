"""Validate the dataset before anything runs: every problem, each as file:line: column: value — fix.

Column-level rules are pandera schemas (schema.py) run lazily, so all failures come back at once;
the rules that relate columns, rows and files (ranges, windows, unique ids, source ids, tranches)
are checked here on the values that passed their column rules.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pandera.errors

from compute_deals.facts import schema
from compute_deals.facts.problems import Problem

if TYPE_CHECKING:
    from compute_deals.facts.read import RawTable


def problems_in(tables: dict[str, RawTable]) -> list[Problem]:
    """Every problem in the dataset's tables (keyed by file name), sorted by file and line."""
    problems = [
        problem
        for file_name, table in tables.items()
        for problem in column_problems(table, file_name)
    ]
    problems += relation_problems(tables)
    return sorted(set(problems))


def column_problems(table: RawTable, file_name: str) -> list[Problem]:
    """Failures of the file's pandera schema, plus a file with no records at all and numbers too
    large to be figures."""
    display = str(table.path)
    problems = []
    if file_name == schema.DEALS_FILE and table.frame.empty:
        problems.append(Problem(display, 2, "", "", "no deals: the file has a header only"))
    try:
        schema.pandera_schema(file_name).validate(table.frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases.to_dict("records")
        problems += [_as_problem(table, file_name, case) for case in cases]
    return problems + too_large_numbers(table, file_name)


def too_large_numbers(table: RawTable, file_name: str) -> list[Problem]:
    """Plain numbers beyond a float's range (about 1.8e308): no figure is near it, and typing
    would fail."""
    return [
        Problem(str(table.path), line, column, value,
                "too large to be a figure (over 1.8e308): check for repeated or pasted digits")
        for column in schema.NUMBER_COLUMNS_BY_FILE[file_name] if column in table.frame
        for line, value in table.frame[column].items()
        if (number := _number(value)) is not None and math.isinf(number)
    ]


def _as_problem(table: RawTable, file_name: str, case: dict) -> Problem:
    display = str(table.path)
    if case["check"] == "column_in_dataframe":
        expected = ", ".join(schema.RULES_BY_FILE[file_name])
        return Problem(
            display, table.header_line, str(case["failure_case"]), "",
            f"missing column; the header must name: {expected}",
        )
    column, value = case["column"], str(case["failure_case"])
    return Problem(display, int(case["index"]), column, value,
                   schema.fix_for(file_name, column, case["check"]))


def _number(value: str) -> float | None:
    """A well-formed number, or None for blank and malformed values (reported elsewhere)."""
    return float(value) if re.fullmatch(schema.NUMBER_PATTERN, value) else None


def _date(value: str) -> dt.date | None:
    """A well-formed date, or None for blank and malformed values (reported elsewhere)."""
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(schema.DATE_PATTERN, value) else None
    except ValueError:
        return None


def relation_problems(tables: dict[str, RawTable]) -> list[Problem]:
    deals = tables.get(schema.DEALS_FILE)
    sources = tables.get(schema.SOURCES_FILE)
    tranches = tables.get(schema.TRANCHES_FILE)
    problems: list[Problem] = []
    for file_name, table in tables.items():
        if file_name in schema.UNIQUE_BY_FILE:
            problems += duplicate_ids(table, schema.UNIQUE_BY_FILE[file_name])
        problems += range_problems(table, schema.RANGES_BY_FILE.get(file_name, ()))
    if deals is not None:
        problems += window_problems(deals) + part_of_problems(deals) + value_basis_problems(deals)
        problems += inferred_vendor_problems(tables.get(schema.INFERRED_VENDORS_FILE), deals)
        problems += window_report_problems(tables.get(schema.WINDOWS_FILE), deals)
    if sources is not None and "source_id" in sources.frame:
        known = set(sources.frame["source_id"])
        for file_name, table in tables.items():
            if file_name != schema.SOURCES_FILE:
                problems += unknown_sources(table, known)
    if deals is not None and tranches is not None:
        problems += tranche_problems(tranches, deals)
    if sources is not None and "address" in sources.frame:
        problems += denied_source_problems(sources, tables.get(schema.DENIED_SOURCES_FILE))
    return problems


def duplicate_ids(table: RawTable, column: str) -> list[Problem]:
    if column not in table.frame:
        return []
    first_line: dict[str, int] = {}
    problems = []
    for line, value in table.frame[column].items():
        if value in first_line:
            problems.append(Problem(str(table.path), line, column, value,
                                    f"duplicate: already used on line {first_line[value]}"))
        elif value:
            first_line[value] = line
    return problems


def range_problems(table: RawTable, ranges) -> list[Problem]:
    """low <= base <= high wherever both ends of a comparison are reported."""
    problems = []
    for low, base, high in ranges:
        if not {low, base, high} <= set(table.frame.columns):
            continue
        # Rows as dicts from plain columns: iterrows builds a Series per row, slow on 10,000 rows.
        rows = table.frame[[low, base, high]].to_dict("records")
        for line, row in zip(table.frame.index, rows):
            values = {name: _number(row[name]) for name in (low, base, high)}
            for smaller, larger in ((low, base), (base, high), (low, high)):
                a, b = values[smaller], values[larger]
                if a is not None and b is not None and a > b:
                    problems.append(Problem(
                        str(table.path), line, smaller, row[smaller],
                        f"greater than {larger} ({row[larger]}): ranges need "
                        f"{low} <= {base} <= {high}",
                    ))
    return problems


def window_problems(deals: RawTable) -> list[Problem]:
    if not {"deploy_start", "deploy_end"} <= set(deals.frame.columns):
        return []
    problems = []
    frame = deals.frame
    for line, start_text, end_text in zip(frame.index, frame["deploy_start"], frame["deploy_end"]):
        start, end = _date(start_text), _date(end_text)
        if start is not None and end is not None and start > end:
            problems.append(Problem(
                str(deals.path), line, "deploy_end", end_text,
                f"before deploy_start ({start_text}): the window must not run backwards",
            ))
    return problems


def value_basis_problems(deals: RawTable) -> list[Problem]:
    """A value needs its kind of money (value_basis), and a basis needs a value to describe."""
    frame = deals.frame
    values = ["value_usd", "value_usd_low", "value_usd_high"]
    if not {"value_basis", *values} <= set(frame.columns):
        return []
    has_value = (frame[values] != "").any(axis=1)
    problems = [
        Problem(str(deals.path), line, "value_basis", "",
                f"required where a value is reported: say what kind of money the value is "
                f"({' | '.join(schema.VALUE_BASES)}; data/README.md explains each)")
        for line in frame.index[has_value & (frame["value_basis"] == "")]
    ]
    problems += [
        Problem(str(deals.path), line, "value_basis", basis,
                "no value is reported for it to describe: leave it blank, or add the value")
        for line, basis in frame.loc[~has_value & (frame["value_basis"] != ""), "value_basis"].items()
    ]
    return problems


def _deal_problem(table: RawTable, line: int, deal_id: str) -> Problem:
    return Problem(str(table.path), line, "deal_id", deal_id, "no deal with this deal_id in deals.csv")


def inferred_vendor_problems(inferred: RawTable | None, deals: RawTable) -> list[Problem]:
    """An inference names a deal, and only a deal whose source names no vendor: a reported
    vendor is never overridden."""
    if inferred is None or "deal_id" not in inferred.frame or "deal_id" not in deals.frame:
        return []
    reported = dict(zip(deals.frame["deal_id"], deals.frame.get("accelerator_vendor", "")))
    problems = []
    for line, deal_id in inferred.frame["deal_id"].items():
        if deal_id not in reported:
            problems.append(_deal_problem(inferred, line, deal_id))
        elif reported[deal_id]:
            problems.append(Problem(
                str(inferred.path), line, "deal_id", deal_id,
                f"the deal reports its vendor ({reported[deal_id]}) in deals.csv: an inference "
                "cannot replace a reported vendor; remove this row"))
    return problems


def window_report_problems(windows: RawTable | None, deals: RawTable) -> list[Problem]:
    """A window report names a deal and gives a date, and with every report applied in order
    (deals.csv first) the window still runs forwards."""
    if (windows is None or "deal_id" not in deals.frame
            or not {"deal_id", "reported_on", *_ENDS} <= set(windows.frame.columns)):
        return []  # a missing column is reported by the column rules
    frame, display = windows.frame, str(windows.path)
    known = set(deals.frame["deal_id"])
    current = {row["deal_id"]: {end: row.get(end, "") for end in _ENDS}
               for row in deals.frame.to_dict("records")}
    problems = []
    ordered = sorted(frame.to_dict("index").items(), key=lambda item: (item[1]["reported_on"], item[0]))
    for line, row in ordered:
        if row["deal_id"] not in known:
            problems.append(_deal_problem(windows, line, row["deal_id"]))
            continue
        if not any(row[end] for end in _ENDS):
            problems.append(Problem(display, line, "deploy_start", "",
                                    "no date: give deploy_start, deploy_end or both"))
            continue
        window = current[row["deal_id"]]
        window.update({end: row[end] for end in _ENDS if _date(row[end]) is not None})
        start, end = _date(window["deploy_start"]), _date(window["deploy_end"])
        if start is not None and end is not None and start > end:
            problems.append(Problem(
                display, line, "deploy_end", window["deploy_end"],
                f"before the deal's deploy_start ({window['deploy_start']}) once this report is "
                "applied: the window must not run backwards"))
    return problems


_ENDS = ("deploy_start", "deploy_end")


def part_of_problems(deals: RawTable) -> list[Problem]:
    """part_of names another deal of the same buyer, and following it never comes back."""
    frame = deals.frame
    if not {"deal_id", "buyer", "part_of"} <= set(frame.columns):
        return []
    buyer_of = dict(zip(frame["deal_id"], frame["buyer"]))
    umbrella_of = {d: p for d, p in zip(frame["deal_id"], frame["part_of"]) if p}
    problems = []
    for line, deal_id, buyer, umbrella in zip(frame.index, frame["deal_id"], frame["buyer"], frame["part_of"]):
        if not re.fullmatch(schema.SLUG_PATTERN, umbrella):
            continue  # blank, or not an id at all (the column's own rule says so)
        if umbrella not in buyer_of:
            wrong = "not a deal_id in deals.csv: name the umbrella agreement's deal_id, or leave it blank"
        elif umbrella == deal_id:
            wrong = "the deal itself: a deal cannot be part of itself"
        elif buyer_of[umbrella] != buyer:
            wrong = f"a deal of another buyer ({buyer_of[umbrella]}): parts share their umbrella's buyer"
        elif _loops(deal_id, umbrella_of):
            wrong = "leads into a loop of part_of links: each link must name an umbrella, not a part"
        else:
            continue
        problems.append(Problem(str(deals.path), line, "part_of", umbrella, wrong))
    return problems


def _loops(deal_id: str, umbrella_of: dict[str, str]) -> bool:
    seen, current = {deal_id}, umbrella_of.get(deal_id)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = umbrella_of.get(current)
    return False


def unknown_sources(table: RawTable, known: set[str]) -> list[Problem]:
    if "sources" not in table.frame:
        return []
    return [
        Problem(str(table.path), line, "sources", source_id,
                "no such source_id in sources.csv: add the source there or fix the id")
        for line, value in table.frame["sources"].items()
        if re.fullmatch(rf"{schema.SLUG_PATTERN}(?:;{schema.SLUG_PATTERN})*", value)
        for source_id in value.split(";")
        if source_id not in known
    ]


def host(address: str) -> str:
    """The host name of a web address, lowercase and without "www." ("" for a file name)."""
    found = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#:]+)", address.strip().lower())
    return found.group(1).removeprefix("www.") if found else ""


def denied_source_problems(sources: RawTable, denied: RawTable | None) -> list[Problem]:
    """Sources whose address is on a denied site (the domain itself or any of its subdomains)."""
    if denied is None or not {"domain", "reason"} <= set(denied.frame):
        return []
    reasons = {row["domain"].lower(): (line, row["reason"]) for line, row in denied.frame.iterrows()}
    problems = []
    for line, address in sources.frame["address"].items():
        name = host(address)
        for domain, (denied_line, reason) in reasons.items():
            if name == domain or name.endswith("." + domain):
                problems.append(Problem(
                    str(sources.path), line, "address", address,
                    f"{domain} is on the deny list ({schema.DENIED_SOURCES_FILE} line {denied_line}: "
                    f"{reason}): cite another page for these figures and remove this source"))
    return problems


def tranche_problems(tranches: RawTable, deals: RawTable) -> list[Problem]:
    """Each tranche names a deal, and a deal's tranches add up to no more than its capacity."""
    frame, display = tranches.frame, str(tranches.path)
    if not {"deal_id", "capacity_mw"} <= set(frame.columns) or "deal_id" not in deals.frame:
        return []
    capacity = _deal_capacity_mw(deals)
    problems = []
    for deal_id, group in frame.groupby("deal_id", sort=True):
        first_line = int(group.index[0])
        if deal_id not in capacity:
            problems.append(Problem(display, first_line, "deal_id", deal_id,
                                    "no deal with this deal_id in deals.csv"))
            continue
        # Decimal, not float: tranches of 1.1 and 2.2 MW fill a 3.3 MW deal exactly.
        total = sum((Decimal(v) for v in group["capacity_mw"] if _number(v) is not None), Decimal(0))
        if capacity[deal_id] is not None and total > capacity[deal_id]:
            problems.append(Problem(
                display, first_line, "capacity_mw", f"{total:g}",
                f"tranches of {deal_id} add up to {total:g} MW, more than the deal's "
                f"capacity ({capacity[deal_id]:g} MW in deals.csv)",
            ))
    return problems


def _deal_capacity_mw(deals: RawTable) -> dict[str, Decimal | None]:
    """The most capacity a deal can have: capacity_mw_high if reported, else capacity_mw."""
    capacity = {}
    for row in deals.frame.to_dict("records"):
        reported = [row.get(c, "") for c in ("capacity_mw_high", "capacity_mw")]
        numbers = [Decimal(v) for v in reported if _number(v) is not None]
        capacity[row["deal_id"]] = numbers[0] if numbers else None
    return capacity
