"""No page types a number that the data or a notebook output holds: such numbers are glued.

Scans the hand-written pages (book/*.md) and every markdown cell of the notebooks. A number counts
if it has two or more digits and is not a year; it must not be one of the figures in data/ (also
scaled to thousands, millions, billions) nor a number any stored notebook output shows.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
YEAR = re.compile(r"(19|20)\d\d")
GLUE_OR_CODE = re.compile(r"\{glue:[a-z]+\}`[^`]*`|`[^`]*`|\(#?[\w./-]*\)|:name: \S+")


def numbers_in(text: str) -> set[str]:
    found = {token.replace(",", "") for token in NUMBER.findall(text)}
    return {n for n in found if len(n.replace(".", "")) >= 2 and not YEAR.fullmatch(n)}


def scaled(value: float) -> set[str]:
    forms = set()
    for scale in (1, 1e3, 1e6, 1e9, 1e12):
        forms |= {f"{value / scale:.0f}", f"{value / scale:.1f}"} if value >= scale else set()
    return {f.removesuffix(".0") for f in forms}


def data_figures() -> set[str]:
    figures: set[str] = set()
    for path in (ROOT / "data").glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column, value in row.items():
                    if re.fullmatch(r"\d+(\.\d+)?", value or "") and column not in {"year"}:
                        figures |= scaled(float(value))
    return {f for f in figures if len(f.replace(".", "")) >= 2 and not YEAR.fullmatch(f)}


def output_numbers() -> set[str]:
    found: set[str] = set()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            for output in cell.get("outputs", []):
                for mime, content in output.get("data", {}).items():
                    if mime.endswith(("text/plain", "text/markdown")):
                        found |= numbers_in("".join(content))
    return found


def typed_texts() -> list[tuple[str, str]]:
    texts = [(str(p.relative_to(ROOT)), p.read_text()) for p in (ROOT / "book").glob("*.md")]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for number, cell in enumerate(json.loads(notebook.read_text())["cells"]):
            if cell["cell_type"] == "markdown":
                texts.append((f"{notebook.name} cell {number}", "".join(cell["source"])))
    return texts


@pytest.fixture(scope="module")
def known() -> set[str]:
    return data_figures() | output_numbers()


@pytest.mark.parametrize("where, text", typed_texts(), ids=[w for w, _ in typed_texts()])
def test_no_typed_figure(known, where, text):
    typed = numbers_in(GLUE_OR_CODE.sub(" ", text))
    assert not typed & known, f"{where} types {sorted(typed & known)}: glue them from a notebook"


def test_the_check_catches_a_typed_figure(known):
    assert numbers_in("the deal is worth $38 billion for 750 MW") & known == {"38", "750"}
