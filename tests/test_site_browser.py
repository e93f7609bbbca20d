"""The built site in a real browser (Debian's Chromium, driven by Playwright), served on
127.0.0.1: what people see with and without JavaScript, the filter and the sort, every link,
and that no request ever leaves 127.0.0.1 and no page logs an error."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import git
import pytest

from publisher.sample.names import project_names
from publisher.website.builder import build_site
from publisher.website.pages import project_path
from tests.browser import Contexts, Watched, axe_findings, require_axe
from tests.published import (
    EXAMPLE,
    FLAGGED,
    FLAGS,
    OLDER,
    flagging,
    generated_rows,
    month_count,
    month_end,
    publish_month,
    tag_blob,
    with_breakdown,
)
from tests.repos import publishing_repo
from tests.site_pages import Links, serve

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize


def crowded_flags(names: list[str]) -> list[dict[str, Any]]:
    """A real month's flags by the rule before issue 20: a bot spike for hundreds of small
    projects (median day 0, or ranked below 1,000), and a few that stand today."""
    old = [
        {"kind": "bot_spike", "message": f"{name} had a spike.", "structural": False,
         "project": name, "rank": rank, "busiest_two_days": 9, "download_count": 10,
         "median_day": 0.0 if rank <= 1000 else 3.0}
        for rank, name in enumerate(names, 1) if rank > 200
    ]  # fmt: skip
    standing = {"kind": "bot_spike", "message": f"{names[2]} had a spike.", "structural": False,
                "project": names[2], "rank": 3, "busiest_two_days": 90, "download_count": 100,
                "median_day": 2.0}  # fmt: skip
    low = {"kind": "low_day", "message": "2026-10-14 was low.", "structural": False,
           "day": "2026-10-14", "rows": 3, "expected": 10}  # fmt: skip
    return [standing, low, *old]


@pytest.fixture(scope="module")
def crowded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two months of 1,200 rows with the breakdown, the second with a thousand flags as the
    old rule raised them on real months, and warnings (an estimated count)."""
    work, _ = publishing_repo(tmp_path_factory.mktemp("crowded"), "")
    names = project_names(1200, 3)
    first = month_count(generated_rows(names, 3), month_end("2026.10"))
    publish_month(work, "2026.10", with_breakdown(first))
    rows = generated_rows(names, 4)
    second = month_count(rows, month_end("2026.11"), method="sample",
                         engine_fields={"sampled_days": ["2026-10-02", "2026-10-12"]})  # fmt: skip
    flags = flagging(crowded_flags([name for name, _ in rows]))
    publish_month(work, "2026.11", with_breakdown(second), edit=flags)
    out = tmp_path_factory.mktemp("crowded-site") / "site"
    build_site(Path(str(work.working_tree_dir)), out, None, workers=1)
    with serve(out) as url:
        yield url


def visible_rows(page: Page) -> list[list[str]]:
    """The ranking's rows a person sees, as cell texts."""
    rows: list[list[str]] = page.eval_on_selector_all(
        "table.ranking",
        """tables => tables.filter(t => t.checkVisibility()).flatMap(
            t => Array.from(t.querySelectorAll("tbody > tr"))
                .filter(r => r.checkVisibility())
                .map(r => Array.from(r.cells, c => c.textContent)))""",
    )
    return rows


def tag_dataset(repo: Path, tag: str) -> dict[str, Any]:
    with git.Repo(repo) as opened:
        blob = opened.tags[tag].commit.tree / "data/top-pypi-packages.json"
        data: dict[str, Any] = json.loads(blob.data_stream.read())
    return data


# --- rows, lengths and changes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "rows"),
    [("", 100), ("top-1000.html", 1000), ("top-1200.html", 1200), ("2026.10/", 100)],
)
def test_each_page_shows_its_number_of_rows(
    watched: Watched, big_site: str, path: str, rows: int
) -> None:
    page = watched.page(big_site + path)
    assert len(visible_rows(page)) == rows
    labels = page.eval_on_selector_all("nav.sizes a", "links => links.map(a => a.textContent)")
    assert labels == ["Top 100", "Top 1,000", "All 1,200"]


