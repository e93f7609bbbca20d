"""What a command costs before it does anything: every test that starts the command line as a
child pays it, and so does a person who asks for `--help`."""

import json
import subprocess
import sys

import pytest

# Each of these takes a noticeable part of a second to import; none is needed to parse options.
HEAVY = ("pyarrow", "numpy", "duckdb", "git", "jinja2", "requests", "google.cloud.bigquery")

LOADED = """
import json, sys
from publisher.cli import main
code = main(sys.argv[1:])
print(json.dumps([name for name in {heavy} if name in sys.modules]), file=sys.__stderr__)
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("argv", "code"), [(["--help"], 0), (["publish", "--help"], 0), (["publish", "--no-such"], 2)]
)
def test_parsing_the_command_line_loads_no_heavy_library(argv: list[str], code: int) -> None:
    script = LOADED.format(heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == code, done.stderr
    assert json.loads(done.stderr.splitlines()[-1]) == []


# What `release` never needs: it checks each tag's files (Arrow, git, the Zenodo client)
# before it sends anything, but counts nothing and builds no site. pandas comes with pyarrow's
# `read_table` (its datasets module) and with its first `pa.array`: a third of a second.
NOT_FOR_RELEASE = (
    "pandas",
    "duckdb",
    "jinja2",
    "google.cloud.bigquery",
    "publisher.dataset.collect",
)

RELEASE = """
import io, json, sys
import pyarrow as pa, pyarrow.parquet as pq
import publisher.cli.commands, publisher.cli.release
from publisher.base.parquet import parquet_table
from publisher.dataset.extended import first_ranks
from publisher.dataset.history.table import from_parquet
sink = io.BytesIO()
pq.write_table(pa.Table.from_arrays([first_ranks(3)], names=["rank"]), sink)
assert parquet_table(sink.getvalue(), ["rank"]).column(0).to_pylist() == [1, 2, 3]
assert from_parquet(sink.getvalue()).num_rows == 3
print(json.dumps([name for name in {unwanted} if name in sys.modules]))
"""


def test_a_release_reads_its_files_without_the_engines_or_pandas() -> None:
    script = RELEASE.format(unwanted=NOT_FOR_RELEASE)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
