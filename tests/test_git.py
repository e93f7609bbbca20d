"""The release stage's git step against real git: work repos pushing to a local bare remote."""

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import git
import pytest

from publisher.base.errors import GitError, PublisherError, UsageError
from publisher.count.window import Window
from publisher.release import decision
from publisher.release import git as git_stage
from publisher.release.commits import Record, Tagged, with_trailer
from publisher.release.decision import Action, ReleasePlan, RepoState
from publisher.release.git_state import remote_has_tag
from publisher.release.repository import open_repo
from tests.repos import opened

MONTH = "2026.11"
DATA = ["data/top-pypi-packages.json"]
MESSAGE = "top-pypi 2026.11: downloads 2026-10-02 to 2026-10-31\n\nThe 30 days to 2026-10-31."
IDENTITY = {"user.name": "Test Publisher", "user.email": "publisher@example.org"}
WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))
ASKED = "2026-10-02..2026-10-31"


@pytest.fixture
def bare(tmp_path: Path) -> git.Repo:
    return opened(git.Repo.init(tmp_path / "remote.git", bare=True, initial_branch="main"))


def new_work(path: Path, bare: git.Repo, identity: bool = True) -> git.Repo:
    repo = opened(git.Repo.init(path, initial_branch="main"))
    for key, value in IDENTITY.items() if identity else ():
        repo.git.config(key, value)
    repo.create_remote("origin", str(bare.git_dir))
    return repo


@pytest.fixture
def work(tmp_path: Path, bare: git.Repo) -> git.Repo:
    """A publishing repo with a README on main, already pushed."""
    repo = new_work(tmp_path / "work", bare)
    (tmp_path / "work" / "README.md").write_text("The dataset.\n")
    repo.git.add("README.md")
    repo.git.commit("-m", "Start")
    repo.git.push("origin", "main")
    return repo


def write_data(repo: git.Repo, text: str = '{"rows": []}\n') -> list[str]:
    folder = Path(str(repo.working_tree_dir)) / "data"
    folder.mkdir(exist_ok=True)
    (folder / "top-pypi-packages.json").write_text(text)
    return DATA


def plan(repo: git.Repo, remote: str | None = "origin", correction: bool = False) -> ReleasePlan:
    return git_stage.plan_release(repo, MONTH, remote, correction, DATA, WINDOW)


def publish(repo: git.Repo, correction: bool = False, text: str = "{}\n") -> ReleasePlan:
    """What the CLI does for a PUBLISH plan, with `text` standing in for the query's result."""
    the_plan = plan(repo, correction=correction)
    assert the_plan.action is Action.PUBLISH
    git_stage.commit_and_tag(repo, the_plan.tag, write_data(repo, text), MESSAGE, WINDOW)
    git_stage.push(repo, the_plan)
    return the_plan


def remote_ref(bare: git.Repo, ref: str) -> str | None:
    try:
        return str(bare.git.rev_parse("--verify", "--quiet", ref))
    except git.GitCommandError:
        return None


def assert_one_line(error: PublisherError, *words: str) -> None:
    text = str(error)
    assert "\n" not in text
    for word in words:
        assert word in text


# --- pure parts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "2026.11.1"),
        (["2026.11"], "2026.11.1"),
        (["2026.11", "2026.11.1"], "2026.11.2"),
        (["2026.11", "2026.11.9", "2026.11.10"], "2026.11.11"),
        (["2026.11", "2026.12.4", "2026.110.3", "2026.11.03", "2026.11.x"], "2026.11.1"),
    ],
)
def test_next_correction_tag(existing: list[str], expected: str) -> None:
    assert decision.next_correction_tag(existing, MONTH) == expected


def test_series_tags_are_in_release_order() -> None:
    tags = ["2026.11.10", "2026.11.2", "2026.10", "2026.11", "2026.11.1"]
    assert decision.series_tags(tags, MONTH) == ["2026.11", "2026.11.1", "2026.11.2", "2026.11.10"]


def test_with_trailer_ends_the_message_with_the_tag() -> None:
    assert with_trailer("Subject\n\nBody.\n\n", "2026.11.1") == (
        "Subject\n\nBody.\n\nTop-PyPI-Tag: 2026.11.1\n"
    )


def test_base_tag_must_be_calver() -> None:
    with pytest.raises(ValueError, match="not CalVer"):
        decision.check_base_tag("2026.1")


NOTHING_YET = RepoState("main", "origin", {}, {}, frozenset(), None)