def test_rank_changes_match_the_two_months(watched: Watched, big_site: str, big_repo: Path) -> None:
    before = {r["project"]: i for i, r in enumerate(tag_dataset(big_repo, "2026.10")["rows"], 1)}
    now = tag_dataset(big_repo, "2026.11")["rows"]
    expected = []
    for rank, row in enumerate(now, 1):
        old = before.get(row["project"])
        moved = "new" if old is None else "same" if old == rank else (
            f"up {old - rank:,}" if old > rank else f"down {rank - old:,}"
        )  # fmt: skip
        expected.append([f"{rank:,}", row["project"], f"{row['download_count']:,}", moved])
    page = watched.page(big_site + "top-1200.html")
    assert visible_rows(page) == expected
    assert {cells[3].split()[0] for cells in expected} == {"up", "down", "new", "same"}
    assert watched.page(big_site + "2026.10/").locator("text=Change since").count() == 0


# --- filter and sort ----------------------------------------------------------------------------


def test_the_filter_shows_matches_as_you_type_and_everything_when_cleared(
    watched: Watched, example_site: str
) -> None:
    page = watched.page(example_site)
    box = page.get_by_label("Filter this list")
    box.press_sequentially("URLLIB")
    assert [cells[1] for cells in visible_rows(page)] == ["urllib3"]
    assert page.locator(".filter .status").text_content() == "1 project match."
    box.fill("typing_extensions")  # written as people write it, found as PyPI normalises it
    assert [cells[1] for cells in visible_rows(page)] == ["typing-extensions"]
    box.fill("zzz")
    assert visible_rows(page) == []
    assert page.locator(".filter .status").text_content() == "No project matches."
    box.fill("")
    assert len(visible_rows(page)) == len(EXAMPLE["2026.11.1"])


FIRST_MATCHES = 25  # LIMIT in site.js


def test_the_filter_shows_the_first_matches_then_all(watched: Watched, big_site: str) -> None:
    page = watched.page(big_site + "top-1200.html")
    box = page.get_by_label("Filter this list")
    box.press_sequentially("e")
    shown = visible_rows(page)
    more = page.get_by_role("button", name=re.compile(r"Show all [\d,]+ matches"))
    label = more.text_content()
    assert label is not None
    total = int(label.split()[2].replace(",", ""))
    assert len(shown) == FIRST_MATCHES < total
    assert page.locator(".filter .status").text_content() == (
        f"{total:,} projects match; the first {FIRST_MATCHES} are shown."
    )
    assert all("e" in cells[1] for cells in shown)
    more.click()
    assert len(visible_rows(page)) == total
    assert more.is_hidden()
    box.fill("ea")  # the next search shows the first matches again, and those only
    narrowed = visible_rows(page)
    assert 0 < len(narrowed) <= FIRST_MATCHES
    assert all("ea" in cells[1] for cells in narrowed)


def test_typing_in_the_filter_adds_or_removes_no_element(watched: Watched, big_site: str) -> None:
    """The matches' table, put in the page by the first search, is rewritten in place: after
    a key that added or removed nodes, Chromium's form autofill reads the whole page again
    (5 to 10 ms a key on 15,000 rows)."""
    page = watched.page(big_site + "top-1200.html")
    box = page.get_by_label("Filter this list")
    box.press_sequentially("p")
    page.evaluate(
        """() => {
          window.changed = 0;
          new MutationObserver((records) => {
            for (const r of records) window.changed += r.addedNodes.length + r.removedNodes.length;
          }).observe(document.body, { childList: true, subtree: true });
        }"""
    )
    box.press_sequentially("y")  # fewer matches
    many = visible_rows(page)
    box.press_sequentially("zzz")  # none
    assert visible_rows(page) == []
    for _ in "zzz":
        box.press("Backspace")
    assert visible_rows(page) == many
    box.fill("")
    assert len(visible_rows(page)) == 1200
    box.press_sequentially("py")
    assert visible_rows(page) == many
    assert page.evaluate("window.changed") == 0


def test_columns_sort_by_their_text(watched: Watched, big_site: str) -> None:
    page = watched.page(big_site + "top-1000.html")
    header = page.locator("table.ranking thead th")
    header.nth(2).get_by_role("button").click()
    header.nth(2).get_by_role("button").click()  # the first sorts most first
    downloads = [int(c[2].replace(",", "")) for c in visible_rows(page)]
    assert downloads == sorted(downloads)
    assert header.nth(2).get_attribute("aria-sort") == "ascending"
    header.nth(1).get_by_role("button").click()
    names = [c[1] for c in visible_rows(page)]
    assert names == sorted(names)
    header.nth(3).get_by_role("button").click()
    header.nth(3).get_by_role("button").click()
    changes = [c[3] for c in visible_rows(page)]
    assert changes[0] == "new"
    assert header.nth(3).get_attribute("aria-sort") == "descending"
    header.nth(0).get_by_role("button").click()
    assert [c[0] for c in visible_rows(page)][:3] == ["1", "2", "3"]


