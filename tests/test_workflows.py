"""The GitHub Actions workflows, checked offline: zizmor, GitHub's workflow schema, and the rules
of the monthly publication (cron, pinned actions, permissions, timeouts, inputs, credentials)."""

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from publisher.base.settings import read_settings_file
from tests.documentation import docs_text

ROOT = Path(__file__).parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
# Whatever the linters might try to reach ends at a closed port on this machine.
NOWHERE = "http://127.0.0.1:9"
OFFLINE = os.environ | {"HTTPS_PROXY": NOWHERE, "HTTP_PROXY": NOWHERE, "ALL_PROXY": NOWHERE}
# The one concurrency group of the publication (monthly.yml, and release.yml and pages.yml
# when dispatched on their own).
PUBLICATION_GROUP = "top-pypi-publication"
# Boolean inputs and the literal flag each one's step passes.
FLAGS = {"dry_run": "--dry-run", "accept_anomalies": "--accept-anomalies", "sandbox": "--sandbox"}
SELF = "$/.github/workflows/"  # GitHub's self-repository syntax: the running commit's workflow
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\s*$")


def load(path: Path) -> dict[str, Any]:
    # YAML 1.2, as GitHub reads it: `on` is a key, not true; anchors are expanded.
    workflow: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return workflow


FILES = sorted(WORKFLOWS.glob("*.yml"))
ALL = {path.stem: load(path) for path in FILES}


def jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, workflow in ALL.items():
        for job_id, job in workflow["jobs"].items():
            yield name, job_id, job


def steps() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, job_id, job in jobs():
        for step in job.get("steps", []):
            yield name, job_id, step


