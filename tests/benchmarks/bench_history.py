"""The history's size (issue 21): 120 generated months of 15,000 rows with realistic names,
written as `top-pypi history` writes them. The history files together (goal <= 15 MB), and what
one more monthly publish adds to a git repository that holds them (goal <= 2 MB): git keeps
every version of the year file the month changes, and Parquet is already compressed."""

import subprocess
import tempfile
from pathlib import Path

import pyarrow as pa

from publisher.dataset.history.folder import Month, with_history_months
from publisher.dataset.history.index import COUNTED, MonthFacts
from publisher.dataset.history.table import month_table
from publisher.history.months import month_window
from publisher.sample.names import project_names
from tests.published import generated_rows, release_tags

MONTHS, ROWS, NAMES = 120, 15_000, 40_000
SIZE_GOAL, GROWTH_GOAL = 15 * 10**6, 2 * 10**6


def month(tag: str, names: list[str], seed: int) -> Month:
    """A month's top ROWS of a heavy-tailed draw over NAMES projects: ranks move month to month."""
    rows = generated_rows(names, seed)[:ROWS]
    window = month_window(tag, 30)
    facts = MonthFacts(tag, window.start, window.end, "clickhouse", "exact", COUNTED, len(rows))
    projects = pa.array([p for p, _ in rows], pa.string())
    downloads = pa.array([n for _, n in rows], pa.int64())
    return Month(facts, month_table(tag, window.start, window.end, projects, downloads))


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True)
    return done.stdout


def repository_bytes(folder: Path) -> int:
    git(folder, "gc", "--quiet", "--aggressive")
    return sum(p.stat().st_size for p in (folder / ".git" / "objects").rglob("*") if p.is_file())


def write(folder: Path, files: dict[str, bytes]) -> None:
    for name, body in files.items():
        (folder / name).write_bytes(body)


def run() -> list[tuple[str, float, str]]:
    names = project_names(NAMES, 1)
    # The last month is a December: its publish rewrites the year file of 12 months, the worst.
    tags = release_tags("2016.01", MONTHS)
    files: dict[str, bytes] = {}
    for i, tag in enumerate(tags[:-1]):
        files = with_history_months(files, [month(tag, names, 100 + i)])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        git(folder, "init", "--quiet")
        git(folder, "config", "user.email", "bench@example.org")
        git(folder, "config", "user.name", "bench")
        write(folder, files)
        git(folder, "add", ".")
        git(folder, "commit", "--quiet", "-m", "history")
        before = repository_bytes(folder)
        files = with_history_months(files, [month(tags[-1], names, 100 + MONTHS)])
        write(folder, files)
        git(folder, "add", ".")
        git(folder, "commit", "--quiet", "-m", "one more month")
        growth = repository_bytes(folder) - before
    size = sum(len(body) for body in files.values())
    return [
        ("history files, 120 months of 15,000 rows", size / 1e6, "MB"),
        ("history files: goal 15 MB, share of it", size / SIZE_GOAL, "x"),
        ("git growth of one monthly publish", growth / 1e6, "MB"),
        ("git growth: goal 2 MB, share of it", growth / GROWTH_GOAL, "x"),
    ]