def test_the_filter_keeps_the_sorted_order(watched: Watched, big_site: str) -> None:
    page = watched.page(big_site + "top-1200.html")
    page.locator("table.ranking thead th").nth(1).get_by_role("button").click()
    page.get_by_label("Filter this list").press_sequentially("py")
    names = [c[1] for c in visible_rows(page)]
    assert names == sorted(names)
    assert names


def test_the_matches_sort_by_their_own_headers(watched: Watched, big_site: str) -> None:
    page = watched.page(big_site + "top-1200.html")
    box = page.get_by_label("Filter this list")
    box.press_sequentially("py")
    found = page.get_by_role("table", name="Projects that match")
    found.get_by_role("button", name="Project", exact=True).click()
    names = [c[1] for c in visible_rows(page)]
    assert names == sorted(names)
    assert names
    assert found.locator("thead th").nth(1).get_attribute("aria-sort") == "ascending"
    box.fill("")
    assert page.locator(".ranking-box thead th").nth(1).get_attribute("aria-sort") == "ascending"
    names = [c[1] for c in visible_rows(page)]
    assert names == sorted(names)


def test_rank_without_mirrors_and_ci_share_sort_by_their_numbers(
    watched: Watched, example_site: str, example_repo: Path
) -> None:
    page = watched.page(example_site)
    header = page.locator("table.ranking thead th")
    assert header.nth(4).text_content() == "Rank without mirrors"
    header.nth(4).get_by_role("button").click()
    extended = json.loads(tag_blob(example_repo, FLAGGED, "top-pypi-packages-extended.json"))
    by_mirrors = sorted(extended["rows"], key=lambda row: row["rank_without_mirrors"])
    shown = visible_rows(page)
    assert [c[1] for c in shown] == [row["project"] for row in by_mirrors]
    assert [int(c[4]) for c in shown] == sorted(int(c[4]) for c in shown)
    assert [c[1] for c in shown] != [row["project"] for row in extended["rows"]]
    assert header.nth(4).get_attribute("aria-sort") == "ascending"
    header.nth(5).get_by_role("button").click()
    header.nth(5).get_by_role("button").click()
    shares = [float(c[5].rstrip("%")) for c in visible_rows(page)]
    assert shares == sorted(shares, reverse=True)
    assert header.nth(5).get_attribute("aria-sort") == "descending"
    page.get_by_label("Filter this list").press_sequentially("idna")
    assert [c[6] for c in visible_rows(page)] == ["bot spike"]


# --- without JavaScript -------------------------------------------------------------------------


def test_without_javascript_every_table_is_whole_and_links_work(
    contexts: Contexts, big_site: str
) -> None:
    context = contexts.open(java_script_enabled=False)
    page = context.page(big_site + "top-1000.html")
    assert len(visible_rows(page)) == 1000
    assert page.locator(".filter").is_hidden()
    assert page.locator("table.ranking thead button").count() == 0
    first = visible_rows(page)[0][1]
    page.get_by_role("link", name=first, exact=True).click()
    assert page.url.endswith(f"project/{first}.html")
    assert page.locator("table.history tbody tr").count() == 2
    assert context.outside == []


def test_without_javascript_the_new_columns_and_the_flags_show(
    contexts: Contexts, example_site: str
) -> None:
    context = contexts.open(java_script_enabled=False)
    page = context.page(example_site)
    rows = visible_rows(page)
    assert [c[0] for c in rows] == ["1", "2", "3", "4", "5", "6"]  # in rank order
    assert all(len(c) == 7 for c in rows)
    page.get_by_role("link", name="bot spike", exact=True).click()
    assert page.url == example_site + "flags.html#anomalies"
    assert page.locator("#anomalies").is_visible()
    assert page.locator("#anomalies li").count() == len(FLAGS)
    older = context.page(example_site + f"{OLDER}/")
    assert all(len(c) == 3 for c in visible_rows(older))
    assert context.outside == []
    assert context.errors == []


@pytest.mark.parametrize(
    "path", ["", "2026.11/", "2026.09/", f"{OLDER}/", "project/idna.html", "flags.html"]
)
def test_axe_finds_no_accessibility_violation(
    contexts: Contexts, example_site: str, path: str
) -> None:
    """axe-core (the engine of Lighthouse's accessibility score, from site/'s npm tools),
    injected into the page: the Content Security Policy is bypassed for it alone."""
    require_axe()
    for scheme in ("light", "dark"):
        context = contexts.open(bypass_csp=True, color_scheme=scheme)
        page = context.page(example_site + path)
        found, passed = axe_findings(page)
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found] == [], scheme
        assert "color-contrast" in {rule["id"] for rule in passed}  # it checked the colours
        assert context.errors == []


