"""The command line picks buyers the way the build does, and every user error is a short message
naming what to do, never a Python traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import acme_deals, acme_sources, acme_tranches, write_dataset

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYTHON), "-m", "compute_deals", *args], capture_output=True,
                          text=True, cwd=cwd)


@pytest.fixture
def acme(tmp_path) -> Path:
    return write_dataset(tmp_path / "acme", acme_deals(), acme_sources(), acme_tranches())


def test_tables_without_a_buyer_takes_the_only_one(acme, tmp_path):
    result = cli("tables", "--data", str(acme), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "vendor_share.csv").exists() and (tmp_path / "out" / "buyers.csv").exists()
    assert "Acme AI" in (tmp_path / "out" / "buyers.csv").read_text()


def test_the_help_names_every_file_tables_writes():
    from compute_deals.report.tables import CROSS_BUYER_TABLES, TABLES

    shown = cli("tables", "--help").stdout
    assert all(name in shown for name in [*TABLES, *CROSS_BUYER_TABLES])


@pytest.mark.parametrize("args, says", [
    (("tables", "--buyer", "Nobody", "--out", "{tmp}/out"), "no deals for buyer 'Nobody' in the data: give one of Acme AI"),
    (("validate", "--buyer", "Nobody"), "no deals for buyer 'Nobody'"),
    (("tables", "--out", "{tmp}/a-file"), "check the path and its permissions"),
    (("build", "--params", "{tmp}/missing.yml"), "missing.yml: file not found"),
])
def test_a_user_error_is_one_message_not_a_traceback(acme, tmp_path, args, says):
    (tmp_path / "a-file").write_text("not a folder")
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = cli(*filled, "--data", str(acme))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and says in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 2


def test_an_unknown_data_folder_is_reported_as_such(tmp_path):
    result = cli("validate", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "file not found" in result.stderr and "Traceback" not in result.stderr


def test_overlaps_writes_every_pair_to_a_file_or_to_a_pipe(tmp_path):
    from compute_deals.analysis import overlaps
    from compute_deals.facts.load import load_dataset

    expected = overlaps.longest_overlaps(overlaps.counted_windows(load_dataset(ROOT / "data"), "OpenAI"))
    assert cli("overlaps", "--buyer", "OpenAI", "--out", str(tmp_path / "pairs.csv")).returncode == 0
    written = (tmp_path / "pairs.csv").read_text().splitlines()
    assert written[0].startswith("deal_a,deal_b,overlap_start,overlap_end,overlap_days")
    assert len(written) - 1 == expected.n_pairs > 0
    assert cli("overlaps", "--buyer", "OpenAI").stdout.splitlines() == written


def test_overlaps_piped_into_a_reader_that_stops_early_ends_quietly():
    """As `| head` does: the reader is gone before the first pair is written."""
    process = subprocess.Popen([str(PYTHON), "-m", "compute_deals", "overlaps", "--buyer", "OpenAI"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    process.stdout.close()
    assert process.stderr.read() == "" and process.wait() == 1
