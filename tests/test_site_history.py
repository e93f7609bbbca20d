"""The history months on the site (issue 21, section 4): the site's example repository with
`data/history/` committed on its branch, as `top-pypi history` and `publish` leave it: three
months before the first release, the unpublished 2026.10 counted later, and the published
months copied. Project pages show every month, published ones with their DOI, history ones
marked; a history month has no folder; the archive lists them; "change since" stays between
published months; and ten years of months keep a project page small."""

import itertools
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import git
import pytest

from publisher.base.installers import INSTALLER_GROUPS
from publisher.dataset.history.names import DATAPACKAGE_FILE, INDEX_FILE, year_file
from publisher.dataset.history.table import PROJECT, from_parquet
from publisher.sample.names import project_names
from publisher.website.builder import Built, build_site
from publisher.website.chart import Slot, frame
from publisher.website.history_files import HISTORY_PATH
from publisher.website.month_grid import rounded
from publisher.website.pages import project_path
from publisher.website.project_chart import project_chart
from tests.browser import Contexts, axe_findings, require_axe, require_vnu
from tests.histories import commit_history, copied, counted
from tests.published import (
    EXAMPLE,
    RELEASES,
    commit_file,
    generated_rows,
    publish_example,
    publish_generated,
    ranked,
    release_tags,
)
from tests.repos import publishing_repo
from tests.site_pages import broken_links, grid, serve
from tests.test_site_html import nu_errors

URL = "https://example.org/top-pypi/"
GAP_DAY = "2026-05-07"
# The history months: before the first release, and the month that was never published.
COUNTED = {
    "2026.05": {"requests": 700, "boto3": 650, "six": 60},
    "2026.06": {"requests": 720, "boto3": 690, "six": 50},
    "2026.07": {"boto3": 760, "requests": 740},
    "2026.10": {"requests": 900, "boto3": 890, "numpy": 550, "zope": 3},
}
GAPPED = "2026.06"


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work, _ = publishing_repo(tmp_path_factory.mktemp("history"), "")
    publish_example(work)
    repo = Path(str(work.working_tree_dir))
    months = [
        counted(tag, ranked(counts), missing=(GAP_DAY,) if tag == GAPPED else ())
        for tag, counts in COUNTED.items()
    ]
    published = [copied(repo, tag) for tag in ("2026.08", "2026.09", "2026.11.1")]
    commit_history(work, [*months, *published])
    return repo


