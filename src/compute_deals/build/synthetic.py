"""A generated dataset in the format of data/, for scale tests and the benchmark (never for the book).

Seeded, so the same call writes the same files. Every figure is random and the buyers, vendors and
sources are made up; the point is size and variety (many buyers, vendors, statuses and dates).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from compute_deals.facts import schema

MAIN_BUYER = "Synthetic AI"


def _dates(rng: np.random.Generator, n: int, first: str, last: str) -> pd.DatetimeIndex:
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    return start + pd.to_timedelta(rng.integers(0, (end - start).days, n), unit="D")


def deals_frame(n_deals: int, n_buyers: int = 25, n_vendors: int = 12, seed: int = 0,
                main_buyer_share: float = 0.4) -> pd.DataFrame:
    """n_deals random deals; MAIN_BUYER holds about main_buyer_share of them."""
    rng = np.random.default_rng(seed)
    buyers = [MAIN_BUYER] + [f"Buyer {i:02d}" for i in range(1, n_buyers)]
    weights = np.full(n_buyers, (1 - main_buyer_share) / (n_buyers - 1))
    weights[0] = main_buyer_share
    vendors = ["Nvidia"] + [f"Vendor {chr(65 + i)}" for i in range(n_vendors - 1)] + [""]
    announced = _dates(rng, n_deals, "2019-01-01", "2026-10-31")
    starts = announced + pd.to_timedelta(rng.integers(0, 540, n_deals), unit="D")
    ends = starts + pd.to_timedelta(rng.integers(0, 1460, n_deals), unit="D")
    has_window = rng.random(n_deals) < 0.6
    value = np.round(rng.lognormal(22, 1.2, n_deals), -6)
    capacity = np.round(rng.lognormal(5.5, 1.0, n_deals))
    has_value = rng.random(n_deals) < 0.7
    blank = lambda mask, values: np.where(mask, values, "")  # noqa: E731 (a column with blanks)
    return pd.DataFrame({
        "deal_id": [f"deal-{i:05d}" for i in range(n_deals)],
        "buyer": rng.choice(buyers, n_deals, p=weights),
        "counterparty": [f"Seller {i:03d}" for i in rng.integers(0, 400, n_deals)],
        "kind": rng.choice(schema.KINDS, n_deals),
        "status": rng.choice(["signed", "signed", "signed", "loi", "talks", "cancelled"], n_deals),
        "announced": announced.strftime("%Y-%m-%d"),
        "value_usd": blank(has_value, value.astype(np.int64).astype(str)),
        "value_usd_low": "",
        "value_usd_high": "",
        "value_basis": blank(has_value, rng.choice(schema.VALUE_BASES, n_deals)),
        "capacity_mw": blank(rng.random(n_deals) < 0.6, capacity.astype(np.int64).astype(str)),
        "capacity_mw_low": "",
        "capacity_mw_high": "",
        "accelerators": "",
        "accelerator_vendor": rng.choice(vendors, n_deals),
        "accelerator": "",
        "deploy_start": blank(has_window, starts.strftime("%Y-%m-%d")),
        "deploy_end": blank(has_window, ends.strftime("%Y-%m-%d")),
        "term_years": blank(rng.random(n_deals) < 0.5, rng.integers(1, 11, n_deals).astype(str)),
        "sources": [f"source-{i:05d}" for i in rng.integers(0, max(n_deals // 5, 1), n_deals)],
        "notes": "generated",
    })


def write_dataset(folder: Path, n_deals: int, seed: int = 0, n_buyers: int = 25) -> Path:
    """Write deals.csv and sources.csv of a generated dataset into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    deals = deals_frame(n_deals, n_buyers=n_buyers, seed=seed)
    source_ids = sorted(set(deals["sources"]))
    sources = pd.DataFrame({
        "source_id": source_ids,
        "title": [f"Generated report {s}" for s in source_ids],
        "publisher": "Generator",
        "published": "2026-01-01",
        "address": [f"https://example.org/{s}" for s in source_ids],
        "language": "en",
        "reliability": "trade",
    })
    for frame, name in ((deals, schema.DEALS_FILE), (sources, schema.SOURCES_FILE)):
        frame.to_csv(folder / name, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return folder
