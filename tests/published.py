"""Publishing repositories whose months are made from generated datasets, not counted
events: each month goes through the real collect (build, validate, serialise) and the real
release commit (`Top-PyPI-Tag` trailer, annotated tag), as `top-pypi publish` does it.
The site's tests and its build benchmark share these."""

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import git

from publisher.base.progress import silent
from publisher.cli.publish import DATA_FOLDER, commit_message
from publisher.count.engines.base import Count, Plan, QueryStats, Request
from publisher.count.window import Window
from publisher.dataset.collect import collect
from publisher.dataset.write import write_files
from publisher.release.calver import tag_order
from publisher.release.git import commit_and_tag
from publisher.sample.names import project_names


class Counted:
    """An engine that has already counted: it gives back the count it was made with."""

    def __init__(self, name: str, count: Count) -> None:
        self.name = name
        self._count = count

    def sql(self, request: Request) -> str:
        return "-- generated, not counted"

    def plan(self, request: Request) -> Plan:
        return Plan(self.name, request.window, self.sql(request))

    def count(self, request: Request, progress: Any) -> Count:
        return self._count


def month_end(tag: str) -> date:
    """The last day counted for a release: `2026.11` holds data up to 2026-10-31."""
    year, month, _ = tag_order(tag)
    return date(year, month, 1) - timedelta(days=1)


def month_count(
    rows: list[tuple[str, int]],
    end: date,
    days: int = 30,
    method: str = "exact",
    engine_fields: dict[str, Any] | None = None,
) -> Count:
    return Count(
        rows=rows,
        projects_counted=len(rows) * 3,
        period=Window(end - timedelta(days=days - 1), end),
        query=QueryStats(bytes_processed=1000 * len(rows)),
        method=method,
        engine_fields=engine_fields or {},
    )


def publish_month(
    repo: git.Repo,
    tag: str,
    count: Count,
    engine: str = "duckdb",
    extra: dict[str, bytes] | None = None,
) -> None:
    """Write the month's files into `data/`, commit them and tag the commit, as publish does;
    `extra` files are written over them (a month's files as another version wrote them)."""
    updated = datetime.combine(count.period.end + timedelta(days=1), time(6, 30), UTC)
    request = Request(count.period, max(len(count.rows), 1))
    collected = collect(Counted(engine, count), request, updated, silent, version=tag)
    files = {**collected.files, **(extra or {})}
    write_files(Path(str(repo.working_tree_dir)) / DATA_FOLDER, files)
    paths = [f"{DATA_FOLDER}/{name}" for name in files]
    commit_and_tag(repo, tag, paths, commit_message(tag, collected.dataset), count.period)


def ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Rows in the dataset's order: downloads descending, ties by name."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def generated_rows(names: list[str], seed: int) -> list[tuple[str, int]]:
    """A heavy-tailed month: the n-th name gets about 2e9 / n downloads, give or take 20%."""
    draw = random.Random(seed)
    return ranked(
        {name: max(1, int(2e9 / n * draw.uniform(0.8, 1.2))) for n, name in enumerate(names, 1)}
    )


def release_tags(first: str, months: int) -> list[str]:
    year, month, _ = tag_order(first)
    tags = []
    for _ in range(months):
        tags.append(f"{year}.{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tags


def publish_generated(repo: git.Repo, first: str, months: int, rows: int, seed: int = 1) -> None:
    """`months` monthly tags from `first` on, `rows` rows each: the same popular names every
    month, and a tail that changes (a twentieth of the rows enter and leave)."""
    churn = rows // 20
    names = project_names(rows + churn, seed)
    for i, tag in enumerate(release_tags(first, months)):
        tail = random.Random(seed + i).sample(names[rows - churn :], churn)
        pool = names[: rows - churn] + tail
        publish_month(repo, tag, month_count(generated_rows(pool, seed + i), month_end(tag)))


# --- the example history the site's tests share ---------------------------------------------

CITATION = """\
cff-version: 1.2.0
message: If you use this dataset, please cite it using the metadata from this file.
type: dataset
title: Top PyPI packages
authors:
  - family-names: Lovelace
    given-names: Ada
  - name: The top-pypi developers
license: CC0-1.0
"""
RELEASES = {
    "schema_version": 1,
    "zenodo": {
        "url": "https://zenodo.org",
        "concept_recid": 100,
        "concept_doi": "10.5281/zenodo.100",
    },
    "releases": {
        "2026.08": {
            "doi": "10.5281/zenodo.101",
            "recid": 101,
            "url": "https://zenodo.org/records/101",
            "published": "2026-08-01",
            "files": {},
        },
        "2026.11.1": {
            "doi": "10.5281/zenodo.104",
            "recid": 104,
            "url": "https://zenodo.org/records/104",
            "published": "2026-11-03",
            "files": {},
        },
    },
}
# Four releases over three months: 2026.10 was not published, 2026.11 was corrected.
EXAMPLE = {
    "2026.08": {"boto3": 900, "requests": 800, "urllib3": 700, "numpy": 500, "six": 40, "idna": 30},
    "2026.09": {"boto3": 950, "urllib3": 820, "requests": 810, "numpy": 520, "idna": 45, "six": 35},
    "2026.11": {"requests": 990, "boto3": 980, "numpy": 600, "urllib3": 590, "idna": 50, "zope": 9},
    "2026.11.1": {
        "requests": 999,
        "boto3": 980,
        "numpy": 600,
        "urllib3": 590,
        "idna": 50,
        "typing-extensions": 12,
    },
}
SAMPLED = "2026.09"  # estimated from 10 of its 30 days, and across PyPI's logging change


def commit_file(repo: git.Repo, name: str, text: str, message: str) -> None:
    (Path(str(repo.working_tree_dir)) / name).write_text(text, encoding="utf-8")
    repo.git.add(name)
    repo.git.commit("-m", message)


def publish_example(repo: git.Repo) -> None:
    """The example history, a hand-made tag (no trailer, so not a release) and the release
    record on the branch after the tags."""
    commit_file(repo, "CITATION.cff", CITATION, "Citation metadata")
    for tag, counts in EXAMPLE.items():
        end = month_end(tag)
        if tag == SAMPLED:
            sampled = [(end - timedelta(days=d)).isoformat() for d in range(0, 30, 3)][::-1]
            count = month_count(
                ranked(counts), end, method="sample", engine_fields={"sampled_days": sampled}
            )
        else:
            count = month_count(ranked(counts), end)
        publish_month(repo, tag, count)
    commit_file(repo, "NOTES.md", "Notes.\n", "Notes")
    repo.create_tag("2026.12", message="made by hand")
    commit_file(repo, "data/releases.json", json.dumps(RELEASES, indent=2) + "\n", "Releases")
