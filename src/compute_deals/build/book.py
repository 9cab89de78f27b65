"""Build the book: validate the data, execute the notebooks, build with Jupyter Book, swap in.

Everything is built under _build/stage (a copy of the book's sources with executed notebooks in
place of the stored ones) and copied into _build/html only once the build succeeded, so a failure at
any step leaves the previous _build/html as it was.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import nbformat
import yaml

from compute_deals import derived, digests
from compute_deals.analysis import scenarios, uncertainty
from compute_deals.facts import editions
from compute_deals.report import editions as edition_pages, tables
from compute_deals.build import execute, inputs
from compute_deals.analysis.buyers import all_buyers, chosen_buyers, page_names
from compute_deals.report.html_names import FOR_THE_BOOK_ENV, TABLES_FOLDER
from compute_deals.facts.load import buyer_view, load_dataset

PACKAGE = inputs.PACKAGE
DEFAULT_DATA = Path("data")
DEFAULT_BUYER = "OpenAI"  # the notebooks' own default (their parameters cell)
BOOK_SOURCES = ("_config.yml", "_toc.yml", "book")  # scenarios.yml is read, not staged
KEY_FILE = ".compute-deals-inputs"
SCENARIO_TEMPLATE = "scenario_page.ipynb"  # run once per scenario in scenarios.yml
SCENARIO_FOLDER = "scenarios"
SCENARIO_COMPARISON = "notebooks/scenarios"  # the chapter the scenario pages hang under
BUYER_TEMPLATE = "buyer_page.ipynb"  # run once per buyer the book compares
BUYER_FOLDER = "buyers"  # each buyer's page in buyers/<slug>/, its tables in buyers/<slug>/tables/
BUYER_COMPARISON = "notebooks/buyers"  # the chapter the buyer pages hang under
TEMPLATES = (SCENARIO_TEMPLATE, BUYER_TEMPLATE)
PROVENANCE_FILE = "provenance.json"
EDITION_SECTION = "_this_edition.md"  # in the stage's book/: the changelog's section on this edition
TABLES_KEY_FILE = ".tables-inputs"  # in the stage: the inputs of the CSV tables written there
SPHINX_STAMP_FILE = ".sphinx-inputs"  # in the stage's _build: what its Sphinx environment was built from
DERIVED_FOLDER = "derived"  # in the stage: the derived tables of the last build (derived.py)


class BuildFailed(RuntimeError):
    pass


def choose_buyer(deals, buyer: str | None) -> str:
    """The buyer the chapters analyse in depth: the one asked for; if none, the default buyer when
    the data has it, else the buyer with the most deals (buyers.all_buyers)."""
    every = all_buyers(deals)
    if buyer is None:
        return DEFAULT_BUYER if DEFAULT_BUYER in every else every[0]
    if buyer not in every:
        shown = ", ".join(every[:5]) + (f" and {len(every) - 5} more" if len(every) > 5 else "")
        raise BuildFailed(f"no deals for buyer {buyer!r} in the data: give one of {shown} "
                          "(as written in deals.csv's buyer column), or leave the buyer out for all")
    return buyer


def notebook_parameters(root: Path, data_dir: Path, buyer: str, chosen: dict | None = None,
                        only_buyer: bool = False, since: str = "") -> dict:
    """The parameters papermill injects, only those that differ from the notebooks' defaults, so
    the default run is the one stored in notebooks/. data_dir is relative to notebooks/ (the
    kernel's working folder), so executed notebooks hold no machine-specific path. `chosen` are
    the (checked) values of a parameter file. A one-buyer book (`only_buyer`) compares that buyer
    alone; otherwise the comparison pages take every buyer in the data. `since` (the previous
    edition, editions.previous_edition) goes as it is, or relative to notebooks/ if a folder."""
    parameters = dict(chosen or {})
    if since:
        parameters["since"] = (os.path.relpath(Path(since).resolve(), (root / "notebooks").resolve())
                               if Path(since).is_dir() else since)
    if only_buyer:
        parameters["buyers"] = [buyer]
    if data_dir.resolve() != (root / DEFAULT_DATA).resolve():
        parameters["data_dir"] = os.path.relpath(data_dir.resolve(), (root / "notebooks").resolve())
    if buyer != DEFAULT_BUYER:
        parameters["buyer"] = buyer
    return parameters


def dependencies_digest(root: Path, data_dir: Path) -> str:
    return digests.files_digest([data_dir, PACKAGE, root / "requirements.txt"])


def code_digest(root: Path) -> str:
    """The package and the pinned environment: what a page depends on besides its data."""
    return digests.files_digest([PACKAGE, root / "requirements.txt"])


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


def publish_at(stage: Path, base_url: str) -> None:
    """The address the book is published at (html.baseurl: its sitemap and sharing previews), in
    the stage's copy of _config.yml when one is given (the publishing workflow knows it)."""
    if not base_url:
        return
    config_file = stage / "_config.yml"
    config = yaml.safe_load(config_file.read_text())
    config.setdefault("html", {})["baseurl"] = base_url.rstrip("/") + "/"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))


