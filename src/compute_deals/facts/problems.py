"""Problems found in input data, worded for the person who has to fix them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input: where it is, what is there, what is wrong and allowed."""

    file: str
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:" if self.line else f"{self.file}:"
        column = f" {one_line(self.column)}:" if self.column else ""
        value = f" {self.value!r}" if self.value else ""
        return f"{where}{column}{value} — {one_line(self.message)}"


def one_line(text: str) -> str:
    """Text from a cell (a column name, a vendor quoted in a message) with its line breaks shown
    as \\n: one problem is one line, so a reader or a script can split them."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


class DataError(ValueError):
    """The data cannot be used as it is; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the data:\n{lines}")
