"""The site built from a real publishing repository (tests/published.py's example: four
releases over three months, a month missing, a correction, a sampled month, a hand-made tag
and a release record): what each page says, the files it serves, and how it refuses."""

import dataclasses
import gzip
import hashlib
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import git
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.base.errors import OutputError, UsageError, ValidationError
from publisher.base.sizes import format_size
from publisher.count.window import Window
from publisher.dataset.build import (
    DATAPACKAGE_FILE,
    EXTENDED_FILES,
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
    EXTENDED_SCHEMA_FILE,
    build_dataset,
    serialise,
)
from publisher.dataset.collect import Collected
from publisher.dataset.datapackage import build_datapackage
from publisher.dataset.datapackage import to_bytes as datapackage_bytes
from publisher.dataset.extended import to_extended_json
from publisher.release.git import commit_and_tag
from publisher.release.zenodo.metadata import Human
from publisher.website.address import check_site_url, pages_url
from publisher.website.builder import build_site
from publisher.website.changes import change
from publisher.website.chart import Slot, frame, rank_chart
from publisher.website.cite import bibtex
from publisher.website.pages import project_path, ranking_label, sizes
from publisher.website.render import static_files
from publisher.website.tags import parse_dataset, parse_extended
from tests.expect import assert_one_error_line, run_cli
from tests.published import (
    EXAMPLE,
    FLAGGED,
    FLAGS,
    NO_CI,
    NO_CI_REASON,
    OLD_RULE_FLAGS,
    OLDER,
    RELEASES,
    SAMPLED,
    before_extended,
    commit_file,
    month_count,
    month_end,
    publish_generated,
    publish_month,
    ranked,
    tag_blob,
    with_breakdown,
)
from tests.repos import publishing_repo
from tests.site_pages import broken_links, page_links, site_tree
from tests.sites import EXAMPLE_URL

URL = "https://example.org/top-pypi/"


@pytest.fixture(scope="module")
def built(example_site_at_url: Path) -> Path:
    """The example's site for URL (tests/sites.py, built once per session; read-only)."""
    assert URL == EXAMPLE_URL
    return example_site_at_url


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def rows_of(page: Path) -> list[list[str]]:
    """The cells of the ranking table's rows (in all its row groups), as text: a row runs
    to the next (its end tags are left out, as its cells')."""
    ranking = text(page).split('<table class="ranking', 1)[1].split("</table>", 1)[0]
    body = ranking.split("</thead>", 1)[1]
    rows = (row.split("</tbody>", 1)[0] for row in re.split(r"<tr>", body)[1:])
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.split(r"<td[^>]*>", row)[1:]] for row in rows
    ]


# --- which months -------------------------------------------------------------------------------


def test_only_publish_tags_are_shown_and_a_hand_made_tag_is_not(built: Path) -> None:
    archive = text(built / "archive.html")
    for tag in EXAMPLE:
        assert f'<a href="{tag}/">{tag}</a>' in archive
        assert (built / tag / "index.html").is_file()
    assert "2026.12" not in archive
    assert not (built / "2026.12").exists()


def test_the_top_is_the_newest_months_latest_correction(built: Path) -> None:
    cells = rows_of(built / "index.html")
    assert [(c[1], int(c[2].replace(",", ""))) for c in cells] == ranked(EXAMPLE["2026.11.1"])
    assert '<dd><a href="2026.11.1/">2026.11.1</a></dd>' in text(built / "index.html")
    assert rows_of(built / "2026.11.1" / "index.html") == cells


def test_a_superseded_release_keeps_its_own_page(built: Path) -> None:
    cells = rows_of(built / "2026.11" / "index.html")
    assert [c[1] for c in cells] == [name for name, _ in ranked(EXAMPLE["2026.11"])]
    assert "corrected by a later release" in text(built / "archive.html")


def test_history_takes_each_months_latest_correction(built: Path) -> None:
    page = text(built / "project" / "requests.html")
    releases = re.findall(r"<th><a href=../([^/]+)/>", page)
    assert releases == ["2026.11.1", "2026.09", "2026.08"]


# --- rank changes -------------------------------------------------------------------------------


def test_changes_are_words_against_the_previous_published_month(built: Path) -> None:
    changes = {c[1]: c[3] for c in rows_of(built / "index.html")}
    # 2026.09: boto3 1, urllib3 2, requests 3, numpy 4, idna 5, six 6.
    assert changes == {
        "requests": "up 2",
        "boto3": "down 1",
        "numpy": "up 1",
        "urllib3": "down 2",
        "idna": "same",
        "typing-extensions": "new",
    }


