"""The search box of every page (site/static/search.js, publisher/website/search.py): any
ranked project of the latest month from any page, in Chromium; its index at the site's root;
without JavaScript a link to the full list. And the first click on "Downloads"."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from publisher.sample.names import project_names
from publisher.website.builder import build_site
from publisher.website.history import History
from publisher.website.pages import project_path
from publisher.website.search import search_index
from publisher.website.tags import Month
from tests.browser import Contexts, Scheme, Watched, axe_findings, requests_of, require_axe
from tests.published import EXAMPLE
from tests.repos import publishing_repo
from tests.site_pages import serve
from tests.test_site_browser import tag_dataset, visible_rows
from tests.test_site_build import publish_unvalidated

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# Ranked so that one query meets each kind of match, none of them first by rank. The latest
# month must pass validate, so its odd name is a long one: its page's file name is shortened.
LONG = "zfoo-bar-" + "a" * 290
NAMES = ["foo-bar-baz", "xfoo-bar", "requests", "foo-bar-x", "foo-bar", LONG]


@pytest.fixture(scope="module")
def named_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("named")
    work, _ = publishing_repo(folder, "")
    publish_unvalidated(work, "2026.11", [(name, 100 - i) for i, name in enumerate(NAMES)])
    build_site(folder / "work", folder / "site", None, workers=1)
    with serve(folder / "site") as url:
        yield url


def typed(page: Page, text: str) -> Locator:
    """The search box, after `text` is typed into it and the names are loaded (the first key
    loads them; later keys show their matches before the key's press returns)."""
    box = page.get_by_role("combobox", name="Find any project")
    box.press_sequentially(text)
    page.locator("header .search[data-state=ready]").wait_for()
    return box


def options(page: Page) -> list[str]:
    """The names the search shows, in order."""
    names: list[str] = page.eval_on_selector_all(
        "#search-results [role=option]:not([hidden])",
        "items => items.map(i => i.firstChild.nodeValue)",
    )
    return names


def chosen(page: Page) -> str:
    found: str = page.evaluate(
        """() => document.getElementById(
          document.getElementById("search").getAttribute("aria-activedescendant")
        ).firstChild.nodeValue"""
    )
    return found


# --- in the browser -----------------------------------------------------------------------------


def test_the_search_finds_a_project_outside_the_page_and_opens_it(
    watched: Watched, big_site: str, big_repo: Path
) -> None:
    rows = tag_dataset(big_repo, "2026.11")["rows"]
    name = next(r["project"] for r in rows[600:] if "-" in r["project"])
    page = watched.page(big_site)  # the top 100: the filter cannot find it there
    box = typed(page, name.upper().replace("-", "_"))  # PEP 503 spelling ignored
    assert options(page)[0] == name
    assert chosen(page) == name
    assert box.get_attribute("aria-expanded") == "true"
    box.press("Enter")
    page.wait_for_url(f"**/project/{name}.html")
    assert page.locator("h1").text_content() == name
    # And from a project page, a folder deeper, to the home page's first project.
    box = typed(page, rows[0]["project"])
    box.press("Enter")
    page.wait_for_url(f"**/project/{rows[0]['project']}.html")


def test_exact_name_first_then_prefix_then_substring_and_the_arrows(
    watched: Watched, named_site: str
) -> None:
    page = watched.page(named_site + "archive.html")
    box = typed(page, "Foo_Bar")
    assert options(page) == ["foo-bar", "foo-bar-baz", "foo-bar-x", "xfoo-bar", LONG]
    assert page.locator("#search-results [role=option]").nth(1).text_content() == (
        "foo-bar-baz rank 1"
    )
    box.press("ArrowDown")
    box.press("ArrowDown")
    assert chosen(page) == "foo-bar-x"
    assert page.locator("[aria-selected=true]").count() == 1
    box.press("ArrowUp")
    box.press("ArrowUp")
    box.press("ArrowUp")  # round to the last
    assert chosen(page) == LONG
    box.press("Enter")
    page.wait_for_url("**/" + project_path(LONG))
    assert page.locator("h1").text_content() == LONG


def test_no_match_is_said_and_escape_closes(watched: Watched, named_site: str) -> None:
    page = watched.page(named_site)
    box = typed(page, "zzz")
    assert options(page) == []
    assert page.locator("header .search .status").text_content() == "No project matches."
    assert page.locator("header .search .status").is_visible()
    box.fill("req")
    assert options(page) == ["requests"]
    box.press("Escape")
    assert page.locator("#search-results").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    page.get_by_role("combobox", name="Find any project").press("ArrowDown")
    assert options(page) == ["requests"]
    page.locator("#search-results [role=option]").first.click()
    page.wait_for_url("**/project/requests.html")


def test_the_index_is_loaded_on_first_use_not_with_the_page(
    watched: Watched, big_site: str
) -> None:
    with requests_of(watched) as asked:
        page = watched.page(big_site + "top-1200.html")
        page.wait_for_load_state("networkidle")
        assert [url for url in asked if "search" in url] == [big_site + "static/search.js"]
        typed(page, "py")
        assert len(options(page)) == 10
        status = page.locator("header .search .status").text_content()
        assert status is not None
        assert re.fullmatch(r"[\d,]+ projects match; the first 10 are shown\.", status)
        assert asked.count(big_site + "search.json") == 1


def test_an_index_that_cannot_be_loaded_leaves_the_link_to_the_full_list(
    contexts: Contexts, big_site: str
) -> None:
    context = contexts.open()
    context.context.route("**/search.json", lambda route: route.fulfill(status=404))
    page = context.page(big_site + "archive.html")
    page.get_by_role("combobox", name="Find any project").press_sequentially("py")
    page.locator("header .search[data-state=failed]").wait_for()
    status = page.locator("header .search .status")
    assert status.text_content() == "The names could not be loaded: see the full list."
    status.get_by_role("link", name="the full list").click()
    page.wait_for_url(big_site + "top-1200.html")
    assert context.outside == []


def test_without_javascript_the_box_is_a_link_to_the_full_list(
    contexts: Contexts, big_site: str
) -> None:
    context = contexts.open(java_script_enabled=False)
    for path in ("", "project/" + visible_first(context, big_site)):
        page = context.page(big_site + path)
        assert page.locator("#search").count() == 0
        page.get_by_role("link", name="Find any project").click()
        page.wait_for_url(big_site + "top-1200.html")
        assert len(visible_rows(page)) == 1200
    assert context.outside == []


def visible_first(context: Watched, site: str) -> str:
    page = context.page(site)
    first: str = visible_rows(page)[0][1]
    return f"{first}.html"


def test_the_box_does_not_move_when_the_script_replaces_the_link(
    contexts: Contexts, big_site: str
) -> None:
    boxes = []
    for script in (False, True):
        context = contexts.open(java_script_enabled=script)
        page = context.page(big_site)
        page.wait_for_load_state("load")
        boxes.append(page.locator("header .search > :is(a, input)").bounding_box())
    assert boxes[0] == boxes[1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_phone_shows_the_matches_within_the_screen(
    contexts: Contexts, named_site: str, scheme: Scheme
) -> None:
    context = contexts.open(
        viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme=scheme
    )
    page = context.page(named_site)
    typed(page, "foo")
    assert len(options(page)) == 5
    panel = page.locator("header .search .results").bounding_box()
    assert panel is not None  # shown
    assert panel["x"] >= 0
    assert panel["x"] + panel["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert context.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_with_the_matches_open(
    contexts: Contexts, named_site: str, scheme: Scheme
) -> None:
    require_axe()
    context = contexts.open(bypass_csp=True, color_scheme=scheme)
    page = context.page(named_site)
    typed(page, "foo")
    page.get_by_role("combobox", name="Find any project").press("ArrowDown")
    found, passed = axe_findings(page)
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found] == []
    assert "color-contrast" in {rule["id"] for rule in passed}
    assert context.errors == []


def test_the_first_click_on_downloads_sorts_most_first(watched: Watched, big_site: str) -> None:
    page = watched.page(big_site + "top-1000.html")
    header = page.locator("table.ranking thead th").nth(2)
    header.get_by_role("button").click()
    downloads = [int(c[2].replace(",", "")) for c in visible_rows(page)]
    assert downloads == sorted(downloads, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    header.get_by_role("button").click()
    downloads = [int(c[2].replace(",", "")) for c in visible_rows(page)]
    assert downloads == sorted(downloads)
    assert header.get_attribute("aria-sort") == "ascending"


# --- the index ----------------------------------------------------------------------------------


def test_the_index_holds_every_name_of_the_latest_month_in_rank_order(
    example_repo: Path, example_site_dir: Path
) -> None:
    index = json.loads((example_site_dir / "search.json").read_bytes())
    latest = tag_dataset(example_repo, "2026.11.1")["rows"]
    assert index["names"] == [row["project"] for row in latest]
    assert len(index["names"]) == len(EXAMPLE["2026.11.1"])
    assert index["pages"] == len(latest)
    assert index["list"] == "./"  # a month of a few rows: the home page holds them all
    for name in index["names"]:
        assert (example_site_dir / f"project/{name}.html").is_file()


def test_the_index_gives_the_address_of_a_name_that_is_not_a_file_name(named_site: str) -> None:
    import urllib.request

    with urllib.request.urlopen(named_site + "search.json") as response:
        index = json.loads(response.read())
    assert index["names"] == NAMES
    assert index["addresses"] == {LONG: project_path(LONG)}


def test_the_index_of_15000_names_is_within_150_kb_gzipped() -> None:
    names = project_names(16_000, 3)
    rows = [{"project": name, "download_count": 10**9 // n} for n, name in enumerate(names, 1)]
    history = History([Month("2026.11", {"rows": rows[:15_000]}, {})])
    projects = {name: project_path(name) for name in names[:15_000]}
    body = search_index(history, projects)
    index = json.loads(body)
    assert index["names"] == names[:15_000]
    assert index["list"] == "top-15000.html"
    assert len(gzip.compress(body, 6)) <= 150_000
