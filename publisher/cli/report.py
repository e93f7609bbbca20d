"""What people read in the terminal: plans, summaries and errors, drawn with rich."""

from typing import Any

from rich.console import Console
from rich.table import Table

from publisher.count.engines.base import Plan

TOP = 5


def facts_table(title: str) -> Table:
    """Labels and values. A value too long for the terminal (an 80-column CI log) wraps, and a
    word too long for a line folds onto the next: data is never cut short with an ellipsis."""
    table = Table(title=title, show_header=False)
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def plan_table(plan: Plan, extra: list[tuple[str, str]] | None = None) -> Table:
    table = facts_table("Plan (dry run: nothing is spent or written)")
    table.add_row("engine", plan.engine)
    table.add_row("period", f"{plan.window.start} to {plan.window.end} ({plan.window.days} days)")
    for label, value in [*plan.facts, *(extra or [])]:
        table.add_row(label, value)
    table.add_row("query", plan.sql)
    return table


def summary_table(dataset: dict[str, Any], facts: list[tuple[str, str]]) -> Table:
    period, engine = dataset["period"], dataset["engine"]
    table = facts_table("top-pypi")
    table.add_row("period", f"{period['start']} to {period['end']} ({period['days']} days)")
    table.add_row("engine", f"{engine['name']} ({engine['method']})")
    table.add_row("rows", f"{dataset['total_rows']:,} of {dataset['projects_counted']:,} projects")
    table.add_row(f"top {TOP}", top_lines(dataset["rows"][:TOP]))
    for label, value in facts:
        table.add_row(label, value)
    return table


def top_lines(rows: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{rank}. {row['project']} ({row['download_count']:,})" for rank, row in enumerate(rows, 1)
    )


def print_sql(out: Console, sql: str) -> None:
    """Highlighted in a terminal; plain text when piped, so it can be fed to another tool."""
    if out.is_terminal:
        from rich.syntax import Syntax  # pygments: imported only when colour is shown

        out.print(Syntax(sql, "sql", theme="ansi_dark", word_wrap=True))
    else:
        out.file.write(sql + "\n")