def test_a_gap_in_the_months_is_said(built: Path) -> None:
    page = text(built / "index.html")
    assert "since 2026.09, the previous published month (2026.10 was not published)" in page
    assert '<th scope="col">Change since 2026.09</th>' in page


def test_a_correction_compares_with_the_month_before_not_its_own_month(built: Path) -> None:
    assert "Change since 2026.09" in text(built / "2026.11" / "index.html")
    assert "Change since 2026.09" in text(built / "2026.11.1" / "index.html")


def test_the_first_month_has_no_change_column(built: Path) -> None:
    page = text(built / "2026.08" / "index.html")
    assert "Change since" not in page
    assert "none shown: no earlier month was published" in page
    assert all(len(cells) == 3 for cells in rows_of(built / "2026.08" / "index.html"))


@pytest.mark.parametrize(
    ("rank", "before", "words"),
    [(3, 5, "up 2"), (5, 3, "down 2"), (4, 4, "same"), (1, None, "new"), (2, 1200, "up 1,198")],
)
def test_change_words(rank: int, before: int | None, words: str) -> None:
    assert change(rank, before).text == words


# --- what the header says -------------------------------------------------------------------------


def test_the_header_states_period_update_and_engine(built: Path) -> None:
    page = text(built / "index.html")
    assert "<dd>2026-10-02 to 2026-10-31 (30 days, UTC)</dd>" in page
    assert "<dd>2026-11-01 06:30:00 UTC</dd>" in page
    assert "<dd>DuckDB: exact counts over the whole period</dd>" in page
    assert "Note:" not in page


def test_an_estimate_and_the_logging_change_are_said_in_words(built: Path) -> None:
    page = text(built / "2026.09" / "index.html")
    assert "Estimated counts: downloads were counted on 10 of the 30 days" in page
    assert "PyPI changed how it logs downloads on 2026-08-24" in page
    history = text(built / "index.html").split('id="history"', 1)[1]
    assert "* estimated from 10 of 30 days; PyPI&#39;s logging changed on 2026-08-24" in history
    assert 'class="star"' in history


# --- pages --------------------------------------------------------------------------------------


def test_ranking_pages_for_each_length() -> None:
    assert sizes(15_000) == [100, 1000, 5000, 15_000]
    assert sizes(3000) == [100, 1000, 3000]
    assert sizes(100) == [100]
    assert [ranking_label(s, 15_000) for s in sizes(15_000)] == [
        "Top 100",
        "Top 1,000",
        "Top 5,000",
        "All 15,000",
    ]


def test_a_project_page_has_its_history_chart_and_table(built: Path) -> None:
    page = text(built / "project" / "typing-extensions.html")
    assert page.count("role=img") == 1
    assert "<title id=chart-title>Downloads and rank of typing-extensions per month</title>" in page
    assert "https://pypi.org/project/typing-extensions/" in page
    assert page.count("not in the top 6") == 2  # 2026.08 and 2026.09


@given(st.lists(st.one_of(st.none(), st.integers(1, 20_000)), min_size=3, max_size=3))
def test_a_rank_axis_has_distinct_ticks_from_1_past_the_worst_rank(
    ranks: list[int | None],
) -> None:
    months = frame([Slot("2026.09", 0), Slot("2026.10", 1), Slot("2026.11", 2)])
    labels = [int(tick.label.replace(",", "")) for tick in rank_chart(months, ranks, "").y_ticks]
    assert labels[0] == 1
    assert labels == sorted(set(labels))  # one line per rank: no tick drawn twice
    assert labels[-1] >= max((r for r in ranks if r is not None), default=1)


def test_every_project_of_the_latest_month_has_a_page(built: Path) -> None:
    names = {p.stem for p in (built / "project").glob("*.html")}
    assert names == set(EXAMPLE["2026.11.1"])


def test_names_that_are_not_file_names_are_encoded_without_collisions() -> None:
    assert project_path("typing-extensions") == "project/typing-extensions.html"
    assert project_path("../x") == "project/_2e_2e_2fx.html"
    assert project_path("<b>") == "project/_3cb_3e.html"
    assert project_path("_3cb_3e") != project_path("<b>")


