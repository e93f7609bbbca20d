# One line per target; the logic lives in Python (publisher/ and tests/).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run site serve site-tools test bench lint clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip uv && $(PY) -m uv pip install -q --compile-bytecode --python $(PY) -e '.[test]' && touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/top-pypi demo scratch

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
	rm -rf $(VENV) scratch site/node_modules
