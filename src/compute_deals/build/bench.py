"""`make bench`: how long the book takes to build, measured (median of runs), never asserted in tests.

Every case runs in a temporary copy of the book, so the repo's _build/html is never touched:
  cold       no _build at all (the .venv exists)
  no-op      the same build again, nothing changed, run as a command (python -m compute_deals build)
  one-row    one figure of one deal changed, then rebuilt
  10k-deals  a cold build from a generated dataset of 10,000 deals, its main buyer's book
  40-buyers  a cold build of the all-buyers book (a page per buyer) from 10,000 generated deals of
             40 buyers
  jb-serial  for comparison, Jupyter Book executing the same notebooks itself, one after another
The two generated cases also measure the build's peak memory (every process under it, sampled),
the built book's size and its largest page. Prints each median against its target and writes
_build/bench.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from compute_deals.build import book, synthetic

ROOT = Path.cwd()
COPIED = ("_config.yml", "_toc.yml", "requirements.txt", "scenarios.yml", "book", "notebooks", "data")
CASES = ("cold", "no-op", "one-row", "10k-deals", "40-buyers", "jb-serial")
SCALE_CASES = ("10k-deals", "40-buyers")  # measured for memory and size too
MB_LIMITS = {"book_mb": 100, "page_mb": 1, "peak_mb": 1500}  # the book, its largest page, the build


def targets(median: dict[str, float]) -> dict[str, tuple[str, bool]]:
    """Each target of the performance issues, worded, and whether the medians meet it."""
    found = {
        "cold": ("<= 40 s and <= 0.5 x jb-serial",
                 median["cold"] <= 40 and median["cold"] <= 0.5 * median["jb-serial"]),
        "no-op": ("<= 2 s as a command", median["no-op"] <= 2),
        "one-row": ("<= 50% of cold", median["one-row"] <= 0.5 * median["cold"]),
        "10k-deals": ("<= 2 x cold", median["10k-deals"] <= 2 * median["cold"]),
        "40-buyers": ("<= 3 x cold", median["40-buyers"] <= 3 * median["cold"]),
    }
    for case in SCALE_CASES:
        for measure, limit in MB_LIMITS.items():
            found[f"{case} {measure}"] = (f"< {limit:,} MB", median[f"{case} {measure}"] < limit)
    return found


def copy_book(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
    return target


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def peak_memory_mb(action) -> float:
    """The most memory the build and every process under it held at once, sampled every 0.1 s
    while `action` runs: kernels and workers count, as they share the machine. Each process's
    proportional set size (PSS): pages the forked workers share with the build count once."""
    import psutil

    me, peak, running = psutil.Process(), [0], threading.Event()

    def sample():
        while not running.wait(0.1):
            processes = [me, *me.children(recursive=True)]
            total = 0
            for process in processes:
                try:
                    total += process.memory_full_info().pss
                except psutil.Error:  # ended between listing and reading
                    pass
            peak[0] = max(peak[0], total)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        action()
    finally:
        running.set()
        sampler.join()
    return peak[0] / 1e6


def book_sizes_mb(html: Path) -> tuple[float, float]:
    """The built book's size and its largest page's (the shared chart bundle aside), in MB."""
    files = [p for p in html.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html" and "_static" not in p.relative_to(html).parts]
    return sum(p.stat().st_size for p in files) / 1e6, max(p.stat().st_size for p in pages) / 1e6


def quiet_build(root: Path, data: Path, buyer: str | None = None) -> None:
    book.build(root, data, buyer, say=lambda _: None)


def change_one_row(data: Path, run: int) -> None:
    """Change the first deal's term (a figure every chapter may read) to a new value per run."""
    deals = data / "deals.csv"
    lines = deals.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    fields = lines[1].rstrip("\n").split(",")
    fields[header.index("term_years")] = str(3 + run)
    lines[1] = ",".join(fields) + "\n"
    deals.write_text("".join(lines), encoding="utf-8")


def jb_serial(root: Path) -> None:
    """Jupyter Book's own execution (execute_notebooks: force) of the stored notebooks."""
    config = root / "_config.yml"
    config.write_text(config.read_text().replace('execute_notebooks: "off"',
                                                  'execute_notebooks: "force"'))
    shutil.rmtree(root / "_build", ignore_errors=True)
    result = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(root),
                             "--path-output", str(root), "-W", "-n", "--keep-going", "--all"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"Jupyter Book's own build failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")


def cli_build(root: Path) -> None:
    """The build as a user runs it: a new Python process in the book's folder."""
    subprocess.run([sys.executable, "-m", "compute_deals", "build"], cwd=root, check=True,
                   capture_output=True)


def measure(runs: int) -> dict[str, list[float]]:
    """Every case `runs` times: seconds, and for the scale cases the build's peak memory and
    the built book's size and largest page."""
    found: dict[str, list[float]] = {case: [] for case in CASES}
    for case in SCALE_CASES:
        found.update({f"{case} {measure}": [] for measure in MB_LIMITS})

    def at_scale(case: str, root: Path, data: Path, buyer: str | None) -> None:
        started = time.perf_counter()
        found[f"{case} peak_mb"].append(peak_memory_mb(lambda: quiet_build(root, data, buyer)))
        found[case].append(time.perf_counter() - started)
        book_mb, page_mb = book_sizes_mb(root / "_build" / "html")
        found[f"{case} book_mb"].append(book_mb)
        found[f"{case} page_mb"].append(page_mb)

    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            root = copy_book(scratch / "book")
            data = root / "data"
            found["cold"].append(seconds(lambda: quiet_build(root, data)))
            found["no-op"].append(seconds(lambda: cli_build(root)))
            change_one_row(data, run)
            found["one-row"].append(seconds(lambda: quiet_build(root, data)))
            at_scale("10k-deals", copy_book(scratch / "big"),
                     synthetic.write_dataset(scratch / "synthetic", 10_000, seed=run), synthetic.MAIN_BUYER)
            at_scale("40-buyers", copy_book(scratch / "many"),
                     synthetic.write_dataset(scratch / "forty", 10_000, seed=run, n_buyers=40), None)
            found["jb-serial"].append(seconds(lambda: jb_serial(copy_book(scratch / "jb"))))
        print(f"run {run + 1}/{runs}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in found.items()))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compute_deals.build.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median reported)")
    args = parser.parse_args(argv)
    found = measure(args.runs)
    median = {case: statistics.median(values) for case, values in found.items()}
    met = targets(median)
    print(f"\n{'case':<22} {'median':>9}  target")
    for case, value in median.items():
        unit = "MB" if case.endswith("_mb") else "s"
        target = f"{met[case][0]}: {'met' if met[case][1] else 'NOT met'}" if case in met else ""
        print(f"{case:<22} {value:>7.2f} {unit:<2}  {target}")
    out = ROOT / "_build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"runs": found, "median": median,
                               "targets": {case: {"target": t, "met": ok} for case, (t, ok) in met.items()}},
                              indent=1) + "\n")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
