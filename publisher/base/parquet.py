"""A Parquet file held in memory, read as an Arrow table: the one way the package reads one.

pyarrow's `read_table` reads even a single file through its datasets module, whose import
loads pandas: a third of a CPU second at the start of every command that checks a month
(`release` reads each tag's Parquet file before it sends anything). The file reader gives the
same table and loads neither.
"""

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.parquet as pq


def parquet_table(body: bytes, columns: Sequence[str] | None = None) -> pa.Table:
    """The whole file, or only `columns`; a column it does not have is a KeyError (the file
    reader would leave it out without a word). A broken file raises `pa.ArrowException`."""
    file = pq.ParquetFile(pa.BufferReader(body))
    if columns is not None:
        missing = [name for name in columns if name not in file.schema_arrow.names]
        if missing:
            raise KeyError(f"no column {', '.join(missing)}")
    return file.read(columns=None if columns is None else list(columns))
