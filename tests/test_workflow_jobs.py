"""Which jobs of the publication run, after what: the site deploys whatever Zenodo did, a fork
without a Zenodo token publishes all the same, and only a step that pushes gets a push token.
Checked offline, by evaluating the workflows' own `if:` conditions and running their scripts."""

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.documentation import ROOT, anchors
from tests.test_workflows import ALL, FLAGS, SELF, commands, jobs

MONTHLY = ALL["monthly"]["jobs"]
RESULTS = ("success", "failure", "skipped")


def needs(job: dict[str, Any]) -> list[str]:
    given = job.get("needs", [])
    return [given] if isinstance(given, str) else list(given)


def job_runs(
    job: dict[str, Any],
    results: dict[str, str],
    *,
    outputs: dict[str, dict[str, str]] | None = None,
    workflow: str = "monthly",
    inputs: dict[str, bool] | None = None,
) -> bool:
    """Whether GitHub starts `job`, given the results (and outputs) of the jobs it needs, the
    name of the workflow run (a called workflow sees its caller's) and the inputs. A condition
    without a status function implies success(): every job needed succeeded. Only the terms the
    workflows use are understood, joined by &&; any other fails the test."""
    expression = str(job.get("if", "")).removeprefix("${{").removesuffix("}}").strip()
    terms = [term.strip() for term in expression.split("&&")] if expression else []
    if not any(re.search(r"\b(success|failure|always|cancelled)\(\)", t) for t in terms):
        terms.append("success()")
    return all(term_holds(term, results, outputs or {}, workflow, inputs or {}) for term in terms)


def term_holds(
    term: str,
    results: dict[str, str],
    outputs: dict[str, dict[str, str]],
    workflow: str,
    inputs: dict[str, bool],
) -> bool:
    if term == "success()":
        return all(result == "success" for result in results.values())
    if term == "!cancelled()":
        return True
    if match := re.fullmatch(r"needs\.(\w+)\.result == '(\w+)'", term):
        return results[match[1]] == match[2]
    if match := re.fullmatch(r"needs\.(\w+)\.outputs\.(\w+) == '(\w+)'", term):
        return outputs.get(match[1], {}).get(match[2], "") == match[3]
    if match := re.fullmatch(r"github\.workflow == '(\w+)'", term):
        return workflow == match[1]
    if match := re.fullmatch(r"(!?)inputs\.(\w+)", term):
        return inputs.get(match[2], False) != bool(match[1])
    raise AssertionError(f"unexpected condition term {term!r}")


def zenodo_set(value: str) -> dict[str, dict[str, str]]:
    return {"publish": {"zenodo": value}}


@pytest.mark.parametrize("release", RESULTS)
def test_the_site_deploys_whatever_the_release_did_once_the_month_is_published(
    release: str,
) -> None:
    """A Zenodo outage must not keep a published month off the site (the run still fails, with
    the release's own error); the site is built after the release, so new DOIs show."""
    pages = MONTHLY["pages"]
    assert pages["uses"] == f"{SELF}pages.yml"
    assert set(needs(pages)) == {"publish", "release"}
    assert job_runs(pages, {"publish": "success", "release": release})
    assert not job_runs(pages, {"publish": "failure", "release": "skipped"})


def test_monthly_releases_only_when_the_publish_job_found_a_zenodo_token() -> None:
    release = MONTHLY["release"]
    assert release["uses"] == f"{SELF}release.yml"
    assert needs(release) == ["publish"]
    published = {"publish": "success"}
    assert job_runs(release, published, outputs=zenodo_set("true"))
    assert not job_runs(release, published, outputs=zenodo_set("false"))
    assert not job_runs(release, published, outputs={})
    assert not job_runs(release, {"publish": "failure"}, outputs=zenodo_set("true"))
    assert release["secrets"] == {"ZENODO_API_TOKEN": "${{ secrets.ZENODO_API_TOKEN }}"}


def zenodo_step() -> dict[str, Any]:
    publish = MONTHLY["publish"]
    (output,) = publish["outputs"].values()
    step_id = re.fullmatch(r"\$\{\{ steps\.(\w+)\.outputs\.zenodo \}\}", output)
    assert step_id is not None, output
    steps: list[dict[str, Any]] = [s for s in publish["steps"] if s.get("id") == step_id[1]]
    (step,) = steps
    assert set(publish["outputs"]) == {"zenodo"}
    return step


def run_step(step: dict[str, Any], env: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    """The step's script run by bash as the runner would: (its outputs, its summary)."""
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.write_text("")
    summary.write_text("")
    given = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output)}
    given |= {"GITHUB_STEP_SUMMARY": str(summary)} | env
    ran = subprocess.run(["bash", "-e", "-c", step["run"]], env=given, capture_output=True)
    assert ran.returncode == 0, ran.stderr
    return output.read_text(), summary.read_text()


