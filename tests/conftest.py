"""Shared test fixtures: small datasets written by the tests themselves (never ../shared)."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from compute_deals.facts import schema

ROOT = Path(__file__).resolve().parents[1]
DEAL_COLUMNS = [*schema.DEAL_RULES, *schema.OPTIONAL_DEAL_RULES]
SOURCE_COLUMNS = list(schema.SOURCE_RULES)
TRANCHE_COLUMNS = [*schema.TRANCHE_RULES, "notes"]
BENCHMARK_COLUMNS = list(schema.BENCHMARK_RULES)
BUYER_CAPACITY_COLUMNS = [*schema.BUYER_CAPACITY_RULES, *schema.OPTIONAL_BUYER_CAPACITY_RULES]
INFERRED_VENDOR_COLUMNS = list(schema.INFERRED_VENDOR_RULES)
WINDOW_COLUMNS = list(schema.WINDOW_RULES)


def deal(**values) -> dict:
    """A valid deal row; keyword arguments override its columns."""
    row = {column: "" for column in DEAL_COLUMNS}
    row.update(
        deal_id="acme-gpu-2025", buyer="Acme AI", counterparty="Bolt Cloud", kind="cloud",
        status="signed", announced="2025-03-01", value_usd="2000000000", value_basis="commitment",
        capacity_mw="100",
        accelerator_vendor="Nvidia", accelerator="GB200", deploy_start="2025-06-01",
        deploy_end="2026-06-30", term_years="4", sources="acme-release",
    )
    row.update(values)
    return row


def source(**values) -> dict:
    row = {
        "source_id": "acme-release", "title": "Acme AI signs with Bolt Cloud",
        "publisher": "Acme AI", "published": "2025-03-01",
        "address": "https://example.org/acme-bolt", "language": "en", "reliability": "primary",
    }
    row.update(values)
    return row


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_dataset(folder: Path, deals: list[dict], sources: list[dict],
                  tranches: list[dict] | None = None, benchmarks: list[dict] | None = None,
                  buyer_capacity: list[dict] | None = None,
                  inferred_vendors: list[dict] | None = None,
                  windows: list[dict] | None = None) -> Path:
    """Write a dataset; optional files are written only when given."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / schema.DEALS_FILE, DEAL_COLUMNS, deals)
    write_csv(folder / schema.SOURCES_FILE, SOURCE_COLUMNS, sources)
    optional = ((schema.TRANCHES_FILE, TRANCHE_COLUMNS, tranches),
                (schema.BENCHMARKS_FILE, BENCHMARK_COLUMNS, benchmarks),
                (schema.BUYER_CAPACITY_FILE, BUYER_CAPACITY_COLUMNS, buyer_capacity),
                (schema.INFERRED_VENDORS_FILE, INFERRED_VENDOR_COLUMNS, inferred_vendors),
                (schema.WINDOWS_FILE, WINDOW_COLUMNS, windows))
    for file_name, columns, rows in optional:
        if rows is not None:
            write_csv(folder / file_name, columns, rows)
    return folder


def acme_deals() -> list[dict]:
    """A made-up buyer with four deals, vendors the shipped data does not have, and a range."""
    return [
        deal(),
        deal(deal_id="acme-chips-2025", counterparty="Quartz Silicon", kind="custom_chip",
             status="loi", announced="2025-09-15", value_usd="", value_basis="", capacity_mw="500",
             accelerator_vendor="Quartz", accelerator="Q1", deploy_start="2026-07-01",
             deploy_end="2028-12-31", term_years="", sources="acme-release;quartz-news"),
        deal(deal_id="acme-dc-2026", counterparty="Field Power", kind="datacenter",
             announced="2026-01-10", value_usd="5000000000", value_usd_low="4000000000",
             value_usd_high="6000000000", value_basis="purchase", capacity_mw="300", accelerator_vendor="",
             accelerator="", deploy_start="", deploy_end="", term_years="",
             sources="quartz-news"),
        deal(deal_id="acme-talks-2024", counterparty="Bolt Cloud", kind="cloud", status="talks",
             announced="2024-11-02", value_usd="", value_basis="", capacity_mw="", accelerator_vendor="",
             accelerator="", deploy_start="", deploy_end="", term_years="", sources="quartz-news"),
    ]


def acme_sources() -> list[dict]:
    return [
        source(),
        source(source_id="quartz-news", title="Quartz and Field Power win Acme AI orders",
               publisher="Example Wire", published="2026-01-11",
               address="https://example.org/quartz", language="en", reliability="secondary"),
    ]


def acme_tranches() -> list[dict]:
    return [{"deal_id": "acme-chips-2025", "online": "2026-07-01", "capacity_mw": "200",
             "accelerator_vendor": "Quartz", "sources": "acme-release", "notes": "first phase"}]


def acme_benchmarks() -> list[dict]:
    return [
        {"benchmark_id": "wire-all-in", "label": "Example Wire all-in", "usd_per_mw": "30000000",
         "usd_per_mw_low": "", "usd_per_mw_high": "", "basis": "all-in, facility power",
         "sources": "quartz-news", "notes": ""},
        {"benchmark_id": "wire-range", "label": "Example Wire range", "usd_per_mw": "",
         "usd_per_mw_low": "40000000", "usd_per_mw_high": "60000000", "basis": "all-in",
         "sources": "quartz-news", "notes": "a range only"},
    ]


def acme_buyer_capacity() -> list[dict]:
    return [{"buyer": "Acme AI", "year": "2025", "capacity_mw": "80", "sources": "acme-release",
             "notes": "end of year", "measure": "online"}]


def acme_inferred_vendors() -> list[dict]:
    """Field Power's site names no vendor; a later source says Quartz chips fill it."""
    return [{"deal_id": "acme-dc-2026", "accelerator_vendor": "Quartz",
             "reason": "Quartz says its chips fill the Field Power site", "sources": "quartz-news"}]


def acme_windows() -> list[dict]:
    """Field Power's site: 'over the next two years' (wording), then a later report of a slip."""
    return [
        {"deal_id": "acme-dc-2026", "reported_on": "2026-01-11", "deploy_start": "2026-01-10",
         "deploy_end": "2028-01-10", "basis": "wording", "wording": "over the next two years",
         "sources": "quartz-news", "notes": "announcement + two years"},
        {"deal_id": "acme-dc-2026", "reported_on": "2026-06-01", "deploy_start": "",
         "deploy_end": "2028-07-10", "basis": "revised", "wording": "six months late",
         "sources": "quartz-news", "notes": "end moved six months"},
    ]


@pytest.fixture
def acme_dir(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "acme", acme_deals(), acme_sources(), acme_tranches(),
                         acme_benchmarks(), acme_buyer_capacity())


@pytest.fixture
def acme_revised_dir(tmp_path: Path) -> Path:
    """The made-up buyer with an inferred vendor and windows coded from words and revised."""
    return write_dataset(tmp_path / "acme-revised", acme_deals(), acme_sources(), acme_tranches(),
                         acme_benchmarks(), acme_buyer_capacity(), acme_inferred_vendors(),
                         acme_windows())


def copy_of_book(target: Path) -> Path:
    """The book's sources copied into `target`, to build without touching the repo's _build."""
    for name in ("_config.yml", "_toc.yml", "requirements.txt", "scenarios.yml"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("book", "notebooks", "data"):
        shutil.copytree(ROOT / name, target / name)
    return target


def tree_digest(folder: Path, skip: tuple[str, ...] = ()) -> str:
    """A hash of every file's path and bytes under `folder`, but for files named in `skip`."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in skip:
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()
