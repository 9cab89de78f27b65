"""Everything a build is made from, hashed before anything heavy is imported.

When that hash equals the one the current book was built from, the book is up to date and
`make book` stops there: no pandas, no papermill, a fraction of a second. Any change (a data file,
the package, the notebooks, the book's pages, the configuration, the scenarios, a parameter file,
the buyer asked for, the commit) makes the build look further, where each step skips what it can.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from compute_deals.digests import files_digest, inputs_hash_of

PACKAGE = Path(__file__).parents[1]  # compute_deals: every layer's code
FROM_FILES = ("requirements.txt", "notebooks", "book", "_config.yml", "_toc.yml", "scenarios.yml")
KEY_FILE = ".compute-deals-build-inputs"  # in _build/html: what the book there was built from


def current_commit(root: Path) -> str:
    """The commit the book is built from, marked when the working tree has changes."""
    def git(*args: str) -> str:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD") or "not a git checkout"
    return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")


def build_inputs_key(root: Path, data_dir: Path, buyer: str | None, params_file: Path | None,
                     since: str = "", base_url: str = "") -> str:
    """A hash of every input of a build; the data folder's place counts too (the notebooks are
    given its path relative to notebooks/), and the previous edition: a folder by its files, a git
    revision by its name (the commit counts already)."""
    files = [path for path in (data_dir, PACKAGE, *(root / name for name in FROM_FILES)) if path.exists()]
    params = files_digest([params_file]) if params_file and params_file.exists() else str(params_file)
    previous = files_digest([Path(since)]) if since and Path(since).is_dir() else since
    return inputs_hash_of([files_digest(files), str(data_dir.resolve()), buyer, params,
                           current_commit(root), previous, base_url])


def up_to_date(root: Path, data_dir: Path, buyer: str | None, params_file: Path | None,
               since: str = "", base_url: str = "") -> bool:
    key_file = root / "_build" / "html" / KEY_FILE
    return key_file.exists() and key_file.read_text() == build_inputs_key(
        root, data_dir, buyer, params_file, since, base_url)
