"""The installer breakdown from ClickPy's installer table: a second query, joined in Arrow.

`pypi.pypi_downloads_per_day` has no installer, so the groups of publisher.base.installers come
from ClickPy's much larger `pypi.pypi_downloads_per_day_by_version_by_installer_by_type(project,
version, date, installer, type, count)` (a SummingMergeTree fed by its own materialized view;
an unknown installer is ''). ClickPy loads the two tables separately, so they can disagree for
a project: the per-day table's count stays the download count, `other_downloads` is what its
count leaves after pip, uv, mirrors and unknown, and the disagreement is recorded. Neither
table has a CI flag.
"""

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from publisher.base.installers import CI_INSTALLERS, MIRROR_INSTALLERS
from publisher.count.long_tail import (
    CI,
    CI_CAPABLE,
    DOWNLOADS,
    GROUP_COLUMNS,
    PROJECT,
    not_counted,
)
from publisher.count.window import Window

INSTALLER_TABLE = "pypi.pypi_downloads_per_day_by_version_by_installer_by_type"
PIP, UV, MIRRORS, OTHER, UNKNOWN = GROUP_COLUMNS
COUNTED = "installer_table_downloads"  # the project's downloads as the installer table has them

# Every installer name is bound by the server; the mirror list lives in base/installers.py.
# `other` is not asked: it is the remainder of the per-day count (see the module's docstring).
# No quoted literal: a quote before a `{name:Type}` makes clickhouse-connect read the whole
# statement token by token (twice a query) for placeholders hidden in strings, which for a
# plan of a hundred ranges cost more than the rest of the client's work.
INSTALLERS_SQL = f"""\
SELECT
    project,
    sum(count) AS {COUNTED},
    sumIf(count, installer = {{pip:String}}) AS {PIP},
    sumIf(count, installer = {{uv:String}}) AS {UV},
    sumIf(count, installer IN {{mirrors:Array(String)}}) AS {MIRRORS},
    sumIf(count, empty(installer)) AS {UNKNOWN}
FROM {INSTALLER_TABLE}
WHERE date >= {{start:Date}} AND date < {{stop:Date}} AND notEmpty(project)
GROUP BY project"""

INSTALLERS_SCHEMA = pa.schema(
    [pa.field(PROJECT, pa.string())]
    + [pa.field(name, pa.int64()) for name in (COUNTED, PIP, UV, MIRRORS, UNKNOWN)]
)

NO_CI_FLAG = {
    CI: "ClickPy's tables have no CI flag (details.ci)",
    CI_CAPABLE: "ClickPy's tables have no CI flag: pip + uv downloads without the CI count"
    " beside them would be a denominator without its numerator",
}
MISMATCH = "installer_table_mismatch"  # the engine block's key, only when they disagree


def installer_parameters(window: Window) -> dict[str, Any]:
    pip, uv = CI_INSTALLERS
    stop = window.stop_timestamp.date()
    return {
        "start": window.start,
        "stop": stop,
        "pip": pip,
        "uv": uv,
        "mirrors": list(MIRROR_INSTALLERS),
    }


def unavailable(breakdown: bool) -> dict[str, str]:
    """Why each null breakdown column is null."""
    if not breakdown:
        return not_counted(False)
    return dict(NO_CI_FLAG)


def aligned(ranked: pa.Table, installers: pa.Table) -> pa.Table:
    """The installer answer's rows in the ranked table's order, zeros where it has none."""
    where = pc.index_in(ranked.column(PROJECT), value_set=installers.column(PROJECT))
    taken = installers.take(where)
    return pa.table(
        {name: pc.fill_null(taken.column(name), 0) for name in INSTALLERS_SCHEMA.names[1:]}
    )


def with_breakdown(ranked: pa.Table, installers: pa.Table) -> tuple[pa.Table, dict[str, Any]]:
    """The ranked table with the five group columns, and the engine block's record of where
    the two tables disagree (empty when they agree). A project whose named groups alone exceed
    its count has no breakdown (null): no split of its count would be true."""
    groups = aligned(ranked, installers)
    downloads = ranked.column(DOWNLOADS)
    named = pc.add(pc.add(groups[PIP], groups[UV]), pc.add(groups[MIRRORS], groups[UNKNOWN]))
    other = pc.subtract(downloads, named)
    fits = pc.greater_equal(other, 0)
    columns = {PIP: groups[PIP], UV: groups[UV], MIRRORS: groups[MIRRORS], OTHER: other}
    columns[UNKNOWN] = groups[UNKNOWN]
    table = ranked
    for name in GROUP_COLUMNS:
        table = table.append_column(name, pc.if_else(fits, columns[name], None))
    return table, mismatch(ranked, installers, groups[COUNTED], fits)


def mismatch(
    ranked: pa.Table, installers: pa.Table, counted: pa.Array, fits: pa.Array
) -> dict[str, Any]:
    """How many projects and downloads the two tables disagree on, projects only the installer
    table has included; how many projects were left without a breakdown."""
    difference = pc.abs(pc.subtract(ranked.column(DOWNLOADS), counted))
    elsewhere = pc.invert(pc.is_in(installers.column(PROJECT), value_set=ranked.column(PROJECT)))
    extra = installers.column(COUNTED).filter(elsewhere)
    projects = total(pc.not_equal(difference, 0)) + len(extra)
    if not projects:
        return {}
    downloads = total(difference) + total(extra)
    without = len(fits) - total(fits)
    return {MISMATCH: {"projects": projects, "downloads": downloads, "without_breakdown": without}}


def total(values: pa.Array | pa.ChunkedArray) -> int:
    """The sum of integers or the count of trues; 0 for none."""
    return int(pc.sum(values).as_py() or 0)
