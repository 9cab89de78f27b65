"""The build pipeline end to end, on a copy of the book and a made-up buyer's data.

A build from other data describes that buyer; a second build with the same inputs re-executes
nothing; bad data or a failing notebook leaves the previous _build/html byte-for-byte as it was.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from compute_deals import digests
from compute_deals.report import tables
from compute_deals.build import book, execute, inputs
from compute_deals.facts.problems import DataError

from conftest import acme_deals, acme_sources, copy_of_book, deal, tree_digest, write_dataset

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the book built once from the Acme AI data; returns (root, data_dir, messages)."""
    root = copy_of_book(tmp_path_factory.mktemp("book"))
    data_dir = write_dataset(tmp_path_factory.mktemp("data") / "acme", acme_deals(), acme_sources())
    messages: list[str] = []
    book.build(root, data_dir, say=messages.append)
    return root, data_dir, messages


def test_a_build_from_other_data_describes_that_buyer(built):
    root, _, messages = built
    page = (root / "_build/html/notebooks/deals_at_a_glance.html").read_text()
    prose = re.sub(r"<pre>.*?</pre>", "", page, flags=re.DOTALL)  # folded parameter cells aside
    assert "Executing notebooks with papermill (buyer: Acme AI) ..." in messages
    assert "Acme AI" in prose and "Quartz Silicon" in prose
    assert "OpenAI" not in prose


def test_executed_notebooks_carry_no_per_run_metadata_and_fold_the_injected_cell(built):
    root, _, _ = built
    nb = nbformat.read(root / "_build/stage/notebooks/deals_at_a_glance.ipynb", as_version=4)
    assert set(nb.metadata["papermill"]) & {"start_time", "end_time", "duration", "input_path"} == set()
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "hide-input" in injected[0].metadata["tags"]
    assert injected[0].id == "injected-parameters"  # papermill would give a random id
    assert "data_dir = \"../" in injected[0].source  # relative to notebooks/: no machine paths
    assert not any("papermill" in c.metadata or "execution" in c.metadata for c in nb.cells)


def test_a_second_build_with_the_same_inputs_does_nothing(built):
    root, data_dir, _ = built
    before = tree_digest(root / "_build/html")
    tables = sorted((root / "_build/stage").glob("*/tables/*.csv"))
    written = [path.stat().st_mtime_ns for path in tables]
    messages: list[str] = []
    book.build(root, data_dir, say=messages.append)
    assert tables and [m for m in messages if "to execute" in m or " done in " in m] == []
    assert [path.stat().st_mtime_ns for path in tables] == written  # not even the CSVs rewritten
    assert any(m.startswith("The book is up to date") for m in messages)
    assert tree_digest(root / "_build/html") == before


def test_a_no_op_build_command_stops_before_reading_anything(built):
    """The command checks a hash of everything the book is made from before it imports pandas."""
    root, data_dir, _ = built
    result = subprocess.run([sys.executable, "-m", "compute_deals", "build", "--data", str(data_dir)],
                            cwd=root, capture_output=True, text=True)
    assert result.stdout.startswith("The book is up to date: nothing it is built from has changed.")
    assert inputs.up_to_date(root, data_dir, None, None)
    assert not inputs.up_to_date(root, data_dir, "Acme AI", None)  # another buyer asked for
    assert not inputs.up_to_date(root, data_dir, None, root / "my.yml")  # a parameter file


def test_two_builds_from_the_same_inputs_give_identical_notebooks_and_html(built, tmp_path):
    root, data_dir, _ = built
    other = copy_of_book(tmp_path)
    book.build(other, data_dir, say=lambda _: None)
    for executed in sorted((other / "_build/stage/notebooks").glob("*.ipynb")):
        twin = root / "_build/stage/notebooks" / executed.name
        assert executed.read_bytes() == twin.read_bytes(), executed.name
    # Same day, same commit line ("not a git checkout"): the provenance stamp matches too.
    assert tree_digest(other / "_build/html") == tree_digest(root / "_build/html")


def test_bad_data_fails_before_anything_runs_and_keeps_the_old_book(built, tmp_path):
    root, _, _ = built
    before = tree_digest(root / "_build/html")
    bad = write_dataset(tmp_path / "bad", [deal(value_usd="$38B")], acme_sources())
    with pytest.raises(DataError, match=r"deals.csv:2: value_usd: '\$38B' — not a plain number"):
        book.build(root, bad, say=lambda _: None)
    assert tree_digest(root / "_build/html") == before