def _job(notebook: Path, output: Path, parameters: dict, digest: str, title: str | None = None):
    own = execute.own_parameters(notebook, parameters)
    return execute.Job(notebook, output, own, execute.inputs_hash(notebook, own, digest), title)


def scenarios_digest(root: Path) -> str:
    path = root / scenarios.SCENARIOS_FILE
    return digests.files_digest([path]) if path.exists() else ""


def declared(notebook: Path) -> dict:
    """The parameters a notebook declares."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def chapter_jobs(root: Path, stage: Path, parameters: dict, digest: str, edition: str,
                 only: tuple[str, ...] = (), with_template: bool = False) -> list[execute.Job]:
    """One job per notebook in notebooks/ (or those named in `only`); the templates are pages
    only through scenario_jobs and buyer_jobs, but their stored outputs are refreshed like a chapter's. A
    notebook that reads scenarios.yml (declares scenarios_file) is keyed on it too, and one that
    compares with the previous edition (declares since) on that edition (`edition`,
    editions.edition_key); the others are not, so editing one scenario re-runs its page and the
    comparison only."""
    def key(notebook: Path) -> str:
        names = declared(notebook)
        return (digest + (scenarios_digest(root) if "scenarios_file" in names else "")
                + (edition if "since" in names else ""))

    return [
        _job(notebook, stage / "notebooks" / notebook.name, parameters, key(notebook))
        for notebook in sorted((root / "notebooks").glob("*.ipynb"))
        if (not only or notebook.stem in only or notebook.name in only)
        and (with_template or notebook.name not in TEMPLATES)
    ]


def scenario_jobs(root: Path, stage: Path, parameters: dict, digest: str) -> list[execute.Job]:
    """The scenario template once per scenario in scenarios.yml, each into scenarios/<name>."""
    template = root / "notebooks" / SCENARIO_TEMPLATE
    if not template.exists():
        return []
    sets = scenarios.read_scenarios(root / scenarios.SCENARIOS_FILE)
    return [
        _job(template, stage / SCENARIO_FOLDER / f"{name}.ipynb",
             {**parameters, **values, "scenario": name}, digest, title=f"Scenario: {name}")
        for name, values in sets.items()
    ]


def buyer_jobs(root: Path, stage: Path, parameters: dict, data) -> list[execute.Job]:
    """The buyer page template once per buyer the book compares (the `buyers` parameter; every
    buyer in the data if none), each into buyers/<slug>/index, titled with the buyer's name.
    The template reads its buyer's rows alone (load.buyer_view), so each page is keyed on those:
    a row of another buyer changed leaves it as it is."""
    template = root / "notebooks" / BUYER_TEMPLATE
    if not template.exists():
        return []
    names = page_names(chosen_buyers(data.deals, parameters.get("buyers", [])))
    code = code_digest(root)
    return [_job(template, stage / BUYER_FOLDER / folder / "index.ipynb", {**parameters, "buyer": name},
                 digests.inputs_hash_of([buyer_view(data, name).digest, code]), title=name)
            for name, folder in names.items()]


def tables_key(root: Path, buyer: str, chosen: dict, digest: str) -> str:
    """The inputs of the CSV tables (the notebooks' dependencies, the buyer, the parameters and
    the scenarios): a build whose key is that of the tables already written writes none."""
    return digests.inputs_hash_of([digest, scenarios_digest(root), buyer, chosen])


def table_tasks(root: Path, stage: Path, data_dir: Path, buyer: str, chosen: dict,
                pages: list[execute.Job], buyer_pages: list[execute.Job]) -> list:
    """The CSV behind each chart, computed with the run's parameters, where the pages' download
    links point: notebooks/tables/ for the chapters, scenarios/tables/ for the scenario pages,
    buyers/<slug>/tables/ for each buyer's page. One task per file or page, run by the workers
    before the notebooks, so the pages then read these tables from the derived-table cache. The
    scenarios' runs come first, two at a time, so that the comparison of scenarios finds them
    computed; then the comparison across buyers, the slowest table."""
    for folder in (stage / "notebooks" / TABLES_FOLDER, stage / SCENARIO_FOLDER / TABLES_FOLDER,
                   *(stage / BUYER_FOLDER).glob(f"*/{TABLES_FOLDER}")):
        shutil.rmtree(folder, ignore_errors=True)  # no CSV of a dropped scenario or buyer stays behind
    chapters = stage / "notebooks" / TABLES_FOLDER
    with_file = {**chosen, "scenarios_file": root / scenarios.SCENARIOS_FILE}
    first = ["buyers.csv"]
    return ([partial(write_scenario_tables, data_dir, buyer, page.parameters, stage / SCENARIO_FOLDER / TABLES_FOLDER)
             for page in pages]
            + [partial(tables.write_cross_buyer_tables, data_dir, chapters, with_file, (name,))
               for name in sorted(tables.CROSS_BUYER_TABLES, key=lambda n: n not in first)]
            + [partial(tables.write_buyer_tables, data_dir, buyer, chapters, with_file, (name,))
               for name in tables.TABLES]
            + [partial(write_buyer_page_tables, data_dir, page.title, page.output.parent / TABLES_FOLDER, chosen)
               for page in buyer_pages])


def write_buyer_page_tables(data_dir: Path, buyer: str, folder: Path, parameters: dict) -> None:
    """A buyer page's tables, from the buyer's rows alone as the page reads them (cached by those)."""
    tables.write_buyer_tables(buyer_view(load_dataset(data_dir), buyer), buyer, folder, parameters,
                              tables.BUYER_PAGE_TABLES)


def write_scenario_tables(data_dir: Path, buyer: str, parameters: dict, folder: Path) -> None:
    values = {k: v for k, v in parameters.items() if k not in scenarios.SET_BY_THE_BUILD}
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, frame in uncertainty.scenario_tables(load_dataset(data_dir), buyer, parameters["scenario"],
                                                        values).items():
        tables.write(frame, folder / file_name)


def run_jobs(jobs: list[execute.Job], root: Path, say=print, tasks=()) -> None:
    stale = [job for job in jobs if not execute.is_current(job)]
    for job in jobs:
        if job not in stale:
            say(f"  up to date: {execute.page_name(job)}")
    execute.execute_all(stale, cwd=root / "notebooks", say=say, tasks=tasks)


@contextmanager
def environment_variable(name: str, value: str):
    """Within it, os.environ[name] is value, for this process and the workers and kernels it starts."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name)
        else:
            os.environ[name] = before


