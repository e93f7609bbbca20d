"""Issue 20 §5: a project page's honest numbers month by month (downloads by installer group
as a stacked bar, CI share, rank with and without mirrors, flags; a dash and why for months
without the breakdown), and the home page's month at a glance."""

import itertools
import json
import re
from pathlib import Path

import pytest

from publisher.base.installers import INSTALLER_GROUPS
from publisher.dataset.build import EXTENDED_JSON_FILE
from publisher.website.builder import build_site
from publisher.website.chart import Slot, bar_chart, frame
from publisher.website.glance import movers
from tests.published import (
    FLAGGED,
    OLDER,
    SAMPLED,
    month_count,
    month_end,
    publish_month,
    tag_blob,
    with_breakdown,
)
from tests.repos import publishing_repo


@pytest.fixture(scope="module")
def built(example_site_dir: Path) -> Path:
    """The example's site (tests/sites.py, built once per session; read-only)."""
    return example_site_dir


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def history(page: str) -> dict[str, list[str]]:
    """Release -> the text of its cells in a project page's history table."""
    table = page.split('<table class="history">', 1)[1].split("</table>", 1)[0]
    body = table.split("</thead>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.split(r"<tr[^>]*>", body)[1:]:  # end tags left out: a row runs to the next
        tag, *cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"<t[hd][^>]*>", row)[1:]
        ]
        rows[tag.removesuffix(" DOI")] = cells
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
    assert cells[0:2] == [f"{row['rank']:,}", f"{row['download_count']:,}"]
    assert cells[2:10] == [
        f"{row['rank_without_mirrors']:,}",
        share,
        *[f"{g:,}" for g in groups],
        "bot spike",
    ]
    headers = re.findall(r"<th>([^<]*)", page)  # end tags left out
    assert headers[3:11] == ["Rank without mirrors", "CI share", *INSTALLER_GROUPS, "Flags"]
    assert f'<a href="../{FLAGGED}/flags.html#anomalies">bot spike</a>' in page
    # The downloads chart stacks the groups of the month that has them, and says which is which.
    assert [kind for kind in INSTALLER_GROUPS if f'class="part {kind}"' in page] == [
        g for g, n in zip(INSTALLER_GROUPS, groups, strict=True) if n > 0
    ]
    assert "By installer, bottom up:" in page


def test_a_month_without_the_breakdown_shows_a_dash_and_says_why(built: Path) -> None:
    rows = history(text(built / "project" / "idna.html"))
    assert rows[SAMPLED][2] == "\u2014 no breakdown: not counted this month"
    assert rows[OLDER][2] == "\u2014 no breakdown: the release was made before the extended files"
    assert len(rows[OLDER]) == len(rows[FLAGGED]) - len(INSTALLER_GROUPS) - 1


def test_a_column_the_engine_could_not_count_is_a_dash_and_the_note_says_why(
    tmp_path: Path,
) -> None:
    work, _ = publishing_repo(tmp_path, "")
    rows = [("alpha", 900), ("beta", 500)]
    count = month_count(rows, month_end("2026.10"))
    publish_month(work, "2026.10", with_breakdown(count, unavailable={"ci_downloads": "no flag"}))
    build_site(Path(str(work.working_tree_dir)), tmp_path / "site", None, workers=1)
    page = text(tmp_path / "site" / "project" / "beta.html")
    cells = history(page)["2026.10"]
    assert cells[3] == "\u2014"  # the CI share
    assert cells[2] != "\u2014"  # the rank without mirrors was counted
    assert cells[-1] == "CI share not counted: no flag"
    assert 'class="part pip"' in page


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


# --- the home page's month at a glance -----------------------------------------------------------


def test_gains_are_within_the_top_1000_biggest_first_ties_by_rank() -> None:
    names = [f"p{i}" for i in range(1, 1201)]
    before: dict[str, int | None] = {name: rank for rank, name in enumerate(names, 1)}
    # p3 and p5 rose 95 (a tie: the better rank first), p9 rose 1, p40 fell; p1100 rose from
    # 5,000 but is below the top 1,000; p7 and p20 came from below it, p30 is new.
    before |= {"p5": 100, "p3": 98, "p9": 10, "p40": 1, "p1100": 5000}
    before |= {"p7": 1500, "p20": 1001, "p30": None}
    gains, entrants = movers(names, before, {"p3": "project/p3.html"})
    assert [(m.name, m.gain) for m in gains] == [("p3", 95), ("p5", 95), ("p9", 1)]
    assert gains[0].link == "project/p3.html"
    assert gains[1].link is None
    assert [(m.name, m.previous) for m in entrants] == [("p7", 1500), ("p20", 1001), ("p30", None)]


def test_ten_of_each_at_most() -> None:
    names = [f"p{i}" for i in range(1, 100)]
    gains, entrants = movers(names, {n: i + 50 for i, n in enumerate(names, 1)}, {})
    assert len(gains) == 10
    assert [m.rank for m in gains] == list(range(1, 11))  # every gain is 50: by rank
    assert entrants == []


def test_the_home_page_shows_the_month_at_a_glance(built: Path, example_repo: Path) -> None:
    page = text(built / "index.html")
    block = page.split('<section id="glance"', 1)[1].split('<section id="about"', 1)[0]
    assert '<title id="totals-chart">Every download on PyPI per month</title>' in block
    totals = [
        json.loads(tag_blob(example_repo, tag, EXTENDED_JSON_FILE))["totals"]["downloads"]
        for tag in (FLAGGED, SAMPLED)
    ]
    heights = [
        196 - float(re.findall(rf'<path class="{kind}" d="M\S+ 196V([\d.]+)h', block)[0])
        for kind in ("plain", "marked")
    ]
    assert heights[0] / heights[1] == pytest.approx(totals[0] / totals[1], rel=0.01)
    # One bar a month with a total (2026.09's estimated one is marked), a labelled gap for the
    # month released before the extended files.
    assert block.count('<path class="plain"') == 1
    assert block.count('<path class="marked"') == 1
    assert block.count(">no total</text>") == 1
    assert "“no total”: a release made before the extended files" in block
    gains = block.split('id="gains-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"<li>(.*?)</li>", gains) == [
        '<a href="project/requests.html">requests</a>: up 2, from 3 to 1',
        '<a href="project/numpy.html">numpy</a>: up 1, from 4 to 3',
    ]
    entrants = block.split('id="entrants-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"<li>(.*?)</li>", entrants) == [
        '<a href="project/typing-extensions.html">typing-extensions</a>: rank 6,'
        " not ranked the month before"
    ]
    assert not (built / FLAGGED / "index.html").read_text().count('id="glance"')
