"""`top-pypi release` when Zenodo answers 429, 5xx or nothing at one step: the run waits and
tries again, or finds what the step did, and ends with one published version per tag and no
draft left behind. A step whose answer is lost may have taken effect all the same."""

import git
import pytest

from tests import test_release_command as command
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