@contextmanager
def derived_tables(folder: Path):
    """Within it, derived tables are cached in `folder` (derived.py) by this process and the
    kernels it starts; on leaving, the tables this build did not use are deleted."""
    started = time.time()
    with environment_variable(derived.ENV, str(folder)):
        yield
    if folder.exists():
        derived.prune(folder, started)


def drop_removed_pages(stage: Path, jobs: list[execute.Job]) -> None:
    """Delete the executed pages (and buyer folders) of scenarios and buyers no longer built."""
    kept = {job.output for job in jobs}
    for page in (stage / SCENARIO_FOLDER).glob("*.ipynb"):
        if page not in kept:
            page.unlink()
    for folder in (stage / BUYER_FOLDER).glob("*/"):
        if folder / "index.ipynb" not in kept:
            shutil.rmtree(folder)


def write_stage_toc(stage: Path, sections_under: dict[str, list[execute.Job]]) -> None:
    """The stage's table of contents: the root one, with the pages run from a template as
    sections of their chapter (a page per scenario under the scenario comparison, a page per
    buyer under the buyers comparison), so a new scenario or buyer needs no edit to _toc.yml."""
    toc = yaml.safe_load((stage / "_toc.yml").read_text())
    chapters = toc.get("chapters", []) + [c for part in toc.get("parts", []) for c in part["chapters"]]
    for chapter, jobs in sections_under.items():
        if not jobs:
            continue
        found = [c for c in chapters if c.get("file") == chapter]
        if not found:
            raise BuildFailed(f"the pages of {jobs[0].title!r} and others need the chapter {chapter} in _toc.yml")
        # No title here: the page's heading (execute.retitle, escaped) is its title. A toc title
        # would reach the theme's print header as raw HTML, and a buyer's name comes from data/.
        found[0]["sections"] = [{"file": job.output.relative_to(stage).with_suffix("").as_posix()}
                                for job in jobs]
    (stage / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))


