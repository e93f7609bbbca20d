"""What people read: tables that keep every character of the data, whatever the width."""

import io
from typing import Any

from rich.console import Console

from publisher.cli import report

PATH = "/home/runner/checkouts/a-publishing-repository-with-a-long-name/main/data/2026"
NAME = "a-project-whose-name-is-longer-than-any-eighty-column-log-can-hold-on-one-line"
DATASET: dict[str, Any] = {
    "period": {"start": "2026-10-02", "end": "2026-10-31", "days": 30},
    "engine": {"name": "clickhouse", "method": "exact"},
    "total_rows": 15000,
    "projects_counted": 612345,
    "rows": [
        {"project": NAME, "download_count": 1880218825},
        {"project": "boto3", "download_count": 5},
    ],
}


def drawn(width: int) -> str:
    drawing = io.StringIO()
    console = Console(file=drawing, width=width, color_system=None)
    console.print(
        report.summary_table(DATASET, [("tag", "2026.11, pushed to origin/main"), ("files", PATH)])
    )
    return drawing.getvalue()


def cells(text: str, column: int) -> str:
    """One column's text, its wrapped lines joined back together (spaces dropped)."""
    parts = [line.split("│") for line in text.splitlines()]
    return "".join("".join(part[column].split()) for part in parts if len(part) > column)


def test_the_summary_wraps_instead_of_cutting_in_80_columns() -> None:
    text = drawn(80)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    labels, values = cells(text, 1), cells(text, 2)
    for label in ("period", "engine", "rows", "top5", "tag", "files"):
        assert label in labels
    for value in (
        "2026-10-02to2026-10-31(30days)",
        PATH,
        f"1.{NAME}(1,880,218,825)",
        "15,000of612,345projects",
    ):
        assert value in values
