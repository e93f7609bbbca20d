"""One count, start to finish: engine → dataset → validation → files. No git here."""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from publisher.base.errors import IncompleteDataError
from publisher.base.progress import Progress
from publisher.count.engines.base import Count, Engine, Request
from publisher.dataset.anomalies import find_anomalies, refuse_structural
from publisher.dataset.build import (
    DATAPACKAGE_FILE,
    SCHEMA_FILE,
    SCHEMA_VERSION,
    build_dataset,
    serialise,
)
from publisher.dataset.datapackage import build_datapackage
from publisher.dataset.datapackage import to_bytes as datapackage_bytes
from publisher.dataset.previous import Previous
from publisher.dataset.validate import json_schema, validate_dataset
from publisher.dataset.write import write_files


@dataclass(frozen=True)
class Collected:
    dataset: dict[str, Any]
    files: dict[str, bytes]  # file name → bytes, everything that goes into the data folder


def check_not_empty(count: Count) -> None:
    """No rows is never a dataset, not even with --allow-incomplete: a valid-looking empty
    month would be cited as "nobody downloaded anything"."""
    if not count.rows:
        period, unnamed = count.period, count.unnamed_downloads
        without = f" ({unnamed:,} downloads without a project name)" if unnamed else ""
        raise IncompleteDataError(
            f"No downloads were counted from {period.start} to {period.end}: the source has"
            f" no events of a named project in that window{without}.",
            "Nothing was written. Choose an --end-date the source has events for.",
        )


def collect(
    engine: Engine,
    request: Request,
    now: datetime,
    progress: Progress,
    version: str | None = None,
    previous: Previous | None = None,
    accept_anomalies: bool = False,
) -> Collected:
    """Count, build and validate; raises before returning anything invalid."""
    count = engine.count(request, progress)
    check_not_empty(count)
    refuse_structural(find_anomalies(count, previous, request.limit), accept_anomalies)
    dataset = build_dataset(count, engine.name, now)
    progress("Validating the dataset")
    validate_dataset(dataset, request.limit, count.period)
    files = serialise(dataset)
    files[SCHEMA_FILE] = (json.dumps(json_schema(SCHEMA_VERSION), indent=2) + "\n").encode()
    files[DATAPACKAGE_FILE] = datapackage_bytes(build_datapackage(dataset, files, version))
    return Collected(dataset=dataset, files=files)


def write_collected(collected: Collected, folder: Path) -> list[Path]:
    return write_files(folder, collected.files)
