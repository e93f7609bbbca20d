"""Stage 4, release: a validated month made public and citable. Takes the dataset files; gives a
git commit with a CalVer tag, pushed (`git.py`), and next a Zenodo DOI and citation files.
"""
