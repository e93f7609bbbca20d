"""The tests of top-pypi, a package: every helper has one name (`from tests.repos import ...`)."""
