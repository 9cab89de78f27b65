"""What changed since the previous edition of the data: the comparison (facts/editions.py), how the
previous edition is found in git, the page and the changelog's section (report/editions.py), and a
book built from two editions of a small dataset listing every kind of change."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from compute_deals.build import book
from compute_deals.facts import editions
from compute_deals.report import editions as pages
from compute_deals.report import present

from conftest import (acme_benchmarks, acme_buyer_capacity, acme_deals, acme_sources, acme_tranches,
                      acme_windows, copy_of_book, deal, source, write_dataset)


def older_edition(folder: Path) -> Path:
    return write_dataset(folder, acme_deals(), acme_sources(), acme_tranches(), acme_benchmarks(),
                         acme_buyer_capacity(), windows=acme_windows()[:1])


def newer_edition(folder: Path) -> Path:
    """Every kind of change: a deal added and one removed, a figure revised with a new source, a
    phase's capacity revised, a window report added, a source added."""
    deals = [d for d in acme_deals() if d["deal_id"] != "acme-talks-2024"]
    deals[0] = {**deals[0], "value_usd": "2500000000", "sources": "acme-release;acme-filing"}
    deals.append(deal(deal_id="acme-neo-2026", counterparty="Nimbus Neo", announced="2026-05-04",
                      value_usd="900000000", capacity_mw="60", sources="acme-filing"))
    tranches = [{**acme_tranches()[0], "capacity_mw": "250"}]
    sources = acme_sources() + [source(source_id="acme-filing", title="Acme AI annual filing",
                                       published="2026-05-04")]
    return write_dataset(folder, deals, sources, tranches, acme_benchmarks(), acme_buyer_capacity(),
                         windows=acme_windows())


@pytest.fixture
def two_editions(tmp_path) -> tuple[Path, Path]:
    return older_edition(tmp_path / "old"), newer_edition(tmp_path / "new")


def test_every_kind_of_change_is_found(two_editions):
    found = editions.changes(*two_editions)
    by = {(row.file, row.record, row.change, row.column): row for row in found.itertuples()}
    assert ("deals.csv", "acme-neo-2026", "added", "") in by
    assert ("deals.csv", "acme-talks-2024", "removed", "") in by
    revised = by["deals.csv", "acme-gpu-2025", "revised", "value_usd"]
    assert (revised.old, revised.new, revised.sources) == ("2000000000", "2500000000", "acme-release;acme-filing")
    assert by["tranches.csv", "acme-chips-2025 · 2026-07-01", "revised", "capacity_mw"].new == "250"
    assert ("windows.csv", "acme-dc-2026 · 2026-06-01", "added", "") in by
    assert ("sources.csv", "acme-filing", "added", "") in by
    assert by["deals.csv", "acme-neo-2026", "added", ""].values["counterparty"] == "Nimbus Neo"
    # Nothing else: the benchmarks and the buyer's figures are as they were.
    assert set(found["file"]) == {"deals.csv", "tranches.csv", "windows.csv", "sources.csv"}


def test_an_edition_compared_with_itself_has_no_changes(two_editions):
    old, _ = two_editions
    assert editions.changes(old, old).empty
    assert pages.summary_sentence(editions.changes(old, old)).startswith("nothing changed")


def test_a_repeated_key_is_matched_by_its_order(tmp_path):
    one = {"deal_id": "acme-chips-2025", "online": "2026-07-01", "capacity_mw": "100",
           "accelerator_vendor": "Quartz", "sources": "acme-release", "notes": ""}
    old = write_dataset(tmp_path / "old", acme_deals(), acme_sources(), [one, one])
    new = write_dataset(tmp_path / "new", acme_deals(), acme_sources(), [one, {**one, "capacity_mw": "150"}])
    found = editions.changes(old, new)
    assert list(found["record"]) == ["acme-chips-2025 · 2026-07-01 (2)"]
    assert list(found["change"]) == ["revised"]