def test_a_failing_notebook_keeps_the_old_book(built, tmp_path):
    root, data_dir, _ = built
    before = tree_digest(root / "_build/html")
    broken = root / "notebooks" / "deals_at_a_glance.ipynb"
    original = broken.read_bytes()
    nb = nbformat.read(broken, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('broken on purpose')"))
    nbformat.write(nb, broken)
    try:
        with pytest.raises(execute.NotebookFailed, match="broken on purpose"):
            book.build(root, data_dir, say=lambda _: None)
    finally:
        broken.write_bytes(original)
    assert tree_digest(root / "_build/html") == before


def test_only_parameters_that_differ_from_the_defaults_are_injected(tmp_path):
    (tmp_path / "notebooks").mkdir()
    assert book.notebook_parameters(tmp_path, tmp_path / "data", "OpenAI") == {}
    assert book.notebook_parameters(tmp_path, tmp_path / "other", "Acme AI") == {
        "data_dir": "../other", "buyer": "Acme AI",
    }


def test_the_buyer_defaults_to_the_only_one_in_the_data(acme_dir):
    from compute_deals.facts.load import load_dataset

    deals = load_dataset(acme_dir).deals
    assert book.choose_buyer(deals, None) == "Acme AI"
    with pytest.raises(book.BuildFailed, match="give one of Acme AI"):
        book.choose_buyer(deals, "Nobody")
    # Several buyers and no OpenAI: the chapters take the buyer with the most deals.
    two = pd.concat([deals, deals.head(1).assign(buyer="Zeta Labs", deal_id="zeta")])
    assert book.choose_buyer(two, None) == "Acme AI"


def test_a_one_buyer_book_compares_that_buyer_alone(tmp_path):
    (tmp_path / "notebooks").mkdir()
    assert book.notebook_parameters(tmp_path, tmp_path / "data", "Meta", only_buyer=True) == {
        "buyer": "Meta", "buyers": ["Meta"]}


def test_the_inputs_hash_changes_with_code_parameters_and_data_but_not_outputs(tmp_path):
    source = ROOT / "notebooks" / "sources.ipynb"
    base = execute.inputs_hash(source, {}, "data-1")
    assert execute.inputs_hash(source, {"buyer": "x"}, "data-1") != base
    assert execute.inputs_hash(source, {}, "data-2") != base
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    stripped = tmp_path / "sources.ipynb"
    nbformat.write(nb, stripped)
    assert execute.inputs_hash(stripped, {}, "data-1") == base


def test_the_files_digest_ignores_where_the_folders_are(tmp_path):
    for name in ("a", "zzz"):
        (tmp_path / name / "data").mkdir(parents=True)
        (tmp_path / name / "data" / "deals.csv").write_text("same")
        (tmp_path / name / "requirements.txt").write_text("pins")
    found = {digests.files_digest([tmp_path / n / "requirements.txt", tmp_path / n / "data"])
             for n in ("a", "zzz")}
    assert len(found) == 1
    (tmp_path / "zzz" / "data" / "deals.csv").write_text("changed")
    assert digests.files_digest([tmp_path / "zzz" / "data"]) != digests.files_digest([tmp_path / "a" / "data"])


def test_a_reused_kernel_starts_each_notebook_as_a_new_session(tmp_path, monkeypatch):
    """A worker runs its notebooks in one kernel: nothing of one notebook may reach the next."""
    monkeypatch.setattr(execute, "_worker_kernel", None)
    execute.start_worker_kernel()
    kernel = execute._worker_kernel
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("leaked = 1")]), first)
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("1 + 1"), nbformat.v4.new_code_cell("print('leaked' in dir())")]),
        second)
    try:
        for source in (first, second):
            execute.execute(execute.Job(source, tmp_path / "out" / source.name, {}, "h"), tmp_path)
    finally:
        from jupyter_core.utils import run_sync
        run_sync(kernel.shutdown_kernel)(now=True)
    cells = nbformat.read(tmp_path / "out" / "second.ipynb", as_version=4).cells
    assert [c.execution_count for c in cells] == [1, 2]
    assert cells[1].outputs[0]["text"] == "False\n"


def test_each_buyer_gets_a_page_under_the_buyers_comparison(built):
    root, _, _ = built
    page = root / "_build/html/buyers/acme-ai/index.html"
    assert "<h1>Acme AI" in page.read_text()
    assert sorted(p.name for p in (page.parent / "tables").iterdir()) == sorted(tables.BUYER_PAGE_TABLES)
    # In the table of contents, as a section of the buyers comparison.
    comparison = (root / "_build/html/notebooks/buyers.html").read_text()
    assert ('<li class="toctree-l2"><a class="reference internal" href="../buyers/acme-ai/index.html">'
            'Acme AI</a>') in comparison
    landing = (root / "_build/html/notebooks/index.html").read_text()
    assert '<a href="../buyers/acme-ai/index.html">Acme AI</a>' in landing


def test_the_page_of_a_buyer_no_longer_in_the_data_is_dropped(tmp_path):
    for name in ("kept", "gone"):
        (tmp_path / book.BUYER_FOLDER / name).mkdir(parents=True)
        (tmp_path / book.BUYER_FOLDER / name / "index.ipynb").write_text("{}")
    kept = execute.Job(Path("t.ipynb"), tmp_path / book.BUYER_FOLDER / "kept" / "index.ipynb", {}, "h", "Kept")
    book.drop_removed_pages(tmp_path, [kept])
    assert [p.name for p in (tmp_path / book.BUYER_FOLDER).iterdir()] == ["kept"]


