"""The synthetic events: real Parquet files, read back as a counting engine would read them."""

import re
import shutil
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.base.errors import DiskSpaceError, UsageError
from publisher.base.events_schema import FILE_DOWNLOADS
from publisher.base.installers import MIRROR_INSTALLERS
from publisher.sample.generator import (
    BYTES_PER_EVENT,
    SampleSpec,
    check_room,
    check_spec,
    daily_counts,
    day_file,
    estimated_bytes,
    project_names,
    sample_days,
    write_sample,
)

DAY_US = 86_400 * 10**6

# Two full weeks, so every weekday and weekend day appears twice.
SPEC = SampleSpec(events=200_000, projects=5_000, days=14, end=date(2026, 10, 31), seed=11)
SMALL = SampleSpec(events=20_000, projects=500, days=3, end=date(2026, 10, 31), seed=5)
PEP_503 = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder, SPEC)
    return folder


@pytest.fixture(scope="module")
def events(sample_dir: Path) -> pa.Table:
    return pq.read_table(sorted(sample_dir.glob("*.parquet")))


def column(table: pa.Table, path: str) -> list[Any]:
    head, *rest = path.split(".")
    values = table.column(head).combine_chunks()
    for name in rest:
        values = pc.struct_field(values, name)
    return list(values.to_pylist())


def test_files_have_exactly_the_file_downloads_schema(sample_dir: Path) -> None:
    for path in sample_dir.glob("*.parquet"):
        assert pq.read_schema(path) == FILE_DOWNLOADS, path.name


def test_there_is_one_file_per_day_named_by_its_date(sample_dir: Path) -> None:
    expected = [f"{(SPEC.end - timedelta(days=n)).isoformat()}.parquet" for n in range(14)]
    assert sorted(p.name for p in sample_dir.iterdir()) == sorted(expected)
    assert day_file(Path("out"), date(2026, 1, 2)) == Path("out/2026-01-02.parquet")


def microseconds(table: pa.Table) -> npt.NDArray[np.int64]:
    """Microseconds since the epoch, UTC, as numpy sees them: fast to check in bulk."""
    stamps = table.column("timestamp").combine_chunks()
    assert stamps.type == pa.timestamp("us", tz="UTC")
    return np.asarray(stamps.cast(pa.int64()).to_numpy(), dtype=np.int64)


def test_timestamps_lie_inside_their_day_and_are_sorted(sample_dir: Path) -> None:
    for day in sample_days(SPEC):
        stamps = microseconds(pq.read_table(day_file(sample_dir, day), columns=["timestamp"]))
        start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 10**6
        assert stamps.min() >= start
        assert stamps.max() < start + DAY_US
        assert (np.diff(stamps) >= 0).all()


