"""Progress for people: a status line each stage updates, and a bar for long loops.

In a terminal they animate; in a log (CI has no terminal) they print plain lines.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

# Called with a short description of what the engine is doing now, for the progress display.
Progress = Callable[[str], None]


def silent(message: str) -> None:
    """The progress of a step nobody watches (a dry run's measurements)."""


@contextmanager
def status(console: Console, first: str) -> Iterator[Progress]:
    """A spinner whose text each stage updates; plain lines in logs (CI has no terminal)."""
    if not console.is_terminal:
        console.print(first, style="dim", soft_wrap=True)
        yield lambda message: console.print(message, style="dim", soft_wrap=True)
        return
    with console.status(first) as spinner:
        yield lambda message: spinner.update(message)


@contextmanager
def counter(console: Console, description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar fed with how many of `total` are done so far."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with RichProgress(*columns, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)