def sphinx_stamp(root: Path, stage: Path) -> str:
    """What Sphinx cannot see change: our extension and package, the pinned environment (themes,
    templates), the configuration and the table of contents (which lists every page: a page
    removed from it must not stay behind in the HTML)."""
    return digests.files_digest([PACKAGE, root / "requirements.txt",
                                 stage / "_config.yml", stage / "_toc.yml"])


def build_html(root: Path, stage: Path, say=print) -> Path:
    """Run Jupyter Book on the stage with warnings as errors; returns the HTML folder. Sphinx
    reads again only the pages whose files changed (an executed notebook is rewritten only when
    it is run again) and writes again those, or all when a configuration value such as the
    footer's stamp changed; anything in sphinx_stamp changing starts it from nothing."""
    stamp_file, stamp = stage / "_build" / SPHINX_STAMP_FILE, sphinx_stamp(root, stage)
    if not (stamp_file.exists() and stamp_file.read_text() == stamp):
        for generated in ("html", ".doctrees", "jupyter_execute"):
            shutil.rmtree(stage / "_build" / generated, ignore_errors=True)
    # Gone while Sphinx runs: what a failed or interrupted run leaves is not to be built upon.
    stamp_file.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage),
        "--path-output", str(stage),
        "-W", "-n", "--keep-going",  # every warning fails the build, but all are listed first
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        say(result.stdout[-6000:] + result.stderr[-6000:])
        raise BuildFailed("Jupyter Book reported errors (above)")
    stamp_file.write_text(stamp)
    return stage / "_build" / "html"


