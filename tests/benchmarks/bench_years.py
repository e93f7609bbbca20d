"""Ten years of months (issue 20): 120 generated monthly tags of 15,000 rows, each with an
extended Parquet of 800,000 projects, and the site built from them once: its size on disk
(goal <= 700 MB, GitHub Pages allows 1 GB), its build time and peak memory.

Generating 120 such months through `publish` would take most of an hour, so the newest
FULL_MONTHS months are published as `top-pypi publish` does (each its own draw of 800,000
projects, with the installer breakdown), and the 108 older tags are written with git plumbing:
each a commit of the oldest published month's tree, with its own tag in the trailer. Git
stores their files once; the site writes each month's folder apart, so the size is real. The
older months' pages show the same numbers, which changes nothing the site's size depends on.
"""

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from publisher.dataset.build import (
    COPIES,
    CSV_FILE,
    EXTENDED_CSV_FILE,
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
    JSON_FILE,
    MIN_JSON_FILE,
)
from publisher.sample.names import project_names
from publisher.website.kinds import FULL_MONTHS
from tests.benchmarks.measure import measure
from tests.published import (
    generated_rows,
    month_count,
    month_end,
    publish_month,
    release_tags,
    with_breakdown,
)
from tests.repos import publishing_repo

MONTHS, ROWS, PROJECTS = 120, 15_000, 800_000
FIRST = "2017.01"
SIZE_GOAL = 700 * 10**6


def publish_full_months(work_dir: Path, tags: list[str]) -> None:
    import git

    names = project_names(PROJECTS, 1)
    with git.Repo(work_dir) as work:
        for i, tag in enumerate(tags):
            every = generated_rows(names, 100 + i)
            count = with_breakdown(month_count(every, month_end(tag)), 100 + i)
            top = dataclasses.replace(count, rows=every[:ROWS], projects_counted=PROJECTS)
            publish_month(work, tag, top)


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
        generated = time.perf_counter() - started
        os.sync()
        out = root / "site"
        site = [sys.executable, "-m", "publisher", "site", "--repo", str(work_dir)]
        built = measure([*site, "--out", str(out)])
        files, size = site_size(out)
        parquet = (out / "top-pypi-packages-extended.parquet").stat().st_size
        return [
            (f"years: generating {MONTHS} tags ({FULL_MONTHS} published, the rest plumbing)",
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