def test_a_row_of_another_buyer_leaves_a_buyer_page_as_it_is(tmp_path):
    """A buyer's page reads its buyer's rows alone (load.buyer_view) and is keyed on them; the
    book is otherwise rebuilt as usual, and the edited buyer's page with it."""
    (tmp_path / "book").mkdir()
    root = copy_of_book(tmp_path / "book")
    other = deal(deal_id="other-1", buyer="Other AI", counterparty="Volt Cloud", value_usd="1000000000")
    data_dir = write_dataset(tmp_path / "data", [*acme_deals(), other], acme_sources())
    book.build(root, data_dir, say=lambda _: None)
    acme_page = root / "_build/stage/buyers/acme-ai/index.ipynb"
    before = acme_page.stat().st_mtime_ns
    revised = deal(deal_id="other-1", buyer="Other AI", counterparty="Volt Cloud", value_usd="3000000000")
    write_dataset(data_dir, [*acme_deals(), revised], acme_sources())
    messages: list[str] = []
    book.build(root, data_dir, say=messages.append)
    assert "  up to date: acme-ai/index.ipynb" in messages
    assert any("other-ai/index.ipynb done in" in m for m in messages)
    assert acme_page.stat().st_mtime_ns == before
    assert "$3.0B" in (root / "_build/html/buyers/other-ai/index.html").read_text()


def test_a_second_build_in_the_same_checkout_says_one_is_running(built):
    """Two builds never write the same stage: the second stops at once, saying why."""
    from compute_deals.build.lock import one_build_at_a_time

    root, data_dir, _ = built
    with one_build_at_a_time(root, "a build started by the test"):
        result = subprocess.run([sys.executable, "-m", "compute_deals", "build", "--data", str(data_dir)],
                                cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("a build is already running in this checkout "
                                    "(a build started by the test, process ")
    assert not (root / "_build" / "build.lock.holder").exists()  # released with the block


def test_ctrl_c_stops_a_build_in_one_line_with_its_kernels_and_keeps_the_book(built, tmp_path):
    """SIGINT to the build's process group, as a terminal's Ctrl-C sends it, while its kernels run
    notebooks: one line on stderr, every process it started gone, the previous book unchanged."""
    import os
    import signal
    import time

    import psutil

    root, _, _ = built
    before = tree_digest(root / "_build/html")
    changed = write_dataset(tmp_path / "acme", [*acme_deals(), deal(deal_id="acme-more-2026")], acme_sources())
    # Ctrl-C reaches a command a person runs in a terminal: SIGINT at its default, whatever this
    # run inherited (a shell ignores it in what it starts in the background, as CI may).
    build = subprocess.Popen([sys.executable, "-m", "compute_deals", "build", "--data", str(changed)],
                             cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    started = psutil.Process(build.pid)
    deadline = time.monotonic() + 120
    while not any("ipykernel" in " ".join(p.cmdline()) for p in started.children(recursive=True)):
        assert time.monotonic() < deadline and build.poll() is None, "no kernel was started"
        time.sleep(0.2)
    time.sleep(2)  # the kernels are running notebooks
    descendants = started.children(recursive=True)
    os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=120)
    time.sleep(1)
    left = [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    assert build.returncode == 130
    assert stderr.strip().splitlines() == ["Stopped (Ctrl-C); the previous book, if any, is unchanged."]
    assert not left, f"processes left running: {[p.cmdline() for p in left]}"
    assert tree_digest(root / "_build/html") == before


def test_make_test_waits_for_no_build_and_lends_its_lock_to_its_tests(built):
    """`make test` (python -m compute_deals test) stops while a build runs, as a build does; the
    tests it starts may run the command line in the checkout, since it only waits for them."""
    from compute_deals.build.lock import BuildRunning, lent_to_children, one_build_at_a_time

    root, _, _ = built
    with one_build_at_a_time(root, "a build started by the test"):
        result = subprocess.run([sys.executable, "-m", "compute_deals", "test", "-k", "nothing"],
                                cwd=root, capture_output=True, text=True, timeout=120)
        lent = subprocess.run([sys.executable, "-c",
                               "from pathlib import Path; from compute_deals.build.lock import one_build_at_a_time\n"
                               f"with one_build_at_a_time(Path({str(root)!r}), 'a test'): print('held')"],
                              env=lent_to_children(root), capture_output=True, text=True, timeout=60)
        with pytest.raises(BuildRunning):  # lent to the children only, not to the holder's peers
            with one_build_at_a_time(root, "a second build"):
                pass
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("a build is already running in this checkout (a build started by the test")
    assert lent.returncode == 0 and lent.stdout == "held\n", lent.stderr
