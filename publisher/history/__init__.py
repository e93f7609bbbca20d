"""`top-pypi history`: every month back to the first the source holds, counted one way, kept in
`data/history/` beside the published months."""
