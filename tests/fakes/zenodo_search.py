"""Searching depositions and versions as Zenodo's list endpoints do, for the subset of its
query language this project uses.

`q` understands terms joined by whitespace or `AND` (all must match):
  - `field:value` or `field:"quoted value"`: exact match on a keyword field, as Zenodo's
    index matches `metadata.version`; fields: `metadata.version` (or `version`), `conceptrecid`,
    `recid` (or `id`), `doi`, `conceptdoi`, `owners`; `title` / `metadata.title` match the
    title's words in order, ignoring case;
  - a bare word or `"phrase"`: found in the title, description or version, ignoring case.
Anything else (OR, NOT, parentheses, wildcards, ranges, an unquoted value with a slash, which
the real query parser reads as a regular expression) is refused with a 400, so code tested
here stays inside what works on Zenodo.

Lists: `status` = draft | published, `sort` = mostrecent (newest first, the default) |
-mostrecent | bestmatch (here the same as mostrecent) | newest | oldest, `page` (from 1),
`size` (10 by default) and `all_versions`: without it only the newest deposition of each
concept is listed (a pending draft hides its published versions), before `status` applies.
Pass `all_versions=1` to see every version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

DEFAULT_SIZE = 10
_TERM = re.compile(
    r'\s*(?:(?P<field>[A-Za-z_][\w.]*):(?:"(?P<quoted>[^"]*)"|(?P<value>[^\s"()]*))'
    r'|"(?P<phrase>[^"]*)"|(?P<word>[^\s"()]+))'
)
_SPECIAL = re.compile(r"[*?~/\[\]{}^\\]|^(?:OR|NOT|TO|\|\||&&)$")
_NEWEST: Callable[[dict[str, Any]], Any] = lambda view: (view["created"], view["id"])  # noqa: E731
SORTS = {
    "mostrecent": (_NEWEST, True),
    "-mostrecent": (_NEWEST, False),
    "bestmatch": (_NEWEST, True),
    "newest": (_NEWEST, True),
    "oldest": (_NEWEST, False),
}


class SearchError(ValueError):
    """A request Zenodo answers with 400; the text is the answer's message."""


Term = tuple[str | None, str]  # (field or None for free text, value)


def parse(q: str) -> list[Term]:
    terms: list[Term] = []
    position = 0
    while position < len(q.rstrip()):
        found = _TERM.match(q, position)
        if found is None or found.end() == position:
            raise SearchError(f"Invalid query string syntax: {q!r}.")
        position = found.end()
        term = _term(found)
        if term is not None:
            terms.append(term)
    return terms


def _term(found: re.Match[str]) -> Term | None:
    if found["word"] is not None:
        if found["word"] == "AND":
            return None
        _check_plain(found["word"])
        return None, found["word"]
    if found["phrase"] is not None:
        return None, found["phrase"]
    if found["quoted"] is not None:
        return found["field"], found["quoted"]
    _check_plain(found["value"])
    if not found["value"]:
        raise SearchError(f"Invalid query string syntax: nothing after {found['field']}:.")
    return found["field"], found["value"]


def _check_plain(text: str) -> None:
    if _SPECIAL.search(text):
        raise SearchError(
            f"Invalid query string syntax: {text!r} (the stand-in takes field:value terms, "
            "words and quoted phrases only)."
        )


def matches(terms: list[Term], view: dict[str, Any]) -> bool:
    return all(_matches(field, value, view) for field, value in terms)


def _matches(field: str | None, value: str, view: dict[str, Any]) -> bool:
    metadata = view.get("metadata", {})
    if field is None:
        text = " ".join(str(metadata.get(k, "")) for k in ("title", "description", "version"))
        return value.lower() in text.lower()
    if field in ("title", "metadata.title"):
        return _words(value) in _words(str(metadata.get("title", "")))
    exact = _exact_fields(view)
    if field not in exact:
        raise SearchError(f"Unknown search field: {field!r}.")
    return value in exact[field]


def _exact_fields(view: dict[str, Any]) -> dict[str, list[str]]:
    version = view.get("metadata", {}).get("version")
    versions = [version] if isinstance(version, str) else []
    owners = [str(o.get("id", o)) if isinstance(o, dict) else str(o) for o in _owners(view)]
    return {
        "metadata.version": versions,
        "version": versions,
        "conceptrecid": [str(view.get("conceptrecid"))],
        "recid": [str(view["id"])],
        "id": [str(view["id"])],
        "doi": [str(view.get("doi", ""))],
        "conceptdoi": [str(view.get("conceptdoi", ""))],
        "owners": owners,
    }


def _owners(view: dict[str, Any]) -> list[Any]:
    return list(view.get("owners") or [view.get("owner")])


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def page_of(items: list[dict[str, Any]], params: dict[str, str]) -> list[dict[str, Any]]:
    page, size = _positive(params, "page", 1), _positive(params, "size", DEFAULT_SIZE)
    return items[(page - 1) * size : page * size]


def _positive(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name, str(default))
    if not text.isdigit() or int(text) < 1:
        raise SearchError(f"Invalid {name}: {text!r}; it must be a whole number from 1.")
    return int(text)


def list_depositions(views: list[dict[str, Any]], params: dict[str, str]) -> list[dict[str, Any]]:
    """GET /api/deposit/depositions over the token owner's depositions."""
    if params.get("all_versions", "").lower() not in ("1", "true", "yes"):
        views = _newest_of_each_concept(views)
    status = params.get("status")
    if status not in (None, "", "draft", "published"):
        raise SearchError(f"Invalid status: {status!r}; use draft or published.")
    if status:
        views = [v for v in views if v["submitted"] == (status == "published")]
    terms = parse(params.get("q", ""))
    views = [v for v in views if matches(terms, v)]
    key, newest_first = _sort(params.get("sort") or "mostrecent")
    return page_of(sorted(views, key=key, reverse=newest_first), params)


def _newest_of_each_concept(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    newest: dict[str, dict[str, Any]] = {}
    for view in views:
        concept = str(view["conceptrecid"])
        if concept not in newest or view["id"] > newest[concept]["id"]:
            newest[concept] = view
    return list(newest.values())


def _sort(name: str) -> tuple[Callable[[dict[str, Any]], Any], bool]:
    if name not in SORTS:
        raise SearchError(f"Invalid sort option {name!r}; use one of {', '.join(SORTS)}.")
    return SORTS[name]
