"""`make bench`: how long the book takes to build, measured (median of runs), never asserted in tests.

Every case runs in a temporary copy of the book, so the repo's _build/html is never touched:
  cold       no _build at all (the .venv exists)
  no-op      the same build again, nothing changed
  one-row    one figure of one deal changed, then rebuilt
  10k-deals  a cold build from a generated dataset of 10,000 deals, its main buyer's book
  40-buyers  a cold build of the all-buyers book (a page per buyer) from 10,000 generated deals of
             40 buyers
  jb-serial  for comparison, Jupyter Book executing the same notebooks itself, one after another
Prints a table and writes _build/bench.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compute_deals import book, synthetic

ROOT = Path.cwd()
COPIED = ("_config.yml", "_toc.yml", "requirements.txt", "scenarios.yml", "book", "notebooks", "data")
TARGETS = {  # the targets of the hardening issue, as (case, limit in seconds or ratio, wording)
    "cold": "<= 40 s on 2 cores and <= 0.8 x jb-serial",
    "no-op": "<= 3 s",
    "one-row": "<= 50% of cold",
    "10k-deals": "<= 2 x cold",
    "40-buyers": "<= 3 x cold",
}


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


def measure(runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {
        case: [] for case in ("cold", "no-op", "one-row", "10k-deals", "40-buyers", "jb-serial")}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            root = copy_book(scratch / "book")
            data = root / "data"
            times["cold"].append(seconds(lambda: quiet_build(root, data)))
            times["no-op"].append(seconds(lambda: quiet_build(root, data)))
            change_one_row(data, run)
            times["one-row"].append(seconds(lambda: quiet_build(root, data)))
            big = synthetic.write_dataset(scratch / "synthetic", 10_000, seed=run)
            big_root = copy_book(scratch / "big")
            times["10k-deals"].append(
                seconds(lambda: quiet_build(big_root, big, synthetic.MAIN_BUYER)))
            many = synthetic.write_dataset(scratch / "forty", 10_000, seed=run, n_buyers=40)
            times["40-buyers"].append(seconds(lambda: quiet_build(copy_book(scratch / "many"), many)))
            times["jb-serial"].append(seconds(lambda: jb_serial(copy_book(scratch / "jb"))))
        print(f"run {run + 1}/{runs}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compute_deals.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median reported)")
    args = parser.parse_args(argv)
    times = measure(args.runs)
    median = {case: statistics.median(values) for case, values in times.items()}
    met = {
        "cold": median["cold"] <= 40 and median["cold"] <= 0.8 * median["jb-serial"],
        "no-op": median["no-op"] <= 3,
        "one-row": median["one-row"] <= 0.5 * median["cold"],
        "10k-deals": median["10k-deals"] <= 2 * median["cold"],
        "40-buyers": median["40-buyers"] <= 3 * median["cold"],
    }
    print(f"\n{'case':<10} {'median s':>9}  target")
    for case, value in median.items():
        target = f"{TARGETS[case]}: {'met' if met[case] else 'NOT met'}" if case in TARGETS else ""
        print(f"{case:<10} {value:>9.1f}  {target}")
    out = ROOT / "_build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"runs": times, "median_s": median, "targets_met": met}, indent=1) + "\n")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
