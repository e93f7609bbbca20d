"""Ten years of months (issue 20): 120 generated monthly tags of 15,000 rows, each with an
extended Parquet of 800,000 projects, and the site built from them once: its size on disk
(goal <= 700 MB, GitHub Pages allows 1 GB), its build time and peak memory.

Generating 120 such months through `publish` would take most of an hour, so the newest
FULL_MONTHS months are published as `top-pypi publish` does (each its own draw of 800,000
projects, with the installer breakdown and the previous month's ranks), and the 108 older tags
are written with git plumbing: each a commit of the oldest published month's tree, with its
own tag in the trailer. Git stores their files once; the site writes each month's folder apart,
so the size is real. The older months' pages show the same numbers, which changes nothing the
site's size depends on.

A month's counts follow a real month's shape (REAL_MONTH: the reference dataset's 2026-04
file at a few ranks, about 132 billion downloads in all) down to a tail of a few downloads at
the 800,000th project, and move from month to month, little at the top and by about half in
the tail, so that ranks, previous ranks and ties are as a real month's. The names are the
sample's (`publisher.sample.names`): 17.7 characters on average over 800,000, where PyPI's
names average about 13, which makes the Parquet's name column about a third too big.

The branch holds the history files of the 120 months (issue 21), generated as
`bench_history.py` generates them and written by the dataset stage's own code: the site serves
them under `history/`. Every month has a tag, so no month of the history is a history month:
project pages show the 120 published months.
"""

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from publisher.dataset.build import (
    COPIES,
    CSV_FILE,
    EXTENDED_CSV_FILE,
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
    JSON_FILE,
    MIN_JSON_FILE,
)
from publisher.dataset.previous import Previous
from publisher.dataset.previous_files import read_previous
from publisher.sample.names import project_names
from publisher.website.kinds import FULL_MONTHS
from tests.benchmarks.bench_history import NAMES as HISTORY_NAMES
from tests.benchmarks.bench_history import month as history_month
from tests.benchmarks.measure import measure
from tests.histories import commit_history
from tests.published import (
    month_count,
    month_end,
    publish_month,
    ranked,
    release_tags,
    with_breakdown,
)
from tests.repos import publishing_repo

MONTHS, ROWS, PROJECTS = 120, 15_000, 800_000
FIRST = "2017.01"
SIZE_GOAL = 700 * 10**6


# (rank, downloads) of a real month: the reference dataset's 2026-04 file at a few ranks, then
# its last slope (rank 10,000 to 15,000) kept to a few downloads at the 800,000th project.
REAL_MONTH = (
    (1, 1.88e9), (10, 1.22e9), (100, 3.03e8), (1_000, 1.68e7), (5_000, 8.05e5),
    (10_000, 1.48e5), (15_000, 5.7e4), (PROJECTS, 9.0),
)  # fmt: skip
# How much a project's downloads move from one month to the next (the spread of their log):
# a few percent at the top, TAIL_MOVE more at the bottom of the long tail.
TOP_MOVE, TAIL_MOVE = 0.03, 0.5


def real_rows(names: list[str], seed: int) -> list[tuple[str, int]]:
    """A month of every project in `names` (most downloaded first), shaped as REAL_MONTH."""
    draw = np.random.default_rng(seed)
    ranks = np.arange(1, len(names) + 1)
    shape = np.exp(np.interp(np.log(ranks), *np.log(np.array(REAL_MONTH, dtype=np.float64)).T))
    spread = TOP_MOVE + TAIL_MOVE * np.log(ranks) / np.log(len(names))
    counts = np.maximum(1, np.rint(shape * np.exp(draw.normal(0.0, spread)))).astype(np.int64)
    return ranked(dict(zip(names, counts.tolist(), strict=True)))


def publish_full_months(work_dir: Path, tags: list[str]) -> None:
    """Each month published as `publish` does, compared with the month before it."""
    import git

    names = project_names(PROJECTS, 1)
    previous: Previous | None = None
    with git.Repo(work_dir) as work:
        for i, tag in enumerate(tags):
            every = real_rows(names, 100 + i)
            count = with_breakdown(month_count(every, month_end(tag)), 100 + i)
            top = dataclasses.replace(count, rows=every[:ROWS], projects_counted=PROJECTS)
            publish_month(work, tag, top, previous=previous)
            previous = read_previous(work_dir / "data", tag)


