"""The tables behind the book's charts, as data frames: what `tables` writes and pages offer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from compute_deals import metrics
from compute_deals.load import Dataset

FOLDER = "tables"  # beside the executed notebooks, so pages link to tables/<name>.csv


def deal_timeline(data: Dataset, buyer: str) -> pd.DataFrame:
    return metrics.timeline(metrics.deals_of(data.deals, buyer))


TABLES: dict[str, Callable[[Dataset, str], pd.DataFrame]] = {
    "deal_timeline.csv": deal_timeline,
}


def write_all(data: Dataset, buyer: str, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in TABLES.items():
        path = out_dir / name
        make(data, buyer).to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")
        written.append(path)
    return written