def write_provenance(stage: Path, data_dir: Path, commit: str) -> None:
    """What the page footer stamps on every page (sphinx_ext.py): the data version, the commit
    and the build date. Written only when the book is rebuilt, so it never makes a build stale."""
    stamp = {
        "data_version": digests.files_digest([data_dir])[:12],
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


def write_edition_files(stage: Path, data_dir: Path, since: str) -> None:
    """What changed since the previous edition: the changelog's section (book/changelog.md
    includes it) and the CSV of every change (the page's tables show a hundred rows at most), each
    rewritten only when it changes, so that Sphinx reads the changelog again only then."""
    compared = editions.compare(data_dir, since)
    section = edition_pages.changelog_section(compared.label, compared.found, compared.changes)
    _write_if_changed(stage / "book" / EDITION_SECTION, section)
    csv = io.StringIO()
    tables.write_to(edition_pages.changes_table(compared.changes), csv)
    _write_if_changed(stage / "notebooks" / TABLES_FOLDER / edition_pages.CHANGES_CSV, csv.getvalue())


def _write_if_changed(path: Path, text: str) -> None:
    if not (path.exists() and path.read_text() == text):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def build(root: Path, data_dir: Path, buyer: str | None = None, params_file: Path | None = None,
          say=print, since: str = "", base_url: str = "") -> Path:
    """The whole pipeline; returns the path of the built book's front page. `since` names the
    previous edition of the data the book lists the changes since (editions.previous_edition);
    `base_url`, where the book is published, if not at _config.yml's html.baseurl."""
    root, data_dir = root.resolve(), data_dir.resolve()
    built_from = inputs.build_inputs_key(root, data_dir, buyer, params_file, since, base_url)  # before anything is read
    chosen = scenarios.read_parameters(params_file) if params_file else {}
    build_dir = root / "_build"
    stage, html = build_dir / "stage", build_dir / "html"
    started = time.perf_counter()

    with derived_tables(stage / DERIVED_FOLDER), environment_variable(FOR_THE_BOOK_ENV, "1"):
        say(f"Validating {data_dir} ...")
        data = load_dataset(data_dir)
        only_buyer = buyer is not None or data.deals["buyer"].nunique() == 1
        buyer = choose_buyer(data.deals, buyer)

        say(f"Executing notebooks with papermill (buyer: {buyer}) ...")
        parameters = notebook_parameters(root, data_dir, buyer, chosen, only_buyer, since)
        digest = dependencies_digest(root, data_dir)
        edition = editions.edition_key(data_dir, since)
        pages = scenario_jobs(root, stage, parameters, digest)
        buyer_pages = buyer_jobs(root, stage, parameters, data)
        stage_sources(root, stage)
        publish_at(stage, base_url)
        for_tables = {**chosen, "buyers": parameters["buyers"]} if only_buyer else chosen
        key_file, key = stage / TABLES_KEY_FILE, tables_key(root, buyer, for_tables, digest)
        tasks = []
        if not (key_file.exists() and key_file.read_text() == key):
            key_file.unlink(missing_ok=True)
            tasks = table_tasks(root, stage, data_dir, buyer, for_tables, pages, buyer_pages)
        write_edition_files(stage, data_dir, since)  # after table_tasks, which empties the folders
        run_jobs(chapter_jobs(root, stage, parameters, digest, edition) + pages + buyer_pages, root, say=say,
                 tasks=tasks)
        key_file.write_text(key)
    drop_removed_pages(stage, pages + buyer_pages)
    write_stage_toc(stage, {SCENARIO_COMPARISON: pages, BUYER_COMPARISON: buyer_pages})

    commit = inputs.current_commit(root)
    key = digests.files_digest([stage / name for name in (*BOOK_SOURCES, "notebooks", SCENARIO_FOLDER, BUYER_FOLDER)]
                               + [PACKAGE, root / "requirements.txt"]) + commit
    if built_key(html) == key:
        say(f"The book is up to date ({time.perf_counter() - started:.1f} s).")
    else:
        say("Building the book with Jupyter Book ...")
        write_provenance(stage, data_dir, commit)
        swap_in(build_html(root, stage, say=say), html, key)
        say(f"Built in {time.perf_counter() - started:.1f} s.")
    (html / inputs.KEY_FILE).write_text(built_from)
    front = html / "index.html"
    say(f"The book is at {front}")
    return front


def refresh_stored_outputs(root: Path, only: tuple[str, ...] = (), say=print) -> None:
    """Re-run the notebooks in notebooks/ (all, or those named) with their default parameters
    and store the outputs in place (for strict nbval), so the change can be reviewed as a diff."""
    root = root.resolve()
    with_outputs = root / "_build" / "refresh"
    parameters = notebook_parameters(root, root / DEFAULT_DATA, DEFAULT_BUYER)
    digest = dependencies_digest(root, root / DEFAULT_DATA)
    edition = editions.edition_key(root / DEFAULT_DATA)
    run_jobs(chapter_jobs(root, with_outputs, parameters, digest, edition, only, with_template=True), root,
             say=say)
    for executed in sorted((with_outputs / "notebooks").glob("*.ipynb")):
        if only and executed.stem not in only and executed.name not in only:
            continue
        nb = nbformat.read(executed, as_version=4)
        nb.metadata.pop(execute.HASH_KEY, None)
        nb.metadata.pop("papermill", None)
        nbformat.write(nb, root / "notebooks" / executed.name)
        say(f"  stored outputs of {executed.name}")