def commit_history_files(work_dir: Path, tags: list[str]) -> None:
    """The history files of every month in `tags`, committed on the branch."""
    import git

    names = project_names(HISTORY_NAMES, 1)
    months = [history_month(tag, names, 100 + i) for i, tag in enumerate(tags)]
    with git.Repo(work_dir) as work:
        commit_history(work, months)


def git_out(work_dir: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=work_dir, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def write_older_tags(work_dir: Path, template: str, tags: list[str]) -> None:
    """Each tag a commit of `template`'s tree whose trailer names it, as publish writes it."""
    tree = git_out(work_dir, "rev-parse", f"{template}^{{tree}}")
    for tag in tags:
        message = f"Publish {tag} (generated for the benchmark)\n\nTop-PyPI-Tag: {tag}\n"
        commit = git_out(work_dir, "commit-tree", tree, "-m", message)
        git_out(work_dir, "tag", tag, commit)


def site_size(folder: Path) -> tuple[int, int]:
    sizes = [path.stat().st_size for path in folder.rglob("*") if path.is_file()]
    return len(sizes), sum(sizes)


PAGE_KINDS = ("project pages", "ranking and other pages")


def file_kind(path: str) -> str:
    """What a file of the site is, for the size by kind: a data file by its name, a page by
    what it shows."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith("project/"):
        return "project pages"
    if path.startswith("history/"):
        return "history files"
    if name in COPIES.values():
        return "`-30-days` copies"
    if name in (JSON_FILE, MIN_JSON_FILE, CSV_FILE):
        return "compatible files"
    if name == EXTENDED_PARQUET_FILE:
        return "extended Parquet"
    if name in (EXTENDED_JSON_FILE, EXTENDED_CSV_FILE):
        return "extended JSON and CSV"
    if name.endswith(".html"):
        return "ranking and other pages"
    return "schemas, data packages, assets"


def part_sizes(out: Path, older: list[str], newest: list[str]) -> list[tuple[str, float, str]]:
    """Where the bytes are: the older months' folders, the full ones, the project pages, then
    the whole site by kind of file."""
    parts = {
        "the older months' folders": older,
        "the full months' folders": newest,
        "the project pages": ["project"],
        "the history files": ["history"],
    }
    kinds: dict[str, int] = {}
    for path in out.rglob("*"):
        if path.is_file():
            kind = file_kind(path.relative_to(out).as_posix())
            kinds[kind] = kinds.get(kind, 0) + path.stat().st_size
    # The data files are served byte for byte as tagged (their data package has their sizes
    # and hashes): whatever the pages weigh, the site cannot be smaller than these.
    data = sum(size for kind, size in kinds.items() if kind not in PAGE_KINDS)
    return [
        *((f"years: {what}", sum(site_size(out / name)[1] for name in names) / 10**6, "MB")
          for what, names in parts.items()),
        *((f"years, by kind: {kind}", size / 10**6, "MB")
          for kind, size in sorted(kinds.items(), key=lambda item: -item[1])),
        ("years: data files, kept byte for byte", data / 10**6, "MB"),
    ]  # fmt: skip


def run() -> list[tuple[str, float, str]]:
    tags = release_tags(FIRST, MONTHS)
    older, newest = tags[: MONTHS - FULL_MONTHS], tags[MONTHS - FULL_MONTHS :]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        work, _ = publishing_repo(root, "")
        work_dir = Path(str(work.working_tree_dir))
        work.close()
        started = time.perf_counter()
        publish_full_months(work_dir, newest)
        write_older_tags(work_dir, newest[0], older)
        commit_history_files(work_dir, tags)
        generated = time.perf_counter() - started
        os.sync()
        out = root / "site"
        site = [sys.executable, "-m", "publisher", "site", "--repo", str(work_dir)]
        built = measure([*site, "--out", str(out)])
        files, size = site_size(out)
        parquet = (out / "top-pypi-packages-extended.parquet").stat().st_size
        return [
            (f"years: generating {MONTHS} tags ({FULL_MONTHS} published, the rest plumbing)"
             " and the history files",
             generated, "s"),
            (f"years: site build, {MONTHS} months of {ROWS:,} rows", built.seconds, "s"),
            ("years: site build peak memory", built.peak_bytes / 2**20, "MiB"),
            ("years: site size", size / 10**6, f"MB (goal <= {SIZE_GOAL // 10**6})"),
            ("years: site files", files, "files"),
            (f"years: a month's Parquet of {PROJECTS:,} projects", parquet / 10**6, "MB"),
            *part_sizes(out, older, newest),
        ]  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(*row)
