"""`top-pypi release` when Zenodo answers 429, 5xx or nothing at one step: the run waits and
tries again, or finds what the step did, and ends with one published version per tag and no
draft left behind. A step whose answer is lost may have taken effect all the same."""

import subprocess

import git
import pytest

from tests import test_release_command as command
from tests.children import cli
from tests.expect import assert_one_error_line
from tests.fakes.zenodo import ZenodoStandIn
from tests.fakes.zenodo_faults import FaultKind
from tests.test_release_command import TAGS, release

# The release command's fixtures: two tags made by `top-pypi publish`, the local Zenodo.
published, repos, zenodo = command.published, command.repos, command.zenodo


@pytest.mark.parametrize(
    ("route", "kind", "after"),
    [
        # zenodo-client's create is two requests: the draft made (POST), then read back (GET).
        ("get", "429", False),
        # A file deleted, the answer lost: asked again, Zenodo says the file does not exist.
        ("file_delete", "500", True),
        # An answer stopped halfway (a proxy dropping the connection): the step took effect.
        ("publish", "cut", True),
        ("upload", "cut", True),
        ("list", "cut", True),
    ],
)
def test_one_failed_answer_at_a_step_leaves_one_version_per_tag_and_no_draft(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    route: str,
    kind: FaultKind,
    after: bool,
) -> None:
    work, _ = repos
    zenodo.fail(route, kind, after=after)
    code, _, err = release(capsys, work)
    assert code == 0, err
    assert sorted(d["metadata"]["version"] for d in zenodo.published()) == TAGS
    assert zenodo.drafts() == []
    assert zenodo.faults.pending() == {}  # the fault was met


def test_a_publish_rate_limited_for_longer_than_is_waited_for_stops_in_one_line(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn
) -> None:
    """A Retry-After beyond the longest wait: one line saying so, not a run asleep for hours
    (every other step already gave up so)."""
    work, _ = repos
    zenodo.rate_limit("publish", retry_after=86400)
    command = cli("release", "--repo", str(work.working_tree_dir))
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert_one_error_line(done.stderr, "did not publish draft")
    assert "retry after 86400 s" in done.stderr.splitlines()[-1]
    assert zenodo.published() == []