def state(**changes: Any) -> RepoState:
    return replace(NOTHING_YET, **changes)


def record(tag: str | None, window: str | None = ASKED, **changes: Any) -> Record:
    """What a publish commit of ours for `tag` records, unless `changes` say otherwise."""
    fields: dict[str, Any] = {"sha": "c" * 40, "subject": f"Publish {tag}", "has_data": True}
    fields |= changes
    return Record(tag=tag, window=window, **fields)


def released(*tags: str, **changes: Any) -> dict[str, Tagged]:
    """Annotated tags on publish commits of ours, made for ASKED unless `changes` say not."""
    return {tag: Tagged(tag, "tag", record(tag, **changes)) for tag in tags}


def test_decide_ignores_a_trailer_of_another_month() -> None:
    decided = decision.decide(state(head=record("2026.10")), MONTH, False, ASKED)
    assert (decided.action, decided.tag) == (Action.PUBLISH, MONTH)


def test_decide_pushes_an_unpushed_correction_even_without_correction_flag() -> None:
    tags = {"2026.11": "a" * 40, "2026.11.1": "b" * 40}
    pushed = state(local_tags=tags, remote_tags={"2026.11": "a" * 40}, tagged=released(*tags))
    decided = decision.decide(pushed, MONTH, False, ASKED)
    assert (decided.action, decided.tag) == (Action.PUSH, "2026.11.1")


def test_decide_refuses_a_tag_that_differs_on_the_remote() -> None:
    conflict = state(
        local_tags={MONTH: "a" * 40}, remote_tags={MONTH: "b" * 40}, tagged=released(MONTH)
    )
    with pytest.raises(GitError) as caught:
        decision.decide(conflict, MONTH, False, ASKED)
    assert_one_line(caught.value, MONTH, "origin", "git tag -d 2026.11")


OTHER = "2026-10-25..2026-10-31"
PUBLISHED = {MONTH: "a" * 40}


def test_decide_is_done_only_for_the_window_asked_for() -> None:
    done = state(local_tags=PUBLISHED, remote_tags=PUBLISHED, tagged=released(MONTH))
    assert decision.decide(done, MONTH, False, ASKED).action is Action.DONE
    with pytest.raises(UsageError) as caught:
        decision.decide(done, MONTH, False, OTHER)
    assert str(caught.value) == (
        "2026.11 is already published for 2026-10-02..2026-10-31, not for the "
        "2026-10-25..2026-10-31 asked for. To publish 2026-10-25..2026-10-31 too, re-run with "
        "--correction (it becomes 2026.11.1)."
    )
    corrected = decision.decide(done, MONTH, True, OTHER)
    assert (corrected.action, corrected.tag) == (Action.PUBLISH, "2026.11.1")


def test_decide_compares_the_request_not_the_shrunk_period() -> None:
    shrunk = "Publish 2026.11: downloads 2026-10-19 to 2026-10-31 (13 days)"
    done = state(
        local_tags=PUBLISHED, remote_tags=PUBLISHED, tagged=released(MONTH, subject=shrunk)
    )
    assert decision.decide(done, MONTH, False, ASKED).action is Action.DONE


@pytest.mark.parametrize(
    ("subject", "asked", "refused"),
    [
        ("Publish 2026.11: downloads 2026-10-02 to 2026-10-31 (30 days)", ASKED, ""),
        ("Publish 2026.11: downloads 2026-10-19 to 2026-10-31 (13 days)", ASKED, ""),  # shrunk
        ("Publish 2026.11: downloads 2026-10-27 to 2026-11-25 (30 days)", ASKED,
         "published for 2026-10-27..2026-11-25, not for the 2026-10-02..2026-10-31 asked for"),
        ("Publish 2026.11", ASKED, "published for a window it does not record, not for the"),
    ],
)  # fmt: skip
def test_decide_on_a_publish_commit_without_the_window_trailer(
    subject: str, asked: str, refused: str
) -> None:
    """Made before the trailer existed: its subject's period, compared by its last day."""
    old = released(MONTH, window=None, subject=subject)
    done = state(local_tags=PUBLISHED, remote_tags=PUBLISHED, tagged=old)
    if not refused:
        assert decision.decide(done, MONTH, False, asked).action is Action.DONE
        return
    with pytest.raises(UsageError, match=refused):
        decision.decide(done, MONTH, False, asked)


