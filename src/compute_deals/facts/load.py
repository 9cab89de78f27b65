"""Load the dataset in a data folder: read each CSV as text (read.py), validate it (validate.py),
then type it and apply the later reports: windows.csv's dates and inferred_vendors.csv's vendors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from compute_deals import derived
from compute_deals.digests import files_digest
from compute_deals.facts import schema
from compute_deals.facts.problems import DataError, Problem
from compute_deals.facts.read import RawTable, read_raw
from compute_deals.facts.validate import problems_in

WINDOW_ENDS = ("deploy_start", "deploy_end")
REPORTED = "reported"  # a window end as deals.csv gives it (windows.csv's basis for later reports)
WORDING = "wording"  # a window end coded from a source's words (windows.csv basis)


@dataclass(frozen=True)
class Dataset:
    """The typed dataset: numbers as floats (NaN = not reported), dates as Timestamps (NaT).
    Optional files that are absent give empty frames with their columns. `deals` carries each
    deal's current window (windows.csv applied, with the basis of each end) and its inferred
    vendor (inferred_vendors.csv); `windows` keeps every window report as history."""

    deals: pd.DataFrame
    sources: pd.DataFrame
    tranches: pd.DataFrame
    benchmarks: pd.DataFrame
    buyer_capacity: pd.DataFrame
    inferred_vendors: pd.DataFrame
    windows: pd.DataFrame
    # The files it was loaded from, hashed (derived.py keys tables on it); a dataset made in code
    # has none, and its tables are never taken from the cache.
    digest: str = field(default="", compare=False)


def typed(raw: RawTable, file_name: str) -> pd.DataFrame:
    """Convert a validated text table: numbers to float, dates to Timestamp, blanks to NaN/NaT."""
    frame = raw.frame.reset_index()
    for column in schema.OPTIONAL_RULES_BY_FILE.get(file_name, {}):
        if column not in frame:
            frame[column] = ""
    for column in schema.NUMBER_COLUMNS_BY_FILE[file_name]:
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="raise").astype(float)
    for column in schema.DATE_COLUMNS_BY_FILE[file_name]:
        frame[column] = pd.to_datetime(frame[column].replace("", None), format="%Y-%m-%d")
    if "sources" in frame:
        frame["sources"] = frame["sources"].str.split(";").map(tuple)
    return frame


def with_inferred_vendors(deals: pd.DataFrame, inferred: pd.DataFrame) -> pd.DataFrame:
    """The deals with vendor_inferred and vendor_inferred_reason ("" where none is inferred).
    Validation makes sure an inference never sits on a deal that reports its vendor."""
    def looked_up(column: str) -> list[str]:
        found = dict(zip(inferred["deal_id"], inferred[column]))
        return [found.get(deal_id, "") for deal_id in deals["deal_id"]]

    return deals.assign(vendor_inferred=looked_up("accelerator_vendor"),
                        vendor_inferred_reason=looked_up("reason"))


def current_windows(deals: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """The deals with each end of their deployment window as the latest report gives it: the
    rows of windows.csv, oldest report first, each date it gives replacing the one before
    (deals.csv's own dates come first). deploy_start_basis and deploy_end_basis say how each
    end was coded: reported, wording, revised, or "" where there is no date."""
    out = deals.copy()
    ordered = windows.sort_values("reported_on", kind="stable")
    for end in WINDOW_ENDS:
        out[f"{end}_basis"] = np.where(out[end].notna(), REPORTED, "")
        given = ordered[ordered[end].notna()].groupby("deal_id").last()
        later = out["deal_id"].isin(given.index)
        if not later.any():
            continue
        out.loc[later, end] = out.loc[later, "deal_id"].map(given[end]).to_numpy()
        out.loc[later, f"{end}_basis"] = out.loc[later, "deal_id"].map(given["basis"])
    return out


def read_tables(data_dir: Path) -> dict[str, RawTable]:
    """Read every file of the dataset that is there (schema.OPTIONAL_FILES may be absent)."""
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    for file_name in (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES):
        path = Path(data_dir) / file_name
        if file_name in schema.OPTIONAL_FILES and not path.exists():
            continue
        try:
            tables[file_name] = read_raw(path)
        except DataError as err:
            problems += err.problems
    if problems:
        raise DataError(problems)
    return tables


def _absent(data_dir: Path, file_name: str) -> RawTable:
    columns = list(schema.RULES_BY_FILE[file_name])
    empty = pd.DataFrame(columns=columns, index=pd.Index([], name="line", dtype=int), dtype=str)
    return RawTable(data_dir / file_name, empty)


@derived.table(files=("data_dir",))
def load_dataset(data_dir: Path | str) -> Dataset:
    """Read, validate and type the dataset in data_dir. Raises DataError listing every problem.
    In a build, each version of the data is validated once (derived.py)."""
    data_dir = Path(data_dir)
    tables = read_tables(data_dir)
    problems = problems_in(tables)
    if problems:
        raise DataError(problems)
    for file_name in schema.OPTIONAL_FILES:
        tables.setdefault(file_name, _absent(data_dir, file_name))
    frames = {name: typed(table, name) for name, table in tables.items()}
    windows, inferred = frames[schema.WINDOWS_FILE], frames[schema.INFERRED_VENDORS_FILE]
    capacity = frames[schema.BUYER_CAPACITY_FILE]
    capacity["measure"] = capacity["measure"].replace("", "online")
    return Dataset(
        deals=with_inferred_vendors(current_windows(frames[schema.DEALS_FILE], windows), inferred),
        sources=frames[schema.SOURCES_FILE],
        tranches=frames[schema.TRANCHES_FILE],
        benchmarks=frames[schema.BENCHMARKS_FILE],
        buyer_capacity=capacity,
        inferred_vendors=inferred,
        windows=windows,
        digest=files_digest([data_dir]),
    )


def buyer_view(data: Dataset, buyer: str) -> Dataset:
    """One buyer's part of the dataset: its deals with their tranches, window reports and inferred
    vendors, and its own capacity figures; every source and benchmark. Its digest is of that
    content, so a page that reads nothing else (a buyer's page) keeps its key, and its tables
    their cache, when another buyer's row changes. A dataset with no digest gives a view with none."""
    deals = data.deals[data.deals["buyer"] == buyer]
    of_deals = lambda frame: frame[frame["deal_id"].isin(deals["deal_id"])]  # noqa: E731
    view = {"deals": deals, "sources": data.sources, "tranches": of_deals(data.tranches),
            "benchmarks": data.benchmarks,
            "buyer_capacity": data.buyer_capacity[data.buyer_capacity["buyer"] == buyer],
            "inferred_vendors": of_deals(data.inferred_vendors), "windows": of_deals(data.windows)}
    return Dataset(**view, digest=content_digest(view) if data.digest else "")


def content_digest(frames: dict[str, pd.DataFrame]) -> str:
    """A hash of frames by their text (as CSV, index included): the same rows give the same hash
    however the frames were made or unpickled."""
    digest = hashlib.sha256()
    for name, frame in sorted(frames.items()):
        digest.update(name.encode() + b"\0" + frame.to_csv(lineterminator="\n").encode() + b"\0")
    return digest.hexdigest()
