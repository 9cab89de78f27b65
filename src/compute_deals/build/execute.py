"""Run notebooks with papermill (the book's only executor), in parallel, and only when needed.

An executed notebook records a hash of everything its outputs depend on (its code, its parameters,
the data files, the package code, the pinned environment); it is re-executed only when that changes.
Per-run metadata (timestamps, paths) is stripped so the same inputs give the same file.

Each worker process keeps one kernel for all the notebooks it runs, reset to a new session (empty
namespace, execution count 1) before each: starting a kernel and importing pandas, Altair and
pandera cost about 1.5 s, more than most notebooks' own work. Strict nbval, which runs every
notebook in a kernel of its own, checks that a reused kernel gives the same outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing.util import Finalize
from dataclasses import dataclass
from pathlib import Path

import nbformat

from compute_deals.digests import inputs_hash_of
from compute_deals.report.html_names import escape_markdown

INJECTED_TAG = "injected-parameters"
HASH_KEY = "compute_deals"
PER_RUN_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path",
                "environment_variables", "exception")
KERNEL_NAME = "python3"
# ipykernel warns at every start that its loopback TCP is not encrypted: the kernels here are
# local, started and read by this process alone, so only errors are worth showing.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
_worker_kernel = None  # the kernel manager this worker process reuses (start_worker_kernel)


@dataclass(frozen=True)
class Job:
    source: Path
    output: Path
    parameters: dict
    inputs_hash: str
    title: str | None = None  # replaces the first heading, for pages run from one template


class NotebookFailed(RuntimeError):
    pass


def code_digest(notebook: Path) -> str:
    """A hash of a notebook's cells and tags, ignoring its stored outputs."""
    cells = nbformat.read(notebook, as_version=4).cells
    content = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in cells]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def inputs_hash(notebook: Path, parameters: dict, dependencies_digest: str) -> str:
    return inputs_hash_of([code_digest(notebook), parameters, dependencies_digest])


def own_parameters(notebook: Path, parameters: dict) -> dict:
    """The subset of `parameters` that a notebook declares in its parameters cell."""
    if not parameters:
        return {}
    import papermill  # only when there is something to filter: keeps a no-op build fast

    declared = papermill.inspect_notebook(str(notebook))
    return {name: value for name, value in parameters.items() if name in declared}


def is_current(job: Job) -> bool:
    if not job.output.exists():
        return False
    metadata = nbformat.read(job.output, as_version=4).metadata
    return metadata.get(HASH_KEY, {}).get("inputs_hash") == job.inputs_hash


def strip_run_metadata(nb) -> None:
    """Remove what changes from run to run although the inputs did not."""
    run = nb.metadata.get("papermill", {})
    for key in PER_RUN_KEYS:
        run.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def hide_injected_parameters(nb) -> None:
    """papermill does not copy the parameters cell's tags (papermill#731): fold its cell away.
    It also gives the cell a random id each run: give it a fixed one."""
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if INJECTED_TAG in tags:
            cell.id = INJECTED_TAG
            if "hide-input" not in tags:
                tags.append("hide-input")


def retitle(nb, title: str) -> None:
    """Replace the first markdown cell's first line, the page heading, with `title` as text
    (a buyer's name comes from data/)."""
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    rest = cell.source.split("\n", 1)[1:]
    cell.source = "\n".join([f"# {escape_markdown(title)}", *rest])


def stop_descendants() -> None:
    """Kill every process this one started, and theirs: the workers and their kernels."""
    import psutil

    for process in psutil.Process().children(recursive=True):
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def start_worker_kernel() -> None:
    """Process-pool initializer: a kernel manager for this worker, whose kernel the first notebook
    starts and later ones reuse; shut down when the worker exits. Ctrl-C is the main process's to
    handle (it stops the workers): a worker that took it would print its own traceback."""
    global _worker_kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    _worker_kernel = AsyncKernelManager(kernel_name=KERNEL_NAME)
    Finalize(_worker_kernel, run_sync(_worker_kernel.shutdown_kernel), kwargs={"now": True},
             exitpriority=10)