def test_decide_finishes_an_earlier_run_only_for_its_window() -> None:
    untagged = state(head=record(MONTH))
    assert decision.decide(untagged, MONTH, False, ASKED).action is Action.TAG
    with pytest.raises(UsageError) as caught:
        decision.decide(untagged, MONTH, False, OTHER)
    assert_one_line(
        caught.value, "HEAD cccccccccccc is a publish commit of 2026.11, not tagged yet, made "
        "for 2026-10-02..2026-10-31, not for the 2026-10-25..2026-10-31", "git reset --keep"
    )  # fmt: skip
    unpushed = state(local_tags=PUBLISHED, remote_tags={}, tagged=released(MONTH))
    assert decision.decide(unpushed, MONTH, False, ASKED).action is Action.PUSH
    with pytest.raises(UsageError) as caught:
        decision.decide(unpushed, MONTH, False, OTHER)
    assert_one_line(caught.value, "2026.11 is tagged but origin lacks the tag", "--correction")
    assert decision.decide(unpushed, MONTH, True, OTHER).action is Action.PUSH


@pytest.mark.parametrize(
    ("tagged", "where", "message"),
    [
        (Tagged(MONTH, "commit", record(None, None, has_data=False)), "local",
         "Tag 2026.11 is a lightweight tag on cccccccccccc, which has no Top-PyPI-Tag trailer, "
         "not a release made by top-pypi. If it is not needed, remove it with "
         "`git tag -d 2026.11`, then re-run."),
        (Tagged(MONTH, "tag", record("2026.10")), "remote",
         "Tag 2026.11 is an annotated tag on cccccccccccc, the publish commit of 2026.10, not a "
         "release made by top-pypi. If it is not needed, remove it with "
         "`git push origin :refs/tags/2026.11`, then re-run."),
        (Tagged(MONTH, "tag", record(MONTH, has_data=False)), "both",
         "which lacks the month's data files, not a release made by top-pypi. If it is not "
         "needed, remove it with `git tag -d 2026.11` and `git push origin :refs/tags/2026.11`"),
        (Tagged(MONTH, "tree", None), "local", "Tag 2026.11 is a tag that names no commit"),
    ],
)  # fmt: skip
def test_decide_refuses_a_tag_that_is_not_a_release_of_ours(
    tagged: Tagged, where: str, message: str
) -> None:
    local = PUBLISHED if where in ("local", "both") else {}
    remote = PUBLISHED if where in ("remote", "both") else {}
    foreign = state(local_tags=local, remote_tags=remote, tagged={MONTH: tagged})
    for correction in (False, True):
        with pytest.raises(GitError) as caught:
            decision.decide(foreign, MONTH, correction, ASKED)
        assert_one_line(caught.value, message)


# --- the state machine against real git ---------------------------------------------------------


def test_fresh_publish_commits_tags_and_pushes(work: git.Repo, bare: git.Repo) -> None:
    first = plan(work)
    assert first == ReleasePlan(Action.PUBLISH, MONTH, "main", "origin", first.reason)
    sha = git_stage.commit_and_tag(work, MONTH, write_data(work), MESSAGE, WINDOW)
    git_stage.push(work, first)
    commit = work.commit(sha)
    assert commit.trailers_dict == {"Top-PyPI-Tag": [MONTH], "Top-PyPI-Window": [ASKED]}
    assert commit.summary == MESSAGE.splitlines()[0]
    assert list(commit.stats.files) == DATA
    assert bare.git.cat_file("-t", f"refs/tags/{MONTH}") == "tag"  # annotated
    tag_object = bare.tags[MONTH].tag
    assert tag_object is not None
    assert tag_object.message.strip() == MESSAGE.splitlines()[0]
    assert remote_ref(bare, f"refs/tags/{MONTH}^{{commit}}") == sha
    assert remote_ref(bare, "refs/heads/main") == sha
    assert remote_has_tag(work, "origin", MONTH)


def test_publish_into_an_empty_repository(tmp_path: Path, bare: git.Repo) -> None:
    repo = new_work(tmp_path / "empty", bare)
    publish(repo)
    assert remote_ref(bare, "refs/heads/main") == repo.head.commit.hexsha
    assert plan(repo).action is Action.DONE


def test_rerun_after_publish_is_done(work: git.Repo) -> None:
    publish(work)
    again = plan(work)
    assert (again.action, again.tag) == (Action.DONE, MONTH)
    assert again.reason == "2026.11 is already published"