def test_the_page_tables_show_figures_in_their_units_and_the_new_sources(two_editions):
    _, new = two_editions
    found = editions.changes(*two_editions)
    numbers = {"acme-release": 1, "quartz-news": 2, "acme-filing": 3}
    revised = present.html_table(pages.revisions_table(found, numbers)).data
    assert "<td>$2.0B</td><td>$2.5B</td>" in revised
    assert 'href="sources.html#source-acme-filing"' in revised
    records = pages.records_table(found, numbers)
    added = records[records["Record"] == "acme-neo-2026"].iloc[0]
    assert added["Change"] == "added" and "value_usd: $900.0M" in added["What it says"]
    assert "capacity_mw: 60 MW" in added["What it says"]


def test_a_long_text_is_folded_and_escaped():
    long = "<b>" + "a note that runs on " * 20
    cell = pages._folded(pages.shown("notes", long), "the new text")
    assert cell.startswith("<details><summary>the new text</summary>") and "&lt;b&gt;" in cell


def test_the_summary_counts_deals_and_other_records(two_editions):
    sentence = pages.summary_sentence(editions.changes(*two_editions))
    assert sentence == ("1 deal added, 1 removed and 1 revised; 3 records of other files changed "
                        "(sources.csv, tranches.csv, windows.csv)")


def test_only_headline_figures_that_moved_are_listed():
    before = {"median_usd_per_mw": 2e7, "nvidia_share_2026": 0.5, "nvidia_share_2028": 0.4,
              "peak_concurrent_deals": 3.0, "peak_annual_commitment_usd": 1e9}
    after = {**before, "nvidia_share_2026": 0.6, "median_usd_per_mw": 2.001e7}  # the latter shows the same
    moved = pages.headline_table(before, after)
    assert list(moved["Previous edition"]) == ["50%"] and list(moved["This edition"]) == ["60%"]


def test_the_changelog_section_names_the_deals_and_escapes_them(tmp_path):
    old = write_dataset(tmp_path / "old", acme_deals(), acme_sources())
    new = write_dataset(tmp_path / "new", acme_deals() + [deal(deal_id="acme-x-2026")], acme_sources())
    section = pages.changelog_section("the data folder old", True, editions.changes(old, new))
    assert section.startswith("## This edition\n")
    assert r"- Deals added: acme\-x\-2026." in section
    assert "{doc}`../notebooks/whats_changed`" in section


def test_a_previous_edition_that_fails_todays_checks_is_compared_but_not_loaded(tmp_path):
    old = write_dataset(tmp_path / "old", [deal(value_usd="lots")], acme_sources())
    new = write_dataset(tmp_path / "new", [deal()], acme_sources())
    compared = editions.compare(new, str(old))
    assert compared.found and compared.previous is None
    assert compared.problem.startswith("deals.csv:2: value_usd") and str(tmp_path) not in compared.problem
    assert list(compared.changes["column"]) == ["value_usd"]


# --- Finding the previous edition in git -------------------------------------------------------

def git(repo: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *arguments], check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-qm", message)
    return git(repo, "rev-parse", "--short", "HEAD")


