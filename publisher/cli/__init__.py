"""The command line, on top of the stages: the only place that joins them. Parse, resolve
settings, call the stages, turn errors into exit codes.

Every failure a person can mend is a `PublisherError`, printed here as one line; nothing else
in the package prints errors or exits.
"""

import os
import sys
from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.text import Text

from publisher.base.errors import PublisherError
from publisher.base.secrets import keep_out, secrets_kept_out, without_secrets
from publisher.base.settings import SECRET_KEYS
from publisher.cli import summary
from publisher.cli.options import Configured, Summarised, options_for
from publisher.cli.parser import build_parser, join_dashed_values
from publisher.cli.stdout import LOST, StandardOutput, plain_when_needed


def main(argv: Sequence[str] | None = None, now: datetime | None = None) -> int:
    """Run one command; `now` is the clock, given by tests and read once otherwise."""
    plain_when_needed(sys.stdout, sys.stderr)
    out, err = StandardOutput(), Console(stderr=True)
    code = run_command(argv, now, out, err)
    if out.lost:
        err.print(Text(LOST), soft_wrap=True)
    return code


def run_command(
    argv: Sequence[str] | None, now: datetime | None, out: Console, err: Console
) -> int:
    """Every line the command prints or writes into --summary, and its error, without any
    secret of the command (publisher.base.secrets)."""
    from publisher.cli.redacted import environment_secrets, redacted_output

    secrets = environment_secrets(os.environ)
    with secrets_kept_out(*secrets) as redact, redacted_output(redact, out, err):
        return command_result(argv, now, out, err)


def command_result(
    argv: Sequence[str] | None, now: datetime | None, out: Console, err: Console
) -> int:
    from publisher.base.clock import now_utc

    command, summary_file = "", None
    try:
        given = sys.argv[1:] if argv is None else argv
        args = build_parser().parse_args(join_dashed_values(given))
        command, options = args.command, options_for(args)
        if isinstance(options, Configured):
            keep_out(*(str(v) for key, v in options.given.items() if key in SECRET_KEYS))
        if isinstance(options, Summarised) and options.summary:
            summary.check_path(options.summary)
            summary_file = options.summary
        # After parsing: `--help` and a mistyped option answer without loading the stages.
        from publisher.cli import commands

        return commands.run(options, now or now_utc(), out, err)
    except PublisherError as exc:
        message = without_secrets(str(exc))
        err.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)
        if summary_file:
            summary.append(summary_file, summary.failure_lines(command, message))
        return exc.exit_code
    except SystemExit as exc:  # --help and --version end here
        return int(exc.code or 0)
    except OSError as exc:  # the disk or the system said no, somewhere we did not foresee
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(Text.assemble(("error: ", "bold red"), f"{exc.strerror or exc}{where}."))
        return 1
    except KeyboardInterrupt:
        err.print("[bold red]error:[/] interrupted; nothing published is damaged.")
        return 130