def commands(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of a job that run a top-pypi command."""
    return [step for step in job.get("steps", []) if step.get("run", "").startswith("top-pypi ")]


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=OFFLINE, timeout=120)


def test_the_workflows_are_those_of_the_publication() -> None:
    assert set(ALL) == {"ci", "monthly", "pages", "release"}
    assert all(workflow["name"] == name for name, workflow in ALL.items())


# zizmor and GitHub's schema: the tools themselves, offline.


def zizmor(folder: Path) -> subprocess.CompletedProcess[str]:
    return run_tool(str(BIN / "zizmor"), "--offline", "--strict-collection", str(folder))


def test_zizmor_finds_nothing() -> None:
    result = zizmor(ROOT / ".github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_zizmor_would_find_an_expression_in_run_and_an_unpinned_action(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows"
    bad.mkdir(parents=True)
    (bad / "bad.yml").write_text(
        "on: issues\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.issue.title }}\n"
    )
    findings = zizmor(tmp_path).stdout
    assert "template-injection" in findings
    assert "unpinned-uses" in findings


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess[str]:
    schema = ("--builtin-schema", "vendor.github-workflows")
    return run_tool(str(BIN / "check-jsonschema"), *schema, *map(str, paths))


def test_every_workflow_matches_githubs_schema() -> None:
    result = check_jsonschema(*FILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_refuses_a_job_without_runner(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  j:\n    steps:\n      - run: 'true'\n")
    assert check_jsonschema(bad).returncode == 1


# The schedule: monthly, a few hours after midnight UTC.

CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def cron_field_is_valid(field: str, low: int, high: int) -> bool:
    """One field of a 5-field cron expression: *, N, N-M, each with /STEP, comma-separated."""
    for part in field.split(","):
        match = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if match is None:
            return False
        numbers = [int(n) for n in match.group(2, 3) if n is not None]
        if any(not low <= n <= high for n in numbers) or match.group(4) == "0":
            return False
    return True


def monthly_cron(expression: str) -> tuple[int, int, int]:
    """(minute, hour, day) of a valid cron expression that runs once a month, every month,
    a few hours after midnight UTC; ValueError otherwise."""
    fields = expression.split()
    valid = [cron_field_is_valid(f, *r) for f, r in zip(fields, CRON_RANGES, strict=False)]
    if len(fields) != 5 or not all(valid):
        raise ValueError(f"{expression!r} is not a 5-field cron expression")
    minute, hour, day, month, weekday = fields
    if not (minute + hour + day).isdigit() or (month, weekday) != ("*", "*"):
        raise ValueError(f"{expression!r} is not one fixed day of every month")
    if int(day) > 28 or not 1 <= int(hour) <= 12:
        raise ValueError(f"{expression!r}: not every month, or not a few hours after midnight")
    return int(minute), int(hour), int(day)


@pytest.mark.parametrize(
    "expression",
    [
        "17 5 * * *",  # daily
        "17 5 1 1 *",  # yearly
        "17 5 1 * 1",  # the 1st or every Monday: cron ORs the two
        "17 0 1 * *",  # midnight: the last day may not be loaded yet
        "17 5 31 * *",  # not every month has a 31st
        "17 5 1 * * *",  # six fields
        "60 5 1 * *",
        "17 5 0 * *",
        "17 */0 1 * *",
        "17 5-x 1 * *",
    ],
)
def test_a_cron_that_is_invalid_or_not_monthly_is_refused(expression: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(expression))):
        monthly_cron(expression)


def test_monthly_runs_on_the_1st_and_the_2nd_a_few_hours_after_midnight_utc() -> None:
    schedules = [workflow["on"].get("schedule", []) for workflow in ALL.values()]
    crons = [monthly_cron(entry["cron"]) for schedule in schedules for entry in schedule]
    assert sorted(day for _, _, day in crons) == [1, 2]
    assert "schedule" in ALL["monthly"]["on"]
    assert all(minute != 0 for minute, _, _ in crons)  # GitHub delays busy :00 runs


# Hardening.


def test_no_run_block_holds_an_expression() -> None:
    """Inputs, events and secrets reach commands through the environment, never as text
    pasted into a shell script."""
    for name, job_id, step in steps():
        assert "${{" not in step.get("run", ""), f"{name}.yml, job {job_id}: {step['run']!r}"


def uses_lines() -> list[tuple[str, str]]:
    """Every `uses:` line of the files: (value, the comment after it)."""
    found = []
    for path in FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*(?:- )?uses:\s*(\S+)\s*(.*)$", line)
            if match:
                found.append((match.group(1), match.group(2)))
    return found


def all_uses() -> list[str]:
    in_jobs = [job["uses"] for _, _, job in jobs() if "uses" in job]
    return in_jobs + [step["uses"] for _, _, step in steps() if "uses" in step]


def test_every_action_is_pinned_by_commit_with_its_version_in_a_comment() -> None:
    lines = uses_lines()
    assert sorted(uses for uses, _ in lines) == sorted(all_uses())
    for uses, comment in lines:
        if uses.startswith(SELF):
            assert (WORKFLOWS / uses.removeprefix(SELF)).is_file()
            continue
        assert PINNED.fullmatch(uses), uses
        assert VERSION_COMMENT.search(comment), f"{uses} has no version comment"
    # One version of an action everywhere.
    pinned = {(uses, comment) for uses, comment in lines if not uses.startswith(SELF)}
    assert len({uses.split("@")[0] for uses, _ in pinned}) == len(pinned)


def test_every_job_has_a_timeout_or_calls_a_workflow_whose_jobs_have_one() -> None:
    for name, job_id, job in jobs():
        if "uses" in job:
            assert job["uses"].startswith(SELF), f"{name}.yml, job {job_id}"
        else:
            assert isinstance(job.get("timeout-minutes"), int), f"{name}.yml, job {job_id}"


def test_permissions_are_empty_at_the_top_and_granted_per_job() -> None:
    for name, workflow in ALL.items():
        assert workflow["permissions"] == {}, name
    granted = {(name, job_id): job.get("permissions") for name, job_id, job in jobs()}
    assert granted == {
        ("ci", "test"): {"contents": "read"},
        ("monthly", "publish"): {"contents": "write"},
        ("monthly", "release"): {"contents": "write", "pages": "write", "id-token": "write"},
        ("monthly", "pages"): {"contents": "read", "pages": "write", "id-token": "write"},
        ("pages", "build"): {"contents": "read"},
        ("pages", "deploy"): {"pages": "write", "id-token": "write"},
        ("release", "release"): {"contents": "write"},
        ("release", "pages"): {"contents": "read", "pages": "write", "id-token": "write"},
    }


def at_least(granted: str, needed: str) -> bool:
    return ["none", "read", "write"].index(granted) >= ["none", "read", "write"].index(needed)


def test_a_calling_job_grants_what_the_called_jobs_need() -> None:
    """GitHub refuses to start a called job that asks for more than its caller was given."""
    for _, _, job in jobs():
        if "uses" not in job:
            continue
        called = ALL[Path(job["uses"]).stem]["jobs"].values()
        needed = [(k, v) for called_job in called for k, v in called_job["permissions"].items()]
        assert all(at_least(job["permissions"].get(k, "none"), v) for k, v in needed)


def secret_places(node: Any, where: str) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from secret_places(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from secret_places(value, f"{where}[{index}]")
    elif isinstance(node, str) and "secrets." in node:
        yield where


def test_secrets_reach_only_the_steps_and_calls_that_need_them() -> None:
    places = [place for name, wf in ALL.items() for place in secret_places(wf, name)]
    allowed = re.compile(r"\w+\.jobs\.\w+\.(steps\[\d+\]\.env|secrets)\.[A-Z_]+")
    assert places
    assert all(allowed.fullmatch(place) for place in places), places
    for _, job_id, job in jobs():
        assert job.get("secrets") != "inherit", job_id


def test_every_job_running_top_pypi_checks_out_main_with_history_and_no_credential() -> None:
    for name, job_id, job in jobs():
        checkouts = [s for s in job.get("steps", []) if "actions/checkout@" in s.get("uses", "")]
        for checkout in checkouts:
            assert checkout["with"]["persist-credentials"] is False
        if commands(job):
            (checkout,) = checkouts
            assert checkout["with"]["ref"] == "main", f"{name}.yml, job {job_id}"
            assert checkout["with"]["fetch-depth"] == 0, f"{name}.yml, job {job_id}"


def test_every_command_writes_the_job_summary() -> None:
    for _, job_id, job in jobs():
        for step in commands(job):
            assert step["run"].endswith(' --summary "$GITHUB_STEP_SUMMARY"'), job_id


# Inputs: text through the environment, booleans as steps with literal flags.


def condition_holds(condition: str, inputs: dict[str, bool]) -> bool:
    """Whether an `if:` holds; an input not given (a scheduled run) is false."""
    return all(inputs.get(name, False) != negated for negated, name in condition_terms(condition))


def condition_terms(condition: str) -> list[tuple[bool, str]]:
    """[(negated, input name)] of an `if:` of the only form the command steps use: inputs.NAME
    and !inputs.NAME joined by &&, or no condition at all. Any other form fails the test."""
    expression = condition.removeprefix("${{").removesuffix("}}").strip()
    terms = [term.strip() for term in expression.split("&&")] if expression else []
    matches = [re.fullmatch(r"(!?)inputs\.(\w+)", term) for term in terms]
    assert all(matches), f"unexpected condition {condition!r}"
    return [(bool(m.group(1)), m.group(2)) for m in matches if m]


def chosen_by(job: dict[str, Any]) -> list[str]:
    """The boolean inputs that choose between a job's command steps."""
    names = {name for step in commands(job) for _, name in condition_terms(step.get("if", ""))}
    return sorted(names)


def test_boolean_inputs_choose_exactly_one_step_with_their_literal_flags() -> None:
    checked = 0
    for _, _, job in jobs():
        names = chosen_by(job)
        for values in itertools.product([False, True], repeat=len(names)):
            inputs = dict(zip(names, values, strict=True))
            ran = [s["run"] for s in commands(job) if condition_holds(s.get("if", ""), inputs)]
            assert len({run.split()[1] for run in ran}) == len(ran), ran  # one per command
            for run in ran:
                flags = {flag for flag in FLAGS.values() if flag in run.split()}
                assert flags == {FLAGS[n] for n in names if inputs[n]}, (inputs, run)
                checked += 1
    # monthly's publish and release's release (two inputs each), pages' site (none).
    assert checked == 4 + 4 + 1


def test_monthly_takes_its_inputs_through_the_environment() -> None:
    dispatch = ALL["monthly"]["on"]["workflow_dispatch"]["inputs"]
    assert set(dispatch) == {"engine", "end_date", "dry_run", "accept_anomalies"}
    for step in commands(ALL["monthly"]["jobs"]["publish"]):
        assert step["env"]["TOP_PYPI_ENGINE"] == "${{ inputs.engine }}"
        assert step["env"]["TOP_PYPI_END_DATE"] == "${{ inputs.end_date }}"
    for step in commands(ALL["release"]["jobs"]["release"]):
        assert step["env"]["TAG"] == "${{ inputs.tag }}"
        assert '${TAG:+--tag "$TAG"}' in step["run"]


def test_release_and_pages_are_reusable_and_dispatchable_with_the_same_inputs() -> None:
    for name in ("release", "pages"):
        triggers = ALL[name]["on"]
        assert set(triggers) == {"workflow_call", "workflow_dispatch"}
        assert triggers["workflow_call"]["inputs"] == triggers["workflow_dispatch"]["inputs"]


def test_one_concurrency_group_that_a_called_workflow_never_takes_twice() -> None:
    """A called workflow's `github.workflow` is its caller's name: taking the caller's group
    again would deadlock, so it takes the group only when dispatched on its own."""
    assert ALL["monthly"]["concurrency"] == {
        "group": PUBLICATION_GROUP,
        "cancel-in-progress": False,
    }
    for name in ("release", "pages"):
        concurrency = ALL[name]["concurrency"]
        alone = f"github.workflow == '{name}' && '{PUBLICATION_GROUP}' || format("
        assert concurrency["group"].startswith("${{ " + alone), concurrency["group"]
        assert "github.run_id" in concurrency["group"]
        assert concurrency["cancel-in-progress"] is False


def test_ci_runs_ci_run_in_debian_bookworm_on_push_and_pull_request() -> None:
    ci = ALL["ci"]
    assert set(ci["on"]) == {"push", "pull_request"}
    (job,) = ci["jobs"].values()
    assert job["container"] == "debian:bookworm"
    assert job["steps"][-1]["run"] == "bash .ci/run"


def test_this_repository_publishes_with_clickhouse() -> None:
    assert read_settings_file(ROOT) == {"engine": "clickhouse"}


def test_the_docs_name_every_workflow_secret_variable_and_the_schedule() -> None:
    docs = docs_text()
    text = "".join(path.read_text(encoding="utf-8") for path in FILES)
    names = set(re.findall(r"\b(?:secrets|vars)\.(\w+)", text))
    assert names >= {"ZENODO_API_TOKEN", "BIGQUERY_SERVICE_ACCOUNT_JSON"}
    assert all(f"`{name}`" in docs for name in names), names
    assert all(f"`{path.name}`" in docs for path in FILES)
    for entry in ALL["monthly"]["on"]["schedule"]:
        minute, hour, _ = monthly_cron(entry["cron"])
        assert f"{hour:02}:{minute:02} UTC" in docs