def test_timestamps_have_microseconds_spread_over_the_day(events: pa.Table) -> None:
    stamps = microseconds(events)
    assert len(np.unique(stamps[:1000] % 10**6)) > 900
    hours = np.bincount(stamps // 3_600_000_000 % 24, minlength=24)
    assert hours.min() > 0
    assert hours.max() < 3 * hours.min()  # a daily rhythm, not bursts


def test_timestamp_statistics_let_readers_skip_row_groups(sample_dir: Path) -> None:
    metadata = pq.ParquetFile(day_file(sample_dir, SPEC.end)).metadata
    for index in range(metadata.num_row_groups):
        statistics = metadata.row_group(index).column(0).statistics
        assert metadata.row_group(index).column(0).path_in_schema == "timestamp"
        assert statistics is not None
        assert statistics.has_min_max


def test_events_add_up_to_the_requested_number(sample_dir: Path) -> None:
    rows = [pq.ParquetFile(p).metadata.num_rows for p in sample_dir.glob("*.parquet")]
    assert sum(rows) == SPEC.events


def test_weekends_are_visibly_quieter_than_weekdays(sample_dir: Path) -> None:
    rows = {d: pq.ParquetFile(day_file(sample_dir, d)).metadata.num_rows for d in sample_days(SPEC)}
    weekend = [n for d, n in rows.items() if d.weekday() >= 5]
    weekday = [n for d, n in rows.items() if d.weekday() < 5]
    assert len(weekend) == 4
    assert 0.5 < (sum(weekend) / len(weekend)) / (sum(weekday) / len(weekday)) < 0.7


def test_popularity_is_heavy_tailed(events: pa.Table) -> None:
    counts = sorted(Counter(column(events, "project")).values(), reverse=True)
    top_percent = counts[: SPEC.projects // 100]
    assert sum(top_percent) / SPEC.events > 0.35
    assert counts[0] / SPEC.events < 0.1  # no single project swamps the rest
    assert len(counts) > SPEC.projects * 0.6  # and the long tail is there


def test_every_installer_appears_including_a_missing_one(events: pa.Table) -> None:
    installers = Counter(column(events, "details.installer.name"))
    assert {"pip", "uv", "poetry", None} | set(MIRROR_INSTALLERS) <= set(installers)
    assert installers["pip"] / SPEC.events > 0.5
    mirrors = sum(installers[name] for name in MIRROR_INSTALLERS)
    assert 0.01 < mirrors / SPEC.events < 0.06


def test_ci_is_true_or_null_and_only_pip_and_uv_set_it(events: pa.Table) -> None:
    ci = column(events, "details.ci")
    assert set(ci) == {True, None}
    setters = {
        name
        for name, flag in zip(column(events, "details.installer.name"), ci, strict=True)
        if flag
    }
    assert setters == {"pip", "uv"}


def test_clients_report_several_pythons_and_systems(events: pa.Table) -> None:
    minors = {".".join(v.split(".")[:2]) for v in column(events, "details.python") if v}
    assert {f"3.{minor}" for minor in range(8, 15)} <= minors
    assert {"CPython", "PyPy"} <= set(column(events, "details.implementation.name"))
    assert {"Linux", "Darwin", "Windows"} <= set(column(events, "details.system.name"))
    assert {"x86_64", "aarch64", "arm64", "AMD64"} <= set(column(events, "details.cpu"))


def test_project_is_normalised_and_matches_the_file(events: pa.Table) -> None:
    projects = column(events, "project")
    assert projects == column(events, "file.project")
    assert all(PEP_503.fullmatch(name) for name in set(projects))


def file_suffix(name: str) -> str:
    found = re.search(r"\.(whl|tar\.gz|zip)$", name)
    assert found is not None, name
    return found.group(1)


def test_file_types_match_their_file_names(events: pa.Table) -> None:
    kinds = Counter(
        (kind, file_suffix(name))
        for kind, name in zip(
            column(events, "file.type"), column(events, "file.filename"), strict=True
        )
    )
    assert set(kinds) == {("bdist_wheel", "whl"), ("sdist", "tar.gz"), ("sdist", "zip")}
    assert kinds[("bdist_wheel", "whl")] > kinds[("sdist", "tar.gz")] > kinds[("sdist", "zip")]


def test_file_names_urls_and_versions_agree(events: pa.Table) -> None:
    some = events.slice(0, 5000)
    rows = zip(
        column(some, "project"),
        column(some, "file.filename"),
        column(some, "file.version"),
        column(some, "url"),
        strict=True,
    )
    for project, filename, version, url in rows:
        assert filename.startswith(f"{project.replace('-', '_')}-{version}")
        assert re.fullmatch(r"\d+\.\d+\.\d+", version)
        assert re.fullmatch(
            r"/packages/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}/" + re.escape(filename), url
        )


def test_network_fields_are_filled(events: pa.Table) -> None:
    countries = Counter(column(events, "country_code"))
    assert countries.most_common(1)[0][0] == "US"
    assert {"TLSv1.2", "TLSv1.3"} == set(column(events, "tls_protocol"))
    assert None not in set(column(events, "tls_cipher"))


def test_duckdb_reads_the_folder_as_one_table(sample_dir: Path) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    top = con.execute(
        "SELECT file.project, count(*) AS n FROM read_parquet(?)"
        " WHERE timestamp >= TIMESTAMPTZ '2026-10-30 00:00:00+00'"
        " GROUP BY ALL ORDER BY n DESC LIMIT 1",
        [str(sample_dir / "*.parquet")],
    ).fetchall()
    assert top[0][0] in project_names(SPEC.projects, SPEC.seed)[:5]


def test_the_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = write_sample(tmp_path / "a", SMALL)
    second = write_sample(tmp_path / "b", SMALL)
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_another_seed_gives_other_events(tmp_path: Path) -> None:
    first = write_sample(tmp_path / "a", SMALL)
    other = write_sample(tmp_path / "b", replace(SMALL, seed=6))
    assert first[0].read_bytes() != other[0].read_bytes()
    assert project_names(100, 5) != project_names(100, 6)


def test_writing_again_overwrites_and_leaves_no_partial_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = [p.read_bytes() for p in write_sample(out, SMALL)]
    day_file(out, SMALL.end).write_bytes(b"half a file from a crashed run")
    again = write_sample(out, SMALL)
    assert [p.read_bytes() for p in again] == first
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in again)


def test_progress_counts_up_to_every_event(tmp_path: Path) -> None:
    seen: list[int] = []
    write_sample(tmp_path / "out", SMALL, seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == SMALL.events


def test_fewer_events_than_days_still_writes_every_day(tmp_path: Path) -> None:
    files = write_sample(tmp_path / "out", SampleSpec(events=3, projects=2, days=7, end=SMALL.end))
    assert len(files) == 7
    assert all(pq.read_schema(p) == FILE_DOWNLOADS for p in files)
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in files) == 3


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"events": 0}, "--events 0"),
        ({"events": -5}, "--events -5"),
        ({"events": 100_000_000_000_000}, "--events 100000000000000 is more than 1,000,000,000"),
        ({"projects": 0}, "--projects 0"),
        ({"projects": 10_000_000}, "--projects 10000000"),
        ({"days": 0}, "--days 0"),
        ({"days": 367}, "--days 367"),
        ({"seed": -1}, "--seed -1"),
    ],
)
def test_bad_spec_values_are_named_in_a_usage_error(
    tmp_path: Path, change: dict[str, Any], named: str
) -> None:
    spec = replace(SMALL, **change)
    with pytest.raises(UsageError, match=re.escape(named)):
        check_spec(spec)
    with pytest.raises(UsageError):
        write_sample(tmp_path / "out", spec)
    assert not (tmp_path / "out").exists()


