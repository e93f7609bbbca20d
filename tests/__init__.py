"""The tests of top-pypi: a package, so that every helper has one name (`from tests.repos import ...`)."""