@pytest.fixture(scope="module")
def site(history_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("history-site") / "site"
    built = build_site(history_repo, out, URL, workers=1)
    assert built.skipped == ()
    return out


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def table(page: str, kind: str) -> str:
    return page.split(f'<table class="{kind}">', 1)[1].split("</table>", 1)[0]


def rows(markup: str) -> list[list[str]]:
    """Each row's cells as text (end tags may be left out: a row runs to the next)."""
    found = []
    for row in re.split(r"<tr[^>]*>", markup)[1:]:
        cells = re.split(r"<t[hd][^>]*>", row.split("</tbody>", 1)[0])[1:]
        found.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return found


# --- project pages ------------------------------------------------------------------------------


def test_history_months_are_on_a_project_page_marked_as_such(site: Path) -> None:
    page = text(site / "project" / "requests.html")
    cells = grid(page)
    assert [r[0] for r in rows(table(page, "months"))] == ["Year", "2026"]
    for tag in ("2026.07", "2026.06", "2026.05"):
        listed = ranked(COUNTED[tag])
        rank = next(i for i, (name, _) in enumerate(listed, 1) if name == "requests")
        mark = "*" if tag == GAPPED else ""
        assert cells[tag] == (f"{listed[rank - 1][1]:,} #{rank}{mark}", True), tag
    # Every other month of the year is empty: in the detailed table, or not counted.
    assert {t for t, (shown, _) in cells.items() if shown} == {"2026.05", "2026.06", "2026.07"}
    assert "<i>Italic</i>: history months, counted later." in page
    assert f"* {GAPPED}: 1 day missing: {GAP_DAY}." in page
    # The month never published, between the releases: a history row in the detailed table.
    detailed = rows(table(page, "history").split("</thead>", 1)[1])
    assert [r[0] for r in detailed] == ["2026.11.1 DOI", "2026.10", "2026.09", "2026.08 DOI"]
    assert detailed[1][:4] == [
        "2026.10",
        "1",
        "900",
        "\u2014 history month: counted later, from the history files",
    ]
    # The chart draws them apart, and its caption says what they are.
    assert "<path class=history" in page
    assert 'Paler: <a href="../archive.html#history">history months</a>, counted later' in page


def test_published_months_carry_their_doi_and_history_months_none(site: Path) -> None:
    page = text(site / "project" / "boto3.html")
    for tag, release in RELEASES["releases"].items():
        doi = f"<a href=../{tag}/>{tag}</a> <a href=https://doi.org/{release['doi']}>"
        assert doi in page
    assert "<a href=../2026.09/>2026.09</a><td>" in page  # published, not released yet
    cells = grid(page)
    for tag in COUNTED:
        assert f"../{tag}/" not in page
        assert cells[tag][0] or f"<th>{tag}" in page  # in the grid, or the detailed table
    # The grid's months reach their releases' DOIs through the archive, which lists them all.
    assert 'DOIs in <a href="../archive.html">the archive</a>' in table(page, "months")


def test_a_project_unranked_for_months_gets_empty_cells(site: Path) -> None:
    page = text(site / "project" / "typing-extensions.html")
    cells = grid(page)
    assert [cells[tag] for tag in ("2026.05", "2026.06", "2026.07")] == [("", True)] * 3
    assert not any(shown for shown, _ in cells.values())
    assert "Empty: not ranked;" in page


def test_a_history_month_has_no_folder_and_no_link_leads_nowhere(site: Path) -> None:
    for tag in COUNTED:
        assert not (site / tag).exists()
    for tag in EXAMPLE:
        assert (site / tag / "index.html").is_file()
    assert broken_links(site) == []


# --- the archive and the history files -----------------------------------------------------------


def test_the_archive_lists_the_history_months_with_their_year_file(
    site: Path, history_repo: Path
) -> None:
    archive = text(site / "archive.html")
    section = archive.split('<h2 id="history">', 1)[1]
    listed = rows(section.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
    assert [r[0] for r in listed] == sorted(COUNTED, reverse=True)
    name = year_file(2026)
    gapped = next(r for r in listed if r[0] == GAPPED)
    assert gapped[1:] == [
        "2026-05-02 to 2026-05-31 (30 days, UTC)",
        "3",
        "DuckDB, exact",
        f"counted, in {name}",
        f"history month; * 1 day missing: {GAP_DAY}",
    ]
    assert f'<a href="history/{name}">{name}</a>' in section
    with git.Repo(history_repo) as repo:
        for file in (name, INDEX_FILE, DATAPACKAGE_FILE):
            blob = repo.head.commit.tree / f"{HISTORY_PATH}/{file}"
            assert (site / "history" / file).read_bytes() == blob.data_stream.read()
    assert "<th>2026.10</th>" not in archive.split('<h2 id="history">', 1)[0]


def test_the_pages_read_only_the_history_rows_of_projects_with_pages(history_repo: Path) -> None:
    """The year file holds zope in 2026.10; the latest month does not rank it: no page."""
    with git.Repo(history_repo) as repo:
        body = (repo.head.commit.tree / f"{HISTORY_PATH}/{year_file(2026)}").data_stream.read()
    assert "zope" in from_parquet(body).column(PROJECT).to_pylist()
    from publisher.website.builder import read_site

    past = read_site(history_repo, None).past
    assert past is not None
    assert [m.tag for m in past.months] == list(COUNTED)
    assert "zope" not in past.columns
    assert past.of("numpy") == [None, None, None, (3, 550)]


# --- change since -------------------------------------------------------------------------------


def test_change_since_compares_published_months_only(
    site: Path, example_repo: Path, tmp_path: Path
) -> None:
    """2026.10 is a history month: the latest month is still compared with 2026.09."""
    build_site(example_repo, tmp_path / "plain", URL, workers=1)
    for page in ("index.html", "2026.11.1/index.html", "2026.09/index.html"):
        assert text(site / page) == text(tmp_path / "plain" / page)  # the home page too
    changes = [row[3] for row in rows(table(text(site / "index.html"), "ranking honest"))[1:]]
    assert changes == changes_against("2026.09") != changes_against("2026.10")
    assert "2026.10 was not published" in text(site / "index.html")


def changes_against(tag: str) -> list[str]:
    """The latest month's changes in words, against the month `tag` of the example."""
    counts = EXAMPLE.get(tag) or COUNTED[tag]
    before = {name: rank for rank, (name, _) in enumerate(ranked(counts), 1)}
    words = []
    for rank, (name, _) in enumerate(ranked(EXAMPLE["2026.11.1"]), 1):
        moved = before[name] - rank if name in before else None
        words.append(
            "new" if moved is None else "same" if moved == 0
            else f"up {moved}" if moved > 0 else f"down {-moved}"
        )  # fmt: skip
    return words


# --- broken history files -----------------------------------------------------------------------


def test_broken_history_files_are_left_out_with_a_warning(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_generated(work, "2026.10", months=1, rows=20)
    commit_history(work, [counted("2026.09", [("boto3", 5)])])
    index = tmp_path / "work" / HISTORY_PATH / INDEX_FILE
    index.write_text(index.read_text().replace('"rows": 1', '"rows": 2'))
    work.git.commit("-am", "A hand-edited index")
    built = build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    assert built.skipped == (
        "The history files are left out of the site: data/history/datapackage.json: the hash"
        f" it gives for {INDEX_FILE} is not the file's.",
    )
    assert not (tmp_path / "site" / "history").exists()
    assert 'id="history"' not in text(tmp_path / "site" / "archive.html")


# --- ten years of months ------------------------------------------------------------------------

# Bytes of a project page with 120 months: what issue 20's 700 MB goal leaves each of the years
# benchmark's 15,000 project pages. Its site was 723 MB: project pages of 10.4 KB on average
# (157 MB) and 566 MB of the rest; the ranking rows written compact (ROW_MARKUP_BUDGET in
# test_site_years.py) take 12 MB off the rest, which leaves 700 - 554 = 146 MB, 9.73 KB a page.
# The largest page here (history months, DOIs, ranks to 1,200) weighed 11,623 B while the
# benchmark's averaged 10.4 KB, 1.118 times as much: 9,730 x 1.118 = 10,880 B at most.
# Measured with the pages written compact: this page 10,787 B; the benchmark's site 694 MB,
# its project pages 9.35 KB on average (docs/benchmarks.md).
PAGE_BUDGET = 10_880


@pytest.fixture(scope="module")
def ten_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    """120 months: 12 releases (each with the breakdown and a DOI) after 108 history months,
    1,200 projects in each."""
    folder = tmp_path_factory.mktemp("ten-years")
    work, _ = publishing_repo(folder, "")
    tags = release_tags("2016.11", 120)
    rows = 1_200
    publish_generated(work, tags[108], 12, rows, breakdown=True)
    names = project_names(rows + rows // 20, 1)
    history = [
        counted(tag, generated_rows(names[:rows], 100 + i)) for i, tag in enumerate(tags[:108])
    ]
    commit_history(work, history)
    record: dict[str, Any] = {**RELEASES, "releases": {}}
    for i, tag in enumerate(tags[108:]):
        recid = 17_000_000 + i
        record["releases"][tag] = {
            "doi": f"10.5281/zenodo.{recid}",
            "recid": recid,
            "url": f"https://zenodo.org/records/{recid}",
            "published": "2026-01-01",
            "files": {},
        }
    commit_file(work, "data/releases.json", json.dumps(record, indent=2) + "\n", "Releases")
    out = folder / "site"
    return out, build_site(Path(str(work.working_tree_dir)), out, URL)


def test_a_project_page_of_ten_years_stays_within_its_budget(
    ten_years: tuple[Path, Built],
) -> None:
    out, _ = ten_years
    pages = list((out / "project").glob("*.html"))
    assert len(pages) == 1_200
    biggest = max(pages, key=lambda p: p.stat().st_size)
    page = text(biggest)
    cells = grid(page)
    shown = [tag for tag, (text, marked) in cells.items() if text and marked]
    assert len(rows(table(page, "months"))) == 1 + 10  # the header, a row a year
    assert sorted(shown) == release_tags("2016.11", 108)  # every earlier month, marked
    assert page.count("<a href=https://doi.org/") == 12
    assert biggest.stat().st_size <= PAGE_BUDGET, f"{biggest.name}: {biggest.stat().st_size} B"


# --- in a browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


def test_a_visitor_sees_the_history_months_marked(contexts: Contexts, served: str) -> None:
    page = contexts.open(java_script_enabled=False).page(served + project_path("requests"))
    chart = page.get_by_role("img", name="Downloads and rank of requests per month")
    assert chart.is_visible()
    header = page.get_by_role("rowheader", name="2026", exact=True)
    assert header.is_visible()
    seen = page.eval_on_selector(
        "table.months tbody tr",
        "r => [...r.cells].slice(5, 8)"
        ".map(c => [c.innerText.trim(), getComputedStyle(c).fontStyle])",
    )
    numbers = [text.replace("\n", " ").split(" #") for text, _ in seen]
    assert [n[1] for n in numbers] == ["1", "1*", "2"]  # May, June (gaps), July
    assert {style for _, style in seen} == {"italic"}
    heads = page.eval_on_selector_all("table.months thead th", "c => c.map(h => h.innerText)")
    assert heads == [
        "Year",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
    page.get_by_role("link", name="history months").click()
    page.wait_for_url("**/archive.html#history")
    assert page.get_by_role("heading", name="History months").is_visible()


def test_ten_years_of_months_fit_a_phone(contexts: Contexts, ten_years: tuple[Path, Built]) -> None:
    """At 390x844 nothing overflows the page: the grid of years by months scrolls inside its
    labelled wrapper, which the keyboard reaches."""
    out, _ = ten_years
    biggest = max((out / "project").glob("*.html"), key=lambda p: p.stat().st_size)
    with serve(out) as url:
        page = contexts.open(viewport={"width": 390, "height": 844}).page(
            f"{url}project/{biggest.name}"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        wrapper = page.get_by_role("region", name=re.compile("earlier months"))
        assert wrapper.get_attribute("tabindex") == "0"
        sizes = wrapper.evaluate("w => [w.scrollWidth, w.clientWidth]")
        assert sizes[0] > sizes[1]  # it scrolls inside its wrapper
        page.goto("about:blank")  # before the server stops, or a request still running is cut off


def test_axe_finds_nothing_on_a_page_with_history_months(contexts: Contexts, served: str) -> None:
    require_axe()
    context = contexts.open(bypass_csp=True)
    for path in (project_path("requests"), "archive.html"):
        found, _ = axe_findings(context.page(served + path))
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found] == [], path


def test_the_site_without_history_files_is_as_before(
    example_repo: Path, example_site_dir: Path
) -> None:
    """No `data/history/`: no history section, no history folder, no paler marks."""
    assert not (example_repo / HISTORY_PATH).exists()
    assert not (example_site_dir / "history").exists()
    assert 'id="history"' not in text(example_site_dir / "archive.html")
    assert "history month" not in text(example_site_dir / "project" / "requests.html")


def test_a_grid_cell_rounds_its_downloads_to_three_digits() -> None:
    numbers = [7, 999, 1_000, 1_234, 999_499, 999_500, 2_183_289, 45_649_999, 123_456_789_000]
    assert [rounded(n) for n in numbers] == [
        "7",
        "999",
        "1k",
        "1.23k",
        "999k",
        "1M",
        "2.18M",
        "45.6M",
        "123B",
    ]


# --- the chart ----------------------------------------------------------------------------------


def test_a_stacked_bar_is_as_tall_as_a_plain_bar_of_the_same_total() -> None:
    axis = frame([Slot("2026.09", 9, history=True), Slot("2026.10", 10), Slot("2026.11", 11)])
    parts = [3, 0, 50, 40, 7]
    chart = project_chart(
        axis, [100, 100, 100], [1, 2, 3], [None, parts, None], INSTALLER_GROUPS, "t"
    )
    downloads = chart.svg.split("<svg class=downloads", 1)[1].split("</svg>", 1)[0]
    paths = re.findall(r'<path class=(?:"([a-z ]+)"|([a-z]+)) d="([^"]+)"', downloads)
    found = {quoted or bare: d for quoted, bare, d in paths}
    segments = [found[f"part {g}"] for g, n in zip(INSTALLER_GROUPS, parts, strict=True) if n]
    spans = [tuple(map(int, re.fullmatch(r"M1 (\d+)V(\d+)", s).groups())) for s in segments]  # type: ignore[union-attr]
    assert spans[0][0] == 100
    assert all(high == low for (_, high), (low, _) in itertools.pairwise(spans))
    assert found["plain"] == f"M2 100V{spans[-1][1]}"  # the plain bar of the same total
    assert found["history"] == f"M0 100V{spans[-1][1]}"  # a history month's, paler
    assert (chart.stacked, chart.plain, chart.history, chart.stars) == (True, True, True, False)


def test_pages_with_history_months_are_valid_html(
    site: Path, ten_years: tuple[Path, Built], tmp_path: Path
) -> None:
    """The compact rows (end tags left out, attributes unquoted) and the chart, checked by
    the Nu HTML checker: a page of the example, the archive, and the largest of ten years."""
    require_vnu()
    out, _ = ten_years
    biggest = max((out / "project").glob("*.html"), key=lambda p: p.stat().st_size)
    pages = {
        "requests.html": site / project_path("requests"),
        "typing-extensions.html": site / project_path("typing-extensions"),
        "archive.html": site / "archive.html",
        "ten-years.html": biggest,
        "ten-years-archive.html": out / "archive.html",
    }
    for name, page in pages.items():
        shutil.copy(page, tmp_path / name)
    assert nu_errors([tmp_path]) == {tmp_path: []}


def test_a_new_history_month_builds_the_site_again(tmp_path: Path) -> None:
    """The history folder is part of what the pages are made of: a `history` run after a
    build (a new commit of data/history/ on the branch, no new tag) is not "nothing new"."""
    work, _ = publishing_repo(tmp_path, "")
    publish_generated(work, "2026.10", months=1, rows=20)
    repo, out = tmp_path / "work", tmp_path / "site"
    first = json.loads((tmp_path / "work" / "data" / "top-pypi-packages.json").read_text())
    name = first["rows"][0]["project"]
    assert not build_site(repo, out, None, workers=1).unchanged
    assert build_site(repo, out, None, workers=1).unchanged
    commit_history(work, [counted("2026.07", [(name, 5)])])
    assert not build_site(repo, out, None, workers=1).unchanged
    assert grid(text(out / project_path(name)))["2026.07"] == ("5 #1", True)
