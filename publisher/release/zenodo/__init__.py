"""The release's second part: each publish tag made a version of one Zenodo record, with its own
DOI, and the DOIs recorded on the branch. The API client (`api.py`), drafts found or opened
(`drafts.py`) and told apart (`identity.py`, `notes.py`), the metadata and CITATION.cff sent
(`metadata.py`, `citation.py`), one version released (`version.py`), the order of versions
(`order.py`), the record of DOIs (`record.py`), and the run over every tag (`run.py`).
"""
