"""Compact HTML for what the site writes tens of thousands of times (a ranking's rows, a
project page's cells): HTML lets a cell or a row leave its end tag out, and an attribute value
without spaces, quotes, `=`, `<`, `>` or a backtick go unquoted. A browser builds the same
document from either spelling, so a visitor and a screen reader get the same page; ten years of
months on 15,000 project pages and 13 editions of 15,000 rows make every byte count (the site's
size goal, docs/benchmarks.md).
"""

import re

from markupsafe import escape

BARE = re.compile(r"[A-Za-z0-9_./#:%+~-]+")  # a value that needs no quotes, and no escaping


def attribute(text: str) -> str:
    """An attribute's value as written after `=`: bare where HTML allows, else quoted and
    escaped."""
    return text if BARE.fullmatch(text) else f'"{escape(text)}"'
