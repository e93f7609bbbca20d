# One line per target; the logic lives in Python (publisher/ and tests/).
VENV ?= .venv
PY := $(VENV)/bin/python
# cffconvert pins old libraries (jsonschema < 4): it gets an environment of its own.
CFFCONVERT := .venv-cffconvert/bin/cffconvert

.PHONY: install run site serve site-tools test bench lint clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip uv && $(PY) -m uv pip install -q --compile-bytecode --python $(PY) -e '.[test]' && touch $@

$(CFFCONVERT):
	python3 -m venv .venv-cffconvert && .venv-cffconvert/bin/python -m pip install -q cffconvert==2.0.0

install: $(VENV)/.installed $(CFFCONVERT)

# The demo releases to a local stand-in of Zenodo (tests/fakes), never to zenodo.org.
run: install
	$(PY) -m tests.fakes.zenodo_demo scratch

site: install
	$(VENV)/bin/top-pypi site --repo scratch/publishing --out scratch/site

serve: site
	$(PY) -m http.server --bind 127.0.0.1 --directory scratch/site 8000

site-tools:
	cd site && npm ci --ignore-scripts --no-audit --no-fund

test: install
	$(PY) -m pytest -n 2

bench: install
	$(PY) tests/benchmarks/run.py

lint: install
	$(PY) -m ruff check . && $(PY) -m ruff format --check . && $(PY) -m mypy && $(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .venv-cffconvert scratch site/node_modules
