"""Editions of the data: find the previous one (a folder, or a git revision of the data folder) and
list what changed since, record by record and value by value.

The previous edition, unless one is given, is the newest committed state of the data folder whose
CSV files differ from the ones read now: the last commit (HEAD) when the folder has changes not yet
committed, else the state before the last commit that changed them. Records are matched by their
key (RECORD_KEYS); a key found twice in one file is matched by its order among its repeats.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from compute_deals.digests import files_digest
from compute_deals.facts import schema
from compute_deals.facts.load import Dataset, load_dataset
from compute_deals.facts.problems import DataError
from compute_deals.facts.read import read_raw

# The columns that name a record of each file: a change of them is a record removed and one added.
RECORD_KEYS = {
    schema.DEALS_FILE: ("deal_id",),
    schema.TRANCHES_FILE: ("deal_id", "online"),
    schema.WINDOWS_FILE: ("deal_id", "reported_on"),
    schema.INFERRED_VENDORS_FILE: ("deal_id",),
    schema.BUYER_CAPACITY_FILE: ("buyer", "year", "measure"),
    schema.BENCHMARKS_FILE: ("benchmark_id",),
    schema.SOURCES_FILE: ("source_id",),
    schema.DENIED_SOURCES_FILE: ("domain",),
}
ADDED, REMOVED, REVISED = "added", "removed", "revised"
CHANGE_COLUMNS = ["file", "record", "change", "column", "old", "new", "values", "sources", "deal_id"]


@dataclass(frozen=True)
class Edition:
    """A previous edition of the data: where its files are and how the page names it; `folder` is
    None when there is none to compare with, and `label` then says why."""

    label: str
    folder: Path | None


@dataclass(frozen=True)
class Comparison:
    """This edition against the previous one: `changes` (empty if there is none) and the previous
    dataset, None when there is none or when it does not pass today's checks (`problem` says)."""

    label: str
    found: bool
    changes: pd.DataFrame
    previous: Dataset | None
    problem: str = ""


def compare(data_dir: Path | str, since: str = "") -> Comparison:
    """The data folder against its previous edition (previous_edition)."""
    with previous_edition(Path(data_dir), since) as edition:
        if edition.folder is None:
            return Comparison(edition.label, False, pd.DataFrame(columns=CHANGE_COLUMNS), None)
        found = changes(edition.folder, Path(data_dir))
        try:
            return Comparison(edition.label, True, found, load_dataset(edition.folder))
        except DataError as err:
            first = err.problems[0]  # named by its file alone: the folder may be a temporary one
            return Comparison(edition.label, True, found, None,
                              str(replace(first, file=Path(first.file).name)))


def edition_key(data_dir: Path | str, since: str = "") -> str:
    """What names the previous edition and its content: a page comparing with it is current as
    long as this is the same."""
    with previous_edition(Path(data_dir), since) as edition:
        content = files_digest([edition.folder]) if edition.folder else ""
        return f"{edition.label} {content}"


def changes(old_dir: Path, new_dir: Path) -> pd.DataFrame:
    """Every record added, removed or revised between two data folders, one row per record added
    or removed and one per value revised (CHANGE_COLUMNS): `old` and `new` as written in the files,
    `values` what a record added or removed says (its columns that are not blank), `sources` the
    sources the record cites now (or cited, if removed), `deal_id` the deal it belongs to, if any.
    Files in the order of RECORD_KEYS, records in the order of the new file."""
    found = [_file_changes(name, _records(old_dir / name, name), _records(new_dir / name, name))
             for name in RECORD_KEYS]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=CHANGE_COLUMNS)


def _records(path: Path, file_name: str) -> pd.DataFrame:
    """A file's rows as text, indexed by record key ('' for an absent file: no records)."""
    keys = list(RECORD_KEYS[file_name])
    frame = read_raw(path).frame if path.exists() else pd.DataFrame(columns=keys)
    for key in keys:
        if key not in frame:
            frame[key] = ""
    record = frame[keys].agg(" · ".join, axis=1) if len(frame) else pd.Series(dtype=str)
    repeat = record.groupby(record).cumcount()
    frame.index = [name if n == 0 else f"{name} ({n + 1})" for name, n in zip(record, repeat)]
    return frame


