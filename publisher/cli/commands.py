"""What each CLI command does, in terms of the library; the parsing lives in `cli`."""

import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from publisher.base.days import parse_date
from publisher.base.errors import UsageError
from publisher.base.progress import counter, status
from publisher.cli.options import (
    CollectOptions,
    DemoOptions,
    HistoryOptions,
    Options,
    PublishOptions,
    ReleaseOptions,
    SampleOptions,
    SiteOptions,
    ValidateOptions,
)
from publisher.count.window import window_ending
from publisher.dataset.write import check_writable_folder

if TYPE_CHECKING:
    from publisher.release.zenodo.record import Record


def run_collect(options: CollectOptions, now: datetime, out: Console, err: Console) -> int:
    # Here, not at the top: a command that counts nothing (`release`, `site`) never loads the
    # engines, their Arrow kernels or the dataset's builders.
    from publisher.cli import report
    from publisher.cli.resolve import counting_for
    from publisher.dataset.collect import collect, write_collected
    from publisher.dataset.previous_files import check_earlier, read_previous

    counting = counting_for(options.given, options.end_date, Path.cwd(), now)
    engine, request = counting.engine, counting.request
    if options.print_sql:
        report.print_sql(out, engine.sql(request))
        return 0
    if options.dry_run:
        with status(err, f"Planning with {engine.name}") as progress:
            plan = engine.plan(request, progress)
        out.print(report.plan_table(plan))
        return 0
    if not options.out:
        raise UsageError("collect needs --out DIR.", "Name the folder to write the dataset into.")
    check_writable_folder(options.out, "--out")
    given = options.previous
    previous = None if given is None else read_previous(Path(given))  # before anything is spent
    if previous is not None:
        check_earlier(previous, request.window, f"--previous {given}")
    with status(err, f"Counting with {engine.name}") as progress:
        accept = options.accept_anomalies
        collected = collect(engine, request, now, progress, None, previous, accept)
        paths = write_collected(collected, options.out)
    facts = [*collected.facts, ("files", str(paths[0].parent))]
    out.print(report.summary_table(collected.dataset, facts))
    return 0


