"""The previous published month, for the extended dataset's previous rank and the anomaly
flags: which month it is, where its ranks came from, and its mean downloads per day.
`previous_files.py` reads it from a month's files.
"""

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

RANKS_SCHEMA = pa.schema([("project", pa.string()), ("rank", pa.int32())])


@dataclass(frozen=True)
class Previous:
    block: dict[str, Any]  # the extended JSON's `previous` block: which month, from which file
    ranks: pa.Table  # RANKS_SCHEMA: the rows that month published; a project below has none
    mean_per_day: float | None  # None when that month's files do not say (before extended files)
