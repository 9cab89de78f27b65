"""The notebooks as an analyst reruns them: JupyterLab (as `make lab` starts it) in a real browser
runs a chapter and draws every chart with nothing from the internet; nbconvert runs every notebook."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browsing import chromium, visit

from compute_deals.build.lab import lab_arguments
from compute_deals.report.charts import STATIC_CLASS

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "cost_per_mw.ipynb"  # four charts, a table and glued prose: a chapter like the others
PLACED = "charts.place("  # how a notebook puts a chart on its page (and shows it in Jupyter)
STATIC_CHART = f"img.{STATIC_CLASS}"
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
PROMPTS = "[...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim())"
# The notebook is open with its kernel: every code cell is on the page and the status bar says
# "Python 3 (ipykernel) | Idle" (before: "No Kernel | Initializing"; the page loads the notebook
# twice, once before dropping the token from its address).
READY = """n => document.querySelectorAll('.jp-CodeCell').length === n &&
  [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /Python 3.*Idle/.test(e.textContent))"""
# Every code cell has run when every prompt shows its execution count ("[*]:" while running).
ALL_RUN = f"() => {PROMPTS}.length > 0 && {PROMPTS}.every(p => /^\\[\\d+\\]:$/.test(p))"


def a_copy_to_run(tmp_path: Path, names: list[str]) -> Path:
    """notebooks/NAMES without their stored outputs, beside copies of data/ and scenarios.yml, as
    in the repo: what a run shows is what that run drew. The repo's own notebooks are never
    written."""
    (tmp_path / "notebooks").mkdir()
    for name in names:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, tmp_path / "notebooks" / name)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "scenarios.yml", tmp_path)  # the scenario pages' parameter sets
    return tmp_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """JupyterLab as `make lab` starts it, on a copy of the chapter, with settings of its own."""
    root = a_copy_to_run(tmp_path, [CHAPTER])
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, **{name: str(tmp_path / folder) for name, folder in (
        ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"))}}
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen([*lab_arguments(root, port), f"--IdentityProvider.token={token}"],
                              stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    address = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{address}/api/status?token={token}", server, tmp_path / "lab.log")
        yield f"{address}/lab/tree/{CHAPTER}?token={token}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def wait_until_serving(status: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"JupyterLab stopped:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(status, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


def test_a_chapter_runs_in_jupyterlab_and_draws_every_chart_offline(lab):
    nb = nbformat.read(ROOT / "notebooks" / CHAPTER, as_version=4)
    code_cells = sum(c.cell_type == "code" for c in nb.cells)
    charts = placed_charts(nb)
    assert charts >= 2
    with chromium() as browser:
        seen = visit(browser, lab)
        page = seen.page
        page.wait_for_function(READY, arg=code_cells, timeout=60_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_function(ALL_RUN, timeout=120_000)
        drawn = page.locator(STATIC_CHART).evaluate_all(
            "imgs => imgs.map(img => img.complete && img.naturalWidth > 0)")
        errors = page.locator(ERROR_OUTPUT).all_inner_texts()
        page.close()
    assert errors == [], f"cells that failed: {errors}"
    assert drawn == [True] * charts, f"{CHAPTER} places {charts} charts; drawn: {drawn}"
    assert not seen.blocked, f"requests that would leave the machine: {seen.blocked}"
    assert not seen.unexpected_errors(), f"console errors: {seen.unexpected_errors()}"


def test_nbconvert_executes_every_notebook(tmp_path):
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    root = a_copy_to_run(tmp_path, names)
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--output-dir", str(tmp_path / "executed"), *names],
        cwd=root / "notebooks", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in names:
        nb = nbformat.read(tmp_path / "executed" / name, as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], name
        assert static_charts(nb) >= placed_charts(nb), f"{name}: a chart it places is not shown"


def placed_charts(nb) -> int:
    """The calls that place a chart (one in a loop may place several)."""
    return sum(c.source.count(PLACED) for c in nb.cells if c.cell_type == "code")


def static_charts(nb) -> int:
    return sum(STATIC_CLASS in o.get("data", {}).get("text/html", "")
               for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_stored_notebooks_show_their_charts_and_the_books_runs_do_not_draw_them():
    """What a reader opening notebooks/ in Jupyter sees without running anything; the book's own
    runs skip the images its pages remove (a quarter second a chart)."""
    stored = [nbformat.read(p, as_version=4) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    assert all(static_charts(nb) >= placed_charts(nb) for nb in stored)
    assert sum(static_charts(nb) for nb in stored) > 20
    staged = sorted((ROOT / "_build" / "stage").rglob("*.ipynb"))
    assert len(staged) > len(stored), "build the book first (make test does)"
    assert [p.name for p in staged if static_charts(nbformat.read(p, as_version=4))] == []
