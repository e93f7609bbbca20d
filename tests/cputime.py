"""`pytest -n 0 -p tests.cputime --cpu-durations=N`: the N tests that took the most CPU time,
set-up and tear-down included, with the wall time beside it.

On a machine other people load, wall time says how busy the machine was; CPU time (this
process's threads and the children it has waited for) says what a test costs. A child's time
is counted when it is waited for: a module's browser, closed at the module's end, is counted
in its last test.
"""

import resource
import time
from collections.abc import Generator

import pytest

COSTS: list[tuple[float, float, str]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cpu-durations", type=int, default=20, metavar="N")


def cpu_seconds() -> float:
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    try:
        return (yield)
    finally:
        COSTS.append((cpu_seconds() - cpu, time.perf_counter() - wall, item.nodeid))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    shown = sorted(COSTS, reverse=True)[: config.getoption("cpu_durations")]
    terminalreporter.section(f"most CPU time: {sum(c for c, _, _ in COSTS):.1f} s in all")
    for cpu, wall, nodeid in shown:
        terminalreporter.write_line(f"{cpu:7.2f}s cpu {wall:7.2f}s wall  {nodeid}")
