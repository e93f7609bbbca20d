"""Issue 20 §5: a project page's honest numbers month by month (downloads by installer group
as a stacked bar, CI share, rank with and without mirrors, flags; a dash and why for months
without the breakdown), and the home page's month at a glance."""

import itertools
import json
import re
from pathlib import Path

import pytest
from published import FLAGGED, OLDER, SAMPLED, tag_blob

from publisher.base.installers import INSTALLER_GROUPS
from publisher.dataset.build import EXTENDED_JSON_FILE
from publisher.website.builder import build_site
from publisher.website.chart import Slot, bar_chart, frame


@pytest.fixture(scope="module")
def built(example_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("glance") / "site"
    build_site(example_repo, out, None, workers=1)
    return out


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def history(page: str) -> dict[str, list[str]]:
    """Release -> the text of its cells in a project page's history table."""
    body = page.split('<table class="history">', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", body):
        tag = re.sub(r"<[^>]+>", "", row.split("</th>", 1)[0])
        rows[tag] = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    return rows


def extended_row(repo: Path, tag: str, name: str) -> dict[str, int]:
    rows = json.loads(tag_blob(repo, tag, EXTENDED_JSON_FILE))["rows"]
    found: dict[str, int] = next(row for row in rows if row["project"] == name)
    return found


GROUPS = ("pip_downloads", "uv_downloads", "mirror_downloads", "other_downloads")


def test_a_project_page_shows_each_months_breakdown_ranks_ci_share_and_flags(
    built: Path, example_repo: Path
) -> None:
    page = text(built / "project" / "idna.html")
    row = extended_row(example_repo, FLAGGED, "idna")
    groups = [row[c] for c in (*GROUPS, "unknown_downloads")]
    assert sum(groups) == row["download_count"]
    share = f"{100 * row['ci_downloads'] / row['download_count']:.1f}%"
    cells = history(page)[FLAGGED]
    assert cells[1:3] == [f"{row['rank']:,}", f"{row['download_count']:,}"]
    assert cells[3:11] == [
        f"{row['rank_without_mirrors']:,}",
        share,
        *[f"{g:,}" for g in groups],
        "bot spike",
    ]
    headers = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert headers[4:12] == ["Rank without mirrors", "CI share", *INSTALLER_GROUPS, "Flags"]
    assert f'<a href="../{FLAGGED}/flags.html#anomalies">bot spike</a>' in page
    # The downloads chart stacks the groups of the month that has them, and says which is which.
    assert [kind for kind in INSTALLER_GROUPS if f'class="part {kind}"' in page] == [
        g for g, n in zip(INSTALLER_GROUPS, groups, strict=True) if n > 0
    ]
    assert "Downloads by installer, bottom to top:" in page


def test_a_month_without_the_breakdown_shows_a_dash_and_says_why(built: Path) -> None:
    rows = history(text(built / "project" / "idna.html"))
    assert rows[SAMPLED][3] == "\u2014 no breakdown: not counted this month"
    assert rows[OLDER][3] == "\u2014 no breakdown: the release was made before the extended files"
    assert len(rows[OLDER]) == len(rows[FLAGGED]) - len(INSTALLER_GROUPS) - 1


def test_a_stacked_bar_is_as_tall_as_the_plain_bar_of_the_same_total() -> None:
    axis = frame([Slot("2026.10", 10), Slot("2026.11", 11)])
    parts = [3, 0, 50, 40, 7]
    stacked = bar_chart(axis, [100, None], "t", parts=[parts, None], groups=INSTALLER_GROUPS)
    plain = bar_chart(axis, [100, None], "t")
    assert stacked.plain == ""
    assert [g for g, _ in stacked.parts] == ["pip", "mirrors", "other", "unknown"]
    segments = [re.fullmatch(r"M\S+ (\S+)V(\S+)h\S+V\S+Z", path) for _, path in stacked.parts]
    spans = [(float(m[1]), float(m[2])) for m in segments if m is not None]
    assert all(high == low for (_, high), (low, _) in itertools.pairwise(spans))
    top = re.fullmatch(r"M\S+ \S+V(\S+)h.*", plain.plain)
    assert top is not None
    assert spans[-1][1] == float(top[1])
    assert spans[0][0] == axis.bottom