@pytest.fixture
def history(tmp_path) -> tuple[Path, dict[str, str]]:
    """A repository whose data/ had three editions, then a commit changing only its README."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    data = repo / "data"
    shas = {}
    for name, deals in (("first", acme_deals()[:1]), ("second", acme_deals()[:2]), ("third", acme_deals()[:3])):
        write_dataset(data, deals, acme_sources())
        shas[name] = commit(repo, f"{name} edition")
    (data / "README.md").write_text("the data's documentation\n")
    shas["readme"] = commit(repo, "only the README")
    return data, shas


def previous(data: Path, since: str = "") -> tuple[str, list[str]]:
    with editions.previous_edition(data, since) as edition:
        deals = (pd.read_csv(edition.folder / "deals.csv")["deal_id"].tolist()
                 if edition.folder else [])
        return edition.label, deals


def test_the_default_previous_edition_is_the_state_before_the_last_change_to_the_files(history):
    data, shas = history
    label, deals = previous(data)
    assert label.startswith(f"the data of commit {shas['second']} of ")
    assert len(deals) == 2  # the README-only commit does not make an edition


def test_with_uncommitted_changes_the_previous_edition_is_the_last_commit(history):
    data, shas = history
    write_dataset(data, acme_deals(), acme_sources())
    label, deals = previous(data)
    assert label.startswith(f"the data of commit {shas['readme']} of ") and len(deals) == 3


def test_a_revision_or_a_folder_can_be_given(history, tmp_path):
    data, shas = history
    assert previous(data, shas["first"])[1] == ["acme-gpu-2025"]
    assert previous(data, "HEAD~3")[1] == ["acme-gpu-2025"]
    folder = write_dataset(tmp_path / "elsewhere", acme_deals()[1:2], acme_sources())
    assert previous(data, str(folder)) == ("the data folder elsewhere", ["acme-chips-2025"])


@pytest.mark.parametrize("since, reason", [("no-such-revision", "neither a folder nor a git revision"),
                                           ("", "not in a git repository")])
def test_no_previous_edition_says_why(tmp_path, since, reason):
    data = write_dataset(tmp_path / "data", acme_deals(), acme_sources())
    if since:
        git(tmp_path, "init", "-q")
    label, deals = previous(data, since)
    assert label.startswith("none: ") and reason in label and deals == []


def test_the_first_edition_has_none_before_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write_dataset(repo / "data", acme_deals(), acme_sources())
    commit(repo, "the first edition")
    assert previous(repo / "data")[0].startswith("none: no earlier committed edition")


# --- A book built from two editions ------------------------------------------------------------

@pytest.fixture(scope="module")
def built_since(tmp_path_factory):
    """A copy of the book built from the newer edition, compared with the older one."""
    root = copy_of_book(tmp_path_factory.mktemp("book"))
    folder = tmp_path_factory.mktemp("editions")
    old, new = older_edition(folder / "old"), newer_edition(folder / "new")
    book.build(root, new, since=str(old), say=lambda _: None)
    html = root / "_build" / "html"
    return ((html / "notebooks" / "whats_changed.html").read_text(),
            (html / "book" / "changelog.html").read_text(),
            pd.read_csv(html / "notebooks" / "tables" / pages.CHANGES_CSV, keep_default_na=False),
            editions.changes(old, new))


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_built_page_lists_every_kind_of_change(built_since):
    page, *_ = built_since
    text = text_of(page)
    assert "the data folder old" in text
    assert "1 deal added, 1 removed and 1 revised; 3 records of other files changed" in text
    for record in ("acme-neo-2026", "acme-talks-2024", "acme-filing", "acme-dc-2026 · 2026-06-01",
                   "acme-chips-2025 · 2026-07-01"):
        assert record in text, record
    assert re.search(r"<td>value_usd</td><td>\$2\.0B</td><td>\$2\.5B</td>", page)
    assert re.search(r"<td>capacity_mw</td><td>200 MW</td><td>250 MW</td>", page)
    assert 'href="sources.html#source-acme-filing"' in page  # the source of the new figure
    # The headline figures moved with the revised price: the table lists them, old and new.
    assert re.search(r"\d of the \d headline figures of the landing page moved", text)
    assert "Previous edition" in page and "This edition" in page


def test_the_built_changelog_has_the_section_on_this_edition(built_since):
    _, changelog, *_ = built_since
    text = text_of(changelog)
    assert "This edition" in text and "Compared with the data folder old" in text
    assert "Deals added: acme-neo-2026." in text and "Deals removed: acme-talks-2024." in text
    assert 'href="../notebooks/whats_changed.html"' in changelog


def test_every_change_is_in_the_csv_beside_the_page(built_since):
    *_, written, found = built_since
    assert list(written.columns) == list(found.columns)
    assert written[["file", "record", "change", "column", "old", "new"]].astype(str).values.tolist() == \
        found[["file", "record", "change", "column", "old", "new"]].astype(str).values.tolist()
    added = written[written["record"] == "acme-neo-2026"].iloc[0]
    assert '"counterparty": "Nimbus Neo"' in added["values"]


def test_a_long_list_of_changes_points_to_the_csv():
    many = pd.DataFrame({"Record": [f"r{n}" for n in range(present.MAX_TABLE_ROWS + 1)]})
    shown = pages.table_or_sentence(many, "none").data
    assert f'href="tables/{pages.CHANGES_CSV}"' in shown
    assert pages.table_or_sentence(many.head(0), "No record.").data == "<p>No record.</p>"