def test_done_when_only_the_remote_has_the_tag(work: git.Repo, tmp_path: Path) -> None:
    # A CI checkout often fetches no tags: the remote's tag alone must stop a second query.
    publish(work)
    clone = opened(git.Repo.clone_from(str(work.remote().url), tmp_path / "clone", no_tags=True))
    assert MONTH not in [t.name for t in clone.tags]
    assert plan(clone).action is Action.DONE


def test_no_push_is_done_once_tagged_locally(work: git.Repo, bare: git.Repo) -> None:
    first = plan(work, remote=None)
    git_stage.commit_and_tag(work, first.tag, write_data(work), MESSAGE, WINDOW)
    git_stage.push(work, first)
    assert remote_ref(bare, f"refs/tags/{MONTH}") is None
    assert plan(work, remote=None).action is Action.DONE
    assert plan(work).action is Action.PUSH


def test_committed_not_tagged_is_tagged_then_pushed(work: git.Repo, bare: git.Repo) -> None:
    write_data(work)
    work.git.add(*DATA)
    work.git.commit("-m", with_trailer(MESSAGE, MONTH))  # then the run died
    half = plan(work)
    assert (half.action, half.tag) == (Action.TAG, MONTH)
    git_stage.resume(work, half)
    assert remote_ref(bare, f"refs/tags/{MONTH}^{{commit}}") == work.head.commit.hexsha
    assert bare.git.cat_file("-t", f"refs/tags/{MONTH}") == "tag"
    assert plan(work).action is Action.DONE


def test_tagged_not_pushed_is_pushed_then_done(work: git.Repo, bare: git.Repo) -> None:
    sha = git_stage.commit_and_tag(
        work, MONTH, write_data(work), MESSAGE, WINDOW
    )  # then the run died
    half = plan(work)
    assert (half.action, half.tag) == (Action.PUSH, MONTH)
    assert "origin lacks the tag" in half.reason
    git_stage.resume(work, half)
    assert remote_ref(bare, "refs/heads/main") == sha
    assert plan(work).action is Action.DONE


def test_tag_pushed_but_branch_behind_is_pushed(work: git.Repo, bare: git.Repo) -> None:
    sha = git_stage.commit_and_tag(work, MONTH, write_data(work), MESSAGE, WINDOW)
    work.git.push("origin", f"refs/tags/{MONTH}")
    half = plan(work)
    assert (half.action, half.reason) == (
        Action.PUSH,
        "2026.11 is tagged but origin/main lacks its commit",
    )
    git_stage.resume(work, half)
    assert remote_ref(bare, "refs/heads/main") == sha
    assert plan(work).action is Action.DONE


def test_corrections_are_tagged_one_then_two(work: git.Repo, bare: git.Repo) -> None:
    publish(work, text="[1]\n")
    first = publish(work, correction=True, text="[2]\n")
    second = publish(work, correction=True, text="[3]\n")
    assert (first.tag, second.tag) == ("2026.11.1", "2026.11.2")
    for tag in (MONTH, "2026.11.1", "2026.11.2"):
        assert bare.git.cat_file("-t", f"refs/tags/{tag}") == "tag"
    assert bare.git.show("refs/tags/2026.11.2:data/top-pypi-packages.json") == "[3]"
    assert (plan(work).action, plan(work).tag) == (Action.DONE, "2026.11.2")


def test_half_finished_correction_is_pushed_not_redone(work: git.Repo) -> None:
    publish(work)
    correction = plan(work, correction=True)
    git_stage.commit_and_tag(work, correction.tag, write_data(work, "[2]\n"), MESSAGE, WINDOW)
    again = plan(work, correction=True)
    assert (again.action, again.tag) == (Action.PUSH, "2026.11.1")


def test_correction_before_any_publish_is_refused(work: git.Repo) -> None:
    with pytest.raises(UsageError) as caught:
        plan(work, correction=True)
    assert_one_line(caught.value, "--correction", MONTH)


def test_identical_files_give_an_empty_commit_that_is_tagged(work: git.Repo) -> None:
    publish(work, text="[1]\n")
    before = work.head.commit
    sha = git_stage.commit_and_tag(work, "2026.11.1", write_data(work, "[1]\n"), MESSAGE, WINDOW)
    assert work.commit(sha).parents == (before,)
    assert work.commit(sha).tree == before.tree
    assert work.tags["2026.11.1"].commit.hexsha == sha


