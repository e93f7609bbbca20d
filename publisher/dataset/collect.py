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
    EXTENDED_SCHEMA_FILE,
    SCHEMA_FILE,
    SCHEMA_VERSION,
    build_dataset,
    copies,
    serialise,
)
from publisher.dataset.datapackage import build_datapackage
from publisher.dataset.datapackage import to_bytes as datapackage_bytes
from publisher.dataset.extended import EXTENDED_SCHEMA, extended_files
from publisher.dataset.previous import Previous
from publisher.dataset.validate import (
    check_columns,
    check_extended,
    extended_json_schema,
    json_schema,
    validate_dataset,
)
from publisher.dataset.write import write_files


@dataclass(frozen=True)
class Collected:
    dataset: dict[str, Any]
    files: dict[str, bytes]  # file name → bytes, everything that goes into the data folder
    facts: tuple[tuple[str, str], ...] = ()  # the engine's account of the run, for people


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


def schema_bytes(schema: dict[str, Any]) -> bytes:
    return (json.dumps(schema, indent=2) + "\n").encode()


def collect(
    engine: Engine,
    request: Request,
    now: datetime,
    progress: Progress,
    version: str | None = None,
    previous: Previous | None = None,
    accept_anomalies: bool = False,
) -> Collected:
    """Count, build and validate; raises before returning anything invalid, and stops at a
    structural anomaly unless `accept_anomalies`."""
    count = engine.count(request, progress)
    check_not_empty(count)
    anomalies = find_anomalies(count, previous, request.limit)
    refuse_structural(anomalies, accept_anomalies)
    dataset = build_dataset(count, engine.name, now)
    progress("Validating the dataset")
    validate_dataset(dataset, request.limit, count.period)
    files = serialise(dataset)
    files.update(copies(files))
    files[SCHEMA_FILE] = schema_bytes(json_schema(SCHEMA_VERSION))
    extended, extended_bytes = extended_files(count, dataset, previous, anomalies)
    check_extended(extended, dataset)
    check_columns([(f.name, str(f.type)) for f in EXTENDED_SCHEMA], SCHEMA_VERSION)
    files.update(extended_bytes)
    files[EXTENDED_SCHEMA_FILE] = schema_bytes(extended_json_schema(SCHEMA_VERSION))
    files[DATAPACKAGE_FILE] = datapackage_bytes(build_datapackage(dataset, files, version))
    return Collected(dataset=dataset, files=files, facts=count.facts)


def write_collected(collected: Collected, folder: Path) -> list[Path]:
    return write_files(folder, collected.files)
