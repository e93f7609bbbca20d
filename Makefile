# One line per target; the logic lives in Python (publisher/ and tests/).
VENV ?= .venv
PY := $(VENV)/bin/python
# cffconvert pins old libraries (jsonschema < 4): it gets an environment and a lock of its own.
CFFCONVERT := .venv-cffconvert/bin/cffconvert
CFFCONVERT_VERSION := 2.0.0

# The exports of uv.lock that pip installs with --require-hashes: everything (tests, tools) and
# what the workflows need to publish; both with setuptools, to build top-pypi without isolation.
EXPORT := $(PY) -m uv export --quiet --frozen --no-emit-project --group build

.PHONY: install lock run site serve site-tools test bench lint clean

$(VENV)/.installed: pyproject.toml requirements.lock
	python3 -m venv $(VENV) && $(PY) -m pip install -q --require-hashes -r requirements.lock && $(PY) -m pip install -q --no-deps --no-build-isolation -e . && touch $@

$(CFFCONVERT): requirements-cffconvert.lock
	python3 -m venv .venv-cffconvert && .venv-cffconvert/bin/python -m pip install -q --require-hashes -r requirements-cffconvert.lock && touch $@

install: $(VENV)/.installed $(CFFCONVERT)

# After a change to pyproject.toml's dependencies or CFFCONVERT_VERSION, or to move every pin
# to its newest release (`make lock UPGRADE=--upgrade`).
lock: install
	$(PY) -m uv lock $(UPGRADE) && $(EXPORT) --extra test -o requirements.lock && $(EXPORT) -o requirements-publish.lock
	echo cffconvert==$(CFFCONVERT_VERSION) | $(PY) -m uv pip compile - --quiet --universal --python-version 3.11 --generate-hashes -o requirements-cffconvert.lock

# The demo releases to a local stand-in of Zenodo (tests/fakes), never to zenodo.org.
run: install
	$(PY) -m tests.fakes.zenodo_demo scratch

site: install
	$(VENV)/bin/top-pypi site --repo scratch/publishing --out scratch/site

serve: site
	$(PY) -m http.server --bind 127.0.0.1 --directory scratch/site 8000

# npm writes node_modules/.package-lock.json last: once it is newer than the lock, nothing to do.
site/node_modules/.package-lock.json: site/package-lock.json
	cd site && npm ci --ignore-scripts --no-audit --no-fund

site-tools: site/node_modules/.package-lock.json

# Compiled once here: with PYTHONDONTWRITEBYTECODE set, every child a test starts would compile
# the package again (about a tenth of a second each; stale files are ignored, never run).
# pytest runs with it unset: each worker rewrites the asserts of every test module it collects
# (about 2.5 CPU seconds) unless it may keep the result for the next run.
test: install
	$(PY) -m compileall -q publisher tests && PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n 2

bench: install site-tools
	$(PY) tests/benchmarks/run.py

lint: install
	$(PY) -m ruff check . && $(PY) -m ruff format --check . && $(PY) -m mypy && $(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .venv-cffconvert scratch site/node_modules
