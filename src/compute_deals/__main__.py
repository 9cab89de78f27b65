"""Command line: python -m compute_deals {validate,tables,build,refresh-outputs} --help."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compute_deals.problems import DataError


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

    tables = commands.add_parser("tables", help="write the tables behind every chart as CSV files")
    tables.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    tables.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    tables.add_argument("--buyer", default="OpenAI", help="whose deals (default: OpenAI)")

    build = commands.add_parser("build", help="validate, execute the notebooks, build _build/html")
    build.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    build.add_argument("--buyer", default=None,
                       help="whose deals (default: the data's only buyer, else OpenAI)")
    build.add_argument("--params", type=Path, default=None,
                       help="a YAML file of parameter values (names as in the notebooks)")

    refresh = commands.add_parser(
        "refresh-outputs", help="re-run notebooks/*.ipynb with default parameters, store outputs",
    )
    refresh.add_argument("names", nargs="*", help="only these notebooks (e.g. sources)")

    args = parser.parse_args(argv)
    try:
        return _run(args)
    except DataError as err:
        print(err, file=sys.stderr)
        print("Nothing was executed; the previous book, if any, is unchanged.", file=sys.stderr)
        return 2


def _run(args) -> int:
    from compute_deals import book, load, tables

    if args.command == "validate":
        data = load.load_dataset(args.data)
        print(f"{args.data}: {len(data.deals)} deals, {len(data.sources)} sources, "
              f"{len(data.tranches)} tranches, {len(data.benchmarks)} benchmarks, "
              f"{len(data.buyer_capacity)} buyer capacity figures: no problems found.")
    elif args.command == "tables":
        for path in tables.write_all(load.load_dataset(args.data), args.buyer, args.out):
            print(path)
    elif args.command == "build":
        try:
            book.build(Path.cwd(), args.data, args.buyer, args.params)
        except (book.BuildFailed, book.execute.NotebookFailed, book.scenarios.ParameterError) as err:
            print(f"\n{err}\nThe previous _build/html, if any, is unchanged.", file=sys.stderr)
            return 1
    elif args.command == "refresh-outputs":
        book.refresh_stored_outputs(Path.cwd(), only=tuple(args.names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
