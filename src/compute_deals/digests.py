"""Hashes that say whether an input changed: of files by their bytes, of values by their JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def files_digest(paths: list[Path]) -> str:
    """A hash of files (folders are walked) by their path relative to the argument they came from
    and their bytes, in the order given: where a folder sits on disk does not change it."""
    digest = hashlib.sha256()
    for top in paths:
        files = sorted(f for f in ([top] if top.is_file() else top.rglob("*"))
                       if f.is_file() and "__pycache__" not in f.parts)
        for path in files:
            name = path.name if path == top else path.relative_to(top).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_hash_of(parts: list) -> str:
    """A hash of JSON-able parts (text, parameter mappings), in order."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
