"""The site-wide search's index: every ranked project of the latest month, in rank order, and
where each leads. site/static/search.js reads it on the search box's first use, not with the
page, so a page that is only read never pays for it.

    {"list": "top-15000.html", "names": ["boto3", ...], "pages": 15000,
     "addresses": {"<a name whose page is not project/NAME.html>": "project/_3c....html"}}

The first `pages` names have a project page, at `project/NAME.html` unless `addresses` says
otherwise (a name that is not a file name, see pages.project_path); the others lead to `list`,
the ranking page holding every project. Every address is relative to the index itself (the
site's root). Compact JSON: at 15,000 names it is about 75 to 90 KB gzipped.
"""

import json

from publisher.website.history import History
from publisher.website.pages import ranking_path, sizes

SEARCH_INDEX = "search.json"
PLAIN_PAGE = "project/{}.html"


def full_list_path(history: History) -> str:
    """The latest month's ranking page that holds every project, relative to the root ("" for
    the root itself, when the month is short): where the search box leads without JavaScript.
    The root's address is its folder, as every link to it on the site."""
    shown = sizes(len(history.latest.rows))
    return ranking_path("", shown[-1], len(shown) == 1).removesuffix("index.html")


def search_index(history: History, projects: dict[str, str]) -> bytes:
    """The index's bytes: the latest month's names, and `projects` (name -> its page)."""
    names = [row["project"] for row in history.latest.rows]
    addresses = {name: path for name, path in projects.items() if path != PLAIN_PAGE.format(name)}
    body = {
        "list": full_list_path(history) or "./",
        "names": names,
        "pages": len(projects),
        "addresses": addresses,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