# --- files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "top-pypi-packages.json",
        "top-pypi-packages.min.json",
        "top-pypi-packages.csv",
        "top-pypi-packages.schema.json",
        "datapackage.json",
    ],
)
def test_the_latest_files_are_at_the_root_byte_for_byte(
    built: Path, example_repo: Path, name: str
) -> None:
    assert (built / name).read_bytes() == tag_blob(example_repo, "2026.11.1", name)
    assert (built / "2026.08" / name).read_bytes() == tag_blob(example_repo, "2026.08", name)


def test_the_30_days_names_are_copies_of_the_main_files(built: Path) -> None:
    for suffix in (".json", ".min.json", ".csv"):
        main = (built / f"top-pypi-packages{suffix}").read_bytes()
        assert (built / f"top-pypi-packages-30-days{suffix}").read_bytes() == main


def test_the_home_page_links_each_file_with_its_size(built: Path) -> None:
    page = text(built / "index.html")
    size = len((built / "top-pypi-packages.csv").read_bytes())
    assert (
        f'<a href="top-pypi-packages.csv">top-pypi-packages.csv</a></td><td>{size} B</td>' in page
    )
    assert '<a href="top-pypi-packages-30-days.json">' in page


def test_the_assets_are_the_packages_own(built: Path) -> None:
    for path, body in static_files().items():
        assert (built / path).read_bytes() == body


def test_robots_sitemap_and_canonical_links(
    built: Path, example_repo: Path, tmp_path: Path
) -> None:
    assert text(built / "robots.txt") == f"User-agent: *\nAllow: /\nSitemap: {URL}sitemap.xml\n"
    sitemap = text(built / "sitemap.xml")
    pages = {p.relative_to(built).as_posix() for p in built.rglob("*.html")} - {"404.html"}
    locs = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    assert locs == {URL + p.removesuffix("index.html") for p in pages}
    assert f'<link rel=canonical href="{URL}2026.09/">' in text(built / "2026.09" / "index.html")
    not_found = page_links(built / "404.html")
    assert not_found.found
    linked = [value for _, _, value in not_found.found if not value.startswith("#")]
    assert all(value.startswith(URL) for value in linked), linked
    build_site(example_repo, tmp_path / "plain", None, workers=1)
    assert not (tmp_path / "plain" / "sitemap.xml").exists()
    assert "canonical" not in text(tmp_path / "plain" / "index.html")
    assert "Sitemap" not in text(tmp_path / "plain" / "robots.txt")


# --- citation -----------------------------------------------------------------------------------


def test_dois_come_from_the_release_record(built: Path) -> None:
    home = text(built / "index.html")
    assert RELEASES["zenodo"]["concept_doi"] in home
    assert '<a href="https://doi.org/10.5281/zenodo.104">10.5281/zenodo.104</a>' in home
    assert "doi = {10.5281/zenodo.104}" in home
    corrected = text(built / "2026.11" / "index.html")
    assert "<dt>This version, 2026.11</dt><dd>no DOI yet</dd>" in corrected


def test_bibtex_and_cff_name_the_citation_files_authors(built: Path) -> None:
    home = text(built / "index.html")
    assert "author = {Lovelace, Ada and {The top-pypi developers}}" in home
    assert "title = {{Top PyPI packages (2026.11.1)}}" in home
    assert "- family-names: Lovelace\n  given-names: Ada\n- name: The top-pypi developers" in home
    assert 'data-copy="bibtex" hidden>Copy BibTeX</button>' in home