def test_commit_holds_only_the_given_paths(work: git.Repo) -> None:
    notes = Path(str(work.working_tree_dir)) / "notes.txt"
    notes.write_text("mine\n")  # untracked outside data/: allowed, and left alone
    publish(work)
    assert list(work.head.commit.stats.files) == DATA
    assert work.untracked_files == ["notes.txt"]


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ("modified", "README.md"),
        ("staged", "staged.txt"),
        ("untracked", "data/leftover.json"),
    ],
)
def test_dirty_tree_is_refused(work: git.Repo, change: str, path: str) -> None:
    target = Path(str(work.working_tree_dir)) / path
    target.parent.mkdir(exist_ok=True)
    target.write_text("changed\n")
    if change == "staged":
        work.git.add(path)
    with pytest.raises(GitError) as caught:
        plan(work)
    assert_one_line(caught.value, path, "git stash")
    assert target.read_text() == "changed\n"


def test_dirty_tree_does_not_block_a_finished_release(work: git.Repo) -> None:
    publish(work)
    (Path(str(work.working_tree_dir)) / "README.md").write_text("edited\n")
    assert plan(work).action is Action.DONE


def test_missing_remote_is_refused(work: git.Repo) -> None:
    with pytest.raises(UsageError) as caught:
        plan(work, remote="upstream")
    assert_one_line(caught.value, "--remote upstream", "origin", "git remote add", "--no-push")


def test_missing_identity_is_refused(tmp_path: Path, bare: git.Repo) -> None:
    repo = new_work(tmp_path / "anonymous", bare, identity=False)
    repo.git.config("user.name", "Only A Name")
    with pytest.raises(GitError) as caught:
        plan(repo)
    assert_one_line(caught.value, "(user.email missing)", "git config user.email")


def test_detached_head_is_refused(work: git.Repo) -> None:
    work.git.checkout("--detach")
    with pytest.raises(GitError) as caught:
        plan(work)
    assert_one_line(caught.value, "detached", "git switch")


@pytest.mark.parametrize("name", ["plain-folder", "missing"])
def test_non_repository_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "plain-folder":
        path.mkdir()
    with pytest.raises(UsageError) as caught:
        open_repo(path)
    assert_one_line(caught.value, f"--repo {path} is not a git repository")


def test_bare_repository_is_refused(bare: git.Repo) -> None:
    with pytest.raises(UsageError, match="bare"):
        open_repo(Path(bare.git_dir))


def test_push_refused_by_a_hook_keeps_commit_and_tag(work: git.Repo, bare: git.Repo) -> None:
    hook = Path(bare.git_dir) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen until Monday' >&2\nexit 1\n")
    hook.chmod(0o755)
    the_plan = plan(work)
    sha = git_stage.commit_and_tag(work, MONTH, write_data(work), MESSAGE, WINDOW)
    with pytest.raises(GitError) as caught:
        git_stage.push(work, the_plan)
    assert_one_line(caught.value, "pushes are frozen until Monday", "kept", "re-run")
    assert work.tags[MONTH].commit.hexsha == sha
    hook.unlink()
    assert plan(work).action is Action.PUSH


def test_push_onto_a_diverged_branch_is_rejected(
    work: git.Repo, bare: git.Repo, tmp_path: Path
) -> None:
    other = opened(git.Repo.clone_from(str(bare.git_dir), tmp_path / "other"))
    for key, value in IDENTITY.items():
        other.git.config(key, value)
    other.git.commit("--allow-empty", "-m", "Someone else")
    other.git.push("origin", "main")
    the_plan = plan(work)
    sha = git_stage.commit_and_tag(work, MONTH, write_data(work), MESSAGE, WINDOW)
    with pytest.raises(GitError) as caught:
        git_stage.push(work, the_plan)
    assert_one_line(caught.value, "push of refs/heads/main: [rejected]", "git pull --no-rebase")
    assert work.head.commit.hexsha == sha
    assert MONTH in [t.name for t in work.tags]
    assert remote_ref(bare, f"refs/tags/{MONTH}") is None  # the tag waits for the branch
    work.git.pull("--no-rebase", "--no-edit", "origin", "main")  # what the tip says to do
    assert plan(work).action is Action.PUSH
    git_stage.resume(work, plan(work))
    assert bare.is_ancestor(bare.commit(sha), bare.commit("main"))
    assert plan(work).action is Action.DONE


def test_unreachable_remote_is_refused(work: git.Repo, tmp_path: Path) -> None:
    work.remote().set_url(str(tmp_path / "gone.git"))
    with pytest.raises(GitError) as caught:
        plan(work)
    assert_one_line(caught.value, "Could not read the refs of remote origin", "--no-push")
