"""Command line: python -m compute_deals {validate,tables,overlaps,build,pdf,refresh-outputs,test,lab} --help."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import nullcontext
from pathlib import Path

from compute_deals.build.lab import PORT, lab_arguments
from compute_deals.facts.problems import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m compute_deals",
        description="Validate the deal data, write the tables behind the charts, build the book.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate", help="check a data folder; list every problem as file:line: column: value — fix",
    )
    validate.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")

    validate.add_argument("--buyer", default=None, help="also check that this buyer has deals")

    tables = commands.add_parser(
        "tables", help="write the tables behind every chart as CSV files",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        # The list of files needs the analysis imported: only for this command, so that a
        # no-op `build` stays a fraction of a second.
        epilog=tables_epilog() if "tables" in (sys.argv[1:] if argv is None else argv) else None)
    tables.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    tables.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    tables.add_argument("--buyer", default=None,
                        help="only this buyer (default: every buyer in the data)")

    pairs = commands.add_parser(
        "overlaps", help="write every pair of a buyer's deployment windows that overlap, as CSV, "
        "in the order the windows start (the book lists the longest only)")
    pairs.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    pairs.add_argument("--buyer", required=True, help="whose deals (as in deals.csv's buyer column)")
    pairs.add_argument("--out", type=Path, default=None,
                       help="CSV file to write (default: standard output); written as it is "
                       "computed, so millions of pairs need no more memory than a few")

    build = commands.add_parser("build", help="validate, execute the notebooks, build _build/html")
    build.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    build.add_argument("--buyer", default=None,
                       help="a book of this buyer alone (default: every buyer in the data; the "
                       "chapters analyse OpenAI in depth, or the buyer with the most deals)")
    build.add_argument("--params", type=Path, default=None,
                       help="a YAML file of parameter values (names as in the notebooks)")
    build.add_argument("--since", default="",
                       help="the previous edition of the data, whose changes the book lists: a data "
                       "folder or a git revision (default: data/ before the last commit that "
                       "changed its files, or the last commit if data/ has uncommitted changes)")
    build.add_argument("--base-url", default="",
                       help="where the book is published, for its sitemap and sharing previews "
                       "(default: html.baseurl in _config.yml)")

    printed = commands.add_parser(
        "pdf", help="print the built book (_build/html) into one PDF with chromium: every page, "
        "charts as drawn, a table of contents, page numbers and bookmarks")
    printed.add_argument("--out", type=Path, default=Path("_build") / "compute-deals.pdf",
                         help="the PDF to write (default: _build/compute-deals.pdf)")

    refresh = commands.add_parser(
        "refresh-outputs", help="re-run notebooks/*.ipynb with default parameters, store outputs",
    )
    refresh.add_argument("names", nargs="*", help="only these notebooks (e.g. sources)")

    commands.add_parser(
        "test", help="build the book on data/ (if anything changed), then run pytest on tests/ and "
        "notebooks/ (strict nbval), holding the build lock throughout; other arguments go to "
        "pytest (e.g. -k lab)",
    ).set_defaults(data=Path("data"), buyer=None, params=None, since="", base_url="")  # make book's

    lab = commands.add_parser(
        "lab", help="open JupyterLab on notebooks/ (loopback only); it prints the address to open")
    lab.add_argument("--port", type=int, default=PORT,
                     help=f"the port (default: {PORT}, or the next free one)")

    args, args.pytest_args = parser.parse_known_args(argv)
    if args.pytest_args and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(args.pytest_args)}")
    if args.command == "lab":
        command = lab_arguments(Path.cwd(), args.port)
        os.execv(command[0], command)  # JupyterLab takes over this process: its Ctrl-C, its output
    if args.command not in LOCKED:
        return _checked(args)
    from compute_deals.build.lock import BuildRunning, one_build_at_a_time

    try:
        with one_build_at_a_time(Path.cwd(), f"python -m compute_deals {args.command}"):
            return _checked(args)
    except BuildRunning as err:
        print(err, file=sys.stderr)
        return 3
    except KeyboardInterrupt:  # Ctrl-C
        from compute_deals.build.execute import stop_descendants

        stop_descendants()  # workers, kernels, Sphinx, the browser: whatever was running
        print("Stopped (Ctrl-C); the previous book, if any, is unchanged.", file=sys.stderr)
        return 130


# The commands that write _build/ (the stage, the book, the stored outputs) or print the book.
LOCKED = ("build", "refresh-outputs", "pdf", "test")
# What `make test` runs after the build: the package's tests, strict nbval on the stored notebooks,
# and the browser tests on the book just built.
PYTEST = ("-m", "pytest", "tests", "notebooks", "--nbval")


def _up_to_date(args) -> bool:
    """Whether the book was built from what this build would read; if so, it says so."""
    from compute_deals.build import inputs

    if not inputs.up_to_date(Path.cwd(), args.data, args.buyer, args.params, args.since, args.base_url):
        return False
    print("The book is up to date: nothing it is built from has changed.")
    print(f"The book is at {Path.cwd() / '_build' / 'html' / 'index.html'}")
    return True


def _checked(args) -> int:
    """Run a command; a problem with the data or the build is reported in a few lines."""
    if args.command == "build" and _up_to_date(args):
        return 0
    from compute_deals.build import book

    try:
        return _run(args)
    except DataError as err:
        print(err, file=sys.stderr)
        print("Nothing was executed; the previous book, if any, is unchanged.", file=sys.stderr)
        return 2
    except (book.BuildFailed, book.execute.NotebookFailed, book.scenarios.ParameterError) as err:
        unchanged = "\nThe previous _build/html, if any, is unchanged." if args.command == "build" else ""
        print(f"{err}{unchanged}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped early (| head): not a problem to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as Python's docs advise
        return 1
    except OSError as err:  # a folder that cannot be written, a path that is a file...
        print(f"{err.filename or ''}: {err.strerror or err}: check the path and its permissions",
              file=sys.stderr)
        return 1


def tables_epilog() -> str:
    from compute_deals.report.tables import CROSS_BUYER_TABLES, TABLES

    return ("Files written:\n  every buyer at once: " + ", ".join(CROSS_BUYER_TABLES)
            + "\n  per buyer: " + ", ".join(TABLES)
            + "\nWith one buyer (the data's only one, or --buyer) all go into --out; with several,"
            "\nthe per-buyer files go into --out/<buyer>/ (the buyer's name as a file name).")


def _run(args) -> int:
    from compute_deals.facts import load
    from compute_deals.analysis import buyers, overlaps
    from compute_deals.report import tables
    from compute_deals.build import book

    if args.command == "validate":
        data = load.load_dataset(args.data)
        if args.buyer is not None:
            book.choose_buyer(data.deals, args.buyer)
        print(f"{args.data}: {len(data.deals)} deals of {data.deals['buyer'].nunique()} buyers, "
              f"{len(data.sources)} sources, {len(data.tranches)} tranches, "
              f"{len(data.benchmarks)} benchmarks, {len(data.buyer_capacity)} buyer capacity "
              "figures: no problems found.")
    elif args.command == "tables":
        data = load.load_dataset(args.data)
        chosen = ([book.choose_buyer(data.deals, args.buyer)] if args.buyer is not None
                  else buyers.all_buyers(data.deals))
        for buyer in chosen:
            folder = args.out if len(chosen) == 1 else args.out / buyers.slug(buyer)
            for path in tables.write_buyer_tables(data, buyer, folder):
                print(path)
        for path in tables.write_cross_buyer_tables(data, args.out, {"buyers": chosen}):
            print(path)
    elif args.command == "overlaps":
        data = load.load_dataset(args.data)
        windows = overlaps.counted_windows(data, book.choose_buyer(data.deals, args.buyer))
        with (open(args.out, "w", encoding="utf-8", newline="") if args.out else nullcontext(sys.stdout)) as out:
            for number, block in enumerate(overlaps.overlap_blocks(windows)):
                tables.write_to(block, out, header=number == 0)
    elif args.command == "build":
        book.build(Path.cwd(), args.data, args.buyer, args.params, since=args.since,
                   base_url=args.base_url)
    elif args.command == "pdf":
        from compute_deals.build import pdf  # Playwright and pypdf: only for this command

        built = Path.cwd() / "_build" / "html"
        if not (built / "index.html").exists():
            raise book.BuildFailed(f"no book in {built}: build it first (make book; make pdf does both)")
        pdf.write_pdf(built, args.out)
    elif args.command == "refresh-outputs":
        book.refresh_stored_outputs(Path.cwd(), only=tuple(args.names))
    elif args.command == "test":
        import subprocess
        from compute_deals.build.lock import lent_to_children

        if not _up_to_date(args):
            book.build(Path.cwd(), args.data)
        return subprocess.run([sys.executable, *PYTEST, *args.pytest_args],
                              env=lent_to_children(Path.cwd())).returncode
    return 0