def new_session(km) -> None:
    """Make a started kernel look new to the next notebook: IPython's reset(new_session=True)
    empties the namespace and restarts the execution count at 1. A dead kernel is restarted."""
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient

    if not km.has_kernel:
        return  # papermill starts it, in the notebook's working folder
    if not run_sync(km.is_alive)():
        run_sync(km.restart_kernel)(now=True)
    cell = nbformat.v4.new_code_cell("get_ipython().reset(new_session=True)")
    client = NotebookClient(nbformat.v4.new_notebook(cells=[cell]), km=km)
    with client.setup_kernel():
        client.execute_cell(cell, 0, store_history=False)  # leaves the count at 1


def execute(job: Job, cwd: Path) -> float:
    """Execute one notebook into job.output; returns seconds taken. Raises NotebookFailed."""
    import papermill

    started = time.perf_counter()
    partial = job.output.with_suffix(".partial.ipynb")
    job.output.parent.mkdir(parents=True, exist_ok=True)
    reused = {}
    if _worker_kernel is not None:
        new_session(_worker_kernel)
        reused = {"km": _worker_kernel}
    try:
        papermill.execute_notebook(
            str(job.source), str(partial), parameters=job.parameters, cwd=str(cwd),
            progress_bar=False, kernel_name=KERNEL_NAME, extra_arguments=KERNEL_ARGUMENTS, **reused,
        )
    except papermill.PapermillExecutionError as err:
        raise NotebookFailed(
            f"{job.source.name} failed in cell {err.exec_count}: {err.ename}: {err.evalue}\n"
            f"(the partly executed notebook is {partial})"
        ) from None
    nb = nbformat.read(partial, as_version=4)
    strip_run_metadata(nb)
    hide_injected_parameters(nb)
    if job.title:
        retitle(nb, job.title)
    unchanged = job.output.exists() and same_page(nbformat.read(job.output, as_version=4), nb)
    was = job.output.stat() if unchanged else None
    nb.metadata[HASH_KEY] = {"inputs_hash": job.inputs_hash}
    nbformat.write(nb, partial)
    partial.replace(job.output)
    if was is not None:  # the same page from new inputs: Sphinx need not read it again
        os.utime(job.output, ns=(was.st_atime_ns, was.st_mtime_ns))
    return time.perf_counter() - started


def same_page(old, new) -> bool:
    """Whether two executed notebooks show the same (cells and outputs; the inputs hash aside)."""
    strip = lambda nb: {**nb.metadata, HASH_KEY: None}  # noqa: E731 (metadata but the hash)
    return old.cells == new.cells and strip(old) == strip(new)


def page_name(job: Job) -> str:
    """The executed notebook as the book's folder and file (scenarios/base.ipynb)."""
    return job.output.relative_to(job.output.parents[1]).as_posix()


def execute_all(jobs: list[Job], cwd: Path, say=print, tasks=()) -> None:
    """Execute the jobs, up to one per core at a time, reporting each as it ends. `tasks`
    (functions of no argument: the build's tables) are run by the same workers first."""
    if not jobs and not tasks:
        return
    failures = []
    workers = min(len(jobs) + len(tasks), os.cpu_count() or 1)
    if tasks:
        say(f"  {len(tasks)} tables to write first")
    if jobs:
        say(f"  {len(jobs)} to execute, {workers} at a time: {', '.join(page_name(job) for job in jobs)}")
    with ProcessPoolExecutor(max_workers=workers, initializer=start_worker_kernel) as pool:
        try:
            written = [pool.submit(task) for task in tasks]  # the pool takes work in the order given
            futures = {pool.submit(execute, job, cwd): job for job in jobs}
            for done, future in enumerate(as_completed(futures), start=1):
                job = futures[future]
                try:
                    seconds = future.result()
                    say(f"  [{done}/{len(jobs)}] {page_name(job)} done in {seconds:.1f} s")
                except NotebookFailed as err:
                    failures.append(str(err))
                    say(f"  [{done}/{len(jobs)}] {page_name(job)} FAILED")
            for task in written:
                task.result()  # a table that failed raises here
        except KeyboardInterrupt:
            # Leaving the block waits for the workers, which ignore Ctrl-C and would finish their
            # notebooks first: stop them, and the kernels they started, now.
            pool.shutdown(wait=False, cancel_futures=True)
            stop_descendants()
            raise
    if failures:
        raise NotebookFailed("\n".join(failures))
