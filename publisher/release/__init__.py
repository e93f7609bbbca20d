"""Stage 4, release: a validated month made public and citable. Takes the dataset files; gives a
git commit with a CalVer tag, pushed (`git.py`), for a window that ends on a month's last day
(`month.py`), one run at a time (`lock.py`), and next a Zenodo DOI and citation files.
"""