def test_a_good_spec_passes_unchanged() -> None:
    assert check_spec(SPEC) is SPEC


def test_names_are_unique_normalised_and_plausible() -> None:
    names = project_names(20_000, 0)
    assert len(set(names)) == len(names) == 20_000
    assert all(PEP_503.fullmatch(n) for n in names)
    assert all(re.sub(r"[-_.]+", "-", n).lower() == n for n in names)
    assert sum(any(c.isdigit() for c in n) for n in names) > 1000
    assert sum("-" in n for n in names) > 5000
    assert 6 < sum(len(n) for n in names) / len(names) < 20


@given(count=st.integers(0, 300), seed=st.integers(0, 2**32))
def test_any_count_of_names_is_unique_and_normalised(count: int, seed: int) -> None:
    names = project_names(count, seed)
    assert len(set(names)) == len(names) == count
    assert all(PEP_503.fullmatch(n) for n in names)


@given(
    total=st.integers(0, 10**9),
    end=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    days=st.integers(1, 366),
)
def test_daily_counts_add_up_and_follow_the_week(total: int, end: date, days: int) -> None:
    window = sample_days(SampleSpec(days=days, end=end))
    counts = daily_counts(total, window)
    assert sum(counts) == total
    assert min(counts) >= 0
    weekday = [n for d, n in zip(window, counts, strict=True) if d.weekday() < 5]
    weekend = [n for d, n in zip(window, counts, strict=True) if d.weekday() >= 5]
    if weekday and weekend:
        assert max(weekend) <= min(weekday)
    assert window[-1] == end
    assert len(window) == days


@pytest.mark.parametrize("spec", [SPEC, SMALL, replace(SMALL, projects=2_000_000, events=1_000)])
def test_the_size_estimate_is_not_below_what_is_written(tmp_path: Path, spec: SampleSpec) -> None:
    files = write_sample(tmp_path / "out", spec)
    written = sum(path.stat().st_size for path in files)
    assert written <= estimated_bytes(spec) <= 5 * written + 64 * 1024 * spec.days


def test_a_sample_that_would_not_fit_on_the_disk_is_refused_before_writing(
    tmp_path: Path,
) -> None:
    """The real free space of the test's disk: a sample bigger than it is refused whole."""
    out = tmp_path / "not-yet" / "events"
    free = shutil.disk_usage(tmp_path).free
    too_big = replace(SMALL, events=free // BYTES_PER_EVENT + 1)
    with pytest.raises(DiskSpaceError) as caught:
        check_room(out, too_big)
    assert str(caught.value).startswith(f"{out} has ")
    assert "free, but " in str(caught.value)
    assert "--events" in caught.value.tip
    assert not (tmp_path / "not-yet").exists()
    check_room(out, SMALL)  # what fits passes
