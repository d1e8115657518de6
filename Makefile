# One command each: `make serve` sets up and runs the service; `make test` sets up and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Test processes: most tests wait on servers they started, so two on two cores take about half the time of one.
TEST_WORKERS ?= 2

# morph-kgc (the RML engine of `kg events load`) pins pyoxigraph < 0.4; the project needs 0.5, so the
# engine gets its own environment inside this one, where kg/events.py looks for it.
MORPH_KGC ?= morph-kgc==2.10.0

# Serving needs the project alone; the tests add their extras (pytest, hypothesis, Playwright...).
$(VENV)/.served: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed: $(VENV)/.served
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(VENV)/morph-kgc/.installed: Makefile $(VENV)/.installed
	python3 -m venv $(VENV)/morph-kgc
	$(VENV)/morph-kgc/bin/python -m pip install -q '$(MORPH_KGC)'
	touch $@

.PHONY: install test serve
install: $(VENV)/.installed $(VENV)/morph-kgc/.installed

test: install
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# Serving needs no RML engine: morph-kgc is set up by `make install` (and `make test`), for `kg events load`.
serve: $(VENV)/.served
	$(VENV)/bin/kg serve --port $(PORT)