@pytest.mark.parametrize(("token", "said"), [("a-token", "true"), ("", "false")])
def test_the_publish_job_outputs_whether_the_zenodo_secret_is_set_and_says_how_to_set_it(
    token: str, said: str, tmp_path: Path
) -> None:
    step = zenodo_step()
    assert step["env"] == {"ZENODO_API_TOKEN": "${{ secrets.ZENODO_API_TOKEN }}"}
    output, summary = run_step(step, {"ZENODO_API_TOKEN": token}, tmp_path)
    assert output == f"zenodo={said}\n"
    assert token not in summary + output or not token
    if token:
        assert summary == ""
    else:
        (line,) = summary.splitlines()
        assert "No Zenodo release" in line
        assert "`ZENODO_API_TOKEN`" in line
        assert "docs/github.md says (Your own publication, from a fork)" in line
        assert "your-own-publication-from-a-fork" in anchors(ROOT / "docs" / "github.md")


@pytest.mark.parametrize(
    ("workflow", "inputs", "deploys"),
    [
        ("release", {}, True),
        ("release", {"dry_run": True}, False),
        ("release", {"sandbox": True}, False),
        ("monthly", {}, False),  # monthly.yml deploys the site itself, once
    ],
)
def test_release_by_hand_deploys_the_site_after_a_successful_release(
    workflow: str, inputs: dict[str, bool], deploys: bool
) -> None:
    release = ALL["release"]["jobs"]
    (site,) = [job for job in release.values() if job.get("uses") == f"{SELF}pages.yml"]
    assert needs(site) == ["release"]
    ran = {"release": "success"}
    assert job_runs(site, ran, workflow=workflow, inputs=inputs) is deploys
    assert not job_runs(site, {"release": "failure"}, workflow=workflow, inputs=inputs)


def pushes(step: dict[str, Any]) -> bool:
    """A command that may push: `publish` or `release`, neither a dry run nor the sandbox."""
    words = step["run"].split()
    never = {FLAGS["dry_run"], FLAGS["sandbox"]}
    return words[1] in {"publish", "release"} and not never & set(words)


def test_steps_that_never_push_get_no_push_token() -> None:
    never, may = 0, 0
    for name, job_id, job in jobs():
        for step in commands(job):
            env = str(step.get("env", {}))
            if pushes(step):
                may += 1
                assert "${{ github.token }}" in env, f"{name}.yml, job {job_id}: {step['run']}"
            else:
                never += 1
                assert "github.token" not in env, f"{name}.yml, job {job_id}: {step['run']}"
                assert "credential" not in env, f"{name}.yml, job {job_id}: {step['run']}"
    # publish, publish accepting anomalies, release; their dry runs, the sandbox's two, site.
    assert (may, never) == (3, 6)


def test_monthly_publishes_then_releases_then_deploys_in_the_same_run() -> None:
    monthly = ALL["monthly"]["jobs"]
    assert {step["run"].split()[1] for step in commands(monthly["publish"])} == {"publish"}
    assert monthly["release"]["needs"] == "publish"
    assert monthly["release"]["uses"] == f"{SELF}release.yml"
    assert monthly["pages"]["needs"] == ["publish", "release"]
    assert monthly["pages"]["uses"] == f"{SELF}pages.yml"
    zenodo = {"ZENODO_API_TOKEN": "${{ secrets.ZENODO_API_TOKEN }}"}
    assert monthly["release"]["secrets"] == zenodo


# Credentials: the push authenticates through GIT_CONFIG_* in the command's environment.


def step_environment(step: dict[str, Any], token: str) -> dict[str, str]:
    """A step's env as the runner would give it, with `token` for GITHUB_TOKEN and every other
    expression empty (an unset secret or input)."""
    env = {k: str(v).replace("${{ github.token }}", token) for k, v in step["env"].items()}
    return {k: "" if "${{" in v else v for k, v in env.items()}


def git_with(env: dict[str, str], *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "GIT_CONFIG_NOSYSTEM": "1"}
    full = base | {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_GLOBAL": os.devnull} | env
    return subprocess.run(["git", *argv], input=stdin, env=full, capture_output=True, text=True)


@pytest.mark.parametrize(("name", "job_id"), [("monthly", "publish"), ("release", "release")])
def test_pushing_jobs_give_git_an_identity_and_the_token_for_github_only(
    name: str, job_id: str
) -> None:
    pushing = [step for step in commands(ALL[name]["jobs"][job_id]) if pushes(step)]
    assert len(pushing) == {"publish": 2, "release": 1}[job_id]
    for step in pushing:
        env = step_environment(step, token="token-of-the-run")
        github = git_with(env, "credential", "fill", stdin="protocol=https\nhost=github.com\n\n")
        assert "username=x-access-token\npassword=token-of-the-run\n" in github.stdout
        ident = git_with(env, "var", "GIT_COMMITTER_IDENT").stdout
        assert ident.startswith("github-actions[bot] <41898282+github-actions[bot]@users.")
        other = git_with(env, "credential", "fill", stdin="protocol=https\nhost=example.org\n\n")
        assert other.returncode != 0  # no credential for another host: git would have to ask
        assert "token-of-the-run" not in other.stdout + other.stderr