def run_sample(options: SampleOptions, now: datetime, out: Console, err: Console) -> int:
    from publisher.sample.generator import SampleSpec, check_room, check_spec, write_sample

    asked = {
        "events": options.events,
        "projects": options.projects,
        "seed": options.seed,
        "days": options.days,
    }
    given = {name: value for name, value in asked.items() if value is not None}
    end_date = options.end_date
    end = _yesterday(now) if end_date is None else parse_date(end_date)
    spec = check_spec(SampleSpec(end=end, **given))
    folder = Path(options.out_dir)
    check_writable_folder(folder, "OUT_DIR")
    check_room(folder, spec)
    with counter(err, "Writing sample events", spec.events) as advance:
        files = write_sample(folder, spec, advance)
    out.print(
        f"Wrote {spec.events:,} events over {spec.days} days into {len(files)} Parquet files"
        f" in {options.out_dir}",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def _yesterday(now: datetime) -> date:
    return window_ending(None, 1, now.date()).end


def run_validate(options: ValidateOptions, now: datetime, out: Console, err: Console) -> int:
    from publisher.dataset.check import check_folder
    from publisher.dataset.contents import RELEASES_NAME, stray_names, stray_warning
    from publisher.dataset.history.check import check_history_folder
    from publisher.dataset.history.names import FOLDER as HISTORY_FOLDER

    folder = Path(options.folder)
    dataset = check_folder(folder)
    version = dataset["schema_version"]
    record = read_record(folder / RELEASES_NAME)
    history = folder / HISTORY_FOLDER
    months = check_history_folder(history) if os.path.lexists(history) else None
    for name in stray_names(version, (path.name for path in folder.iterdir())):
        err.print(f"warning: {stray_warning(str(folder / name))}", soft_wrap=True)
    out.print(
        f"{options.folder}: valid, {dataset['total_rows']:,} rows,"
        f" {dataset['period']['start']} to {dataset['period']['end']}",
        highlight=False,
        soft_wrap=True,
    )
    if months is not None:
        out.print(f"{history}: valid, {months} month(s)", highlight=False, soft_wrap=True)
    if record is not None:
        out.print(
            f"{folder / RELEASES_NAME}: {len(record.releases)} DOI(s), each the one {record.url}"
            " gives its record",
            highlight=False,
            soft_wrap=True,
        )
    return 0


def read_record(path: Path) -> "Record | None":
    """The release record beside the data, checked, when there is one."""
    from publisher.base.errors import MetadataError
    from publisher.release.zenodo.record import RESET_TIP, parse_record

    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise MetadataError(f"{path} cannot be read ({exc.strerror}).", RESET_TIP) from None
    return parse_record(text)


def run_demo(options: DemoOptions, now: datetime, out: Console, err: Console) -> int:
    from publisher.cli.demo import (
        demo_history,
        demo_publishes,
        demo_release,
        demo_specs,
        ensure_events,
        ensure_repository,
    )

    folder = options.folder
    check_writable_folder(folder, "FOLDER")
    for spec in demo_specs(now):
        ensure_events(folder / "events", spec, err)
    work = ensure_repository(folder)
    code = 0
    for publish in demo_publishes(work, now):  # the older month first, as a real repository's
        code = code or run_publish(publish, now, out, err)
    if code == 0:  # the months before them, counted one way, and the published ones copied
        code = run_history(demo_history(work), now, out, err)
    out.print(
        f"Publishing repository: {work} (remote: {folder / 'remote.git'})",
        highlight=False,
        soft_wrap=True,
    )
    zenodo = options.zenodo_url
    if code == 0 and zenodo:
        code = run_release(demo_release(work, zenodo), now, out, err)
        out.print(
            f"The DOIs above come from a local stand-in of Zenodo at {zenodo}: they are not real.",
            highlight=False,
            soft_wrap=True,
        )
    elif not zenodo:
        out.print(
            "Zenodo release skipped: no --zenodo-url (`make run` starts a local stand-in).",
            highlight=False,
            soft_wrap=True,
        )
    return code or demo_site(work, folder / "site", out, err)


def demo_site(work: Path, folder: Path, out: Console, err: Console) -> int:
    """The demo's last step: the web site of what was published, and where it is."""
    from publisher.website.builder import build_site

    with status(err, "Building the site"):
        built = build_site(work, folder, None)
    kept = ", as it was: nothing it is made of changed" if built.unchanged else ""
    out.print(
        f"Site: {built.out}/index.html ({built.pages:,} pages){kept}; `make serve` serves it on"
        " 127.0.0.1",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def run_publish(options: PublishOptions, now: datetime, out: Console, err: Console) -> int:
    from publisher.cli.publish import publish_command

    return publish_command(options, now, out, err)


def run_history(options: HistoryOptions, now: datetime, out: Console, err: Console) -> int:
    from publisher.cli.history import history_command

    return history_command(options, now, out, err)


def run_release(options: ReleaseOptions, now: datetime, out: Console, err: Console) -> int:
    from publisher.cli.release import release_command

    return release_command(options, now, out, err)


def run_site(options: SiteOptions, now: datetime, out: Console, err: Console) -> int:
    from publisher.cli.site import site_command

    return site_command(options, out, err)


def run(options: Options, now: datetime, out: Console, err: Console) -> int:
    """The command the options are of (publisher.cli.options.OPTIONS names them)."""
    match options:
        case SampleOptions():
            return run_sample(options, now, out, err)
        case CollectOptions():
            return run_collect(options, now, out, err)
        case PublishOptions():
            return run_publish(options, now, out, err)
        case HistoryOptions():
            return run_history(options, now, out, err)
        case ReleaseOptions():
            return run_release(options, now, out, err)
        case ValidateOptions():
            return run_validate(options, now, out, err)
        case SiteOptions():
            return run_site(options, now, out, err)
        case DemoOptions():
            return run_demo(options, now, out, err)