def _file_changes(file_name: str, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for record in new.index.difference(old.index, sort=False):
        rows.append(_row(file_name, record, ADDED, "", "", "", new.loc[record]))
    for record in old.index.difference(new.index, sort=False):
        rows.append(_row(file_name, record, REMOVED, "", "", "", old.loc[record]))
    columns = [c for c in new.columns if c not in RECORD_KEYS[file_name]]
    columns += [c for c in old.columns if c not in columns and c not in RECORD_KEYS[file_name]]
    for record in new.index.intersection(old.index, sort=False):
        before, after = old.loc[record], new.loc[record]
        for column in columns:
            was, now = before.get(column, ""), after.get(column, "")
            if was != now:
                rows.append(_row(file_name, record, REVISED, column, was, now, after))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _row(file_name: str, record: str, change: str, column: str, old: str, new: str,
         values: pd.Series) -> dict:
    said = {name: value for name, value in values.items()
            if value and name not in RECORD_KEYS[file_name]} if change != REVISED else {}
    return {"file": file_name, "record": record, "change": change, "column": column, "old": old,
            "new": new, "values": said, "sources": values.get("sources", ""),
            "deal_id": values.get("deal_id", "")}


# --- The previous edition -------------------------------------------------------------------

@contextmanager
def previous_edition(data_dir: Path, since: str = "") -> Iterator[Edition]:
    """The edition to compare `data_dir` with: the folder `since` names, or the data folder at the
    git revision `since` names, or (since empty) the previous committed edition (module docstring).
    A revision's files are written to a temporary folder that lasts as long as the context."""
    data_dir = Path(data_dir).resolve()
    if since and Path(since).is_dir():
        yield Edition(f"the data folder {Path(since).name}", Path(since))
        return
    found = _git(data_dir, "rev-parse", "--show-toplevel")
    if found is None:
        yield Edition("none: the data folder is not in a git repository (give an edition with SINCE=)", None)
        return
    top = Path(found).resolve()  # git runs from here: its paths are then the repository's
    where = data_dir.relative_to(top).as_posix()
    revision = _git(top, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}") if since else \
        _previous_revision(top, data_dir, where)
    if revision is None:
        yield Edition(f"none: {since!r} is neither a folder nor a git revision" if since else
                      "none: no earlier committed edition of the data in this clone's history", None)
        return
    with tempfile.TemporaryDirectory(prefix="compute-deals-edition-") as folder:
        for name, blob in _csv_blobs(top, revision, where).items():
            Path(folder, name).write_bytes(_git_bytes(top, "cat-file", "blob", blob))
        stamp = _git(top, "log", "-1", "--format=%h of %cs", revision)
        yield Edition(f"the data of commit {stamp}", Path(folder))


def _previous_revision(top: Path, data_dir: Path, where: str) -> str | None:
    """The newest of HEAD and the parents of the commits that changed the folder whose CSV files
    differ from those in the folder now."""
    now = {path.name: _blob_id(path.read_bytes()) for path in data_dir.glob("*.csv")}
    changed_by = (_git(top, "log", "--format=%H", "--", where) or "").split()
    for candidate in ["HEAD", *(f"{commit}^" for commit in changed_by)]:
        revision = _git(top, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}")
        if revision is None:  # the first commit's parent, or history a shallow clone lacks
            return None
        if _csv_blobs(top, revision, where) != now:
            return revision
    return None


def _csv_blobs(top: Path, revision: str, where: str) -> dict[str, str]:
    """The CSV files of the folder at a revision: name -> git blob id."""
    listing = _git(top, "ls-tree", revision, "--", f"{where}/") or ""
    entries = (line.split("\t", 1) for line in listing.splitlines())
    return {Path(path).name: meta.split()[2] for meta, path in entries
            if path.endswith(".csv") and meta.split()[1] == "blob"}


def _blob_id(content: bytes) -> str:
    """What git names a file's content (its blob id), computed without asking git."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _git(cwd: Path, *arguments: str) -> str | None:
    result = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def _git_bytes(cwd: Path, *arguments: str) -> bytes:
    return subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, check=True).stdout
