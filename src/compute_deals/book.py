"""Build the book: validate the data, execute the notebooks, build with Jupyter Book, swap in.

Everything is built under _build/stage (a copy of the book's sources with executed notebooks in
place of the stored ones) and copied into _build/html only once the build succeeded, so a failure at
any step leaves the previous _build/html as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from compute_deals import execute, scenarios, tables
from compute_deals.load import load_dataset

DEFAULT_DATA = Path("data")
DEFAULT_BUYER = "OpenAI"  # the notebooks' own default (their parameters cell)
BOOK_SOURCES = ("_config.yml", "_toc.yml", "book")
KEY_FILE = ".compute-deals-inputs"
PROVENANCE_FILE = "provenance.json"


class BuildFailed(RuntimeError):
    pass


def choose_buyer(deals, buyer: str | None) -> str:
    """The buyer asked for; if none, the only buyer in the data, or the default among several."""
    buyers = sorted(deals["buyer"].unique())
    if buyer is None:
        buyer = buyers[0] if len(buyers) == 1 else DEFAULT_BUYER
    if buyer not in buyers:
        raise BuildFailed(f"no deals for buyer {buyer!r}; choose one of: {', '.join(buyers)}")
    return buyer


def notebook_parameters(root: Path, data_dir: Path, buyer: str, chosen: dict | None = None) -> dict:
    """The parameters papermill injects, only those that differ from the notebooks' defaults, so
    the default run is the one stored in notebooks/. data_dir is relative to notebooks/ (the
    kernel's working folder), so executed notebooks hold no machine-specific path. `chosen` are
    the (checked) values of a parameter file."""
    parameters = dict(chosen or {})
    if data_dir.resolve() != (root / DEFAULT_DATA).resolve():
        parameters["data_dir"] = os.path.relpath(data_dir.resolve(), (root / "notebooks").resolve())
    if buyer != DEFAULT_BUYER:
        parameters["buyer"] = buyer
    return parameters


def dependencies_digest(root: Path, data_dir: Path) -> str:
    package = Path(__file__).parent
    return execute.files_digest([data_dir, package, root / "requirements.txt"])


def stage_sources(root: Path, stage: Path) -> None:
    """Copy the book's hand-written sources into the stage (executed notebooks are added apart)."""
    stage.mkdir(parents=True, exist_ok=True)
    for name in BOOK_SOURCES:
        source, target = root / name, stage / name
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def execute_notebooks(root: Path, stage: Path, data_dir: Path, buyer: str, say=print,
                      only: tuple[str, ...] = (), chosen: dict | None = None) -> None:
    """Execute the notebooks in notebooks/ (or just those named in `only`) whose inputs changed,
    each with the parameters it declares."""
    parameters = notebook_parameters(root, data_dir, buyer, chosen)
    digest = dependencies_digest(root, data_dir)
    jobs = []
    for notebook in sorted((root / "notebooks").glob("*.ipynb")):
        if only and notebook.stem not in only and notebook.name not in only:
            continue
        own = execute.own_parameters(notebook, parameters)
        jobs.append(execute.Job(
            source=notebook,
            output=stage / "notebooks" / notebook.name,
            parameters=own,
            inputs_hash=execute.inputs_hash(notebook, own, digest),
        ))
    stale = [job for job in jobs if not execute.is_current(job)]
    for job in jobs:
        if job not in stale:
            say(f"  up to date: {job.source.name}")
    execute.execute_all(stale, cwd=root / "notebooks", say=say)


def build_html(stage: Path, say=print) -> Path:
    """Run Jupyter Book on the stage with warnings as errors; returns the HTML folder."""
    command = [
        str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage),
        "--path-output", str(stage),
        "-W", "-n", "--keep-going",  # every warning fails the build, but all are listed first
        "--all",  # Sphinx cannot tell when our extension or templates changed: write every page
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        say(result.stdout[-6000:] + result.stderr[-6000:])
        raise BuildFailed("Jupyter Book reported errors (above)")
    return stage / "_build" / "html"


def current_commit(root: Path) -> str:
    """The commit the book is built from, marked when the working tree has changes."""
    def git(*args: str) -> str:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD") or "not a git checkout"
    return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")


def write_provenance(stage: Path, data_dir: Path, commit: str) -> None:
    """What the page footer stamps on every page (sphinx_ext.py): the data version, the commit
    and the build date. Written only when the book is rebuilt, so it never makes a build stale."""
    stamp = {
        "data_version": execute.files_digest([data_dir])[:12],
        "commit": commit,
        "built": time.strftime("%Y-%m-%d", time.gmtime()),
    }
    (stage / PROVENANCE_FILE).write_text(json.dumps(stamp, indent=1) + "\n")


def swap_in(new_html: Path, html: Path, key: str) -> None:
    """Copy the new HTML beside the old, then exchange them with renames."""
    incoming, outgoing = html.with_name("html.incoming"), html.with_name("html.outgoing")
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(new_html, incoming)
    (incoming / KEY_FILE).write_text(key + "\n")
    if html.exists():
        html.rename(outgoing)
    incoming.rename(html)
    shutil.rmtree(outgoing, ignore_errors=True)


def built_key(html: Path) -> str | None:
    key_file = html / KEY_FILE
    return key_file.read_text().strip() if key_file.exists() else None


def build(root: Path, data_dir: Path, buyer: str | None = None, params_file: Path | None = None,
          say=print) -> Path:
    """The whole pipeline; returns the path of the built book's front page."""
    root, data_dir = root.resolve(), data_dir.resolve()
    chosen = scenarios.read_parameters(params_file) if params_file else {}
    build_dir = root / "_build"
    stage, html = build_dir / "stage", build_dir / "html"
    started = time.perf_counter()

    say(f"Validating {data_dir} ...")
    data = load_dataset(data_dir)
    buyer = choose_buyer(data.deals, buyer)

    say(f"Executing notebooks with papermill (buyer: {buyer}) ...")
    stage_sources(root, stage)
    execute_notebooks(root, stage, data_dir, buyer, say=say, chosen=chosen)
    # The CSV behind each chart, where the pages' download links point (notebooks/tables/).
    tables.write_all(data, buyer, stage / "notebooks" / tables.FOLDER)

    commit = current_commit(root)
    key = execute.files_digest([stage / name for name in (*BOOK_SOURCES, "notebooks")]
                               + [Path(__file__).parent, root / "requirements.txt"]) + commit
    if built_key(html) == key:
        say(f"The book is up to date ({time.perf_counter() - started:.1f} s).")
    else:
        say("Building the book with Jupyter Book ...")
        write_provenance(stage, data_dir, commit)
        swap_in(build_html(stage, say=say), html, key)
        say(f"Built in {time.perf_counter() - started:.1f} s.")
    front = html / "index.html"
    say(f"The book is at {front}")
    return front


def refresh_stored_outputs(root: Path, only: tuple[str, ...] = (), say=print) -> None:
    """Re-run the notebooks in notebooks/ (all, or those named) with their default parameters
    and store the outputs in place (for strict nbval), so the change can be reviewed as a diff."""
    root = root.resolve()
    with_outputs = root / "_build" / "refresh"
    execute_notebooks(root, with_outputs, root / DEFAULT_DATA, DEFAULT_BUYER, say=say, only=only)
    for executed in sorted((with_outputs / "notebooks").glob("*.ipynb")):
        if only and executed.stem not in only and executed.name not in only:
            continue
        nb = nbformat.read(executed, as_version=4)
        nb.metadata.pop(execute.HASH_KEY, None)
        nb.metadata.pop("papermill", None)
        nbformat.write(nb, root / "notebooks" / executed.name)
        say(f"  stored outputs of {executed.name}")
