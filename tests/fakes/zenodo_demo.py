"""`make run`'s Zenodo: the local stand-in, its state kept under FOLDER/zenodo (a second
`make run` sees the records of the first), for as long as `top-pypi demo FOLDER` runs.

    python -m tests.fakes.zenodo_demo FOLDER
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn

PORT_FILE = "zenodo.port"


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "scratch")
    (folder / "zenodo").mkdir(parents=True, exist_ok=True)
    # The same port every time: the scratch repository records the URL its DOIs came from.
    port_file = folder / PORT_FILE
    port = int(port_file.read_text()) if port_file.exists() else 0
    with open(folder / "zenodo.log", "a", encoding="utf-8") as log:
        try:
            stand_in = ZenodoStandIn(folder / "zenodo", log=log, port=port)
        except OSError as exc:
            print(f"error: the local Zenodo cannot listen on port {port} ({exc.strerror}).")
            print(f"Free that port, or delete {folder} to start the demo afresh.")
            return 1
        with stand_in as zenodo:
            port_file.write_text(zenodo.url.rsplit(":", 1)[1])
            environ = {**os.environ, "ZENODO_API_TOKEN": DEFAULT_TOKEN}
            command = [sys.executable, "-m", "publisher", "demo", str(folder)]
            done = subprocess.run([*command, "--zenodo-url", zenodo.url], env=environ)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