def test_zenodo_json_wins_over_citation_cff(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    zenodo = {"title": "Zenodo's title", "creators": [{"name": "Hopper, Grace"}]}
    commit_file(work, ".zenodo.json", json.dumps(zenodo), "Zenodo metadata")
    commit_file(work, "CITATION.cff", "cff-version: 1.2.0\n", "A citation file")
    publish_month(work, "2026.11", month_count(ranked({"boto3": 5}), month_end("2026.11")))
    build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    home = text(tmp_path / "site" / "index.html")
    assert "author = {Hopper, Grace}" in home
    assert "Zenodo&#39;s title (2026.11)" in home
    assert "<dt>All versions</dt><dd>no DOI yet</dd>" in home


def test_without_citation_metadata_the_site_says_so(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_month(work, "2026.11", month_count(ranked({"boto3": 5}), month_end("2026.11")))
    build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    home = text(tmp_path / "site" / "index.html")
    assert "The repository has no citation metadata yet" in home
    assert "no DOI yet" in home


# --- the honest numbers (months with the extended dataset) ------------------------------------


def extended_rows(repo: Path, tag: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(tag_blob(repo, tag, EXTENDED_JSON_FILE))["rows"]
    return rows


def share(row: dict[str, object]) -> str:
    ci, downloads = row["ci_downloads"], row["download_count"]
    assert isinstance(ci, int)
    assert isinstance(downloads, int)
    return f"{100 * ci / downloads:.1f}%"


def test_rank_without_mirrors_and_ci_share_are_the_extended_files(
    built: Path, example_repo: Path
) -> None:
    rows = extended_rows(example_repo, FLAGGED)
    expected = [[f"{r['rank_without_mirrors']:,}", share(r)] for r in rows]
    cells = rows_of(built / "index.html")
    assert [c[1] for c in cells] == [r["project"] for r in rows]
    assert [c[4:6] for c in cells] == expected
    # Mirrors move the ranks, and pip's and uv's downloads have some CI and some not.
    assert [c[4] for c in cells] != [c[0] for c in cells]
    assert len({c[5] for c in cells}) > 2
    page = text(built / "index.html")
    assert '<th scope="col" class="without-mirrors" title="Rank without mirrors:' in page
    assert "CI share: the share of all downloads flagged as CI" in page
    assert "(bandersnatch, z3c.pypimirror, Artifactory, devpi, Nexus, pep381client)" in page


def test_a_column_the_engine_could_not_count_is_blank_with_its_reason(
    built: Path, example_repo: Path
) -> None:
    rows = extended_rows(example_repo, NO_CI)
    cells = rows_of(built / NO_CI / "index.html")
    assert [c[4] for c in cells] == [f"{r['rank_without_mirrors']:,}" for r in rows]
    assert [c[5] for c in cells] == [""] * len(rows)
    assert f"CI share is blank this month: {NO_CI_REASON}.".replace("'", "&#39;") in text(
        built / NO_CI / "index.html"
    )


def test_a_month_counted_without_the_breakdown_says_so_and_has_no_columns(built: Path) -> None:
    page = text(built / SAMPLED / "index.html")
    assert "Rank without mirrors and CI share: not counted this month." in page
    assert 'class="without-mirrors"' not in page
    assert all(len(cells) == 4 for cells in rows_of(built / SAMPLED / "index.html"))


def test_a_month_without_the_extended_file_renders_as_before(built: Path) -> None:
    page = text(built / OLDER / "index.html")
    for new in ("Rank without mirrors", "CI share", "column-notes", "Flags on this month", "Flag"):
        assert new not in page
    assert '<table class="ranking first">' in page
    assert "extended" not in page
    cells = rows_of(built / OLDER / "index.html")
    assert [(c[1], int(c[2])) for c in cells] == ranked(EXAMPLE[OLDER])
    for suffix in (".json", ".min.json", ".csv"):  # the site's own copies for an older tag
        main = (built / OLDER / f"top-pypi-packages{suffix}").read_bytes()
        assert (built / OLDER / f"top-pypi-packages-30-days{suffix}").read_bytes() == main


def test_a_flagged_month_lists_its_flags_on_its_own_page(built: Path) -> None:
    for folder in (built, built / FLAGGED):
        page = text(folder / "flags.html")
        notice = page.split('<section id="anomalies"', 1)[1].split("</section>", 1)[0]
        for flag in FLAGS:
            assert str(flag["message"]).replace("'", "&#39;") in notice
        assert "<strong>Bot spike:</strong>" in notice
        assert notice.count("<li>") == len(FLAGS)
    assert not (built / OLDER / "flags.html").exists()  # no extended file, no flags


def test_the_ranking_pages_count_the_flags_in_one_line_above_the_table(built: Path) -> None:
    line = (
        '<p class="flag-count"><a href="flags.html">Flags on this month</a>:'
        " 1 new in the top 10, 1 bot spike, 1 low day.</p>"
    )
    for page in (built / "index.html", built / FLAGGED / "index.html"):
        html = text(page)
        assert line in html
        assert html.index(line) < html.index('<table class="ranking')
        assert 'id="anomalies"' not in html
    assert "flag-count" not in text(built / NO_CI / "index.html")


def test_flags_by_the_rule_before_issue_20_are_left_out(built: Path, example_repo: Path) -> None:
    extended = json.loads(tag_blob(example_repo, FLAGGED, EXTENDED_JSON_FILE))
    assert extended["anomalies"] == [*FLAGS, *OLD_RULE_FLAGS]  # the files keep them
    for flag in OLD_RULE_FLAGS:
        assert str(flag["message"]) not in text(built / "flags.html")
        assert str(flag["message"]) not in text(built / "index.html")
    assert "Flagged in" not in text(built / "project" / "urllib3.html")


def test_a_flagged_project_is_marked_in_its_row_and_on_its_page(built: Path) -> None:
    marks = {c[1]: c[6] for c in rows_of(built / "index.html")}
    assert marks == {
        "requests": "",
        "boto3": "",
        "numpy": "",
        "urllib3": "",
        "idna": "bot spike",
        "typing-extensions": "new in top 10",
    }
    assert '<a href=flags.html#anomalies title="idna: its two busiest days hold 80%' in text(
        built / "index.html"
    )
    idna = text(built / "project" / "idna.html")
    link = f'<a href="../{FLAGGED}/flags.html#anomalies">{FLAGGED}</a>'
    assert f"Flagged in {link}: bot spike." in idna
    assert "Flagged in" not in text(built / "project" / "requests.html")


def test_the_extended_files_are_linked_with_their_sizes(built: Path, example_repo: Path) -> None:
    page = text(built / "index.html")
    for name in (*EXTENDED_FILES, "top-pypi-packages-30-days.json"):
        body = tag_blob(example_repo, FLAGGED, name)
        size = format_size(len(body))
        assert f'<a href="{name}">{name}</a></td><td>{size}</td>' in page
        assert (built / name).read_bytes() == body  # the tag's own bytes, copies included
        if name not in EXTENDED_FILES or name == EXTENDED_SCHEMA_FILE:
            assert (built / FLAGGED / name).read_bytes() == body
        else:  # the extended files: at the root only
            assert not (built / FLAGGED / name).exists()
    assert "every project counted, the whole long tail, Parquet" in page


def test_a_broken_extended_file_is_refused(tmp_path: Path) -> None:
    from publisher.dataset.collect import Collected

    def broken(collected: Collected, tag: str) -> Collected:
        return Collected(collected.dataset, {**collected.files, EXTENDED_JSON_FILE: b"[]"})

    work, _ = publishing_repo(tmp_path, "")
    count = month_count(ranked({"boto3": 5}), month_end("2026.11"))
    publish_month(work, "2026.11", count, edit=broken)
    with pytest.raises(ValidationError, match="-extended.json of tag 2026.11 is not an extended"):
        build_site(tmp_path / "work", tmp_path / "site", None, workers=1)


GOOD_ROW = {"project": "boto3", "download_count": 5}
BAD_ROWS = [
    ["boto3"],
    [GOOD_ROW, {"download_count": 5}],
    [GOOD_ROW, {"project": 3, "download_count": 5}],
    [GOOD_ROW, {"project": "idna"}],
    [GOOD_ROW, {"project": "idna", "download_count": True}],
    [GOOD_ROW, {"project": "idna", "download_count": "5"}],
    [GOOD_ROW, {"project": "idna", "download_count": 5.0}],
    [GOOD_ROW, None],
]


@pytest.mark.parametrize("rows", BAD_ROWS)
def test_a_dataset_row_without_a_named_project_and_a_whole_count_is_refused(
    rows: list[object],
) -> None:
    body = {"rows": [GOOD_ROW], "period": {}, "engine": {}}
    assert parse_dataset("2026.11", json.dumps(body).encode())["rows"] == [GOOD_ROW]
    with pytest.raises(ValidationError, match="top-pypi-packages.json of tag 2026.11 is not a"):
        parse_dataset("2026.11", json.dumps({**body, "rows": rows}).encode())


@pytest.mark.parametrize(
    ("rows", "anomalies"),
    [
        ([GOOD_ROW, {"download_count": 5}], []),
        ([GOOD_ROW, "idna"], []),
        ([GOOD_ROW], [{"kind": "bot_spike"}, {"project": "idna"}]),
        ([GOOD_ROW], [{"kind": 1}]),
        ([GOOD_ROW], ["bot_spike"]),
    ],
)
def test_an_extended_row_or_flag_that_names_nothing_is_refused(
    rows: list[object], anomalies: list[object]
) -> None:
    body = {"rows": [GOOD_ROW], "breakdown": {}, "anomalies": [{"kind": "bot_spike"}]}
    assert parse_extended("2026.11", json.dumps(body).encode())["rows"] == [GOOD_ROW]
    bad = {**body, "rows": rows, "anomalies": anomalies}
    with pytest.raises(ValidationError, match="-extended.json of tag 2026.11 is not an extended"):
        parse_extended("2026.11", json.dumps(bad).encode())


def test_the_5000_page_with_the_new_columns_stays_within_its_gzip_budget(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_generated(work, "2026.10", months=2, rows=5000, breakdown=True)
    build_site(tmp_path / "work", tmp_path / "site", None)
    page = tmp_path / "site" / "top-5000.html"
    cells = rows_of(page)
    assert len(cells) == 5000
    assert all(len(row) == 6 and row[4] for row in cells)
    # A share for each row, blank only where neither pip nor uv downloaded it.
    assert sum(row[5].endswith("%") for row in cells) > 4900
    assert len(gzip.compress(page.read_bytes(), 6)) <= 200_000


# --- safety -------------------------------------------------------------------------------------


def publish_unvalidated(work: git.Repo, tag: str, rows: list[tuple[str, int]]) -> None:
    """A publish commit whose data never went through validation (made by hand, or by an
    older version, schema_version 2), its data package matching its files: the site must
    still escape what it shows."""
    from datetime import UTC, datetime

    from publisher.count.engines.base import Count, QueryStats
    from publisher.count.window import Window

    end = month_end(tag)
    count = Count(rows, 10, Window(date(end.year, end.month, 1), end), QueryStats(0))
    dataset = build_dataset(count, "duckdb", datetime(2026, 11, 1, tzinfo=UTC))
    files = before_extended(Collected(dataset, serialise(dataset)), tag).files
    folder = Path(str(work.working_tree_dir)) / "data"
    folder.mkdir(exist_ok=True)
    for name, body in files.items():
        (folder / name).write_bytes(body)
    commit_and_tag(work, tag, [f"data/{name}" for name in files], f"Publish {tag}", count.period)


def test_a_name_with_html_characters_is_escaped(tmp_path: Path) -> None:
    """Only an older tag can hold such names (the latest must pass validate): its pages."""
    work, _ = publishing_repo(tmp_path, "")
    evil = '<script>alert("x")</script>'
    publish_unvalidated(work, "2026.10", [(evil, 9), ("../../etc", 8), ("boto3", 7)])
    publish_month(work, "2026.11", month_count(ranked({"boto3": 5}), month_end("2026.11")))
    build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    site = tmp_path / "site"
    older = text(site / "2026.10" / "index.html")
    assert evil not in older
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in older
    assert "<td>../../etc<td>" in older  # no project page: not in the latest month
    assert (site / project_path("../../etc")).parent == site / "project"
    assert not (tmp_path / "etc.html").exists()
    assert broken_links(site) == []


def test_a_latest_tag_failing_validate_stops_the_build_an_older_one_is_left_out(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_unvalidated(work, "2026.09", [("<b>", 9), ("boto3", 7)])
    root = Path(str(work.working_tree_dir))
    for tag in ("2026.10", "2026.11"):
        publish_month(work, tag, month_count(ranked({"boto3": 5}), month_end(tag)))
    # 2026.10 changed by hand after it was published: its CSV no longer matches its package.
    work.git.checkout("2026.10", "--", "data")
    (root / "data" / "top-pypi-packages.csv").write_text("download_count,project\n5,boto3\n")
    commit_and_tag(
        work,
        "2026.10.1",
        ["data"],
        "Publish 2026.10.1",
        Window(date(2026, 9, 1), date(2026, 9, 30)),
    )
    argv = ["site", "--repo", str(root), "--out", str(tmp_path / "site")]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 0, err
    assert "warning: 2026.10.1 is left out of the site: top-pypi-packages.csv does not match" in err
    assert not (tmp_path / "site" / "2026.10.1").exists()
    assert (tmp_path / "site" / "2026.09" / "index.html").exists()  # its package matches
    # The latest tag is checked whole: validate refuses a name that is not normalised.
    publish_unvalidated(work, "2026.12", [("<b>", 9), ("boto3", 7)])
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 1
    assert_one_error_line(err, "The latest publish tag, 2026.12, fails validate:")
    assert "publish a correction of the month" in err
    assert not (tmp_path / "site" / "2026.12").exists()


def test_every_link_is_relative_and_leads_to_a_file(built: Path) -> None:
    assert broken_links(built) == []
    for page in built.rglob("*.html"):
        for tag, _, url in page_links(page).found:
            if url.startswith("http"):
                # Absolute only where required, or a link a person may follow (never loaded).
                loaded = tag == "link" or (tag == "script" and page.name == "404.html")
                assert tag == "a" or (loaded and url.startswith(URL)), url


def test_no_inline_script_or_style_and_a_strict_policy(built: Path) -> None:
    for page in built.rglob("*.html"):
        html = text(page)
        policy = re.search(r'http-equiv=Content-Security-Policy content="([^"]+)"', html)
        assert policy is not None, page
        assert "unsafe-inline" not in policy.group(1)
        assert "default-src 'none'" in policy.group(1)
        assert page_links(page).inline == [], page


# --- building -----------------------------------------------------------------------------------


def test_two_processes_build_the_same_site_as_one(example_repo: Path, tmp_path: Path) -> None:
    build_site(example_repo, tmp_path / "one", URL, workers=1)
    build_site(example_repo, tmp_path / "two", URL, workers=2)
    one, two = site_tree(tmp_path / "one"), site_tree(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert one == two


def test_a_rebuild_replaces_the_whole_site(example_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "build" / "site"
    build_site(example_repo, out, None, workers=1)
    (out / "project" / "gone.html").write_text("stale")
    built = build_site(example_repo, out, None, workers=1)
    assert not (out / "project" / "gone.html").exists()
    assert built.files == sum(1 for p in out.rglob("*") if p.is_file()) - 1  # the marker
    # No staging folder left; beside the site, what it was built from (test_site_unchanged.py).
    assert sorted(p.name for p in out.parent.iterdir()) == [".site.inputs.json", "site"]


def test_a_folder_with_other_files_is_not_replaced(example_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds other files and is not a site built by top-pypi"):
        build_site(example_repo, tmp_path / "mine", None, workers=1)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine"


def test_an_out_path_that_is_a_file_is_refused(example_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        build_site(example_repo, tmp_path / "file", None, workers=1)


def test_a_repository_without_publish_tags_is_refused(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    work.create_tag("2026.11", message="made by hand")
    with pytest.raises(UsageError, match="has no publish tags"):
        build_site(tmp_path / "work", tmp_path / "site", None)
    assert not (tmp_path / "site").exists()


def test_a_publish_tag_without_data_is_refused(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    october = Window(date(2026, 10, 2), date(2026, 10, 31))
    commit_and_tag(work, "2026.11", ["top-pypi.toml"], "Publish 2026.11", october)
    with pytest.raises(ValidationError, match="Publish tag 2026.11 has no data/top-pypi"):
        build_site(tmp_path / "work", tmp_path / "site", None)


# --- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("git@github.com:Owner/top-pypi.git", "https://owner.github.io/top-pypi/"),
        ("https://github.com/owner/top-pypi", "https://owner.github.io/top-pypi/"),
        ("ssh://git@github.com/owner/owner.github.io.git", "https://owner.github.io/"),
        ("/srv/git/top-pypi.git", None),
        ("https://gitlab.com/owner/top-pypi.git", None),
        (None, None),
    ],
)
def test_github_pages_address_from_the_remote(remote: str | None, url: str | None) -> None:
    assert pages_url(remote) == url


def test_a_site_url_gets_a_slash_and_must_be_http() -> None:
    assert check_site_url("https://example.org/top") == "https://example.org/top/"
    with pytest.raises(UsageError, match="--site-url 'example.org' is not an http or https"):
        check_site_url("example.org")


def test_a_project_name_too_long_for_a_file_name_gets_a_short_one(tmp_path: Path) -> None:
    """Most file systems allow 255 bytes a name: a valid 300-character name stopped the build."""
    work, _ = publishing_repo(tmp_path, "")
    long_name = "a-" * 150
    long_name = long_name[:-1] + "z"
    normal = "b" * 200  # 200 bytes: kept as it is
    counts = {long_name: 9, normal: 8, "boto3": 7}
    publish_month(work, "2026.11", month_count(ranked(counts), month_end("2026.11")))
    build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    digest = hashlib.sha256(long_name.encode()).hexdigest()[:16]
    assert project_path(long_name) == f"project/{long_name[:180]}-{digest}.html"
    assert project_path(normal) == f"project/{normal}.html"
    page = tmp_path / "site" / project_path(long_name)
    assert f"<h1>{long_name}</h1>" in text(page)
    assert f"href={project_path(long_name)}>" in text(tmp_path / "site" / "index.html")
    assert broken_links(tmp_path / "site") == []


def test_the_ci_share_is_of_all_downloads_and_never_above_100_percent(tmp_path: Path) -> None:
    """Installers other than pip and uv report CI too: 283 % of pip's and uv's downloads."""
    work, _ = publishing_repo(tmp_path, "")
    count = with_breakdown(month_count(ranked({"boto3": 1000, "six": 500}), month_end("2026.11")))
    assert count.table is not None
    columns = {"pip_downloads": [100, 0], "uv_downloads": [20, 0], "other_downloads": [880, 500]}
    columns |= {"mirror_downloads": [0, 0], "unknown_downloads": [0, 0]}
    columns |= {"ci_downloads": [340, 5], "ci_capable_downloads": [120, 0]}
    table = count.table
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pa.array(values, pa.int64()))
    publish_month(work, "2026.11", dataclasses.replace(count, table=table))
    build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    assert [c[4] for c in rows_of(tmp_path / "site" / "index.html")] == ["34.0%", "1.0%"]
    extended = json.loads(tag_blob(tmp_path / "work", "2026.11", EXTENDED_JSON_FILE))
    assert [r["ci_capable_downloads"] for r in extended["rows"]] == [120, 0]  # kept as counted
    assert "share of all downloads flagged as CI" in text(tmp_path / "site" / "index.html")


def previous_from_parquet(ranks: dict[str, int], tag: str) -> Callable[[Collected, str], Collected]:
    """An `edit` giving the month the previous ranks `collect --previous` reads from the
    previous month's Parquet file (every project), as its extended files record them."""

    def edit(collected: Collected, name: str) -> Collected:
        files = dict(collected.files)
        extended = json.loads(files[EXTENDED_JSON_FILE])
        period = {"start": "2026-09-01", "end": "2026-09-30", "days": 30}
        extended["previous"] = {
            "tag": tag, "period": period, "file": EXTENDED_PARQUET_FILE, "ranked_rows": 800
        }  # fmt: skip
        for row in extended["rows"]:
            row["previous_rank"] = ranks.get(row["project"])
        files[EXTENDED_JSON_FILE] = to_extended_json(extended)
        files[DATAPACKAGE_FILE] = datapackage_bytes(
            build_datapackage(collected.dataset, files, name)
        )
        return dataclasses.replace(collected, files=files)

    return edit


def test_the_change_comes_from_the_extended_files_previous_rank(tmp_path: Path) -> None:
    """The previous month ranked 3 rows in its compatible file, 800 in its Parquet: numpy
    was 202nd there, so it went up, not "new"."""
    work, _ = publishing_repo(tmp_path, "")
    before = {"boto3": 900, "requests": 800, "six": 700}
    publish_month(work, "2026.10", month_count(ranked(before), month_end("2026.10")))
    now = {"boto3": 950, "requests": 810, "numpy": 720, "six": 700}
    count = month_count(ranked(now), month_end("2026.11"))
    edit = previous_from_parquet({"boto3": 1, "requests": 2, "numpy": 202, "six": 3}, "2026.10")
    publish_month(work, "2026.11", count, edit=edit)
    publish_month(work, "2026.12", month_count(ranked(now), month_end("2026.12")))
    build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    cells = rows_of(tmp_path / "site" / "2026.11" / "index.html")
    assert [c[3] for c in cells] == ["same", "same", "up 199", "down 1"]
    assert "Change since 2026.10" in text(tmp_path / "site" / "2026.11" / "index.html")
    # A month without extended files keeps today's rule: the previous month's own rows.
    old = rows_of(tmp_path / "site" / "2026.12" / "index.html")
    assert [c[3] for c in old] == ["same", "same", "same", "same"]


def test_bibtex_escapes_every_latex_special_character() -> None:
    """A title with `^` stopped LaTeX: `^` and `~` are escaped like `_`, `%`, `&` and the rest."""
    human = Human(title="x^2 ~ 50% of R&D_data {#1} $5 \\o/", creators=[{"name": "Doe, Jo"}])
    entry = bibtex(human, "2026.11", date(2026, 11, 1), None, None)
    title = entry.split("title = {{", 1)[1].split(" (2026.11)}}", 1)[0]
    assert title == (
        r"x\textasciicircum{}2 \textasciitilde{} 50\% of R\&D\_data \{\#1\} \$5"
        r" \textbackslash{}o/"
    )


def test_a_broken_citation_file_is_named_with_its_fix(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = publishing_repo(tmp_path, "")
    commit_file(work, "CITATION.cff", "title: [unclosed\n", "A broken citation file")
    publish_month(work, "2026.11", month_count(ranked({"boto3": 5}), month_end("2026.11")))
    argv = ["site", "--repo", str(tmp_path / "work"), "--out", str(tmp_path / "site")]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 2
    assert_one_error_line(err, "CITATION.cff is not valid YAML at line 2 (the file on the branch")
    assert "commit the fix, then build the site again" in err
    assert "release" not in err