def test_a_phone_shows_the_ranking_without_the_new_columns(
    contexts: Contexts, example_site: str
) -> None:
    context = contexts.open(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.page(example_site)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("table.ranking").bounding_box()
    assert box is not None  # shown
    assert box["x"] + box["width"] <= 360
    assert page.locator("th.without-mirrors").is_hidden()
    assert page.locator(".column-notes").is_visible()
    assert context.errors == []


# --- project pages, citation, links, files ------------------------------------------------------


def test_a_project_page_shows_the_tags_numbers(
    watched: Watched, example_site: str, example_repo: Path
) -> None:
    page = watched.page(example_site + "project/requests.html")
    assert page.get_by_role("img", name="Downloads and rank of requests per month").is_visible()
    rows = page.eval_on_selector_all(
        "table.history tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
    )
    expected = []
    for tag in ("2026.11.1", "2026.09", "2026.08"):
        listed = tag_dataset(example_repo, tag)["rows"]
        rank = next(i for i, r in enumerate(listed, 1) if r["project"] == "requests")
        expected.append([tag, str(rank), f"{listed[rank - 1]['download_count']:,}"])
    assert [[r[0].removesuffix(" DOI"), r[1], r[2]] for r in rows] == expected


def test_the_citation_copies_with_a_button(contexts: Contexts, example_site: str) -> None:
    context = contexts.open(permissions=("clipboard-read", "clipboard-write"))
    page = context.page(example_site)
    button = page.locator("button[data-copy=bibtex]")
    assert button.text_content() == "Copy BibTeX"
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#bibtex").text_content()
    assert button.text_content() == "Copied"
    assert context.errors == []


def test_no_link_is_broken_across_the_whole_site(example_site: str) -> None:
    """Every page is fetched from the server, and every relative link on it."""
    seen: set[str] = set()
    pending = [example_site, example_site + "404.html"]
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
            body = response.read()
        if url.endswith("/") or url.endswith(".html"):
            parser = page_links_of(body)
            for _, _, link in parser.found:
                absolute = urljoin(url, link.split("#")[0])
                if absolute.startswith(example_site):
                    pending.append(absolute)
    # 5 ranking pages, 4 flags pages (the root's, three tags'), 6 projects, archive, 404.
    assert len([u for u in seen if u.endswith((".html", "/"))]) == 17


def page_links_of(body: bytes) -> Links:
    parser = Links()
    parser.feed(body.decode())
    return parser


def test_the_files_at_the_root_are_the_tags_bytes(example_site: str, example_repo: Path) -> None:
    with git.Repo(example_repo) as repo:
        folder = repo.tags["2026.11.1"].commit.tree / "data"
        for blob in folder.blobs:
            if blob.name.startswith(("top-pypi-packages", "datapackage")):
                with urllib.request.urlopen(example_site + blob.name) as response:
                    assert response.read() == blob.data_stream.read()


# --- safety, layout -----------------------------------------------------------------------------


def test_a_name_with_html_characters_shows_as_text(watched: Watched, tmp_path: Path) -> None:
    """Only an older tag can hold such a name (the latest must pass validate)."""
    from tests.test_site_build import publish_unvalidated

    work, _ = publishing_repo(tmp_path, "")
    evil = '<img src=x onerror=alert(1)><script>alert("x")</script>'
    publish_unvalidated(work, "2026.10", [(evil, 9), ("boto3", 7)])
    publish_month(work, "2026.11", month_count([("boto3", 5)], month_end("2026.11")))
    build_site(tmp_path / "work", tmp_path / "site", None, workers=1)
    with serve(tmp_path / "site") as url:
        page = watched.page(url + "2026.10/")
        assert visible_rows(page)[0][1] == evil
        assert page.locator("table.ranking img, table.ranking script").count() == 0
        page.goto("about:blank")  # before the server stops, or a request still running is cut off
    assert project_path(evil).startswith("project/_3cimg")


def test_a_phone_needs_no_sideways_scrolling(contexts: Contexts, big_site: str) -> None:
    context = contexts.open(viewport={"width": 360, "height": 740}, is_mobile=True)
    for path in ("", "top-1200.html", "archive.html", "project/" + first_project(big_site)):
        page = context.page(big_site + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        # The ranking itself fits; a table of many columns scrolls in its own box.
        ranking = page.locator("table.ranking")
        if ranking.count():
            box = ranking.bounding_box()
            assert box is not None, path  # shown
            assert box["x"] + box["width"] <= 360, path
    assert context.outside == []
    assert context.errors == []


def first_project(site_url: str) -> str:
    with urllib.request.urlopen(site_url) as response:
        body = response.read().decode()
    found = re.search(r'href="project/([^"]+)"', body)
    assert found is not None
    return found.group(1)


def test_the_keyboard_reaches_the_skip_link_then_the_navigation(
    watched: Watched, example_site: str
) -> None:
    page = watched.page(example_site)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    # The fragment's navigation reaches Playwright as an event after the key's press returns.
    page.wait_for_url(re.compile(r"#main$"))
    assert page.url.endswith("#main")


def test_dark_mode_follows_the_system(contexts: Contexts, example_site: str) -> None:
    colours = []
    for scheme in ("light", "dark"):
        context = contexts.open(color_scheme=scheme)
        page = context.page(example_site)
        colours.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert colours == ["rgb(255, 255, 255)", "rgb(18, 20, 23)"]


SCREENS: dict[str, ViewportSize] = {
    "laptop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}


def ranking_pages(page: Page, folder_url: str) -> list[str]:
    """Every ranking page of a folder: its first, where `page` is left, then those its
    length links lead to."""
    page.goto(folder_url)
    links = page.eval_on_selector_all("nav.sizes a", "links => links.map(a => a.href)")
    return [folder_url, *sorted(set(links) - {folder_url})]


@pytest.mark.parametrize("screen", SCREENS)
def test_the_first_row_is_on_the_first_screen_of_every_ranking_page(
    contexts: Contexts, example_site: str, crowded_site: str, screen: str
) -> None:
    context = contexts.open(viewport=SCREENS[screen])
    page = context.page(example_site)
    folders = [example_site + f for f in ("", *(f"{tag}/" for tag in EXAMPLE))]
    folders += [crowded_site + f for f in ("", "2026.10/", "2026.11/")]
    urls = []
    for folder in folders:
        for url in ranking_pages(page, folder):  # each page is loaded once
            if page.url != url:
                page.goto(url)
            row = page.locator("table.ranking tbody tr").first.bounding_box()
            assert row is not None, url
            assert row["y"] + row["height"] <= SCREENS[screen]["height"], url
            urls.append(url)
    assert len(urls) == 5 + 3 * 3  # top 100, 1,000 and all 1,200
    assert context.errors == []


def test_a_crowded_month_counts_its_flags_by_todays_rule(
    watched: Watched, crowded_site: str
) -> None:
    page = watched.page(crowded_site)
    line = page.locator("p.flag-count")
    assert line.text_content() == "Flags on this month: 1 bot spike, 1 low day."
    line.get_by_role("link").click()
    assert page.url == crowded_site + "flags.html"
    assert page.locator("#anomalies li").count() == 2
    older = watched.page(crowded_site + "2026.11/top-1200.html")
    marked = [c[1] for c in visible_rows(older) if c[-1] == "bot spike"]
    assert len(marked) == 1
    older.get_by_role("link", name="bot spike", exact=True).click()
    assert older.url == crowded_site + "2026.11/flags.html#anomalies"


def test_the_404_page_works_at_any_depth_when_the_address_is_known(
    contexts: Contexts, example_repo: Path, tmp_path: Path
) -> None:
    """Served for /2026.11/x/ or /project/x.html (as GitHub Pages serves 404.html for any
    missing address), it is styled and every link and asset of it answers."""
    with serve(tmp_path) as url:
        site = tmp_path / "site"
        build_site(example_repo, site, url + "site/", workers=1)
        body = (site / "404.html").read_bytes()
        for deep in ("2026.11/x/index.html", "project/x.html"):
            (site / deep).parent.mkdir(parents=True, exist_ok=True)
            (site / deep).write_bytes(body)
        context = contexts.open()
        for deep in ("2026.11/x/", "project/x.html"):
            page = context.page(url + "site/" + deep)
            header = page.locator("header.site")
            assert header.evaluate("e => getComputedStyle(e).display") == "flex"
            links = page.eval_on_selector_all("[href], [src]", "es => es.map(e => e.href || e.src)")
            assert len(links) >= 8
            for link in links:
                with urllib.request.urlopen(link.split("#")[0]) as response:
                    assert response.status == 200, link
        page.goto("about:blank")  # before the server stops, or a request still running is cut off
        assert context.errors == []
