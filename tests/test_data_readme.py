"""data/README.md documents the data contract of schema.py: every file has a section and every
column of it a row of that section's table, and every allowed value of a fixed set is named."""

import re
from pathlib import Path

import pytest

from compute_deals.facts import schema

README = (Path(__file__).resolve().parents[1] / "data" / "README.md").read_text()


def section(file_name: str) -> str:
    found = re.search(rf"^## `{re.escape(file_name)}`\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert found, f"data/README.md has no section ## `{file_name}`"
    return found.group(1)


@pytest.mark.parametrize("file_name, column", [
    (file_name, column) for file_name in schema.RULES_BY_FILE for column in schema.all_rules(file_name)
])
def test_every_column_is_documented_in_its_files_section(file_name, column):
    first_cells = re.findall(r"^\| ([^|]*) \|", section(file_name), re.M)  # "`a`" or "`a`, `b`"
    assert any(f"`{column}`" in cell for cell in first_cells)


@pytest.mark.parametrize("values", [schema.KINDS, schema.STATUSES, schema.VALUE_BASES,
                                    schema.WINDOW_BASES, schema.MEASURES, schema.RELIABILITY])
def test_every_allowed_value_is_named(values):
    assert all(f"`{value}`" in README for value in values)
