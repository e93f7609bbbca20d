"""Publishing repositories whose months are made from generated datasets, not counted
events: each month goes through the real collect (build, validate, serialise) and the real
release commit (`Top-PyPI-Tag` trailer, annotated tag), as `top-pypi publish` does it.
The site's tests and its build benchmark share these."""

import dataclasses
import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypedDict

import git
import pyarrow as pa

from publisher.base.progress import Progress, silent
from publisher.cli.publish import commit_message
from publisher.count import long_tail
from publisher.count.engines.base import Count, Plan, QueryStats, Request
from publisher.count.window import Window
from publisher.dataset.build import (
    DATA_FOLDER,
    DATAPACKAGE_FILE,
    EXTENDED_JSON_FILE,
    SCHEMA_FILE,
    serialise,
)
from publisher.dataset.collect import Collected, collect, schema_bytes
from publisher.dataset.datapackage import build_datapackage
from publisher.dataset.datapackage import to_bytes as datapackage_bytes
from publisher.dataset.extended import to_extended_json
from publisher.dataset.previous import Previous
from publisher.dataset.validate import json_schema
from publisher.dataset.write import write_files
from publisher.release.calver import tag_order
from publisher.release.git import commit_and_tag
from publisher.sample.names import project_names

OLDER_VERSION = 2  # the schema_version of releases made before the extended files


class Counted:
    """An engine that has already counted: it gives back the count it was made with."""

    def __init__(self, name: str, count: Count) -> None:
        self.name = name
        self._count = count

    def sql(self, request: Request) -> str:
        return "-- generated, not counted"

    def plan(self, request: Request, progress: Progress = silent) -> Plan:
        return Plan(self.name, request.window, self.sql(request))

    def count(self, request: Request, progress: Progress) -> Count:
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
    edit: Callable[[Collected, str], Collected] | None = None,
    previous: Previous | None = None,
) -> None:
    """Write the month's files into `data/`, commit them and tag the commit, as publish does;
    `edit` changes the files first (`flagging`, `before_extended`), then `extra` files are
    written over them (a month's files as another version wrote them). With `previous`, its
    ranks are the month's previous ranks, as `publish` reads them from the month before."""
    updated = datetime.combine(count.period.end + timedelta(days=1), time(6, 30), UTC)
    request = Request(count.period, max(len(count.rows), 1))
    engine_counted = Counted(engine, count)
    collected = collect(engine_counted, request, updated, silent, version=tag, previous=previous)
    if edit is not None:
        collected = edit(collected, tag)
    files = {**collected.files, **(extra or {})}
    write_files(Path(str(repo.working_tree_dir)) / DATA_FOLDER, files)
    paths = [f"{DATA_FOLDER}/{name}" for name in files]
    commit_and_tag(repo, tag, paths, commit_message(tag, collected.dataset), count.period)


def flagging(flags: list[dict[str, Any]]) -> Callable[[Collected, str], Collected]:
    """An `edit` that gives the month these anomaly flags in its extended JSON (the data
    package's hashes to match): a flagged month whatever the rules find in generated counts."""

    def edit(collected: Collected, tag: str) -> Collected:
        files = dict(collected.files)
        extended = json.loads(files[EXTENDED_JSON_FILE])
        files[EXTENDED_JSON_FILE] = to_extended_json({**extended, "anomalies": flags})
        files[DATAPACKAGE_FILE] = datapackage_bytes(
            build_datapackage(collected.dataset, files, tag)
        )
        return dataclasses.replace(collected, files=files)

    return edit


def before_extended(collected: Collected, tag: str) -> Collected:
    """An `edit` that leaves the files a release made before the extended files held
    (schema_version 2): the compatible files, their schema and data package, no copies."""
    dataset = {**collected.dataset, "schema_version": OLDER_VERSION}
    files = serialise(dataset)
    files[SCHEMA_FILE] = schema_bytes(json_schema(OLDER_VERSION))
    files[DATAPACKAGE_FILE] = datapackage_bytes(build_datapackage(dataset, files, tag))
    return Collected(dataset, files)


def with_breakdown(count: Count, seed: int = 5, unavailable: dict[str, str] | None = None) -> Count:
    """The count as an engine that splits it gives it: each row's downloads split between the
    installer groups, and a share of pip's and uv's flagged as CI, drawn from `seed`; the
    columns named in `unavailable` null, with their reasons."""
    draw = random.Random(seed)
    columns: dict[str, list[int | None]] = {name: [] for name in long_tail.BREAKDOWN_COLUMNS}
    for _, downloads in count.rows:
        pip, uv, mirrors, unknown = (downloads * draw.randint(0, 25) // 100 for _ in range(4))
        split = {
            "pip_downloads": pip,
            "uv_downloads": uv,
            "mirror_downloads": mirrors,
            "other_downloads": downloads - pip - uv - mirrors - unknown,
            "unknown_downloads": unknown,
            long_tail.CI: (pip + uv) * draw.randint(0, 90) // 100,
            long_tail.CI_CAPABLE: pip + uv,
        }
        for name, value in split.items():
            columns[name].append(None if name in (unavailable or {}) else value)
    table = long_tail.from_rows(count.rows)
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pa.array(values, pa.int64()))
    return dataclasses.replace(count, table=table, unavailable=dict(unavailable or {}))


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


