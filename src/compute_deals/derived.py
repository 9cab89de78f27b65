"""Derived tables computed once per build and kept on disk, keyed by everything they depend on.

In one build many pages ask for the same table: the comparison of buyers is on the landing page,
in the buyers chapter and in buyers.csv; every page loads and validates the same data. A function
marked `@derived.table` first looks for its result in the folder named by COMPUTE_DEALS_DERIVED,
which the build sets for itself and the kernels it starts. The key is a hash of the function, the
package's code and every argument: a Dataset by the digest of the files it was loaded from, the
arguments named in `files=` by the bytes of those files, anything else by its JSON text.
Without the variable (a notebook opened in Jupyter, the tests, strict nbval) every call computes;
results are the same either way, since a pickled frame comes back exactly as it went in.
"""

from __future__ import annotations

import functools
import inspect
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from compute_deals.digests import files_digest, inputs_hash_of

ENV = "COMPUTE_DEALS_DERIVED"
PACKAGE = Path(__file__).parent


class Uncacheable(Exception):
    """An argument with no faithful key (a frame, a dataset built in code): compute instead."""


@functools.cache
def package_digest() -> str:
    """The package's code and the libraries a pickled frame depends on."""
    return inputs_hash_of([files_digest([PACKAGE]), pd.__version__, np.__version__])


def folder() -> Path | None:
    where = os.environ.get(ENV)
    return Path(where) if where else None


def key_of(value, is_file: bool = False):
    if is_file:
        return files_digest([Path(value)]) if Path(value).exists() else "no such file"
    if hasattr(value, "digest"):  # a Dataset (load.py), known by the files it was loaded from
        if not value.digest:
            raise Uncacheable
        return ["dataset", value.digest]
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        raise Uncacheable
    return value


def table(function=None, *, files: tuple[str, ...] = ()):
    """Mark a function of the data as a derived table (see the module's docstring); `files` names
    the arguments that are paths, keyed by their content rather than by how the path is written."""
    if function is None:
        return functools.partial(table, files=files)
    signature = inspect.signature(function)

    @functools.wraps(function)
    def cached(*args, **kwargs):
        where = folder()
        if where is None:
            return function(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            parts = [[name, key_of(value, name in files)] for name, value in bound.arguments.items()]
        except Uncacheable:
            return function(*args, **kwargs)
        name = f"{function.__module__}.{function.__qualname__}"
        path = where / f"{name}-{inputs_hash_of([package_digest(), name, parts])[:24]}.pkl"
        try:
            value = pickle.loads(path.read_bytes())
            os.utime(path)  # used by this build: kept by `prune`
            return value
        except FileNotFoundError:
            pass
        value = function(*args, **kwargs)
        where.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # two kernels may race
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
        return value

    return cached


def prune(where: Path, before: float) -> None:
    """Delete the derived tables no call has used since `before` (a build's start): the cache
    holds one build's tables, not every build's."""
    for path in where.glob("*.pkl"):
        if path.stat().st_mtime < before:
            path.unlink()
