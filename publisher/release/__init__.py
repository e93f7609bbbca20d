"""Stage 4, release: a validated month made public and citable, in two parts.

Git: a commit recording the window asked for (`commits.py`, which also says what a publish tag
is) with a CalVer tag, pushed (`git.py`), after a decision taken from the repository's state
alone (`decision.py`, read by `git_state.py`); for a window that ends on a month's last day
(`month.py`), one run at a time (`lock.py`, `duplicate.py`), the repository opened and git's
errors worded in one place (`repository.py`).

Zenodo (`zenodo/`): each publish tag a version with its DOI, recorded on the branch; `stage.py`
joins the two parts for `top-pypi release`.
"""