def publish_generated(
    repo: git.Repo,
    first: str,
    months: int,
    rows: int,
    seed: int = 1,
    breakdown: bool = False,
    start: int = 0,
) -> None:
    """`months` monthly tags from `first` on, `rows` rows each: the same popular names every
    month, and a tail that changes (a twentieth of the rows enter and leave); with
    `breakdown`, each split by installer group and CI (`with_breakdown`). From the `start`-th
    month on: the months before it were published by an earlier call."""
    churn = rows // 20
    names = project_names(rows + churn, seed)
    for i, tag in enumerate(release_tags(first, months)):
        if i < start:
            continue
        tail = random.Random(seed + i).sample(names[rows - churn :], churn)
        pool = names[: rows - churn] + tail
        count = month_count(generated_rows(pool, seed + i), month_end(tag))
        publish_month(repo, tag, with_breakdown(count, seed + i) if breakdown else count)


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


class ZenodoConcept(TypedDict):
    url: str
    concept_recid: int
    concept_doi: str


class ReleaseEntry(TypedDict):
    doi: str
    recid: int
    url: str
    published: str
    files: dict[str, str]  # name -> "md5:<hex>"


class ReleasesJson(TypedDict):
    """data/releases.json as publisher.release.zenodo.record writes it."""

    schema_version: int
    zenodo: ZenodoConcept
    releases: dict[str, ReleaseEntry]


RELEASES: ReleasesJson = {
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
OLDER = "2026.08"  # released before the extended files: no honest numbers, no `-30-days` copies
NO_CI = "2026.11"  # counted with the breakdown but no CI column, as from ClickPy's tables
NO_CI_REASON = "ClickPy's tables have no CI flag"
FLAGGED = "2026.11.1"  # the breakdown, and a flag about the month and two about projects
FLAGS = [
    {
        "kind": "top10_entry",
        "message": "typing-extensions entered the top 10 at rank 6 from outside the top 1,000.",
        "structural": False,
        "project": "typing-extensions",
        "rank": 6,
        "previous_rank": None,
    },
    {
        "kind": "bot_spike",
        "message": "idna: its two busiest days hold 80% of its downloads, 40 times its median day.",
        "structural": False,
        "project": "idna",
        "rank": 5,
        "busiest_two_days": 40,
        "download_count": 50,
        "median_day": 1.0,
    },
    {
        "kind": "low_day",
        "message": "2026-10-14 had 30% of the downloads of its weekday's median.",
        "structural": False,
        "day": "2026-10-14",
        "rows": 300,
        "expected": 1000,
    },
]


# Bot spikes by the rule before issue 20 (any rank of the top --limit, any median day): the
# tag's files keep them, the site leaves them out (publisher.dataset.anomalies.is_flagged).
OLD_RULE_FLAGS = [
    {
        "kind": "bot_spike",
        "message": "urllib3 (rank 4) had 500 of its 590 downloads on its two busiest days.",
        "structural": False,
        "project": "urllib3",
        "rank": 4,
        "busiest_two_days": 500,
        "download_count": 590,
        "median_day": 0.0,
    },
    {
        "kind": "bot_spike",
        "message": "far-below (rank 1,200) had 90 of its 100 downloads on its two busiest days.",
        "structural": False,
        "project": "far-below",
        "rank": 1200,
        "busiest_two_days": 90,
        "download_count": 100,
        "median_day": 2.0,
    },
]


def tag_blob(repo: Path, tag: str, name: str) -> bytes:
    """A file of the tag's data folder, as git holds it."""
    with git.Repo(repo) as opened:
        data: bytes = (opened.tags[tag].commit.tree / f"{DATA_FOLDER}/{name}").data_stream.read()
    return data


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
            count = with_breakdown(month_count(ranked(counts), end))
        if tag == NO_CI:
            reasons = {long_tail.CI: NO_CI_REASON, long_tail.CI_CAPABLE: NO_CI_REASON}
            count = with_breakdown(count, unavailable=reasons)
        edits = {OLDER: before_extended, FLAGGED: flagging([*FLAGS, *OLD_RULE_FLAGS])}
        publish_month(repo, tag, count, edit=edits.get(tag))
    commit_file(repo, "NOTES.md", "Notes.\n", "Notes")
    repo.create_tag("2026.12", message="made by hand")
    commit_file(repo, "data/releases.json", json.dumps(RELEASES, indent=2) + "\n", "Releases")
