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
