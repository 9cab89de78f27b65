"""The data contract: the files in data/, their columns, and what each column allows.

data/README.md documents the same contract for people; tests/test_data_readme.py keeps the two in step.
The pandera schemas here check one column at a time on the raw text (every value a string, blank
meaning "not reported"); checks that relate columns, rows or files live in validate.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandera.pandas as pa

DEALS_FILE = "deals.csv"
SOURCES_FILE = "sources.csv"
TRANCHES_FILE = "tranches.csv"
BENCHMARKS_FILE = "benchmarks.csv"
BUYER_CAPACITY_FILE = "buyer_capacity.csv"
INFERRED_VENDORS_FILE = "inferred_vendors.csv"
WINDOWS_FILE = "windows.csv"
DENIED_SOURCES_FILE = "denied_sources.csv"
REQUIRED_FILES = (DEALS_FILE, SOURCES_FILE)
OPTIONAL_FILES = (TRANCHES_FILE, BENCHMARKS_FILE, BUYER_CAPACITY_FILE, INFERRED_VENDORS_FILE,
                  WINDOWS_FILE, DENIED_SOURCES_FILE)

KINDS = ("cloud", "hardware", "custom_chip", "datacenter", "equity")
STATUSES = ("talks", "loi", "signed", "superseded", "cancelled")
# What kind of money value_usd is (data/README.md, value basis): only a price of capacity may be
# divided by megawatts, so the kind decides what the cost chapter uses.
VALUE_BASES = ("commitment", "purchase", "investment", "build_cost", "ceiling", "financing")
# How a window date was coded (windows.csv): from a phrase ("over the next three years"), or a
# later report that moved it. Dates in deals.csv are "reported".
WINDOW_BASES = ("wording", "revised")
# buyer_capacity.csv: the fleet running at the year's end; capacity under contract; capacity the
# buyer says it has committed to (plans beyond signed contracts); capacity brought online that year.
MEASURES = ("online", "contracted", "committed", "added")
# How far a source can be trusted (data/README.md, reliability), best first: the company's own
# release or filing; a major newsroom's own reporting; trade press; a copy, aggregator or blog.
RELIABILITY = ("primary", "major", "trade", "secondary")
LOWEST_RELIABILITY = RELIABILITY[-1]

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# Digits with an optional decimal point: no currency signs, words, suffixes or separators, so
# "$38B", "ten billion" and "1.000,5" are rejected instead of guessed at.
NUMBER_PATTERN = r"-?[0-9]+(?:\.[0-9]+)?"  # ASCII digits only: \d would admit "３８"
LANGUAGE_PATTERN = r"[a-z]{2}"
YEAR_PATTERN = r"(19|20)[0-9]{2}"


@dataclass(frozen=True)
class Rule:
    """One column-level rule: the pandera check and the words a person needs to fix a failure."""

    check: pa.Check
    fix: str


def _blank_or(pattern: str) -> pa.Check:
    compiled = re.compile(pattern)
    return pa.Check(
        lambda s: (s == "") | s.map(lambda v: compiled.fullmatch(v) is not None).astype(bool),
        name=f"matches {pattern}",
    )


def _blank_or_date() -> pa.Check:
    def is_date(value: str) -> bool:
        if not re.fullmatch(DATE_PATTERN, value):
            return False
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return True

    return pa.Check(lambda s: (s == "") | s.map(is_date).astype(bool), name="date")


def _blank_or_non_negative() -> pa.Check:
    return pa.Check(lambda s: ~s.str.startswith("-"), name="non_negative")


def _blank_or_one_of(values: tuple[str, ...]) -> pa.Check:
    return pa.Check(lambda s: (s == "") | s.isin(values), name=f"one of {'|'.join(values)}")


def _not_blank() -> pa.Check:
    return pa.Check(lambda s: s != "", name="required")


REQUIRED = Rule(_not_blank(), "required: this column may not be blank")
SLUG = Rule(
    _blank_or(SLUG_PATTERN),
    "not a slug: use lowercase letters, digits and single hyphens, e.g. aws-2025",
)
DATE = Rule(_blank_or_date(), "not a calendar date in YYYY-MM-DD form, e.g. 2025-11-03")
NUMBER = Rule(
    _blank_or(NUMBER_PATTERN),
    "not a plain number: write digits with an optional decimal point and no currency sign, "
    "suffix, words or thousands separators, in the column's unit (e.g. 38000000000 for $38B)",
)
NON_NEGATIVE = Rule(_blank_or_non_negative(), "negative: figures must be 0 or more")
SOURCE_LIST = Rule(
    _blank_or(rf"{SLUG_PATTERN}(?:;{SLUG_PATTERN})*"),
    "not a list of source ids: write ids from sources.csv separated by ';' with no spaces",
)
NUMBER_RULES = [NUMBER, NON_NEGATIVE]
YEAR = Rule(_blank_or(YEAR_PATTERN), "not a year: write four digits, e.g. 2025")
LANGUAGE = Rule(_blank_or(LANGUAGE_PATTERN), "not a two-letter language code such as en or it")


def one_of(values: tuple[str, ...]) -> Rule:
    return Rule(_blank_or_one_of(values), f"not an allowed value; allowed: {' | '.join(values)}")



DEAL_RULES: dict[str, list[Rule]] = {
    "deal_id": [REQUIRED, SLUG],
    "buyer": [REQUIRED],
    "counterparty": [REQUIRED],
    "kind": [REQUIRED, one_of(KINDS)],
    "status": [REQUIRED, one_of(STATUSES)],
    "announced": [REQUIRED, DATE],
    "value_usd": NUMBER_RULES,
    "value_usd_low": NUMBER_RULES,
    "value_usd_high": NUMBER_RULES,
    "value_basis": [one_of(VALUE_BASES)],  # required where a value is reported (validate.py)
    "capacity_mw": NUMBER_RULES,
    "capacity_mw_low": NUMBER_RULES,
    "capacity_mw_high": NUMBER_RULES,
    "accelerators": NUMBER_RULES,
    "accelerator_vendor": [],
    "accelerator": [],
    "deploy_start": [DATE],
    "deploy_end": [DATE],
    "term_years": NUMBER_RULES,
    "sources": [REQUIRED, SOURCE_LIST],
    "notes": [],
}

# Columns a file may leave out (older data, other buyers' folders): read as blank when absent.
OPTIONAL_DEAL_RULES: dict[str, list[Rule]] = {
    "part_of": [SLUG],  # the deal_id of the umbrella agreement whose figures include this row's
}

SOURCE_RULES: dict[str, list[Rule]] = {
    "source_id": [REQUIRED, SLUG],
    "title": [REQUIRED],
    "publisher": [],
    "published": [DATE],
    "address": [REQUIRED],
    "language": [REQUIRED, LANGUAGE],
    "reliability": [REQUIRED, one_of(RELIABILITY)],
}

# Sites never to cite (data/README.md, denied sources): a source whose address is on one is rejected.
DENIED_SOURCE_RULES: dict[str, list[Rule]] = {
    "domain": [REQUIRED, Rule(_blank_or(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+"),
                              "not a domain: write the site's host name, e.g. example.com")],
    "reason": [REQUIRED],
}

TRANCHE_RULES: dict[str, list[Rule]] = {
    "deal_id": [REQUIRED, SLUG],
    "online": [REQUIRED, DATE],
    "capacity_mw": [REQUIRED, *NUMBER_RULES],
    "accelerator_vendor": [],
    "sources": [REQUIRED, SOURCE_LIST],
}

DEAL_NUMBER_COLUMNS = tuple(name for name, rules in DEAL_RULES.items() if rules == NUMBER_RULES)
DEAL_DATE_COLUMNS = ("announced", "deploy_start", "deploy_end")

BENCHMARK_RULES: dict[str, list[Rule]] = {
    "benchmark_id": [REQUIRED, SLUG],
    "label": [REQUIRED],
    "usd_per_mw": NUMBER_RULES,
    "usd_per_mw_low": NUMBER_RULES,
    "usd_per_mw_high": NUMBER_RULES,
    "basis": [REQUIRED],
    "sources": [REQUIRED, SOURCE_LIST],
    "notes": [],
}

BUYER_CAPACITY_RULES: dict[str, list[Rule]] = {
    "buyer": [REQUIRED],
    "year": [REQUIRED, YEAR],
    "capacity_mw": [REQUIRED, *NUMBER_RULES],
    "sources": [REQUIRED, SOURCE_LIST],
    "notes": [],
}
OPTIONAL_BUYER_CAPACITY_RULES: dict[str, list[Rule]] = {
    "measure": [one_of(MEASURES)],  # blank: online (folders from before the column)
}

INFERRED_VENDOR_RULES: dict[str, list[Rule]] = {
    "deal_id": [REQUIRED, SLUG],
    "accelerator_vendor": [REQUIRED],
    "reason": [REQUIRED],
    "sources": [REQUIRED, SOURCE_LIST],
}

WINDOW_RULES: dict[str, list[Rule]] = {
    "deal_id": [REQUIRED, SLUG],
    "reported_on": [REQUIRED, DATE],
    "deploy_start": [DATE],
    "deploy_end": [DATE],
    "basis": [REQUIRED, one_of(WINDOW_BASES)],
    "wording": [REQUIRED],
    "sources": [REQUIRED, SOURCE_LIST],
    "notes": [],
}

RULES_BY_FILE = {
    DEALS_FILE: DEAL_RULES,
    SOURCES_FILE: SOURCE_RULES,
    TRANCHES_FILE: TRANCHE_RULES,
    BENCHMARKS_FILE: BENCHMARK_RULES,
    BUYER_CAPACITY_FILE: BUYER_CAPACITY_RULES,
    INFERRED_VENDORS_FILE: INFERRED_VENDOR_RULES,
    WINDOWS_FILE: WINDOW_RULES,
    DENIED_SOURCES_FILE: DENIED_SOURCE_RULES,
}
OPTIONAL_RULES_BY_FILE = {DEALS_FILE: OPTIONAL_DEAL_RULES,
                          BUYER_CAPACITY_FILE: OPTIONAL_BUYER_CAPACITY_RULES}
NUMBER_COLUMNS_BY_FILE = {
    DEALS_FILE: DEAL_NUMBER_COLUMNS,
    SOURCES_FILE: (),
    TRANCHES_FILE: ("capacity_mw",),
    BENCHMARKS_FILE: ("usd_per_mw", "usd_per_mw_low", "usd_per_mw_high"),
    BUYER_CAPACITY_FILE: ("year", "capacity_mw"),
    INFERRED_VENDORS_FILE: (),
    WINDOWS_FILE: (),
    DENIED_SOURCES_FILE: (),
}
DATE_COLUMNS_BY_FILE = {
    DEALS_FILE: DEAL_DATE_COLUMNS,
    SOURCES_FILE: ("published",),
    TRANCHES_FILE: ("online",),
    BENCHMARKS_FILE: (),
    BUYER_CAPACITY_FILE: (),
    INFERRED_VENDORS_FILE: (),
    WINDOWS_FILE: ("reported_on", "deploy_start", "deploy_end"),
    DENIED_SOURCES_FILE: (),
}
# low <= base <= high wherever two of them are reported, per file.
RANGES_BY_FILE = {
    DEALS_FILE: (("value_usd_low", "value_usd", "value_usd_high"),
                 ("capacity_mw_low", "capacity_mw", "capacity_mw_high")),
    BENCHMARKS_FILE: (("usd_per_mw_low", "usd_per_mw", "usd_per_mw_high"),),
}
UNIQUE_BY_FILE = {DEALS_FILE: "deal_id", SOURCES_FILE: "source_id", BENCHMARKS_FILE: "benchmark_id",
                  INFERRED_VENDORS_FILE: "deal_id", DENIED_SOURCES_FILE: "domain"}


def all_rules(file_name: str) -> dict[str, list[Rule]]:
    """The rules of a file's columns, the optional ones included."""
    return RULES_BY_FILE[file_name] | OPTIONAL_RULES_BY_FILE.get(file_name, {})


def pandera_schema(file_name: str) -> pa.DataFrameSchema:
    """The column-level schema of one file, over text values ("" = blank). Extra columns pass."""
    columns = {
        name: pa.Column(str, checks=[rule.check for rule in rules], nullable=False,
                        required=name in RULES_BY_FILE[file_name])
        for name, rules in all_rules(file_name).items()
    }
    return pa.DataFrameSchema(columns, strict=False, name=file_name)


def fix_for(file_name: str, column: str, check_name: str) -> str:
    """The explanation that goes with a failed check on a column."""
    for rule in all_rules(file_name).get(column, []):
        if rule.check.name == check_name:
            return rule.fix
    raise KeyError(f"no rule {check_name!r} on {file_name}:{column}")
